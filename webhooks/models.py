"""Outgoing webhooks: the endpoints admins and department heads register, and the outbox of
deliveries to them (Standard Webhooks: one signed POST per event)."""

import base64
import secrets

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from departments.models import Department


class Event(models.TextChoices):
    """The event types an endpoint can subscribe to (the payload's "type")."""

    REQUEST_FILED = "request.filed", _("Request filed")
    REQUEST_APPROVED = "request.approved", _("Request approved")
    REQUEST_REJECTED = "request.rejected", _("Request rejected")
    REQUEST_STATE_CHANGED = "request.state_changed", _("Request changed state")
    REQUEST_ASSIGNED = "request.assigned", _("Request assigned")
    REQUEST_OVERDUE = "request.overdue", _("Request overdue")
    DOCUMENT_ISSUED = "document.issued", _("Document issued")
    CONFLICT_ESCALATED = "conflict.escalated", _("Conflict escalated")
    CONFLICT_DECIDED = "conflict.decided", _("Conflict decided")
    TEAM_GOAL_REACHED = "team.goal_reached", _("Team goal reached")


class WebhookAction(models.TextChoices):
    """What happened to an endpoint, for its action log (core.ActionLog)."""

    CREATED = "webhook.created", _("registered the webhook endpoint")
    EDITED = "webhook.edited", _("edited the webhook endpoint")
    ROTATED = "webhook.rotated", _("rotated the webhook secret")
    PAUSED = "webhook.paused", _("paused the webhook endpoint")
    RESUMED = "webhook.resumed", _("resumed the webhook endpoint")
    DELETED = "webhook.deleted", _("deleted the webhook endpoint")
    RESENT = "webhook.resent", _("sent a webhook delivery again")


def new_secret() -> str:
    """A Standard Webhooks secret: "whsec_" and 32 random bytes in base64."""
    return "whsec_" + base64.b64encode(secrets.token_bytes(32)).decode()


class Endpoint(models.Model):
    """A URL that receives the chosen events, signed with its secret. With a department, only events
    about that department's requests, documents, conflicts and teams; without, the organisation's."""

    class Status(models.TextChoices):
        ACTIVE = "active", _("Active")
        PAUSED = "paused", _("Paused")

    name = models.CharField(_("name"), max_length=80)
    url = models.URLField(_("URL"), max_length=500, help_text=_("http or https; the events are POSTed here."))
    department = models.ForeignKey(
        Department,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("department"),
        help_text=_("Only events about this department. Empty: the whole organisation (admins only)."),
    )
    events = models.JSONField(_("events"), default=list)
    secret = models.CharField(_("signing secret"), max_length=100, default=new_secret)
    # While a rotation is recent, deliveries carry a signature by the old secret too, so a receiver
    # can switch at its own pace (Standard Webhooks allows several signatures in the header).
    previous_secret = models.CharField(_("previous secret"), max_length=100, blank=True)
    previous_secret_until = models.DateTimeField(_("previous secret valid until"), null=True, blank=True)
    allow_private = models.BooleanField(
        _("allow private addresses"),
        default=False,
        help_text=_("Let this endpoint reach loopback and private networks (superusers only)."),
    )
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.ACTIVE)
    paused_reason = models.CharField(_("why paused"), max_length=300, blank=True)
    failures = models.PositiveIntegerField(_("consecutive failed attempts"), default=0)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("created by")
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    class Meta:
        ordering = ["name", "pk"]
        verbose_name = _("webhook endpoint")
        verbose_name_plural = _("webhook endpoints")

    def __str__(self) -> str:
        return self.name

    def secrets_for_signing(self, now=None) -> list[str]:
        now = now or timezone.now()
        if self.previous_secret and self.previous_secret_until and self.previous_secret_until > now:
            return [self.secret, self.previous_secret]
        return [self.secret]


class Delivery(models.Model):
    """The outbox: one event for one endpoint, written in the same transaction as the change and
    sent after commit by a worker. `message_id` is the webhook-id, the same on every attempt, so
    a receiver can ignore a message it has already processed."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        SENDING = "sending", _("Sending")
        SENT = "sent", _("Delivered")
        FAILED = "failed", _("Failed")

    endpoint = models.ForeignKey(
        Endpoint, on_delete=models.CASCADE, related_name="deliveries", verbose_name=_("endpoint")
    )
    key = models.CharField(_("event key"), max_length=120)
    message_id = models.CharField(_("message id"), max_length=40, unique=True)
    event = models.CharField(_("event"), max_length=40, choices=Event.choices)
    body = models.TextField(_("body"))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    response_code = models.PositiveSmallIntegerField(_("last response code"), null=True, blank=True)
    response_excerpt = models.CharField(_("last response (start)"), max_length=300, blank=True)
    last_error = models.CharField(_("last error"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    next_attempt_at = models.DateTimeField(_("next attempt"), default=timezone.now)
    claimed_at = models.DateTimeField(_("claimed"), null=True, blank=True)
    sent_at = models.DateTimeField(_("delivered"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("webhook delivery")
        verbose_name_plural = _("webhook deliveries")
        constraints = [
            # One message per event and endpoint, however often the event's signal fires.
            models.UniqueConstraint(fields=["endpoint", "key"], name="webhooks_delivery_unique_key"),
        ]
        indexes = [
            # delivery.sweep: what is due to send.
            models.Index(fields=["next_attempt_at"], condition=Q(status="pending"), name="webhooks_delivery_due"),
            # delivery.sweep: claims a lost worker never finished.
            models.Index(fields=["claimed_at"], condition=Q(status="sending"), name="webhooks_delivery_sending"),
            # The endpoint page: its latest deliveries.
            models.Index(fields=["endpoint", "-created_at"], name="webhooks_delivery_recent"),
        ]

    def __str__(self) -> str:
        return f"{self.event} → {self.endpoint_id}"
