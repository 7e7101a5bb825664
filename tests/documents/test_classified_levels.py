"""The classified levels 秘密, 机密 and 绝密: one ordered choice; each level and its 保密期限 on the
page, in the lists, in the .docx header and on the processing sheet; what is stricter at 绝密 (the
机要 office only when named, passing on by the signer and the recipient heads only, no files for
those it was passed to); and 签收 of a classified document by the recipient department's head (or
their delegate), never by a member it was passed to."""

import io
from datetime import timedelta

import pytest
from django.contrib.auth.models import Permission
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import TestCase
from django.utils import timezone
from docx import Document as Docx
from rest_framework.test import APIClient

from core import rendering
from core.docx_layout import check
from documents import rules, selectors, services
from documents.docx import document_docx, processing_sheet_docx
from documents.forms import DocumentForm
from documents.models import Acknowledgement, Document, DocumentAction
from tests.conftest import login
from tests.factories import MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db

LEVELS = ["secret", "highly_secret", "top_secret"]
TITLE = "关于调价的通知"


@pytest.fixture
def clerk(org):
    """A member of 采购部 (the recipient department) its head passes the document to."""
    person = UserFactory(username="clerk", display_name="周六")
    MembershipFactory(user=person, department=org.purchasing)
    return person


@pytest.fixture
def registry(org):
    """The 机要 office: a member of 人力资源部 granted view_classified."""
    person = UserFactory(username="jiyao", display_name="机要员")
    MembershipFactory(user=person, department=org.hr)
    person.user_permissions.add(Permission.objects.get(codename="view_classified"))
    return person


def _classified(org, level, *, years=None, distribute=True):
    document = services.document_create(
        by=org.requester,
        kind="notice",
        title=TITLE,
        recipients="采购部",
        body="调价方案：上调百分之五。",
        secrecy=level,
        secrecy_years=years,
        recipient_departments=[org.purchasing],
        attachments=[SimpleUploadedFile("价目表.txt", b"prices")],
    )
    if not distribute:
        return document
    services.document_submit(document=document, by=org.requester)
    services.document_review(document=document, by=org.sales_head, agree=True, text="同意")
    services.document_sign_off(document=document, by=org.leader, text="同意印发")
    document.refresh_from_db()
    services.document_distribute(document=document, by=org.requester)
    document.refresh_from_db()
    return document


def _sees(user, document) -> bool:
    return selectors.visible_documents(user).filter(pk=document.pk).exists()


def _docx_lines(data: bytes) -> list[str]:
    return [p.text for p in Docx(io.BytesIO(data)).paragraphs]


# One ordered choice


def test_the_levels_are_one_ordered_choice():
    S = Document.Secrecy
    assert S.values == ["public", "internal", "secret", "highly_secret", "top_secret"]
    assert Document.NAMED_ONLY == S.at_least(S.SECRET) == ("secret", "highly_secret", "top_secret")
    assert Document.STRICTEST == ("top_secret",)
    assert [Document(secrecy=level).named_only for level in S.values] == [False, False, True, True, True]
    assert [Document(secrecy=level).strictest for level in S.values] == [False, False, False, False, True]


@pytest.mark.parametrize(
    "level,years,mark",
    [
        ("secret", None, "秘密"),
        ("secret", 5, "秘密★5年"),
        ("highly_secret", 20, "机密★20年"),
        ("top_secret", None, "绝密"),
        ("top_secret", 30, "绝密★30年"),
        ("internal", None, ""),
    ],
)
def test_the_docx_header_marks_the_level_and_its_period(org, level, years, mark):
    document = _classified(org, level, years=years, distribute=False)
    assert document.secrecy_mark == mark
    lines = _docx_lines(document_docx(document))
    if mark:
        assert lines[0] == mark  # 密级★保密期限 above the organ's name, as GB/T 9704 places it
        assert lines[1].endswith("销售部文件")
    else:
        assert lines[0].endswith("销售部文件")
    assert check(document_docx(document), numbered=False) == []
    sheet = Docx(io.BytesIO(processing_sheet_docx(document)))
    cells = [cell.text for table in sheet.tables for row in table.rows for cell in row.cells]
    assert (mark or document.get_secrecy_display()) in cells


