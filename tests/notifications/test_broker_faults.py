"""A web request never waits on a dead or frozen broker, and the outbox loses nothing.

A private Redis server is started for each test (the shared one is left alone), then stopped
or frozen with SIGSTOP while a request is filed through the real views."""

import os
import shutil
import signal
import socket
import subprocess
import time

import pytest
import redis

from collab_portal.celery import app as celery_app
from core import broker
from notifications import delivery
from notifications.models import Delivery
from tasks.models import Task
from tests.conftest import login

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(shutil.which("redis-server") is None, reason="needs the redis-server program"),
]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def private_redis(tmp_path, monkeypatch):
    port = free_port()
    process = subprocess.Popen(
        [
            "redis-server",
            "--port",
            str(port),
            "--bind",
            "127.0.0.1",
            "--save",
            "",
            "--appendonly",
            "no",
            "--dir",
            str(tmp_path),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    client = redis.Redis(port=port, socket_timeout=1)
    for _ in range(50):
        try:
            client.ping()
            break
        except redis.ConnectionError:
            time.sleep(0.1)
    url = f"redis://127.0.0.1:{port}/0"
    # The web process's settings when REDIS_URL is set (collab_portal/settings.py).
    monkeypatch.setitem(celery_app.conf, "task_always_eager", False)
    monkeypatch.setitem(celery_app.conf, "broker_url", url)
    monkeypatch.setitem(celery_app.conf, "broker_transport_options", {"socket_connect_timeout": 2, "socket_timeout": 2})
    broker.Breaker.reset()
    yield process, client
    if process.poll() is None:
        os.kill(process.pid, signal.SIGCONT)
        process.terminate()
        process.wait(timeout=10)
    broker.Breaker.reset()


def file_a_request(client, org, purchase, django_capture_on_commit_callbacks):
    login(client, org.requester)
    started = time.monotonic()
    with django_capture_on_commit_callbacks(execute=True):  # after-commit hand-off, as in a real request
        response = client.post(
            "/requests/new/purchase/", {"title": "故障中提交", "f_amount": "800", "priority": 2, "action": "submit"}
        )
    print(f"filing answered in {time.monotonic() - started:.2f} s")  # a figure for the log, not a test
    return response


def test_filing_succeeds_while_redis_is_stopped(
    client, org, purchase, private_redis, django_capture_on_commit_callbacks
):
    process, _client = private_redis
    process.terminate()
    process.wait(timeout=10)
    response = file_a_request(client, org, purchase, django_capture_on_commit_callbacks)
    assert response.status_code == 302
    assert Task.objects.get().state == "pending_approval"
    assert Delivery.objects.get().status == "pending"


def test_filing_succeeds_while_redis_is_frozen_and_the_work_is_published_after(
    client, org, purchase, private_redis, django_capture_on_commit_callbacks
):
    process, redis_client = private_redis
    os.kill(process.pid, signal.SIGSTOP)
    response = file_a_request(client, org, purchase, django_capture_on_commit_callbacks)
    assert response.status_code == 302
    item = Delivery.objects.get()
    assert item.status == "pending"
    os.kill(process.pid, signal.SIGCONT)
    # The beat's sweep publishes whatever is still pending, on fresh connections.
    assert delivery.sweep_outbox() == 1
    for _ in range(50):
        if redis_client.llen("celery"):
            break
        time.sleep(0.1)
    assert redis_client.llen("celery") == 1  # the delivery job reached the broker, once


@pytest.fixture
def counting_broker(monkeypatch):
    """A broker address that counts the connections made to it and closes each at once (a broken
    broker), so a test counts connection attempts instead of timing itself."""
    import threading

    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(50)
    listener.settimeout(0.2)
    seen = {"connections": 0}
    stopping = threading.Event()

    def accept():
        while not stopping.is_set():
            try:
                conn, _ = listener.accept()
            except OSError:
                continue
            seen["connections"] += 1
            conn.close()

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    url = f"redis://127.0.0.1:{listener.getsockname()[1]}/0"
    monkeypatch.setitem(celery_app.conf, "task_always_eager", False)
    monkeypatch.setitem(celery_app.conf, "broker_url", url)
    monkeypatch.setitem(
        celery_app.conf, "broker_transport_options", {"socket_connect_timeout": 0.5, "socket_timeout": 2}
    )
    broker.Breaker.reset()
    yield url, seen
    stopping.set()
    thread.join(timeout=5)
    listener.close()
    broker.Breaker.reset()


def settled(seen) -> int:
    time.sleep(0.3)  # let the listener thread count what reached it
    return seen["connections"]


def test_a_known_down_broker_is_not_tried_again_by_docx_pages_the_outbox_or_health(
    org, counting_broker, settings, django_capture_on_commit_callbacks
):
    from django.utils import timezone

    from collab_portal.health import check_broker
    from core import rendering
    from core.models import GeneratedFile

    url, seen = counting_broker
    settings.CELERY_BROKER_URL = url
    settings.CELERY_BROKER_TRANSPORT_OPTIONS = {"socket_connect_timeout": 0.5, "socket_timeout": 2}
    rendering.builder("test-breaker", can_view=lambda user, obj: True)(lambda obj: b"")
    try:
        job = rendering.request_file(org.purchasing, "test-breaker", version="1")
        rendering.enqueue(job.pk)  # the first .docx request finds the broker broken
        first = settled(seen)
        assert first >= 1 and broker.Breaker.is_open()
        for _ in range(5):  # more .docx pages, filings and health probes in the pause: no attempt at all
            rendering.enqueue(job.pk)
        delivery.hand_to_workers([1])
        delivery.hand_to_workers([1, 2, 3])
        assert check_broker() == "broker unreachable: failed recently"
        assert settled(seen) == first
        broker.Breaker.reset()  # the pause is over: the next publish tries again
        rendering.enqueue(job.pk)
        assert settled(seen) > first and broker.Breaker.is_open()
        # Nothing is lost: the job is still queued, and once it stalls the sweep sends it again.
        assert GeneratedFile.objects.get(pk=job.pk).status == "queued"
        assert job in [j for j in GeneratedFile.objects.all() if j.stalled_at(timezone.now() + j.QUEUE_PATIENCE)]
    finally:
        rendering.BUILDERS.pop("test-breaker", None)
