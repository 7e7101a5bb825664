"""Use cases of a request's life. Each step goes through core.workflow.step: lock the
row, check that the request is still where the user saw it (else TaskConflict:
"already handled"), ask the rule of tasks/rules.py, run the transition, write the
log and the notifications in the same transaction."""

import re
import uuid
from collections.abc import Callable, Iterable
from datetime import datetime, timedelta
from decimal import Decimal

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, connection, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from core.actions import log_action
from core.limits import SHORT_TEXT, too_long
from core.lookups import AnyOf
from core.uploads import UploadRejected, check_upload
from core.workflow import StepConflict, StepError, step
from departments.models import Department, Membership, User
from departments.selectors import delegate_for, manager_acting_for, working_calendar
from notifications import services as notifications
from tasks import selectors
from tasks.models import (
    Approval,
    Attachment,
    Comment,
    HoldPeriod,
    Reason,
    RequestCounter,
    RequestType,
    Task,
    TaskAction,
)
from tasks.notices import task_path

S = Task.State
MENTION = re.compile(r"@([\w.\-]+)")
URGE_INTERVAL_HOURS = 4


class TaskError(StepError):
    """A request action that cannot be done; the message is for the user."""


class TaskConflict(TaskError, StepConflict):
    """Someone else already moved the request on; the page should reload its current state."""


# Helpers


def _step(task: Task, by: User, action: str, *states: str, seen_state: str | None = None, refused=None):
    """A step on the request (core.workflow.step): read again under its row lock (only its own
    row: FOR UPDATE OF) with its type, which most steps read for a deadline; still in one of
    `states`; allowed by the rule `action` of tasks/rules.py."""
    from tasks.rules import task_rules

    return step(
        Task.objects.select_related("request_type"),
        task.pk,
        by=by,
        expect=states,
        seen_state=seen_state,
        rule=task_rules[action],
        stale=conflict,
        refused=refused,
        of=("self",),
    )


def _state_label(state: str) -> str:
    return str(S(state).label)


def conflict(task: Task) -> TaskConflict:
    last = task.logs.select_related("actor").order_by("-created_at", "-pk").first()
    who = last.actor.name if last and last.actor else _("someone else")
    return TaskConflict(
        _("This request was already handled by %(who)s; it is now “%(state)s”.")
        % {"who": who, "state": _state_label(task.state)}
    )


def _check_reason(reason: str) -> None:
    """Returns, declines, transfers, holds and reopens carry a reason from the fixed list."""
    if reason not in Reason.values:
        raise TaskError(_("Choose a reason."))


def _acting_for(by: User, department: Department) -> User | None:
    """When `by` acts as a delegate for a manager of the department, that manager."""
    return manager_acting_for(by, department)[1]


def _manager_of(department_id: int) -> Q:
    """The department's head, deputies and members with the manager role, as a test on the person
    alone: `id = ANY(ARRAY(subquery))` per role (core.lookups.AnyOf) rather than three
    outer joins and DISTINCT, which read every person of the organisation."""
    deputies = Department.deputies.through.objects.filter(department_id=department_id).values("user_id")
    managers = Membership.objects.filter(department_id=department_id, role=Membership.Role.MANAGER)
    return (
        AnyOf("pk", Department.objects.filter(pk=department_id, head__isnull=False).values("head_id").order_by())
        | AnyOf("pk", deputies)
        | AnyOf("pk", managers.values("user_id").order_by())
    )


def notify_about(
    recipients: Iterable[User | None],
    *,
    task: Task,
    actor: User | None,
    kind: str,
    message: Callable[[], str],
    department: Department | None = None,
) -> list:
    """Tell people about a request: a notice leading to its page, with the e-mails and robot posts
    their settings ask for (notifications.services.notify), in the same transaction."""
    return notifications.notify(
        recipients, path=task_path(task), actor=actor, kind=kind, message=message, department=department
    )


def managers_of(department: Department) -> list[User]:
    return list(User.objects.filter(_manager_of(department.pk), is_active=True).order_by("username"))


