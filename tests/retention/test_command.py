"""manage.py retention: a dry run changes nothing; --apply archives what is due, checks the archive,
then removes only that; legal holds, open work and recent work are never touched."""

import gzip
import json
import tarfile
from datetime import datetime
from io import StringIO
from pathlib import Path

import pytest
from django.core.files.base import ContentFile
from django.core.management import CommandError, call_command
from django.utils import timezone

from core.actions import log_action
from core.legal_hold import set_legal_hold
from core.models import ActionLog
from documents.models import Document, DocumentKind, Opinion
from retention.archive import read
from retention.models import RetentionRun
from tasks.models import Approval, Attachment, Comment, RequestType, Task

pytestmark = pytest.mark.django_db


def moment(year: int) -> datetime:
    return datetime(year, 6, 1, 10, 0, tzinfo=timezone.get_current_timezone())


@pytest.fixture
def storage(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.RETENTION_ARCHIVE_DIR = tmp_path / "archive"
    settings.RETENTION_REQUEST_YEARS = 3
    settings.RETENTION_DOCUMENT_YEARS = 10
    return tmp_path


@pytest.fixture
def items(org, storage):
    request_type = RequestType.objects.create(department=org.purchasing, code="buy", name="采购", name_en="Purchase")
    this_year = timezone.localdate().year

    def task(number, state, closed_year, **fields):
        made = Task.objects.create(
            number=number,
            title=f"事务 {number}",
            request_type=request_type,
            requester=org.requester,
            requesting_department=org.sales,
            target_department=org.purchasing,
            state=state,
            created_at=moment(closed_year) if closed_year else timezone.now(),
            closed_at=moment(closed_year) if closed_year and state in Task.CLOSED_STATES else None,
            **fields,
        )
        return made

    old = task("OLD-1", "done", 2015)
    Approval.objects.create(task=old, round=1, step_order=1, mode="any", approver=org.sales_head)
    Comment.objects.create(task=old, author=org.requester, body="谢谢")
    log_action(old, actor=org.requester, action="task.confirmed")
    attachment = Attachment(task=old, name="清单.txt", size=6, uploaded_by=org.requester)
    attachment.file.save("清单.txt", ContentFile("盘点".encode()), save=True)
    cancelled = task("OLD-2", "cancelled", 2016)
    held = task("HELD", "done", 2015)
    set_legal_hold(held, by=org.admin, hold=True, reason="合同纠纷 (2026)民初123号")
    still_open = task("OPEN", "in_progress", 2015)
    recent = task("RECENT", "done", this_year - 1)
    lead = task("LEAD", "done", 2015)
    task("SUB-OPEN", "in_progress", 2015, parent=lead)

    def document(title, state, archived_year, retention_year=None):
        return Document.objects.create(
            kind=DocumentKind.values[0],
            title=title,
            recipients="各部门",
            body="正文",
            department=org.purchasing,
            drafter=org.purchasing_head,
            state=state,
            archived_at=moment(archived_year) if archived_year else None,
            retention_year=retention_year,
        )

    due_doc = document("旧通知", "archived", 2010, retention_year=2020)
    Opinion.objects.create(
        document=due_doc,
        stage="review",
        department=org.purchasing,
        author=org.purchasing_head,
        decision="agree",
        version=1,
    )
    by_setting = document("按年限到期", "archived", 2012)
    kept_doc = document("永久保存", "archived", 2010, retention_year=2099)
    held_doc = document("冻结", "archived", 2010, retention_year=2011)
    set_legal_hold(held_doc, by=org.admin, hold=True, reason="审计")
    draft_doc = document("草稿", "draft", None)
    return {
        "due_tasks": {old.pk, cancelled.pk},
        "kept_tasks": {held.pk, still_open.pk, recent.pk, lead.pk},
        "due_documents": {due_doc.pk, by_setting.pk},
        "kept_documents": {kept_doc.pk, held_doc.pk, draft_doc.pk},
        "attachment": attachment.file.name,
        "old": old,
    }


def run(*args) -> str:
    out = StringIO()
    call_command("retention", *args, stdout=out, stderr=StringIO())
    return out.getvalue()


def snapshot():
    return (
        sorted(Task.objects.values_list("pk", flat=True)),
        sorted(Document.objects.values_list("pk", flat=True)),
        ActionLog.objects.count(),
        RetentionRun.objects.count(),
    )


def test_dry_run_counts_by_kind_and_year_and_changes_nothing(items, storage):
    before = snapshot()
    out = run()
    assert snapshot() == before
    assert "request     2015         1" in out and "request     2016         1" in out
    assert "document    2010         1" in out and "document    2012         1" in out
    assert "Dry run" in out
    assert not list((storage / "archive").glob("*.gz"))


def test_apply_archives_then_removes_only_what_is_due(items, storage, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        out = run("--apply")
    remaining_tasks = set(Task.objects.values_list("pk", flat=True))
    remaining_documents = set(Document.objects.values_list("pk", flat=True))
    assert not remaining_tasks & items["due_tasks"]
    assert items["kept_tasks"] <= remaining_tasks
    assert not remaining_documents & items["due_documents"]
    assert items["kept_documents"] <= remaining_documents
    assert not Approval.objects.filter(task_id=items["old"].pk).exists()
    assert not ActionLog.objects.filter(object_id=items["old"].pk, content_type__model="task").exists()
    # The archive reads back with every row of the objects and what hangs under them.
    run_row = RetentionRun.objects.get()
    assert run_row.status == "done" and run_row.removed == {"request": 2, "document": 2}
    assert run_row.archive_path in out
    records = list(read(Path(run_row.archive_path)))
    assert {(r["kind"], r["object"]["pk"]) for r in records} == {("request", pk) for pk in items["due_tasks"]} | {
        ("document", pk) for pk in items["due_documents"]
    }
    old = next(r for r in records if r["object"]["pk"] == items["old"].pk and r["kind"] == "request")
    assert old["object"]["fields"]["number"] == "OLD-1"
    assert len(old["children"]["approvals"]) == 1 and old["children"]["comments"][0]["fields"]["body"] == "谢谢"
    assert old["children"]["attachments"][0]["fields"]["name"] == "清单.txt"
    assert [log["fields"]["action"] for log in old["children"]["logs"]] == ["task.confirmed"]
    document = next(r for r in records if r["kind"] == "document" and r["children"]["opinions"])
    assert document["object"]["fields"]["title"] == "旧通知"
    with gzip.open(run_row.archive_path, "rt", encoding="utf-8") as lines:
        assert all(json.loads(line) for line in lines)
    with tarfile.open(run_row.files_path, "r:gz") as tar:
        assert tar.extractfile(items["attachment"]).read() == "盘点".encode()
    # The file left the storage once archived.
    assert not (storage / "media" / items["attachment"]).exists()
    # Running again finds nothing more.
    assert "Nothing is due" in run("--apply")


def test_legal_hold_is_logged_with_who_and_why(items, org):
    held = Task.objects.get(number="HELD")
    entry = ActionLog.objects.filter(object_id=held.pk, action="legal_hold.placed").get()
    assert entry.actor == org.admin and "民初123号" in entry.comment
    assert held.legal_hold and held.legal_hold_reason
    assert set_legal_hold(held, by=org.admin, hold=False, reason="结案") is True
    assert not Task.objects.get(pk=held.pk).legal_hold
    assert ActionLog.objects.filter(object_id=held.pk, action="legal_hold.lifted").exists()


def test_only_one_kind(items):
    run("--apply", "--kind", "document")
    assert set(Task.objects.values_list("pk", flat=True)) >= items["due_tasks"]
    assert not Document.objects.filter(pk__in=items["due_documents"]).exists()


def test_retention_off_means_nothing_is_due(items, settings):
    settings.RETENTION_REQUEST_YEARS = None
    settings.RETENTION_DOCUMENT_YEARS = None
    before = snapshot()
    assert "Retention is off" in run("--apply")
    assert snapshot() == before


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--batch-size", "0"], "--batch-size"),
        (["--batch-size", "-5"], "--batch-size"),
        (["--kind", "teams"], "invalid choice"),
        (["--archive-dir", "bad\x00dir"], "not a valid path"),
    ],
)
def test_bad_arguments_give_a_clear_error(items, args, message):
    before = snapshot()
    with pytest.raises(CommandError, match=message):
        run(*args)
    assert snapshot() == before


