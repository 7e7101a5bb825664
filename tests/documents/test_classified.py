"""Classified documents (秘密 and above): only the people named for one see it (lists, page,
downloads, versions, API, search, reports), a named person passes it to colleagues (传阅), every
opening is logged, notices carry no title; ordinary documents are unchanged."""

import pytest
from django.contrib.auth.models import Permission
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import TestCase

from core import rendering
from documents import selectors, services
from documents.models import Document, DocumentAction, DocumentOpening, DocumentReader, IncomingDocument
from notifications.models import Notification
from tests.conftest import login
from tests.factories import MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db

TITLE = "关于调价的秘密通知"
# Every rule of 秘密 holds for each classified level ("秘密 and above").
LEVELS = ["secret", "highly_secret", "top_secret"]
every_level = pytest.mark.parametrize("level", LEVELS)


@pytest.fixture
def clerk(org):
    """A member of 采购部 (a recipient department), like `assignee`."""
    person = UserFactory(username="clerk", display_name="周六")
    MembershipFactory(user=person, department=org.purchasing)
    return person


def _secret(org, *, secrecy="secret", distribute=True, countersign=()):
    document = services.document_create(
        by=org.requester,
        kind="notice",
        title=TITLE,
        recipients="采购部",
        body="调价方案：上调百分之五。",
        secrecy=secrecy,
        recipient_departments=[org.purchasing],
        countersign_departments=list(countersign),
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


@every_level
def test_who_sees_a_secret_document(level, org, clerk):
    document = _secret(org, secrecy=level)
    named = {
        "requester": True,  # the drafter
        "sales_head": True,  # the drafting department's head (and reviewer here)
        "sales_deputy": True,  # its deputy: a manager of the drafting department
        "leader": True,  # the signer
        "purchasing_head": True,  # the recipient department's head
        "assignee": False,  # a member of the recipient department, not passed it
        "outsider": False,
        "admin": False,  # an admin is not named by being an admin
    }
    for name, expected in named.items():
        assert _sees(getattr(org, name), document) is expected, name
    assert not _sees(clerk, document)


def test_an_internal_document_is_seen_as_before(org, clerk):
    document = _secret(org, secrecy="internal")
    for person in (org.assignee, clerk, org.admin, org.requester, org.purchasing_head):
        assert _sees(person, document), person.username
    assert not _sees(org.outsider, document)


@every_level
def test_recipient_heads_see_it_only_once_distributed(level, org):
    document = _secret(org, secrecy=level, distribute=False)
    assert not _sees(org.purchasing_head, document)
    assert _sees(org.sales_deputy, document)  # the drafting department's deputy, from the draft on


@every_level
def test_countersigning_heads_see_it_and_their_members_do_not(level, org):
    document = _secret(org, secrecy=level, distribute=False, countersign=[org.hr])
    head = UserFactory(username="hr_head")
    org.hr.head = head
    org.hr.save(update_fields=["head"])
    assert _sees(head, document)
    assert not _sees(org.outsider, document)  # a member of 人力资源部


def test_a_named_reviewer_sees_it(org):
    document = _secret(org, distribute=False)
    org.sales.document_reviewers.add(org.outsider)
    assert _sees(org.outsider, document)


def test_the_registry_office_sees_every_secret_document(org):
    document = _secret(org)
    org.outsider.user_permissions.add(Permission.objects.get(codename="view_classified"))
    assert _sees(org.outsider, document)
    # an admin's blanket permissions do not count: only a grant does
    assert org.admin.has_perm("documents.view_classified") and not _sees(org.admin, document)


@every_level
def test_lists_counts_exports_and_register_leave_it_out(level, client, org):
    document = _secret(org, secrecy=level)
    login(client, org.assignee)
    for scope in ("all", "register", "waiting", "mine"):
        response = client.get(f"/documents/?scope={scope}")
        assert document not in response.context["documents"], scope
        assert TITLE not in response.content.decode()
    export = client.get("/documents/?scope=all&export=csv")
    assert TITLE not in export.content.decode("utf-8-sig")
    assert TITLE not in client.get(f"/documents/?scope=register&text={TITLE[:4]}").content.decode()
    login(client, org.purchasing_head)
    assert document in client.get("/documents/?scope=all").context["documents"]


@every_level
def test_every_url_of_it_is_a_404_for_a_member_not_passed_it(level, client, org, settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)
    document = _secret(org, secrecy=level)
    attachment = document.attachments.get()
    with TestCase.captureOnCommitCallbacks(execute=True):
        services.document_render(document=document)
    job = rendering.latest(document, "document")
    urls = [
        f"/documents/{document.pk}/",
        f"/documents/{document.pk}/edit/",
        f"/documents/{document.pk}/compare/",
        f"/documents/{document.pk}/attachments/{attachment.pk}/",
        f"/files/{job.pk}/",
        f"/files/{job.pk}/status/",
        f"/api/v1/documents/{document.pk}/",
        f"/api/v1/documents/{document.pk}/docx/",
    ]
    for user in (org.assignee, org.admin):
        login(client, user)
        for url in urls:
            assert client.get(url).status_code == 404, (user.username, url)
        assert client.post(f"/documents/{document.pk}/do/acknowledge/").status_code == 404
        assert client.post(f"/documents/{document.pk}/pass/", {"people": [user.pk]}).status_code == 404
    assert not DocumentOpening.objects.exists()


def test_pass_to_lets_a_colleague_read_it_and_is_logged(client, org, clerk):
    document = _secret(org)
    login(client, org.purchasing_head)
    page = client.get(f"/documents/{document.pk}/")
    assert page.context["can"]["pass_to"]
    offered = set(page.context["pass_form"].fields["people"].queryset)
    assert offered == {org.assignee, clerk}  # the head's own colleagues (not themselves: a reader already)
    response = client.post(f"/documents/{document.pk}/pass/", {"people": [clerk.pk]})
    assert response.status_code == 302
    reader = DocumentReader.objects.get(document=document)
    assert (reader.user, reader.passed_by) == (clerk, org.purchasing_head)
    entry = document.logs.get(action=DocumentAction.PASSED)
    assert entry.actor == org.purchasing_head and entry.data == {"readers": [clerk.pk]} and "周六" in entry.comment
    assert _sees(clerk, document) and not _sees(org.assignee, document)
    # told, without the title
    notice = Notification.objects.get(recipient=clerk, kind="document.passed")
    assert TITLE not in notice.message and document.number.text in notice.message
    # a reader it was passed to may read it, not pass it on
    login(client, clerk)
    assert client.get(f"/documents/{document.pk}/").status_code == 200
    assert client.post(f"/documents/{document.pk}/pass/", {"people": [org.assignee.pk]}).status_code == 403
    assert not _sees(org.assignee, document)


def test_pass_to_refuses_people_outside_ones_departments_and_repeats(client, org, clerk):
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    document = _secret(org)
    login(client, org.purchasing_head)
    response = client.post(f"/documents/{document.pk}/pass/", {"people": [org.outsider.pk]}, follow=True)
    assert "Choose colleagues from your own departments." in response.content.decode()
    response = client.post(f"/documents/{document.pk}/pass/", {"people": ["x"]}, follow=True)
    assert response.status_code == 200
    assert not DocumentReader.objects.exists()
    services.document_pass_to(document=document, by=org.purchasing_head, people=[clerk])
    with pytest.raises(services.DocumentError):
        services.document_pass_to(document=document, by=org.purchasing_head, people=[clerk])
    assert DocumentReader.objects.count() == 1


def test_an_ordinary_document_cannot_be_passed(org):
    document = _secret(org, secrecy="internal")
    with pytest.raises(services.DocumentError):
        services.document_pass_to(document=document, by=org.purchasing_head, people=[org.assignee])
    assert not DocumentReader.objects.exists()


def test_every_opening_is_logged_and_shown_to_the_drafting_head(client, org, settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)
    document = _secret(org)
    attachment = document.attachments.get()
    with TestCase.captureOnCommitCallbacks(execute=True):
        services.document_render(document=document)
    job = rendering.latest(document, "document")
    login(client, org.purchasing_head)
    assert client.get(f"/documents/{document.pk}/").status_code == 200
    assert client.get(f"/documents/{document.pk}/attachments/{attachment.pk}/").status_code == 200
    assert client.get(f"/files/{job.pk}/").status_code == 200
    assert client.get(f"/documents/{document.pk}/compare/").status_code == 200
    assert client.get(f"/api/v1/documents/{document.pk}/").status_code == 200
    opened = list(document.openings.order_by("pk").values_list("user__username", "what"))
    assert opened == [
        ("purchasing_head", "page"),
        ("purchasing_head", "download"),
        ("purchasing_head", "download"),
        ("purchasing_head", "version"),
        ("purchasing_head", "api"),
    ]
    # the recipient head does not see who opened it; the drafting department's head does
    assert client.get(f"/documents/{document.pk}/").context["openings"] is None
    login(client, org.sales_head)
    page = client.get(f"/documents/{document.pk}/")
    assert [o.user for o in page.context["openings"]][:2] == [org.sales_head, org.purchasing_head]
    assert "Who opened it" in page.content.decode() or "查阅记录" in page.content.decode()


def test_ordinary_documents_log_no_openings(client, org):
    document = _secret(org, secrecy="internal")
    login(client, org.assignee)
    page = client.get(f"/documents/{document.pk}/")
    assert page.status_code == 200 and "readers" not in page.context
    assert not DocumentOpening.objects.exists()


@every_level
def test_notices_of_a_secret_document_name_no_title(level, org):
    _secret(org, secrecy=level)
    notices = Notification.objects.filter(kind__startswith="document.")
    assert notices.exists()
    assert not notices.filter(message__contains=TITLE).exists()
    assert notices.filter(recipient=org.purchasing_head, kind="document.distributed").exists()


@every_level
def test_webhook_payload_hides_the_title(level, org):
    from webhooks.events import essentials

    document = _secret(org, secrecy=level)
    assert essentials(document)["title"] is None and essentials(document)["confidential"] is True


@every_level
def test_global_search_leaves_it_out_for_those_not_named(level, org):
    from reports.search import rebuild, search

    document = _secret(org, secrecy=level)
    rebuild()
    assert not [h for h in search(org.assignee, "调价") if h.kind == "document"]
    assert not [h for h in search(org.admin, "调价") if h.kind == "document"]
    hits = [h for h in search(org.purchasing_head, "调价") if h.kind == "document"]
    assert [h.object_id for h in hits] == [document.pk]


def test_the_detail_page_of_a_secret_document_keeps_its_query_count(client, org, django_assert_max_num_queries):
    """The page of a classified document: the ordinary page's queries, plus the one INSERT of the
    opening, the pass-to rule, the readers, the pass-to form's people and who opened it."""
    document = _secret(org)
    services.document_pass_to(document=document, by=org.sales_head, people=[org.sales_deputy])
    login(client, org.sales_head)
    client.get(f"/documents/{document.pk}/")  # warm the per-process caches
    with django_assert_max_num_queries(45):
        response = client.get(f"/documents/{document.pk}/")
    assert response.status_code == 200


@every_level
def test_a_secret_received_document_makes_confidential_requests(level, client, org):
    org.sales_deputy.user_permissions.add(Permission.objects.get(codename="add_incomingdocument"))
    incoming = services.incoming_register(
        by=org.sales_deputy,
        title="关于人事调整的秘密来文",
        source="上级单位",
        file=SimpleUploadedFile("来文.pdf", b"%PDF-1.4"),
        departments=[org.purchasing],
        secrecy=level,
    )
    route = incoming.routes.get()
    assert route.task.confidential
    visible = IncomingDocument.objects.filter(pk=incoming.pk)
    assert selectors.visible_incoming(org.purchasing_head).filter(pk=incoming.pk).exists()
    assert not selectors.visible_incoming(org.assignee).filter(pk=incoming.pk).exists()
    login(client, org.assignee)
    assert client.get(f"/documents/incoming/{incoming.pk}/").status_code == 404
    assert client.get(f"/requests/{route.task.number}/").status_code == 404
    assert visible.exists()


def test_an_internal_received_document_is_seen_by_the_whole_department(org):
    org.sales_deputy.user_permissions.add(Permission.objects.get(codename="add_incomingdocument"))
    incoming = services.incoming_register(
        by=org.sales_deputy,
        title="普通来文",
        source="市应急管理局",
        file=SimpleUploadedFile("来文.pdf", b"%PDF-1.4"),
        departments=[org.purchasing],
    )
    assert incoming.secrecy == Document.Secrecy.INTERNAL
    assert not incoming.routes.get().task.confidential
    assert selectors.visible_incoming(org.assignee).filter(pk=incoming.pk).exists()


@pytest.mark.parametrize("level,mark", [("secret", "秘密"), ("highly_secret", "机密"), ("top_secret", "绝密")])
def test_the_number_register_records_its_id_not_its_title(org, level, mark):
    document = _secret(org, secrecy=level)
    assert document.number.subject == f"#{document.pk}（{mark}）"
    ordinary = _secret(org, secrecy="internal")
    assert ordinary.number.subject == TITLE