def _next_number(now: datetime) -> str:
    """The year's next request number, in one statement: the counter row is created or bumped
    under its row lock until the transaction ends, so two filings never get the same number."""
    year = timezone.localtime(now).year
    table = RequestCounter._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (year, last) VALUES (%s, 1) "  # noqa: S608  # nosec B608 - the model's table name
            f"ON CONFLICT (year) DO UPDATE SET last = {table}.last + 1 RETURNING last",
            [year],
        )
        (last,) = cursor.fetchone()
    return f"REQ-{year}-{last:06d}"


# Attachments


def validate_upload(upload) -> None:
    """Refuse a file over the size limit, of a type not allowed, or whose content is not its type."""
    try:
        check_upload(upload)
    except UploadRejected as exc:
        raise TaskError(str(exc)) from None


def storage_failed(exc: OSError) -> str:
    """What to tell the person when the media storage refuses a file (full disk, no permission)."""
    import logging

    logging.getLogger(__name__).error("media storage refused a file: %s", exc)
    return _("The file could not be stored (the server's storage is full or unavailable). Nothing was saved.")


def _store_attachments(task: Task, by: User, uploads: Iterable, field_key: str = "") -> list[Attachment]:
    stored = []
    for upload in uploads:
        validate_upload(upload)
        try:
            stored.append(
                Attachment.objects.create(
                    task=task,
                    file=upload,
                    name=upload.name[:200],
                    size=upload.size,
                    field_key=field_key,
                    uploaded_by=by,
                )
            )
        except OSError as exc:
            for attachment in stored:  # the rows roll back with the caller's transaction; the files go now
                attachment.file.delete(save=False)
            raise TaskError(storage_failed(exc)) from None
    return stored


# Filing


def task_create(
    *,
    by: User,
    request_type: RequestType,
    title: str,
    description: str = "",
    values: dict | None = None,
    files: dict | None = None,
    attachments: Iterable = (),
    co_departments: Iterable[Department] = (),
    watchers: Iterable[User] = (),
    priority: int | None = None,
    confidential: bool = False,
    estimate_hours: Decimal | None = None,
    wanted_by: datetime | None = None,
    token: uuid.UUID | None = None,
    submit: bool = False,
) -> Task:
    """File a request (a draft, or submitted at once). A repeated token files nothing new."""
    if token is not None:
        existing = Task.objects.filter(submit_token=token).first()
        if existing is not None:
            return existing
    department = by.primary_department
    if department is None:
        raise TaskError(_("You belong to no department, so you cannot file a request. Ask an administrator."))
    if not request_type.is_active:
        raise TaskError(_("This request type is no longer in use."))
    co = [d for d in co_departments if d.pk != request_type.department_id]
    now = timezone.now()
    if wanted_by is not None and wanted_by < now:
        raise TaskError(_("The wanted-by date is in the past."))
    try:
        with transaction.atomic():
            task = Task.objects.create(
                number=_next_number(now),
                title=title.strip(),
                description=description,
                request_type=request_type,
                field_values=dict(values or {}),
                requester=by,
                requesting_department=department,
                target_department=request_type.department,
                priority=priority or request_type.default_priority,
                confidential=confidential,
                estimate_hours=estimate_hours,
                wanted_by=wanted_by,
                submit_token=token,
                created_at=now,
            )
            # A new request has neither: set() would first read what is there.
            if co:
                task.co_departments.set(co)
            if cc := [w for w in watchers if w.pk != by.pk]:
                task.watchers.set(cc)
            for key, upload in (files or {}).items():
                stored = _store_attachments(task, by, [upload], field_key=key)
                task.field_values[key] = stored[0].name
            if files:
                task.save(update_fields=["field_values"])
            _store_attachments(task, by, attachments)
            log_action(task, actor=by, action=TaskAction.CREATED)
            if submit:
                _submit(task, by)
    except IntegrityError:
        if token is not None and Task.objects.filter(submit_token=token).exists():
            return Task.objects.get(submit_token=token)
        raise
    return task


