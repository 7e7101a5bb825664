"""Approvers deciding on a request: approve, reject, return, in bulk."""

from collections.abc import Iterable

from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from core.limits import SHORT_TEXT, too_long
from departments.models import User
from tasks import selectors
from tasks.models import Approval, ApprovalStep, Task, TaskAction
from tasks.services.common import S, TaskError, _check_reason, _step, conflict, each, notify_about
from tasks.services.dispatch import _accept_due, _enter_department, _set_approval_due
from tasks.services.filing import _notify_approvers


def task_approve(*, task: Task, by: User, opinion: str = "") -> Task:
    return _decide(task, by, Approval.Decision.APPROVED, opinion, reason="")


def task_reject(*, task: Task, by: User, opinion: str = "", reason: str = "") -> Task:
    return _decide(task, by, Approval.Decision.REJECTED, opinion, reason=reason)


def task_return(*, task: Task, by: User, opinion: str = "", reason: str = "") -> Task:
    return _decide(task, by, Approval.Decision.RETURNED, opinion, reason=reason)


def _refused(by: User):
    def refused(task: Task) -> TaskError | None:
        """Why the approve rule says no to someone at this request: it is their own, or their
        part of the step was already decided (a second click, or a delegate's), or they forwarded
        it to someone else (转签)."""
        if task.requester_id == by.pk:
            return TaskError(_("You cannot approve your own request."))
        mine = Q(approver_id=by.pk) & ~Q(decision=Approval.Decision.PENDING) | Q(forwarded_from_id=by.pk)
        if task.approvals.filter(mine, round=task.approval_round).exists():
            return conflict(task)
        return None

    return refused


def _decide(task: Task, by: User, decision: str, opinion: str, reason: str) -> Task:
    from tasks.rules import pending_approvals

    if decision != Approval.Decision.APPROVED:
        _check_reason(reason)

    with _step(task, by, "approve", S.PENDING_APPROVAL, refused=_refused(by), related=("requester",)) as s:
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
                # One of an or-sign's approvers is enough for them all; someone added alongside
                # (加签, countersign) still decides.
                current.filter(decision=Approval.Decision.PENDING, mode="any").update(
                    decision=Approval.Decision.SKIPPED
                )
            # The first approval still waiting from this step on, in one query: one of this step
            # means the step waits on; one of a later step is the next step (later steps are all
            # pending until their turn); none, the route is done.
            following = (
                task.approvals.filter(
                    round=task.approval_round,
                    step_order__gte=task.approval_step,
                    decision=Approval.Decision.PENDING,
                )
                .order_by("step_order")
                .values_list("step_order", "hours")
                .first()
            )
            if following is None or following[0] != task.approval_step:
                if following is not None:
                    task.approval_step = following[0]
                    waiting = Approval.objects.filter(
                        task=task,
                        round=task.approval_round,
                        step_order=following[0],
                        decision=Approval.Decision.PENDING,
                    )
                    _set_approval_due(task, following[1], waiting.values_list("approver_id", flat=True))
                    s.save(TaskAction.APPROVED, acting_for=acting_for, comment=opinion)
                    _notify_approvers(task, by, approved=True, approved_for=acting_for)
                    return task
                task.send_to_department()
                task.accept_due_at = _accept_due(task, department=task.target_department_id)
                s.save(TaskAction.APPROVED, acting_for=acting_for, comment=opinion)
                _enter_department(task, by)
                text = gettext_noop("%(number)s was approved by %(who)s and sent to %(department)s.")
                notify_about(
                    [task.requester],
                    task,
                    by,
                    "approved",
                    text,
                    department=task.target_department,
                    acting_for=acting_for,
                )
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
        notify_about([task.requester], task, by, kind, text, acting_for=acting_for)
    return task


# 加签 and 转签: an approver brings someone else in


