"""Request types and what they define: fields, approval steps, reasons, priorities."""

import operator

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from core.limits import LONG_TEXT, MEDIUM_TEXT
from departments.models import Department, Skill, pick_language


class Priority(models.IntegerChoices):
    LOW = 1, _("Low")
    NORMAL = 2, _("Normal")
    HIGH = 3, _("High")
    URGENT = 4, _("Urgent")


# How much one estimated hour of work weighs in a person's load, by priority.
PRIORITY_WEIGHT = {Priority.LOW: 0.5, Priority.NORMAL: 1.0, Priority.HIGH: 1.5, Priority.URGENT: 2.0}


# Estimated hours assumed for open work that has no estimate.
DEFAULT_ESTIMATE_HOURS = 4


class Reason(models.TextChoices):
    """Why work was returned, declined, reopened or held: a fixed list for rework reports."""

    INCOMPLETE = "incomplete", _("Information or materials incomplete")
    UNCLEAR = "unclear", _("Requirement unclear")
    WRONG_DEPARTMENT = "wrong_department", _("Not this department's business")
    NO_CAPACITY = "no_capacity", _("No capacity")
    POLICY = "policy", _("Against policy or budget")
    QUALITY = "quality", _("Result not good enough")
    NOT_RESOLVED = "not_resolved", _("Problem not resolved")
    WAITING_OTHER = "waiting_other", _("Waiting on another department")
    WAITING_REQUESTER = "waiting_requester", _("Waiting on the requester")
    OTHER = "other", _("Other")


class RequestType(models.Model):
    """A kind of request a department accepts, with its service guide (办事指南),
    extra fields, approval chain, SLAs and dispatch rule."""

    class AutoAssign(models.TextChoices):
        NONE = "none", _("No: the manager assigns")
        ROUND_ROBIN = "round_robin", _("Round-robin")
        LEAST_LOADED = "least_loaded", _("Least loaded")

    department = models.ForeignKey(
        Department, on_delete=models.PROTECT, related_name="request_types", verbose_name=_("handled by")
    )
    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name (Chinese)"), max_length=60)
    name_en = models.CharField(_("name (English)"), max_length=80, blank=True)
    purpose = models.TextField(_("what it is for (Chinese)"), blank=True, max_length=LONG_TEXT)
    purpose_en = models.TextField(_("what it is for (English)"), blank=True, max_length=LONG_TEXT)
    materials = models.TextField(_("required materials (Chinese)"), blank=True, max_length=LONG_TEXT)
    materials_en = models.TextField(_("required materials (English)"), blank=True, max_length=LONG_TEXT)
    accept_sla_hours = models.DecimalField(
        _("time to accept (working hours)"),
        max_digits=6,
        decimal_places=1,
        default=4,
        validators=[MinValueValidator(0)],
    )
    finish_sla_hours = models.DecimalField(
        _("time to finish (working hours)"),
        max_digits=6,
        decimal_places=1,
        default=16,
        validators=[MinValueValidator(0)],
    )
    default_priority = models.IntegerField(_("default priority"), choices=Priority.choices, default=Priority.NORMAL)
    auto_assign = models.CharField(
        _("automatic assignment"), max_length=20, choices=AutoAssign.choices, default=AutoAssign.NONE
    )
    skills = models.ManyToManyField(
        Skill,
        blank=True,
        related_name="request_types",
        verbose_name=_("skills it needs"),
        help_text=_("Used to suggest an assignee."),
    )
    confidential = models.BooleanField(
        _("confidential by default"),
        default=False,
        help_text=_("Requests of this type start as confidential; the requester may still change it."),
    )
    filing_departments = models.ManyToManyField(
        Department,
        blank=True,
        related_name="+",
        verbose_name=_("who may file"),
        help_text=_("Only people of these departments may file it; none named: everyone."),
    )
    # 主办/协办: the type's own department leads; these co-handle every request of the type, as if
    # the filer had ticked them (the filer may add more, never drop these).
    co_departments = models.ManyToManyField(
        Department,
        blank=True,
        related_name="+",
        verbose_name=_("co-handling departments (协办)"),
        help_text=_("Each request of this type gets a linked sub-task for each of them."),
    )
    # Whether co_departments names any: publishing keeps it, so filing a type without (most are)
    # costs no query for them.
    co_handled = models.BooleanField(default=False, editable=False)
    # Whether filing_departments names any: publishing keeps it, so filing an open type (most are)
    # costs no query for the check.
    filing_restricted = models.BooleanField(default=False, editable=False)
    is_active = models.BooleanField(_("active"), default=True)
    sort_order = models.PositiveIntegerField(_("sort order"), default=0)
    # The catalogue's working copy (guide, fields and steps as RequestTypeVersion.snapshot holds them)
    # while a department administrator edits it; None when the type is as published. Filing never
    # reads it: requests are filed on the live rows, which publishing rewrites from it.
    draft = models.JSONField(_("unpublished draft"), null=True, blank=True, editable=False)
    current_version = models.ForeignKey(
        "tasks.RequestTypeVersion",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
        verbose_name=_("current version"),
    )

    class Meta:
        ordering = ["department__sort_order", "sort_order", "code"]
        verbose_name = _("request type")
        verbose_name_plural = _("request types")

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        return pick_language(self.name, self.name_en)

    @property
    def display_purpose(self) -> str:
        return pick_language(self.purpose, self.purpose_en)

    @property
    def catalogue_status(self) -> str:
        """draft (never published), published (filed on), or retired (published, not in use)."""
        if self.current_version_id is None:
            return "draft"
        return "published" if self.is_active else "retired"

    @property
    def display_materials(self) -> str:
        return pick_language(self.materials, self.materials_en)


