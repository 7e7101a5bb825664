"""Retention runs: archive what is due, check the archive, then remove it in batches; and the
legal holds that keep an item out of them, placed and lifted on the portal's pages.

A dry run (the command's default) only counts. `retention_apply` writes the archive first, reads
it back whole, and only then removes, batch by batch, each batch in its own transaction: the rows
are locked and the rules asked again, so a legal hold placed (or a request reopened) while the
run went on keeps its object. Attached files leave the storage after their batch commits. Every
apply leaves a `RetentionRun` row and lines in the `retention` log.
"""

import getpass
import logging
from pathlib import Path

from django.contrib.contenttypes.models import ContentType
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.models import GeneratedFile
from core.workflow import StepError
from documents.models import DocumentAttachment
from retention import policy
from retention.archive import CHILDREN, MODELS, ArchiveError, ArchiveWriter
from retention.models import RetentionRun
from tasks.models import Attachment

logger = logging.getLogger("retention")


class RetentionError(Exception):
    """The run cannot start (a bad archive folder) or its archive failed its check."""


def archive_folder(folder: Path) -> Path:
    """The folder archives go to, made if missing; a clear error if it cannot be written."""
    if folder.exists() and not folder.is_dir():
        raise RetentionError(f"{folder} is not a folder.")
    try:
        folder.mkdir(parents=True, exist_ok=True)
        probe = folder / ".retention-probe"
        probe.write_text("")
        probe.unlink()
    except OSError as error:
        raise RetentionError(f"cannot write archives to {folder}: {error.strerror or error}") from None
    return folder


def retention_apply(*, kinds, folder: Path, batch_size: int = 500, this_year: int | None = None) -> RetentionRun:
    """Archive and remove what is due of `kinds`. Returns the run's log row."""
    folder = archive_folder(folder)
    due = policy.counts(kinds, this_year=this_year)
    run = RetentionRun.objects.create(
        operator=_operator(), kinds=",".join(kinds), due={k: v for k, v in due.items() if v is not None}
    )
    logger.info("retention run %s: due %s", run.pk, run.due)
    writer = None
    try:
        writer = ArchiveWriter(folder, f"{timezone.now():%Y%m%d-%H%M%S}-{run.pk}")
        for kind in kinds:
            rows = policy.due(kind, this_year=this_year)
            if rows is None:
                continue
            _archive(writer, kind, rows, batch_size)
        writer.close()
        writer.verify()
    except (ArchiveError, OSError) as error:
        if writer is not None:
            writer.close()
        _fail(run, writer, str(error))
        raise RetentionError(str(error)) from error
    run.archive_path, run.files_path = str(writer.path), str(writer.files_path)
    run.archived = {kind: len(pks) for kind, pks in writer.written.items() if kind in kinds}
    run.save(update_fields=["archive_path", "files_path", "archived"])
    logger.info("retention run %s: archived %s to %s", run.pk, run.archived, writer.path)
    if writer.missing_files:
        logger.warning("retention run %s: files missing from storage: %s", run.pk, writer.missing_files)
    for kind in kinds:
        removed, skipped = _remove(kind, writer.written[kind], batch_size, this_year)
        run.removed[kind], run.skipped[kind] = removed, skipped
    run.status, run.finished_at = RetentionRun.Status.DONE, timezone.now()
    run.save(update_fields=["removed", "skipped", "status", "finished_at"])
    logger.info("retention run %s: removed %s, kept (held or reopened meanwhile) %s", run.pk, run.removed, run.skipped)
    return run


def _archive(writer: ArchiveWriter, kind: str, rows, batch_size: int) -> None:
    """Write the due rows in primary-key batches (keyset), so memory stays flat."""
    last = 0
    while batch := list(rows.filter(pk__gt=last).order_by("pk").prefetch_related(*CHILDREN[kind])[:batch_size]):
        writer.add(kind, batch)
        last = batch[-1].pk


