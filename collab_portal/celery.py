"""The Celery application. Every periodic task is declared here, in one place."""

import os

from celery import Celery
from celery.signals import worker_ready

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "collab_portal.settings")

app = Celery("collab_portal")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


def _beat_schedule() -> dict:
    from django.conf import settings

    return {
        "worker-heartbeat": {
            "task": "collab_portal.tasks.heartbeat",
            "schedule": float(settings.HEARTBEAT_INTERVAL_SECONDS),
        },
    }


@app.on_after_configure.connect
def _declare_schedule(sender, **kwargs):
    sender.conf.beat_schedule = _beat_schedule()


@worker_ready.connect
def _first_heartbeat(sender, **kwargs):
    """Beat the heart as soon as a worker is up, so /healthz/ need not wait a period."""
    from collab_portal.tasks import heartbeat

    heartbeat.delay()
