"""The organisation report's conflict and team sections against hand-made records."""

from datetime import timedelta
from decimal import Decimal

from django.utils import timezone

from conflicts.models import Conflict, ConflictAction, ConflictParty
from core.actions import log_action
from reports.selectors import OrganisationReport
from teams.models import Team, TeamMember
from tests.reports.test_figures import period


def conflict(org, task, state, *, resolution="", levels=(), parties=None):
    made = Conflict.objects.create(
        subject="交货期", task=task, state=state, raised_by=org.requester, resolution=resolution
    )
    for level in levels:
        log_action(made, actor=None, action=ConflictAction.ESCALATED, to_state=level)
    for department in parties or [org.sales, org.purchasing]:
        ConflictParty.objects.create(conflict=made, department=department)
    return made


def test_conflicts_by_level_reached_and_outcome(org, figures):
    task = figures["T1"]
    conflict(org, task, "resolved", resolution="agreed")
    conflict(org, task, "resolved", resolution="arbitrated", levels=["mediation", "arbitration"])
    conflict(org, task, "mediation", levels=["mediation"])
    conflict(org, task, "withdrawn", levels=["mediation"], parties=[org.hr, org.purchasing])
    rows = OrganisationReport(org.admin, None, *period()).conflicts().rows
    assert rows == [
        ["Negotiation (协商)", "Settled by agreement of the parties", 1],
        ["Mediation (调解)", "Still open", 1],
        ["Mediation (调解)", "Withdrawn", 1],
        ["Arbitration (仲裁)", "Decided by arbitration", 1],
    ]
    # One department: only the conflicts it is a party to.
    assert sum(row[2] for row in OrganisationReport(org.admin, org.hr, *period()).conflicts().rows) == 1
    # Visibility: the outsider (hr, no manager) sees none of them.
    assert OrganisationReport(org.outsider, None, *period()).conflicts().rows == []


def test_team_goal_attainment(org):
    today = timezone.localdate()

    def team(name, state, *, baseline, target, current=None, attainment=None, deadline=today, private=False):
        made = Team.objects.create(
            name=name,
            goal="提高市场份额",
            metric="份额",
            baseline=Decimal(baseline),
            target_value=Decimal(target),
            current_value=None if current is None else Decimal(current),
            goal_attainment=None if attainment is None else Decimal(attainment),
            starts_on=deadline - timedelta(days=100),
            deadline=deadline,
            lead=org.sales_head,
            created_by=org.sales_head,
            state=state,
            private=private,
        )
        TeamMember.objects.create(team=made, user=org.sales_head, department=org.sales)
        return made

    team("A", "evaluated", baseline=10, target=20, current=18, attainment=80)
    team("B", "active", baseline=10, target=20, current=15)
    team("C", "active", baseline=10, target=20)
    team("D", "active", baseline=10, target=20, current=20, deadline=today - timedelta(days=200))
    team("E", "active", baseline=0, target=10, current=10, private=True)
    rows = OrganisationReport(org.admin, None, *period()).teams().rows
    assert {row[0]: row[7] for row in rows} == {"A": 80.0, "B": 50.0, "C": None, "E": 100.0}
    # A private team only for its lead and members (and admins).
    leader_rows = OrganisationReport(org.leader, None, *period()).teams().rows
    assert {row[0] for row in leader_rows} == {"A", "B", "C"}
    assert OrganisationReport(org.admin, org.hr, *period()).teams().rows == []
