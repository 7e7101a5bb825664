"""The outbox: e-mail by preference, IM robots in each format, at most once, and nothing lost
while the broker is down."""

import base64
import hashlib
import hmac
import json
import threading
import urllib.parse
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest
from django.core import mail
from django.utils import timezone

from collab_portal.celery import app as celery_app
from core import broker
from notifications import delivery
from notifications.models import Delivery, ImRobot, NotificationPreference

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def breaker_closed():
    broker.Breaker.reset()
    yield
    broker.Breaker.reset()


def test_email_goes_to_those_who_want_that_kind(org, purchase, file_request, django_capture_on_commit_callbacks):
    NotificationPreference.objects.create(user=org.purchasing_head, email_kinds=["verify"])
    with django_capture_on_commit_callbacks(execute=True):
        task = file_request(purchase)
    # The approver wants approvals by e-mail (the default) and gets one, in Chinese, with a link.
    message = next(m for m in mail.outbox if m.to == [org.sales_head.email])
    assert task.number in message.subject and f"/requests/{task.number}/" in message.body
    assert message.alternatives and "<a href" in message.alternatives[0][0]
    assert Delivery.objects.get(recipient=org.sales_head).status == "sent"
    with django_capture_on_commit_callbacks(execute=True):
        from tasks import services

        services.task_approve(task=task, by=org.sales_head)
    # 采购部's head chose not to hear about new requests by e-mail: in-app only.
    assert org.purchasing_head.notifications.filter(kind="inbox").exists()
    assert not Delivery.objects.filter(recipient=org.purchasing_head).exists()


def test_outbox_survives_a_broker_that_refuses_connections(
    org, purchase, file_request, monkeypatch, django_capture_on_commit_callbacks
):
    monkeypatch.setitem(celery_app.conf, "task_always_eager", False)
    monkeypatch.setitem(celery_app.conf, "broker_url", "redis://127.0.0.1:1/0")
    monkeypatch.setitem(celery_app.conf, "broker_transport_options", {"socket_connect_timeout": 1})
    with django_capture_on_commit_callbacks(execute=True):
        task = file_request(purchase)  # the change itself succeeds
    assert task.state == "pending_approval"
    pending = Delivery.objects.filter(status="pending")
    assert pending.count() == 1 and not mail.outbox
    # The broker is back: the beat's sweep sends what waited.
    monkeypatch.setitem(celery_app.conf, "task_always_eager", True)
    broker.Breaker.reset()
    assert delivery.sweep_outbox() == 1
    assert Delivery.objects.get().status == "sent" and len(mail.outbox) == 1


def test_each_delivery_is_claimed_once(org, purchase, file_request):
    file_request(purchase)
    item = Delivery.objects.get()
    assert delivery.deliver_one(item.pk) == "sent"
    assert delivery.deliver_one(item.pk) == "not claimed"
    assert len(mail.outbox) == 1


def test_a_claim_left_by_a_lost_worker_is_not_sent_again_but_shown_as_failed(org, purchase, file_request):
    file_request(purchase)
    item = Delivery.objects.get()
    Delivery.objects.filter(pk=item.pk).update(status="sending", claimed_at=timezone.now() - timedelta(minutes=11))
    assert delivery.deliver_one(item.pk) == "not claimed"
    delivery.sweep_outbox()
    item.refresh_from_db()
    assert item.status == "failed" and "may or may not" in item.last_error
    assert not mail.outbox
    # An admin retries it.
    assert delivery.retry(Delivery.objects.all()) == 1
    assert delivery.deliver_one(item.pk) == "sent"


def test_failures_back_off_then_give_up(org, purchase, file_request, settings):
    settings.EMAIL_BACKEND = "tests.notifications.test_delivery.BrokenBackend"
    file_request(purchase)
    item = Delivery.objects.get()
    for attempt in range(1, delivery.MAX_ATTEMPTS + 1):
        Delivery.objects.filter(pk=item.pk).update(next_attempt_at=timezone.now())
        outcome = delivery.deliver_one(item.pk)
        item.refresh_from_db()
        assert item.attempts == attempt and "SMTP down" in item.last_error
        assert outcome == ("failed" if attempt == delivery.MAX_ATTEMPTS else "retry")
        if attempt < delivery.MAX_ATTEMPTS:
            assert item.next_attempt_at > timezone.now() + timedelta(minutes=2**attempt - 1)
    assert item.status == "failed"


