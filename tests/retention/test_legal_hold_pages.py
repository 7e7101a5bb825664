"""Legal hold on the portal's own pages: holders of `retention.manage_legal_hold` place and lift a
hold on a request's and a document's page with a reason, through the step helper (logged on the
timeline with who and why); everyone who sees the item sees the badge and the reason; the list of
holds shows only what its reader may see; the retention command honours a hold placed here."""

from io import StringIO

import pytest
from django.contrib.auth.models import Group, Permission
from django.core.management import call_command
from django.utils import timezone

from core.models import ActionLog
from documents import services as document_services
from documents.models import Document
from tasks.models import RequestType, Task
from tests.conftest import login
from tests.factories import MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def records(org):
    """A member of 人力资源部 with staff status in the records office group, which holds the
    permission; they may see only what the ordinary rules let them (here: nothing of 销售部's and
    采购部's own)."""
    group = Group.objects.create(name="档案室")
    group.permissions.add(Permission.objects.get(codename="manage_legal_hold", content_type__app_label="retention"))
    person = UserFactory(username="records", display_name="档案员", is_staff=True)
    person.groups.add(group)
    MembershipFactory(user=person, department=org.hr)
    return person


@pytest.fixture
def task(org):
    request_type = RequestType.objects.create(department=org.purchasing, code="buy", name="采购", name_en="Purchase")
    return Task.objects.create(
        number="REQ-1",
        title="采购打印机",
        request_type=request_type,
        requester=org.requester,
        requesting_department=org.sales,
        target_department=org.purchasing,
        state="done",
        closed_at=timezone.now().replace(year=2015),
    )


@pytest.fixture
def document(org):
    return document_services.document_create(
        by=org.requester, kind="notice", title="关于盘点的通知", recipients="各部门", body="正文"
    )


def en(client):
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


def test_a_permission_holder_places_and_lifts_a_hold_on_the_request_page(client, org, task):
    login(en(client), org.admin)
    page = client.get(f"/requests/{task.number}/").content.decode()
    assert 'id="legal-hold-panel"' in page and "Place under legal hold" in page
    url = f"/retention/holds/requests/{task.number}/place/"
    response = client.post(url, {"reason": "  合同纠纷 (2026)民初123号 "}, follow=True)
    assert response.status_code == 200
    task.refresh_from_db()
    assert task.legal_hold and task.legal_hold_reason == "合同纠纷 (2026)民初123号" and task.state == "done"
    entry = ActionLog.objects.get(object_id=task.pk, action="legal_hold.placed")
    assert entry.actor == org.admin and entry.comment == "合同纠纷 (2026)民初123号"
    page = response.content.decode()
    assert "Placed under legal hold." in page and "Lift the legal hold" in page
    assert "placed it under legal hold" in page  # on the timeline, with who and why
    # Twice: refused with a message, nothing logged again.
    again = client.post(url, {"reason": "再次"}, follow=True)
    assert "already under legal hold" in again.content.decode()
    assert ActionLog.objects.filter(object_id=task.pk, action="legal_hold.placed").count() == 1
    assert Task.objects.get(pk=task.pk).legal_hold_reason == "合同纠纷 (2026)民初123号"
    # Lifting needs a reason too.
    lift = f"/retention/holds/requests/{task.number}/lift/"
    missing = client.post(lift, {"reason": "   "}, follow=True)
    assert missing.status_code == 200 and "Say why" in missing.content.decode()
    assert Task.objects.get(pk=task.pk).legal_hold
    client.post(lift, {"reason": "结案"})
    task.refresh_from_db()
    assert not task.legal_hold and task.legal_hold_reason == ""
    lifted = ActionLog.objects.get(object_id=task.pk, action="legal_hold.lifted")
    assert lifted.comment == "结案" and lifted.actor == org.admin
    assert "not under legal hold" in client.post(lift, {"reason": "x"}, follow=True).content.decode()


def test_everyone_who_sees_the_item_sees_the_badge_and_reason_but_not_the_panel(client, org, task, document):
    login(en(client), org.admin)
    client.post(f"/retention/holds/requests/{task.number}/place/", {"reason": "审计 2026"})
    client.post(f"/retention/holds/documents/{document.pk}/place/", {"reason": "诉讼保全"})
    login(client, org.requester)
    page = client.get(f"/requests/{task.number}/").content.decode()
    assert 'id="legal-hold"' in page and "Under legal hold" in page and "审计 2026" in page
    assert 'id="legal-hold-panel"' not in page
    page = client.get(f"/documents/{document.pk}/").content.decode()
    assert 'id="legal-hold"' in page and "诉讼保全" in page and 'id="legal-hold-panel"' not in page
    # Someone who may see it but lacks the permission: 403, nothing changes.
    assert client.post(f"/retention/holds/requests/{task.number}/lift/", {"reason": "x"}).status_code == 403
    assert Task.objects.get(pk=task.pk).legal_hold
    assert client.get("/retention/holds/").status_code == 403


def test_a_permission_holder_who_cannot_see_the_item_gets_a_404(client, org, task, records):
    login(client, records)
    assert client.post(f"/retention/holds/requests/{task.number}/place/", {"reason": "x"}).status_code == 404
    assert not Task.objects.get(pk=task.pk).legal_hold