def task_update_draft(
    *,
    task: Task,
    by: User,
    title: str,
    description: str,
    values: dict,
    files: dict,
    priority: int,
    confidential: bool,
    estimate_hours,
    wanted_by,
    co_departments: Iterable[Department],
    watchers: Iterable[User],
) -> Task:
    with _step(task, by, "edit", S.DRAFT) as s:
        task = s.row
        if wanted_by is not None and wanted_by < timezone.now():
            raise TaskError(_("The wanted-by date is in the past."))
        task.title = title.strip()
        task.description = description
        kept_files = {k: v for k, v in task.field_values.items() if k in files or k not in values}
        task.field_values = {**kept_files, **values}
        for key, upload in files.items():
            task.field_values[key] = _store_attachments(task, by, [upload], field_key=key)[0].name
        task.priority = priority
        task.confidential = confidential
        task.estimate_hours = estimate_hours
        task.wanted_by = wanted_by
        s.save(TaskAction.EDITED)
        task.co_departments.set([d for d in co_departments if d.pk != task.target_department_id])
        task.watchers.set([w for w in watchers if w.pk != by.pk])
    return task


def task_submit(*, task: Task, by: User, seen_state: str | None = None) -> Task:
    with _step(task, by, "submit", S.DRAFT, seen_state=seen_state) as s:
        task = s.row
        _submit(task, by)
    return task


def _submit(task: Task, by: User) -> None:
    route = selectors.approval_route(task.request_type, by, task.requesting_department, task.field_values)
    task.approval_round += 1
    if not route:
        task.send_to_department()
        task.save()
        log_action(task, actor=by, action=TaskAction.SUBMITTED, from_state=S.DRAFT)
        _enter_department(task, by)
        return
    task.submit()
    task.approval_step = 1
    task.approval_due_at = _approval_due(task)
    task.save()
    Approval.objects.bulk_create(
        [
            Approval(
                task=task,
                round=task.approval_round,
                step_order=step.order,
                step_name=step.name[:60],
                step_name_en=step.name_en[:80],
                mode=step.mode,
                approver=person,
            )
            for step in route
            for person in step.approvers
        ]
    )
    log_action(task, actor=by, action=TaskAction.SUBMITTED, from_state=S.DRAFT)
    _notify_approvers(task, by)


def _approval_due(task: Task) -> datetime:
    """Each approval step has the type's time to accept, in working hours, from when it starts."""
    return working_calendar().add_working_hours(timezone.now(), float(task.request_type.accept_sla_hours))


def _notify_approvers(task: Task, actor: User | None) -> None:
    approvers = [
        a.approver
        for a in task.approvals.filter(
            round=task.approval_round, step_order=task.approval_step, decision=Approval.Decision.PENDING
        ).select_related("approver")
    ]
    # Whoever acts for an approver today hears of it too; the step stays the approver's own.
    delegates = [delegate for delegate in map(delegate_for, approvers) if delegate is not None]
    notify_about(
        approvers + delegates,
        task=task,
        actor=actor,
        kind="approval",
        message=lambda: (
            _("%(number)s “%(title)s” waits for your approval.") % {"number": task.number, "title": task.title}
        ),
    )


def _enter_department(task: Task, actor: User | None) -> None:
    """The request reaches its department: acceptance clock, co-handling sub-tasks, dispatch."""
    now = timezone.now()
    calendar = working_calendar()
    task.accept_due_at = calendar.add_working_hours(now, float(task.request_type.accept_sla_hours))
    task.save(update_fields=["accept_due_at"])
    co_departments = list(task.co_departments.all()) if task.parent_id is None else []
    if co_departments and not task.subtasks.exists():
        for department in co_departments:
            sub = Task.objects.create(
                number=_next_number(now),
                title=task.title,
                description=task.description,
                request_type=task.request_type,
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
                task=sub,
                actor=actor,
                kind="inbox",
                department=department,
                message=lambda sub=sub: (
                    _("%(number)s “%(title)s” asks your department to co-handle it.")
                    % {"number": sub.number, "title": sub.title}
                ),
            )
    if task.parent_id is None and task.request_type.auto_assign != "none":
        assignee = _auto_assignee(task)
        if assignee is not None:
            _accept(task, None, assignee, acting_for=None, note=_("Assigned automatically."))
            return
    notify_about(
        managers_of(task.target_department),
        task=task,
        actor=actor,
        kind="inbox",
        department=task.target_department,
        message=lambda: (
            _("%(number)s “%(title)s” waits for your department to accept it.")
            % {"number": task.number, "title": task.title}
        ),
    )


