from datetime import timedelta

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class ActionLog(models.Model):
    """One thing that happened to a request, document, team or conflict: who did it, acting for
    whom, when, which action, from which state to which, why, what they said, and any extras
    (`data`, e.g. the progress % or the department it concerned). Written only through
    core.actions.log_action; the action's words come from the labels its app registered."""

    content_type = models.ForeignKey(
        ContentType, on_delete=models.PROTECT, related_name="+", verbose_name=_("object type")
    )
    object_id = models.PositiveBigIntegerField(_("object id"))
    target = GenericForeignKey("content_type", "object_id")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("by"),
    )
    acting_for = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("acting for"),
    )
    action = models.CharField(_("action"), max_length=50)
    from_state = models.CharField(_("from"), max_length=30, blank=True)
    to_state = models.CharField(_("to"), max_length=30, blank=True)
    reason = models.CharField(_("reason"), max_length=30, blank=True)
    comment = models.TextField(_("comment"), blank=True)
    data = models.JSONField(_("details"), default=dict, blank=True)
    created_at = models.DateTimeField(_("at"), default=timezone.now)

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("action log entry")
        verbose_name_plural = _("action log")
        indexes = [
            # The timeline of one object, in order (every detail page, processing sheet and
            # "already handled by" message).
            models.Index(fields=["content_type", "object_id", "created_at"], name="core_actionlog_timeline"),
            # Reports counting one kind of action over a set of objects (reports.selectors rework).
            models.Index(fields=["content_type", "action", "object_id"], name="core_actionlog_action"),
        ]

    def __str__(self) -> str:
        return f"{self.content_type_id}:{self.object_id} {self.action}"

    def get_action_display(self) -> str:
        """The action in the reader's language, as its app registered it."""
        from core.actions import action_label

        return action_label(self.action)


class GeneratedFile(models.Model):
    """One .docx made by a worker from one version of something: an official document, a
    request's 事务单, a meeting's minutes, a team's plan, a conflict's decision. At most one per
    (object, kind, version); a failed one keeps the earlier ready files downloadable. The kinds
    whose builder asks for it also get a PDF made by LibreOffice (`pdf`), or the reason there is
    none (`pdf_error`); the SHA-256 of each file is kept as it was made.

    A job is *stalled* when nothing will finish it by itself: claimed longer ago than a render can
    run (the task's hard time limit stops it before then, so its worker is gone), or queued for a
    minute without a worker taking it (its message was never sent or was lost with the broker).
    Pages show a stalled job as failed with "Try again", and the periodic sweep queues it again."""

    # The render task's time limits, far above what rendering one document (and its PDF) takes.
    SOFT_TIME_LIMIT = 40
    TIME_LIMIT = 50
    STALE_AFTER = timedelta(seconds=TIME_LIMIT + 10)
    QUEUE_PATIENCE = timedelta(seconds=60)

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RENDERING = "rendering", _("Rendering")
        READY = "ready", _("Ready")
        FAILED = "failed", _("Failed")

    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE, related_name="+")
    object_id = models.PositiveBigIntegerField()
    source = GenericForeignKey("content_type", "object_id")
    kind = models.CharField(_("kind"), max_length=30)
    version = models.CharField(_("version"), max_length=64)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.QUEUED)
    file = models.FileField(_("file"), upload_to="generated/%Y/%m/", blank=True, max_length=200)
    problems = models.JSONField(_("layout problems"), default=list, blank=True)
    error = models.TextField(_("error"), blank=True)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    claimed_at = models.DateTimeField(_("last claimed by a worker"), null=True, blank=True)
    queued_at = models.DateTimeField(_("last queued"), default=timezone.now)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    seconds = models.FloatField(_("rendering time (s)"), null=True, blank=True)
    sha256 = models.CharField(_("SHA-256 of the file"), max_length=64, blank=True)
    pdf = models.FileField(_("PDF"), upload_to="generated/%Y/%m/", blank=True, max_length=200)
    pdf_sha256 = models.CharField(_("SHA-256 of the PDF"), max_length=64, blank=True)
    pdf_error = models.CharField(_("why there is no PDF"), max_length=300, blank=True)
    pdf_seconds = models.FloatField(_("PDF conversion time (s)"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("generated file")
        verbose_name_plural = _("generated files")
        constraints = [
            models.UniqueConstraint(
                fields=["content_type", "object_id", "kind", "version"], name="core_generatedfile_one_per_version"
            ),
        ]
        indexes = [
            # The latest file of one kind for one object (rendering.latest, latest_ready, request_file).
            models.Index(fields=["content_type", "object_id", "kind", "-created_at"], name="core_genfile_latest"),
            # rendering.requeue_stuck: the few queued and rendering jobs, out of every file ever made.
            models.Index(fields=["status"], condition=Q(status__in=["queued", "rendering"]), name="core_genfile_busy"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.object_id} v{self.version} {self.status}"

    @property
    def busy(self) -> bool:
        return self.status in (self.Status.QUEUED, self.Status.RENDERING)

    def stalled_at(self, now) -> bool:
        if self.status == self.Status.QUEUED:
            return self.queued_at < now - self.QUEUE_PATIENCE
        if self.status == self.Status.RENDERING:
            return self.claimed_at is None or self.claimed_at < now - self.STALE_AFTER
        return False

    @property
    def stalled(self) -> bool:
        return self.stalled_at(timezone.now())
