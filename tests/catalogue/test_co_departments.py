"""Issue #20: a request type's co-handling departments (协办) beside its lead department (主办).

The department administrator ticks them in the catalogue's guide editor; publishing puts them in
the version; every request filed on that version gets them as if its filer had ticked them, and
no posted form drops them; requests filed earlier keep what they had."""

import pytest
from django.test import TestCase

from catalogue import services as catalogue
from tasks import services
from tasks.models import RequestType, Task
from tests.conftest import login
from tests.factories import DepartmentFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def it(org):
    """A department that takes requests, to co-handle purchases (the IT department)."""
    return DepartmentFactory(code="it", name="信息部", name_en="IT", parent=org.hq)


@pytest.fixture
def published(org, purchase):
    services.request_type_publish(request_type=purchase, by=org.purchasing_head)
    purchase.refresh_from_db()
    return purchase


def _co_handled_by(request_type, by, *departments):
    catalogue.guide_update(request_type=request_type, by=by, guide={"co_departments": [d.pk for d in departments]})
    version = services.request_type_publish(request_type=request_type, by=by)
    request_type.refresh_from_db()
    return version


def _co(task) -> set[str]:
    return {d.code for d in Task.objects.get(pk=task.pk).co_departments.all()}


def test_the_guide_editor_sets_them_and_publishing_keeps_them_in_the_version(client, org, published, finance, it):
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    login(client, org.purchasing_head)
    page = client.get("/catalogue/purchase/guide/").content.decode()
    assert "Lead department (主办)" in page and 'name="co_departments"' in page
    # The lead department is not offered as its own co-handler; a crafted POST naming it is refused.
    guide = {"name": "采购申请", "default_priority": "2", "accept_sla_hours": "4", "finish_sla_hours": "16"}
    refused = client.post("/catalogue/purchase/guide/", {**guide, "co_departments": [org.purchasing.pk]})
    assert refused.status_code == 200 and refused.context["form"].errors["co_departments"]
    assert RequestType.objects.get(pk=published.pk).draft is None

    response = client.post("/catalogue/purchase/guide/", {**guide, "co_departments": [finance.pk, it.pk]})
    assert response.status_code == 302
    draft = RequestType.objects.get(pk=published.pk).draft
    assert draft["guide"]["co_departments"] == sorted([finance.pk, it.pk])
    # Still only in the draft: the live type and new requests are unchanged until published.
    assert not published.co_departments.exists()
    page = client.get("/catalogue/purchase/").content.decode()
    assert "Finance" in page.split('id="co-departments"')[1].split("</p>")[0]

    assert client.post("/catalogue/purchase/publish/").status_code == 302
    published.refresh_from_db()
    assert published.co_handled
    assert {d.code for d in published.co_departments.all()} == {"finance", "it"}
    assert published.current_version.snapshot["guide"]["co_departments"] == sorted([finance.pk, it.pk])


def test_a_new_request_gets_them_and_the_filer_may_add_more(org, published, finance, it):
    _co_handled_by(published, org.purchasing_head, finance)
    task = services.task_create(by=org.requester, request_type=published, title="电脑", values={"amount": "1"})
    assert _co(task) == {"finance"}
    more = services.task_create(
        by=org.requester, request_type=published, title="电脑", values={"amount": "1"}, co_departments=[it]
    )
    assert _co(more) == {"finance", "it"}


