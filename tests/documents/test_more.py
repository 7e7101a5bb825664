"""Versions and comparison (留痕), the processing sheet, notifications and reminders per step,
received documents routed as requests, user templates, the register search, the generated-file
pages (status polling, retry, who may download) and the body markup."""

import io
import zipfile
from datetime import datetime

import pytest
import time_machine
from django.contrib.auth.models import Permission
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation
from docx import Document as Docx

from core import rendering
from core.models import GeneratedFile
from departments.models import Delegation, User
from documents import body, services
from documents.compare import Piece, compare_versions
from documents.models import Acknowledgement, Document, IncomingDocument
from documents.usertemplates import TemplateRejected, fill, inspect
from notifications.models import Notification
from tasks.models import Task
from tasks.services import task_create
from tests.conftest import login
from tests.samples import sample

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)


@pytest.fixture(autouse=True)
def english(org):
    """Messages are checked in English: everyone reads the site in English here."""
    User.objects.update(language="en")
    with translation.override("en"):
        yield


def make(org, **extra):
    data = {
        "by": org.requester,
        "kind": "notice",
        "title": "关于年终盘点的通知",
        "recipients": "各部门",
        "body": "请于月底前完成盘点。\n\n盘点结果报财务部。",
        "recipient_departments": [org.purchasing],
    }
    data.update(extra)
    return services.document_create(**data)


def docx_bytes(paragraphs=(), *, header=""):
    document = Docx()
    for text in paragraphs:
        document.add_paragraph(text)
    if header:
        document.sections[0].header.paragraphs[0].text = header
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


# Versions and comparison


def test_every_changed_save_is_a_version_and_any_two_compare(org):
    document = make(org)
    services.document_edit(
        document=document,
        by=org.requester,
        title=document.title,
        recipients="各部门",
        body="请于月底前完成盘点。\n\n盘点结果报财务部。",
    )
    assert document.versions.count() == 1  # nothing changed: no new version
    services.document_edit(
        document=document,
        by=org.requester,
        title="关于年度盘点的通知",
        recipients="各部门",
        body="请于12月25日前完成盘点。\n\n盘点结果报财务部。\n\n逾期未报的，予以通报。",
    )
    document.refresh_from_db()
    assert document.version == 2 and list(document.versions.values_list("number", flat=True)) == [1, 2]
    comparison = compare_versions(document, 1, 2)
    assert comparison.fields == [("Title", "关于年终盘点的通知", "关于年度盘点的通知")]
    kinds = [line.kind for line in comparison.lines]
    assert kinds.count("changed") == 1 and kinds.count("added") >= 1
    changed = next(line for line in comparison.lines if line.kind == "changed")
    # Marked by character: what went ("底") and what came ("25日").
    assert Piece("底", marked=True) in changed.old and Piece("25日", marked=True) in changed.new


def test_a_return_shows_what_changed_since(client, org):
    document = make(org)
    services.document_submit(document=document, by=org.requester)
    services.document_review(document=document, by=org.sales_head, agree=False, text="时间要写明确")
    document.refresh_from_db()
    assert document.state == "draft" and document.returned_version == 1
    services.document_edit(
        document=document,
        by=org.requester,
        title=document.title,
        recipients="各部门",
        body="请于12月25日前完成盘点。\n\n盘点结果报财务部。",
    )
    login(client, org.sales_head)
    page = client.get(f"/documents/{document.pk}/").content.decode()
    assert "Changes since it was returned (v1 → v2)" in page and "<ins>25日</ins>" in page


def test_the_comparison_page_escapes_and_rejects_unknown_versions(client, org):
    document = make(org, body="<script>alert(1)</script>")
    services.document_edit(
        document=document, by=org.requester, title=document.title, recipients="各部门", body="<script>alert(2)</script>"
    )
    login(client, org.requester)
    page = client.get(f"/documents/{document.pk}/compare/?a=1&b=2").content.decode()
    assert "<script>alert" not in page and "&lt;script&gt;" in page
    assert client.get(f"/documents/{document.pk}/compare/?a=1&b=9").status_code == 404
    assert client.get(f"/documents/{document.pk}/compare/?a=x").status_code == 404
    login(client, org.outsider)
    assert client.get(f"/documents/{document.pk}/compare/").status_code == 404


