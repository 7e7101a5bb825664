"""Who mediates and who arbitrates: the head of the nearest department above every party, never
anyone belonging to a party; the configured arbiter, else a leader with sign-off right."""

from types import SimpleNamespace

from conflicts.models import ConflictSettings
from conflicts.selectors import choose_arbiter, choose_mediator
from departments.models import Membership
from tests.factories import DepartmentFactory, MembershipFactory, UserFactory


def build_tree(org):
    """hq (leader) → operations (ops_chief) → warehouse (wh_head), logistics (log_head); sales under hq."""
    ops_chief = UserFactory(username="ops_chief")
    operations = DepartmentFactory(code="operations", name="运营中心", parent=org.hq, head=ops_chief)
    wh_head, log_head = UserFactory(username="wh_head"), UserFactory(username="log_head")
    warehouse = DepartmentFactory(code="warehouse", name="仓储部", parent=operations, head=wh_head)
    logistics = DepartmentFactory(code="logistics", name="物流部", parent=operations, head=log_head)
    MembershipFactory(user=wh_head, department=warehouse, role=Membership.Role.MANAGER)
    MembershipFactory(user=log_head, department=logistics, role=Membership.Role.MANAGER)
    return SimpleNamespace(
        ops_chief=ops_chief, operations=operations, warehouse=warehouse, logistics=logistics, wh_head=wh_head
    )


def test_siblings_get_the_head_of_their_parent(org):
    tree = build_tree(org)
    assert choose_mediator([tree.warehouse, tree.logistics]) == tree.ops_chief


def test_cousins_get_the_head_of_the_nearest_common_ancestor(org):
    tree = build_tree(org)
    assert choose_mediator([tree.warehouse, org.sales]) == org.leader
    assert choose_mediator([org.sales, org.purchasing, tree.logistics]) == org.leader


def test_a_head_who_belongs_to_a_party_is_skipped_for_the_next_one_up(org):
    tree = build_tree(org)
    MembershipFactory(user=tree.ops_chief, department=tree.warehouse)
    assert choose_mediator([tree.warehouse, tree.logistics]) == org.leader


def test_a_party_above_the_other_leaves_no_neutral_department(org):
    tree = build_tree(org)
    assert choose_mediator([tree.operations, tree.warehouse]) == org.leader
    assert choose_mediator([org.hq, org.sales]) is None


def test_the_team_lead_mediates_when_no_department_can(org):
    lead = UserFactory(username="lead")
    assert choose_mediator([org.hq, org.sales], team=SimpleNamespace(lead=lead)) == lead
    assert choose_mediator([org.hq, org.sales], team=SimpleNamespace(lead=org.sales_head)) is None


def test_arbiter_is_the_configured_one_unless_a_party(org):
    chair = UserFactory(username="president", can_sign_off=True)
    assert choose_arbiter([org.sales, org.purchasing]) == org.leader  # nothing configured: first signer by login
    ConflictSettings.objects.create(pk=1, arbiter=chair)
    assert choose_arbiter([org.sales, org.purchasing]) == chair
    ConflictSettings.objects.filter(pk=1).update(arbiter=org.sales_head)
    assert choose_arbiter([org.sales, org.purchasing]) == org.leader
    assert choose_arbiter([org.hq, org.sales]) == chair  # the leader heads a party
    chair.can_sign_off = False
    chair.save()
    assert choose_arbiter([org.hq, org.sales]) == org.admin  # no neutral signer: an administrator


def test_no_mediator_goes_straight_to_arbitration(org, task, chair):
    from conflicts import services
    from conflicts.models import Conflict

    conflict = services.conflict_raise(
        by=org.sales_head, task=task, departments=[org.hq, org.sales], subject="预算归属", position="应由总部承担"
    )
    services.conflict_escalate(conflict=conflict, by=org.sales_head, text="谈不拢")
    conflict = Conflict.objects.get(pk=conflict.pk)
    assert conflict.state == Conflict.State.ARBITRATION
    assert conflict.mediator is None and conflict.arbiter == chair
