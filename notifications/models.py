"""In-app notices, each person's notification settings, departments' IM robots and the outbox.

A notice says what happened (`message`, in the recipient's language) and where it leads (`link`,
a path in the portal). This app knows nothing of what the path shows; the app that notifies
chooses the text and the path.
"""

from datetime import time

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.cache import cache
from django.db import models
from django.db.models import Q
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from departments.models import Department
from notifications import kinds


class Notification(models.Model):
    """An in-app notice to one person about whatever lives at `link` (a request, a document, a
    team, a conflict…)."""

    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    kind = models.CharField(_("kind"), max_length=30)
    message = models.CharField(_("message"), max_length=300)
    link = models.CharField(_("link"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("at"), default=timezone.now)
    read_at = models.DateTimeField(_("read"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        indexes = [
            # The navigation's unread count (selectors.unread_count).
            models.Index(
                fields=["recipient", "-created_at"], condition=Q(read_at__isnull=True), name="notifications_unread"
            ),
        ]

    def __str__(self) -> str:
        return self.message

    @property
    def path(self) -> str:
        """Where the notice leads."""
        return self.link


def default_email_kinds() -> list[str]:
    return kinds.email_by_default()


class NotificationPreference(models.Model):
    """How a person wants to hear about things: which kinds by e-mail, and their daily digest."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notification_preference"
    )
    email_kinds = models.JSONField(_("e-mail me about"), default=default_email_kinds, blank=True)
    digest_enabled = models.BooleanField(_("daily digest by e-mail"), default=True)
    digest_time = models.TimeField(_("digest time"), default=time(8, 30))
    last_digest_on = models.DateField(_("last digest"), null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("notification preference")
        verbose_name_plural = _("notification preferences")

    def __str__(self) -> str:
        return str(self.user)

    def wants_email(self, kind: str) -> bool:
        return kinds.group(kind) in (self.email_kinds or [])


class ImRobot(models.Model):
    """A group-chat robot (webhook) of a department: DingTalk, WeCom, Feishu or Slack-compatible."""

    class Kind(models.TextChoices):
        DINGTALK = "dingtalk", _("DingTalk (钉钉)")
        WECOM = "wecom", _("WeCom (企业微信)")
        FEISHU = "feishu", _("Feishu (飞书)")
        SLACK = "slack", _("Slack-compatible")

    name = models.CharField(_("name"), max_length=60)
    department = models.ForeignKey(
        Department, on_delete=models.CASCADE, related_name="robots", verbose_name=_("department")
    )
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    url = models.URLField(_("webhook URL"), max_length=500)
    secret = models.CharField(
        _("signing secret"),
        max_length=200,
        blank=True,
        help_text=_("DingTalk 加签 or Feishu signature secret, if the robot uses one."),
    )
    kinds = models.JSONField(
        _("events"),
        default=list,
        blank=True,
        help_text=_('Event kinds to post, e.g. ["inbox", "escalation"]; empty means inbox and escalations.'),
    )
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("IM robot")
        verbose_name_plural = _("IM robots")

    def __str__(self) -> str:
        return f"{self.name} ({self.get_kind_display()})"

    def posts(self, kind: str) -> bool:
        return kinds.group(kind) in (self.kinds or kinds.robots_by_default())


class ImApp(models.Model):
    """The organisation's own app on DingTalk (工作通知), WeCom (应用消息) or Feishu (messages from
    the app's bot), which sends notices to one person rather than to a group."""

    class Kind(models.TextChoices):
        DINGTALK = "dingtalk", _("DingTalk (钉钉) work notice")
        WECOM = "wecom", _("WeCom (企业微信) app message")
        FEISHU = "feishu", _("Feishu (飞书) app message")

    kind = models.CharField(_("platform"), max_length=10, choices=Kind.choices, unique=True)
    app_id = models.CharField(
        _("app ID"), max_length=100, help_text=_("DingTalk AppKey, WeCom CorpID or Feishu App ID.")
    )
    secret = models.CharField(
        _("app secret"), max_length=200, help_text=_("DingTalk AppSecret, WeCom Secret or Feishu App Secret.")
    )
    agent_id = models.CharField(
        _("agent ID"), max_length=30, blank=True, help_text=_("DingTalk AgentId or WeCom AgentId; not used by Feishu.")
    )
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("IM app")
        verbose_name_plural = _("IM apps")

    def __str__(self) -> str:
        return self.get_kind_display()

    def clean(self):
        from django.core.exceptions import ValidationError

        if self.kind in (self.Kind.DINGTALK, self.Kind.WECOM) and not self.agent_id.strip().isdecimal():
            raise ValidationError({"agent_id": _("DingTalk and WeCom need the app's numeric agent ID.")})


@receiver([post_save, post_delete], sender=ImApp)
def _apps_changed(**kwargs) -> None:
    cache.delete("notifications:im-apps:v1")  # delivery.active_im_apps (admin deletes send this too)


class ImAccount(models.Model):
    """A person's user ID on an IM platform, where their personal notices go."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="im_accounts", verbose_name=_("person")
    )
    kind = models.CharField(_("platform"), max_length=10, choices=ImApp.Kind.choices)
    im_user_id = models.CharField(_("IM user ID"), max_length=100)

    class Meta:
        verbose_name = _("IM account")
        verbose_name_plural = _("IM accounts")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "kind"],
                name="notifications_imaccount_unique_user_kind",
                violation_error_message=_("This person already has an ID on this platform."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.get_kind_display()}: {self.im_user_id}"


class Delivery(models.Model):
    """The outbox: one message to deliver on one channel, written in the same transaction as the
    change that caused it and sent after commit by a worker, at most once."""

    class Channel(models.TextChoices):
        EMAIL = "email", _("E-mail")
        WEBHOOK = "webhook", _("IM robot")
        IM = "im", _("IM work notice")

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        SENDING = "sending", _("Sending")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed")

    key = models.CharField(_("idempotency key"), max_length=200, unique=True)
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    kind = models.CharField(_("kind"), max_length=30)
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("recipient"),
    )
    robot = models.ForeignKey(ImRobot, on_delete=models.CASCADE, null=True, blank=True, related_name="deliveries")
    im_app = models.ForeignKey(ImApp, on_delete=models.CASCADE, null=True, blank=True, related_name="deliveries")
    address = models.CharField(_("address"), max_length=500, blank=True)
    subject = models.CharField(_("subject"), max_length=300, blank=True)
    body = models.TextField(_("text"), blank=True)
    html = models.TextField(_("HTML"), blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    last_error = models.TextField(_("last error"), blank=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    next_attempt_at = models.DateTimeField(_("next attempt"), default=timezone.now)
    claimed_at = models.DateTimeField(_("claimed"), null=True, blank=True)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("delivery")
        verbose_name_plural = _("deliveries")
        indexes = [
            # delivery.sweep_outbox: what is still to send.
            models.Index(
                fields=["next_attempt_at"], condition=Q(status="pending"), name="notifications_outbox_pending"
            ),
            # delivery.sweep_outbox: claims a worker never finished.
            models.Index(fields=["claimed_at"], condition=Q(status="sending"), name="notifications_outbox_sending"),
        ]

    def __str__(self) -> str:
        return f"{self.channel} {self.kind} → {self.address}"


class DecisionLink(models.Model):
    """A link in an e-mail or IM message that lets one person take one decision (approve, reject,
    countersign…) on one object, once, before it expires.

    Only the SHA-256 of the token is kept: the token itself lives in the message alone. The target
    is generic (a content type and an id) and `action` a name the target's app registered with
    `notifications.decisions.register`; this app knows neither."""

    token_hash = models.CharField(_("token hash"), max_length=64, unique=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", verbose_name=_("for")
    )
    target_type = models.ForeignKey(ContentType, on_delete=models.CASCADE, related_name="+")
    target_id = models.PositiveBigIntegerField(_("target"))
    action = models.CharField(_("action"), max_length=30)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    expires_at = models.DateTimeField(_("expires"))
    used_at = models.DateTimeField(_("used"), null=True, blank=True)

    class Meta:
        verbose_name = _("decision link")
        verbose_name_plural = _("decision links")
        constraints = [
            models.CheckConstraint(
                condition=Q(expires_at__gt=models.F("created_at")),
                name="notifications_decisionlink_expires_after_created",
                violation_error_message=_("A decision link must expire after it is created."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.action} {self.target_type_id}:{self.target_id} → {self.user_id}"
