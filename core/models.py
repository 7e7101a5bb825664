from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
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
