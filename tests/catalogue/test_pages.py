"""The catalogue's pages: each view for its administrator, bad input answered with a message and
nothing saved, crafted POSTs answered without a 500."""

import pytest

from tasks import selectors, services
from tasks.models import RequestType, RequestTypeVersion
from tests.conftest import login


@pytest.fixture
def head(client, org, purchase):
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    login(client, org.purchasing_head)
    return client


def _draft(code="purchase"):
    return selectors.draft_of(RequestType.objects.get(code=code))


PAGES = ["", "guide/", "fields/", "fields/new/", "fields/amount/", "route/", "route/new/", "route/1/", "preview/"]


@pytest.mark.parametrize("page", PAGES)
def test_every_page_of_a_type_renders_for_its_administrator(head, page):
    response = head.get(f"/catalogue/purchase/{page}")
    assert response.status_code == 200


def test_the_list_shows_my_departments_types_only(head, org, purchase):
    RequestType.objects.create(department=org.sales, code="contract", name="合同")
    response = head.get("/catalogue/")
    assert b"/catalogue/purchase/" in response.content and b"/catalogue/contract/" not in response.content
    assert head.get("/catalogue/contract/").status_code == 404


def test_people_who_administer_nothing_get_403(client, org, purchase):
    login(client, org.requester)
    assert client.get("/catalogue/").status_code == 403
    assert client.get("/catalogue/new/").status_code == 403
    assert client.get("/catalogue/purchase/").status_code == 404


def test_create_a_type(head, org):
    response = head.post("/catalogue/new/", {"department": org.purchasing.pk, "code": "laptop", "name": "电脑"})
    assert response.status_code == 302 and response["Location"] == "/catalogue/laptop/"
    assert RequestType.objects.get(code="laptop").catalogue_status == "draft"


@pytest.mark.parametrize(
    "data, message",
    [
        ({"code": "purchase", "name": "x"}, b"exists already"),
        ({"code": "new", "name": "x"}, b"reserved"),
        ({"code": "bad code!", "name": "x"}, b"Enter a valid"),
    ],
)
def test_create_refuses_bad_input(head, org, data, message):
    response = head.post("/catalogue/new/", {"department": org.purchasing.pk, **data})
    assert response.status_code == 200 and message in response.content
    assert RequestType.objects.count() == 1


def test_create_refuses_a_department_not_mine(head, org):
    response = head.post("/catalogue/new/", {"department": org.sales.pk, "code": "x", "name": "x"})
    assert response.status_code == 200 and b"Select a valid choice" in response.content
    assert not RequestType.objects.filter(code="x").exists()


def test_guide_edit_goes_into_the_draft(head, org, purchase):
    data = {
        "name": "采购申请（新）",
        "default_priority": "3",
        "accept_sla_hours": "2",
        "finish_sla_hours": "8",
        "filing_departments": [org.sales.pk],
        "confidential": "on",
    }
    assert head.post("/catalogue/purchase/guide/", data).status_code == 302
    guide = _draft()["guide"]
    assert guide["name"] == "采购申请（新）" and guide["filing_departments"] == [org.sales.pk] and guide["confidential"]
    purchase.refresh_from_db()
    assert purchase.name == "采购申请"  # the live type waits for publishing


def test_guide_refuses_negative_hours(head, purchase):
    response = head.post(
        "/catalogue/purchase/guide/",
        {"name": "x", "default_priority": "2", "accept_sla_hours": "-1", "finish_sla_hours": "8"},
    )
    assert response.status_code == 200 and b"greater than or equal to 0" in response.content
    assert RequestType.objects.get(code="purchase").draft is None


def test_designer_adds_edits_moves_and_removes_fields(head):
    field = {"key": "reason", "label": "理由", "kind": "long_text", "required": "on"}
    assert head.post("/catalogue/purchase/fields/new/", field).status_code == 302
    assert [f["key"] for f in _draft()["fields"]] == ["amount", "reason"]
    assert head.post("/catalogue/purchase/fields/reason/move/", {"direction": "up"}).status_code == 302
    assert [f["key"] for f in _draft()["fields"]] == ["reason", "amount"]
    response = head.post("/catalogue/purchase/fields/reason/", {**field, "label": "原因", "kind": "text"})
    assert response.status_code == 302 and _draft()["fields"][0]["label"] == "原因"
    assert head.post("/catalogue/purchase/fields/reason/delete/").status_code == 302
    assert [f["key"] for f in _draft()["fields"]] == ["amount"]
    page = head.get("/catalogue/purchase/fields/")
    assert b'id="live-preview"' in page.content and b'name="f_amount"' in page.content


