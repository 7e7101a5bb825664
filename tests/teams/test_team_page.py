"""The team page: charts with tables behind them, requests per department, overdue items, and a
query count that does not grow with milestones, members, requests or readings."""

import re
from datetime import date, timedelta
from decimal import Decimal

import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tasks import services as task_services
from teams import services
from teams.models import MetricReading, Milestone, TeamMember
from tests.conftest import login
from tests.factories import MembershipFactory, UserFactory


def _grow(org, team, support, n):
    """Add n milestones (chained), n members, n requests and n readings."""
    previous = None
    for i in range(n):
        start = team.starts_on + timedelta(days=10 * len(team.milestones.all()))
        milestone = Milestone.objects.create(
            team=team, title=f"M{start}", starts_on=start, due_on=start + timedelta(days=9), department=org.sales
        )
        if previous:
            milestone.depends_on.add(previous)
        previous = milestone
        person = UserFactory()
        MembershipFactory(user=person, department=org.purchasing)
        TeamMember.objects.create(team=team, user=person, department=org.purchasing, role="成员")
        services.team_request_file(
            team=team, by=org.requester, request_type=support, title=f"R{i}", milestone=milestone
        )
        MetricReading.objects.create(
            team=team, value=Decimal(12 + i), measured_on=team.starts_on + timedelta(days=i), recorded_by=org.requester
        )


def _count(client, url):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries), response


@time_machine.travel("2026-11-25 10:00 +0800", tick=False)
def test_team_page_queries_do_not_grow_with_rows(client, org, active_team, support):
    login(client, org.requester)
    url = f"/teams/{active_team.pk}/"
    _grow(org, active_team, support, 2)
    client.get(url)  # warm up the session and caches
    small, _ = _count(client, url)
    _grow(org, active_team, support, 6)
    large, response = _count(client, url)
    assert large == small, f"{small} queries with few rows, {large} with more"
    assert small <= 30
    html = response.content.decode()
    assert html.count("<rect") == 8  # one Gantt bar per milestone
    assert "<polyline" in html and "<details" in html


@time_machine.travel("2026-11-25 10:00 +0800", tick=False)
def test_page_shows_progress_overdue_and_requests_per_department(client, org, active_team, support):
    services.reading_add(team=active_team, by=org.requester, value=Decimal("13.5"), measured_on=date(2026, 11, 20))
    Milestone.objects.create(
        team=active_team,
        title="逾期里程碑",
        starts_on=date(2026, 11, 2),
        due_on=date(2026, 11, 10),
        department=org.sales,
    )
    link = services.team_request_file(team=active_team, by=org.requester, request_type=support, title="竞品调研")
    task_services.task_accept(task=link.task, by=org.purchasing_head, assignee=org.assignee)
    login(client, org.requester)
    html = client.get(f"/teams/{active_team.pk}/").content.decode()
    assert "50.00%" in html  # attainment: (13.5 - 12) / (15 - 12)
    assert "逾期里程碑" in html and "2026-11-10" in html
    assert "竞品调研" in html and "Purchasing" in html
    assert "CONFLICTS PANEL" in open("templates/teams/team_detail.html", encoding="utf-8").read()


def test_progress_chart_geometry(org, active_team):
    from teams.charts import progress_chart

    readings = [
        MetricReading(team=active_team, value=Decimal("12"), measured_on=active_team.starts_on),
        MetricReading(team=active_team, value=Decimal("15"), measured_on=active_team.deadline),
    ]
    chart = progress_chart(active_team, readings)
    first, last = chart.dots
    assert first["x"] == chart.plot_left and last["x"] == chart.plot_right
    assert first["y"] == chart.baseline_y and last["y"] == chart.target_y
    assert chart.target_y < chart.baseline_y  # higher values are drawn higher


def test_team_list_filters(client, org, team, active_team):
    login(client, org.outsider)
    html = client.get("/teams/?state=active").content.decode()
    assert active_team.name in html
    assert client.get("/teams/?state=bogus&mine=1").status_code == 200
    assert active_team.name not in client.get("/teams/?mine=1").content.decode()


def test_create_team_in_the_browser(client, org, goal):
    login(client, org.requester)
    data = {
        "name": "降本小组",
        "goal": "采购成本降低5%",
        "strategic_goal": goal.pk,
        "metric": "采购成本",
        "unit": "万元",
        "baseline": "1000",
        "target_value": "950",
        "starts_on": "2026-12-01",
        "deadline": "2027-06-30",
        "m-TOTAL_FORMS": "3",
        "m-INITIAL_FORMS": "0",
        "m-0-user": org.requester.pk,
        "m-0-department": org.sales.pk,
        "m-0-role": "牵头",
        "m-1-user": org.assignee.pk,
        "m-1-department": org.purchasing.pk,
        "m-1-role": "采购",
    }
    bad = client.post("/teams/new/", {**data, "deadline": "2026-01-01"})
    assert bad.status_code == 200 and "deadline" in bad.context["form"].errors
    one_department = client.post("/teams/new/", {**data, "m-1-user": "", "m-1-department": ""})
    assert one_department.status_code == 200
    response = client.post("/teams/new/", data)
    assert response.status_code == 302
    from teams.models import Team

    team = Team.objects.get(name="降本小组")
    assert team.lead == org.requester and team.members.count() == 2
    assert team.target_value == Decimal("950")
    assert timezone.now()


