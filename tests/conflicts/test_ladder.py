"""The conflict ladder by role: raise, positions, settlement by agreement, escalation by a party or
the mediator, the arbiter's final decision, withdrawal, and who may do none of these."""

import pytest
from django.core.exceptions import PermissionDenied

from conflicts import services
from conflicts.models import Conflict, ConflictAction
from conflicts.rules import can
from departments.models import Delegation
from notifications.models import Notification

S = Conflict.State


def fresh(conflict):
    return Conflict.objects.get(pk=conflict.pk)


def test_raising_opens_negotiation_with_the_raisers_position(org, raise_conflict):
    conflict = raise_conflict()
    assert conflict.state == S.NEGOTIATION
    assert conflict.deadline_at is not None and conflict.deadline_at > conflict.raised_at
    assert {p.department for p in conflict.parties.all()} == {org.sales, org.purchasing}
    position = conflict.positions.get()
    assert (position.department, position.author, position.text) == (org.sales, org.requester, "客户要求两周内交货")
    assert list(conflict.logs.values_list("action", flat=True)) == ["conflict.raised", "conflict.position"]
    notified = set(Notification.objects.filter(kind="conflict.raised").values_list("recipient__username", flat=True))
    assert {"sales_head", "sales_deputy", "purchasing_head"} <= notified
    assert "requester" not in notified


def test_raise_needs_two_parties_and_the_raisers_own(org, raise_conflict):
    with pytest.raises(services.ConflictError):
        raise_conflict(departments=[org.sales])
    with pytest.raises(services.ConflictError):
        raise_conflict(departments=[org.purchasing, org.hr])
    with pytest.raises(services.ConflictError):
        raise_conflict(position="   ")
    assert not Conflict.objects.exists()


def test_people_outside_the_request_cannot_raise(org, raise_conflict):
    with pytest.raises(PermissionDenied):
        raise_conflict(by=org.outsider, departments=[org.hr, org.purchasing])
    assert not Conflict.objects.exists()


def test_each_party_states_its_position_and_outsiders_cannot(org, raise_conflict):
    conflict = raise_conflict()
    services.conflict_add_position(conflict=conflict, by=org.purchasing_head, text="产能只够四周")
    assert conflict.positions.filter(department=org.purchasing, author=org.purchasing_head).exists()
    for person in (org.outsider, org.assignee, org.leader):
        with pytest.raises(PermissionDenied):
            services.conflict_add_position(conflict=conflict, by=person, text="x")


def test_settlement_needs_every_party_and_a_new_proposal_clears_agreements(org, raise_conflict):
    conflict = raise_conflict()
    services.conflict_propose(conflict=conflict, by=org.sales_head, text="三周交货")
    conflict = fresh(conflict)
    assert conflict.state == S.NEGOTIATION
    assert conflict.parties.get(department=org.sales).agreed_by == org.sales_head  # proposer's party agrees
    services.conflict_propose(conflict=conflict, by=org.purchasing_head, text="四周交货，分两批")
    conflict = fresh(conflict)
    assert conflict.parties.get(department=org.sales).agreed_at is None
    with pytest.raises(services.ConflictStale):
        services.conflict_agree(conflict=conflict, by=org.sales_head, seen_proposal_at="2020-01-01T00:00:00+00:00")
    services.conflict_agree(conflict=conflict, by=org.sales_deputy, seen_proposal_at=conflict.proposal_at.isoformat())
    conflict = fresh(conflict)
    assert conflict.state == S.RESOLVED
    assert conflict.resolution == Conflict.Resolution.AGREED
    assert conflict.decision == "四周交货，分两批"
    assert conflict.closed_at is not None and conflict.deadline_at is None
    assert conflict.logs.filter(action=ConflictAction.SETTLED).exists()
    with pytest.raises(services.ConflictStale):
        services.conflict_agree(conflict=conflict, by=org.sales_head)


def test_party_escalates_now_to_the_neutral_mediator_who_cannot_decide(org, raise_conflict):
    conflict = raise_conflict()
    with pytest.raises(services.ConflictError):
        services.conflict_escalate(conflict=conflict, by=org.requester, text="")
    services.conflict_escalate(conflict=conflict, by=org.purchasing_head, text="谈不拢")
    conflict = fresh(conflict)
    assert conflict.state == S.MEDIATION and conflict.mediator == org.leader
    log = conflict.logs.get(action=ConflictAction.ESCALATED)
    assert (log.actor, log.from_state, log.to_state, log.comment) == (
        org.purchasing_head,
        "negotiation",
        "mediation",
        "谈不拢",
    )
    assert Notification.objects.filter(recipient=org.leader, kind="conflict.escalated").exists()
    assert can(org.leader, "propose", conflict) and not can(org.leader, "decide", conflict)
    assert not can(org.leader, "position", conflict)
    # the mediator proposes; the parties still agree, each of them
    services.conflict_propose(conflict=conflict, by=org.leader, text="三周半交货")
    conflict = fresh(conflict)
    assert not conflict.parties.filter(agreed_at__isnull=False).exists()
    services.conflict_agree(conflict=conflict, by=org.sales_head)
    services.conflict_agree(conflict=conflict, by=org.purchasing_head)
    assert fresh(conflict).state == S.RESOLVED