def test_a_kind_whose_retention_is_off_cannot_be_asked_for(items, settings):
    settings.RETENTION_REQUEST_YEARS = None
    with pytest.raises(CommandError, match="RETENTION_REQUEST_YEARS"):
        run("--kind", "request")


def test_an_archive_folder_that_is_a_file_stops_before_anything_is_removed(items, storage):
    blocker = storage / "a-file"
    blocker.write_text("")
    before = snapshot()
    with pytest.raises(CommandError, match="not a folder"):
        run("--apply", "--archive-dir", str(blocker))
    assert snapshot() == before


def test_an_archive_that_does_not_read_back_removes_nothing(items, monkeypatch):
    from retention.archive import ArchiveError, ArchiveWriter

    def broken(self):
        raise ArchiveError("the archive does not hold every record written to it")

    monkeypatch.setattr(ArchiveWriter, "verify", broken)
    before = snapshot()[:3]
    with pytest.raises(CommandError, match="nothing removed"):
        run("--apply")
    assert snapshot()[:3] == before
    failed = RetentionRun.objects.get()
    assert failed.status == "failed" and "every record" in failed.error


def test_the_pdf_made_of_a_removed_attachment_leaves_with_it(items, storage, django_capture_on_commit_callbacks):
    """An attachment's preview PDF shows what the attachment holds: removing the request removes
    its job and its file from the storage too."""
    from django.contrib.contenttypes.models import ContentType

    from core.models import GeneratedFile

    attachment = items["old"].attachments.get()
    job = GeneratedFile.objects.create(
        content_type=ContentType.objects.get_for_model(Attachment),
        object_id=attachment.pk,
        kind=Attachment.PDF_KIND,
        version="pdf",
        status=GeneratedFile.Status.READY,
    )
    job.pdf.save("task_attachment-1.pdf", ContentFile(b"%PDF-1.7\n%%EOF\n"))
    stored = storage / "media" / job.pdf.name
    assert stored.exists()
    with django_capture_on_commit_callbacks(execute=True):
        run("--apply")
    assert not GeneratedFile.objects.filter(pk=job.pk).exists()
    assert not stored.exists()
