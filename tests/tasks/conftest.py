"""Request types on top of the shared personas (tests/conftest.py).

purchase: 采购部's 采购申请 with an amount field; step 1 the requester's head,
          step 2 (amount > 10000) the head of 财务部.
support:  采购部's 咨询 with no approval at all.
"""

from decimal import Decimal

import pytest

from departments.models import Membership
from tasks import services
from tasks.models import ApprovalStep, RequestField, RequestType
from tests.factories import DepartmentFactory, MembershipFactory, UserFactory


@pytest.fixture
def finance(org):
    head = UserFactory(username="finance_head", display_name="周会计")
    finance = DepartmentFactory(code="finance", name="财务部", name_en="Finance", parent=org.hq, head=head)
    MembershipFactory(user=head, department=finance, role=Membership.Role.MANAGER)
    org.finance, org.finance_head = finance, head
    return finance


@pytest.fixture
def purchase(org, finance):
    rt = RequestType.objects.create(
        department=org.purchasing,
        code="purchase",
        name="采购申请",
        name_en="Purchase request",
        purpose="购买物料",
        materials="报价单",
        accept_sla_hours=Decimal(4),
        finish_sla_hours=Decimal(16),
    )
    RequestField.objects.create(
        request_type=rt, key="amount", label="金额", label_en="Amount", kind=RequestField.Kind.NUMBER, required=True
    )
    ApprovalStep.objects.create(request_type=rt, order=1, name="部门负责人", approver="requester_manager")
    ApprovalStep.objects.create(
        request_type=rt,
        order=2,
        name="财务负责人",
        approver="department_head",
        department=finance,
        condition_field="amount",
        condition_operator="gt",
        condition_value=Decimal(10000),
    )
    return rt


@pytest.fixture
def support(org):
    return RequestType.objects.create(
        department=org.purchasing,
        code="support",
        name="咨询",
        name_en="Question",
        accept_sla_hours=Decimal(2),
        finish_sla_hours=Decimal(8),
    )


@pytest.fixture
def file_request(org):
    def make(request_type, *, by=None, amount=500, submit=True, **kwargs):
        return services.task_create(
            by=by or org.requester,
            request_type=request_type,
            title=kwargs.pop("title", "买十台电脑"),
            values={"amount": amount},
            submit=submit,
            **kwargs,
        )

    return make


@pytest.fixture
def in_state(org, purchase, file_request):
    """A purchase request by `requester` (sales) to 采购部, brought to the given state the normal way."""
    from tasks.models import Reason

    def make(state: str, **kwargs):
        task = file_request(purchase, submit=state != "draft", **kwargs)
        if state in ("draft", "pending_approval"):
            return task
        if state == "rejected":
            return services.task_reject(task=task, by=org.sales_head, reason=Reason.POLICY)
        task = services.task_approve(task=task, by=org.sales_head)
        if state == "pending_acceptance":
            return task
        task = services.task_accept(task=task, by=org.purchasing_head, assignee=org.assignee)
        if state == "in_progress":
            return task
        if state == "on_hold":
            return services.task_hold(task=task, by=org.assignee, reason=Reason.WAITING_OTHER, waiting_on=org.hr)
        task = services.task_finish(task=task, by=org.assignee)
        if state == "pending_verification":
            return task
        if state == "done":
            return services.task_confirm(task=task, by=org.requester)
        raise AssertionError(state)

    return make