# Notifications and reminders


def test_each_step_tells_the_people_it_waits_for(org, django_capture_on_commit_callbacks):
    document = make(org, countersign_departments=[org.purchasing])
    services.document_submit(document=document, by=org.requester)
    assert set(Notification.objects.filter(kind="document.review").values_list("recipient__username", flat=True)) >= {
        "sales_head"
    }
    services.document_review(document=document, by=org.sales_head, agree=True)
    assert Notification.objects.filter(kind="document.countersign", recipient=org.purchasing_head).exists()
    with django_capture_on_commit_callbacks(execute=True):
        services.document_countersign(document=document, by=org.purchasing_head, department=org.purchasing, agree=True)
    signoff = Notification.objects.get(kind="document.sign_off", recipient=org.leader)
    assert signoff.link == f"/documents/{document.pk}/" and signoff.path == signoff.link
    services.document_sign_off(document=document, by=org.leader, agree=False, text="请补充依据")
    returned = Notification.objects.get(kind="document.returned", recipient=org.requester)
    assert "请补充依据" in returned.message


def test_undistributed_departments_are_reminded_once_a_working_day(org, django_capture_on_commit_callbacks):
    document = make(org, recipient_departments=[org.purchasing, org.hr])
    services.document_submit(document=document, by=org.requester)
    services.document_review(document=document, by=org.sales_head, agree=True)
    services.document_sign_off(document=document, by=org.leader)
    with time_machine.travel(datetime(2026, 12, 1, 10, 0, tzinfo=timezone.get_current_timezone()), tick=False):
        Document.objects.filter(pk=document.pk).update(issued_at=timezone.now())
        services.document_distribute(document=document, by=org.requester)
        services.document_acknowledge(document=document, by=org.assignee, department=org.purchasing)
        assert services.remind_unacknowledged() == 0  # not a working day old yet
    with time_machine.travel(datetime(2026, 12, 2, 11, 0, tzinfo=timezone.get_current_timezone()), tick=False):
        assert services.remind_unacknowledged() == 1  # hr only: purchasing acknowledged
        assert services.remind_unacknowledged() == 0  # not twice the same day
    ack = Acknowledgement.objects.get(document=document, department=org.hr)
    assert ack.reminded_at is not None and ack.at is None
    # The issuer can remind by hand too; and once all have acknowledged there is nobody left.
    assert services.document_remind(document=document, by=org.requester) == 1
    with pytest.raises(services.DocumentError):
        Acknowledgement.objects.filter(document=document).update(at=timezone.now())
        services.document_remind(document=document, by=org.requester)


# Processing sheet and the layout check at sign-off


def test_processing_sheet_lists_every_opinion_with_acting_for(org, django_capture_on_commit_callbacks):
    Delegation.objects.create(
        delegator=org.leader,
        delegate=org.sales_head,
        starts_on=timezone.localdate(),
        ends_on=timezone.localdate(),
        reason="出差",
    )
    document = make(org)
    services.document_submit(document=document, by=org.requester)
    services.document_review(document=document, by=org.sales_deputy, agree=True, text="同意，请领导签发")
    with django_capture_on_commit_callbacks(execute=True):
        services.document_sign_off(document=document, by=org.sales_head, text="同意印发")
    document.refresh_from_db()
    with django_capture_on_commit_callbacks(execute=True):
        job = services.document_render(document=document, kind="processing_sheet")
    job.refresh_from_db()
    assert job.status == "ready"
    sheet = Docx(job.file.open("rb"))
    texts = "\n".join(p.text for p in sheet.paragraphs)
    cells = [[c.text for c in row.cells] for table in sheet.tables for row in table.rows]
    assert "发文稿纸" in texts
    assert ["Document number", document.number.text] in cells
    review = next(row for row in cells if "同意，请领导签发" in row)
    assert review[1] == org.sales.display_name and review[2] == org.sales_deputy.name and review[3] == "Agree"
    sign_off = next(row for row in cells if "同意印发" in row)
    assert org.sales_head.name in sign_off[2] and org.leader.name in sign_off[2]  # acting for the leader
    assert sign_off[5].startswith(str(timezone.localdate().year))


