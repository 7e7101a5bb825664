""".docx jobs that nothing will finish by themselves are noticed within a minute.

A job claimed longer ago than a render can run (the task's hard time limit would have stopped
it) lost its worker; a job queued a minute ago that no worker took lost its message. Either is
shown as failed with "Try again" (which queues it again), and the periodic sweep queues it again
by itself; a worker whose job was taken back meanwhile does not record its result. Time passing
is written into the job's claim and queue times, as a worker that died would leave them. The real
killed worker is in test_render_worker_killed.py."""

from datetime import timedelta

import pytest
from django.utils import timezone, translation

from collab_portal.celery import _jobs
from core import rendering
from core.models import GeneratedFile
from core.tasks import render_generated
from departments.models import User
from documents import services
from tests.conftest import login

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)


@pytest.fixture(autouse=True)
def english(org):
    User.objects.update(language="en")
    with translation.override("en"):
        yield


def document_of(org):
    return services.document_create(
        by=org.requester,
        kind="notice",
        title="关于年终盘点的通知",
        recipients="各部门",
        body="请于月底前完成盘点。",
        recipient_departments=[org.purchasing],
    )


def job_left_behind(org, *, status, age, attempts=1) -> GeneratedFile:
    """A job as a worker that died `age` ago (or a message lost `age` ago) left it."""
    job = rendering.request_file(document_of(org), "document", version="1")  # on_commit not run: no worker
    when = timezone.now() - age
    GeneratedFile.objects.filter(pk=job.pk).update(
        status=status, attempts=attempts, claimed_at=when if status == "rendering" else None, queued_at=when
    )
    job.refresh_from_db()
    return job


def status_block(client, job) -> str:
    return client.get(f"/files/{job.pk}/status/").content.decode()


def test_the_limits_put_a_dead_worker_within_a_minute():
    assert render_generated.time_limit == GeneratedFile.TIME_LIMIT
    assert GeneratedFile.TIME_LIMIT < GeneratedFile.STALE_AFTER.total_seconds() <= 60
    assert GeneratedFile.QUEUE_PATIENCE.total_seconds() <= 60
    sweep = _jobs()["generated-files-requeue"]
    assert sweep["task"] == "core.tasks.requeue_generated_files" and sweep["schedule"] <= 30


def test_a_render_whose_worker_died_shows_failed_with_try_again(client, org, django_capture_on_commit_callbacks):
    login(client, org.requester)
    job = job_left_behind(org, status="rendering", age=timedelta(seconds=10))
    page = status_block(client, job)
    assert "Rendering…" in page and "Try again" not in page  # a worker may still be at it
    GeneratedFile.objects.filter(pk=job.pk).update(claimed_at=timezone.now() - GeneratedFile.STALE_AFTER)
    page = status_block(client, job)
    assert "Failed" in page and "stopped before it was done" in page and f"/files/{job.pk}/retry/" in page
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/files/{job.pk}/retry/", HTTP_HX_REQUEST="true")
    assert "Queued…" in response.content.decode()  # queued again, and polling
    job.refresh_from_db()
    assert job.status == "ready" and job.attempts == 2  # (eager here) rendered once the request committed


def test_a_queued_job_no_worker_took_shows_failed_and_the_sweep_sends_it_again(
    client, org, django_capture_on_commit_callbacks
):
    login(client, org.requester)
    waiting = job_left_behind(org, status="queued", age=timedelta(seconds=20), attempts=0)
    assert "Queued…" in status_block(client, waiting)
    GeneratedFile.objects.filter(pk=waiting.pk).update(queued_at=timezone.now() - GeneratedFile.QUEUE_PATIENCE)
    page = status_block(client, waiting)
    assert "Failed" in page and "No worker has taken the file" in page and "Try again" in page
    with django_capture_on_commit_callbacks(execute=True) as sent:
        assert rendering.requeue_stuck() == 1
    assert len(sent) == 1
    waiting.refresh_from_db()
    assert waiting.status == "ready" and waiting.attempts == 1


def test_the_sweep_leaves_recent_jobs_and_fails_one_whose_attempts_are_spent(org, django_capture_on_commit_callbacks):
    recent = job_left_behind(org, status="rendering", age=timedelta(seconds=20))
    spent = job_left_behind(org, status="rendering", age=timedelta(minutes=2), attempts=rendering.MAX_ATTEMPTS)
    with django_capture_on_commit_callbacks(execute=True) as sent:
        assert rendering.requeue_stuck() == 0
    assert sent == []
    recent.refresh_from_db()
    spent.refresh_from_db()
    assert recent.status == "rendering"
    assert spent.status == "failed" and spent.error == rendering.WORKER_LOST and spent.finished_at


def test_a_worker_whose_job_was_taken_back_does_not_record_its_result(
    org, tmp_path, django_capture_on_commit_callbacks
):
    """The first worker is slow past its claim's life; the sweep hands the job to a second worker,
    which finishes; the first then finishes too and must leave the second's result alone."""
    seen = []

    def build(obj):
        seen.append(len(seen))
        if len(seen) == 1:  # the first worker: meanwhile its claim grows old and the sweep takes the job back
            job = GeneratedFile.objects.get(kind="test-taken-back")
            GeneratedFile.objects.filter(pk=job.pk).update(claimed_at=timezone.now() - GeneratedFile.STALE_AFTER)
            with django_capture_on_commit_callbacks(execute=True):
                assert rendering.requeue_stuck() == 1  # eager: the second worker renders it now
            assert GeneratedFile.objects.get(pk=job.pk).status == "ready"
        return rendering.builder_for("document").build(document)

    document = document_of(org)
    rendering.builder("test-taken-back", can_view=lambda user, obj: True)(build)
    try:
        job = rendering.request_file(document, "test-taken-back", version="1")
        assert rendering.run(job.pk) == "not claimed"
    finally:
        rendering.BUILDERS.pop("test-taken-back", None)
    job.refresh_from_db()
    assert seen == [0, 1] and job.status == "ready" and job.attempts == 2
    assert [p.name for p in tmp_path.rglob("*.docx")] == [job.file.name.rsplit("/", 1)[-1]]