@pytest.mark.parametrize(
    "data, message",
    [
        ({"key": "amount", "label": "x", "kind": "text"}, b"already has this key"),
        ({"key": "code", "label": "x", "kind": "text", "pattern": "[a-"}, b"not a valid regular expression"),
        ({"key": "code", "label": "x", "kind": "choice"}, b"at least one choice"),
        ({"key": "code", "label": "x", "kind": "amount", "min_value": "9", "max_value": "1"}, b"below the smallest"),
        ({"key": "code", "label": "x", "kind": "date", "min_value": "1"}, b"number and amount fields only"),
        ({"key": "code", "label": "x", "kind": "nonsense"}, b"Select a valid choice"),
    ],
)
def test_designer_refuses_bad_fields(head, data, message):
    response = head.post("/catalogue/purchase/fields/new/", data)
    assert response.status_code == 200 and message in response.content
    assert RequestType.objects.get(code="purchase").draft is None


def test_changing_a_field_under_a_condition_is_refused(head):
    response = head.post("/catalogue/purchase/fields/amount/", {"key": "amount", "label": "金额", "kind": "text"})
    assert response.status_code == 200 and b"Step 2" in response.content
    assert RequestType.objects.get(code="purchase").draft is None
    response = head.post("/catalogue/purchase/fields/amount/delete/", follow=True)
    assert b"Step 2 reads this field" in response.content
    assert RequestType.objects.get(code="purchase").draft is None


def test_route_editor(head, org, finance):
    step = {"approver": "department_head", "department": finance.pk, "mode": "all"}
    assert head.post("/catalogue/purchase/route/new/", step).status_code == 302
    assert len(_draft()["steps"]) == 3
    assert head.post("/catalogue/purchase/route/3/move/", {"direction": "up"}).status_code == 302
    assert _draft()["steps"][1]["mode"] == "all"
    assert head.post("/catalogue/purchase/route/2/delete/").status_code == 302
    assert len(_draft()["steps"]) == 2
    edit = {"approver": "users", "users": [org.assignee.pk], "mode": "any"}
    assert head.post("/catalogue/purchase/route/1/", edit).status_code == 302
    assert _draft()["steps"][0]["users"] == [org.assignee.pk]


@pytest.mark.parametrize(
    "data, message",
    [
        ({"approver": "department_head", "mode": "any"}, b"Name the department"),
        ({"approver": "users", "mode": "any"}, b"at least one person"),
        ({"approver": "target_manager", "mode": "any", "condition_field": "amount"}, b"Choose &gt;"),
        ({"approver": "target_manager", "mode": "any", "condition_field": "nope"}, b"Select a valid choice"),
        ({"approver": "target_manager", "mode": "any", "condition_operator": "gt"}, b"clear the condition"),
        (
            {
                "approver": "target_manager",
                "mode": "any",
                "condition_field": "amount",
                "condition_operator": "gt",
                "condition_value": "NaN",
            },
            b"Enter a number",
        ),
    ],
)
def test_route_editor_refuses_bad_steps(head, data, message):
    response = head.post("/catalogue/purchase/route/new/", data)
    assert response.status_code == 200 and message in response.content
    assert RequestType.objects.get(code="purchase").draft is None


def test_choice_condition_through_the_pages(head):
    head.post(
        "/catalogue/purchase/fields/new/", {"key": "kind", "label": "类别", "kind": "choice", "choices": "电脑\n文具"}
    )
    bad = {
        "approver": "target_manager",
        "mode": "any",
        "condition_field": "kind",
        "condition_operator": "in",
        "condition_choices": "家具",
    }
    response = head.post("/catalogue/purchase/route/new/", bad)
    assert b"does not offer" in response.content
    good = {**bad, "condition_choices": "电脑"}
    assert head.post("/catalogue/purchase/route/new/", good).status_code == 302
    assert _draft()["steps"][-1]["condition_choices"] == "电脑"


