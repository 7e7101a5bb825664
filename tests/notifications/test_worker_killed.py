"""A worker killed while delivering does not deliver twice.

A real worker process starts posting to an IM robot (a local HTTP server that holds the
request open), is killed with SIGKILL mid-delivery, and the same job is handed to a second
worker, as the broker does with an unacknowledged job (acks_late, reject_on_worker_lost).
The robot must have received exactly one message."""

import os
import signal
import subprocess
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path

import pytest
from django.conf import settings

from collab_portal.celery import app as celery_app
from notifications.models import Delivery, ImRobot
from tests.test_celery_processes import ROOT, database_url, wait_for

CELERY = str(Path(sys.executable).parent / "celery")


class SlowRobot(BaseHTTPRequestHandler):
    hits: list = []

    def do_POST(self):  # noqa: N802 - the http.server API
        self.rfile.read(int(self.headers["Content-Length"]))
        SlowRobot.hits.append(time.monotonic())
        time.sleep(8)  # long enough for the test to kill the worker mid-delivery
        try:
            self.send_response(200)
            self.end_headers()
            self.wfile.write(b'{"errcode": 0}')
        except OSError:
            pass

    def log_message(self, *args):
        pass


def start_worker(env, log):
    return subprocess.Popen(
        [
            CELERY,
            "-A",
            "collab_portal",
            "--workdir",
            str(ROOT),
            "worker",
            "--pool",
            "solo",
            "--loglevel",
            "info",
            "--without-mingle",
            "--without-gossip",
            "--hostname",
            f"killed-{os.getpid()}-{time.monotonic_ns()}@%h",
        ],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
@pytest.mark.filterwarnings("ignore::celery.exceptions.AlwaysEagerIgnored")  # send_task reaches the real workers
def test_killed_worker_does_not_deliver_twice(org, tmp_path):
    SlowRobot.hits = []
    server = HTTPServer(("127.0.0.1", 0), SlowRobot)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    robot = ImRobot.objects.create(
        name="采购群", department=org.purchasing, kind="slack", url=f"http://127.0.0.1:{server.server_port}/hook"
    )
    item = Delivery.objects.create(
        key="webhook:test:killed",
        channel="webhook",
        kind="inbox",
        robot=robot,
        address=robot.url,
        subject="REQ-TEST",
        body="一条消息",
    )
    env = dict(os.environ)
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "collab_portal.settings",
            "DATABASE_URL": database_url(),
            "VAR_DIR": str(settings.VAR_DIR),
        }
    )
    if settings.REDIS_URL:
        env["REDIS_URL"] = settings.REDIS_URL
    first = start_worker(env, open(tmp_path / "first.log", "w"))
    second = None
    try:
        celery_app.send_task("notifications.tasks.deliver", args=[item.pk])
        assert wait_for(lambda: SlowRobot.hits, timeout=60), (tmp_path / "first.log").read_text()
        os.kill(first.pid, signal.SIGKILL)  # mid-delivery: the robot holds the request open
        first.wait(timeout=10)
        item.refresh_from_db()
        assert item.status == "sending"
        second = start_worker(env, open(tmp_path / "second.log", "w"))
        celery_app.send_task("notifications.tasks.deliver", args=[item.pk])  # the job comes round again
        assert wait_for(lambda: "not claimed" in (tmp_path / "second.log").read_text(), timeout=60), (
            tmp_path / "second.log"
        ).read_text()
        assert len(SlowRobot.hits) == 1
        item.refresh_from_db()
        assert item.status == "sending" and item.attempts == 1
    finally:
        for process in (first, second):
            if process is not None and process.poll() is None:
                process.terminate()
                try:
                    process.wait(timeout=20)
                except subprocess.TimeoutExpired:
                    process.kill()
        server.shutdown()