def test_mediator_refers_to_the_arbiter_whose_decision_is_final(org, chair, raise_conflict):
    conflict = raise_conflict()
    services.conflict_escalate(conflict=conflict, by=org.sales_head, text="协商失败")
    services.conflict_escalate(conflict=fresh(conflict), by=org.leader, text="调解不成")
    conflict = fresh(conflict)
    assert conflict.state == S.ARBITRATION and conflict.arbiter == chair
    assert conflict.deadline_at is not None
    for person in (org.sales_head, org.purchasing_head, org.leader, org.outsider):
        with pytest.raises(PermissionDenied):
            services.conflict_decide(conflict=conflict, by=person, text="x")
    with pytest.raises(services.ConflictStale):
        services.conflict_propose(conflict=conflict, by=org.sales_head, text="再谈")
    services.conflict_decide(conflict=conflict, by=chair, text="按四周交货，销售部向客户解释")
    conflict = fresh(conflict)
    assert conflict.state == S.RESOLVED and conflict.resolution == Conflict.Resolution.ARBITRATED
    assert (conflict.decided_by, conflict.decision) == (chair, "按四周交货，销售部向客户解释")
    with pytest.raises(services.ConflictStale):
        services.conflict_withdraw(conflict=conflict, by=org.requester, text="算了")
    with pytest.raises(services.ConflictStale):
        services.conflict_decide(conflict=conflict, by=chair, text="改判")


def test_the_arbiters_delegate_decides_for_them(org, chair, raise_conflict):
    conflict = raise_conflict()
    services.conflict_escalate(conflict=conflict, by=org.sales_head, text="协商失败")
    services.conflict_escalate(conflict=fresh(conflict), by=org.leader, text="调解不成")
    from django.utils import timezone

    today = timezone.localdate()
    Delegation.objects.create(delegator=chair, delegate=org.outsider, starts_on=today, ends_on=today)
    services.conflict_decide(conflict=fresh(conflict), by=org.outsider, text="代为裁决")
    conflict = fresh(conflict)
    assert (conflict.decided_by, conflict.decided_for) == (org.outsider, chair)
    assert conflict.logs.get(action=ConflictAction.DECIDED).acting_for == chair


def test_a_party_member_delegate_cannot_hold_the_conflict(org, chair, raise_conflict):
    """The arbiter's delegate belongs to a party: they may not arbitrate for them."""
    conflict = raise_conflict()
    services.conflict_escalate(conflict=conflict, by=org.sales_head, text="协商失败")
    services.conflict_escalate(conflict=fresh(conflict), by=org.leader, text="调解不成")
    from django.utils import timezone

    today = timezone.localdate()
    Delegation.objects.create(delegator=chair, delegate=org.assignee, starts_on=today, ends_on=today)
    with pytest.raises(PermissionDenied):
        services.conflict_decide(conflict=fresh(conflict), by=org.assignee, text="我方胜")


def test_only_whoever_raised_it_withdraws(org, raise_conflict):
    conflict = raise_conflict()
    for person in (org.sales_head, org.purchasing_head, org.leader):
        with pytest.raises(PermissionDenied):
            services.conflict_withdraw(conflict=conflict, by=person, text="撤回")
    with pytest.raises(services.ConflictError):
        services.conflict_withdraw(conflict=conflict, by=org.requester, text="")
    services.conflict_withdraw(conflict=conflict, by=org.requester, text="客户改期了")
    conflict = fresh(conflict)
    assert conflict.state == S.WITHDRAWN and conflict.closed_at is not None
    assert conflict.logs.get(action=ConflictAction.WITHDRAWN).comment == "客户改期了"


def test_a_stale_page_gets_already_handled(org, raise_conflict):
    conflict = raise_conflict()
    services.conflict_escalate(conflict=conflict, by=org.sales_head, text="协商失败")
    with pytest.raises(services.ConflictStale):
        services.conflict_add_position(conflict=conflict, by=org.purchasing_head, text="x", seen_state="negotiation")


def test_someone_speaking_for_two_parties_agrees_for_the_one_still_to_agree(org, raise_conflict):
    org.purchasing.deputies.add(org.sales_head)
    conflict = raise_conflict()
    services.conflict_propose(conflict=conflict, by=org.purchasing_head, text="三周交货")
    conflict = fresh(conflict)
    assert can(org.sales_head, "agree", conflict)
    services.conflict_agree(conflict=conflict, by=org.sales_head)
    conflict = fresh(conflict)
    assert conflict.state == S.RESOLVED
    assert conflict.parties.get(department=org.sales).agreed_by == org.sales_head


def test_agreeing_twice_is_already_handled(org, raise_conflict):
    conflict = raise_conflict()
    services.conflict_propose(conflict=conflict, by=org.purchasing_head, text="三周交货")
    conflict = fresh(conflict)
    assert not can(org.purchasing_head, "agree", conflict)
    with pytest.raises(services.ConflictStale):
        services.conflict_agree(conflict=conflict, by=org.purchasing_head)


def test_a_party_heads_delegate_speaks_for_the_party_acting_for_them(org, raise_conflict):
    from django.utils import timezone

    conflict = raise_conflict()
    today = timezone.localdate()
    Delegation.objects.create(delegator=org.purchasing_head, delegate=org.outsider, starts_on=today, ends_on=today)
    position = services.conflict_add_position(conflict=conflict, by=org.outsider, text="代部门表态：四周")
    assert (position.department, position.acting_for) == (org.purchasing, org.purchasing_head)
    log = conflict.logs.get(action=ConflictAction.POSITION, data__department=org.purchasing.pk)
    assert (log.actor, log.acting_for) == (org.outsider, org.purchasing_head)
