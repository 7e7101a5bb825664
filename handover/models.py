"""The hand-over's own records: the orphan reports already sent, and its actions on a person."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class HandoverAction(models.TextChoices):
    """What the hand-over does to a person, as their action log says it (core.ActionLog)."""

    HANDED_OVER = "person.handed_over", _("handed over the person's work")
    DEACTIVATED = "person.deactivated", _("deactivated the account")


class OrphanReport(models.Model):
    """A day's report to a department's head that a deactivated person still holds steps, so the
    reminder sweep (run every few minutes) tells them once a day."""

    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", verbose_name=_("person")
    )
    day = models.DateField(_("day"))
    head = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+", verbose_name=_("told")
    )
    items = models.PositiveIntegerField(_("steps held"), default=0)
    created_at = models.DateTimeField(_("sent"), default=timezone.now)

    class Meta:
        verbose_name = _("orphaned steps report")
        verbose_name_plural = _("orphaned steps reports")
        constraints = [
            models.UniqueConstraint(
                fields=["person", "day"],
                name="handover_orphanreport_once_a_day",
                violation_error_message=_("This person's orphaned steps were already reported today."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person_id} {self.day}"
