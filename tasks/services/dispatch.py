"""A request reaching its department: acceptance clock, sub-tasks, assignment and transfer."""

from collections.abc import Iterable
from datetime import datetime
from decimal import Decimal

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from core.actions import log_action
from departments.models import Department, Membership, User
from departments.selectors import home_department_ids, working_calendar
from tasks import selectors
from tasks.models import Task, TaskAction
from tasks.services.common import (
    S,
    TaskError,
    _acting_for,
    _check_reason,
    _next_number,
    _step,
    each,
    managers_of,
    notify_about,
)

ASSIGNED_TO_YOU = gettext_noop("%(number)s “%(title)s” was assigned to you.")


def _accept_due(task: Task, *, department: int | None = None) -> datetime:
    """The type's time to accept, in working hours from now: the acceptance deadline of a request
    reaching its department (`department`, whose own calendar exceptions count), and each approval
    step's (set before the step saves the row, so that it is written with the step's own save)."""
    calendar = working_calendar(department)
    return calendar.add_working_hours(timezone.now(), float(task.request_type.accept_sla_hours))


def _set_approval_due(task: Task, hours: int | None, approvers: Iterable) -> None:
    """The due moment of an approval step promising `hours` working hours from now (None: the
    type's time to accept, as _accept_due), on the calendar of the department the step's
    `approvers` (people or ids) belong to (home_department: a head's own department, named people's
    when they share one; people of several departments: the organisation's calendar). A step
    promising 0 has none, so no reminder chases it. Sets the request's fields; the caller saves."""
    departments = set(home_department_ids(approvers).values())
    task.approval_department_id = departments.pop() if len(departments) == 1 else None
    hours = selectors.step_hours(task.request_type, hours)
    calendar = working_calendar(task.approval_department_id)
    task.approval_due_at = calendar.add_working_hours(timezone.now(), float(hours)) if hours else None


def _enter_department(task: Task, actor: User | None) -> None:
    """The request has reached its department (saved, its acceptance deadline set by _accept_due):
    co-handling sub-tasks, dispatch."""
    now = timezone.now()
    co_departments = list(task.co_departments.all()) if task.parent_id is None else []
    if co_departments and not task.subtasks.exists():
        for department in co_departments:
            sub = Task.objects.create(
                number=_next_number(now),
                title=task.title,
                description=task.description,
                request_type=task.request_type,
                type_version_id=task.type_version_id,
                field_values=task.field_values,
                requester=task.requester,
                requesting_department=task.requesting_department,
                target_department=department,
                parent=task,
                priority=task.priority,
                confidential=task.confidential,
                wanted_by=task.wanted_by,
                created_at=now,
                accept_due_at=task.accept_due_at,
            )
            sub.send_to_department()
            sub.save()
            log_action(
                sub, actor=actor, action=TaskAction.SUBMITTED, from_state=S.DRAFT, data={"department": department.pk}
            )
            notify_about(
                managers_of(department),
                sub,
                actor,
                "inbox",
                gettext_noop("%(number)s “%(title)s” asks your department to co-handle it."),
                robots=department,
            )
    if task.parent_id is None and task.request_type.auto_assign != "none":
        assignee = _auto_assignee(task)
        if assignee is not None:
            _accept(task, None, assignee, acting_for=None, note=_("Assigned automatically."))
            return
    notify_about(
        managers_of(task.target_department),
        task,
        actor,
        "inbox",
        gettext_noop("%(number)s “%(title)s” waits for your department to accept it."),
        robots=task.target_department,
        decide=("accept", "decline"),
    )


def _auto_assignee(task: Task) -> User | None:
    return selectors.auto_assignee(task.request_type, task.target_department, exclude=task.pk)


# Dispatch


def _check_assignee(task: Task, assignee: User) -> None:
    if (
        not assignee.is_active
        or not Membership.objects.filter(user=assignee, department=task.target_department).exists()
    ):
        raise TaskError(
            _("%(name)s is not a member of %(department)s.")
            % {"name": assignee.name, "department": task.target_department.display_name}
        )