def _remove(kind: str, pks: list[int], batch_size: int, this_year: int | None) -> tuple[int, int]:
    removed = skipped = 0
    model = MODELS[kind]
    content_type = ContentType.objects.get_for_model(model)
    for start in range(0, len(pks), batch_size):
        batch = pks[start : start + batch_size]
        with transaction.atomic():
            # Lock the rows, then ask the rules again: a hold placed meanwhile keeps its object.
            locked = list(model.objects.select_for_update().filter(pk__in=batch).values_list("pk", flat=True))
            still_due = list(policy.due(kind, this_year=this_year).filter(pk__in=locked).values_list("pk", flat=True))
            ids = still_due + _subtask_ids(kind, still_due)
            files = _file_names(kind, ids)
            GeneratedFile.objects.filter(content_type=content_type, object_id__in=ids).delete()
            _upload_pdfs(kind, ids).delete()
            model.objects.filter(pk__in=still_due).delete()
            transaction.on_commit(lambda files=files: _delete_files(files))
        removed += len(still_due)
        skipped += len(batch) - len(still_due)
    return removed, skipped


def _subtask_ids(kind: str, ids: list[int]) -> list[int]:
    if kind != "request" or not ids:
        return []
    return list(MODELS[kind].objects.filter(parent__in=ids).values_list("pk", flat=True))


def _file_names(kind: str, ids: list[int]) -> list[str]:
    if kind == "request":
        attachments = Attachment.objects.filter(task__in=ids)
    else:
        attachments = DocumentAttachment.objects.filter(document__in=ids)
    content_type = ContentType.objects.get_for_model(MODELS[kind])
    generated = GeneratedFile.objects.filter(content_type=content_type, object_id__in=ids)
    names = [
        *attachments.values_list("file", flat=True),
        *generated.values_list("file", flat=True),
        *generated.values_list("pdf", flat=True),
        *_upload_pdfs(kind, ids).values_list("pdf", flat=True),
    ]
    return [name for name in names if name]


def _upload_pdfs(kind: str, ids: list[int]):
    """The PDFs workers made of the attachments of these objects, for their previews: they show
    what the attachments hold, so they leave with them."""
    if kind == "request":
        model, attachments = Attachment, Attachment.objects.filter(task__in=ids)
    else:
        model, attachments = DocumentAttachment, DocumentAttachment.objects.filter(document__in=ids)
    return GeneratedFile.objects.filter(
        content_type=ContentType.objects.get_for_model(model), object_id__in=attachments.values("pk")
    )


def _delete_files(names: list[str]) -> None:
    for name in names:
        try:
            default_storage.delete(name)
        except OSError:
            logger.warning("retention: could not delete the archived file %s", name)


def _fail(run: RetentionRun, writer: ArchiveWriter | None, error: str) -> None:
    run.status, run.finished_at, run.error = RetentionRun.Status.FAILED, timezone.now(), error
    if writer is not None:
        run.archive_path, run.files_path = str(writer.path), str(writer.files_path)
    run.save(update_fields=["status", "finished_at", "error", "archive_path", "files_path"])
    logger.error("retention run %s failed, nothing removed: %s", run.pk, error)


def _operator() -> str:
    try:
        return getpass.getuser()[:150]
    except (KeyError, OSError):
        return ""


# Legal holds placed and lifted on the portal's pages (retention/views.py)


def legal_hold_place(*, item, by, reason: str) -> None:
    """Place `item` (a request or an official document) under legal hold: a workflow step on the
    locked row, logged on its timeline with who and why. A second placing is refused."""
    _legal_hold(item, by, hold=True, reason=reason)


def legal_hold_lift(*, item, by, reason: str) -> None:
    """Lift the legal hold on `item`, saying why (the case closed, the order lifted)."""
    _legal_hold(item, by, hold=False, reason=reason)


def _legal_hold(item, by, *, hold: bool, reason: str) -> None:
    from core.legal_hold import set_legal_hold
    from retention.rules import may_hold

    reason = (reason or "").strip()
    if not reason:
        raise LegalHoldError(_("Say why (a case, an order, an audit)."))
    if len(reason) > REASON_LENGTH:
        raise LegalHoldError(_("Keep the reason under %(n)s characters.") % {"n": REASON_LENGTH})
    set_legal_hold(item, by=by, hold=hold, reason=reason, rule=may_hold, refuse_repeat=True)


class LegalHoldError(StepError):
    """A legal hold step that cannot be done; the message is for the user."""


REASON_LENGTH = 200  # the models' legal_hold_reason
