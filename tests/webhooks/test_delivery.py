"""Events reach a real receiver signed by Standard Webhooks, through the outbox: written with the
change, sent after commit, retried with backoff, delivered once each."""

import threading
from datetime import timedelta

import pytest
import time_machine
from django.db import connection
from django.utils import timezone

from core import broker
from notifications.models import Notification
from tasks import services as task_services
from webhooks import delivery as outbox
from webhooks import services
from webhooks.models import Delivery, Endpoint, Event

pytestmark = pytest.mark.django_db


def test_filing_and_approving_reach_the_receiver_signed(
    org, purchase, file_request, receiver, register, django_capture_on_commit_callbacks
):
    register(receiver)
    with django_capture_on_commit_callbacks(execute=True):
        task = file_request(purchase)
    with django_capture_on_commit_callbacks(execute=True):
        task_services.task_approve(task=task, by=org.sales_head, opinion="同意")
    assert receiver.refused == []
    assert receiver.types() == [
        "request.filed",
        "request.state_changed",
        "request.approved",
        "request.state_changed",
    ]
    approved = receiver.received[2]
    payload = approved["payload"]
    assert payload["timestamp"]
    data = payload["data"]
    assert data["id"] == task.pk and data["number"] == task.number and data["title"] == "买十台电脑"
    assert data["state"] == "pending_acceptance" and data["from_state"] == "pending_approval"
    assert data["department"]["code"] == "purchasing" and data["requesting_department"]["code"] == "sales"
    assert data["actor"] == {"username": "sales_head", "name": str(org.sales_head)}
    assert data["url"].endswith(f"/requests/{task.number}/")
    headers = {k.lower(): v for k, v in approved["headers"].items()}
    assert headers["webhook-signature"].startswith("v1,")
    assert headers["webhook-id"].startswith("msg_")
    assert approved["path"] == "/hooks/portal"
    assert set(Delivery.objects.values_list("status", flat=True)) == {"sent"}
    assert set(Delivery.objects.values_list("response_code", flat=True)) == {204}


def test_an_intermediate_approval_is_not_the_approval(
    org, purchase, file_request, receiver, register, django_capture_on_commit_callbacks
):
    register(receiver, events=[Event.REQUEST_APPROVED])
    task = file_request(purchase, amount=20000)  # two steps: the sales head, then finance
    with django_capture_on_commit_callbacks(execute=True):
        task_services.task_approve(task=task, by=org.sales_head)
    assert receiver.received == []
    with django_capture_on_commit_callbacks(execute=True):
        task_services.task_approve(task=task, by=org.finance_head)
    assert receiver.types() == ["request.approved"]


def test_rejected_and_assigned(org, in_state, receiver, register, django_capture_on_commit_callbacks):
    register(receiver, events=[Event.REQUEST_REJECTED, Event.REQUEST_ASSIGNED])
    with django_capture_on_commit_callbacks(execute=True):
        in_state("rejected")
    with django_capture_on_commit_callbacks(execute=True):
        in_state("in_progress")
    assert receiver.types() == ["request.rejected", "request.assigned"]
    assigned = receiver.received[1]["payload"]["data"]
    assert assigned["actor"]["username"] == "purchasing_head" and assigned["state"] == "in_progress"


def test_a_step_rolled_back_leaves_no_delivery(org, in_state, receiver, register):
    register(receiver)
    task = in_state("pending_approval")
    before = Delivery.objects.count()
    with pytest.raises(task_services.TaskError):
        # A reason is required to reject: the step fails inside its transaction.
        task_services.task_reject(task=task, by=org.sales_head, reason="")
    assert Delivery.objects.count() == before


def test_a_stopped_receiver_gets_the_event_once_after_it_starts(
    org, purchase, file_request, stopped_receiver, register, django_capture_on_commit_callbacks
):
    register(stopped_receiver, events=[Event.REQUEST_FILED])
    with django_capture_on_commit_callbacks(execute=True):
        file_request(purchase)
    item = Delivery.objects.get()
    assert item.status == "pending" and item.attempts == 1
    assert "Connection" in item.last_error or "refused" in item.last_error
    assert item.next_attempt_at > timezone.now() + timedelta(seconds=20)  # backoff, not at once
    assert outbox.sweep() == 0  # not due yet
    stopped_receiver.start()
    with time_machine.travel(timezone.now() + timedelta(minutes=1), tick=True):
        assert outbox.sweep() == 1
        assert outbox.sweep() == 0
    item.refresh_from_db()
    assert item.status == "sent" and item.attempts == 2 and item.response_code == 204
    assert stopped_receiver.ids() == [item.message_id]
    assert stopped_receiver.refused == []


def test_backoff_doubles_and_the_cap_gives_up(org, in_state, stopped_receiver, register, settings):
    settings.WEBHOOK_MAX_ATTEMPTS = 3
    settings.WEBHOOK_PAUSE_AFTER_FAILURES = 100
    assert [outbox.backoff(n).total_seconds() for n in (1, 2, 3)] == [30, 60, 120]
    register(stopped_receiver, events=[Event.REQUEST_FILED])
    in_state("pending_approval")
    item = Delivery.objects.get()
    outcomes = []
    now = timezone.now()
    for _ in range(4):
        now += timedelta(hours=1)
        with time_machine.travel(now, tick=False):
            outcomes.append(outbox.deliver_one(item.pk))
    assert outcomes == ["retry", "retry", "failed", "not claimed"]
    item.refresh_from_db()
    assert item.status == "failed" and item.attempts == 3


