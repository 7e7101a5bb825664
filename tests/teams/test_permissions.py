"""Private teams are invisible to outsiders (404 on every team URL); non-leads get 403 on lead actions."""

import pytest
from django.urls import reverse
from django.utils import timezone

from teams import services
from teams.models import Team
from tests.conftest import login


@pytest.fixture
def private_team(org, team):
    Team.objects.filter(pk=team.pk).update(private=True)
    team.refresh_from_db()
    meeting = services.meeting_add(team=team, by=org.sales_head, starts_at=timezone.now(), minutes=30)
    team._meeting = meeting
    return team


def _team_urls(team):
    """Every URL pattern of the teams app that takes a team id, with sample arguments."""
    from teams.urls import urlpatterns

    urls = []
    for pattern in urlpatterns:
        route = str(pattern.pattern)
        if not route.startswith("teams/<int:pk>/"):
            continue
        kwargs = {"pk": team.pk}
        if "<int:milestone_pk>" in route:
            kwargs["milestone_pk"] = 999999
        if "<int:meeting_pk>" in route:
            kwargs["meeting_pk"] = team._meeting.pk
        if "<int:action_pk>" in route:
            kwargs["action_pk"] = 999999
        if "<slug:kind>" in route:
            kwargs["kind"] = "plan"
        if "<slug:action>" in route:
            kwargs["action"] = "start"
        urls.append(reverse(f"teams:{pattern.name}", kwargs=kwargs))
    return urls


def test_outsider_gets_404_everywhere_on_a_private_team(client, org, private_team):
    login(client, org.outsider)
    urls = _team_urls(private_team)
    assert len(urls) >= 18
    for url in urls:
        statuses = {client.get(url).status_code, client.post(url).status_code}
        assert 404 in statuses and statuses <= {404, 405}, (url, statuses)
    assert private_team.name not in client.get("/teams/").content.decode()


def test_members_and_admin_see_a_private_team(client, org, private_team):
    for person in (org.requester, org.sales_head, org.admin):
        login(client, person)
        assert client.get(f"/teams/{private_team.pk}/").status_code == 200


def test_public_team_visible_but_lead_actions_forbidden(client, org, team):
    login(client, org.outsider)
    assert client.get(f"/teams/{team.pk}/").status_code == 200
    assert client.get(f"/teams/{team.pk}/edit/").status_code == 403
    assert client.post(f"/teams/{team.pk}/start/").status_code == 403
    assert client.post(f"/teams/{team.pk}/readings/", {"value": "1", "measured_on": "2026-11-01"}).status_code == 403


def test_member_contributes_but_does_not_edit_goal_or_plan(client, org, active_team):
    login(client, org.requester)
    assert client.get(f"/teams/{active_team.pk}/edit/").status_code == 403
    assert client.get(f"/teams/{active_team.pk}/plan/").status_code == 403
    assert client.get(f"/teams/{active_team.pk}/milestones/new/").status_code == 403
    assert client.post(f"/teams/{active_team.pk}/complete/").status_code == 403
    assert client.get(f"/teams/{active_team.pk}/requests/new/").status_code == 200


def test_anonymous_is_sent_to_login(client, team):
    response = client.get(f"/teams/{team.pk}/")
    assert response.status_code == 302 and "login" in response["Location"]


def test_unknown_transition_and_get_on_post_views(client, org, team):
    login(client, org.sales_head)
    assert client.post(f"/teams/{team.pk}/explode/").status_code == 403
    assert client.get(f"/teams/{team.pk}/start/").status_code == 405


def test_lead_starts_team_in_the_browser(client, org, team):
    login(client, org.sales_head)
    response = client.post(f"/teams/{team.pk}/start/")
    assert response.status_code == 302
    team.refresh_from_db()
    assert team.state == Team.State.ACTIVE


def test_cancel_without_reason_shows_an_error(client, org, team):
    login(client, org.sales_head)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    response = client.post(f"/teams/{team.pk}/cancel/", {"reason": ""}, follow=True)
    assert response.status_code == 200
    team.refresh_from_db()
    assert team.state == Team.State.PLANNING
    assert "alert-danger" in response.content.decode()
    assert "Say why the team is cancelled." in response.content.decode()