@pytest.mark.parametrize(
    "level,years,error",
    [
        ("secret", 11, True),
        ("secret", 10, False),
        ("highly_secret", 21, True),
        ("highly_secret", 20, False),
        ("top_secret", 31, True),
        ("top_secret", 0, True),
        ("top_secret", 30, False),
    ],
)
def test_the_period_is_within_what_the_law_allows(org, level, years, error):
    data = {
        "kind": "notice",
        "title": TITLE,
        "recipients": "采购部",
        "body": "正文。",
        "urgency": "normal",
        "secrecy": level,
        "secrecy_years": str(years),
    }
    form = DocumentForm(data)
    assert form.is_valid() is not error, form.errors
    if error:
        assert list(form.errors) == ["secrecy_years"]
        with pytest.raises(services.DocumentError):
            services.document_create(by=org.requester, **{**data, "secrecy_years": years})
        assert not Document.objects.exists()


def test_an_ordinary_document_keeps_no_period(org):
    form = DocumentForm(
        {"kind": "notice", "title": "通知", "recipients": "各部门", "body": "正文。", "urgency": "normal"}
        | {"secrecy": "internal", "secrecy_years": "5"}
    )
    assert form.is_valid(), form.errors
    assert form.cleaned_data["secrecy_years"] is None
    document = services.document_create(by=org.requester, **form.cleaned_data)
    assert document.secrecy_years is None


def test_the_database_refuses_a_period_beyond_the_law(org):
    from django.db import IntegrityError, transaction

    document = _classified(org, "secret", distribute=False)
    with pytest.raises(IntegrityError), transaction.atomic():
        Document.objects.filter(pk=document.pk).update(secrecy_years=15)
    with pytest.raises(IntegrityError), transaction.atomic():
        Document.objects.filter(pk=document.pk).update(secrecy="internal", secrecy_years=5)


def test_editing_keeps_or_changes_the_period(org):
    document = _classified(org, "highly_secret", years=15, distribute=False)
    services.document_edit(document=document, by=org.requester, title=TITLE, recipients="采购部", body="改。")
    document.refresh_from_db()
    assert document.secrecy_years == 15
    services.document_edit(
        document=document,
        by=org.requester,
        title=TITLE,
        recipients="采购部",
        body="改。",
        secrecy="top_secret",
        secrecy_years=None,
    )
    document.refresh_from_db()
    assert (document.secrecy, document.secrecy_years) == ("top_secret", None)


# Where people see the level


def test_the_drafting_form_offers_every_level_and_the_period(client, org):
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    login(client, org.requester)
    page = client.get("/documents/new/")
    offered = [value for value, _label in page.context["form"].fields["secrecy"].choices]
    assert offered == Document.Secrecy.values
    html = page.content.decode()
    assert 'name="secrecy_years"' in html and "Top secret (绝密)" in html
    response = client.post(
        "/documents/new/",
        {
            "kind": "notice",
            "title": TITLE,
            "recipients": "采购部",
            "body": "正文。",
            "urgency": "normal",
            "secrecy": "top_secret",
            "secrecy_years": "40",
        },
    )
    assert response.status_code == 200 and not Document.objects.exists()
    assert "kept secret for 1 to 30 years" in response.content.decode()


@pytest.mark.parametrize(
    "level,label", [("highly_secret", "Highly secret (机密)"), ("top_secret", "Top secret (绝密)")]
)
def test_the_page_and_the_lists_show_the_level(client, org, level, label):
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    document = _classified(org, level, years=8)
    login(client, org.purchasing_head)
    page = client.get(f"/documents/{document.pk}/").content.decode()
    assert "secrecy-badge" in page and label in page and "8-year term" in page
    for scope in ("all", "register"):
        listing = client.get(f"/documents/?scope={scope}").content.decode()
        assert label in listing, scope