def _auto_assignee(task: Task) -> User | None:
    candidates = selectors.workload(task.target_department, task.request_type)
    if not candidates:
        return None
    if task.request_type.auto_assign == "least_loaded":
        return next(c.user for c in candidates if c.suggested)
    ordered = [c.user for c in candidates]  # round-robin in username order
    last = (
        Task.objects.filter(
            request_type=task.request_type, target_department=task.target_department, assignee__isnull=False
        )
        .exclude(pk=task.pk)
        .order_by("-accepted_at", "-pk")
        .values_list("assignee_id", flat=True)
        .first()
    )
    ids = [u.pk for u in ordered]
    if last in ids:
        return ordered[(ids.index(last) + 1) % len(ordered)]
    return ordered[0]


# Approval


def task_approve(*, task: Task, by: User, opinion: str = "") -> Task:
    return _decide(task, by, Approval.Decision.APPROVED, opinion, reason="")


def task_reject(*, task: Task, by: User, opinion: str = "", reason: str = "") -> Task:
    return _decide(task, by, Approval.Decision.REJECTED, opinion, reason=reason)


def task_return(*, task: Task, by: User, opinion: str = "", reason: str = "") -> Task:
    return _decide(task, by, Approval.Decision.RETURNED, opinion, reason=reason)