def test_bad_input_never_gives_a_500(client, org, task, document):
    login(en(client), org.admin)
    for url, data in [
        (f"/retention/holds/requests/{task.number}/place/", {}),
        (f"/retention/holds/requests/{task.number}/place/", {"reason": "x" * 201}),
        (f"/retention/holds/requests/{task.number}/place/", {"reason": ["x", " "]}),
        (f"/retention/holds/documents/{document.pk}/place/", {"reason": "\x00"}),
    ]:
        response = client.post(url, data)
        assert response.status_code == 302, (url, data, response.status_code)
    assert client.post(f"/retention/holds/requests/{task.number}/freeze/", {"reason": "x"}).status_code == 404
    assert client.post("/retention/holds/requests/NOPE/place/", {"reason": "x"}).status_code == 404
    assert client.post(f"/retention/holds/documents/{2**63}/place/", {"reason": "x"}).status_code == 404
    assert client.get(f"/retention/holds/requests/{task.number}/place/").status_code == 405
    assert not Task.objects.get(pk=task.pk).legal_hold and not Document.objects.get(pk=document.pk).legal_hold
    assert not ActionLog.objects.filter(action__startswith="legal_hold.").exists()


def test_the_list_of_holds_shows_what_its_reader_may_see(client, org, task, document, records):
    login(en(client), org.admin)
    client.post(f"/retention/holds/requests/{task.number}/place/", {"reason": "审计 2026"})
    client.post(f"/retention/holds/documents/{document.pk}/place/", {"reason": "诉讼保全"})
    page = client.get("/retention/holds/")
    assert page.status_code == 200
    holds = page.context["holds"]
    assert {(h.kind, h.reason, h.placed_by) for h in holds} == {
        ("request", "审计 2026", org.admin),
        ("document", "诉讼保全", org.admin),
    }
    assert all(h.placed_at is not None for h in holds)
    assert task.title in page.content.decode() and "管理员" in page.content.decode()
    # The records office member sees neither: 人力资源部 takes no part in them.
    login(client, records)
    response = client.get("/retention/holds/")
    assert response.status_code == 200 and response.context["holds"] == []
    assert task.title not in response.content.decode()


def test_a_classified_document_under_hold_is_listed_only_to_those_named_for_it(client, org):
    secret = document_services.document_create(
        by=org.requester, kind="notice", title="调价秘密通知", recipients="采购部", body="正文", secrecy="secret"
    )
    login(client, org.requester)
    Group.objects.create(name="法务").permissions.add(Permission.objects.get(codename="manage_legal_hold"))
    org.requester.groups.add(Group.objects.get(name="法务"))
    org.requester.is_staff = True
    org.requester.save()
    assert client.post(f"/retention/holds/documents/{secret.pk}/place/", {"reason": "诉讼"}).status_code == 302
    assert Document.objects.get(pk=secret.pk).legal_hold
    assert [h.title for h in client.get("/retention/holds/").context["holds"]] == ["调价秘密通知"]
    login(client, org.admin)  # an admin not named for it
    assert client.get("/retention/holds/").context["holds"] == []
    assert client.post(f"/retention/holds/documents/{secret.pk}/lift/", {"reason": "x"}).status_code == 404


def test_the_list_reads_in_a_fixed_number_of_queries(client, org, task, django_assert_max_num_queries):
    login(client, org.admin)
    client.post(f"/retention/holds/requests/{task.number}/place/", {"reason": "一"})
    client.get("/retention/holds/")
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as one:
        client.get("/retention/holds/")
    for n in range(5):
        more = Task.objects.create(
            number=f"REQ-H{n}",
            title=f"事务{n}",
            request_type=task.request_type,
            requester=org.requester,
            requesting_department=org.sales,
            target_department=org.purchasing,
            state="done",
        )
        client.post(f"/retention/holds/requests/{more.number}/place/", {"reason": f"理由{n}"})
    with CaptureQueriesContext(connection) as six:
        response = client.get("/retention/holds/")
    assert len(response.context["holds"]) == 6
    assert len(six) == len(one)


def test_the_retention_command_honours_a_hold_placed_on_the_page(client, org, task, settings, tmp_path):
    settings.RETENTION_REQUEST_YEARS = 3
    settings.RETENTION_DOCUMENT_YEARS = None
    settings.RETENTION_ARCHIVE_DIR = tmp_path / "archive"
    settings.MEDIA_ROOT = tmp_path / "media"

    def run(*args):
        out = StringIO()
        call_command("retention", *args, stdout=out, stderr=StringIO())
        return out.getvalue()

    assert "request     2015         1" in run()
    login(client, org.admin)
    client.post(f"/retention/holds/requests/{task.number}/place/", {"reason": "诉讼保全"})
    out = run()
    assert "request     2015" not in out and "request: kept, under a legal hold although past retention: 1" in out
    run("--apply")
    assert Task.objects.filter(pk=task.pk).exists()
    client.post(f"/retention/holds/requests/{task.number}/lift/", {"reason": "结案"})
    assert "request     2015         1" in run()


def test_the_api_detail_shows_the_hold_read_only(client, org, task, document):
    login(client, org.admin)
    client.post(f"/retention/holds/requests/{task.number}/place/", {"reason": "诉讼保全"})
    body = client.get(f"/api/v1/requests/{task.number}/").json()
    assert body["legal_hold"] is True and body["legal_hold_reason"] == "诉讼保全"
    body = client.get(f"/api/v1/documents/{document.pk}/").json()
    assert body["legal_hold"] is False and body["legal_hold_reason"] == ""


def test_the_permission_without_staff_status_shows_no_panel_and_costs_no_query(client, org, task, records):
    """Placing holds is for staff given the permission, as the admin's form always was: anyone else's
    request page does not read their permissions at all."""
    records.is_staff = False
    records.save()
    login(client, records)
    assert client.post(f"/retention/holds/requests/{task.number}/place/", {"reason": "诉讼"}).status_code in (403, 404)
    assert not Task.objects.get(pk=task.pk).legal_hold
