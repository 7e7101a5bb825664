"""Conflicts through the API: raise, and every step of the conflict page, with its errors."""

import pytest

from conflicts.models import Conflict
from tests.conflicts.conftest import chair, raise_conflict, task  # noqa: F401

pytestmark = pytest.mark.django_db


def _step(client, conflict, name, data=None, expect=200):
    response = client.post(f"/api/v1/conflicts/{conflict.pk}/{name}/", data or {}, format="json")
    assert response.status_code == expect, (name, response.content)
    body = response.json()
    if expect >= 400:
        assert set(body) == {"code", "message", "fields"}, body
    return body


def test_raise_a_conflict_about_a_request(org, bearer, task, chair):  # noqa: F811
    requester = bearer(org.requester)
    data = {
        "request": task.number,
        "subject": "交货期争议",
        "departments": [org.sales.pk, org.purchasing.pk],
        "position": "两周内交货",
    }
    raised = requester.post("/api/v1/conflicts/", data, format="json")
    assert raised.status_code == 201, raised.content
    body = raised.json()
    assert body["state"] == "negotiation" and {p["department"]["code"] for p in body["parties"]} == {
        "sales",
        "purchasing",
    }
    assert [p["text"] for p in body["positions"]] == ["两周内交货"]
    assert "position" in body["allowed_steps"] and "decide" not in body["allowed_steps"]
    # The form's own checks, as fields; nothing raised by a refused attempt.
    count = Conflict.objects.count()
    bad = requester.post("/api/v1/conflicts/", {**data, "departments": [org.sales.pk]}, format="json")
    assert bad.status_code == 400 and "departments" in bad.json()["fields"]
    for wrong in (
        {**data, "departments": ["x"]},
        {**data, "position": ""},
        {k: v for k, v in data.items() if k != "request"},
    ):
        assert requester.post("/api/v1/conflicts/", wrong, format="json").status_code == 400, wrong
    assert requester.post("/api/v1/conflicts/", {**data, "team": 1}, format="json").status_code == 400
    # Outside the request: it is not theirs to see; an unknown request is not found either.
    assert bearer(org.outsider).post("/api/v1/conflicts/", data, format="json").status_code == 404
    assert requester.post("/api/v1/conflicts/", {**data, "request": "nope"}, format="json").status_code == 404
    # A read-scope token reads only.
    assert bearer(org.requester, scope="read").post("/api/v1/conflicts/", data, format="json").status_code == 403
    assert Conflict.objects.count() == count


def test_negotiation_mediation_and_arbitration(org, bearer, chair, raise_conflict):  # noqa: F811
    conflict = raise_conflict()
    sales, purchasing = bearer(org.sales_head), bearer(org.purchasing_head)
    # Each party's position; an outsider does not see the conflict at all.
    body = _step(purchasing, conflict, "position", {"text": "需要四周"})
    assert body["message"] and [p["text"] for p in body["conflict"]["positions"]][-1] == "需要四周"
    _step(bearer(org.outsider), conflict, "position", {"text": "x"}, expect=404)
    empty = _step(purchasing, conflict, "position", {"text": ""}, expect=400)
    assert "text" in empty["fields"]
    # A settlement proposed by one party, agreed by the other: resolved.
    _step(sales, conflict, "propose", {"text": "三周交货"})
    conflict.refresh_from_db()
    done = _step(purchasing, conflict, "agree", {"seen_proposal_at": conflict.proposal_at.isoformat()})
    assert done["conflict"]["state"] == "resolved" and done["conflict"]["decision"] == "三周交货"
    # Settled: the page would say "already handled" — 409 when the caller says what it saw.
    _step(purchasing, conflict, "escalate", {"text": "再议", "seen_state": "negotiation"}, expect=409)
    _step(purchasing, conflict, "escalate", {"text": "再议"}, expect=403)


def test_escalate_to_the_arbiter_who_decides(org, bearer, chair, raise_conflict):  # noqa: F811
    conflict = raise_conflict()
    _step(bearer(org.sales_head), conflict, "escalate", {"text": "协商失败"})
    conflict.refresh_from_db()
    assert conflict.state == "mediation" and conflict.mediator == org.leader
    mediator = bearer(org.leader)
    assert "decide" not in mediator.get(f"/api/v1/conflicts/{conflict.pk}/").json()["allowed_steps"]
    _step(mediator, conflict, "decide", {"text": "x"}, expect=403)
    _step(mediator, conflict, "escalate", {"text": "调解不成"})
    arbiter = bearer(chair)
    _step(bearer(org.sales_head), conflict, "decide", {"text": "x"}, expect=403)
    _step(arbiter, conflict, "decide", {"text": "x" * 20000}, expect=400)
    decided = _step(arbiter, conflict, "decide", {"text": "按四周交货", "seen_state": "arbitration"})
    assert decided["conflict"]["state"] == "resolved" and decided["conflict"]["resolution"] == "arbitrated"
    assert decided["conflict"]["allowed_steps"] == []
    _step(arbiter, conflict, "decide", {"text": "改判", "seen_state": "arbitration"}, expect=409)


def test_only_whoever_raised_it_withdraws_and_crafted_input(org, bearer, raise_conflict):  # noqa: F811
    conflict = raise_conflict()
    _step(bearer(org.sales_head), conflict, "withdraw", {"text": "算了"}, expect=403)
    requester = bearer(org.requester)
    for crafted in ({"text": {"a": 1}}, {"department": 2**80, "text": "x"}):
        _step(requester, conflict, "position", crafted, expect=400)
    assert requester.post(f"/api/v1/conflicts/{conflict.pk}/position/", [1], format="json").status_code == 400
    _step(requester, conflict, "withdraw", {"text": "算了"})
    assert Conflict.objects.get(pk=conflict.pk).state == "withdrawn"
