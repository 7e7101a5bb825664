"""Cross-department requests (事务): their types, approval chains, the request
itself with its state machine, approvals, the log, comments, attachments,
holds, and the reminders already sent."""

import os
import uuid

from django.conf import settings
from django.contrib.contenttypes.fields import GenericRelation
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from django_fsm import ConcurrentTransitionMixin, FSMField, transition

from core.limits import LONG_TEXT, MEDIUM_TEXT, SHORT_TEXT
from core.models import ActionLog
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
    is_active = models.BooleanField(_("active"), default=True)
    sort_order = models.PositiveIntegerField(_("sort order"), default=0)

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
    def display_materials(self) -> str:
        return pick_language(self.materials, self.materials_en)


class RequestField(models.Model):
    """An extra field of a request type's filing form."""

    class Kind(models.TextChoices):
        TEXT = "text", _("Text")
        NUMBER = "number", pgettext_lazy("kind of field", "Number")
        DATE = "date", _("Date")
        CHOICE = "choice", _("Choice")
        FILE = "file", _("File")

    request_type = models.ForeignKey(RequestType, on_delete=models.CASCADE, related_name="fields")
    key = models.SlugField(_("key"), max_length=40, help_text=_("Stable name used in conditions, e.g. amount."))
    label = models.CharField(_("label (Chinese)"), max_length=60)
    label_en = models.CharField(_("label (English)"), max_length=80, blank=True)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.TEXT)
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
    condition_field = models.SlugField(
        _("only when field"), max_length=40, blank=True, help_text=_("Key of a number field, e.g. amount.")
    )
    condition_operator = models.CharField(_("is"), max_length=3, choices=Operator.choices, blank=True)
    condition_value = models.DecimalField(_("value"), max_digits=14, decimal_places=2, null=True, blank=True)

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
                condition=(Q(condition_field="") & Q(condition_operator="") & Q(condition_value__isnull=True))
                | (~Q(condition_field="") & ~Q(condition_operator="") & Q(condition_value__isnull=False)),
                name="tasks_approvalstep_condition_complete",
                violation_error_message=_("A condition needs a field, an operator and a value, or none of them."),
            ),
        ]

    def __str__(self) -> str:
        return self.name or self.get_approver_display()

    @property
    def display_name(self) -> str:
        return pick_language(self.name, self.name_en) or self.get_approver_display()

    def clean(self) -> None:
        super().clean()
        from django.core.exceptions import ValidationError

        if (
            self.condition_field
            and self.request_type_id
            and not self.request_type.fields.filter(key=self.condition_field, kind=RequestField.Kind.NUMBER).exists()
        ):
            raise ValidationError(
                {"condition_field": _("The request type has no number field with this key (save a new field first).")}
            )

    def applies_to(self, values: dict) -> bool:
        """Whether this step is part of the route for a request with these field values."""
        if not self.condition_field:
            return True
        from decimal import Decimal, InvalidOperation

        try:
            value = Decimal(str(values.get(self.condition_field)))
        except (InvalidOperation, TypeError, ValueError):
            return False
        if not value.is_finite():
            return False
        limit = self.condition_value
        return {
            "gt": value > limit,
            "gte": value >= limit,
            "lt": value < limit,
            "lte": value <= limit,
        }[self.condition_operator]


class TaskQuerySet(models.QuerySet):
    def visible_to(self, user) -> "TaskQuerySet":
        from tasks.selectors import visible_tasks_filter

        return self.filter(visible_tasks_filter(user))