class BrokenBackend:
    def __init__(self, *args, **kwargs):
        pass

    def send_messages(self, messages):
        raise ConnectionError("SMTP down")


def test_admin_can_retry_failed_deliveries(client, org, purchase, file_request):
    file_request(purchase)
    Delivery.objects.update(status="failed", last_error="boom")
    client.force_login(org.admin, backend="django.contrib.auth.backends.ModelBackend")
    page = client.get("/admin/notifications/delivery/?status__exact=failed")
    assert page.status_code == 200
    client.post(
        "/admin/notifications/delivery/",
        {"action": "retry_failed", "_selected_action": list(Delivery.objects.values_list("pk", flat=True))},
    )
    assert Delivery.objects.get().status in ("pending", "sent")


# IM robots, each format posted to a real local HTTP server


class Receiver(BaseHTTPRequestHandler):
    received: list = []

    def do_POST(self):  # noqa: N802 - the http.server API
        body = self.rfile.read(int(self.headers["Content-Length"]))
        Receiver.received.append((self.path, json.loads(body)))
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(b'{"errcode": 0, "errmsg": "ok"}')

    def log_message(self, *args):
        pass


@pytest.fixture
def receiver():
    Receiver.received = []
    server = HTTPServer(("127.0.0.1", 0), Receiver)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()


@pytest.mark.parametrize("kind", ["dingtalk", "wecom", "feishu", "slack"])
def test_robot_posts_in_its_own_format(org, support, file_request, receiver, kind):
    ImRobot.objects.create(
        name="采购群",
        department=org.purchasing,
        kind=kind,
        url=f"{receiver}/hook?access_token=t",
        secret="SEC123" if kind in ("dingtalk", "feishu") else "",
    )
    task = file_request(support)  # a new request in 采购部's inbox
    item = Delivery.objects.get(channel="webhook")
    assert delivery.deliver_one(item.pk) == "sent"
    path, payload = Receiver.received[-1]
    assert task.number in json.dumps(payload, ensure_ascii=False)
    if kind == "dingtalk":
        assert payload["msgtype"] == "markdown" and task.number in payload["markdown"]["text"]
        query = urllib.parse.parse_qs(urllib.parse.urlparse(path).query)
        timestamp = query["timestamp"][0]
        expected = base64.b64encode(
            hmac.new(b"SEC123", f"{timestamp}\nSEC123".encode(), hashlib.sha256).digest()
        ).decode()
        assert query["sign"][0] == expected and query["access_token"] == ["t"]
    elif kind == "wecom":
        assert payload["msgtype"] == "markdown" and "content" in payload["markdown"]
    elif kind == "feishu":
        assert payload["msg_type"] == "text"
        expected = base64.b64encode(
            hmac.new(f"{payload['timestamp']}\nSEC123".encode(), b"", hashlib.sha256).digest()
        ).decode()
        assert payload["sign"] == expected
    else:
        assert set(payload) == {"text"}


def test_robot_refusal_in_the_body_counts_as_failure(org, support, file_request, receiver, monkeypatch):
    ImRobot.objects.create(name="群", department=org.purchasing, kind="dingtalk", url=f"{receiver}/hook")
    monkeypatch.setattr(Receiver, "do_POST", _refuse)
    file_request(support)
    item = Delivery.objects.get(channel="webhook")
    assert delivery.deliver_one(item.pk) == "retry"
    item.refresh_from_db()
    assert "refused" in item.last_error


def _refuse(self):
    self.rfile.read(int(self.headers["Content-Length"]))
    self.send_response(200)
    self.end_headers()
    self.wfile.write(b'{"errcode": 310000, "errmsg": "sign not match"}')


def test_robots_only_post_the_kinds_they_carry(org, purchase, file_request, receiver):
    ImRobot.objects.create(name="群", department=org.sales, kind="slack", url=f"{receiver}/hook")
    file_request(purchase)  # an approval for 销售部's head: not an inbox or escalation event
    assert not Delivery.objects.filter(channel="webhook").exists()
