"""Approvers deciding on a request: approve, reject, return, in bulk."""

from collections.abc import Iterable

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from core.limits import SHORT_TEXT, too_long
from departments.models import User
from tasks import selectors
from tasks.models import Approval, Task, TaskAction
from tasks.services.common import S, TaskError, _check_reason, _step, conflict, each, notify_about
from tasks.services.dispatch import _accept_due, _enter_department
from tasks.services.filing import _notify_approvers


def task_approve(*, task: Task, by: User, opinion: str = "") -> Task:
    return _decide(task, by, Approval.Decision.APPROVED, opinion, reason="")


def task_reject(*, task: Task, by: User, opinion: str = "", reason: str = "") -> Task:
    return _decide(task, by, Approval.Decision.REJECTED, opinion, reason=reason)


def task_return(*, task: Task, by: User, opinion: str = "", reason: str = "") -> Task:
    return _decide(task, by, Approval.Decision.RETURNED, opinion, reason=reason)


def _decide(task: Task, by: User, decision: str, opinion: str, reason: str) -> Task:
    from tasks.rules import pending_approvals

    if decision != Approval.Decision.APPROVED:
        _check_reason(reason)

    def refused(task: Task) -> TaskError | None:
        """Why the approve rule says no to someone at this request: it is their own, or their
        part of the step was already decided (a second click, or a delegate's)."""
        if task.requester_id == by.pk:
            return TaskError(_("You cannot approve your own request."))
        decided = task.approvals.filter(round=task.approval_round, approver_id=by.pk)
        if decided.exclude(decision=Approval.Decision.PENDING).exists():
            return conflict(task)
        return None

    with _step(task, by, "approve", S.PENDING_APPROVAL, refused=refused, related=("requester",)) as s:
        task = s.row
        selectors.with_departments([task])  # the page's departments: the notices name the handling one
        # What the approve rule found for `by` on the locked row (the request's lock guards its approvals).
        mine = pending_approvals(by, task)
        task.pending_approvals_read = None
        approval = next((a for a in mine if a.approver_id == by.pk), mine[0])
        acting_for = approval.approver if approval.approver_id != by.pk else None
        now = timezone.now()
        approval.decision, approval.decided_by, approval.opinion, approval.decided_at = decision, by, opinion, now
        approval.save()
        current = task.approvals.filter(round=task.approval_round, step_order=task.approval_step)
        if decision == Approval.Decision.APPROVED:
            if approval.mode == "any":
                current.filter(decision=Approval.Decision.PENDING).update(decision=Approval.Decision.SKIPPED)
            # After "any", nothing of the step is pending: no need to ask.
            if approval.mode == "any" or not current.filter(decision=Approval.Decision.PENDING).exists():
                following = (
                    task.approvals.filter(round=task.approval_round, step_order__gt=task.approval_step)
                    .order_by("step_order")
                    .values_list("step_order", flat=True)
                    .first()
                )
                if following is not None:
                    task.approval_step = following
                    task.approval_due_at = _accept_due(task)
                    s.save(TaskAction.APPROVED, acting_for=acting_for, comment=opinion)
                    _notify_approvers(task, by)
                    return task
                task.send_to_department()
                task.accept_due_at = _accept_due(task, department=task.target_department_id)
                s.save(TaskAction.APPROVED, acting_for=acting_for, comment=opinion)
                _enter_department(task, by)
                text = gettext_noop("%(number)s was approved and sent to %(department)s.")
                notify_about([task.requester], task, by, "approved", text, department=task.target_department)
                return task
            s.save(TaskAction.APPROVED, acting_for=acting_for, comment=opinion)
            return task
        task.approvals.filter(round=task.approval_round, decision=Approval.Decision.PENDING).update(
            decision=Approval.Decision.SKIPPED
        )
        if decision == Approval.Decision.REJECTED:
            task.reject()
            action, kind = TaskAction.REJECTED, "rejected"
            text = gettext_noop("%(number)s was rejected by %(who)s.")
        else:
            task.return_for_revision()
            action, kind = TaskAction.RETURNED, "returned"
            text = gettext_noop("%(number)s was returned to you for revision by %(who)s.")
        s.save(action, acting_for=acting_for, reason=reason, comment=opinion)
        notify_about([task.requester], task, by, kind, text, who=by)
    return task


# Bulk actions


def bulk_approve(*, tasks: Iterable[Task], by: User, opinion: str = "") -> tuple[list[Task], list[tuple[Task, str]]]:
    """Approve each request with the same opinion; an opinion over the limit approves none."""
    if refused := too_long(opinion, SHORT_TEXT):
        raise TaskError(refused)
    return each(tasks, lambda task: task_approve(task=task, by=by, opinion=opinion), _("You may not approve it."))
