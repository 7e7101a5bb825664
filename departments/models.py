"""The organisation: people, departments (a tree), memberships, skills,
delegations and the working calendar."""

from datetime import time

from django.contrib.auth.models import AbstractUser, UserManager
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from core.limits import MEDIUM_TEXT


def pick_language(chinese: str, english: str) -> str:
    """The name to show in the active language, falling back to the other one."""
    if (get_language() or "").startswith("en"):
        return english or chinese
    return chinese or english


class Skill(models.Model):
    """Something a person is good at; dispatch suggests assignees by skill."""

    name = models.CharField(_("name (Chinese)"), max_length=60, unique=True)
    name_en = models.CharField(_("name (English)"), max_length=60, blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("skill")
        verbose_name_plural = _("skills")

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        return pick_language(self.name, self.name_en)


class PeopleManager(UserManager):
    """User.objects: Django's manager for people, as it is."""


class User(AbstractUser):
    """A person of the organisation. Their departments come from memberships."""

    objects = PeopleManager()

    display_name = models.CharField(_("display name"), max_length=60, blank=True)
    employee_no = models.CharField(_("employee number"), max_length=30, blank=True)
    job_title = models.CharField(_("job title"), max_length=60, blank=True)
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    language = models.CharField(
        _("language"),
        max_length=10,
        blank=True,
        choices=[("zh-hans", "简体中文"), ("en", "English")],
        help_text=_("Empty: follow the browser."),
    )
    can_sign_off = models.BooleanField(
        _("may sign off documents"),
        default=False,
        help_text=_("Leaders with sign-off right (签发权): sign off official documents and arbitrate conflicts."),
    )
    skills = models.ManyToManyField(Skill, blank=True, related_name="people", verbose_name=_("skills"))

    class Meta:
        ordering = ["username"]
        verbose_name = _("person")
        verbose_name_plural = _("people")

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        return self.display_name or self.get_full_name() or self.username

    @property
    def primary_membership(self) -> "Membership | None":
        if "memberships" in getattr(self, "_prefetched_objects_cache", {}):
            memberships = list(self.memberships.all())  # the prefetch
        else:  # with their departments, in one query
            from departments.selectors import memberships_of

            memberships = memberships_of(self, heads=True)
        for membership in memberships:
            if membership.is_primary:
                return membership
        return memberships[0] if memberships else None

    @property
    def primary_department(self) -> "Department | None":
        membership = self.primary_membership
        return membership.department if membership else None


class Department(models.Model):
    """A department of the organisation, placed in a tree by its parent."""

    code = models.SlugField(_("code"), max_length=30, unique=True, help_text=_("Short stable code, e.g. sales."))
    name = models.CharField(_("name (Chinese)"), max_length=60)
    name_en = models.CharField(_("name (English)"), max_length=80, blank=True)
    parent = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
        verbose_name=_("parent department"),
    )
    head = models.ForeignKey(
        User,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="headed_departments",
        verbose_name=_("head"),
    )
    deputies = models.ManyToManyField(
        User, blank=True, related_name="deputy_of_departments", verbose_name=_("deputy heads")
    )
    document_reviewers = models.ManyToManyField(
        User,
        blank=True,
        related_name="reviews_documents_of",
        verbose_name=_("document reviewers (核稿人)"),
        help_text=_("Besides the head and deputies, who may review (核稿) the department's draft documents."),
    )
    handles = models.TextField(
        _("what it handles (Chinese)"),
        blank=True,
        max_length=MEDIUM_TEXT,
        help_text=_("What other departments may ask it for; shown in the directory."),
    )
    handles_en = models.TextField(_("what it handles (English)"), blank=True, max_length=MEDIUM_TEXT)
    administrators = models.ManyToManyField(
        User,
        blank=True,
        related_name="administered_departments",
        verbose_name=_("department administrators"),
        help_text=_(
            "Who manage this department's service catalogue, dispatch rules, members' skills, robots and "
            "calendar exceptions. The head and deputies also do when DEPARTMENT_HEADS_ADMINISTER is on."
        ),
    )
    accepts_requests = models.BooleanField(_("accepts requests"), default=True)
    sort_order = models.PositiveIntegerField(_("sort order"), default=0)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["sort_order", "code"]
        verbose_name = _("department")
        verbose_name_plural = _("departments")
        constraints = [
            models.CheckConstraint(
                condition=~Q(parent=F("pk")),
                name="departments_department_not_own_parent",
                violation_error_message=_("A department cannot be its own parent."),
            ),
        ]

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        return pick_language(self.name, self.name_en)

    @property
    def display_handles(self) -> str:
        return pick_language(self.handles, self.handles_en)

    def ancestors(self) -> list["Department"]:
        """Parents up to the root, nearest first. Stops at a cycle rather than looping."""
        chain: list[Department] = []
        seen = {self.pk}
        node = self.parent
        while node is not None and node.pk not in seen:
            chain.append(node)
            seen.add(node.pk)
            node = node.parent
        return chain

    def clean(self) -> None:
        super().clean()
        if self.pk is None or self.parent_id is None:
            return
        if self.parent_id == self.pk:
            raise ValidationError({"parent": _("A department cannot be its own parent.")})
        chain = self.ancestors()
        if chain and chain[-1].parent_id == self.pk:  # the parents' line leads back to this department
            message = _("%(parent)s is below %(department)s; a department cannot be its own ancestor.")
            raise ValidationError({"parent": message % {"parent": self.parent, "department": self}})


