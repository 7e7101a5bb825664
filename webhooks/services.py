"""The use cases of the webhook pages: register, edit, rotate the secret, pause, resume, delete
an endpoint, and send a delivery again. Each writes the action log."""

from datetime import timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.actions import log_action
from core.workflow import StepError
from departments.models import User
from webhooks import addresses
from webhooks.events import subscriptions_changed
from webhooks.models import Delivery, Endpoint, WebhookAction, new_secret

# How long deliveries still carry a signature by the secret a rotation replaced.
ROTATION_OVERLAP = timedelta(hours=24)


class WebhookError(StepError):
    """A webhook change refused; the message says why."""


def check_url(url: str, *, allow_private: bool) -> None:
    try:
        addresses.resolve(url, allow_private=allow_private)
    except addresses.UnsafeAddress as exc:
        raise WebhookError(str(exc)) from exc


def endpoint_save(*, endpoint: Endpoint, by: User) -> Endpoint:
    """Register a new endpoint or save the edits of one (the form has checked who may)."""
    if endpoint.department_id is None and not by.is_superuser:
        raise WebhookError(_("Only an administrator can register an endpoint for the whole organisation."))
    check_url(endpoint.url, allow_private=endpoint.allow_private)
    creating = endpoint.pk is None
    with transaction.atomic():
        if creating:
            endpoint.created_by = by
        endpoint.save()
        log_action(endpoint, actor=by, action=WebhookAction.CREATED if creating else WebhookAction.EDITED)
        subscriptions_changed()
    return endpoint


def endpoint_rotate_secret(*, endpoint: Endpoint, by: User) -> Endpoint:
    with transaction.atomic():
        locked = Endpoint.objects.select_for_update().get(pk=endpoint.pk)
        locked.previous_secret = locked.secret
        locked.previous_secret_until = timezone.now() + ROTATION_OVERLAP
        locked.secret = new_secret()
        locked.save(update_fields=["secret", "previous_secret", "previous_secret_until"])
        log_action(locked, actor=by, action=WebhookAction.ROTATED)
    return locked


def endpoint_pause(*, endpoint: Endpoint, by: User) -> None:
    with transaction.atomic():
        changed = Endpoint.objects.filter(pk=endpoint.pk, status=Endpoint.Status.ACTIVE).update(
            status=Endpoint.Status.PAUSED, paused_reason=_("Paused by %(name)s.") % {"name": by}
        )
        if not changed:
            raise WebhookError(_("The endpoint is already paused."))
        log_action(endpoint, actor=by, action=WebhookAction.PAUSED)
        subscriptions_changed()


def endpoint_resume(*, endpoint: Endpoint, by: User) -> int:
    """Resume an endpoint: the deliveries it still owes go out now. Returns how many."""
    from webhooks.delivery import hand_to_workers

    with transaction.atomic():
        changed = Endpoint.objects.filter(pk=endpoint.pk, status=Endpoint.Status.PAUSED).update(
            status=Endpoint.Status.ACTIVE, paused_reason="", failures=0
        )
        if not changed:
            raise WebhookError(_("The endpoint is not paused."))
        owed = endpoint.deliveries.filter(status=Delivery.Status.PENDING)
        ids = list(owed.values_list("pk", flat=True))
        owed.update(next_attempt_at=timezone.now())
        log_action(endpoint, actor=by, action=WebhookAction.RESUMED)
        subscriptions_changed()
        transaction.on_commit(lambda: hand_to_workers(ids))
    return len(ids)


def endpoint_delete(*, endpoint: Endpoint, by: User) -> None:
    with transaction.atomic():
        log_action(endpoint, actor=by, action=WebhookAction.DELETED, comment=f"{endpoint.name} {endpoint.url}")
        endpoint.delete()
        subscriptions_changed()


def delivery_resend(*, delivery: Delivery, by: User) -> None:
    """Send a delivered or failed message again (the same webhook-id, signed afresh)."""
    from webhooks.delivery import hand_to_workers

    if delivery.endpoint.status != Endpoint.Status.ACTIVE:
        raise WebhookError(_("Resume the endpoint before sending anything again."))
    with transaction.atomic():
        changed = Delivery.objects.filter(
            pk=delivery.pk, status__in=[Delivery.Status.SENT, Delivery.Status.FAILED]
        ).update(status=Delivery.Status.PENDING, attempts=0, next_attempt_at=timezone.now())
        if not changed:
            raise WebhookError(_("This delivery is still on its way; wait for it to finish."))
        log_action(delivery.endpoint, actor=by, action=WebhookAction.RESENT, comment=delivery.message_id)
        transaction.on_commit(lambda: hand_to_workers([delivery.pk]))