class Task(ConcurrentTransitionMixin, models.Model):
    """A cross-department request (事务), or a co-handling sub-task of one (parent set)."""

    class State(models.TextChoices):
        DRAFT = "draft", _("Draft")
        PENDING_APPROVAL = "pending_approval", _("Pending approval")
        PENDING_ACCEPTANCE = "pending_acceptance", _("Pending acceptance")
        IN_PROGRESS = "in_progress", _("In progress")
        ON_HOLD = "on_hold", _("On hold")
        PENDING_VERIFICATION = "pending_verification", _("Pending verification")
        DONE = "done", _("Done")
        REJECTED = "rejected", _("Rejected")
        CANCELLED = "cancelled", _("Cancelled")

    OPEN_STATES = ("pending_approval", "pending_acceptance", "in_progress", "on_hold", "pending_verification")
    CLOSED_STATES = ("done", "rejected", "cancelled")
    WORK_STATES = ("in_progress", "on_hold")

    number = models.CharField(_("number"), max_length=20, unique=True)
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True, max_length=LONG_TEXT)
    request_type = models.ForeignKey(
        RequestType, on_delete=models.PROTECT, related_name="tasks", verbose_name=_("request type")
    )
    field_values = models.JSONField(_("field values"), default=dict, blank=True)
    requester = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="requested_tasks", verbose_name=_("requester")
    )
    requesting_department = models.ForeignKey(
        Department, on_delete=models.PROTECT, related_name="outgoing_tasks", verbose_name=_("requesting department")
    )
    target_department = models.ForeignKey(
        Department, on_delete=models.PROTECT, related_name="incoming_tasks", verbose_name=_("lead department")
    )
    co_departments = models.ManyToManyField(
        Department, blank=True, related_name="co_handled_tasks", verbose_name=_("co-handling departments")
    )
    parent = models.ForeignKey(
        "self",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="subtasks",
        verbose_name=_("lead request"),
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="assigned_tasks",
        verbose_name=_("assignee"),
    )
    watchers = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="watched_tasks", verbose_name=_("CC (抄送)")
    )
    priority = models.IntegerField(_("priority"), choices=Priority.choices, default=Priority.NORMAL)
    state = FSMField(_("state"), default=State.DRAFT, choices=State.choices, protected=True)
    confidential = models.BooleanField(
        _("confidential"),
        default=False,
        help_text=_("Only the people involved and the managers of the departments concerned see it."),
    )
    estimate_hours = models.DecimalField(
        _("estimated hours"), max_digits=6, decimal_places=1, null=True, blank=True, validators=[MinValueValidator(0)]
    )
    progress = models.PositiveSmallIntegerField(
        _("progress %"), default=0, validators=[MinValueValidator(0), MaxValueValidator(100)]
    )
    wanted_by = models.DateTimeField(_("wanted by"), null=True, blank=True)
    accept_due_at = models.DateTimeField(_("accept by"), null=True, blank=True)
    due_at = models.DateTimeField(_("due"), null=True, blank=True)
    approval_step = models.PositiveIntegerField(_("current approval step"), null=True, blank=True)
    approval_round = models.PositiveIntegerField(_("approval round"), default=0)
    approval_due_at = models.DateTimeField(_("current approval step due"), null=True, blank=True)
    held_since = models.DateTimeField(_("on hold since"), null=True, blank=True)
    waiting_on = models.ForeignKey(
        Department, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("waiting on")
    )
    submit_token = models.UUIDField(_("submission token"), null=True, blank=True, unique=True, editable=False)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    submitted_at = models.DateTimeField(_("submitted"), null=True, blank=True)
    accepted_at = models.DateTimeField(_("accepted"), null=True, blank=True)
    done_at = models.DateTimeField(_("done"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    last_progress_at = models.DateTimeField(_("last progress"), null=True, blank=True)
    last_urged_at = models.DateTimeField(_("last urged"), null=True, blank=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    # Everything that happened to the request, oldest first (core.actions.log_action writes it).
    logs = GenericRelation(ActionLog)

    objects = TaskQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("request")
        verbose_name_plural = _("requests")
        constraints = [
            models.CheckConstraint(
                condition=Q(progress__gte=0) & Q(progress__lte=100),
                name="tasks_task_progress_percent",
                violation_error_message=_("Progress is a percentage from 0 to 100."),
            ),
            models.CheckConstraint(
                condition=Q(due_at__isnull=True) | Q(due_at__gte=F("created_at")),
                name="tasks_task_due_after_created",
                violation_error_message=_("A request cannot be due before it was created."),
            ),
            models.CheckConstraint(
                condition=~Q(parent=F("pk")),
                name="tasks_task_not_own_parent",
                violation_error_message=_("A request cannot be its own lead request."),
            ),
        ]
        indexes = [
            # Department inbox (selectors.inbox): pending acceptance per target department.
            models.Index(
                fields=["target_department", "created_at"],
                condition=Q(state="pending_acceptance"),
                name="tasks_task_inbox",
            ),
            # Assigned to me and workload (selectors.workload): open work per assignee.
            models.Index(
                fields=["assignee", "due_at"],
                condition=Q(state__in=["in_progress", "on_hold", "pending_verification"]),
                name="tasks_task_assignee_open",
            ),
            # My requests: a requester's requests, newest first.
            models.Index(fields=["requester", "-created_at"], name="tasks_task_requester"),
            # Every other list, newest first: read in order until a page of visible rows is found.
            models.Index(fields=["-created_at", "-id"], name="tasks_task_newest"),
            # Overdue lists and the reminder sweeps: open requests by due date.
            models.Index(
                fields=["due_at"],
                condition=Q(state__in=["pending_acceptance", "in_progress", "pending_verification"]),
                name="tasks_task_open_due",
            ),
            # reminders.sweep: approvals past their step's promised time.
            models.Index(
                fields=["approval_due_at"], condition=Q(state="pending_approval"), name="tasks_task_approval_due"
            ),
            # reminders.sweep: acceptance past its promised time.
            models.Index(
                fields=["accept_due_at"], condition=Q(state="pending_acceptance"), name="tasks_task_accept_due"
            ),
            # reminders.sweep: results waiting for verification (auto-close after 7 days).
            models.Index(
                fields=["done_at"], condition=Q(state="pending_verification"), name="tasks_task_verification_due"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.title}"

    @property
    def is_open(self) -> bool:
        return self.state in self.OPEN_STATES

    @property
    def is_overdue(self) -> bool:
        return bool(
            self.due_at
            and self.state in ("pending_acceptance", "in_progress", "pending_verification")
            and self.due_at < timezone.now()
        )

    @property
    def is_subtask(self) -> bool:
        return self.parent_id is not None

    # Transitions change state and timestamps only; tasks/services.py checks
    # permissions, saves, logs and notifies.

    @transition(field=state, source=State.DRAFT, target=State.PENDING_APPROVAL)
    def submit(self):
        self.submitted_at = timezone.now()

    @transition(field=state, source=[State.DRAFT, State.PENDING_APPROVAL], target=State.PENDING_ACCEPTANCE)
    def send_to_department(self):
        if self.submitted_at is None:
            self.submitted_at = timezone.now()
        self.approval_step = None

    @transition(field=state, source=State.PENDING_APPROVAL, target=State.REJECTED)
    def reject(self):
        self.closed_at = timezone.now()
        self.approval_step = None

    @property
    def is_returned(self) -> bool:
        """A draft an approver returned for revision: it was submitted once (revising a rejected
        request clears submitted_at, so that draft starts afresh)."""
        return self.state == self.State.DRAFT and self.submitted_at is not None

    @transition(field=state, source=State.PENDING_APPROVAL, target=State.DRAFT)
    def return_for_revision(self):
        # submitted_at stays: a draft that was sent once is a returned one (is_returned).
        self.approval_step = None

    @transition(field=state, source=State.PENDING_ACCEPTANCE, target=State.IN_PROGRESS)
    def accept(self):
        self.accepted_at = timezone.now()

    @transition(field=state, source=State.PENDING_ACCEPTANCE, target=State.REJECTED)
    def decline(self):
        self.closed_at = timezone.now()

    @transition(field=state, source=[State.PENDING_ACCEPTANCE, State.IN_PROGRESS], target=State.PENDING_ACCEPTANCE)
    def transfer(self):
        self.assignee = None
        self.accepted_at = None

    @transition(field=state, source=State.IN_PROGRESS, target=State.ON_HOLD)
    def hold(self):
        self.held_since = timezone.now()

    @transition(field=state, source=State.ON_HOLD, target=State.IN_PROGRESS)
    def resume(self):
        self.held_since = None
        self.waiting_on = None

    @transition(field=state, source=State.IN_PROGRESS, target=State.PENDING_VERIFICATION)
    def submit_for_verification(self):
        self.progress = 100
        self.done_at = timezone.now()

    @transition(field=state, source=State.PENDING_VERIFICATION, target=State.DONE)
    def confirm(self):
        self.closed_at = timezone.now()

    @transition(field=state, source=State.PENDING_VERIFICATION, target=State.IN_PROGRESS)
    def reopen(self):
        self.done_at = None

    @transition(field=state, source=State.REJECTED, target=State.DRAFT)
    def revise(self):
        self.closed_at = None
        self.submitted_at = None

    @transition(
        field=state,
        source=[State.DRAFT, State.PENDING_APPROVAL, State.PENDING_ACCEPTANCE, State.IN_PROGRESS],
        target=State.CANCELLED,
    )
    def cancel(self):
        self.closed_at = timezone.now()
        self.approval_step = None


class RequestCounter(models.Model):
    """The last request number used in a year; numbers are taken under a row lock."""

    year = models.PositiveIntegerField(primary_key=True)
    last = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("request counter")
        verbose_name_plural = _("request counters")

    def __str__(self) -> str:
        return f"{self.year}: {self.last}"


class Approval(models.Model):
    """One approver's part in one step of a request's approval route."""

    class Decision(models.TextChoices):
        PENDING = "pending", _("Pending")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Rejected")
        RETURNED = "returned", _("Returned for revision")
        SKIPPED = "skipped", _("Not needed")

    task = models.ForeignKey(Task, on_delete=models.CASCADE, related_name="approvals")
    round = models.PositiveIntegerField(_("round"), default=1)
    step_order = models.PositiveIntegerField(_("step"))
    step_name = models.CharField(_("step name"), max_length=60, blank=True)
    step_name_en = models.CharField(_("step name (English)"), max_length=80, blank=True)
    mode = models.CharField(_("mode"), max_length=5, choices=ApprovalStep.Mode.choices)
    approver = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="approvals", verbose_name=_("approver")
    )
    decision = models.CharField(_("decision"), max_length=10, choices=Decision.choices, default=Decision.PENDING)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("decided by"),
    )
    opinion = models.TextField(_("opinion"), blank=True, max_length=SHORT_TEXT)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)

    class Meta:
        ordering = ["step_order", "pk"]
        verbose_name = _("approval")
        verbose_name_plural = _("approvals")
        constraints = [
            models.UniqueConstraint(
                fields=["task", "round", "step_order", "approver"],
                name="tasks_approval_unique_approver_per_step",
                violation_error_message=_("This person already approves this step."),
            ),
        ]
        indexes = [
            # To approve (selectors.approvals_waiting_for): pending approvals per approver.
            models.Index(
                fields=["approver", "created_at"], condition=Q(decision="pending"), name="tasks_approval_pending"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.task.number} · {self.step_order} · {self.approver}"

    @property
    def display_step_name(self) -> str:
        """The step's name as it was when the request was filed, in the reader's language."""
        return pick_language(self.step_name, self.step_name_en)


class TaskAction(models.TextChoices):
    """What happened to a request, as its timeline says it (the rows are core.ActionLog)."""

    CREATED = "task.created", _("created the request")
    EDITED = "task.edited", _("edited the request")
    SUBMITTED = "task.submitted", pgettext_lazy("what happened to a request", "submitted")
    APPROVED = "task.approved", _("approved")
    REJECTED = "task.rejected", _("rejected")
    RETURNED = "task.returned", _("returned for revision")
    ACCEPTED = "task.accepted", _("accepted and assigned")
    DECLINED = "task.declined", _("declined")
    TRANSFERRED = "task.transferred", _("transferred")
    PROGRESS = "task.progress", _("posted progress")
    HELD = "task.held", _("put on hold")
    RESUMED = "task.resumed", _("resumed")
    SUBMITTED_FOR_VERIFICATION = "task.verification", _("submitted for verification")
    CONFIRMED = "task.confirmed", _("confirmed done")
    REOPENED = "task.reopened", _("reopened")
    REVISED = "task.revised", _("revised")
    CANCELLED = "task.cancelled", _("cancelled")
    URGED = "task.urged", _("urged (催办)")
    ASSIGNED = "task.assigned", _("reassigned")


class Comment(models.Model):
    """A comment on a request; @mentions notify the people named."""

    task = models.ForeignKey(Task, on_delete=models.CASCADE, related_name="comments")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    body = models.TextField(_("comment"), max_length=MEDIUM_TEXT)
    mentions = models.ManyToManyField(settings.AUTH_USER_MODEL, blank=True, related_name="+")
    created_at = models.DateTimeField(_("at"), default=timezone.now)

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("comment")
        verbose_name_plural = _("comments")

    def __str__(self) -> str:
        return self.body[:50]


def attachment_path(instance, filename: str) -> str:
    """Stored under an unguessable name; the original name is kept in the row."""
    extension = os.path.splitext(filename)[1].lower()[:10]
    return f"attachments/{timezone.now():%Y/%m}/{uuid.uuid4().hex}{extension}"


class Attachment(models.Model):
    """A file attached to a request, served only after a permission check."""

    task = models.ForeignKey(Task, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(_("file"), upload_to=attachment_path, max_length=200)
    name = models.CharField(_("file name"), max_length=200)
    size = models.PositiveBigIntegerField(_("size"))
    field_key = models.SlugField(_("form field"), max_length=40, blank=True)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("at"), default=timezone.now)

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")

    def __str__(self) -> str:
        return self.name


class HoldPeriod(models.Model):
    """A stretch of time a request was on hold; waiting time is charged to the department waited on."""

    task = models.ForeignKey(Task, on_delete=models.CASCADE, related_name="holds")
    waiting_on = models.ForeignKey(
        Department,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="charged_holds",
        verbose_name=_("waiting on"),
    )
    reason = models.CharField(_("reason"), max_length=30, choices=Reason.choices)
    comment = models.TextField(_("comment"), blank=True)
    started_at = models.DateTimeField(_("from"))
    ended_at = models.DateTimeField(_("until"), null=True, blank=True)
    working_hours = models.DecimalField(_("working hours"), max_digits=8, decimal_places=2, null=True, blank=True)

    class Meta:
        ordering = ["started_at"]
        verbose_name = _("hold")
        verbose_name_plural = _("holds")
        constraints = [
            models.CheckConstraint(
                condition=Q(ended_at__isnull=True) | Q(ended_at__gte=F("started_at")),
                name="tasks_holdperiod_ends_after_start",
                violation_error_message=_("A hold cannot end before it starts."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.task_id} {self.started_at:%Y-%m-%d %H:%M}"


class Reminder(models.Model):
    """A reminder or escalation already sent, so none goes out twice for the same request,
    kind and due moment (the window it belongs to)."""

    task = models.ForeignKey(Task, on_delete=models.CASCADE, related_name="reminders")
    kind = models.CharField(_("kind"), max_length=30)
    due_at = models.DateTimeField(_("for the due moment"))
    created_at = models.DateTimeField(_("sent"), default=timezone.now)

    class Meta:
        verbose_name = _("reminder sent")
        verbose_name_plural = _("reminders sent")
        constraints = [
            models.UniqueConstraint(
                fields=["task", "kind", "due_at"],
                name="tasks_reminder_once_per_window",
                violation_error_message=_("This reminder was already sent."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.task_id} {self.kind} {self.due_at:%Y-%m-%d %H:%M}"
