"""The requests API: the same lists, page, filing and steps as the pages."""

import pytest
from django.test import TestCase
from rest_framework.test import APIClient

from tasks.models import Task
from tests.conftest import login

pytestmark = pytest.mark.django_db


def test_a_read_token_lists_requests_and_cannot_approve(org, in_state, bearer):
    task = in_state("pending_approval")
    client = bearer(org.sales_head, scope="read")
    listed = client.get("/api/v1/requests/")
    assert listed.status_code == 200
    assert [row["number"] for row in listed.json()["results"]] == [task.number]
    refused = client.post(f"/api/v1/requests/{task.number}/approve/", {"opinion": "同意"}, format="json")
    assert refused.status_code == 403
    assert refused.json()["code"] == "token_read_only"
    assert Task.objects.get(pk=task.pk).state == "pending_approval"


def test_an_act_token_approves_and_the_page_timeline_shows_it(org, in_state, bearer, client):
    task = in_state("pending_approval")
    api = bearer(org.sales_head, scope="act")
    with TestCase.captureOnCommitCallbacks(execute=True):
        response = api.post(f"/api/v1/requests/{task.number}/approve/", {"opinion": "同意购买"}, format="json")
    assert response.status_code == 200, response.content
    assert response.json()["request"]["state"] == "pending_acceptance"
    assert Task.objects.get(pk=task.pk).state == "pending_acceptance"
    login(client, org.requester)
    page = client.get(f"/requests/{task.number}/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "同意购买" in page
    assert org.sales_head.name in page
    timeline = response.json()["request"]["timeline"]
    assert any(e["kind"] == "log" and e["action"] == "task.approved" for e in timeline), timeline


def test_a_step_the_state_moved_past_is_409(org, in_state, bearer):
    task = in_state("pending_acceptance")
    response = bearer(org.sales_head).post(f"/api/v1/requests/{task.number}/approve/", {}, format="json")
    assert response.status_code == 409
    body = response.json()
    assert body["code"] == "conflict" and body["message"] and body["fields"] == {}


def test_seen_state_that_moved_on_is_409(org, in_state, bearer):
    task = in_state("pending_approval")
    response = bearer(org.sales_head).post(
        f"/api/v1/requests/{task.number}/approve/", {"seen_state": "draft"}, format="json"
    )
    assert response.status_code == 409
    assert Task.objects.get(pk=task.pk).state == "pending_approval"


def test_the_requester_may_not_approve_their_own(org, in_state, bearer):
    task = in_state("pending_approval")
    response = bearer(org.requester).post(f"/api/v1/requests/{task.number}/approve/", {}, format="json")
    assert response.status_code == 403
    assert Task.objects.get(pk=task.pk).state == "pending_approval"


def test_outsider_gets_404_for_a_request_they_cannot_see(org, in_state, bearer):
    task = in_state("pending_approval")
    client = bearer(org.outsider)
    assert client.get(f"/api/v1/requests/{task.number}/").status_code == 404
    assert client.post(f"/api/v1/requests/{task.number}/comment/", {"body": "x"}, format="json").status_code == 404
    missing = client.get("/api/v1/requests/REQ-0000-99999/")
    assert missing.status_code == 404 and missing.json()["code"] == "not_found"


def test_bad_input_is_400_with_field_messages(org, in_state, bearer):
    task = in_state("pending_approval")
    response = bearer(org.sales_head).post(f"/api/v1/requests/{task.number}/reject/", {}, format="json")
    assert response.status_code == 400
    assert "reason" in response.json()["fields"]


def test_the_whole_path_through_the_api(org, purchase, bearer):
    requester, head, purchasing, assignee = (
        bearer(u) for u in (org.requester, org.sales_head, org.purchasing_head, org.assignee)
    )
    filed = requester.post(
        "/api/v1/requests/",
        {"request_type": "purchase", "title": "买打印纸", "fields": {"amount": 300}, "submit": True},
        format="json",
    )
    assert filed.status_code == 201, filed.content
    number = filed.json()["number"]
    assert filed.json()["state"] == "pending_approval"
    assert filed.json()["fields"][0]["value"] == "300"

    def step(client, name, data=None):
        response = client.post(f"/api/v1/requests/{number}/{name}/", data or {}, format="json")
        assert response.status_code == 200, (name, response.content)
        return response.json()["request"]

    step(head, "approve")
    step(purchasing, "accept", {"assignee": org.assignee.pk})
    step(assignee, "progress", {"percent": 40, "note": "在比价"})
    step(assignee, "hold", {"reason": "waiting_other", "waiting_on": org.hr.pk})
    step(assignee, "resume")
    step(requester, "urge", {"comment": "请加快"})
    step(requester, "comment", {"body": "谢谢"})
    step(assignee, "finish")
    step(requester, "reopen", {"reason": "incomplete"})
    step(assignee, "finish")
    done = step(requester, "confirm")
    assert done["state"] == "done"
    kinds = [e["action"] for e in done["timeline"] if e["kind"] == "log"]
    assert "task.approved" in kinds and "task.confirmed" in kinds


def test_filing_validates_the_type_fields_as_the_form_does(org, purchase, bearer):
    client = bearer(org.requester)
    missing = client.post("/api/v1/requests/", {"request_type": "purchase", "title": "x"}, format="json")
    assert missing.status_code == 400
    assert "fields.amount" in missing.json()["fields"]
    negative = client.post(
        "/api/v1/requests/", {"request_type": "purchase", "title": "x", "fields": {"amount": -5}}, format="json"
    )
    assert negative.status_code == 400 and "fields.amount" in negative.json()["fields"]
    unknown = client.post("/api/v1/requests/", {"request_type": "nope", "title": "x"}, format="json")
    assert unknown.status_code == 400 and "request_type" in unknown.json()["fields"]
    assert not Task.objects.exists()


def test_idempotency_key_files_once(org, purchase, bearer):
    client = bearer(org.requester)
    body = {"request_type": "purchase", "title": "买打印纸", "fields": {"amount": 300}, "submit": True}
    first = client.post("/api/v1/requests/", body, format="json", HTTP_IDEMPOTENCY_KEY="abc-1")
    second = client.post("/api/v1/requests/", body, format="json", HTTP_IDEMPOTENCY_KEY="abc-1")
    assert first.status_code == second.status_code == 201
    assert first.json()["number"] == second.json()["number"]
    assert second["Idempotent-Replayed"] == "true"
    assert Task.objects.count() == 1
    # Another key, or the same key from someone else, files anew.
    client.post("/api/v1/requests/", body, format="json", HTTP_IDEMPOTENCY_KEY="abc-2")
    other = bearer(org.sales_deputy).post("/api/v1/requests/", body, format="json", HTTP_IDEMPOTENCY_KEY="abc-1")
    assert other.status_code == 201 and other.json()["number"] != first.json()["number"]
    assert Task.objects.count() == 3


CRAFTED = [
    {"request_type": "purchase", "title": "a\x00b", "fields": {"amount": 1}},
    {"request_type": "purchase", "title": "x", "fields": {"amount": 10**400}},
    {"request_type": "purchase", "title": "x", "fields": {"amount": {"a": 1}}},
    {"request_type": "purchase", "title": ["x", "y"], "fields": "amount"},
    {"request_type": {"x": 1}, "title": 5},
    {"request_type": "purchase\x00", "title": "x"},
    {"request_type": "purchase", "title": "x", "fields": {"amount": 1}, "priority": 10**30, "wanted_by": "9999-99-99"},
    {
        "request_type": "purchase",
        "title": "x",
        "fields": {"amount": 1},
        "co_departments": [10**30],
        "watchers": ["\x00"],
    },
    {"request_type": "purchase", "title": "x", "fields": {"amount": 1}, "watchers": ["\x00", "a\x00b"]},
    {"request_type": "purchase", "title": "x", "fields": {"amount": 1, "nope": "\x00"}, "description": "\x00"},
    {"request_type": "purchase", "title": "x", "fields": {"amount": "1\x00"}},
    [1, 2, 3],
    "text",
]


def test_a_number_past_float_range_is_400(org, purchase, bearer):
    body = '{"request_type": "purchase", "title": "x", "fields": {"amount": 1e400}}'
    response = bearer(org.requester).post("/api/v1/requests/", body, content_type="application/json")
    assert response.status_code == 400 and "fields.amount" in response.json()["fields"]
    malformed = bearer(org.requester).post("/api/v1/requests/", "{", content_type="application/json")
    assert malformed.status_code == 400 and malformed.json()["code"] == "parse_error"


@pytest.mark.parametrize("body", CRAFTED)
def test_crafted_filing_is_400_never_500(org, purchase, bearer, body):
    response = bearer(org.requester).post("/api/v1/requests/", body, format="json")
    assert response.status_code == 400, response.content
    assert set(response.json()) == {"code", "message", "fields"}
    assert not Task.objects.exists()


@pytest.mark.parametrize(
    "path, data",
    [
        ("progress", {"percent": 10**50}),
        ("progress", {"percent": "\x00"}),
        ("accept", {"assignee": 10**40}),
        ("accept", {"assignee": [1, {"x": 1}]}),
        ("hold", {"reason": "\x00", "waiting_on": "x"}),
        ("transfer", {"department": -1, "reason": "other"}),
    ],
)
def test_crafted_steps_are_4xx(org, in_state, bearer, path, data):
    task = in_state("in_progress")
    for user in (org.assignee, org.purchasing_head):
        response = bearer(user).post(f"/api/v1/requests/{task.number}/{path}/", data, format="json")
        assert 400 <= response.status_code < 500, response.content


@pytest.mark.parametrize(
    "query",
    [
        "state=nope",
        "department=abc",
        "priority=99999999999999999999",
        "scope=other",
        "q=" + "x" * 500,
        "q=a%00b",
        "cursor=%%%",
        "cursor=cD0yMDI2LTAxLTAx",  # p=2026-01-01 (a date, no time): still a position
        "cursor=cD1ub3QtYS1kYXRl",  # p=not-a-date
        "limit=abc",
        "limit=999999999999",
    ],
)
def test_crafted_list_queries_are_never_500(org, in_state, bearer, query):
    in_state("pending_approval")
    response = bearer(org.sales_head).get(f"/api/v1/requests/?{query}")
    assert response.status_code in (200, 400, 404), (query, response.status_code)
    assert "code" in response.json() or "results" in response.json()


def test_list_filters_are_the_pages(org, purchase, support, file_request, bearer):
    a = file_request(purchase, title="买电脑")
    file_request(support, title="问问题")
    client = bearer(org.requester)
    rows = client.get("/api/v1/requests/", {"request_type": purchase.pk}).json()["results"]
    assert [r["number"] for r in rows] == [a.number]
    rows = client.get("/api/v1/requests/", {"q": "问"}).json()["results"]
    assert [r["title"] for r in rows] == ["问问题"]
    assert client.get("/api/v1/requests/", {"scope": "approvals"}).json()["results"] == []
    head_rows = bearer(org.sales_head).get("/api/v1/requests/", {"scope": "approvals"}).json()["results"]
    assert [r["number"] for r in head_rows] == [a.number]


def test_cursor_pages_walk_every_row_once(org, support, file_request, bearer):
    numbers = {file_request(support, title=f"问题{i}").number for i in range(7)}
    client = bearer(org.requester)
    seen, url = [], "/api/v1/requests/?limit=3"
    while url:
        page = client.get(url).json()
        seen += [r["number"] for r in page["results"]]
        url = page["next"]
    assert len(seen) == 7 and set(seen) == numbers


def test_drafts_stay_their_requesters(org, support, file_request, bearer):
    draft = file_request(support, submit=False)
    assert bearer(org.sales_head).get(f"/api/v1/requests/{draft.number}/").status_code == 404
    assert bearer(org.requester).get(f"/api/v1/requests/{draft.number}/").status_code == 200


def test_attach_stores_a_file_on_the_timeline(org, in_state, bearer):
    from django.core.files.uploadedfile import SimpleUploadedFile

    task = in_state("pending_approval")
    client = bearer(org.requester)
    response = client.post(
        f"/api/v1/requests/{task.number}/attach/", {"files": [SimpleUploadedFile("quote.txt", b"price")]}
    )
    assert response.status_code == 200, response.content
    files = [e for e in response.json()["request"]["timeline"] if e["kind"] == "file"]
    assert [f["name"] for f in files] == ["quote.txt"]
    assert client.post(f"/api/v1/requests/{task.number}/attach/", {}, format="json").status_code == 400


def test_session_posts_need_the_csrf_token(org, in_state):
    task = in_state("pending_approval")
    client = APIClient(enforce_csrf_checks=True)
    login(client, org.sales_head)
    assert client.get(f"/api/v1/requests/{task.number}/").status_code == 200
    refused = client.post(f"/api/v1/requests/{task.number}/approve/", {}, format="json")
    assert refused.status_code == 403 and "CSRF" in refused.json()["message"]
    assert Task.objects.get(pk=task.pk).state == "pending_approval"


def test_errors_speak_the_callers_language(org, in_state, bearer):
    task = in_state("pending_acceptance")
    client = bearer(org.sales_head)
    en = client.post(f"/api/v1/requests/{task.number}/approve/", {}, format="json", HTTP_ACCEPT_LANGUAGE="en")
    zh = client.post(f"/api/v1/requests/{task.number}/approve/", {}, format="json", HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert "already handled" in en.json()["message"]
    assert en.json()["message"] != zh.json()["message"]
    org.sales_head.language = "en"
    org.sales_head.save()
    chosen = client.post(f"/api/v1/requests/{task.number}/approve/", {}, format="json", HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert "already handled" in chosen.json()["message"]


def test_add_an_approver_and_forward_through_the_api(org, in_state, bearer):
    """加签 and 转签: the page's forms and rules, at add-approver/ and forward/."""
    task = in_state("pending_approval")
    head = bearer(org.sales_head)
    assert "add_approver" in head.get(f"/api/v1/requests/{task.number}/").json()["allowed_steps"]
    added = head.post(
        f"/api/v1/requests/{task.number}/add-approver/",
        {"person": org.leader.pk, "position": "before", "comment": "请郑总先看"},
        format="json",
    )
    assert added.status_code == 200, added.content
    approvals = added.json()["request"]["approvals"]
    first = next(a for a in approvals if a["approver"]["username"] == "leader")
    assert (first["step_order"], first["added_by"]["username"], first["note"]) == (1, "sales_head", "请郑总先看")
    assert "add_approver" not in added.json()["request"]["allowed_steps"]  # the added approver decides first

    leader = bearer(org.leader)
    leader.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    refused = leader.post(
        f"/api/v1/requests/{task.number}/forward/", {"person": org.requester.pk, "comment": "x"}, format="json"
    )
    assert refused.status_code == 400 and "filed this request" in refused.json()["message"]
    missing = leader.post(f"/api/v1/requests/{task.number}/add-approver/", {"person": org.outsider.pk}, format="json")
    assert missing.status_code == 400 and {"position", "comment"} <= set(missing.json()["fields"])
    forwarded = leader.post(
        f"/api/v1/requests/{task.number}/forward/", {"person": org.outsider.pk, "comment": "请人事代批"}, format="json"
    )
    assert forwarded.status_code == 200, forwarded.content
    assert Task.objects.get(pk=task.pk).approvals.get(step_order=1).forwarded_from == org.leader
