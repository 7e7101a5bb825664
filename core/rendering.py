"""The one rendering service: .docx files made by Celery workers from anything that registers a
builder — official documents, a request's 事务单, meeting minutes, a team's plan, a conflict's
decision.

    @rendering.builder("minutes", can_view=lambda user, meeting: ..., filename=lambda m: "...")
    def minutes_docx(meeting) -> bytes: ...

    job = rendering.request_file(meeting, "minutes", version=meeting.revision)

A job is unique per (object, kind, version): asking again for the same version returns the same
job, so rendering is idempotent. The worker claims a queued job with a conditional update, so two
workers never render the same job, and records its result only if the job is still its claim; a
failure goes back to the queue for a few retries, then is recorded as failed with its error, and
the earlier ready files stay downloadable. A job whose worker is gone, or whose message never
reached one, is stalled (GeneratedFile.stalled, within a minute): pages offer "Try again" and the
periodic sweep queues it again. A render has a
time limit: one that overruns it, or whose source cannot be rendered at all (`CannotRender`), is
failed at once, since trying again would only spend a worker the same way. Pages show a job
with `{% include "core/_generated_file.html" with job=job %}`, which polls its status with
htmx until the file is ready.

A builder registered with `pdf=True` also gets the file's PDF, made by LibreOffice on the worker
(`core.pdf`) right after the .docx; when that cannot be done the .docx is ready all the same and
the job says why there is no PDF. Every file's SHA-256 is recorded as it is made, so a page can
tell when a stored file is no longer the one that was made (`stored_sha256`). A builder's
`on_ready(obj, job)` runs once the job is ready (documents record the signed file's hashes).

An uploaded office file (an attachment's .docx) becomes a PDF through the same jobs: a
`converter(kind, upload=...)` names the stored upload, and its job keeps no file of its own, only
the PDF LibreOffice makes of the upload, or the reason there is none (`core.previews` shows it).
"""

import hashlib
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass

from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import F
from django.utils import timezone, translation
from django.utils.translation import gettext_noop

from core import broker, pdf
from core.models import GeneratedFile

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 3
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
# Past the soft limit the job is failed with TOO_SLOW; the hard limit stops a worker that does not
# get out in time, and the sweep then finds the job stalled.
SOFT_TIME_LIMIT = GeneratedFile.SOFT_TIME_LIMIT
TIME_LIMIT = GeneratedFile.TIME_LIMIT
# Kept as message ids on the job; pages show them in the reader's language.
TOO_SLOW = gettext_noop(
    "Making the file took too long and was stopped. If it happens again, the template is probably too large."
)
WORKER_LOST = gettext_noop("The worker making the file stopped before it was done, each time it was tried.")


class CannotRender(Exception):
    """This source cannot be made into a file (say, its template is refused); trying again would
    fail the same way. The message is shown on the job, in English as a message id."""


@dataclass(frozen=True)
class Builder:
    kind: str
    build: Callable[[object], bytes]
    can_view: Callable[[object, object], bool]
    filename: Callable[[object], str]
    check: Callable[[object, bytes], list[str]] | None = None
    downloaded: Callable[[object, object, object], None] | None = None
    pdf: bool = False
    on_ready: Callable[[object, GeneratedFile], None] | None = None
    # A converter's: the extension of the upload `build` returns (the job then keeps only its PDF).
    suffix: Callable[[object], str] | None = None


BUILDERS: dict[str, Builder] = {}


def builder(
    kind: str,
    *,
    can_view: Callable[[object, object], bool],
    filename: Callable[[object], str] | None = None,
    check: Callable[[object, bytes], list[str]] | None = None,
    downloaded: Callable[[object, object, object], None] | None = None,
    pdf: bool = False,
    on_ready: Callable[[object, GeneratedFile], None] | None = None,
):
    """Register `build(obj) -> bytes` as the way to make files of `kind`. `can_view(user, obj)`
    decides who may see and download them; `check(obj, data)` lists layout problems to show;
    `downloaded(user, obj, job)`, when given, is told of each download (an access log); `pdf` asks
    for a PDF beside the .docx; `on_ready(obj, job)` runs when a file is ready."""

    def register(build: Callable[[object], bytes]):
        BUILDERS[kind] = Builder(
            kind, build, can_view, filename or (lambda obj: f"{kind}-{obj.pk}"), check, downloaded, pdf, on_ready
        )
        return build

    return register