def test_the_leader_sees_the_layout_check_before_signing(client, org, django_capture_on_commit_callbacks):
    document = make(org)
    services.document_submit(document=document, by=org.requester)
    with django_capture_on_commit_callbacks(execute=True):
        services.document_review(document=document, by=org.sales_head, agree=True)
    draft = rendering.latest(document, "document")
    assert draft.status == "ready" and draft.problems == []  # the draft number line is accepted
    login(client, org.leader)
    page = client.get(f"/documents/{document.pk}/").content.decode()
    assert 'id="layout-check"' in page and "The layout check found no problem." in page


def test_layout_problems_are_shown_in_the_readers_language(client, org, django_capture_on_commit_callbacks):
    document = make(org)
    services.document_submit(document=document, by=org.requester)
    with django_capture_on_commit_callbacks(execute=True):
        services.document_review(document=document, by=org.sales_head, agree=True)
    GeneratedFile.objects.filter(kind="document").update(problems=["Page numbers are missing."])
    User.objects.filter(pk=org.leader.pk).update(language="zh-hans")
    login(client, org.leader)
    page = client.get(f"/documents/{document.pk}/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "页码缺失。" in page and "Page numbers are missing." not in page


# Generated files: status, retry, who may download


def test_generated_file_pages(client, org, monkeypatch):
    document = make(org)
    job = services.document_render(document=document)
    login(client, org.requester)
    status = client.get(f"/files/{job.pk}/status/").content.decode()
    assert 'hx-trigger="every 2s"' in status  # queued: the block keeps polling
    assert client.get(f"/files/{job.pk}/").status_code == 404  # not ready yet
    broken = rendering.Builder("document", lambda d: 1 / 0, rendering.builder_for("document").can_view, str)
    monkeypatch.setitem(rendering.BUILDERS, "document", broken)
    while rendering.run(job.pk) == "retry":
        GeneratedFile.objects.filter(pk=job.pk).update(status="queued")
    status = client.get(f"/files/{job.pk}/status/").content.decode()
    assert "every 2s" not in status and "ZeroDivisionError" in status and "retry" in status
    monkeypatch.undo()
    retried = client.post(f"/files/{job.pk}/retry/", {"next": "https://evil.example/"})
    assert retried.status_code == 302 and retried["Location"] == "/"  # no open redirect
    assert GeneratedFile.objects.get(pk=job.pk).status in ("queued", "ready")
    rendering.run(job.pk)
    download = client.get(f"/files/{job.pk}/")
    assert download.status_code == 200
    ready = client.get(f"/files/{job.pk}/status/?check=1").content.decode()  # the sign-off page's block
    assert "every 2s" not in ready and "The layout check found no problem." in ready
    login(client, org.outsider)
    for url in (f"/files/{job.pk}/", f"/files/{job.pk}/status/"):
        assert client.get(url).status_code == 404
    assert client.post(f"/files/{job.pk}/retry/").status_code == 404
    assert client.get("/files/999999/").status_code == 404


# Received documents


@pytest.fixture
def registrar(org):
    org.requester.user_permissions.add(Permission.objects.get(codename="add_incomingdocument"))
    return org.requester


def test_a_received_document_becomes_a_request_for_each_department(client, org, registrar):
    login(client, registrar)
    upload = SimpleUploadedFile("来文.pdf", b"%PDF-1.4 test", content_type="application/pdf")
    response = client.post(
        "/documents/incoming/new/",
        {
            "title": "关于开展安全生产检查的通知",
            "source": "市应急管理局",
            "their_number": "应急〔2026〕12号",
            "received_on": "2026-11-27",
            "urgency": "urgent",
            "summary": "请于12月10日前完成自查并报送。",
            "file": upload,
            "departments": [org.purchasing.pk, org.hr.pk],
        },
    )
    incoming = IncomingDocument.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/documents/incoming/{incoming.pk}/"
    tasks = Task.objects.filter(incoming_route__incoming=incoming).order_by("target_department__code")
    assert [t.target_department.code for t in tasks] == ["hr", "purchasing"]
    assert all(t.state == "pending_acceptance" and t.title.startswith("【收文】") for t in tasks), [
        t.state for t in tasks
    ]
    # The handling department sees it; an unrelated one does not.
    login(client, org.purchasing_head)
    assert client.get(f"/documents/incoming/{incoming.pk}/").status_code == 200
    assert client.get(f"/documents/incoming/{incoming.pk}/file/").status_code == 200
    login(client, org.sales_head)
    assert client.get(f"/documents/incoming/{incoming.pk}/").status_code == 404
    assert client.get("/documents/incoming/new/").status_code == 403


def test_a_request_page_links_the_received_document_it_came_from(client, org, registrar):
    """The documents app adds the link to the request page ({% received_document %}); a request
    that did not come from one reads nothing for it."""
    login(client, registrar)
    client.post(
        "/documents/incoming/new/",
        {
            "title": "关于开展安全生产检查的通知",
            "source": "市应急管理局",
            "received_on": "2026-11-27",
            "urgency": "normal",
            "file": SimpleUploadedFile("来文.pdf", b"%PDF-1.4 test", content_type="application/pdf"),
            "departments": [org.purchasing.pk],
        },
    )
    incoming = IncomingDocument.objects.get()
    routed = Task.objects.get(incoming_route__incoming=incoming)
    link = f'href="/documents/incoming/{incoming.pk}/"'
    login(client, org.purchasing_head)
    page = client.get(f"/requests/{routed.number}/").content.decode()
    assert link in page and "关于开展安全生产检查的通知" in page
    other = task_create(by=org.requester, request_type=routed.request_type, title="普通事务")
    login(client, org.requester)
    with CaptureQueriesContext(connection) as queries:
        page = client.get(f"/requests/{other.number}/").content.decode()
    assert "/documents/incoming/" not in page
    read_routes = [q for q in queries.captured_queries if q["sql"].startswith('SELECT "documents_incomingroute"')]
    assert not read_routes


def test_a_bad_received_document_saves_nothing(client, org, registrar):
    login(client, registrar)
    response = client.post(
        "/documents/incoming/new/",
        {
            "title": "来文",
            "source": "某单位",
            "received_on": "2026-11-27",
            "urgency": "normal",
            "file": SimpleUploadedFile("virus.exe", b"MZ", content_type="application/octet-stream"),
            "departments": [org.purchasing.pk],
        },
    )
    assert response.status_code == 200 and "not an allowed file type" in response.content.decode()
    assert not IncomingDocument.objects.exists() and not Task.objects.exists()
    response = client.post("/documents/incoming/new/", {"title": "", "departments": ["x"]})
    assert response.status_code == 200 and not IncomingDocument.objects.exists()


# User templates


def test_a_good_template_is_accepted_and_filled_as_plain_text():
    data = docx_bytes(
        ["{{ organ }}", "{{ number }}", "{{title}}", "{{ recipients }}：", "{{ body }}", "{{ date }}"],
        header="{{ organ }}",
    )
    assert inspect("红头.docx", data) == ["body", "date", "number", "organ", "recipients", "title"]
    filled = fill(
        data,
        {
            "organ": "协作门户公司",
            "number": "销售〔2026〕3号",
            "title": "{{ settings.SECRET_KEY }}",
            "recipients": "各部门",
            "date": "2026年11月28日",
        },
        ["第一段。", "第二段。"],
    )
    document = Docx(io.BytesIO(filled))
    texts = [p.text for p in document.paragraphs]
    assert texts == [
        "协作门户公司",
        "销售〔2026〕3号",
        "{{ settings.SECRET_KEY }}",
        "各部门：",
        "第一段。",
        "第二段。",
        "2026年11月28日",
    ]  # a value that looks like a placeholder stays text
    assert document.sections[0].header.paragraphs[0].text == "协作门户公司"


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("a.docm", b"PK", "Only .docx"),
        ("a.docx", b"not a zip at all", "not a Word document"),
        ("a.docx", b"x" * (5 * 1024 * 1024 + 1), "larger than"),
    ],
)
def test_bad_template_files_are_refused(name, data, message):
    with pytest.raises(TemplateRejected, match=message):
        inspect(name, data)


