"""Work on an accepted request: progress, hold, finish, confirm, reopen, cancel, urge."""

from datetime import timedelta
from decimal import Decimal

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from core.actions import log_action
from departments.models import Department, User
from departments.selectors import working_calendar
from tasks.models import Approval, HoldPeriod, Task, TaskAction
from tasks.rules import acting_holder
from tasks.services.common import S, TaskError, _check_reason, _step, current_approvers, managers_of, notify_about

URGE_INTERVAL_HOURS = 4


def task_progress(*, task: Task, by: User, percent: int, note: str = "") -> Task:
    if not 0 <= int(percent) <= 100:
        raise TaskError(_("Progress is a percentage from 0 to 100."))
    with _step(task, by, "progress", S.IN_PROGRESS) as s:
        task = s.row
        task.progress = int(percent)
        task.last_progress_at = timezone.now()
        s.save(
            TaskAction.PROGRESS,
            comment=note,
            data={"progress": task.progress},
            acting_for=acting_holder(by, "progress", task),
        )
        notify_about(
            [task.requester],
            task,
            by,
            "progress",
            gettext_noop("%(number)s is %(percent)s%% done."),
            percent=task.progress,
        )
    return task


def task_hold(*, task: Task, by: User, reason: str, waiting_on: Department | None = None, comment: str = "") -> Task:
    _check_reason(reason)
    with _step(task, by, "hold", S.IN_PROGRESS) as s:
        task = s.row
        if waiting_on is not None and waiting_on.pk == task.target_department_id:
            raise TaskError(_("A request cannot wait on the department that handles it."))
        task.hold()
        task.waiting_on = waiting_on
        s.save(
            TaskAction.HELD,
            acting_for=acting_holder(by, "hold", task),
            reason=reason,
            comment=comment,
            data={"department": waiting_on.pk} if waiting_on else None,
        )
        HoldPeriod.objects.create(
            task=task, waiting_on=waiting_on, reason=reason, comment=comment, started_at=task.held_since
        )
        notify_about([task.requester], task, by, "held", gettext_noop("%(number)s is on hold."))
    return task


def task_resume(*, task: Task, by: User, comment: str = "") -> Task:
    with _step(task, by, "resume", S.ON_HOLD) as s:
        task = s.row
        now = timezone.now()
        calendar = working_calendar(task.target_department_id)
        hold = task.holds.filter(ended_at__isnull=True).order_by("-started_at").first()
        held = timedelta(0)
        if hold is not None:
            held = max(calendar.working_time_between(hold.started_at, now), timedelta(0))
            hold.ended_at = now
            hold.working_hours = Decimal(held.total_seconds() / 3600).quantize(Decimal("0.01"))
            hold.save()
        task.resume()
        if task.due_at is not None and held > timedelta(0):
            # The SLA clock was paused while on hold: move the due date by the working time held.
            task.due_at = calendar.add_working_hours(task.due_at, held)
        s.save(TaskAction.RESUMED, comment=comment, acting_for=acting_holder(by, "resume", task))
    return task


def task_finish(*, task: Task, by: User, note: str = "") -> Task:
    """The assignee hands the result over for verification."""
    with _step(task, by, "finish", S.IN_PROGRESS) as s:
        task = s.row
        task.submit_for_verification()
        s.save(TaskAction.SUBMITTED_FOR_VERIFICATION, comment=note, acting_for=acting_holder(by, "finish", task))
        verifiers = [task.parent.assignee or task.parent.requester] if task.parent_id else [task.requester]
        notify_about(verifiers, task, by, "verify", gettext_noop("%(number)s is finished; please verify the result."))
    return task


def task_confirm(*, task: Task, by: User, comment: str = "") -> Task:
    with _step(task, by, "verify", S.PENDING_VERIFICATION) as s:
        task = s.row
        open_subtasks = list(task.subtasks.exclude(state__in=Task.CLOSED_STATES).select_related("target_department"))
        if open_subtasks:
            raise TaskError(
                _("Co-handling is still open at %(departments)s; the lead request can be confirmed once they finish.")
                % {"departments": ", ".join(sub.target_department.display_name for sub in open_subtasks)}
            )
        task.confirm()
        s.save(TaskAction.CONFIRMED, comment=comment, acting_for=acting_holder(by, "verify", task))
        notify_about([task.assignee], task, by, "confirmed", gettext_noop("%(number)s was confirmed done."))
    return task


def task_reopen(*, task: Task, by: User, reason: str, comment: str = "") -> Task:
    _check_reason(reason)
    with _step(task, by, "verify", S.PENDING_VERIFICATION) as s:
        task = s.row
        task.reopen()
        s.save(TaskAction.REOPENED, reason=reason, comment=comment, acting_for=acting_holder(by, "verify", task))
        notify_about(
            [task.assignee], task, by, "reopened", gettext_noop("%(number)s was reopened: the result was not accepted.")
        )
    return task


def task_cancel(*, task: Task, by: User, comment: str = "", seen_state: str | None = None) -> Task:
    with _step(
        task, by, "cancel", S.DRAFT, S.PENDING_APPROVAL, S.PENDING_ACCEPTANCE, S.IN_PROGRESS, seen_state=seen_state
    ) as s:
        task = s.row
        if task.state != S.DRAFT and not comment.strip():
            raise TaskError(_("Say why the request is cancelled."))
        task.cancel()
        s.save(TaskAction.CANCELLED, comment=comment)
        task.approvals.filter(decision=Approval.Decision.PENDING).update(decision=Approval.Decision.SKIPPED)
        for sub in task.subtasks.select_for_update().filter(state__in=[S.PENDING_ACCEPTANCE, S.IN_PROGRESS]):
            sub_from = sub.state
            sub.cancel()
            sub.save()
            log_action(sub, actor=by, action=TaskAction.CANCELLED, from_state=sub_from, comment=comment)
        if s.from_state != S.DRAFT:
            notify_about(
                [task.assignee, *managers_of(task.target_department)],
                task,
                by,
                "cancelled",
                gettext_noop("%(number)s was cancelled by the requester."),
            )
    return task


def task_urge(*, task: Task, by: User, comment: str = "") -> Task:
    """催办: remind whoever holds the next step; at most once per four working hours of the
    calendar of the department that holds it (the approvers' while approving, else the handling
    department's)."""
    with _step(task, by, "urge", S.PENDING_APPROVAL, S.PENDING_ACCEPTANCE, S.IN_PROGRESS, S.ON_HOLD) as s:
        task = s.row
        now = timezone.now()
        approving = task.state == S.PENDING_APPROVAL
        calendar = working_calendar(task.approval_department_id if approving else task.target_department_id)
        if task.last_urged_at is not None:
            next_allowed = calendar.add_working_hours(task.last_urged_at, URGE_INTERVAL_HOURS)
            if now < next_allowed:
                raise TaskError(
                    _("You urged this request recently; you can urge again after %(time)s.")
                    % {"time": timezone.localtime(next_allowed).strftime("%Y-%m-%d %H:%M")}
                )
        task.last_urged_at = now
        if task.state == S.PENDING_APPROVAL:
            holders = current_approvers(task)
        elif task.state == S.PENDING_ACCEPTANCE:
            holders = managers_of(task.target_department)
        else:
            holders = [task.assignee]
        s.save(TaskAction.URGED, comment=comment)
        notify_about(holders, task, by, "urged", gettext_noop("%(who)s urges %(number)s “%(title)s”."))
    return task