def test_a_crafted_post_dropping_one_still_files_it_with_them(client, org, published, finance, it):
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    _co_handled_by(published, org.purchasing_head, finance)
    login(client, org.requester)
    page = client.get("/requests/new/purchase/").content.decode()
    # The filer sees it ticked and fixed, and named in the service guide beside the form.
    box = page.split(f'value="{finance.pk}"')[1].split(">")[0]
    assert "checked" in box and "disabled" in box
    assert "Finance" in page.split('id="guide-co-departments"')[1].split("</p>")[0]
    data = {"title": "买电脑", "priority": "2", "f_amount": "100", "co_departments": [it.pk], "action": "draft"}
    with TestCase.captureOnCommitCallbacks(execute=True):
        assert client.post("/requests/new/purchase/", data).status_code == 302
    task = Task.objects.get(title="买电脑")
    assert _co(task) == {"finance", "it"}

    # Editing the draft without the fixed one keeps it too; the added one may go.
    edit = {"title": "买电脑", "priority": "2", "f_amount": "100", "action": "draft"}
    assert client.post(f"/requests/{task.number}/edit/", edit).status_code == 302
    assert _co(task) == {"finance"}


def test_the_api_files_with_them_whatever_is_posted(org, published, finance, it, bearer):
    _co_handled_by(published, org.purchasing_head, finance)
    api = bearer(org.requester)
    body = {"request_type": "purchase", "title": "API 采购", "fields": {"amount": "5"}, "co_departments": [it.pk]}
    response = api.post("/api/v1/requests/", body, format="json")
    assert response.status_code == 201, response.content
    assert _co(Task.objects.get(title="API 采购")) == {"finance", "it"}


def test_requests_filed_earlier_keep_what_they_had(client, org, published, finance, it, file_request):
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    before = file_request(published, title="早的")
    draft_before = file_request(published, title="早的草稿", submit=False)
    _co_handled_by(published, org.purchasing_head, finance)
    assert _co(before) == set() and _co(draft_before) == set()
    # A draft filed on version 1 is edited on version 1: nothing is fixed, nothing is added.
    login(client, org.requester)
    edit = {"title": "早的草稿", "priority": "2", "f_amount": "100", "co_departments": [it.pk], "action": "draft"}
    assert client.post(f"/requests/{draft_before.number}/edit/", edit).status_code == 302
    assert _co(draft_before) == {"it"}
    # Taking them off again publishes a version without them; requests filed on version 2 keep theirs.
    after = file_request(published, title="晚的")
    assert _co(after) == {"finance"}
    _co_handled_by(published, org.purchasing_head)
    assert not published.co_handled and not published.co_departments.exists()
    assert _co(after) == {"finance"}
    assert _co(file_request(published, title="最新")) == set()


def test_the_settings_history_names_them(client, org, published, finance):
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    _co_handled_by(published, org.purchasing_head, finance)
    login(client, org.purchasing_head)
    entries = client.get("/settings-history/?kind=request-type").context["page"].object_list
    texts = [change.as_text() for entry in entries for change in entry.changes]
    assert any("Co-handling departments" in text and "Finance" in text for text in texts), texts


def test_the_api_reads_them_on_the_type(org, published, finance, bearer):
    _co_handled_by(published, org.purchasing_head, finance)
    api = bearer(org.requester, scope="read")
    one = api.get("/api/v1/request-types/purchase/").json()
    assert one["department"]["code"] == "purchasing"
    assert [d["code"] for d in one["co_departments"]] == ["finance"]
    listed = {t["code"]: t for t in api.get("/api/v1/request-types/").json()}
    assert [d["code"] for d in listed["purchase"]["co_departments"]] == ["finance"]


def test_a_type_without_them_costs_the_filing_no_query(org, published, django_assert_num_queries):
    from tasks import selectors

    with django_assert_num_queries(0):
        assert selectors.co_department_ids(published) == []


def test_each_gets_its_sub_task_when_the_request_reaches_the_lead(org, support, finance):
    """support has no approval: a submitted request reaches 采购部 at once, and 财务部 its sub-task."""
    services.request_type_publish(request_type=support, by=org.purchasing_head)
    _co_handled_by(support, org.purchasing_head, finance)
    task = services.task_create(by=org.requester, request_type=support, title="咨询", submit=True)
    assert [sub.target_department.code for sub in task.subtasks.all()] == ["finance"]
