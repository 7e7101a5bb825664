"""Sending the outbox: each delivery is claimed by one worker with a conditional UPDATE (of two
workers handed the same id, exactly one claims it), signed per Standard Webhooks, POSTed to the
address checked just before, and on failure given back with exponential backoff until the cap on
attempts. An endpoint that keeps failing is paused and its owner told. The beat's sweep hands out
whatever is due, so a broker outage or a down receiver only delays a delivery."""

import http.client
import logging
from datetime import UTC, datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from standardwebhooks.webhooks import Webhook

from core import broker
from notifications.services import notify
from webhooks import addresses
from webhooks.models import Delivery, Endpoint

logger = logging.getLogger(__name__)

# A claim older than this belongs to a worker that died mid-send: the delivery is due again (the
# receiver may see its webhook-id twice, which Standard Webhooks receivers are told to expect).
STALE_CLAIM = timedelta(minutes=5)


def hand_to_workers(ids: list[int]) -> None:
    """Publish delivery jobs; with the broker down, give up at once: the sweep sends them later."""
    from webhooks.tasks import deliver, deliver_many

    broker.publish_batches(deliver, deliver_many, ids, "webhook delivery", "webhook deliveries")


def backoff(attempts: int) -> timedelta:
    """How long to wait after the `attempts`-th failed attempt: doubling, capped."""
    seconds = settings.WEBHOOK_RETRY_SECONDS * 2 ** max(attempts - 1, 0)
    return timedelta(seconds=min(seconds, settings.WEBHOOK_RETRY_MAX_SECONDS))


def headers_for(delivery: Delivery, endpoint: Endpoint, now: datetime) -> dict:
    """The Standard Webhooks headers: the message's id, the attempt's time and its signature by
    the endpoint's secret (and by the previous one while a rotation is recent)."""
    stamp = now.astimezone(UTC)
    signatures = " ".join(
        Webhook(secret).sign(delivery.message_id, stamp, delivery.body) for secret in endpoint.secrets_for_signing(now)
    )
    return {
        "webhook-id": delivery.message_id,
        "webhook-timestamp": str(int(stamp.timestamp())),
        "webhook-signature": signatures,
        "content-type": "application/json; charset=utf-8",
        "user-agent": "CollabPortal-Webhooks/1.0",
    }


def deliver_one(delivery_id: int) -> str:
    """Claim and send one delivery. Returns what happened (for logs and tests)."""
    now = timezone.now()
    # Every condition on the delivery's own row stays in the UPDATE's WHERE: PostgreSQL rechecks
    # those on the row a concurrent claim just changed. A join (endpoint__status) would make Django
    # write "id IN (subquery)", whose answer is not rechecked, and two workers could both claim.
    claimed = Delivery.objects.filter(
        pk=delivery_id,
        status=Delivery.Status.PENDING,
        next_attempt_at__lte=now,
        endpoint_id__in=Endpoint.objects.filter(status=Endpoint.Status.ACTIVE).values("pk"),
    ).update(status=Delivery.Status.SENDING, claimed_at=now, attempts=F("attempts") + 1)
    if claimed != 1:
        return "not claimed"
    delivery = Delivery.objects.select_related("endpoint").get(pk=delivery_id)
    endpoint = delivery.endpoint
    code, excerpt, error = None, "", ""
    try:
        target = addresses.resolve(endpoint.url, allow_private=endpoint.allow_private)
        code, excerpt = addresses.post(
            target,
            delivery.body.encode(),
            headers_for(delivery, endpoint, timezone.now()),
            timeout=settings.WEBHOOK_TIMEOUT_SECONDS,
        )
    except addresses.UnsafeAddress as exc:
        error = str(exc)
    except (OSError, http.client.HTTPException) as exc:
        error = f"{exc.__class__.__name__}: {exc}"
    if code is not None and 200 <= code < 300:
        Delivery.objects.filter(pk=delivery.pk).update(
            status=Delivery.Status.SENT,
            sent_at=timezone.now(),
            response_code=code,
            response_excerpt=excerpt[:300],
            last_error="",
        )
        Endpoint.objects.filter(pk=endpoint.pk, failures__gt=0).update(failures=0)
        return "sent"
    if code is not None:
        error = _("The receiver answered %(code)s.") % {"code": code}
    failed = delivery.attempts >= settings.WEBHOOK_MAX_ATTEMPTS
    with transaction.atomic():
        Delivery.objects.filter(pk=delivery.pk).update(
            status=Delivery.Status.FAILED if failed else Delivery.Status.PENDING,
            response_code=code,
            response_excerpt=excerpt[:300],
            last_error=error[:300],
            next_attempt_at=timezone.now() + backoff(delivery.attempts),
        )
        Endpoint.objects.filter(pk=endpoint.pk).update(failures=F("failures") + 1)
        _pause_if_failing(endpoint.pk)
    logger.warning("webhook delivery %s failed (attempt %s): %s", delivery.pk, delivery.attempts, error)
    return "failed" if failed else "retry"


def _pause_if_failing(endpoint_id: int) -> None:
    limit = settings.WEBHOOK_PAUSE_AFTER_FAILURES
    reason = _("Paused automatically after %(count)s failed attempts in a row.") % {"count": limit}
    paused = Endpoint.objects.filter(pk=endpoint_id, status=Endpoint.Status.ACTIVE, failures__gte=limit).update(
        status=Endpoint.Status.PAUSED, paused_reason=reason
    )
    if paused != 1:
        return
    from webhooks.events import subscriptions_changed
    from webhooks.selectors import owners_of

    subscriptions_changed()
    endpoint = Endpoint.objects.select_related("created_by", "department").get(pk=endpoint_id)
    notify(
        owners_of(endpoint),
        kind="webhook.paused",
        message=lambda: (
            _("The webhook endpoint “%(name)s” was paused after %(count)s failed attempts in a row.")
            % {"name": endpoint.name, "count": limit}
        ),
        path=reverse("webhooks:detail", args=[endpoint.pk]),
    )


def sweep(now: datetime | None = None) -> int:
    """Hand out deliveries that are due (first attempts the broker never carried, and retries),
    and make due again those a lost worker claimed and never finished."""
    broker.Breaker.reset()  # the sweep itself came through the broker, so it is back
    now = now or timezone.now()
    Delivery.objects.filter(status=Delivery.Status.SENDING, claimed_at__lt=now - STALE_CLAIM).update(
        status=Delivery.Status.PENDING, next_attempt_at=now
    )
    ids = list(
        Delivery.objects.filter(
            status=Delivery.Status.PENDING, next_attempt_at__lte=now, endpoint__status=Endpoint.Status.ACTIVE
        )
        .order_by("next_attempt_at")
        .values_list("pk", flat=True)[:1000]
    )
    hand_to_workers(ids)
    return len(ids)
