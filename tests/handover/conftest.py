"""A person holding one of everything: 钱四 (assignee, 采购部) handles a request, filed one, has an
approval waiting, acts for 赵经理 (purchasing_head), reviews 采购部's drafts, drafts a document,
leads a team, sits on another, owns an action item, mediates one conflict and arbitrates another."""

from datetime import timedelta
from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.utils import timezone

from conflicts.models import Conflict, ConflictParty
from departments.models import Delegation
from documents.models import Document, DocumentKind
from tasks import services as task_services
from tasks.models import Approval, ApprovalStep, RequestType
from teams.models import ActionItem, Meeting, Team, TeamMember


def _team(name, lead, creator):
    today = timezone.localdate()
    return Team.objects.create(
        name=name,
        goal="提高交付效率",
        metric="交付周期",
        baseline=Decimal(10),
        target_value=Decimal(5),
        starts_on=today,
        deadline=today + timedelta(days=90),
        lead=lead,
        created_by=creator,
    )


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
def holder(org, support):
    """Everything org.assignee holds, by kind."""
    person = org.assignee
    handled = task_services.task_create(
        by=org.requester, request_type=support, title="修打印机", values={}, submit=True
    )
    handled = task_services.task_accept(task=handled, by=org.purchasing_head, assignee=person)
    filed = task_services.task_create(by=person, request_type=support, title="申请显示器", values={}, submit=True)
    approved_type = RequestType.objects.create(
        department=org.purchasing,
        code="purchase",
        name="采购申请",
        name_en="Purchase",
        accept_sla_hours=Decimal(4),
        finish_sla_hours=Decimal(16),
    )
    ApprovalStep.objects.create(request_type=approved_type, order=1, name="部门负责人", approver="requester_manager")
    approving = task_services.task_create(
        by=org.requester, request_type=approved_type, title="审批中", values={}, submit=True
    )
    assert approving.state == "pending_approval"
    approval = Approval.objects.create(
        task=approving,
        round=approving.approval_round,
        step_order=approving.approval_step,
        mode=ApprovalStep.Mode.ALL,
        approver=person,
    )
    today = timezone.localdate()
    delegation = Delegation.objects.create(
        delegator=org.purchasing_head, delegate=person, starts_on=today, ends_on=today + timedelta(days=5)
    )
    org.purchasing.document_reviewers.add(person)
    document = Document.objects.create(
        kind=DocumentKind.values[0],
        title="关于采购流程的通知",
        recipients="各部门",
        body="正文",
        department=org.purchasing,
        drafter=person,
    )
    led = _team("交付提速小组", person, person)
    other = _team("成本小组", org.sales_head, org.sales_head)
    seat = TeamMember.objects.create(team=other, user=person, department=org.purchasing)
    meeting = Meeting.objects.create(team=other, starts_at=timezone.now(), ends_at=timezone.now() + timedelta(hours=1))
    action = ActionItem.objects.create(
        team=other,
        meeting=meeting,
        title="比价三家供应商",
        owner=person,
        department=org.purchasing,
        due_on=today + timedelta(days=3),
        created_by=org.sales_head,
    )
    mediated = Conflict.objects.create(
        subject="交期争议", task=handled, raised_by=org.requester, state="mediation", mediator=person
    )
    arbitrated = Conflict.objects.create(
        subject="价格争议", task=handled, raised_by=org.requester, state="arbitration", arbiter=person
    )
    for conflict in (mediated, arbitrated):
        ConflictParty.objects.create(conflict=conflict, department=org.sales)
        ConflictParty.objects.create(conflict=conflict, department=org.hr)
    return SimpleNamespace(
        person=person,
        handled=handled,
        filed=filed,
        approving=approving,
        approval=approval,
        delegation=delegation,
        document=document,
        led=led,
        other=other,
        seat=seat,
        action=action,
        mediated=mediated,
        arbitrated=arbitrated,
    )
