"""The log of the retention command's runs that changed something (`manage.py retention --apply`)."""

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class RetentionRun(models.Model):
    """One `retention --apply`: what was due, what was archived where, and what was removed."""

    class Status(models.TextChoices):
        RUNNING = "running", _("Running")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")

    started_at = models.DateTimeField(_("started"), default=timezone.now)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.RUNNING)
    operator = models.CharField(_("run by"), max_length=150, blank=True, help_text=_("The system account."))
    kinds = models.CharField(_("kinds"), max_length=50)
    # {"request": {"2019": 120, ...}, "document": {...}}: what was due, by the year it closed or was archived.
    due = models.JSONField(_("due, by kind and year"), default=dict)
    archived = models.JSONField(_("archived, by kind"), default=dict)
    removed = models.JSONField(_("removed, by kind"), default=dict)
    skipped = models.JSONField(
        _("skipped, by kind"),
        default=dict,
        help_text=_("Archived but kept: placed under a legal hold or reopened while the run went on."),
    )
    archive_path = models.CharField(_("archive"), max_length=500, blank=True)
    files_path = models.CharField(_("attached files"), max_length=500, blank=True)
    error = models.TextField(_("error"), blank=True)

    class Meta:
        ordering = ["-started_at"]
        verbose_name = _("retention run")
        verbose_name_plural = _("retention runs")
        # Who may place and lift legal holds on the portal's pages (retention/rules.py): given in
        # the admin to the records office or legal, as a person's or a group's permission.
        permissions = [("manage_legal_hold", _("Can place and lift legal holds on requests and documents"))]

    def __str__(self) -> str:
        return f"{self.started_at:%Y-%m-%d %H:%M} {self.status}"