def test_templates_with_macros_or_unknown_placeholders_are_refused():
    good = docx_bytes(["{{ title }}"])
    macro = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(good)) as source, zipfile.ZipFile(macro, "w") as target:
        for item in source.infolist():
            content = source.read(item.filename)
            if item.filename == "[Content_Types].xml":
                content = content.replace(b"document.main+xml", b"document.macroEnabled.main+xml")
            target.writestr(item, content)
        target.writestr("word/vbaProject.bin", b"\x00")
    with pytest.raises(TemplateRejected, match="macros"):
        inspect("disguised.docx", macro.getvalue())
    with pytest.raises(TemplateRejected) as refused:
        inspect("t.docx", docx_bytes(["{{ title }}", "{{ user.password }}", "{% load os %}", "{{ __import__ }}"]))
    assert "user.password" in str(refused.value) and "{% load os %}" in str(refused.value)
    assert "__import__" in str(refused.value) and "{{ title }}" in str(refused.value)  # lists the known ones
    with pytest.raises(TemplateRejected, match="no placeholders"):
        inspect("t.docx", docx_bytes(["正文"]))


def test_a_document_renders_with_an_uploaded_template(org, django_capture_on_commit_callbacks):
    template = services.template_upload(
        by=org.admin,
        name="销售部红头",
        kind="",
        upload=SimpleUploadedFile("t.docx", docx_bytes(["{{ organ }}", "{{ title }}", "{{ body }}"])),
    )
    assert template.placeholders == ["body", "organ", "title"]
    document = make(org, template=template)
    with django_capture_on_commit_callbacks(execute=True):
        job = services.document_render(document=document)
    job.refresh_from_db()
    texts = [p.text for p in Docx(job.file.open("rb")).paragraphs]
    assert texts[1:] == ["关于年终盘点的通知", "请于月底前完成盘点。", "盘点结果报财务部。"]