class RequestField(models.Model):
    """An extra field of a request type's filing form."""

    class Kind(models.TextChoices):
        TEXT = "text", _("Text")
        LONG_TEXT = "long_text", _("Long text")
        NUMBER = "number", pgettext_lazy("kind of field", "Number")
        AMOUNT = "amount", pgettext_lazy("kind of field", "Amount (yuan)")
        DATE = "date", _("Date")
        CHOICE = "choice", _("Choice")
        PERSON = "person", pgettext_lazy("kind of field", "Person")
        DEPARTMENT = "department", pgettext_lazy("kind of field", "Department")
        FILE = "file", _("File")

    # The kinds whose values are numbers: amount conditions and min/max apply to them.
    NUMERIC_KINDS = ("number", "amount")

    request_type = models.ForeignKey(RequestType, on_delete=models.CASCADE, related_name="fields")
    key = models.SlugField(_("key"), max_length=40, help_text=_("Stable name used in conditions, e.g. amount."))
    label = models.CharField(_("label (Chinese)"), max_length=60)
    label_en = models.CharField(_("label (English)"), max_length=80, blank=True)
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices, default=Kind.TEXT)
    required = models.BooleanField(_("required"), default=False)
    # Number fields are amounts, quantities and headcounts: below zero is a typing error or a trick
    # (a negative amount slips under an approval step's "amount > 10000"), unless the field says so.
    allow_negative = models.BooleanField(
        _("negative numbers allowed"),
        default=False,
        help_text=_("For the number kind: whether values below zero are accepted."),
    )
    choices = models.TextField(
        _("choices"), blank=True, max_length=MEDIUM_TEXT, help_text=_("One per line, for the choice kind.")
    )
    help_text = models.CharField(_("help text"), max_length=200, blank=True)
    min_value = models.DecimalField(_("smallest value"), max_digits=14, decimal_places=2, null=True, blank=True)
    max_value = models.DecimalField(_("largest value"), max_digits=14, decimal_places=2, null=True, blank=True)
    pattern = models.CharField(
        _("pattern"),
        max_length=200,
        blank=True,
        help_text=_("For text: a regular expression the whole answer must match, e.g. [A-Z]{2}[0-9]{6}."),
    )
    order = models.PositiveIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["order", "pk"]
        verbose_name = _("request field")
        verbose_name_plural = _("request fields")
        constraints = [
            models.UniqueConstraint(
                fields=["request_type", "key"],
                name="tasks_requestfield_unique_key",
                violation_error_message=_("This request type already has a field with this key."),
            ),
        ]

    def __str__(self) -> str:
        return self.display_label

    @property
    def display_label(self) -> str:
        return pick_language(self.label, self.label_en)

    @property
    def choice_list(self) -> list[str]:
        return [line.strip() for line in self.choices.splitlines() if line.strip()]