class Membership(models.Model):
    """A person's place in a department. A person may belong to several; one is primary."""

    class Role(models.TextChoices):
        MEMBER = "member", _("Member")
        MANAGER = "manager", _("Manager")

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="memberships", verbose_name=_("person"))
    department = models.ForeignKey(
        Department, on_delete=models.CASCADE, related_name="memberships", verbose_name=_("department")
    )
    role = models.CharField(_("role"), max_length=20, choices=Role.choices, default=Role.MEMBER)
    is_primary = models.BooleanField(_("primary department"), default=False)
    title = models.CharField(_("position"), max_length=60, blank=True)

    class Meta:
        ordering = ["department__sort_order", "-role", "user__username"]
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "department"],
                name="departments_membership_unique_user_department",
                violation_error_message=_("This person is already a member of this department."),
            ),
            models.UniqueConstraint(
                fields=["user"],
                condition=Q(is_primary=True),
                name="departments_membership_one_primary",
                violation_error_message=_("A person has only one primary department."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.department} · {self.get_role_display()}"


class DelegationQuerySet(models.QuerySet):
    def in_force(self, day) -> "DelegationQuerySet":
        """The delegations in force on `day`: not ended early, and `day` within their dates. The one
        definition every "acts for" question reads (departments.selectors.person_roles)."""
        return self.filter(is_active=True, starts_on__lte=day, ends_on__gte=day)


class Delegation(models.Model):
    """A person hands their approvals and other human steps to a delegate for a date range.

    Dates are inclusive and read in the organisation's time zone.
    """

    delegator = models.ForeignKey(
        User, on_delete=models.CASCADE, related_name="delegations_given", verbose_name=_("delegator")
    )
    delegate = models.ForeignKey(
        User, on_delete=models.CASCADE, related_name="delegations_received", verbose_name=_("delegate")
    )
    starts_on = models.DateField(_("from"))
    ends_on = models.DateField(_("until (inclusive)"))
    reason = models.CharField(_("reason"), max_length=200, blank=True)
    is_active = models.BooleanField(_("active"), default=True, help_text=_("Untick to end it early."))
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    objects = DelegationQuerySet.as_manager()

    class Meta:
        ordering = ["-starts_on"]
        verbose_name = _("delegation")
        verbose_name_plural = _("delegations")
        constraints = [
            models.CheckConstraint(
                condition=~Q(delegate=F("delegator")),
                name="departments_delegation_not_to_self",
                violation_error_message=_("A delegation cannot be to oneself."),
            ),
            models.CheckConstraint(
                condition=Q(ends_on__gte=F("starts_on")),
                name="departments_delegation_ends_after_start",
                violation_error_message=_("A delegation cannot end before it starts."),
            ),
        ]
        indexes = [
            # delegate_for(): the delegation in force for a person on a day.
            models.Index(
                fields=["delegator", "starts_on", "ends_on"],
                condition=Q(is_active=True),
                name="departments_delegation_active",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.delegator} → {self.delegate} ({self.starts_on} – {self.ends_on})"


class WorkCalendar(models.Model):
    """The organisation's working hours. One row (pk=1); SLAs count in these hours."""

    name = models.CharField(_("name"), max_length=60, default="默认工作日历")
    morning_start = models.TimeField(_("morning starts"), default=time(9, 0))
    morning_end = models.TimeField(_("morning ends"), default=time(12, 0))
    afternoon_start = models.TimeField(_("afternoon starts"), default=time(13, 0))
    afternoon_end = models.TimeField(_("afternoon ends"), default=time(18, 0))
    workdays = models.CharField(
        _("working weekdays"),
        max_length=7,
        default="12345",
        help_text=_("ISO weekday digits, Monday=1 … Sunday=7; e.g. 12345 for Monday to Friday."),
    )

    class Meta:
        verbose_name = _("working calendar")
        verbose_name_plural = _("working calendar")
        constraints = [
            models.CheckConstraint(
                condition=Q(morning_start__lt=F("morning_end"))
                & Q(morning_end__lte=F("afternoon_start"))
                & Q(afternoon_start__lt=F("afternoon_end")),
                name="departments_workcalendar_periods_ordered",
                violation_error_message=_(
                    "Working periods must be in order: morning start < end ≤ afternoon start < end."
                ),
            ),
            models.CheckConstraint(
                condition=Q(workdays__regex=r"^[1-7]{1,7}$"),
                name="departments_workcalendar_workdays_digits",
                violation_error_message=_("Working weekdays must be digits 1 to 7."),
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        super().clean()
        if len(set(self.workdays)) != len(self.workdays) or not set(self.workdays) <= set("1234567"):
            raise ValidationError({"workdays": _("Working weekdays must be distinct digits 1 to 7.")})


class CalendarDay(models.Model):
    """An exception to the weekly rhythm: a public holiday, or a make-up workday (调休).

    With no department it is the organisation's; with one, it is that department's own exception
    (the warehouse works on a Saturday, a department closes for a stocktaking day), which wins over
    the organisation's day for every deadline that department owes (departments.selectors.working_calendar)."""

    class Kind(models.TextChoices):
        HOLIDAY = "holiday", _("Public holiday")
        WORKDAY = "workday", _("Make-up workday (调休)")

    date = models.DateField(_("date"))
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    name = models.CharField(_("name"), max_length=60, blank=True, help_text=_("e.g. 春节, 国庆节调休"))
    department = models.ForeignKey(
        Department,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="calendar_days",
        verbose_name=_("department"),
        help_text=_("Empty: the whole organisation. Set: an exception for this department only."),
    )

    class Meta:
        ordering = ["date"]
        verbose_name = _("holiday or make-up workday")
        verbose_name_plural = _("holidays and make-up workdays")
        constraints = [
            # Two partial constraints: a plain unique (date, department) would let PostgreSQL keep
            # any number of organisation-wide rows for a date, NULLs being distinct.
            models.UniqueConstraint(
                fields=["date"],
                condition=Q(department__isnull=True),
                name="departments_calendarday_unique_date",
                violation_error_message=_("This date is already listed; a day cannot be both holiday and workday."),
            ),
            models.UniqueConstraint(
                fields=["date", "department"],
                condition=Q(department__isnull=False),
                name="departments_calendarday_unique_department_date",
                violation_error_message=_("This department already has an exception on this date."),
            ),
            models.CheckConstraint(
                condition=Q(kind__in=["holiday", "workday"]),
                name="departments_calendarday_kind_valid",
                violation_error_message=_("A day is either a public holiday or a make-up workday."),
            ),
        ]

    def __str__(self) -> str:
        text = f"{self.date} {self.get_kind_display()} {self.name}".strip()
        return f"{text} · {self.department}" if self.department_id else text
