"""Approval chains: sequential steps, countersign, or-sign, amount conditions, delegation, no self-approval."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from departments.models import Delegation
from tasks import services
from tasks.models import Approval, ApprovalStep, RequestType, Task
from tasks.selectors import approval_route, tasks_to_approve
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_small_amount_needs_one_step(org, purchase, file_request):
    task = file_request(purchase, amount=10000)
    assert [(a.step_order, a.approver) for a in task.approvals.all()] == [(1, org.sales_head)]
    services.task_approve(task=task, by=org.sales_head)
    assert Task.objects.get(pk=task.pk).state == "pending_acceptance"


def test_large_amount_adds_the_finance_head(org, purchase, file_request):
    task = file_request(purchase, amount="10000.01")
    assert [(a.step_order, a.approver.username) for a in task.approvals.all()] == [
        (1, "sales_head"),
        (2, "finance_head"),
    ]
    # The second step cannot act before the first.
    with pytest.raises(PermissionDenied):
        services.task_approve(task=task, by=org.finance_head)
    services.task_approve(task=task, by=org.sales_head)
    assert list(tasks_to_approve(org.finance_head)) == [task]
    services.task_approve(task=task, by=org.finance_head, opinion="预算内")
    task.refresh_from_db()
    assert task.state == "pending_acceptance"
    assert task.approvals.get(approver=org.finance_head).opinion == "预算内"


def test_route_preview_matches_the_condition(org, purchase):
    small = approval_route(purchase, org.requester, org.sales, {"amount": "500"})
    large = approval_route(purchase, org.requester, org.sales, {"amount": "50000"})
    assert [s.approvers for s in small] == [[org.sales_head]]
    assert [s.approvers for s in large] == [[org.sales_head], [org.finance_head]]


@pytest.fixture
def two_person_type(org):
    def make(mode):
        rt = RequestType.objects.create(department=org.purchasing, code=f"pair-{mode}", name=f"双人{mode}")
        step = ApprovalStep.objects.create(request_type=rt, order=1, approver="users", mode=mode, name="会签")
        step.users.set([org.sales_head, org.leader])
        return rt

    return make


def test_countersign_needs_everyone(org, two_person_type, file_request):
    task = file_request(two_person_type("all"))
    services.task_approve(task=task, by=org.sales_head)
    task.refresh_from_db()
    assert task.state == "pending_approval"
    services.task_approve(task=task, by=org.leader)
    task.refresh_from_db()
    assert task.state == "pending_acceptance"


def test_or_sign_needs_anyone_and_the_other_is_told_it_was_handled(org, two_person_type, file_request):
    task = file_request(two_person_type("any"))
    services.task_approve(task=task, by=org.leader)
    task.refresh_from_db()
    assert task.state == "pending_acceptance"
    assert task.approvals.get(approver=org.sales_head).decision == Approval.Decision.SKIPPED
    with pytest.raises(services.TaskConflict):
        services.task_approve(task=task, by=org.sales_head)


def test_any_rejection_in_a_countersign_rejects(org, two_person_type, file_request):
    task = file_request(two_person_type("all"))
    services.task_approve(task=task, by=org.sales_head)
    services.task_reject(task=task, by=org.leader, reason="policy", opinion="不批")
    task.refresh_from_db()
    assert task.state == "rejected"
    assert task.logs.last().reason == "policy"


def test_return_for_revision_and_resubmit_starts_a_new_round(org, purchase, file_request):
    task = file_request(purchase)
    services.task_return(task=task, by=org.sales_head, reason="incomplete", opinion="补报价单")
    task.refresh_from_db()
    assert task.state == "draft"
    services.task_submit(task=task, by=org.requester)
    task.refresh_from_db()
    assert task.approval_round == 2
    assert task.approvals.filter(round=2, decision="pending").count() == 1
    services.task_approve(task=task, by=org.sales_head)
    assert Task.objects.get(pk=task.pk).state == "pending_acceptance"


def test_reject_and_return_need_a_reason(org, purchase, file_request):
    task = file_request(purchase)
    with pytest.raises(services.TaskError):
        services.task_reject(task=task, by=org.sales_head, reason="")
    with pytest.raises(services.TaskError):
        services.task_return(task=task, by=org.sales_head, reason="made-up")


def test_delegate_approves_for_the_manager_and_the_log_says_so(org, purchase, file_request):
    today = timezone.localdate()
    Delegation.objects.create(
        delegator=org.sales_head, delegate=org.sales_deputy, starts_on=today, ends_on=today + timedelta(days=2)
    )
    task = file_request(purchase)
    assert list(tasks_to_approve(org.sales_deputy)) == [task]
    assert org.sales_deputy.notifications.filter(kind="approval", link=f"/requests/{task.number}/").exists()
    services.task_approve(task=task, by=org.sales_deputy, opinion="代批")
    log = task.logs.get(action="task.approved")
    assert (log.actor, log.acting_for) == (org.sales_deputy, org.sales_head)
    approval = task.approvals.get()
    assert (approval.approver, approval.decided_by) == (org.sales_head, org.sales_deputy)


def test_delegation_not_in_force_gives_nothing(org, purchase, file_request):
    today = timezone.localdate()
    Delegation.objects.create(
        delegator=org.sales_head,
        delegate=org.sales_deputy,
        starts_on=today + timedelta(days=1),
        ends_on=today + timedelta(days=3),
    )
    task = file_request(purchase)
    assert list(tasks_to_approve(org.sales_deputy)) == []
    with pytest.raises(PermissionDenied):
        services.task_approve(task=task, by=org.sales_deputy)


def test_the_head_filing_goes_to_the_head_above(org, purchase, file_request):
    task = file_request(purchase, by=org.sales_head)
    assert [a.approver for a in task.approvals.all()] == [org.leader]


def test_requester_never_approves_their_own_request(org, purchase, file_request):
    # The requester is named in a step and is also the delegate of the real approver.
    rt = RequestType.objects.create(department=org.purchasing, code="self", name="自批")
    step = ApprovalStep.objects.create(request_type=rt, order=1, approver="users", mode="any")
    step.users.set([org.requester, org.leader])
    task = file_request(rt)
    assert [a.approver for a in task.approvals.all()] == [org.leader]
    today = timezone.localdate()
    Delegation.objects.create(delegator=org.leader, delegate=org.requester, starts_on=today, ends_on=today)
    with pytest.raises(services.TaskError):
        services.task_approve(task=task, by=org.requester)
    assert list(tasks_to_approve(org.requester)) == []


def test_no_approvers_at_all_skips_straight_to_the_department(org, support, file_request):
    task = file_request(support)
    assert task.state == "pending_acceptance" and not task.approvals.exists()


def test_inactive_named_approver_is_left_out(org, file_request):
    gone = UserFactory(username="gone", is_active=False)
    rt = RequestType.objects.create(department=org.purchasing, code="gone", name="离职审批")
    step = ApprovalStep.objects.create(request_type=rt, order=1, approver="users", mode="all")
    step.users.set([gone, org.leader])
    task = file_request(rt)
    assert [a.approver for a in task.approvals.all()] == [org.leader]


def test_condition_on_missing_or_bad_value_does_not_apply(purchase, org):
    step = purchase.steps.get(order=2)
    assert not step.applies_to({})
    assert not step.applies_to({"amount": "lots"})
    assert step.applies_to({"amount": Decimal("10001")})


def test_notifications_reach_the_approver_in_their_language(org, purchase, file_request):
    org.sales_head.language = "en"
    org.sales_head.save()
    task = file_request(purchase)
    note = org.sales_head.notifications.get()
    assert note.path == f"/requests/{task.number}/" and "waits for your approval" in note.message


@pytest.mark.parametrize(
    ("decide", "extra"),
    [
        (services.task_approve, {}),
        (services.task_reject, {"reason": "policy"}),
        (services.task_return, {"reason": "policy"}),
    ],
)
def test_deciding_asks_the_approve_rule_of_rules_py(org, purchase, file_request, monkeypatch, decide, extra):
    """Who may decide an approval is written once, in tasks/rules.py: the service asks it."""
    import rules

    from tasks.rules import task_rules

    task = file_request(purchase)
    monkeypatch.setitem(task_rules, "approve", rules.predicate(lambda user, task: False))
    with pytest.raises(PermissionDenied):
        decide(task=task, by=org.sales_head, **extra)
    task.refresh_from_db()
    assert task.state == "pending_approval"
    assert not task.approvals.exclude(decision=Approval.Decision.PENDING).exists()


def test_a_second_decision_by_the_same_approver_is_told_it_was_handled(org, purchase, file_request):
    rt = RequestType.objects.create(department=org.purchasing, code="cs", name="会签")
    step = ApprovalStep.objects.create(request_type=rt, order=1, approver="users", mode="all")
    step.users.set([org.sales_head, org.leader])
    task = file_request(rt)
    services.task_approve(task=task, by=org.sales_head)
    with pytest.raises(services.TaskConflict, match="王经理"):
        services.task_approve(task=task, by=org.sales_head)
    assert task.logs.filter(action="task.approved").count() == 1