def test_the_register_filters_by_level(client, org):
    secret = _classified(org, "secret", distribute=False)
    top = _classified(org, "top_secret", distribute=False)
    ordinary = _classified(org, "internal", distribute=False)
    login(client, org.requester)

    def found(level):
        return set(client.get(f"/documents/?scope=register&secrecy={level}").context["documents"])

    assert found("top_secret") == {top}
    assert found("secret") == {secret}
    assert found("classified") == {secret, top}
    assert found("internal") == {ordinary}
    assert found("") == {secret, top, ordinary}
    assert client.get("/documents/?scope=register&secrecy=nonsense").status_code == 200
    # the export carries the level, with the filter applied
    import csv

    export = client.get("/documents/?scope=register&secrecy=classified&export=csv").content.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(export)))[1:]
    assert sorted(row[4] for row in rows) == ["秘密", "绝密"]


# Stricter at 绝密


@pytest.mark.parametrize("level,sees", [("secret", True), ("highly_secret", True), ("top_secret", False)])
def test_the_registry_office_reads_every_level_but_top_secret(org, registry, level, sees):
    document = _classified(org, level)
    assert _sees(registry, document) is sees
    assert (document in selectors.register(registry)) is sees


def test_the_registry_office_reads_a_top_secret_document_it_is_named_for(org, registry):
    document = _classified(org, "top_secret")
    org.purchasing.head = registry  # named by role: the recipient department's head
    org.purchasing.save(update_fields=["head"])
    assert _sees(registry, document)
    # but may not pass it on by being the 机要 office alone
    org.purchasing.head = org.purchasing_head
    org.purchasing.save(update_fields=["head"])
    assert not _sees(registry, document) and not rules.named_by_role(registry, document)


@pytest.mark.parametrize(
    "person,highly_secret,top_secret",
    [
        ("requester", True, False),  # the drafter
        ("sales_head", True, False),  # the drafting department's head, the reviewer
        ("leader", True, True),  # the signer
        ("purchasing_head", True, True),  # the recipient department's head
    ],
)
def test_who_passes_it_on(org, person, highly_secret, top_secret):
    for level, expected in (("highly_secret", highly_secret), ("top_secret", top_secret)):
        document = _classified(org, level)
        assert rules.can(getattr(org, person), "pass_to", document) is expected, (person, level)


def test_top_secret_is_passed_on_by_the_recipient_head_only_once_distributed(org, clerk):
    document = _classified(org, "top_secret", distribute=False)
    assert not rules.can(org.purchasing_head, "pass_to", document)
    assert not rules.can(org.requester, "pass_to", document)
    with pytest.raises(PermissionDenied):
        services.document_pass_to(document=document, by=org.requester, people=[org.sales_deputy])
    assert not document.readers.exists()


def test_a_delegate_of_the_recipient_head_passes_top_secret_on(org, clerk):
    from departments.services import delegation_create

    document = _classified(org, "top_secret")
    today = timezone.localdate()
    delegation_create(by=org.purchasing_head, delegate=org.outsider, starts_on=today, ends_on=today + timedelta(2))
    assert rules.can(org.outsider, "pass_to", document)


def test_the_drafting_head_cannot_pass_top_secret_on(client, org, clerk):
    document = _classified(org, "top_secret")
    login(client, org.sales_head)
    page = client.get(f"/documents/{document.pk}/")
    assert page.status_code == 200 and not page.context["can"]["pass_to"] and page.context["pass_form"] is None
    assert 'id="strictest"' in page.content.decode()
    assert client.post(f"/documents/{document.pk}/pass/", {"people": [org.sales_deputy.pk]}).status_code == 403
    assert not document.readers.exists()


