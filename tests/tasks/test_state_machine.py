"""Every (state, action, role): allowed or denied as designed; crafted POSTs get 403/404, never 500."""

import pytest

from tasks.models import Task
from tasks.rules import can
from tests.conftest import login

pytestmark = pytest.mark.django_db

STATES = [
    "draft",
    "pending_approval",
    "pending_acceptance",
    "in_progress",
    "on_hold",
    "pending_verification",
    "done",
    "rejected",
]
ROLES = ["requester", "sales_head", "purchasing_head", "assignee", "sales_deputy", "outsider", "admin"]

# action -> {state: roles allowed}
ALLOWED = {
    "edit": {"draft": {"requester"}},
    "submit": {"draft": {"requester"}},
    "approve": {"pending_approval": {"sales_head"}},
    "accept": {"pending_acceptance": {"purchasing_head"}},
    "decline": {"pending_acceptance": {"purchasing_head"}},
    "transfer": {"pending_acceptance": {"purchasing_head"}, "in_progress": {"purchasing_head"}},
    "reassign": {"in_progress": {"purchasing_head"}, "on_hold": {"purchasing_head"}},
    "progress": {"in_progress": {"assignee"}},
    "finish": {"in_progress": {"assignee"}},
    "hold": {"in_progress": {"assignee", "purchasing_head"}},
    "resume": {"on_hold": {"assignee", "purchasing_head"}},
    "verify": {"pending_verification": {"requester"}},
    "revise": {"rejected": {"requester"}},
    "cancel": {s: {"requester", "admin"} for s in ("draft", "pending_approval", "pending_acceptance", "in_progress")},
    "urge": {s: {"requester"} for s in ("pending_approval", "pending_acceptance", "in_progress", "on_hold")},
}


@pytest.mark.parametrize("state", STATES)
def test_permission_table(org, in_state, state):
    task = in_state(state)
    assert task.state == state
    task = Task.objects.get(pk=task.pk)
    for action, by_state in ALLOWED.items():
        allowed = by_state.get(state, set())
        for role in ROLES:
            user = getattr(org, role)
            assert can(user, action, task) == (role in allowed), (state, action, role)


# action URL -> minimal valid POST data (assignee etc. filled in by the test)
POSTS = {
    "submit": {},
    "approve": {"opinion": "ok"},
    "reject": {"reason": "policy"},
    "return": {"reason": "unclear"},
    "accept": {"assignee": None},
    "decline": {"reason": "no_capacity"},
    "progress": {"percent": 50},
    "finish": {},
    "hold": {"reason": "other"},
    "resume": {},
    "confirm": {},
    "reopen": {"reason": "quality"},
    "revise": {},
    "cancel": {"comment": "不需要了"},
    "urge": {},
}


@pytest.mark.parametrize(
    "state", ["draft", "pending_approval", "pending_acceptance", "in_progress", "pending_verification"]
)
def test_crafted_posts_by_a_member_who_may_only_look_get_403(client, org, in_state, state):
    task = in_state(state)
    login(client, org.sales_deputy)  # same department as the requester: sees it, may not act
    # ... once it is submitted: a draft is its requester's alone, for anyone else it does not exist.
    refused = (404,) if state == "draft" else (302, 403)
    for action, data in POSTS.items():
        data = {k: (org.assignee.pk if v is None else v) for k, v in data.items()}
        response = client.post(f"/requests/{task.number}/do/{action}/", data)
        assert response.status_code in refused, (action, response.status_code)
        if response.status_code == 302:
            # Actions that do not apply in this state answer with an "already handled" message.
            assert Task.objects.get(pk=task.pk).state == state, action
    assert Task.objects.get(pk=task.pk).state == state


def test_outsider_gets_404_for_everything(client, org, in_state):
    task = in_state("in_progress")
    login(client, org.outsider)
    assert client.get(f"/requests/{task.number}/").status_code == 404
    for action in POSTS:
        assert client.post(f"/requests/{task.number}/do/{action}/", {}).status_code == 404
    assert client.get(f"/requests/{task.number}/mentions/?q=a").status_code == 404
    assert client.get(f"/requests/{task.number}/edit/").status_code == 404


def test_unknown_action_and_get_on_actions(client, org, in_state):
    task = in_state("in_progress")
    login(client, org.assignee)
    assert client.post(f"/requests/{task.number}/do/explode/").status_code == 404
    assert client.get(f"/requests/{task.number}/do/progress/").status_code == 405


@pytest.mark.parametrize("data", [{"percent": "abc"}, {"percent": 101}, {"percent": -1}, {}])
def test_bad_input_gets_a_message_and_changes_nothing(client, org, in_state, data):
    task = in_state("in_progress")
    login(client, org.assignee)
    response = client.post(f"/requests/{task.number}/do/progress/", data, follow=True)
    assert response.status_code == 200
    assert any(m.level_tag == "error" for m in response.context["messages"])
    assert Task.objects.get(pk=task.pk).progress == 0


def test_whole_life_through_the_browser_forms(client, org, in_state):
    task = in_state("pending_acceptance")
    login(client, org.purchasing_head)
    client.post(
        f"/requests/{task.number}/do/accept/", {"assignee": org.assignee.pk, "seen_state": "pending_acceptance"}
    )
    login(client, org.assignee)
    client.post(f"/requests/{task.number}/do/progress/", {"percent": 60, "note": "在办"})
    client.post(f"/requests/{task.number}/do/hold/", {"reason": "waiting_other", "waiting_on": org.hr.pk})
    client.post(f"/requests/{task.number}/do/resume/", {})
    client.post(f"/requests/{task.number}/do/finish/", {"comment": "完成"})
    login(client, org.requester)
    client.post(f"/requests/{task.number}/do/reopen/", {"reason": "quality", "comment": "缺一台"})
    login(client, org.assignee)
    client.post(f"/requests/{task.number}/do/finish/", {})
    login(client, org.requester)
    client.post(f"/requests/{task.number}/do/confirm/", {})
    task.refresh_from_db()
    assert task.state == "done"
    actions = list(task.logs.values_list("action", flat=True))
    assert actions[-8:] == [
        "task.accepted",
        "task.progress",
        "task.held",
        "task.resumed",
        "task.verification",
        "task.reopened",
        "task.verification",
        "task.confirmed",
    ]
    assert task.logs.get(action="task.reopened").reason == "quality"


def test_stale_page_gets_already_handled(client, org, in_state):
    task = in_state("pending_acceptance")
    login(client, org.purchasing_head)
    client.post(
        f"/requests/{task.number}/do/accept/", {"assignee": org.assignee.pk, "seen_state": "pending_acceptance"}
    )
    # The same click again from the old page:
    response = client.post(
        f"/requests/{task.number}/do/decline/",
        {"reason": "no_capacity", "seen_state": "pending_acceptance"},
        follow=True,
    )
    texts = [str(m) for m in response.context["messages"]]
    assert any("赵经理" in t and "已经" in t for t in texts), texts
    task.refresh_from_db()
    assert task.state == "in_progress"
