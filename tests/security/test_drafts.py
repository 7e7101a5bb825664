"""A draft is its requester's alone until submitted: no one else finds it on its page, in a list,
the inbox, the home page, search, an export or a calendar feed, whoever would see it once
submitted (the departments' members and managers, approvers, admins)."""

import pytest

from reports.search import search
from tasks import services
from tasks.models import Reason, Task
from tests.conftest import login

pytestmark = pytest.mark.django_db

# Everyone who would see the request were it submitted, and someone with nothing to do with it.
OTHERS = ("assignee", "purchasing_head", "sales_head", "sales_deputy", "leader", "admin", "outsider")
PAGES = (
    "/",
    "/requests/list/all/",
    "/requests/list/all/?state=draft",
    "/requests/list/all/?q=REQ",
    "/requests/list/mine/",
    "/requests/inbox/",
)


@pytest.fixture
def draft(org, purchase, file_request, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):  # the search index is written after the commit
        task = file_request(purchase, submit=False, title="草稿买十台电脑", watchers=[org.assignee])
    assert task.state == Task.State.DRAFT
    return task


def _shown(client, task) -> list[str]:
    """Where `task`'s number shows for the signed-in person."""
    found = []
    for path in PAGES:
        response = client.get(path)
        assert response.status_code in (200, 403), path  # the inbox is for managers only
        if task.number in response.content.decode():
            found.append(path)
    for scope in ("all", "mine"):
        response = client.get(f"/requests/list/{scope}/?export=csv")
        if task.number in response.content.decode("utf-8-sig"):
            found.append(f"{scope}.csv")
    return found


@pytest.mark.parametrize("persona", OTHERS)
def test_a_draft_is_invisible_to_everyone_but_its_requester(client, org, draft, persona):
    person = getattr(org, persona)
    login(client, person)
    assert client.get(f"/requests/{draft.number}/").status_code == 404
    assert client.post(f"/requests/{draft.number}/form/").status_code == 404
    assert client.post(f"/requests/{draft.number}/do/comment/", {"body": "看到了"}).status_code == 404
    assert _shown(client, draft) == []
    assert not [hit for hit in search(person, "草稿") if hit.kind == "task"]
    assert not Task.objects.visible_to(person).filter(pk=draft.pk).exists()


def test_the_requester_sees_their_draft_everywhere_it_belongs(client, org, draft):
    login(client, org.requester)
    assert client.get(f"/requests/{draft.number}/").status_code == 200
    assert _shown(client, draft) == [
        "/requests/list/all/",
        "/requests/list/all/?state=draft",
        "/requests/list/all/?q=REQ",
        "/requests/list/mine/",
        "all.csv",
        "mine.csv",
    ]
    assert [hit.object_id for hit in search(org.requester, "草稿") if hit.kind == "task"] == [draft.pk]


def test_a_request_returned_to_draft_is_its_requesters_again(client, org, in_state):
    task = in_state("pending_approval")
    login(client, org.sales_head)
    assert client.get(f"/requests/{task.number}/").status_code == 200
    services.task_return(task=task, by=org.sales_head, opinion="请补充报价单", reason=Reason.INCOMPLETE)
    assert Task.objects.get(pk=task.pk).state == Task.State.DRAFT
    # The approver who returned it, and the departments, no longer see it until it is submitted again.
    for persona in ("sales_head", "purchasing_head", "assignee", "admin"):
        login(client, getattr(org, persona))
        assert client.get(f"/requests/{task.number}/").status_code == 404, persona
    login(client, org.requester)
    assert client.get(f"/requests/{task.number}/").status_code == 200
    services.task_submit(task=Task.objects.get(pk=task.pk), by=org.requester)
    login(client, org.sales_head)
    assert client.get(f"/requests/{task.number}/").status_code == 200


def test_a_submitted_request_stays_visible_to_its_departments(client, org, in_state):
    """The draft rule narrows drafts only: the same request once submitted shows as before."""
    task = in_state("pending_approval")
    for persona in ("assignee", "purchasing_head", "sales_head", "admin"):
        login(client, getattr(org, persona))
        assert client.get(f"/requests/{task.number}/").status_code == 200, persona
        assert task.number in client.get("/requests/list/all/").content.decode(), persona
    login(client, org.outsider)
    assert client.get(f"/requests/{task.number}/").status_code == 404
