"""What happens on a request: approvals, actions, comments, attachments, holds, reminders."""

import os
import uuid

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from core.limits import MEDIUM_TEXT, SHORT_TEXT
from departments.models import Department, pick_language
from tasks.models.request_types import ApprovalStep, Reason
from tasks.models.task import Task


class Approval(models.Model):
    """One approver's part in one step of a request's approval route."""

    class Decision(models.TextChoices):
        PENDING = "pending", _("Pending")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Rejected")
        RETURNED = "returned", _("Returned for revision")
        SKIPPED = "skipped", _("Not needed")

    class Position(models.TextChoices):
        """Where an approver adds someone (加签)."""

        BEFORE = "before", _("Before me: they decide first")
        AFTER = "after", _("After me: they decide next")
        ALONGSIDE = "alongside", _("Alongside me (会签): both of us must approve")

    task = models.ForeignKey(Task, on_delete=models.CASCADE, related_name="approvals")
    round = models.PositiveIntegerField(_("round"), default=1)
    step_order = models.PositiveIntegerField(_("step"))
    step_name = models.CharField(_("step name"), max_length=60, blank=True)
    step_name_en = models.CharField(_("step name (English)"), max_length=80, blank=True)
    mode = models.CharField(_("mode"), max_length=5, choices=ApprovalStep.Mode.choices)
    hours = models.PositiveSmallIntegerField(
        _("promised working hours"), null=True, blank=True, help_text=_("Empty: the type's time to accept.")
    )
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
    # 加签 and 转签: who added this approver (or forwarded the step to them), from whom, and why.
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("added or forwarded by"),
    )
    forwarded_from = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("forwarded from"),
    )
    note = models.TextField(_("why added or forwarded"), blank=True, max_length=SHORT_TEXT)
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
    WITHDRAWN = "task.withdrawn", _("withdrew the request (撤回)")
    CANCELLED = "task.cancelled", _("cancelled")
    URGED = "task.urged", _("urged (催办)")
    ASSIGNED = "task.assigned", _("reassigned")
    HANDED_OVER = "task.handed_over", _("handed over")
    APPROVER_ADDED = "task.approver_added", _("added an approver (加签)")
    FORWARDED = "task.forwarded", _("forwarded the approval (转签)")


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
    """A file attached to a request, served only after a permission check. A word-processing
    file also gets a PDF for its preview, made by a worker (the rendering job of kind `PDF_KIND`)."""

    PDF_KIND = "task_attachment"

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


class SweepMark(models.Model):
    """How far the reminder sweep has looked for one reminder kind on one grouping of working
    calendars (tasks.reminders): every row whose due moment is at most `covered_until` was
    reminded when due, so the next sweep reads only the rows falling due after it, plus the rows
    changed since `changed_since`. `full_on` is the day of the last sweep that read every due row
    again (the safety net against a change the two ranges cannot see)."""

    kind = models.CharField(_("kind"), max_length=30)
    calendar = models.CharField(_("calendar grouping"), max_length=40)
    covered_until = models.DateTimeField(_("due moments covered until"))
    changed_since = models.DateTimeField(_("changes read since"))
    full_on = models.DateField(_("last full sweep"))

    class Meta:
        verbose_name = _("reminder sweep mark")
        verbose_name_plural = _("reminder sweep marks")
        constraints = [models.UniqueConstraint(fields=["kind", "calendar"], name="tasks_sweepmark_once")]

    def __str__(self) -> str:
        return f"{self.kind} {self.calendar} {self.covered_until:%Y-%m-%d %H:%M}"


class RequestTypeAction(models.TextChoices):
    """What a department administrator did to a request type in the catalogue (core.ActionLog rows)."""

    CREATED = "request_type.created", _("created the request type")
    DRAFT_EDITED = "request_type.draft_edited", _("edited the request type's draft")
    PUBLISHED = "request_type.published", _("published a version of the request type")
    RETIRED = "request_type.retired", _("retired the request type")
    REINSTATED = "request_type.reinstated", _("put the request type back in use")
    RESTORED = "request_type.restored", _("restored an earlier version into the draft")
    RESTORED_PUBLISHED = "request_type.restored_published", _("published an earlier version again")
    DRAFT_DISCARDED = "request_type.draft_discarded", _("discarded the request type's draft")