def _decide(task: Task, by: User, decision: str, opinion: str, reason: str) -> Task:
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

    with _step(task, by, "approve", S.PENDING_APPROVAL, refused=refused) as s:
        task = s.row
        mine = list(
            task.approvals.select_for_update()
            .filter(
                round=task.approval_round,
                step_order=task.approval_step,
                decision=Approval.Decision.PENDING,
                approver_id__in=[by.pk, *selectors.delegators_of(by)],
            )
            .select_related("approver")
        )
        approval = next((a for a in mine if a.approver_id == by.pk), mine[0])
        acting_for = approval.approver if approval.approver_id != by.pk else None
        now = timezone.now()
        approval.decision, approval.decided_by, approval.opinion, approval.decided_at = decision, by, opinion, now
        approval.save()
        current = task.approvals.filter(round=task.approval_round, step_order=task.approval_step)
        if decision == Approval.Decision.APPROVED:
            if approval.mode == "any":
                current.filter(decision=Approval.Decision.PENDING).update(decision=Approval.Decision.SKIPPED)
            if not current.filter(decision=Approval.Decision.PENDING).exists():
                following = (
                    task.approvals.filter(round=task.approval_round, step_order__gt=task.approval_step)
                    .order_by("step_order")
                    .values_list("step_order", flat=True)
                    .first()
                )
                if following is not None:
                    task.approval_step = following
                    task.approval_due_at = _approval_due(task)
                    s.save(TaskAction.APPROVED, acting_for=acting_for, comment=opinion)
                    _notify_approvers(task, by)
                    return task
                task.send_to_department()
                s.save(TaskAction.APPROVED, acting_for=acting_for, comment=opinion)
                _enter_department(task, by)
                notify_about(
                    [task.requester],
                    task=task,
                    actor=by,
                    kind="approved",
                    message=lambda: (
                        _("%(number)s was approved and sent to %(department)s.")
                        % {"number": task.number, "department": task.target_department.display_name}
                    ),
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

        def message() -> str:
            return _(text) % {"number": task.number, "who": by.name}

        s.save(action, acting_for=acting_for, reason=reason, comment=opinion)
        notify_about([task.requester], task=task, actor=by, kind=kind, message=message)
    return task


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
    due = working_calendar().add_working_hours(now, float(task.request_type.finish_sla_hours))
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
    notify_about(
        [assignee],
        task=task,
        actor=by,
        kind="assigned",
        message=lambda: _("%(number)s “%(title)s” was assigned to you.") % {"number": task.number, "title": task.title},
    )
    notify_about(
        [task.requester],
        task=task,
        actor=by,
        kind="accepted",
        message=lambda: (
            _("%(department)s accepted %(number)s; %(name)s handles it.")
            % {"department": task.target_department.display_name, "number": task.number, "name": assignee.name}
        ),
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
        notify_about(
            [assignee],
            task=task,
            actor=by,
            kind="assigned",
            message=lambda: (
                _("%(number)s “%(title)s” was assigned to you.") % {"number": task.number, "title": task.title}
            ),
        )
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
            task=task,
            actor=by,
            kind="declined",
            message=lambda: (
                _("%(department)s declined %(number)s.")
                % {"department": task.target_department.display_name, "number": task.number}
            ),
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
        task.accept_due_at = working_calendar().add_working_hours(
            timezone.now(), float(task.request_type.accept_sla_hours)
        )
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
            task=task,
            actor=by,
            kind="inbox",
            department=department,
            message=lambda: (
                _("%(number)s “%(title)s” was transferred to your department.")
                % {"number": task.number, "title": task.title}
            ),
        )
        notify_about(
            [task.requester],
            task=task,
            actor=by,
            kind="transferred",
            message=lambda: (
                _("%(number)s was transferred to %(department)s.")
                % {"number": task.number, "department": department.display_name}
            ),
        )
    return task


# Follow-up


def task_progress(*, task: Task, by: User, percent: int, note: str = "") -> Task:
    if not 0 <= int(percent) <= 100:
        raise TaskError(_("Progress is a percentage from 0 to 100."))
    with _step(task, by, "progress", S.IN_PROGRESS) as s:
        task = s.row
        task.progress = int(percent)
        task.last_progress_at = timezone.now()
        s.save(TaskAction.PROGRESS, comment=note, data={"progress": task.progress})
        notify_about(
            [task.requester],
            task=task,
            actor=by,
            kind="progress",
            message=lambda: _("%(number)s is %(percent)s%% done.") % {"number": task.number, "percent": task.progress},
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
            reason=reason,
            comment=comment,
            data={"department": waiting_on.pk} if waiting_on else None,
        )
        HoldPeriod.objects.create(
            task=task, waiting_on=waiting_on, reason=reason, comment=comment, started_at=task.held_since
        )
        notify_about(
            [task.requester],
            task=task,
            actor=by,
            kind="held",
            message=lambda: _("%(number)s is on hold.") % {"number": task.number},
        )
    return task


def task_resume(*, task: Task, by: User, comment: str = "") -> Task:
    with _step(task, by, "resume", S.ON_HOLD) as s:
        task = s.row
        now = timezone.now()
        calendar = working_calendar()
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
        s.save(TaskAction.RESUMED, comment=comment)
    return task


def task_finish(*, task: Task, by: User, note: str = "") -> Task:
    """The assignee hands the result over for verification."""
    with _step(task, by, "finish", S.IN_PROGRESS) as s:
        task = s.row
        task.submit_for_verification()
        s.save(TaskAction.SUBMITTED_FOR_VERIFICATION, comment=note)
        verifiers = [task.parent.assignee or task.parent.requester] if task.parent_id else [task.requester]
        notify_about(
            verifiers,
            task=task,
            actor=by,
            kind="verify",
            message=lambda: _("%(number)s is finished; please verify the result.") % {"number": task.number},
        )
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
        s.save(TaskAction.CONFIRMED, comment=comment)
        notify_about(
            [task.assignee],
            task=task,
            actor=by,
            kind="confirmed",
            message=lambda: _("%(number)s was confirmed done.") % {"number": task.number},
        )
    return task


def task_reopen(*, task: Task, by: User, reason: str, comment: str = "") -> Task:
    _check_reason(reason)
    with _step(task, by, "verify", S.PENDING_VERIFICATION) as s:
        task = s.row
        task.reopen()
        s.save(TaskAction.REOPENED, reason=reason, comment=comment)
        notify_about(
            [task.assignee],
            task=task,
            actor=by,
            kind="reopened",
            message=lambda: _("%(number)s was reopened: the result was not accepted.") % {"number": task.number},
        )
    return task


def task_revise(*, task: Task, by: User) -> Task:
    with _step(task, by, "revise", S.REJECTED) as s:
        task = s.row
        task.revise()
        s.save(TaskAction.REVISED)
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
                task=task,
                actor=by,
                kind="cancelled",
                message=lambda: _("%(number)s was cancelled by the requester.") % {"number": task.number},
            )
    return task


