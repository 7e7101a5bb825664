"""撤回: the requester takes a submitted request back until someone decides on it, edits it and
submits it again; the approvers waiting are told and their approvals set aside."""

import pytest

from core.models import ActionLog
from notifications.models import Notification
from tasks import services
from tasks.models import Approval, TaskAction
from tasks.rules import can
from tests.conftest import login

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english(client):
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"


def told(user, task) -> bool:
    """The person has the notice that the request was withdrawn (in their language)."""
    messages = Notification.objects.filter(recipient=user, message__contains=task.number).values_list(
        "message", flat=True
    )
    return any("withdrawn" in m or "撤回" in m for m in messages)


def test_withdraw_before_approval_then_edit_and_submit_again(org, purchase, file_request, client):
    task = file_request(purchase, amount=500)
    assert can(org.requester, "withdraw", task) and not can(org.sales_head, "withdraw", task)
    login(client, org.requester)
    page = client.get(f"/requests/{task.number}/")
    assert "Withdraw (撤回)" in page.content.decode()
    response = client.post(f"/requests/{task.number}/do/withdraw/", {"comment": "金额填错了"}, follow=True)
    assert "Withdrawn: a draft again" in response.content.decode()
    task.refresh_from_db()
    assert task.state == "draft" and task.is_returned and task.approval_step is None
    assert not task.approvals.filter(decision=Approval.Decision.PENDING).exists()
    assert ActionLog.objects.filter(object_id=task.pk, action=TaskAction.WITHDRAWN, comment="金额填错了").exists()
    # The approver who was waiting is told; the request is the requester's alone again.
    assert told(org.sales_head, task)
    assert not can(org.sales_head, "view", task)
    # Edited and submitted again: a new round of approval.
    task = services.task_submit(task=task, by=org.requester)
    assert task.state == "pending_approval" and task.approval_round == 2
    assert task.approvals.filter(round=2, decision=Approval.Decision.PENDING, approver=org.sales_head).exists()


def test_no_withdrawal_after_the_first_decision(org, purchase, file_request, client):
    task = file_request(purchase, amount=20000)  # two steps: the department head, then finance
    services.task_approve(task=task, by=org.sales_head)
    task.refresh_from_db()
    assert task.state == "pending_approval"
    login(client, org.requester)
    response = client.post(f"/requests/{task.number}/do/withdraw/", {}, follow=True)
    assert "Someone has already decided on it" in response.content.decode()
    task.refresh_from_db()
    assert task.state == "pending_approval" and task.approval_step == 2


def test_withdraw_while_waiting_for_the_department(org, support, file_request):
    task = file_request(support)
    assert task.state == "pending_acceptance"
    task = services.task_withdraw(task=task, by=org.requester)
    assert task.state == "draft" and task.accept_due_at is None
    assert told(org.purchasing_head, task)
    accepted = services.task_accept(
        task=services.task_submit(task=task, by=org.requester), by=org.purchasing_head, assignee=org.assignee
    )
    assert not can(org.requester, "withdraw", accepted)


def test_only_the_requester_and_only_through_the_api_step_too(org, purchase, file_request):
    from tests.api.conftest import bearer

    bearer_client = bearer.__wrapped__()
    task = file_request(purchase, amount=500)
    approver = bearer_client(org.sales_head)
    assert approver.post(f"/api/v1/requests/{task.number}/withdraw/", {}, format="json").status_code == 403
    requester = bearer_client(org.requester)
    response = requester.post(f"/api/v1/requests/{task.number}/withdraw/", {"comment": "重填"}, format="json")
    assert response.status_code == 200, response.content
    task.refresh_from_db()
    assert task.state == "draft"
