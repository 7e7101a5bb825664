"""加签 and 转签: an approver adds someone before, after or alongside themselves, or forwards the
step to another person; the refusals; each approval step's promised hours."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone, translation

from departments.models import Delegation
from departments.selectors import working_calendar
from tasks import services
from tasks.models import Approval, ApprovalStep, RequestType, Task, TaskAction
from tasks.selectors import approval_route, expected_finish
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english():
    """The messages the refusals are matched by, in English."""
    with translation.override("en"):
        yield


def route(task):
    """The round's approvals as (step, approver's login, mode, decision)."""
    return [
        (a.step_order, a.approver.username, a.mode, a.decision)
        for a in Approval.objects.filter(task=task, round=task.approval_round).order_by("step_order", "pk")
    ]


def state(task):
    return Task.objects.get(pk=task.pk).state


def test_alongside_the_step_waits_for_both(org, purchase, file_request):
    task = file_request(purchase)
    services.task_add_approver(
        task=task, by=org.sales_head, person=org.leader, position="alongside", comment="金额虽小，需总经理同意"
    )
    assert route(task) == [(1, "sales_head", "any", "pending"), (1, "leader", "all", "pending")]
    added = Approval.objects.get(task=task, approver=org.leader)
    assert (added.added_by, added.note, added.step_name) == (org.sales_head, "金额虽小，需总经理同意", "部门负责人")
    log = task.logs.get(action=TaskAction.APPROVER_ADDED)
    assert (log.actor, log.comment, log.data) == (
        org.sales_head,
        "金额虽小，需总经理同意",
        {"person": org.leader.pk, "position": "alongside"},
    )
    notice = org.leader.notifications.get(kind="approval")
    assert "金额虽小" in notice.message and task.number in notice.message
    services.task_approve(task=task, by=org.sales_head)
    assert state(task) == "pending_approval"  # the countersigner has not agreed yet
    services.task_approve(task=task, by=org.leader, opinion="同意")
    assert state(task) == "pending_acceptance"


@pytest.fixture
def or_sign(org):
    rt = RequestType.objects.create(department=org.purchasing, code="or-sign", name="或签")
    step = ApprovalStep.objects.create(request_type=rt, order=1, approver="users", mode="any", name="或签")
    step.users.set([org.sales_head, org.leader])
    return rt


def test_alongside_an_or_sign_one_of_the_first_is_enough_but_the_added_one_still_decides(org, or_sign, file_request):
    task = file_request(or_sign)
    services.task_add_approver(
        task=task, by=org.sales_head, person=org.outsider, position="alongside", comment="人事把关"
    )
    services.task_approve(task=task, by=org.leader)
    assert sorted(route(task)) == [
        (1, "leader", "any", "approved"),
        (1, "outsider", "all", "pending"),
        (1, "sales_head", "any", "skipped"),
    ]
    assert state(task) == "pending_approval"
    services.task_approve(task=task, by=org.outsider)
    assert state(task) == "pending_acceptance"


def test_before_a_new_step_decides_first(org, purchase, file_request):
    task = file_request(purchase, amount=50000)
    services.task_add_approver(task=task, by=org.sales_head, person=org.leader, position="before", comment="先请总经理")
    assert route(task) == [
        (1, "leader", "all", "pending"),
        (2, "sales_head", "any", "pending"),
        (3, "finance_head", "any", "pending"),
    ]
    task.refresh_from_db()
    assert task.approval_step == 1
    assert Approval.objects.get(task=task, approver=org.leader).step_name == "加签"
    with pytest.raises(PermissionDenied):  # not their turn any more
        services.task_approve(task=task, by=org.sales_head)
    services.task_approve(task=task, by=org.leader)
    assert Task.objects.get(pk=task.pk).approval_step == 2
    services.task_approve(task=task, by=org.sales_head)
    services.task_approve(task=task, by=org.finance_head)
    assert state(task) == "pending_acceptance"


def test_before_someone_of_a_later_step_renumbers_without_clashing(org, purchase, file_request):
    """The finance head approves at step 2 already; added before step 1 they are at 1 and 3."""
    task = file_request(purchase, amount=50000)
    services.task_add_approver(
        task=task, by=org.sales_head, person=org.finance_head, position="before", comment="先核预算"
    )
    assert [(order, who) for order, who, _mode, _d in route(task)] == [
        (1, "finance_head"),
        (2, "sales_head"),
        (3, "finance_head"),
    ]


def test_after_a_new_step_right_after_mine(org, purchase, file_request):
    task = file_request(purchase, amount=50000)
    services.task_add_approver(task=task, by=org.sales_head, person=org.leader, position="after", comment="再请总经理")
    assert [(order, who) for order, who, _mode, _d in route(task)] == [
        (1, "sales_head"),
        (2, "leader"),
        (3, "finance_head"),
    ]
    notice = org.leader.notifications.get(kind="approval")
    assert "when it is your turn" in notice.message or "轮到" in notice.message
    services.task_approve(task=task, by=org.sales_head)
    with pytest.raises(PermissionDenied):
        services.task_approve(task=task, by=org.finance_head)
    services.task_approve(task=task, by=org.leader)
    services.task_approve(task=task, by=org.finance_head)
    assert state(task) == "pending_acceptance"


def test_forward_the_other_person_decides_in_my_place(org, purchase, file_request):
    task = file_request(purchase)
    services.task_forward(task=task, by=org.sales_head, person=org.sales_deputy, comment="出差，请李副经理审批")
    approval = Approval.objects.get(task=task)
    assert (approval.approver, approval.forwarded_from, approval.note) == (
        org.sales_deputy,
        org.sales_head,
        "出差，请李副经理审批",
    )
    log = task.logs.get(action=TaskAction.FORWARDED)
    assert (log.actor, log.data) == (org.sales_head, {"person": org.sales_deputy.pk})
    assert org.sales_deputy.notifications.filter(kind="approval").count() == 1
    with pytest.raises(services.TaskConflict):  # handed on: no longer theirs to decide
        services.task_approve(task=task, by=org.sales_head)
    services.task_approve(task=task, by=org.sales_deputy, opinion="同意")
    assert state(task) == "pending_acceptance"
    assert Approval.objects.get(task=task).decided_by == org.sales_deputy


def test_a_delegate_adds_for_the_approver(org, purchase, file_request):
    today = timezone.localdate()
    Delegation.objects.create(
        delegator=org.sales_head, delegate=org.sales_deputy, starts_on=today, ends_on=today + timedelta(days=2)
    )
    task = file_request(purchase)
    services.task_add_approver(task=task, by=org.sales_deputy, person=org.leader, position="after", comment="请郑总")
    log = task.logs.get(action=TaskAction.APPROVER_ADDED)
    assert (log.actor, log.acting_for) == (org.sales_deputy, org.sales_head)


@pytest.mark.parametrize(
    "who, position, comment, message",
    [
        ("sales_head", "alongside", "x", "other than yourself"),
        ("requester", "alongside", "x", "filed this request"),
        ("inactive", "alongside", "x", "can no longer sign in"),
        ("leader", "sideways", "x", "Choose where"),
        ("leader", "alongside", "  ", "Say why"),
        ("leader", "alongside", "长" * 2001, "2000"),
    ],
)
def test_refusals_say_why_and_change_nothing(org, purchase, file_request, who, position, comment, message):
    people = {"sales_head": org.sales_head, "requester": org.requester, "leader": org.leader}
    person = people.get(who) or UserFactory(username="gone", is_active=False)
    task = file_request(purchase)
    with pytest.raises(services.TaskError, match=message):
        services.task_add_approver(task=task, by=org.sales_head, person=person, position=position, comment=comment)
    if position != "sideways":  # forwarding has no position
        with pytest.raises(services.TaskError, match=message):
            services.task_forward(task=task, by=org.sales_head, person=person, comment=comment)
    assert route(task) == [(1, "sales_head", "any", "pending")]
    assert not task.logs.filter(action__in=[TaskAction.APPROVER_ADDED, TaskAction.FORWARDED]).exists()


def test_not_to_someone_already_in_the_step(org, purchase, file_request):
    task = file_request(purchase)
    services.task_add_approver(task=task, by=org.sales_head, person=org.leader, position="alongside", comment="一")
    for position in ("alongside", "before", "after"):
        with pytest.raises(services.TaskError, match="already approves at this step"):
            services.task_add_approver(task=task, by=org.sales_head, person=org.leader, position=position, comment="二")
    with pytest.raises(services.TaskError, match="already approves at this step"):
        services.task_forward(task=task, by=org.sales_head, person=org.leader, comment="三")


def test_only_whoever_decides_now_may_bring_someone_in(org, purchase, file_request):
    task = file_request(purchase, amount=50000)
    with pytest.raises(PermissionDenied):  # step 2 is not their turn yet
        services.task_add_approver(task=task, by=org.finance_head, person=org.leader, position="after", comment="x")
    with pytest.raises(PermissionDenied):
        services.task_forward(task=task, by=org.outsider, person=org.leader, comment="x")
    with pytest.raises(services.TaskError, match="your own request"):
        services.task_forward(task=task, by=org.requester, person=org.leader, comment="x")
    services.task_approve(task=task, by=org.sales_head)
    with pytest.raises(services.TaskConflict):  # decided already: a stale form
        services.task_add_approver(task=task, by=org.sales_head, person=org.leader, position="after", comment="x")
    with pytest.raises(services.TaskConflict):
        services.task_forward(task=task, by=org.sales_head, person=org.leader, comment="x", seen_state="draft")


def test_withdraw_sets_the_added_approvals_aside(org, purchase, file_request):
    task = file_request(purchase)
    services.task_add_approver(task=task, by=org.sales_head, person=org.leader, position="before", comment="先问")
    services.task_withdraw(task=task, by=org.requester)
    assert {d for *_rest, d in route(task)} == {"skipped"}
    assert org.leader.notifications.filter(kind="cancelled").exists()


# Promised time per approval step


def test_each_step_promises_its_own_hours(org, purchase, file_request):
    purchase.steps.filter(order=1).update(hours=2)
    purchase.steps.filter(order=2).update(hours=0)  # no promise
    calendar = working_calendar()
    before = timezone.now()
    task = file_request(purchase, amount=50000)
    after = timezone.now()
    assert calendar.add_working_hours(before, 2.0) <= task.approval_due_at <= calendar.add_working_hours(after, 2.0)
    assert list(Approval.objects.filter(task=task).values_list("hours", flat=True)) == [2, 0]
    services.task_approve(task=task, by=org.sales_head)
    assert Task.objects.get(pk=task.pk).approval_due_at is None  # nothing to remind of


def test_a_step_without_hours_takes_the_types_time_to_accept(org, purchase, file_request):
    calendar = working_calendar()
    before = timezone.now()
    task = file_request(purchase)
    after = timezone.now()
    assert calendar.add_working_hours(before, 4.0) <= task.approval_due_at <= calendar.add_working_hours(after, 4.0)


def test_expected_finish_adds_each_steps_hours(org, purchase):
    """Steps of 10 and 3 hours, then 4 to accept and 16 to finish: 33; a small amount skips step 2: 30."""
    purchase.steps.filter(order=1).update(hours=10)
    purchase.steps.filter(order=2).update(hours=3)
    calendar = working_calendar()
    for amount, hours in (("50000", 33.0), ("500", 30.0)):
        before = timezone.now()
        finish = expected_finish(purchase, approval_route(purchase, org.requester, org.sales, {"amount": amount}))
        after = timezone.now()
        assert calendar.add_working_hours(before, hours) <= finish <= calendar.add_working_hours(after, hours)
    purchase.steps.update(hours=None)
    before = timezone.now()
    finish = expected_finish(purchase, approval_route(purchase, org.requester, org.sales, {"amount": "50000"}))
    assert finish >= calendar.add_working_hours(before, 28.0)  # 4 + 4 (each step the type's time to accept) + 20
    assert expected_finish(purchase, []) <= calendar.add_working_hours(timezone.now(), float(Decimal(20)))


def test_the_request_form_lists_who_added_and_forwarded_whom(org, purchase, file_request):
    import io

    import docx

    from tasks.docx import request_form_docx

    task = file_request(purchase)
    services.task_add_approver(task=task, by=org.sales_head, person=org.leader, position="after", comment="请郑总")
    services.task_forward(task=task, by=org.sales_head, person=org.sales_deputy, comment="出差")
    sheet = docx.Document(io.BytesIO(request_form_docx(task)))
    cells = [cell.text for table in sheet.tables for row in table.rows for cell in row.cells]
    assert any("李副经理" in c and "王经理" in c and "转签" in c and "出差" in c for c in cells), cells
    assert any("郑总" in c and "加签" in c and "请郑总" in c for c in cells), cells