def test_template_upload_in_the_admin_refuses_a_bad_file(client, org):
    login(client, org.admin)
    response = client.post(
        "/admin/documents/documenttemplate/add/",
        {
            "name": "坏模板",
            "kind": "",
            "is_active": "on",
            "file": SimpleUploadedFile("t.docx", docx_bytes(["{{ secret }}"])),
        },
    )
    assert response.status_code == 200 and "Unknown placeholders" in response.content.decode()
    response = client.post(
        "/admin/documents/documenttemplate/add/",
        {
            "name": "好模板",
            "kind": "notice",
            "is_active": "on",
            "file": SimpleUploadedFile("t.docx", docx_bytes(["{{ title }}", "{{ body }}"])),
        },
    )
    assert response.status_code == 302
    from documents.models import DocumentTemplate

    assert DocumentTemplate.objects.get().placeholders == ["body", "title"]


# The register


def test_register_search_filters_and_respects_visibility(client, org, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):  # the search index is written after commit
        make(org, title="关于年终盘点的通知", body="盘点")
        make(org, title="采购合同审批函", kind="letter", body="合同金额较大")
    login(client, org.requester)
    page = client.get("/documents/?scope=register&kind=letter").content.decode()
    assert "采购合同审批函" in page and "年终盘点" not in page
    page = client.get("/documents/?scope=register&text=合同金额").content.decode()
    assert "采购合同审批函" in page and "年终盘点" not in page
    page = client.get("/documents/?scope=register&since=2026-12-31&until=2026-01-01").content.decode()
    assert "The start date is after the end date." in page
    assert client.get("/documents/?scope=register&department=abc&since=notadate").status_code == 200
    login(client, org.outsider)
    page = client.get("/documents/?scope=register&text=合同").content.decode()
    assert "采购合同审批函" not in page