def test_readings_after_the_deadline_widen_the_chart(org, active_team):
    from teams.charts import progress_chart

    late = active_team.deadline + timedelta(days=30)
    readings = [
        MetricReading(team=active_team, value=Decimal("13"), measured_on=active_team.deadline),
        MetricReading(team=active_team, value=Decimal("14"), measured_on=late),
    ]
    chart = progress_chart(active_team, readings)
    assert chart.end_label == late.isoformat()
    assert chart.dots[0]["x"] < chart.dots[1]["x"] == chart.plot_right


@time_machine.travel("2026-11-25 10:00 +0800", tick=False)
def test_page_lists_past_meetings_long_ago_and_upcoming_ones(client, org, active_team):
    from datetime import datetime

    old = services.meeting_add(
        team=active_team, by=org.sales_head, starts_at=timezone.make_aware(datetime(2026, 6, 1, 10)), minutes=30
    )
    soon = services.meeting_add(
        team=active_team, by=org.sales_head, starts_at=timezone.now() + timedelta(days=2), minutes=30
    )
    login(client, org.requester)
    page = client.get(f"/teams/{active_team.pk}/")
    assert [m.pk for m in page.context["meetings"]] == [old.pk, soon.pk]


def test_member_count_of_a_private_team_seen_by_a_member(client, org, team):
    from teams.models import Team

    Team.objects.filter(pk=team.pk).update(private=True)
    login(client, org.requester)
    listed = list(client.get("/teams/").context["teams"])
    assert [(t.pk, t.member_count) for t in listed] == [(team.pk, 2)]
    login(client, org.outsider)
    assert list(client.get("/teams/").context["teams"]) == []


def test_team_list_queries_do_not_grow_with_teams(client, org, goal):
    from tests.teams.conftest import team_values

    def make(n):
        for i in range(n):
            services.team_create(
                by=org.sales_head,
                values=team_values(name=f"团队{Team.objects.count()}-{i}", strategic_goal=goal),
                members=[(org.requester, org.sales, ""), (org.assignee, org.purchasing, "")],
            )

    from teams.models import Team

    login(client, org.requester)
    make(2)
    client.get("/teams/")
    small, _ = _count(client, "/teams/")
    make(8)
    large, response = _count(client, "/teams/")
    assert large == small and len(response.context["teams"]) == 10


def test_meeting_page_queries_do_not_grow_with_attendees_or_actions(client, org, active_team):
    meeting = services.meeting_add(
        team=active_team, by=org.sales_head, starts_at=timezone.now() + timedelta(days=1), minutes=30
    )
    login(client, org.requester)
    url = f"/teams/{active_team.pk}/meetings/{meeting.pk}/"

    def grow(n):
        for i in range(n):
            person = UserFactory()
            MembershipFactory(user=person, department=org.purchasing)
            TeamMember.objects.create(team=active_team, user=person, department=org.purchasing)
            meeting.attendance.create(user=person)
            services.action_add(
                meeting=meeting,
                by=org.sales_head,
                title=f"A{i}",
                owner=person,
                department=org.purchasing,
                due_on=date(2026, 12, 1),
            )

    grow(1)
    client.get(url)
    small, _ = _count(client, url)
    grow(5)
    large, _ = _count(client, url)
    assert large == small


def test_words_on_the_team_and_meeting_pages(client, org, active_team):
    """The members card is headed with the people (成员), not a head count (人数); an action item
    of a meeting is labelled as one (行动项), not as an operation (操作)."""
    login(client, org.sales_head)
    page = client.get(f"/teams/{active_team.pk}/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    heading = re.search(r'<h2 class="h5 mb-0" id="members-h">(.*?)</h2>', page).group(1)
    assert heading in ("成员", "Members")  # the Chinese once the catalogue is merged
    meeting = services.meeting_add(
        team=active_team, by=org.sales_head, starts_at=timezone.now() + timedelta(days=1), minutes=60
    )
    page = client.get(
        f"/teams/{active_team.pk}/meetings/{meeting.pk}/", HTTP_ACCEPT_LANGUAGE="zh-hans"
    ).content.decode()
    label = re.search(r'<label\s+for="id_title"[^>]*>\s*(.*?)<', page, re.S).group(1).strip()
    assert label == "行动项"
