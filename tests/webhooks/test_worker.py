"""A real worker process and the real broker: a step commits, its deliveries are published after
the commit, and the worker sends them, signed, to the receiver."""

import os
import subprocess

import pytest
from django.conf import settings

from collab_portal.celery import app as celery_app
from tasks import services as task_services
from tests.notifications.test_worker_killed import start_worker
from tests.test_celery_processes import database_url, wait_for
from webhooks.models import Delivery, Event


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_a_worker_delivers_after_the_commit(org, in_state, receiver, register, tmp_path, monkeypatch):
    register(receiver, events=[Event.REQUEST_APPROVED])
    task = in_state("pending_approval")
    monkeypatch.setitem(celery_app.conf, "task_always_eager", False)
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
    log = tmp_path / "worker.log"
    worker = start_worker(env, open(log, "w"))
    try:
        task_services.task_approve(task=task, by=org.sales_head)  # commits; the hand-off follows
        assert wait_for(lambda: receiver.received, timeout=90), log.read_text()
        assert wait_for(lambda: Delivery.objects.filter(status="sent").exists(), timeout=30), log.read_text()
        assert receiver.types() == ["request.approved"] and receiver.refused == []
        assert receiver.received[0]["payload"]["data"]["number"] == task.number
    finally:
        worker.terminate()
        try:
            worker.wait(timeout=20)
        except subprocess.TimeoutExpired:
            worker.kill()
