"""Milestones inside the team's span and without dependency loops; requests under the plan
follow the normal flow; the communication plan."""

from datetime import date, time

import pytest

from tasks.models import Task
from teams import services
from teams.models import Milestone, TeamRequest
from teams.services import TeamError
from tests.conftest import login


def _milestone(org, team, title, start, due, depends_on=(), milestone=None):
    return services.milestone_save(
        team=team,
        by=org.sales_head,
        values={"title": title, "starts_on": start, "due_on": due, "department": org.sales, "status": "planned"},
        depends_on=depends_on,
        milestone=milestone,
    )


def test_milestone_dates_inside_the_span(org, active_team):
    with pytest.raises(TeamError, match="2026-11-02"):
        _milestone(org, active_team, "太早", date(2026, 10, 1), date(2026, 11, 20))
    with pytest.raises(TeamError):
        _milestone(org, active_team, "太晚", date(2027, 3, 1), date(2027, 4, 30))
    with pytest.raises(TeamError):
        _milestone(org, active_team, "倒置", date(2026, 12, 10), date(2026, 12, 1))
    assert not Milestone.objects.exists()


def test_dependency_cycles_are_refused(org, active_team):
    a = _milestone(org, active_team, "A 调研", date(2026, 11, 2), date(2026, 11, 30))
    b = _milestone(org, active_team, "B 方案", date(2026, 12, 1), date(2026, 12, 31), depends_on=[a])
    c = _milestone(org, active_team, "C 上市", date(2027, 1, 1), date(2027, 1, 31), depends_on=[b])
    with pytest.raises(TeamError, match="loop"):
        _milestone(org, active_team, "A 调研", date(2026, 11, 2), date(2026, 11, 30), depends_on=[c], milestone=a)
    with pytest.raises(TeamError):
        _milestone(org, active_team, "B 方案", date(2026, 12, 1), date(2026, 12, 31), depends_on=[b], milestone=b)
    assert list(a.depends_on.all()) == []


def test_milestone_cannot_start_before_its_dependency_is_due(org, active_team):
    a = _milestone(org, active_team, "A", date(2026, 11, 2), date(2026, 11, 30))
    with pytest.raises(TeamError, match="A"):
        _milestone(org, active_team, "B", date(2026, 11, 20), date(2026, 12, 31), depends_on=[a])


def test_milestone_form_shows_errors_and_saves_nothing(client, org, active_team):
    login(client, org.sales_head)
    response = client.post(
        f"/teams/{active_team.pk}/milestones/new/",
        {
            "title": "X",
            "starts_on": "2026-01-01",
            "due_on": "2026-01-05",
            "department": org.sales.pk,
            "status": "planned",
        },
    )
    assert response.status_code == 200
    assert "2026-11-02" in response.content.decode()
    assert not Milestone.objects.exists()
    response = client.post(
        f"/teams/{active_team.pk}/milestones/new/",
        {"title": "X", "starts_on": "garbage", "due_on": "", "department": "abc", "status": "nope"},
    )
    assert response.status_code == 200 and not Milestone.objects.exists()
    response = client.post(
        f"/teams/{active_team.pk}/milestones/new/",
        {
            "title": "调研",
            "starts_on": "2026-11-02",
            "due_on": "2026-11-30",
            "department": org.sales.pk,
            "status": "planned",
        },
    )
    assert response.status_code == 302 and Milestone.objects.get().title == "调研"


def test_request_filed_under_a_milestone_follows_the_normal_flow(org, active_team, support):
    milestone = _milestone(org, active_team, "调研", date(2026, 11, 2), date(2026, 11, 30))
    link = services.team_request_file(
        team=active_team, by=org.requester, request_type=support, title="竞品价格调研", milestone=milestone
    )
    task = link.task
    assert task.state == Task.State.PENDING_ACCEPTANCE  # submitted; 咨询 needs no approval
    assert task.requester == org.requester and task.target_department == org.purchasing
    assert link.milestone == milestone and link.team == active_team
    with pytest.raises(TeamError):
        services.team_request_file(team=active_team, by=org.outsider, request_type=support, title="x")