def converter(
    kind: str,
    *,
    can_view: Callable[[object, object], bool],
    upload: Callable[[object], tuple],
    downloaded: Callable[[object, object, object], None] | None = None,
) -> None:
    """Register the PDF of an uploaded file: `upload(obj)` is its stored file and its name
    (`(field_file, "报价单.docx")`); `can_view` must be who may download the upload itself, since
    the PDF shows the same content. The PDF's storage name says only the kind and the object."""

    def read(obj) -> bytes:
        field_file, _name = upload(obj)
        with field_file.open("rb") as handle:
            return handle.read()

    BUILDERS[kind] = Builder(
        kind,
        read,
        can_view,
        lambda obj: f"{kind}-{obj.pk}",
        downloaded=downloaded,
        pdf=True,
        suffix=lambda obj: upload(obj)[1].rsplit(".", 1)[-1].lower(),
    )


def builder_for(kind: str) -> Builder:
    _load_builders()
    return BUILDERS[kind]


def _load_builders() -> None:
    """Builders live in each app's `docx.py`; import them so a worker knows every kind."""
    if getattr(_load_builders, "done", False):
        return
    from importlib import import_module

    from django.apps import apps

    for config in apps.get_app_configs():
        try:
            import_module(f"{config.name}.docx")
        except ModuleNotFoundError as exc:
            if exc.name != f"{config.name}.docx":
                raise
    _load_builders.done = True


def _of(obj) -> dict:
    return {"content_type": ContentType.objects.get_for_model(obj), "object_id": obj.pk}


def request_file(obj, kind: str, *, version) -> GeneratedFile:
    """The job for this version of `obj` as a `kind` file, queued for a worker if new or failed."""
    builder_for(kind)  # an unknown kind is a programming error, found here rather than in a worker
    job, created = GeneratedFile.objects.get_or_create(**_of(obj), kind=kind, version=str(version))
    if not created and job.status == GeneratedFile.Status.FAILED:
        job.queued_at = timezone.now()
        GeneratedFile.objects.filter(pk=job.pk, status=GeneratedFile.Status.FAILED).update(
            status=GeneratedFile.Status.QUEUED, error="", attempts=0, queued_at=job.queued_at
        )
        job.status = GeneratedFile.Status.QUEUED
    if created or job.status == GeneratedFile.Status.QUEUED:
        transaction.on_commit(lambda: enqueue(job.pk))
    return job


def enqueue(job_id: int) -> None:
    from core.tasks import render_generated

    # The broker down (or known down): the job stays queued and stalls; the sweep sends it again.
    broker.publish(render_generated, [job_id], f"generated file {job_id}")


def latest(obj, kind: str) -> GeneratedFile | None:
    """The most recent job, whatever its state."""
    return GeneratedFile.objects.filter(**_of(obj), kind=kind).first()


def latest_ready(obj, kind: str) -> GeneratedFile | None:
    """The most recent file that can be downloaded (kept when a later rendering fails)."""
    return GeneratedFile.objects.filter(**_of(obj), kind=kind, status=GeneratedFile.Status.READY).first()


def run(job_id: int) -> str:
    """Claim a queued job and render it. Returns "ready", "retry" (back in the queue), "failed"
    (given up, error recorded) or "not claimed" (someone else has it, or it is done, or the sweep
    took it back from this worker as stalled)."""
    claim = timezone.now()
    claimed = GeneratedFile.objects.filter(pk=job_id, status=GeneratedFile.Status.QUEUED).update(
        status=GeneratedFile.Status.RENDERING, attempts=F("attempts") + 1, claimed_at=claim
    )
    if claimed != 1:
        return "not claimed"
    mine = GeneratedFile.objects.filter(pk=job_id, status=GeneratedFile.Status.RENDERING, claimed_at=claim)
    job = GeneratedFile.objects.select_related("content_type").get(pk=job_id)
    started = time.perf_counter()
    try:
        source = job.content_type.get_object_for_this_type(pk=job.object_id)
        spec = builder_for(job.kind)
        data = spec.build(source)
        problems = []
        if spec.suffix is not None:  # a converter: the upload is kept where it is, only its PDF here
            job.sha256 = hashlib.sha256(data).hexdigest()
            if settings.PDF_CONVERSION:
                _make_pdf(job, data, f"{spec.filename(source)}.pdf", suffix=spec.suffix(source))
            else:
                job.pdf_error = pdf.TURNED_OFF
        else:
            with translation.override("en"):  # kept as message ids; pages show them in the reader's language
                problems = spec.check(source, data) if spec.check else []
            name = f"{spec.filename(source)}-v{job.version}.docx".replace("/", "-")
            job.file.save(name, ContentFile(data), save=False)
            job.sha256 = hashlib.sha256(data).hexdigest()
            if spec.pdf and settings.PDF_CONVERSION:
                _make_pdf(job, data, name)
    except SoftTimeLimitExceeded:
        log.warning("rendering %s overran its time limit", job)
        return _fail(mine, TOO_SLOW)
    except CannotRender as exc:
        log.warning("rendering %s refused: %s", job, exc)
        return _fail(mine, str(exc))
    except Exception as exc:  # noqa: BLE001 - recorded on the job, shown with a retry button
        log.exception("rendering %s failed (attempt %s)", job, job.attempts)
        give_up = job.attempts >= MAX_ATTEMPTS
        kept = mine.update(
            status=GeneratedFile.Status.FAILED if give_up else GeneratedFile.Status.QUEUED,
            error=f"{type(exc).__name__}: {exc}"[:2000],
            finished_at=timezone.now() if give_up else None,
            queued_at=timezone.now(),
        )
        if not kept:
            return "not claimed"
        return "failed" if give_up else "retry"
    kept = mine.update(
        status=GeneratedFile.Status.READY,
        file=job.file.name,
        problems=problems,
        error="",
        finished_at=timezone.now(),
        seconds=round(time.perf_counter() - started, 4),
        sha256=job.sha256,
        pdf=job.pdf.name or "",
        pdf_sha256=job.pdf_sha256,
        pdf_error=job.pdf_error,
        pdf_seconds=job.pdf_seconds,
    )
    if not kept:  # the sweep gave the job to another worker meanwhile: its file is the one kept
        job.file.delete(save=False)
        if job.pdf:
            job.pdf.delete(save=False)
        return "not claimed"
    if spec.on_ready is not None:
        job.status = GeneratedFile.Status.READY
        try:
            spec.on_ready(source, job)
        except Exception:  # noqa: BLE001 - the file is made; what follows it is logged, not undone
            log.exception("after rendering %s", job)
    return "ready"