def task_add_approver(
    *, task: Task, by: User, person: User, position: str, comment: str, seen_state: str | None = None
) -> Task:
    """加签: the approver whose turn it is adds `person` before themselves (a new step that decides
    first), after themselves (a new step right after theirs) or alongside (会签: the same step,
    which then waits for both). `comment` says why; the timeline and the route record who added
    whom, where and why."""
    if position not in Approval.Position.values:
        raise TaskError(_("Choose where the added approver goes."))
    _check_why(comment)
    with _step(task, by, "add_approver", S.PENDING_APPROVAL, seen_state=seen_state, refused=_refused(by)) as s:
        task = s.row
        approval, acting_for = _turn_of(by, task)
        _check_person(task, by, person, approval)
        added = Approval(
            task=task,
            round=task.approval_round,
            step_order=task.approval_step,
            step_name=approval.step_name,
            step_name_en=approval.step_name_en,
            mode=ApprovalStep.Mode.ALL,
            approver=person,
            added_by=by,
            note=comment,
        )
        if position != Approval.Position.ALONGSIDE:
            # A step of its own, numbered into the route: the steps from the new one's place on
            # move one down (the highest first, so no two rows of a person ever share a number).
            added.step_order += position == Approval.Position.AFTER
            added.step_name, added.step_name_en = "加签", "Added approver"
            later = task.approvals.filter(round=task.approval_round, step_order__gte=added.step_order)
            for order in sorted(set(later.values_list("step_order", flat=True)), reverse=True):
                later.filter(step_order=order).update(step_order=F("step_order") + 1)
        added.save()
        if position == Approval.Position.BEFORE:
            _set_approval_due(task, None, [person])
        s.save(
            TaskAction.APPROVER_ADDED,
            update_fields=["approval_due_at", "approval_department"],
            acting_for=acting_for,
            comment=comment,
            data={"person": person.pk, "position": position},
        )
        if position == Approval.Position.AFTER:
            text = gettext_noop(
                "%(who)s added you as an approver of %(number)s “%(title)s” after them (加签): you will be asked when it is your turn."
            )
            notify_about([person], task, by, "approval", text, acting_for=acting_for)
        else:
            text = gettext_noop("%(who)s asks you to approve %(number)s “%(title)s” too (加签): %(why)s")
            notify_about(
                [person], task, by, "approval", text, decide=("approve", "reject"), acting_for=acting_for, why=comment
            )
    return task


def task_forward(*, task: Task, by: User, person: User, comment: str, seen_state: str | None = None) -> Task:
    """转签: the approver whose turn it is hands their approval to `person`, who then decides in
    their place; the approval keeps whom it came from, and the first approver no longer decides."""
    _check_why(comment)
    with _step(task, by, "forward", S.PENDING_APPROVAL, seen_state=seen_state, refused=_refused(by)) as s:
        task = s.row
        approval, acting_for = _turn_of(by, task)
        _check_person(task, by, person, approval)
        approval.forwarded_from, approval.approver = approval.approver, person
        approval.added_by, approval.note = by, comment
        approval.save(update_fields=["forwarded_from", "approver", "added_by", "note"])
        s.log(TaskAction.FORWARDED, acting_for=acting_for, comment=comment, data={"person": person.pk})
        text = gettext_noop("%(who)s forwarded %(number)s “%(title)s” to you to approve in their place (转签): %(why)s")
        notify_about(
            [person], task, by, "approval", text, decide=("approve", "reject"), acting_for=acting_for, why=comment
        )
    return task


def _check_why(comment: str) -> None:
    if not comment.strip():
        raise TaskError(_("Say why you bring someone else in."))
    if refused := too_long(comment, SHORT_TEXT):
        raise TaskError(refused)


def _turn_of(by: User, task: Task) -> tuple[Approval, User | None]:
    """The pending approval `by` acts on now (their own first), and whom they act for, if anyone."""
    from tasks.rules import pending_approvals

    mine = pending_approvals(by, task)
    task.pending_approvals_read = None
    approval = next((a for a in mine if a.approver_id == by.pk), mine[0])
    return approval, approval.approver if approval.approver_id != by.pk else None


def _check_person(task: Task, by: User, person: User, approval: Approval) -> None:
    """Whom an approver may bring in: someone else, active, not the requester, and not already
    an approver of the step."""
    if person.pk in (by.pk, approval.approver_id):
        raise TaskError(_("Choose someone other than yourself."))
    if not person.is_active:
        raise TaskError(_("%(name)s can no longer sign in, so cannot approve.") % {"name": person.name})
    if person.pk == task.requester_id:
        raise TaskError(_("%(name)s filed this request and cannot approve it.") % {"name": person.name})
    step = task.approvals.filter(round=task.approval_round, step_order=task.approval_step, approver_id=person.pk)
    if step.exists():
        raise TaskError(_("%(name)s already approves at this step.") % {"name": person.name})


# Bulk actions


def bulk_approve(*, tasks: Iterable[Task], by: User, opinion: str = "") -> tuple[list[Task], list[tuple[Task, str]]]:
    """Approve each request with the same opinion; an opinion over the limit approves none."""
    if refused := too_long(opinion, SHORT_TEXT):
        raise TaskError(refused)
    return each(tasks, lambda task: task_approve(task=task, by=by, opinion=opinion), _("You may not approve it."))