def test_link_existing_request_once_and_only_if_visible(org, active_team, support):
    from tasks import services as task_services

    task = task_services.task_create(by=org.requester, request_type=support, title="已有事务", submit=True)
    services.team_request_link(team=active_team, by=org.requester, task=task)
    with pytest.raises(TeamError):
        services.team_request_link(team=active_team, by=org.requester, task=task)
    hidden = task_services.task_create(by=org.outsider, request_type=support, title="别人的", confidential=True)
    with pytest.raises(TeamError):
        services.team_request_link(team=active_team, by=org.assignee, task=hidden)
    assert TeamRequest.objects.filter(team=active_team).count() == 1


def test_link_form_with_unknown_number(client, org, active_team):
    login(client, org.requester)
    response = client.post(f"/teams/{active_team.pk}/requests/link/", {"number": "NOPE-1"}, follow=True)
    assert response.status_code == 200 and not TeamRequest.objects.exists()


def test_request_form_in_the_browser(client, org, active_team, support):
    login(client, org.requester)
    response = client.post(
        f"/teams/{active_team.pk}/requests/new/", {"request_type": support.pk, "title": "样品采购", "description": ""}
    )
    assert response.status_code == 302
    assert TeamRequest.objects.get().task.title == "样品采购"


def test_plan_needs_time_and_weekday(org, active_team):
    values = {
        "meeting_freq": "WEEKLY",
        "meeting_interval": 1,
        "meeting_weekdays": [],
        "meeting_time": time(10),
        "meeting_minutes": 60,
        "meeting_location": "",
        "daily_email": False,
    }
    with pytest.raises(TeamError):
        services.plan_set(team=active_team, by=org.sales_head, values=values)
    with pytest.raises(TeamError):
        services.plan_set(
            team=active_team, by=org.sales_head, values={**values, "meeting_weekdays": [0], "meeting_time": None}
        )
    with pytest.raises(TeamError):
        services.plan_set(team=active_team, by=org.requester, values={**values, "meeting_weekdays": [0]})
    team = services.plan_set(team=active_team, by=org.sales_head, values={**values, "meeting_weekdays": [3, 0, 0]})
    assert team.meeting_weekdays == [0, 3]


def test_criteria_form_errors(client, org, active_team):
    login(client, org.sales_head)
    response = client.post(f"/teams/{active_team.pk}/plan/", {"criteria": "1", "lines": "质量 = 50\n成本 = 30"})
    assert response.status_code == 200 and "80" in response.content.decode()
    response = client.post(f"/teams/{active_team.pk}/plan/", {"criteria": "1", "lines": "质量 = abc"})
    assert response.status_code == 200
    assert not active_team.criteria.exists()
    response = client.post(f"/teams/{active_team.pk}/plan/", {"criteria": "1", "lines": "质量 = 50\n成本 = 50"})
    assert response.status_code == 302 and active_team.criteria.count() == 2


def test_edit_forms_show_dates_the_browser_understands(client, org, active_team):
    login(client, org.sales_head)
    html = client.get(f"/teams/{active_team.pk}/edit/").content.decode()
    assert 'type="date"' in html and 'value="2026-11-02"' in html and 'value="2027-03-31"' in html


def test_types_with_required_fields_are_filed_the_normal_way(client, org, active_team, purchase, support):
    with pytest.raises(TeamError, match="New request"):
        services.team_request_file(team=active_team, by=org.requester, request_type=purchase, title="买电脑")
    login(client, org.requester)
    page = client.get(f"/teams/{active_team.pk}/requests/new/")
    choices = [c for c, _label in page.context["form"].fields["request_type"].choices if c]
    assert [c.value for c in choices] == [support.pk]
    assert not Task.objects.exists()


def test_moving_a_milestone_past_the_start_of_what_waits_on_it(org, active_team):
    a = _milestone(org, active_team, "A", date(2026, 11, 2), date(2026, 11, 30))
    _milestone(org, active_team, "B", date(2026, 12, 1), date(2026, 12, 31), depends_on=[a])
    with pytest.raises(TeamError, match="B"):
        _milestone(org, active_team, "A", date(2026, 11, 2), date(2026, 12, 15), milestone=a)
    a.refresh_from_db()
    assert a.due_on == date(2026, 11, 30)