# The body markup


def test_body_markup_gives_headings_lists_and_tables_and_stays_text():
    text = "# 一、总体要求\n按期完成。\n\n- 第一项\n- 第二项\n\n| 部门 | 日期 |\n|---|---|\n| 销售部 | 12月1日 |\n\n<b>粗体</b>"
    blocks = body.parse(text)
    assert [b.kind for b in blocks] == ["heading", "paragraph", "list", "table", "paragraph"]
    assert blocks[2].items == ["第一项", "第二项"] and blocks[3].rows == [["部门", "日期"], ["销售部", "12月1日"]]
    html = body.to_html(text)
    assert "<h3" in html and "<li>第一项</li>" in html and "<td>销售部</td>" in html
    assert "<b>" not in html and "&lt;b&gt;粗体&lt;/b&gt;" in html


# The request form (事务单) of a request


def test_a_requests_form_has_its_approvals_and_timeline(client, org, django_capture_on_commit_callbacks):
    from tasks import services as task_services
    from tasks.models import RequestType

    request_type = RequestType.objects.create(
        department=org.purchasing, code="buy", name="采购申请", name_en="Purchase"
    )
    task = task_services.task_create(by=org.requester, request_type=request_type, title="采购笔记本电脑", submit=True)
    task_services.task_comment(task=task, by=org.requester, body="请尽快")
    login(client, org.requester)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/requests/{task.number}/form/")
    assert response.status_code == 302
    job = rendering.latest(task, "request_form")
    assert job.status == "ready"
    page = client.get(f"/requests/{task.number}/").content.decode()
    assert f"/files/{job.pk}/" in page
    sheet = Docx(job.file.open("rb"))
    cells = [[c.text for c in row.cells] for table in sheet.tables for row in table.rows]
    assert ["Number", task.number] in cells and ["Title", "采购笔记本电脑"] in cells
    timeline = cells[cells.index(["Date", "Who", "What", "Comment"]) + 1 :]
    assert [row[1:] for row in timeline] == [
        [org.requester.name, "created the request", ""],
        [org.requester.name, "submitted", ""],
        [org.requester.name, "commented", "请尽快"],
    ]
    login(client, org.outsider)
    assert client.post(f"/requests/{task.number}/form/").status_code == 404
    assert client.get(f"/files/{job.pk}/").status_code == 404


@pytest.mark.skipif(
    "postgresql" not in __import__("django.conf").conf.settings.DATABASES["default"]["ENGINE"],
    reason="full-text search of the register needs PostgreSQL",
)
def test_register_text_search_uses_postgresql_full_text_ranked(client, org, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):  # the search index is written after commit
        make(org, title="采购合同审批函", kind="letter", body="合同金额较大，请财务部审核合同条款。合同附件三份。")
        make(org, title="关于年终盘点的通知", body="盘点范围包括合同存档。")
        make(org, title="关于团建活动的通知", body="周五下午组织团建。")
    login(client, org.requester)
    response = client.get("/documents/?scope=register&text=合同")
    titles = [d.title for d in response.context["documents"]]
    assert titles == ["采购合同审批函", "关于年终盘点的通知"]  # the closer match first; 团建 not at all
    response = client.get("/documents/?scope=register&text=合同条款&kind=letter")
    assert [d.title for d in response.context["documents"]] == ["采购合同审批函"]
    login(client, org.outsider)
    assert list(client.get("/documents/?scope=register&text=合同").context["documents"]) == []