class ApprovalStep(models.Model):
    """One step of a request type's approval chain."""

    class Approver(models.TextChoices):
        REQUESTER_MANAGER = "requester_manager", _("Requester's department head")
        REQUESTER_PARENT_HEAD = "requester_parent_head", _("Head of the requester's parent department")
        TARGET_MANAGER = "target_manager", _("Target department head")
        DEPARTMENT_HEAD = "department_head", _("Head of a named department")
        USERS = "users", _("Named people")

    class Mode(models.TextChoices):
        ALL = "all", _("Countersign (会签): all must approve")
        ANY = "any", _("Or-sign (或签): any one approves")

    class Operator(models.TextChoices):
        GT = "gt", ">"
        GTE = "gte", "≥"
        LT = "lt", "<"
        LTE = "lte", "≤"
        IN = "in", _("is one of")

    request_type = models.ForeignKey(RequestType, on_delete=models.CASCADE, related_name="steps")
    order = models.PositiveIntegerField(_("order"), default=1)
    name = models.CharField(_("name"), max_length=60, blank=True)
    name_en = models.CharField(_("name (English)"), max_length=80, blank=True)
    approver = models.CharField(_("approvers"), max_length=30, choices=Approver.choices)
    department = models.ForeignKey(
        Department,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("named department"),
    )
    users = models.ManyToManyField(settings.AUTH_USER_MODEL, blank=True, related_name="+", verbose_name=_("people"))
    mode = models.CharField(_("mode"), max_length=5, choices=Mode.choices, default=Mode.ANY)
    hours = models.PositiveSmallIntegerField(
        _("promised working hours"),
        null=True,
        blank=True,
        help_text=_("How long this step may take, in working hours. Empty: the type's time to accept; 0: no promise."),
    )
    condition_field = models.SlugField(
        _("only when field"), max_length=40, blank=True, help_text=_("Key of a number field, e.g. amount.")
    )
    condition_operator = models.CharField(_("is"), max_length=3, choices=Operator.choices, blank=True)
    condition_value = models.DecimalField(_("value"), max_digits=14, decimal_places=2, null=True, blank=True)
    condition_choices = models.TextField(
        _("one of the choices"),
        blank=True,
        max_length=MEDIUM_TEXT,
        help_text=_("For a choice field: the step applies when the answer is one of these, one per line."),
    )

    class Meta:
        ordering = ["order", "pk"]
        verbose_name = _("approval step")
        verbose_name_plural = _("approval steps")
        constraints = [
            models.CheckConstraint(
                condition=~Q(approver="department_head") | Q(department__isnull=False),
                name="tasks_approvalstep_department_named",
                violation_error_message=_("Name the department whose head approves."),
            ),
            models.CheckConstraint(
                condition=(
                    Q(condition_field="")
                    & Q(condition_operator="")
                    & Q(condition_value__isnull=True)
                    & Q(condition_choices="")
                )
                | (
                    ~Q(condition_field="")
                    & ~Q(condition_operator="")
                    & ~Q(condition_operator="in")
                    & Q(condition_value__isnull=False)
                    & Q(condition_choices="")
                )
                | (
                    ~Q(condition_field="")
                    & Q(condition_operator="in")
                    & Q(condition_value__isnull=True)
                    & ~Q(condition_choices="")
                ),
                name="tasks_approvalstep_condition_complete",
                violation_error_message=_("A condition needs a field, an operator and a value, or none of them."),
            ),
        ]

    def __str__(self) -> str:
        return self.name or self.get_approver_display()

    def clean(self) -> None:
        super().clean()
        from django.core.exceptions import ValidationError

        kinds = ["choice"] if self.condition_operator == self.Operator.IN else list(RequestField.NUMERIC_KINDS)
        if (
            self.condition_field
            and self.request_type_id
            and not self.request_type.fields.filter(key=self.condition_field, kind__in=kinds).exists()
        ):
            raise ValidationError(
                {
                    "condition_field": _(
                        "The request type has no field of that kind with this key (save a new field first)."
                    )
                }
            )

    @property
    def condition_choice_list(self) -> list[str]:
        return [line.strip() for line in self.condition_choices.splitlines() if line.strip()]

    def applies_to(self, values: dict) -> bool:
        """Whether this step is part of the route for a request with these field values."""
        if not self.condition_field:
            return True
        if self.condition_operator == self.Operator.IN:
            return str(values.get(self.condition_field, "")) in self.condition_choice_list
        from decimal import Decimal, InvalidOperation

        try:
            value = Decimal(str(values.get(self.condition_field)))
        except (InvalidOperation, TypeError, ValueError):
            return False
        if not value.is_finite():
            return False
        compare = {"gt": operator.gt, "gte": operator.ge, "lt": operator.lt, "lte": operator.le}
        return compare[self.condition_operator](value, self.condition_value)


class RequestTypeVersion(models.Model):
    """A published version of a request type: its guide, fields and approval steps as they were
    when published. A request keeps the version it was filed on, so its page shows the form it was
    filed with and a resubmission follows that version's route."""

    request_type = models.ForeignKey(
        RequestType, on_delete=models.CASCADE, related_name="versions", verbose_name=_("request type")
    )
    number = models.PositiveIntegerField(_("version"))
    published_at = models.DateTimeField(_("published at"))
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("published by"),
    )
    snapshot = models.JSONField(_("guide, fields and steps"), default=dict)

    class Meta:
        ordering = ["request_type", "-number"]
        verbose_name = _("request type version")
        verbose_name_plural = _("request type versions")
        constraints = [
            models.UniqueConstraint(
                fields=["request_type", "number"],
                name="tasks_requesttypeversion_unique_number",
                violation_error_message=_("This request type already has a version with this number."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.request_type_id} v{self.number}"
