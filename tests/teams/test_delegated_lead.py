"""The lead's delegate runs the team for them while the delegation is in force (plan, start,
meetings, complete), and only then; the log, the team page and the lead's notice say for whom."""

from datetime import datetime, time, timedelta

import pytest
from django.utils import timezone

from core.models import ActionLog
from departments.models import Delegation
from notifications.models import Notification
from teams import services
from teams.rules import can
from tests.conftest import login

pytestmark = pytest.mark.django_db


def test_the_leads_delegate_takes_the_leads_steps_in_the_window(client, org, team):
    stand_in = org.outsider  # not on the team
    today = timezone.localdate()
    assert not can(stand_in, "start", team)
    Delegation.objects.create(delegator=org.sales_head, delegate=stand_in, starts_on=today, ends_on=today)
    assert can(stand_in, "start", team) and can(stand_in, "manage", team) and can(org.sales_head, "start", team)
    team = services.team_start(team=team, by=stand_in)
    entry = ActionLog.objects.filter(object_id=team.pk, action="team.started").get()
    assert (entry.actor, entry.acting_for) == (stand_in, org.sales_head)
    starts = timezone.make_aware(datetime.combine(today + timedelta(days=2), time(15, 0)))
    services.meeting_add(team=team, by=stand_in, starts_at=starts, minutes=30, location="2楼")
    meeting_log = ActionLog.objects.filter(object_id=team.pk, action="team.meeting").latest("pk")
    assert meeting_log.acting_for == org.sales_head
    assert Notification.objects.filter(recipient=org.sales_head, kind="delegation.acted").count() == 2
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    login(client, org.sales_head)
    assert f"for {org.sales_head.name}" in client.get(f"/teams/{team.pk}/").content.decode()


def test_outside_the_window_or_ended_the_delegate_may_not(org, team):
    today = timezone.localdate()
    Delegation.objects.create(
        delegator=org.sales_head, delegate=org.outsider, starts_on=today - timedelta(5), ends_on=today - timedelta(1)
    )
    assert not can(org.outsider, "start", team)
    Delegation.objects.create(
        delegator=org.sales_head, delegate=org.outsider, starts_on=today, ends_on=today, is_active=False
    )
    assert not can(org.outsider, "start", team)
    with pytest.raises(services.TeamError):
        services.team_start(team=team, by=org.outsider)
