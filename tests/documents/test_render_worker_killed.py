"""A worker killed during a render gives exactly one result.

A real worker process (the pattern of tests/tasks/test_worker_killed.py) claims a render job and
is held inside the builder: the job is RENDERING when the worker gets SIGKILL. The sweep
(`rendering.requeue_stuck`, what the beat runs) queues it again, a second worker renders it, and
the job's message coming round again (acks_late, reject_on_worker_lost) finds nothing to do.
In the end there is one job row for that file, READY, and one .docx on disk.

The builder is a test kind, registered in the worker by importing this module (`--include`) with
COLLAB_TEST_RENDER_GATE set: it waits while a "hold" file exists, so the test decides when a
render may finish, the way the slow IM robot does for deliveries."""

import os
import signal
import subprocess
import time
from pathlib import Path

import pytest

from tests.test_celery_processes import CELERY, ROOT, database_url, wait_for

KIND = "test-slow"
GATE_ENV = "COLLAB_TEST_RENDER_GATE"


def build_slowly(obj) -> bytes:
    """A real .docx, made only once the gate's "hold" file is gone; "entered" says a render began."""
    import io

    from docx import Document as Docx

    gate = Path(os.environ[GATE_ENV])
    (gate / f"entered-{os.getpid()}").write_text(str(obj.pk))
    while (gate / "hold").exists():
        time.sleep(0.1)
    docx = Docx()
    docx.add_paragraph(f"{obj} · {os.getpid()}")
    out = io.BytesIO()
    docx.save(out)
    return out.getvalue()


def register_slow_builder() -> None:
    from core import rendering

    rendering.builder(KIND, can_view=lambda user, obj: True, filename=lambda obj: f"slow-{obj.pk}")(build_slowly)


if os.environ.get(GATE_ENV):  # imported by the worker started below
    register_slow_builder()


@pytest.fixture
def slow_kind():
    from core import rendering

    register_slow_builder()
    yield KIND
    rendering.BUILDERS.pop(KIND, None)


def start_worker(env, log, name):
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
            "--include",
            __name__,
            "--hostname",
            f"render-{name}-{os.getpid()}-{time.monotonic_ns()}@%h",
        ],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )


def stop(process):
    if process is not None and process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)


@pytest.fixture
def through_the_broker():
    """The tests run Celery eagerly; here the messages go through the broker to the real workers."""
    from collab_portal.celery import app as celery_app

    eager = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = False
    yield celery_app
    celery_app.conf.task_always_eager = eager


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
@pytest.mark.filterwarnings("ignore::celery.exceptions.AlwaysEagerIgnored")  # send_task reaches the real workers
def test_killed_render_worker_gives_exactly_one_file(org, slow_kind, through_the_broker, tmp_path, settings):
    from django.db.models import F
    from django.utils import timezone

    from core import rendering
    from core.models import GeneratedFile

    gate = tmp_path / "gate"
    gate.mkdir()
    (gate / "hold").touch()
    media = tmp_path / "media"
    settings.MEDIA_ROOT = str(media)  # where both workers write, read back here
    env = dict(os.environ)
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "collab_portal.settings",
            "DATABASE_URL": database_url(),
            "VAR_DIR": str(settings.VAR_DIR),
            "MEDIA_ROOT": str(media),
            GATE_ENV: str(gate),
        }
    )
    if settings.REDIS_URL:
        env["REDIS_URL"] = settings.REDIS_URL
    logs = {name: tmp_path / f"{name}.log" for name in ("first", "second")}
    first = start_worker(env, open(logs["first"], "w"), "first")
    second = None
    try:
        job = rendering.request_file(org.purchasing, KIND, version=1)  # queued through the broker on commit
        job_of = GeneratedFile.objects.filter(pk=job.pk)
        assert wait_for(
            lambda: list(gate.glob("entered-*")) and job_of.get().status == GeneratedFile.Status.RENDERING,
            timeout=60,
        ), logs["first"].read_text()
        assert [p.name for p in gate.glob("entered-*")] == [f"entered-{first.pid}"]
        os.kill(first.pid, signal.SIGKILL)  # mid-render: the builder is held by the gate
        first.wait(timeout=10)
        job.refresh_from_db()
        assert (job.status, job.attempts, job.file.name) == (GeneratedFile.Status.RENDERING, 1, "")

        # The sweep finds the job its dead worker left RENDERING and queues it again; a second
        # worker renders it, the gate now open.
        (gate / "hold").unlink()
        second = start_worker(env, open(logs["second"], "w"), "second")
        # Time passes: past the task's time limit the job is stalled, shown with "Try again".
        job_of.update(claimed_at=F("claimed_at") - GeneratedFile.STALE_AFTER)
        assert job_of.get().stalled
        assert rendering.requeue_stuck() == 1
        assert wait_for(lambda: job_of.get().status == GeneratedFile.Status.READY, timeout=60), logs[
            "second"
        ].read_text()
        assert (gate / f"entered-{second.pid}").exists()

        # The job's message comes round again, as the broker hands back a message a killed worker never
        # acknowledged (acks_late, reject_on_worker_lost; sent again here, as in test_worker_killed,
        # since the filesystem transport does not redeliver): the job is done, nothing is rendered.
        through_the_broker.send_task("core.tasks.render_generated", args=[job.pk])
        assert wait_for(lambda: "not claimed" in logs["second"].read_text(), timeout=60), logs["second"].read_text()
        # …and so does a second sweep: a READY job is no longer stuck.
        assert rendering.requeue_stuck(now=timezone.now() + GeneratedFile.STALE_AFTER) == 0
    finally:
        stop(first)
        stop(second)

    rows = GeneratedFile.objects.filter(kind=KIND)
    assert rows.count() == 1
    job = rows.get()
    assert job.status == GeneratedFile.Status.READY and job.attempts == 2 and job.error == ""
    assert job.file.name.endswith(f"slow-{org.purchasing.pk}-v1.docx")
    assert rendering.latest_ready(org.purchasing, KIND) == job
    files = sorted(p.relative_to(media).as_posix() for p in media.rglob("*.docx"))
    assert files == [job.file.name]
    assert sorted(p.name for p in gate.glob("entered-*")) == sorted([f"entered-{first.pid}", f"entered-{second.pid}"])