def test_attachments_go_with_the_draft_and_bad_ones_save_nothing(client, org):
    from tests.documents.test_views import draft_data

    login(client, org.requester)
    response = client.post(
        "/documents/new/",
        {
            **draft_data(),
            "attachments": [SimpleUploadedFile("物料清单.xlsx", sample("xlsx")), SimpleUploadedFile("a.txt", b"x")],
        },
    )
    document = Document.objects.get()
    assert response.status_code == 302 and sorted(document.attachments.values_list("name", flat=True)) == [
        "a.txt",
        "物料清单.xlsx",
    ]
    attachment = document.attachments.get(name="a.txt")
    assert client.get(f"/documents/{document.pk}/attachments/{attachment.pk}/").status_code == 200
    response = client.post(
        "/documents/new/", {**draft_data(title="另一份"), "attachments": [SimpleUploadedFile("run.exe", b"MZ")]}
    )
    assert response.status_code == 200 and "not an allowed file type" in response.content.decode()
    assert Document.objects.count() == 1  # nothing half-saved
    login(client, org.outsider)
    assert client.get(f"/documents/{document.pk}/attachments/{attachment.pk}/").status_code == 404
    other = make(org, title="别的")
    login(client, org.requester)  # IDOR: an attachment under another document's id
    assert client.get(f"/documents/{other.pk}/attachments/{attachment.pk}/").status_code == 404


# Number registers: reserve (占号), use at sign-off, void (退号), gap audit


def test_admins_reserve_and_void_numbers_and_a_leader_uses_a_reserved_one(client, org):
    year = timezone.localdate().year
    login(client, org.admin)
    response = client.post("/documents/numbers/", {"kind": "notice", "department": org.sales.pk, "subject": "年终总结"})
    assert response.status_code == 302
    response = client.post("/documents/numbers/", {"kind": "notice", "department": org.sales.pk, "subject": "备用"})
    from documents.models import DocumentNumber

    first, second = DocumentNumber.objects.order_by("number")
    assert (first.text, first.status) == (f"销售〔{year}〕1号", "reserved")
    # A void needs a reason; then the gap audit shows it with the reason.
    client.post(f"/documents/numbers/{second.pk}/void/", {"reason": ""})
    assert DocumentNumber.objects.get(pk=second.pk).status == "reserved"
    client.post(f"/documents/numbers/{second.pk}/void/", {"reason": "计划取消"})
    assert DocumentNumber.objects.get(pk=second.pk).status == "voided"
    page = client.get("/documents/numbers/").content.decode()
    assert f"销售〔{year}〕2号" in page and "计划取消" in page and f"销售〔{year}〕1号" in page
    # The leader signs off a notice with the reserved number 1; the next one takes 3.
    document = make(org, title="年终总结")
    services.document_submit(document=document, by=org.requester)
    services.document_review(document=document, by=org.sales_head, agree=True)
    login(client, org.leader)
    assert f"销售〔{year}〕1号" in client.get(f"/documents/{document.pk}/").content.decode()
    client.post(f"/documents/{document.pk}/do/sign_off/", {"agree": "yes", "reserved": first.pk})
    document.refresh_from_db()
    assert document.number_id == first.pk and document.number.status == "issued"
    other = make(org, title="另一份通知")
    services.document_submit(document=other, by=org.requester)
    services.document_review(document=other, by=org.sales_head, agree=True)
    services.document_sign_off(document=other, by=org.leader)
    other.refresh_from_db()
    assert other.number.text == f"销售〔{year}〕3号"
    # An issued document's number cannot be voided, and nobody but admins may touch the registers.
    login(client, org.admin)
    client.post(f"/documents/numbers/{first.pk}/void/", {"reason": "误操作"})
    assert DocumentNumber.objects.get(pk=first.pk).status == "issued"
    login(client, org.sales_head)
    assert client.get("/documents/numbers/").status_code == 403
    assert client.post(f"/documents/numbers/{first.pk}/void/", {"reason": "x"}).status_code == 403


