"""The team lifecycle planning → active → completed → evaluated (cancelled with a reason), by role."""

from decimal import Decimal

import pytest

from teams import services
from teams.models import Team
from teams.services import TeamError
from tests.teams.conftest import reload, team_values

S = Team.State


def test_lead_runs_the_whole_lifecycle(org, team):
    assert team.state == S.PLANNING and team.lead == org.sales_head
    services.team_start(team=team, by=org.sales_head)
    services.reading_add(team=team, by=org.requester, value=Decimal("14.4"), measured_on=team.starts_on)
    services.criteria_set(team=team, by=org.sales_head, rows=[("目标达成", 60), ("协作质量", 40)])
    services.team_complete(team=team, by=org.sales_head)
    criteria = list(reload(team).criteria.all())
    evaluated = services.team_evaluate(
        team=team, by=org.sales_head, scores={criteria[0].pk: Decimal(80), criteria[1].pk: Decimal(90)}
    )
    assert evaluated.state == S.EVALUATED
    assert evaluated.evaluation_score == Decimal("84.00")  # 0.6 * 80 + 0.4 * 90
    assert evaluated.goal_attainment == Decimal("80.00")  # (14.4 - 12) / (15 - 12)
    actions = list(team.logs.values_list("action", flat=True))
    assert actions == [
        "team.created",
        "team.started",
        "team.reading",
        "team.plan",
        "team.completed",
        "team.evaluated",
    ]
    assert evaluated.activated_at and evaluated.completed_at and evaluated.evaluated_at


@pytest.mark.parametrize("who", ["requester", "assignee", "outsider", "purchasing_head"])
def test_only_lead_or_admin_moves_the_team(org, team, who):
    with pytest.raises(TeamError):
        services.team_start(team=team, by=getattr(org, who))
    assert reload(team).state == S.PLANNING


def test_admin_may_move_any_team(org, team):
    services.team_start(team=team, by=org.admin)
    services.team_cancel(team=team, by=org.admin, reason="战略调整")
    team = reload(team)
    assert team.state == S.CANCELLED and team.cancel_reason == "战略调整" and team.cancelled_at


def test_cancel_needs_a_reason(org, active_team):
    with pytest.raises(TeamError):
        services.team_cancel(team=active_team, by=org.sales_head, reason="  ")
    assert reload(active_team).state == S.ACTIVE


def test_wrong_order_is_refused(org, team):
    with pytest.raises(TeamError):
        services.team_complete(team=team, by=org.sales_head)
    services.team_cancel(team=team, by=org.sales_head, reason="不需要了")
    with pytest.raises(TeamError):
        services.team_start(team=team, by=org.sales_head)
    with pytest.raises(TeamError):
        services.team_cancel(team=team, by=org.sales_head, reason="再取消")


def test_evaluation_needs_every_score(org, active_team):
    services.criteria_set(team=active_team, by=org.sales_head, rows=[("A", 50), ("B", 50)])
    services.team_complete(team=active_team, by=org.sales_head)
    first = reload(active_team).criteria.first()
    with pytest.raises(TeamError):
        services.team_evaluate(team=active_team, by=org.sales_head, scores={first.pk: Decimal(70)})
    with pytest.raises(TeamError):
        services.team_evaluate(team=active_team, by=org.requester, scores={})
    assert reload(active_team).state == S.COMPLETED


def test_criteria_weights_must_sum_to_100(org, active_team):
    with pytest.raises(TeamError, match="90"):
        services.criteria_set(team=active_team, by=org.sales_head, rows=[("A", 50), ("B", 40)])
    with pytest.raises(TeamError):
        services.criteria_set(team=active_team, by=org.requester, rows=[("A", 100)])
    assert not active_team.criteria.exists()


def test_team_needs_two_departments_and_sane_target(org):
    with pytest.raises(TeamError):
        services.team_create(by=org.sales_head, values=team_values(), members=[(org.requester, org.sales, "")])
    with pytest.raises(TeamError):
        services.team_create(
            by=org.sales_head,
            values=team_values(target_value=Decimal("12")),
            members=[(org.requester, org.sales, ""), (org.assignee, org.purchasing, "")],
        )
    assert not Team.objects.exists()


def test_non_admin_creator_is_the_lead(org):
    team = services.team_create(
        by=org.requester,
        values=team_values(),
        members=[(org.requester, org.sales, ""), (org.assignee, org.purchasing, "")],
        lead=org.leader,
    )
    assert team.lead == org.requester
    by_admin = services.team_create(
        by=org.admin,
        values=team_values(name="另一个"),
        members=[(org.requester, org.sales, ""), (org.assignee, org.purchasing, "")],
        lead=org.leader,
    )
    assert by_admin.lead == org.leader


def test_readings_keep_history_and_latest_is_current(org, active_team):
    from datetime import date

    services.reading_add(team=active_team, by=org.requester, value=Decimal("13"), measured_on=date(2026, 11, 10))
    services.reading_add(team=active_team, by=org.assignee, value=Decimal("12.5"), measured_on=date(2026, 11, 5))
    team = reload(active_team)
    assert team.current_value == Decimal("13")  # the latest by date, not by entry
    assert [r.value for r in team.readings.all()] == [Decimal("12.5"), Decimal("13")]
    assert team.readings.last().recorded_by == org.requester
    with pytest.raises(TeamError):
        services.reading_add(team=team, by=org.outsider, value=Decimal("20"), measured_on=date(2026, 11, 11))


def test_admin_hands_the_team_to_another_lead_others_cannot(org, team):
    from notifications.models import Notification

    values = {k: getattr(team, k) for k in services.TEAM_FIELDS}
    members = [(m.user, m.department, m.role) for m in team.members.all()]
    services.team_update(team=team, by=org.sales_head, values=values, members=members, lead=org.leader)
    assert reload(team).lead == org.sales_head
    services.team_update(team=team, by=org.admin, values=values, members=members, lead=org.leader)
    assert reload(team).lead == org.leader
    assert Notification.objects.filter(kind="team.lead", recipient=org.requester).exists()
    with pytest.raises(TeamError):
        services.team_update(team=team, by=org.sales_head, values=values, members=members)


def test_completed_without_criteria_sets_them_then_evaluates(client, org, active_team):
    from tests.conftest import login

    services.team_complete(team=active_team, by=org.sales_head)
    login(client, org.sales_head)
    url = f"/teams/{active_team.pk}/evaluate/"
    assert "lines" in client.get(url).context["form"].fields
    assert client.post(url, {"lines": "目标 = 70\n协作 = 20"}).status_code == 200  # 90: refused
    assert client.post(url, {"lines": "目标 = 70\n协作 = 30"}).status_code == 302
    criteria = list(reload(active_team).criteria.all())
    data = {f"score_{c.pk}": "80" for c in criteria} | {"summary": "完成"}
    assert client.post(url, data).status_code == 302
    assert reload(active_team).state == S.EVALUATED
    with pytest.raises(TeamError):
        services.criteria_set(team=active_team, by=org.sales_head, rows=[("A", 100)])
