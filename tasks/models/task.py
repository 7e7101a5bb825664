"""The request itself, its state machine and its numbering counter."""

from django.conf import settings
from django.contrib.contenttypes.fields import GenericRelation
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_fsm import ConcurrentTransitionMixin, FSMField, transition

from core.limits import LONG_TEXT
from core.models import ActionLog
from departments.models import Department
from tasks.models.request_types import Priority, RequestType


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
    # The published version of its type it was filed on: its page shows that version's fields and a
    # resubmission follows that version's route. Null only for a type never published.
    type_version = models.ForeignKey(
        "tasks.RequestTypeVersion",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("version of its type"),
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
    # Whose calendar the current approval step's due time and reminders count in (the approvers'
    # department; empty: the organisation's). Read only beside tasks_task_approval_due, so no index
    # of its own; a department is deactivated, not deleted, so SET_NULL's scan is rare.
    approval_department = models.ForeignKey(
        Department,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        db_index=False,
        related_name="+",
        verbose_name=_("calendar of the approval step"),
    )
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
    legal_hold = models.BooleanField(
        _("legal hold"),
        default=False,
        help_text=_("Kept whatever its retention: the retention command never archives or removes it."),
    )
    legal_hold_reason = models.CharField(_("legal hold reason"), max_length=200, blank=True)
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
            # The organisation report (reports.selectors.organisation): every request of the period
            # by department pair. Holding every column the report and the visibility rule read lets
            # PostgreSQL answer from the index alone, already in pair order, with no sort.
            models.Index(
                fields=["requesting_department", "target_department"],
                include=[
                    "id",
                    "created_at",
                    "state",
                    "requester",
                    "assignee",
                    "confidential",
                    "submitted_at",
                    "accept_due_at",
                    "accepted_at",
                    "due_at",
                    "done_at",
                ],
                name="tasks_task_report_pairs",
            ),
            # A lead department's requests other than drafts, with what the visibility rule tests on
            # them, so that selectors.visible_task_ids reads that part of a person's requests from
            # the index alone (tasks_task_report_pairs does the same for the requesting department):
            # a head's search for a word outside the recent window ranks every request they may see.
            models.Index(
                fields=["target_department", "id"],
                include=["confidential"],
                condition=~Q(state="draft"),
                name="tasks_task_target_seen",
            ),
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
            # reminders.sweep: the rows changed since the last sweep (reopened, a due moment moved,
            # an approval or acceptance restarted), in the states a reminder is about.
            models.Index(
                fields=["updated_at"],
                condition=Q(state__in=["pending_approval", "pending_acceptance", "in_progress"]),
                name="tasks_task_sweep_changed",
            ),
            # reminders.sweep: work with no progress, by its last activity (the "stale" reminder).
            models.Index(
                Coalesce("last_progress_at", "accepted_at"), condition=Q(state="in_progress"), name="tasks_task_stale"
            ),
            # reminders.sweep: results waiting for verification (auto-close after 7 days).
            models.Index(
                fields=["done_at"], condition=Q(state="pending_verification"), name="tasks_task_verification_due"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.title}"

    def get_absolute_url(self) -> str:
        return reverse("tasks:detail", args=[self.number])

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

    @transition(field=state, source=[State.PENDING_APPROVAL, State.PENDING_ACCEPTANCE], target=State.DRAFT)
    def withdraw(self):
        """撤回: the requester takes it back before anyone decided on it; a draft again, sent once."""
        self.approval_step = None
        self.approval_due_at = None
        self.accept_due_at = None

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