def _accept(
    task: Task,
    by: User | None,
    assignee: User,
    *,
    acting_for: User | None,
    note: str = "",
    estimate_hours: Decimal | None = None,
) -> None:
    from_state = task.state
    task.accept()
    task.assignee = assignee
    if estimate_hours is not None:
        task.estimate_hours = estimate_hours
    now = timezone.now()
    # In the hours of the department that handles it, its own calendar exceptions included.
    calendar = working_calendar(task.target_department_id)
    due = calendar.add_working_hours(now, float(task.request_type.finish_sla_hours))
    if task.wanted_by and task.wanted_by < due:
        due = max(task.wanted_by, now)
    task.due_at = max(due, task.created_at)
    task.save()
    log_action(
        task,
        actor=by,
        action=TaskAction.ACCEPTED,
        from_state=from_state,
        acting_for=acting_for,
        comment=note,
        data={"assignee": assignee.pk},  # the timeline names whom it was assigned to
    )
    notify_about([assignee], task, by, "assigned", ASSIGNED_TO_YOU)
    notify_about(
        [task.requester],
        task,
        by,
        "accepted",
        gettext_noop("%(department)s accepted %(number)s; %(name)s handles it."),
        department=task.target_department,
        name=assignee,
    )


def task_accept(
    *,
    task: Task,
    by: User,
    assignee: User,
    estimate_hours: Decimal | None = None,
    note: str = "",
    seen_state: str | None = None,
) -> Task:
    with _step(task, by, "accept", S.PENDING_ACCEPTANCE, seen_state=seen_state) as s:
        task = s.row
        _check_assignee(task, assignee)
        _accept(
            task,
            by,
            assignee,
            acting_for=_acting_for(by, task.target_department),
            note=note,
            estimate_hours=estimate_hours,
        )
    return task


def task_reassign(*, task: Task, by: User, assignee: User, note: str = "") -> Task:
    with _step(task, by, "reassign", S.IN_PROGRESS, S.ON_HOLD) as s:
        task = s.row
        _check_assignee(task, assignee)
        if assignee.pk == task.assignee_id:
            raise TaskError(_("%(name)s already handles this request.") % {"name": assignee.name})
        task.assignee = assignee
        s.save(
            TaskAction.ASSIGNED,
            acting_for=_acting_for(by, task.target_department),
            comment=note,
            data={"assignee": assignee.pk},
        )
        notify_about([assignee], task, by, "assigned", ASSIGNED_TO_YOU)
    return task


def task_decline(*, task: Task, by: User, reason: str, comment: str = "", seen_state: str | None = None) -> Task:
    _check_reason(reason)
    with _step(task, by, "decline", S.PENDING_ACCEPTANCE, seen_state=seen_state) as s:
        task = s.row
        task.decline()
        s.save(
            TaskAction.DECLINED,
            reason=reason,
            comment=comment,
            acting_for=_acting_for(by, task.target_department),
        )
        notify_about(
            [task.requester],
            task,
            by,
            "declined",
            gettext_noop("%(department)s declined %(number)s."),
            department=task.target_department,
        )
    return task


def task_transfer(
    *, task: Task, by: User, department: Department, reason: str, comment: str = "", seen_state: str | None = None
) -> Task:
    _check_reason(reason)
    with _step(task, by, "transfer", S.PENDING_ACCEPTANCE, S.IN_PROGRESS, seen_state=seen_state) as s:
        task = s.row
        if department.pk == task.target_department_id or not department.is_active or not department.accepts_requests:
            raise TaskError(_("Choose another department that accepts requests."))
        acting_for = _acting_for(by, task.target_department)
        task.transfer()
        task.target_department = department
        task.due_at = None
        task.accept_due_at = _accept_due(task, department=department.pk)
        s.save(
            TaskAction.TRANSFERRED,
            reason=reason,
            comment=comment,
            data={"department": department.pk},
            acting_for=acting_for,
        )
        task.co_departments.remove(department)
        notify_about(
            managers_of(department),
            task,
            by,
            "inbox",
            gettext_noop("%(number)s “%(title)s” was transferred to your department."),
            robots=department,
        )
        notify_about(
            [task.requester],
            task,
            by,
            "transferred",
            gettext_noop("%(number)s was transferred to %(department)s."),
            department=department,
        )
    return task


def bulk_assign(*, tasks: Iterable[Task], by: User, assignee: User) -> tuple[list[Task], list[tuple[Task, str]]]:
    return each(tasks, lambda task: task_accept(task=task, by=by, assignee=assignee), _("You may not assign it."))
