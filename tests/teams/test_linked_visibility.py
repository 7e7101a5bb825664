"""The team page lists only the linked requests its viewer may see, and a draft (its requester's
alone) cannot be linked: team members never learn a draft's number or title."""

import pytest

from tasks import services as task_services
from teams import services
from teams.models import TeamRequest
from teams.services import TeamError
from tests.conftest import login

pytestmark = pytest.mark.django_db


@pytest.fixture
def file_request(org):
    def make(request_type, *, title, submit=True):
        return task_services.task_create(
            by=org.requester, request_type=request_type, title=title, values={"amount": 500}, submit=submit
        )

    return make


def test_a_draft_cannot_be_linked(client, org, active_team, purchase, file_request):
    draft = file_request(purchase, submit=False, title="尚未提交的采购草稿")
    with pytest.raises(TeamError):
        services.team_request_link(team=active_team, by=org.requester, task=draft)
    login(client, org.requester)
    response = client.post(
        f"/teams/{active_team.pk}/requests/link/", {"number": draft.number}, follow=True, HTTP_ACCEPT_LANGUAGE="en"
    )
    assert "A draft cannot be linked: submit it first." in response.content.decode()
    assert not TeamRequest.objects.filter(task=draft).exists()


def test_the_team_page_lists_only_the_requests_its_viewer_may_see(client, org, active_team, purchase, file_request):
    shown = file_request(purchase, title="团队可见的采购申请")
    services.team_request_link(team=active_team, by=org.requester, task=shown)
    returned = file_request(purchase, title="被退回的秘密草稿")
    services.team_request_link(team=active_team, by=org.requester, task=returned)
    # Linked while it was submitted, then returned for revision: a draft again, its requester's alone.
    task_services.task_return(task=returned, by=org.sales_head, reason="incomplete", opinion="补充")

    login(client, org.requester)
    mine = client.get(f"/teams/{active_team.pk}/").content.decode()
    assert f"/requests/{returned.number}/" in mine and "被退回的秘密草稿" in mine
    for member in (org.assignee, org.sales_head):  # a member and the lead
        login(client, member)
        page = client.get(f"/teams/{active_team.pk}/").content.decode()
        assert f"/requests/{shown.number}/" in page, member.username
        # (the team's log keeps the bare number its member linked, as it logged it then)
        assert f"/requests/{returned.number}/" not in page and "被退回的秘密草稿" not in page, member.username