def test_a_failed_render_leaves_the_previous_file_downloadable(client, org, monkeypatch):
    document = make(org)
    first = services.document_render(document=document)
    assert rendering.run(first.pk) == "ready"
    services.document_edit(document=document, by=org.requester, title=document.title, recipients="各部门", body="改")
    document.refresh_from_db()
    broken = rendering.Builder("document", lambda d: 1 / 0, rendering.builder_for("document").can_view, str)
    monkeypatch.setitem(rendering.BUILDERS, "document", broken)
    second = services.document_render(document=document)
    while rendering.run(second.pk) == "retry":
        pass
    assert GeneratedFile.objects.get(pk=second.pk).status == "failed"
    login(client, org.requester)
    page = client.get(f"/documents/{document.pk}/").content.decode()
    assert f"/files/{second.pk}/retry/" in page and f"/files/{first.pk}/" in page  # the earlier file is offered
    download = client.get(f"/files/{first.pk}/")
    assert download.status_code == 200 and b"".join(download.streaming_content)[:2] == b"PK"


def test_a_named_reviewer_reviews_the_departments_drafts(client, org):
    org.sales.document_reviewers.add(org.assignee)  # 钱四 of 采购部 reviews 销售部's drafts (核稿人)
    document = make(org)
    services.document_submit(document=document, by=org.requester)
    assert Notification.objects.filter(kind="document.review", recipient=org.assignee).exists()
    login(client, org.assignee)
    assert f"/documents/{document.pk}/" in client.get("/documents/").content.decode()  # waiting for me
    client.post(f"/documents/{document.pk}/do/review/", {"agree": "yes", "text": "文字已核"})
    document.refresh_from_db()
    assert document.state == "pending_issue"
    opinion = document.opinions.get()
    assert opinion.author == org.assignee and opinion.acting_for is None and opinion.department == org.sales


def test_the_register_exports_with_its_filters(client, org):
    import csv

    make(org, title="关于年终盘点的通知")
    make(org, title="采购合同审批函", kind="letter")
    login(client, org.requester)
    response = client.get("/documents/?scope=register&kind=letter&export=csv")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert response.status_code == 200 and [row[1] for row in rows[1:]] == ["采购合同审批函"]
    assert client.get("/documents/?scope=all&export=xlsx").content[:2] == b"PK"


def test_generate_buttons_only_when_the_file_would_change(client, org, django_capture_on_commit_callbacks):
    document = make(org)
    login(client, org.requester)
    page = client.get(f"/documents/{document.pk}/").content.decode()
    assert "/do/render/" in page and "/do/processing_sheet/" in page
    with django_capture_on_commit_callbacks(execute=True):
        services.document_render(document=document)
        services.document_render(document=document, kind="processing_sheet")
    page = client.get(f"/documents/{document.pk}/").content.decode()
    assert "/do/render/" not in page and "/do/processing_sheet/" not in page  # both made for this version
    services.document_edit(document=document, by=org.requester, title=document.title, recipients="各部门", body="新")
    assert "/do/render/" in client.get(f"/documents/{document.pk}/").content.decode()


def test_the_sweep_leaves_a_job_a_worker_is_rendering_now(org):
    from datetime import timedelta

    document = make(org)
    job = services.document_render(document=document)
    GeneratedFile.objects.filter(pk=job.pk).update(created_at=timezone.now() - timedelta(hours=1))
    # Claimed 20 s ago (a re-render of an old job), within the task's time limit: a worker has it,
    # the sweep must not hand it out again.
    GeneratedFile.objects.filter(pk=job.pk).update(
        status="rendering", claimed_at=timezone.now() - timedelta(seconds=20)
    )
    assert rendering.requeue_stuck() == 0
    assert GeneratedFile.objects.get(pk=job.pk).status == "rendering"
    # Claimed long ago and never finished: the worker died; the job goes back to the queue.
    GeneratedFile.objects.filter(pk=job.pk).update(claimed_at=timezone.now() - timedelta(minutes=30))
    assert rendering.requeue_stuck() == 1
    assert GeneratedFile.objects.get(pk=job.pk).status in ("queued", "ready")  # eager in tests: rendered at once
