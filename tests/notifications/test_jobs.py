"""The outbox's and the digests' Celery jobs: the schedule names jobs that exist, and jobs
published under the names they had before they moved here (tasks.tasks.*) still run."""

import os
import subprocess

import pytest
from django.conf import settings

from collab_portal.celery import _jobs
from collab_portal.celery import app as celery_app
from notifications import tasks as notification_jobs  # noqa: F401 - registers the jobs, as a worker's autodiscovery does
from notifications.models import Delivery
from tests.notifications.test_worker_killed import start_worker
from tests.test_celery_processes import database_url, wait_for

OLD_NAMES = ["tasks.tasks.deliver", "tasks.tasks.deliver_many", "tasks.tasks.sweep_outbox", "tasks.tasks.send_digests"]


def outbox_email(key: str) -> Delivery:
    return Delivery.objects.create(
        key=key, channel="email", kind="mention", address="wang@example.com", subject="提到你", body="请看"
    )


def test_the_schedule_names_the_new_jobs_and_every_job_it_names_exists():
    celery_app.loader.import_default_modules()  # every app's tasks module, as a worker loads them
    schedule = {entry["task"] for entry in _jobs().values()}
    assert {"notifications.tasks.sweep_outbox", "notifications.tasks.send_digests"} <= schedule
    assert not schedule & set(OLD_NAMES)
    assert schedule <= set(celery_app.tasks)


def test_the_old_names_are_still_registered():
    assert set(OLD_NAMES) <= set(celery_app.tasks)


@pytest.mark.django_db
def test_a_job_under_its_old_name_sends_what_the_outbox_holds(org, mailoutbox):
    one, two, three = (outbox_email(f"email:test:{n}") for n in range(3))
    assert celery_app.tasks["tasks.tasks.deliver"].apply(args=[one.pk]).get() == "sent"
    assert celery_app.tasks["tasks.tasks.deliver_many"].apply(args=[[two.pk, one.pk]]).get() == {
        "sent": 1,
        "not claimed": 1,
    }
    celery_app.tasks["tasks.tasks.sweep_outbox"].apply().get()  # hands the rest to the (eager) worker
    assert set(Delivery.objects.values_list("status", flat=True)) == {"sent"}
    assert len(mailoutbox) == 3 and three.pk


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
@pytest.mark.filterwarnings("ignore::celery.exceptions.AlwaysEagerIgnored")  # send_task reaches the real worker
def test_a_real_worker_runs_messages_published_under_the_old_names(tmp_path):
    first, second = outbox_email("email:test:old-1"), outbox_email("email:test:old-2")
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
    # Published before the worker starts, as if queued before the upgrade.
    celery_app.send_task("tasks.tasks.deliver", args=[first.pk])
    celery_app.send_task("tasks.tasks.deliver_many", args=[[second.pk]])
    worker = start_worker(env, open(tmp_path / "worker.log", "w"))
    try:
        assert wait_for(lambda: Delivery.objects.filter(status="sent").count() == 2, timeout=60), (
            tmp_path / "worker.log"
        ).read_text()
    finally:
        worker.terminate()
        try:
            worker.wait(timeout=20)
        except subprocess.TimeoutExpired:
            worker.kill()