def test_preview_runs_the_route_for_a_sample_filer(head, org):
    response = head.post(
        "/catalogue/purchase/preview/", {"filer_find": "requester", "title": "x", "priority": "2", "f_amount": "20000"}
    )
    assert response.status_code == 200
    assert "王经理".encode() in response.content and "周会计".encode() in response.content  # both steps
    response = head.post("/catalogue/purchase/preview/", {"filer_find": "requester", "f_amount": "10"})
    assert "周会计".encode() not in response.content and b"correct the fields" in response.content


def test_publish_retire_reinstate_restore_discard(head, org, purchase):
    assert head.post("/catalogue/purchase/publish/").status_code == 302
    assert RequestTypeVersion.objects.filter(request_type=purchase).count() == 1
    response = head.post("/catalogue/purchase/publish/", follow=True)
    assert b"Nothing to publish" in response.content
    head.post("/catalogue/purchase/fields/new/", {"key": "note", "label": "备注", "kind": "text"})
    assert head.post("/catalogue/purchase/discard/").status_code == 302
    assert RequestType.objects.get(code="purchase").draft is None
    assert head.post("/catalogue/purchase/retire/").status_code == 302
    assert RequestType.objects.get(code="purchase").catalogue_status == "retired"
    assert b"not in use already" in head.post("/catalogue/purchase/retire/", follow=True).content
    assert head.post("/catalogue/purchase/reinstate/").status_code == 302
    assert head.post("/catalogue/purchase/versions/1/restore/").status_code == 302
    assert RequestType.objects.get(code="purchase").draft is not None
    page = head.get("/catalogue/purchase/")
    assert b"Unpublished changes" in page.content and b"v1" in page.content


@pytest.mark.parametrize(
    "url, data, status",
    [
        ("/catalogue/purchase/fields/ghost/move/", {"direction": "down"}, 302),
        ("/catalogue/purchase/fields/ghost/delete/", {}, 302),
        ("/catalogue/purchase/fields/ghost/", {}, 404),
        ("/catalogue/purchase/route/99/", {}, 404),
        ("/catalogue/purchase/route/99/delete/", {}, 302),
        ("/catalogue/purchase/route/0/move/", {"direction": "sideways"}, 302),
        ("/catalogue/purchase/versions/99/restore/", {}, 404),
        ("/catalogue/purchase/preview/", {"filer": "99999", "f_amount": "1e999999"}, 200),
        ("/catalogue/purchase/guide/", {"name": "\x00", "accept_sla_hours": "1e9"}, 200),
        ("/catalogue/purchase/route/new/", {"approver": "users", "users": ["x", "99999"]}, 200),
    ],
)
def test_crafted_posts_never_fail(head, url, data, status):
    response = head.post(url, data)
    assert response.status_code == status
    assert RequestType.objects.get(code="purchase").draft is None


def test_a_request_page_shows_the_version_it_was_filed_on(client, org, purchase, file_request):
    services.request_type_publish(request_type=purchase, by=org.purchasing_head)
    task = file_request(RequestType.objects.get(pk=purchase.pk))
    login(client, org.purchasing_head)
    client.post(
        "/catalogue/purchase/fields/new/", {"key": "reason", "label": "采购理由", "kind": "text", "required": "on"}
    )
    client.post("/catalogue/purchase/publish/")
    login(client, org.requester)
    assert "采购理由".encode() not in client.get(f"/requests/{task.number}/").content
    assert "采购理由".encode() in client.get("/requests/new/purchase/").content


def test_new_kinds_on_the_request_page_and_the_draft_editor(client, org, purchase):
    login(client, org.purchasing_head)
    client.post("/catalogue/purchase/fields/new/", {"key": "contact", "label": "联系人", "kind": "person"})
    client.post("/catalogue/purchase/fields/new/", {"key": "dept", "label": "使用部门", "kind": "department"})
    client.post("/catalogue/purchase/publish/")
    login(client, org.requester)
    data = {"title": "带人员", "priority": "2", "f_amount": "5", "f_contact_find": "assignee", "f_dept": "sales"}
    response = client.post("/requests/new/purchase/", {**data, "action": "draft"})
    assert response.status_code == 302
    task = RequestType.objects.get(code="purchase").tasks.get(title="带人员")
    assert task.field_values == {"amount": "5", "contact": "assignee", "dept": "sales"}
    page = client.get(f"/requests/{task.number}/edit/").content.decode()
    assert f'value="{org.assignee.pk}" checked' in page  # the stored person is shown as chosen
    assert org.assignee.display_name in client.get(f"/requests/{task.number}/").content.decode()  # by name
