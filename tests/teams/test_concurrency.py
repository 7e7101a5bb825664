"""Two people acting on the same team at once: exactly one wins, the other is told.
Real concurrent connections, so PostgreSQL's row locks are what is tested."""

from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from notifications.models import Notification
from tasks.models import Task
from teams import reminders, services
from teams.models import Team
from teams.services import TeamError
from tests.tasks.test_concurrency import race

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks under real concurrency need PostgreSQL"),
]


@pytest.mark.parametrize("attempt", range(3))
def test_lead_and_admin_start_at_once(org, team, attempt):
    results = race(
        lambda: services.team_start(team=team, by=org.sales_head, seen_state="planning"),
        lambda: services.team_start(team=team, by=org.admin, seen_state="planning"),
    )
    winners = [r for r in results if isinstance(r, Team)]
    losers = [r for r in results if isinstance(r, TeamError)]
    assert len(winners) == 1 and len(losers) == 1, results
    assert "meanwhile" in str(losers[0]) or "其他人" in str(losers[0])
    assert team.logs.filter(action="team.started").count() == 1


def test_two_clicks_on_make_it_a_request_file_one(org, active_team, support):
    meeting = services.meeting_add(
        team=active_team, by=org.sales_head, starts_at=timezone.now() + timedelta(days=1), minutes=30
    )
    item = services.action_add(
        meeting=meeting,
        by=org.sales_head,
        title="核价",
        owner=org.assignee,
        department=org.purchasing,
        due_on=timezone.localdate() + timedelta(days=3),
    )
    results = race(
        lambda: services.action_to_request(item=item, by=org.requester),
        lambda: services.action_to_request(item=item, by=org.sales_head),
    )
    assert sum(isinstance(r, Task) for r in results) == 1, results
    assert sum(isinstance(r, TeamError) for r in results) == 1, results
    assert Task.objects.count() == 1


def test_two_beat_workers_remind_once(org, active_team):
    services.meeting_add(
        team=active_team, by=org.sales_head, starts_at=timezone.now() + timedelta(minutes=30), minutes=30
    )
    results = race(reminders.send_meeting_reminders, reminders.send_meeting_reminders)
    assert sorted(results) == [0, 1], results
    assert Notification.objects.filter(kind="meeting.reminder").count() == 3  # lead, requester and assignee
