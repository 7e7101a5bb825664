"""A broker outage while a change commits leaves the delivery in the outbox; the beat's sweep
hands it out once the broker is back, and it reaches the receiver once."""

import base64
import json
import os
import shutil
import signal
import socket

import pytest

from collab_portal.celery import app as celery_app
from core import broker
from webhooks import delivery as outbox
from webhooks.models import Delivery, Event

pytestmark = pytest.mark.django_db


@pytest.fixture
def unreachable_broker(monkeypatch):
    """A broker address nobody listens on: every publish fails at once."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    monkeypatch.setitem(celery_app.conf, "task_always_eager", False)
    monkeypatch.setitem(celery_app.conf, "broker_url", f"redis://127.0.0.1:{port}/0")
    monkeypatch.setitem(celery_app.conf, "broker_transport_options", {"socket_connect_timeout": 1, "socket_timeout": 1})
    yield monkeypatch


def test_the_sweep_delivers_what_the_broker_never_carried(
    org, in_state, receiver, register, unreachable_broker, django_capture_on_commit_callbacks
):
    register(receiver, events=[Event.REQUEST_FILED, Event.REQUEST_APPROVED])
    with django_capture_on_commit_callbacks(execute=True):
        in_state("pending_acceptance")
    assert broker.Breaker.is_open()  # the hand-off failed and said so
    assert list(Delivery.objects.values_list("status", "attempts")) == [("pending", 0), ("pending", 0)]
    assert receiver.received == []
    # The broker is back (the workers run the jobs it carries).
    unreachable_broker.setitem(celery_app.conf, "task_always_eager", True)
    assert outbox.sweep() == 2
    assert outbox.sweep() == 0
    assert sorted(receiver.types()) == ["request.approved", "request.filed"]
    assert len(set(receiver.ids())) == 2 and receiver.refused == []
    assert set(Delivery.objects.values_list("status", "attempts")) == {("sent", 1)}


@pytest.mark.skipif(shutil.which("redis-server") is None, reason="needs the redis-server program")
def test_a_real_redis_outage_and_one_job_after(
    org,
    in_state,
    receiver,
    register,
    private_redis,
    django_capture_on_commit_callbacks,
):
    process, redis_client = private_redis
    os.kill(process.pid, signal.SIGSTOP)  # frozen: publishes time out
    register(receiver, events=[Event.REQUEST_FILED])
    with django_capture_on_commit_callbacks(execute=True):
        in_state("pending_approval")
    item = Delivery.objects.get()
    assert item.status == "pending" and item.attempts == 0
    os.kill(process.pid, signal.SIGCONT)
    assert outbox.sweep() == 1
    queued = redis_client.lrange("celery", 0, -1)
    assert len(queued) == 1  # one job for the one delivery
    message = json.loads(queued[0])
    assert message["headers"]["task"] == "webhooks.tasks.deliver"
    args, _kwargs, _embed = json.loads(base64.b64decode(message["body"]))
    assert args == [item.pk]
    # What the worker does with it; the same job delivered twice sends once.
    assert [outbox.deliver_one(*args), outbox.deliver_one(*args)] == ["sent", "not claimed"]
    assert receiver.ids() == [item.message_id]