@pytest.mark.parametrize("level,files", [("secret", True), ("highly_secret", True), ("top_secret", False)])
def test_those_it_was_passed_to_take_no_file_of_top_secret(client, org, clerk, settings, tmp_path, level, files):
    settings.MEDIA_ROOT = str(tmp_path)
    document = _classified(org, level)
    with TestCase.captureOnCommitCallbacks(execute=True):
        services.document_render(document=document)
    job = rendering.latest(document, "document")
    assert job.status == "ready"
    attachment = document.attachments.get()
    services.document_pass_to(document=document, by=org.purchasing_head, people=[clerk])
    login(client, clerk)
    page = client.get(f"/documents/{document.pk}/")
    assert page.status_code == 200 and page.context["files_allowed"] is files
    html = page.content.decode()
    assert (f"/documents/{document.pk}/attachments/{attachment.pk}/" in html) is files
    assert (f"/files/{job.pk}/" in html) is files
    assert ('id="read-here-only"' in html) is not files
    status = 200 if files else 403
    assert client.get(f"/documents/{document.pk}/attachments/{attachment.pk}/").status_code == status
    assert client.get(f"/documents/{document.pk}/attachments/{attachment.pk}/preview/").status_code == status
    assert client.get(f"/files/{job.pk}/").status_code == (200 if files else 404)
    assert client.get(f"/documents/{document.pk}/compare/").status_code == 200  # the text, on a page
    api = APIClient()
    api.force_authenticate(clerk)
    detail = api.get(f"/api/v1/documents/{document.pk}/")
    assert detail.status_code == 200 and (detail.json()["docx"] is not None) is files
    docx = api.get(f"/api/v1/documents/{document.pk}/docx/")
    assert docx.status_code == status
    if not files:
        assert docx.json()["code"] == "permission_denied"
    # the head who passed it keeps the files
    login(client, org.purchasing_head)
    assert client.get(f"/files/{job.pk}/").status_code == 200


# 签收 of a classified document


@pytest.mark.parametrize("level", LEVELS)
def test_a_member_it_was_passed_to_does_not_acknowledge_it(client, org, clerk, level):
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    document = _classified(org, level)
    services.document_pass_to(document=document, by=org.purchasing_head, people=[clerk])
    login(client, clerk)
    page = client.get(f"/documents/{document.pk}/")
    assert page.status_code == 200 and not page.context["can"]["acknowledge"]
    assert "/do/acknowledge/" not in page.content.decode()
    assert document not in selectors.waiting_on(clerk)
    assert client.post(f"/documents/{document.pk}/do/acknowledge/").status_code == 403
    with pytest.raises(services.DocumentForbidden) as refused:
        services.document_acknowledge(document=document, by=clerk, department=org.purchasing)
    assert "Only the head of a recipient department" in str(refused.value)
    api = APIClient()
    api.force_authenticate(clerk)
    answer = api.post(f"/api/v1/documents/{document.pk}/acknowledge/", {}, format="json", HTTP_ACCEPT_LANGUAGE="en")
    assert answer.status_code == 403
    body = answer.json()
    assert body["code"] == "permission_denied" and "Only the head of a recipient department" in body["message"]
    assert TITLE not in body["message"]
    ack = Acknowledgement.objects.get(document=document)
    assert ack.at is None and not document.logs.filter(action=DocumentAction.ACKNOWLEDGED).exists()
    # the head acknowledges it
    assert document in selectors.waiting_on(org.purchasing_head)
    login(client, org.purchasing_head)
    assert client.post(f"/documents/{document.pk}/do/acknowledge/").status_code == 302
    ack.refresh_from_db()
    assert ack.by == org.purchasing_head and ack.at is not None


def test_the_recipient_heads_delegate_acknowledges_it_for_them(client, org):
    from departments.services import delegation_create

    document = _classified(org, "top_secret")
    today = timezone.localdate()
    delegation_create(by=org.purchasing_head, delegate=org.outsider, starts_on=today, ends_on=today + timedelta(2))
    login(client, org.outsider)  # a member of 人力资源部 acting for 采购部's head
    page = client.get(f"/documents/{document.pk}/")
    assert page.status_code == 200 and page.context["can"]["acknowledge"]
    assert client.post(f"/documents/{document.pk}/do/acknowledge/").status_code == 302
    ack = Acknowledgement.objects.get(document=document)
    assert ack.by == org.outsider
    entry = document.logs.get(action=DocumentAction.ACKNOWLEDGED)
    assert entry.acting_for == org.purchasing_head


def test_an_ordinary_document_is_still_acknowledged_by_any_member(client, org):
    document = _classified(org, "internal")
    assert rules.can(org.assignee, "acknowledge", document)
    assert document in selectors.waiting_on(org.assignee)
    services.document_acknowledge(document=document, by=org.assignee, department=org.purchasing)
    assert Acknowledgement.objects.get(document=document).by == org.assignee
