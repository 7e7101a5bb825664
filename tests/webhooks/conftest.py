"""A real HTTP receiver on 127.0.0.1 that checks every delivery's signature with the
`standardwebhooks` package, and endpoints pointing at it (allowed to reach a private address)."""

import json
import socket
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from standardwebhooks.webhooks import Webhook, WebhookVerificationError

from tests.notifications.test_broker_faults import private_redis  # noqa: F401
from tests.tasks.conftest import file_request, finance, in_state, purchase, support  # noqa: F401
from webhooks import services
from webhooks.models import Endpoint, Event


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Receiver:
    """Answers `status` to every POST; keeps what verified (`received`) and what did not (`refused`)."""

    def __init__(self):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}/hooks/portal"
        self.secrets: list[str] = []
        self.status = 204
        self.received: list[dict] = []
        self.refused: list[str] = []
        self.server = None
        self.lock = threading.Lock()

    def handler(self):
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                headers = dict(self.headers.items())
                verified = None
                for secret in receiver.secrets:
                    try:
                        verified = Webhook(secret).verify(body, headers)
                        break
                    except WebhookVerificationError:
                        continue
                with receiver.lock:
                    if verified is None:
                        receiver.refused.append(body.decode())
                    else:
                        receiver.received.append(
                            {"id": headers["webhook-id"], "payload": verified, "headers": headers, "path": self.path}
                        )
                status = receiver.status if verified is not None else 400
                self.send_response(status)
                if status in (301, 302):
                    self.send_header("Location", receiver.url + "/moved")
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"ok")

            def log_message(self, *args):
                pass

        return Handler

    def start(self):
        self.server = ThreadingHTTPServer(("127.0.0.1", self.port), self.handler())
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def stop(self):
        if self.server is not None:
            self.server.shutdown()
            self.server.server_close()
            self.server = None

    def types(self) -> list[str]:
        return [r["payload"]["type"] for r in self.received]

    def ids(self) -> list[str]:
        return [r["id"] for r in self.received]


@pytest.fixture(autouse=True)
def fresh_subscriptions():
    """The endpoints' cache entry outlives a test's rolled-back database: start and end without it."""
    from django.core.cache import cache

    from webhooks.events import SUBSCRIPTIONS_KEY

    cache.delete(SUBSCRIPTIONS_KEY)
    yield
    cache.delete(SUBSCRIPTIONS_KEY)


@pytest.fixture
def receiver():
    receiver = Receiver()
    receiver.start()
    yield receiver
    receiver.stop()


@pytest.fixture
def stopped_receiver():
    receiver = Receiver()
    yield receiver
    receiver.stop()


@pytest.fixture
def register(org):
    """An endpoint at `receiver`, saved the way the page saves it; the receiver learns its secret."""

    def make(receiver, *, events=None, department=None, by=None, name="ERP"):
        endpoint = services.endpoint_save(
            endpoint=Endpoint(
                name=name,
                url=receiver.url,
                department=department,
                events=list(events or Event.values),
                allow_private=True,
            ),
            by=by or org.admin,
        )
        receiver.secrets.append(endpoint.secret)
        return endpoint

    return make


def body_of(delivery) -> dict:
    return json.loads(delivery.body)
