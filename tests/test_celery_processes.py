"""The heartbeat goes through real processes: beat schedules it, the broker
(Redis in CI, the filesystem transport otherwise) carries it, a worker runs it."""

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

from collab_portal.models import Heartbeat

ROOT = Path(__file__).resolve().parent.parent
CELERY = str(Path(sys.executable).parent / "celery")


def database_url() -> str:
    db = connection.settings_dict
    if db["ENGINE"] == "django.db.backends.sqlite3":
        return f"sqlite:///{db['NAME']}"
    auth = db["USER"] + (f":{db['PASSWORD']}" if db["PASSWORD"] else "")
    return f"postgres://{auth}@{db['HOST'] or 'localhost'}:{db['PORT'] or 5432}/{db['NAME']}"


def wait_for(predicate, timeout=60.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.3)
    return False


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_beat_and_worker_processes_keep_the_heartbeat(tmp_path):
    env = dict(os.environ)
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "collab_portal.settings",
            "DATABASE_URL": database_url(),
            "VAR_DIR": str(settings.VAR_DIR),
            "HEARTBEAT_INTERVAL_SECONDS": "1",
        }
    )
    if settings.REDIS_URL:
        env["REDIS_URL"] = settings.REDIS_URL
    common = ["-A", "collab_portal", "--workdir", str(ROOT)]
    worker = subprocess.Popen(
        [
            CELERY,
            *common,
            "worker",
            "--pool",
            "solo",
            "--loglevel",
            "info",
            "--without-mingle",
            "--without-gossip",
            "--hostname",
            f"test-{os.getpid()}@%h",
        ],
        env=env,
        stdout=open(tmp_path / "worker.log", "w"),
        stderr=subprocess.STDOUT,
    )
    beat = None
    try:
        assert wait_for(lambda: Heartbeat.objects.filter(name="worker").exists()), (tmp_path / "worker.log").read_text()
        Heartbeat.objects.all().delete()
        beat = subprocess.Popen(
            [
                CELERY,
                *common,
                "beat",
                "--loglevel",
                "info",
                "--schedule",
                str(tmp_path / "beat-schedule"),
                "--pidfile",
                str(tmp_path / "beat.pid"),
            ],
            env=env,
            stdout=open(tmp_path / "beat.log", "w"),
            stderr=subprocess.STDOUT,
        )
        assert wait_for(lambda: Heartbeat.objects.filter(name="worker").exists()), (tmp_path / "beat.log").read_text()
        first = Heartbeat.objects.get(name="worker").beat_at
        assert wait_for(lambda: Heartbeat.objects.get(name="worker").beat_at > first), "the beat did not repeat"
    finally:
        for process in (beat, worker):
            if process is not None:
                process.terminate()
        for process in (beat, worker):
            if process is not None:
                try:
                    process.wait(timeout=20)
                except subprocess.TimeoutExpired:
                    process.kill()
