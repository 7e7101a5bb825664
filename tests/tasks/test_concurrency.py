"""Two people acting on the same request at once: exactly one wins, the other is told.
Real concurrent connections, so PostgreSQL's row locks are what is tested."""

import threading

import pytest
from django.db import close_old_connections, connection

from tasks import services
from tasks.models import Approval, ApprovalStep, RequestType, Task

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks under real concurrency need PostgreSQL"),
]


def race(*calls):
    """Run the calls at the same moment, each on its own connection; return what each raised or returned."""
    barrier = threading.Barrier(len(calls))
    results = [None] * len(calls)

    def run(index, call):
        try:
            barrier.wait(timeout=10)
            results[index] = call()
        except Exception as exc:  # noqa: BLE001 - the result is what the test inspects
            results[index] = exc
        finally:
            close_old_connections()
            connection.close()

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return results


@pytest.mark.parametrize("attempt", range(3))
def test_two_approvers_of_an_or_sign_step(org, file_request, attempt):
    rt = RequestType.objects.create(department=org.purchasing, code=f"or{attempt}", name="或签")
    step = ApprovalStep.objects.create(request_type=rt, order=1, approver="users", mode="any")
    step.users.set([org.sales_head, org.leader])
    task = file_request(rt)
    results = race(
        lambda: services.task_approve(task=task, by=org.sales_head),
        lambda: services.task_approve(task=task, by=org.leader),
    )
    winners = [r for r in results if isinstance(r, Task)]
    losers = [r for r in results if isinstance(r, services.TaskConflict)]
    assert len(winners) == 1 and len(losers) == 1, results
    assert "already handled" in str(losers[0]) or "已经" in str(losers[0])
    task.refresh_from_db()
    assert task.state == "pending_acceptance"
    assert Approval.objects.filter(task=task, decision="approved").count() == 1
    assert task.logs.filter(action="task.approved").count() == 1
    assert Task.objects.filter(parent=task).count() == 0


@pytest.mark.parametrize("attempt", range(3))
def test_approve_and_cancel_at_once(org, purchase, file_request, attempt):
    task = file_request(purchase)
    results = race(
        lambda: services.task_approve(task=task, by=org.sales_head),
        lambda: services.task_cancel(task=task, by=org.requester, comment="不要了", seen_state="pending_approval"),
    )
    winners = [r for r in results if isinstance(r, Task)]
    assert len(winners) == 1, results
    assert isinstance([r for r in results if not isinstance(r, Task)][0], services.TaskConflict)
    task.refresh_from_db()
    assert task.state in ("pending_acceptance", "cancelled")
    assert task.logs.filter(action__in=["task.approved", "task.cancelled"]).count() == 1


def test_two_managers_accept_at_once(org, support, file_request):
    org.purchasing.deputies.add(org.assignee)
    task = file_request(support)
    results = race(
        lambda: services.task_accept(
            task=task, by=org.purchasing_head, assignee=org.assignee, seen_state="pending_acceptance"
        ),
        lambda: services.task_accept(
            task=task, by=org.assignee, assignee=org.purchasing_head, seen_state="pending_acceptance"
        ),
    )
    assert sum(isinstance(r, Task) for r in results) == 1, results
    assert task.logs.filter(action="task.accepted").count() == 1


def test_numbers_taken_at_once_never_collide(org, support, file_request):
    results = race(*[lambda: file_request(support) for _ in range(6)])
    numbers = [r.number for r in results if isinstance(r, Task)]
    assert len(numbers) == 6 and len(set(numbers)) == 6, results


def _one_step(org, code, *people, mode="any"):
    rt = RequestType.objects.create(department=org.purchasing, code=code, name=code)
    step = ApprovalStep.objects.create(request_type=rt, order=1, approver="users", mode=mode)
    step.users.set(people)
    return rt


@pytest.mark.parametrize("attempt", range(2))
def test_approve_and_forward_at_once(org, file_request, attempt):
    """Two buttons of one approver at once (转签 and approve): one wins, the other is told."""
    task = file_request(_one_step(org, f"fw{attempt}", org.sales_head))
    results = race(
        lambda: services.task_approve(task=task, by=org.sales_head),
        lambda: services.task_forward(task=task, by=org.sales_head, person=org.leader, comment="出差"),
    )
    winners = [r for r in results if isinstance(r, Task)]
    losers = [r for r in results if isinstance(r, services.TaskConflict)]
    assert len(winners) == 1 and len(losers) == 1, results
    task.refresh_from_db()
    approval = Approval.objects.get(task=task)
    if isinstance(results[0], Task):
        assert (task.state, approval.approver_id, approval.decision) == (
            "pending_acceptance",
            org.sales_head.pk,
            "approved",
        )
    else:
        assert (task.state, approval.approver_id, approval.decision) == ("pending_approval", org.leader.pk, "pending")


def test_two_approvers_add_before_at_once(org, file_request):
    """Both approvers of an or-sign step add someone before themselves: the request's lock lets one
    renumber the route at a time; the second finds it is no longer their turn."""
    task = file_request(_one_step(org, "before2", org.sales_head, org.leader))
    results = race(
        lambda: services.task_add_approver(
            task=task, by=org.sales_head, person=org.outsider, position="before", comment="先问人事"
        ),
        lambda: services.task_add_approver(
            task=task, by=org.leader, person=org.assignee, position="before", comment="先问采购"
        ),
    )
    assert len([r for r in results if isinstance(r, Task)]) == 1, results
    orders = sorted(Approval.objects.filter(task=task).values_list("step_order", "approver__username"))
    assert orders in (
        [(1, "outsider"), (2, "leader"), (2, "sales_head")],
        [(1, "assignee"), (2, "leader"), (2, "sales_head")],
    )
