"""GET /healthz/: 200 when database, broker and worker are well; 503 naming the failing part."""

from datetime import timedelta

import pytest
from django.utils import timezone

from collab_portal.health import record_heartbeat
from collab_portal.models import Heartbeat
from collab_portal.tasks import heartbeat

pytestmark = pytest.mark.django_db


def test_all_well(client):
    record_heartbeat()
    response = client.get("/healthz/")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok" and body["failing"] == []
    assert set(body["checks"]) == {"database", "broker", "worker"}


def test_heartbeat_task_records_a_beat(client):
    heartbeat.delay()  # eager in tests; the worker process test runs it for real
    assert Heartbeat.objects.get(name="worker").beat_at > timezone.now() - timedelta(seconds=5)


def test_no_worker_yet(client):
    response = client.get("/healthz/")
    assert response.status_code == 503
    assert response.json()["failing"] == ["worker"]


def test_stale_worker(client, settings):
    Heartbeat.objects.create(
        name="worker", beat_at=timezone.now() - timedelta(seconds=settings.HEARTBEAT_MAX_AGE_SECONDS + 5)
    )
    response = client.get("/healthz/")
    assert response.status_code == 503
    body = response.json()
    assert body["failing"] == ["worker"]
    assert "old" in body["checks"]["worker"]["detail"]


def test_broker_down(client, settings):
    record_heartbeat()
    settings.CELERY_BROKER_URL = "redis://127.0.0.1:1/0"  # nothing listens on port 1
    response = client.get("/healthz/")
    assert response.status_code == 503
    assert response.json()["failing"] == ["broker"]


def test_filesystem_broker_folder_missing(client, settings, tmp_path):
    record_heartbeat()
    settings.CELERY_BROKER_URL = "filesystem://"
    settings.CELERY_BROKER_TRANSPORT_OPTIONS = {"data_folder_in": str(tmp_path / "gone")}
    response = client.get("/healthz/")
    assert response.status_code == 503
    assert response.json()["failing"] == ["broker"]


def test_database_down(client, monkeypatch):
    from django.db import DatabaseError

    from collab_portal import health

    record_heartbeat()

    class BrokenCursor:
        def __enter__(self):
            raise DatabaseError("connection refused")

        def __exit__(self, *exc):
            return False

    monkeypatch.setattr(health.connection, "cursor", lambda: BrokenCursor())
    response = client.get("/healthz/")
    assert response.status_code == 503
    assert "database" in response.json()["failing"]


def test_post_not_allowed(client):
    assert client.post("/healthz/").status_code == 405


def test_answers_without_login_and_without_https_redirect(client, settings):
    settings.SECURE_SSL_REDIRECT = True
    record_heartbeat()
    assert client.get("/healthz/").status_code == 200