def _make_pdf(job: GeneratedFile, data: bytes, name: str, *, suffix: str = "docx") -> None:
    """The PDF beside the .docx, or the reason there is none: the .docx is kept either way."""
    started = time.perf_counter()
    try:
        made = pdf.to_pdf(data, suffix=suffix)
    except pdf.PdfUnavailable as exc:
        log.warning("no PDF of %s: %s", job, exc)
        job.pdf_error = str(exc)
        return
    job.pdf.save(name.removesuffix(".docx").removesuffix(".pdf") + ".pdf", ContentFile(made), save=False)
    job.pdf_sha256 = hashlib.sha256(made).hexdigest()
    job.pdf_error = ""
    job.pdf_seconds = round(time.perf_counter() - started, 4)


def stored_sha256(field_file, *, chunk: int = 64 * 1024) -> str | None:
    """The SHA-256 of a stored file as it is now, read in chunks from the storage (filesystem or
    S3); None when it is gone."""
    if not field_file:
        return None
    digest = hashlib.sha256()
    try:
        with field_file.storage.open(field_file.name, "rb") as handle:
            while block := handle.read(chunk):
                digest.update(block)
    except (FileNotFoundError, OSError):
        return None
    return digest.hexdigest()


def _fail(mine, error: str) -> str:
    kept = mine.update(status=GeneratedFile.Status.FAILED, error=error[:2000], finished_at=timezone.now())
    return "failed" if kept else "not claimed"


def requeue(job: GeneratedFile, *, now=None) -> bool:
    """Queue a stalled job again (or, when its attempts are spent, record it as failed). The update
    is conditional on the job being as it was read, so a worker that took it meanwhile keeps it."""
    now = now or timezone.now()
    if not job.stalled_at(now):
        return False
    unchanged = GeneratedFile.objects.filter(
        pk=job.pk, status=job.status, claimed_at=job.claimed_at, queued_at=job.queued_at
    )
    if job.status == GeneratedFile.Status.RENDERING and job.attempts >= MAX_ATTEMPTS:
        unchanged.update(status=GeneratedFile.Status.FAILED, error=WORKER_LOST, finished_at=now)
        return False
    if not unchanged.update(status=GeneratedFile.Status.QUEUED, queued_at=now):
        return False
    transaction.on_commit(lambda: enqueue(job.pk))
    return True


def requeue_stuck(*, now=None) -> int:
    """The periodic sweep: queue again every stalled job, what a lost broker message or a killed
    worker left behind (a job claimed recently, or queued less than a minute ago, is left alone).
    `now` is when the sweep takes place (tests look ahead with it). Returns how many were queued."""
    now = now or timezone.now()
    busy = GeneratedFile.objects.filter(status__in=[GeneratedFile.Status.QUEUED, GeneratedFile.Status.RENDERING]).only(
        "pk", "status", "claimed_at", "queued_at", "attempts"
    )
    return sum(requeue(job, now=now) for job in busy[:500])
