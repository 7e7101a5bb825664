"""Conflicts about a collaboration team: raised by its members, visible on a private team only to
its members and the holders, the team lead mediating when no department can, and the team page
showing them."""

from datetime import date

import pytest
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.urls import reverse

from conflicts import services
from conflicts.models import Conflict
from teams.models import Team, TeamMember
from tests.conftest import login
from tests.factories import UserFactory


@pytest.fixture
def team(org, chair):
    lead = UserFactory(username="team_lead", display_name="林组长")
    team = Team.objects.create(
        name="新品上市",
        goal="三个月内新品上市",
        metric="市场份额",
        baseline=5,
        target_value=8,
        starts_on=date(2026, 9, 1),
        deadline=date(2026, 12, 31),
        lead=lead,
        private=True,
        created_by=lead,
    )
    TeamMember.objects.create(team=team, user=org.requester, department=org.sales)
    TeamMember.objects.create(team=team, user=org.assignee, department=org.purchasing)
    return team


def raise_on(team, by, departments, subject="定价争议"):
    return services.conflict_raise(by=by, team=team, departments=departments, subject=subject, position="应降价")


def test_members_raise_and_speak_for_their_team_department(org, team):
    conflict = raise_on(team, org.requester, [org.sales, org.purchasing])
    assert conflict.team == team and conflict.task is None
    services.conflict_add_position(conflict=conflict, by=org.assignee, text="成本不允许")
    assert conflict.positions.filter(department=org.purchasing, author=org.assignee).exists()
    with pytest.raises(PermissionDenied):
        raise_on(team, org.outsider, [org.hr, org.sales])


def test_a_conflict_is_about_a_request_or_a_team_never_both(org, team, task):
    conflict = raise_on(team, org.requester, [org.sales, org.purchasing])
    with pytest.raises(IntegrityError), transaction.atomic():
        Conflict.objects.filter(pk=conflict.pk).update(task=task)
    with pytest.raises(IntegrityError), transaction.atomic():
        Conflict.objects.filter(pk=conflict.pk).update(team=None)


def test_private_team_conflict_is_seen_by_members_and_holders_only(client, org, team):
    conflict = raise_on(team, org.requester, [org.sales, org.purchasing])
    url = reverse("conflicts:detail", args=[conflict.pk])
    for person, status in [(org.assignee, 200), (team.lead, 200), (org.outsider, 404), (org.leader, 404)]:
        login(client, person)
        assert client.get(url).status_code == status, person
    services.conflict_escalate(conflict=conflict, by=org.requester, text="谈不拢")
    login(client, org.leader)  # now the mediator
    assert client.get(url).status_code == 200


def test_team_lead_mediates_when_no_department_above_is_neutral(org, team):
    TeamMember.objects.create(team=team, user=org.leader, department=org.hq)
    conflict = raise_on(team, org.leader, [org.hq, org.sales], subject="预算")
    services.conflict_escalate(conflict=conflict, by=org.leader, text="谈不拢")
    conflict = Conflict.objects.get(pk=conflict.pk)
    assert conflict.state == Conflict.State.MEDIATION and conflict.mediator == team.lead


def test_team_page_shows_open_conflicts_and_the_raise_link(client, org, team):
    conflict = raise_on(team, org.requester, [org.sales, org.purchasing])
    login(client, org.assignee)
    page = client.get(reverse("teams:detail", args=[team.pk])).content.decode()
    assert reverse("conflicts:raise_team", args=[team.pk]) in page
    assert reverse("conflicts:detail", args=[conflict.pk]) in page


def test_raise_form_on_a_team(client, org, team):
    login(client, org.outsider)
    assert client.get(reverse("conflicts:raise_team", args=[team.pk])).status_code == 404  # private
    login(client, org.assignee)
    url = reverse("conflicts:raise_team", args=[team.pk])
    assert client.get(url).status_code == 200
    response = client.post(
        url, {"subject": "交付节奏", "departments": [org.sales.pk, org.purchasing.pk], "position": "分两批"}
    )
    conflict = Conflict.objects.get()
    assert response.status_code == 302 and conflict.team == team
    assert conflict.positions.get().department == org.purchasing