def test_a_receiver_error_is_retried_and_a_redirect_is_not_followed(
    org, in_state, receiver, register, django_capture_on_commit_callbacks
):
    receiver.status = 302
    register(receiver, events=[Event.REQUEST_FILED])
    with django_capture_on_commit_callbacks(execute=True):
        in_state("pending_approval")
    item = Delivery.objects.get()
    assert item.status == "pending" and item.response_code == 302
    assert "302" in item.last_error
    assert len(receiver.received) == 1  # the redirect's target was never asked


def test_two_workers_send_a_delivery_once(org, in_state, receiver, register):
    register(receiver, events=[Event.REQUEST_FILED])
    in_state("pending_approval")
    item = Delivery.objects.get()
    # Both workers are handed the same id at the same moment; the claim lets one through.
    outcomes = [outbox.deliver_one(item.pk), outbox.deliver_one(item.pk)]
    assert sorted(outcomes) == ["not claimed", "sent"]
    assert receiver.ids() == [item.message_id]


@pytest.mark.django_db(transaction=True)
def test_two_worker_threads_send_a_delivery_once(org, in_state, receiver, register):
    register(receiver, events=[Event.REQUEST_FILED])
    broker.Breaker.trip()  # commits here are real: keep the hand-off from sending it at once
    in_state("pending_approval")
    broker.Breaker.reset()
    item = Delivery.objects.get()
    start = threading.Barrier(2)
    outcomes = []

    def worker():
        try:
            start.wait()
            outcomes.append(outbox.deliver_one(item.pk))
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert sorted(outcomes) == ["not claimed", "sent"]
    assert receiver.ids() == [item.message_id]


def test_an_endpoint_that_keeps_failing_is_paused_and_its_owner_told(
    org, in_state, receiver, register, settings, django_capture_on_commit_callbacks
):
    settings.WEBHOOK_PAUSE_AFTER_FAILURES = 3
    receiver.status = 500
    endpoint = register(receiver, events=[Event.REQUEST_FILED], department=org.purchasing, by=org.purchasing_head)
    with django_capture_on_commit_callbacks(execute=True):
        in_state("pending_approval")
        in_state("pending_approval")
        in_state("pending_approval")
    endpoint.refresh_from_db()
    assert endpoint.status == "paused" and endpoint.failures == 3
    notice = Notification.objects.get(recipient=org.purchasing_head, kind="webhook.paused")
    assert notice.link == f"/webhooks/{endpoint.pk}/"
    # While paused, nothing is sent and no new event is queued for it.
    receiver.status = 204
    with django_capture_on_commit_callbacks(execute=True):
        in_state("pending_approval")
    with time_machine.travel(timezone.now() + timedelta(hours=1), tick=True):
        assert outbox.sweep() == 0
    assert Delivery.objects.filter(endpoint=endpoint).count() == 3
    assert len(receiver.received) == 3  # the three failed first attempts
    # Resumed: the three it still owes go out, once each.
    with django_capture_on_commit_callbacks(execute=True):
        assert services.endpoint_resume(endpoint=endpoint, by=org.purchasing_head) == 3
    assert set(Delivery.objects.values_list("status", flat=True)) == {"sent"}
    assert len(set(receiver.ids())) == 3 and len(receiver.received) == 6
    endpoint.refresh_from_db()
    assert endpoint.status == "active" and endpoint.failures == 0


def test_send_again_resends_with_the_same_id(org, in_state, receiver, register, django_capture_on_commit_callbacks):
    register(receiver, events=[Event.REQUEST_FILED])
    with django_capture_on_commit_callbacks(execute=True):
        in_state("pending_approval")
    item = Delivery.objects.get()
    with django_capture_on_commit_callbacks(execute=True):
        services.delivery_resend(delivery=item, by=org.admin)
    assert receiver.ids() == [item.message_id, item.message_id]
    item.refresh_from_db()
    assert item.status == "sent" and item.attempts == 1


def test_after_a_rotation_both_secrets_verify_for_a_day(
    org, in_state, receiver, register, django_capture_on_commit_callbacks
):
    endpoint = register(receiver, events=[Event.REQUEST_FILED])
    old = endpoint.secret
    endpoint = services.endpoint_rotate_secret(endpoint=endpoint, by=org.admin)
    assert endpoint.secret != old and endpoint.secret.startswith("whsec_")
    receiver.secrets = [old]  # a receiver that has not switched yet
    with django_capture_on_commit_callbacks(execute=True):
        in_state("pending_approval")
    receiver.secrets = [endpoint.secret]  # one that has
    with django_capture_on_commit_callbacks(execute=True):
        in_state("pending_approval")
    assert receiver.refused == [] and len(receiver.received) == 2
    signature = receiver.received[0]["headers"]["webhook-signature"]
    assert len(signature.split(" ")) == 2
    with time_machine.travel(timezone.now() + timedelta(hours=25), tick=True):
        Delivery.objects.update(status="failed")
        receiver.secrets = [old]
        with django_capture_on_commit_callbacks(execute=True):
            services.delivery_resend(delivery=Delivery.objects.first(), by=org.admin)
    assert len(receiver.refused) == 1  # the old secret no longer signs


def test_an_endpoint_paused_by_hand_sends_nothing(
    org, in_state, receiver, register, django_capture_on_commit_callbacks
):
    endpoint = register(receiver, events=[Event.REQUEST_FILED])
    services.endpoint_pause(endpoint=endpoint, by=org.admin)
    with django_capture_on_commit_callbacks(execute=True):
        in_state("pending_approval")
    assert receiver.received == [] and not Delivery.objects.exists()
    assert Endpoint.objects.get().status == "paused"
