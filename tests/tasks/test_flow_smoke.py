import pytest

from tasks import services
from tasks.models import Task

pytestmark = pytest.mark.django_db


def test_whole_flow(org, purchase, file_request):
    task = file_request(purchase, amount=20000)
    assert task.state == Task.State.PENDING_APPROVAL
    assert task.number.startswith("REQ-")
    services.task_approve(task=task, by=org.sales_head, opinion="同意")
    task.refresh_from_db()
    assert task.state == Task.State.PENDING_APPROVAL and task.approval_step == 2
    services.task_approve(task=task, by=org.finance_head)
    task.refresh_from_db()
    assert task.state == Task.State.PENDING_ACCEPTANCE
    services.task_accept(task=task, by=org.purchasing_head, assignee=org.assignee)
    task.refresh_from_db()
    assert task.state == Task.State.IN_PROGRESS and task.due_at
    services.task_progress(task=task, by=org.assignee, percent=50, note="询价中")
    services.task_finish(task=task, by=org.assignee)
    services.task_confirm(task=task, by=org.requester)
    task.refresh_from_db()
    assert task.state == Task.State.DONE
    assert list(task.logs.values_list("action", flat=True)) == [
        "task.created",
        "task.submitted",
        "task.approved",
        "task.approved",
        "task.accepted",
        "task.progress",
        "task.verification",
        "task.confirmed",
    ]