def task_urge(*, task: Task, by: User, comment: str = "") -> Task:
    """催办: remind whoever holds the next step; at most once per four working hours."""
    with _step(task, by, "urge", S.PENDING_APPROVAL, S.PENDING_ACCEPTANCE, S.IN_PROGRESS, S.ON_HOLD) as s:
        task = s.row
        now = timezone.now()
        calendar = working_calendar()
        if task.last_urged_at is not None:
            next_allowed = calendar.add_working_hours(task.last_urged_at, URGE_INTERVAL_HOURS)
            if now < next_allowed:
                raise TaskError(
                    _("You urged this request recently; you can urge again after %(time)s.")
                    % {"time": timezone.localtime(next_allowed).strftime("%Y-%m-%d %H:%M")}
                )
        task.last_urged_at = now
        if task.state == S.PENDING_APPROVAL:
            holders = [
                a.approver
                for a in task.approvals.filter(
                    round=task.approval_round, step_order=task.approval_step, decision=Approval.Decision.PENDING
                ).select_related("approver")
            ]
        elif task.state == S.PENDING_ACCEPTANCE:
            holders = managers_of(task.target_department)
        else:
            holders = [task.assignee]
        s.save(TaskAction.URGED, comment=comment)
        notify_about(
            holders,
            task=task,
            actor=by,
            kind="urged",
            message=lambda: (
                _("%(who)s urges %(number)s “%(title)s”.")
                % {"who": by.name, "number": task.number, "title": task.title}
            ),
        )
    return task


# Comments and files


def task_comment(*, task: Task, by: User, body: str, attachments: Iterable = ()) -> Comment | None:
    body = body.strip()
    attachments = list(attachments)
    if not body and not attachments:
        raise TaskError(_("Write a comment or attach a file."))
    from tasks.rules import can

    if not can(by, "comment", task):
        raise PermissionDenied
    usernames = sorted(set(MENTION.findall(body)))
    people = list(User.objects.filter(username__in=usernames, is_active=True))
    unknown = sorted(set(usernames) - {p.username for p in people})
    if unknown:
        raise TaskError(_("No such person: %(names)s.") % {"names": ", ".join("@" + u for u in unknown)})
    blind = [p for p in people if not can(p, "view", task)]
    if blind:
        raise TaskError(
            _("%(names)s may not see this request; mention only people who can.")
            % {"names": ", ".join(p.name for p in blind)}
        )
    with transaction.atomic():
        comment = None
        if body:
            comment = Comment.objects.create(task=task, author=by, body=body)
            comment.mentions.set(people)
        _store_attachments(task, by, attachments)
        notify_about(
            people,
            task=task,
            actor=by,
            kind="mention",
            message=lambda: _("%(who)s mentioned you on %(number)s.") % {"who": by.name, "number": task.number},
        )
        others = [task.requester, task.assignee]
        notify_about(
            [p for p in others if p and p not in people],
            task=task,
            actor=by,
            kind="comment",
            message=lambda: _("%(who)s commented on %(number)s.") % {"who": by.name, "number": task.number},
        )
    return comment


# Bulk actions


def bulk_approve(*, tasks: Iterable[Task], by: User, opinion: str = "") -> tuple[list[Task], list[tuple[Task, str]]]:
    """Approve each request with the same opinion; an opinion over the limit approves none."""
    if refused := too_long(opinion, SHORT_TEXT):
        raise TaskError(refused)
    done, failed = [], []
    for task in tasks:
        try:
            done.append(task_approve(task=task, by=by, opinion=opinion))
        except (TaskError, PermissionDenied) as exc:
            failed.append((task, str(exc) or _("You may not approve it.")))
    return done, failed


def bulk_assign(*, tasks: Iterable[Task], by: User, assignee: User) -> tuple[list[Task], list[tuple[Task, str]]]:
    done, failed = [], []
    for task in tasks:
        try:
            done.append(task_accept(task=task, by=by, assignee=assignee))
        except (TaskError, PermissionDenied) as exc:
            failed.append((task, str(exc) or _("You may not assign it.")))
    return done, failed
