"""What a person holds in requests, and handing it to someone else (the handover app's page and
the reminder sweep's orphan report read and call these).

A person holds: the requests assigned to them (open), the requests they filed that are still open
or in draft (they revise, verify and confirm them), and the approvals waiting for their decision.
Each is handed over under its row lock, logged on the request's timeline ("handed over: A → B")
and told to the new holder.
"""

from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from core.actions import log_action
from departments.models import Membership, User
from tasks.models import Approval, Task, TaskAction
from tasks.services.common import TaskError, notify_about

ROLES = ("assignee", "requester", "approver")
REQUESTER_STATES = (*Task.OPEN_STATES, Task.State.DRAFT)


def open_items_held_by(user: User) -> list[tuple[str, object]]:
    """(role, row) for everything `user` holds in requests, in a fixed number of queries."""
    assigned = Task.objects.filter(assignee=user, state__in=Task.OPEN_STATES).select_related("target_department")
    filed = Task.objects.filter(requester=user, state__in=REQUESTER_STATES).select_related("target_department")
    approvals = Approval.objects.filter(
        approver=user, decision=Approval.Decision.PENDING, task__state=Task.State.PENDING_APPROVAL
    ).select_related("task")
    return (
        [("assignee", task) for task in assigned.order_by("pk")]
        + [("requester", task) for task in filed.order_by("pk")]
        + [("approver", approval) for approval in approvals.order_by("pk")]
    )


def inactive_holder_ids() -> set[int]:
    """The people who cannot sign in any more but still hold a request, a filing or an approval."""
    assigned = Task.objects.filter(assignee__is_active=False, state__in=Task.OPEN_STATES).values_list(
        "assignee_id", flat=True
    )
    filed = Task.objects.filter(requester__is_active=False, state__in=Task.OPEN_STATES).values_list(
        "requester_id", flat=True
    )
    approving = Approval.objects.filter(
        approver__is_active=False, decision=Approval.Decision.PENDING, task__state=Task.State.PENDING_APPROVAL
    ).values_list("approver_id", flat=True)
    return set(assigned) | set(filed) | set(approving)


def reassign(role: str, item, *, from_user: User, to_user: User, by: User) -> None:
    """Hand `item` (held by `from_user` as `role`) to `to_user`; raises TaskError when `to_user`
    may not hold it. Run inside the caller's transaction (the hand-over is all or nothing)."""
    if role == "approver":
        _reassign_approval(item, from_user=from_user, to_user=to_user, by=by)
        return
    task = Task.objects.select_for_update(of=("self",)).select_related("target_department").get(pk=item.pk)
    field = {"assignee": "assignee_id", "requester": "requester_id"}[role]
    if getattr(task, field) != from_user.pk:
        return  # handed on meanwhile: nothing left to hand over
    previous = from_user
    if role == "assignee":
        if not Membership.objects.filter(user=to_user, department=task.target_department).exists():
            raise TaskError(
                _("%(name)s cannot handle %(number)s: they are not a member of %(department)s.")
                % {"name": to_user.name, "number": task.number, "department": task.target_department.display_name}
            )
        task.assignee = to_user
        task.save(update_fields=["assignee", "updated_at"])
        message = gettext_noop("%(number)s “%(title)s” was handed over to you to handle.")
    else:
        task.requester = to_user
        task.save(update_fields=["requester", "updated_at"])
        message = gettext_noop("%(number)s “%(title)s” was handed over to you: you now follow it as its requester.")
    _log(task, previous, to_user, by, role)
    notify_about([to_user], task, by, "handover.received", message)


def _reassign_approval(approval: Approval, *, from_user: User, to_user: User, by: User) -> None:
    task = Task.objects.select_for_update(of=("self",)).get(pk=approval.task_id)
    approval = Approval.objects.get(pk=approval.pk)
    if (
        approval.approver_id != from_user.pk
        or approval.decision != Approval.Decision.PENDING
        or task.state != Task.State.PENDING_APPROVAL
    ):
        return  # decided or handed on meanwhile: nothing left to hand over
    if to_user.pk == task.requester_id:
        raise TaskError(
            _("%(name)s cannot approve %(number)s: it is their own request.")
            % {"name": to_user.name, "number": task.number}
        )
    same_step = Approval.objects.filter(
        task=task, round=approval.round, step_order=approval.step_order, approver=to_user
    )
    if same_step.exists():
        raise TaskError(
            _("%(name)s already approves this step of %(number)s.") % {"name": to_user.name, "number": task.number}
        )
    previous = from_user
    approval.approver = to_user
    approval.save(update_fields=["approver"])
    _log(task, previous, to_user, by, "approver")
    is_current = approval.round == task.approval_round and approval.step_order == task.approval_step
    notify_about(
        [to_user],
        task,
        by,
        "approval" if is_current else "handover.received",
        gettext_noop("%(number)s “%(title)s” was handed over to you for approval."),
        decide=("approve", "reject") if is_current else (),
    )


def _log(task: Task, previous: User, to_user: User, by: User, role: str) -> None:
    log_action(
        task,
        actor=by,
        action=TaskAction.HANDED_OVER,
        from_state=task.state,
        comment=f"{previous.name} → {to_user.name}",
        data={"role": role, "from": previous.pk, "to": to_user.pk},
    )
