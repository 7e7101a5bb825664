"""Filing a request: drafts, submission and routing to its approvers."""

import uuid
from collections.abc import Iterable
from datetime import datetime
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from core.actions import log_action
from departments.models import Department, User
from departments.selectors import delegate_for
from tasks import selectors
from tasks.models import Approval, RequestType, Task, TaskAction
from tasks.services.common import (
    S,
    TaskError,
    _next_number,
    _step,
    _store_attachments,
    current_approvers,
    managers_of,
    notify_about,
)
from tasks.services.dispatch import _accept_due, _enter_department, _set_approval_due


def filing_refusal(*, request_type: RequestType, department: Department | None) -> str:
    """Why people of `department` (a filer's primary one) may not file `request_type` now, in words
    for the filing page; "" when they may. The one place the rule is asked: task_create refuses
    with it, the filing page shows it before anything is typed."""
    if department is None:
        return _("You belong to no department, so you cannot file a request. Ask an administrator.")
    if not request_type.is_active:
        return _("This request type is no longer in use.")
    if not selectors.may_file(request_type, department):
        return _("This request type is open only to the departments its guide names.")
    return ""


def _co_handlers(chosen: Iterable[Department], request_type: RequestType, version_id: int | None) -> list[int]:
    """The co-handling departments of a request: the type's own (协办, those of the version it is
    filed on), which no posted form can drop, and those its filer added; never the lead department."""
    ids = {department.pk for department in chosen} | set(selectors.co_department_ids(request_type, version_id))
    ids.discard(request_type.department_id)
    return sorted(ids)


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
    if refusal := filing_refusal(request_type=request_type, department=department):
        raise TaskError(refusal)
    co = _co_handlers(co_departments, request_type, request_type.current_version_id)
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
                type_version_id=request_type.current_version_id,
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
                task.save(update_fields=["field_values", "updated_at"])
            _store_attachments(task, by, attachments)
            log_action(task, actor=by, action=TaskAction.CREATED)
            if submit:
                _submit(task, by)
    except IntegrityError:
        if token is not None and (existing := Task.objects.filter(submit_token=token).first()):
            return existing
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
        co = _co_handlers(co_departments, task.request_type, task.type_version_id)
        task.co_departments.set([pk for pk in co if pk != task.target_department_id])
        task.watchers.set([w for w in watchers if w.pk != by.pk])
    return task


def task_submit(*, task: Task, by: User, seen_state: str | None = None) -> Task:
    with _step(task, by, "submit", S.DRAFT, seen_state=seen_state) as s:
        task = s.row
        _submit(task, by)
    return task


def _submit(task: Task, by: User) -> None:
    request_type = task.request_type
    steps = None
    if task.type_version_id is not None and task.type_version_id != request_type.current_version_id:
        # Filed on an earlier version (and now resubmitted): that version's route, not today's.
        version = request_type.versions.filter(pk=task.type_version_id).only("snapshot").first()
        steps = selectors.steps_from(version.snapshot, request_type) if version else None
    route = selectors.approval_route(request_type, by, task.requesting_department, task.field_values, steps=steps)
    task.approval_round += 1
    if not route:
        task.send_to_department()
        task.accept_due_at = _accept_due(task, department=task.target_department_id)
        task.save()
        log_action(task, actor=by, action=TaskAction.SUBMITTED, from_state=S.DRAFT)
        _enter_department(task, by)
        return
    task.submit()
    task.approval_step = 1
    _set_approval_due(task, route[0].hours, route[0].approvers)
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
                hours=step.hours,
                approver=person,
            )
            for step in route
            for person in step.approvers
        ]
    )
    log_action(task, actor=by, action=TaskAction.SUBMITTED, from_state=S.DRAFT)
    _notify_approvers(task, by)


def _notify_approvers(
    task: Task, actor: User | None, *, approved: bool = False, approved_for: User | None = None
) -> None:
    """Tell the approvers of the current step (and their delegates) it is their turn; after an
    approval (`approved`), who approved before them (for `approved_for`, when a delegate did)."""
    approvers = current_approvers(task)
    # Whoever acts for an approver today hears of it too; the step stays the approver's own.
    delegates = [delegate for delegate in map(delegate_for, approvers) if delegate is not None]
    text = gettext_noop("%(number)s “%(title)s” waits for your approval.")
    if approved:
        text = gettext_noop("%(who)s approved %(number)s “%(title)s”; it now waits for your approval.")
    notify_about(
        approvers + delegates, task, actor, "approval", text, decide=("approve", "reject"), acting_for=approved_for
    )


def task_revise(*, task: Task, by: User) -> Task:
    with _step(task, by, "revise", S.REJECTED) as s:
        task = s.row
        task.revise()
        s.save(TaskAction.REVISED)
    return task


def task_withdraw(*, task: Task, by: User, comment: str = "", seen_state: str | None = None) -> Task:
    """撤回: the requester takes a submitted request back, a draft again to edit and submit, as long
    as nobody has decided on it: no approval of its current round and no acceptance. Those who were
    waiting to decide are told, and their pending approvals are set aside."""
    with _step(task, by, "withdraw", S.PENDING_APPROVAL, S.PENDING_ACCEPTANCE, seen_state=seen_state) as s:
        task = s.row
        decided = task.approvals.filter(round=task.approval_round).exclude(
            decision__in=[Approval.Decision.PENDING, Approval.Decision.SKIPPED]
        )
        if task.approval_round and decided.exists():
            raise TaskError(
                _(
                    "Someone has already decided on it: it can no longer be withdrawn. Cancel it, or ask to have it returned."
                )
            )
        waiting = current_approvers(task) if task.state == S.PENDING_APPROVAL else managers_of(task.target_department)
        task.withdraw()
        s.save(TaskAction.WITHDRAWN, comment=comment)
        task.approvals.filter(decision=Approval.Decision.PENDING).update(decision=Approval.Decision.SKIPPED)
        text = gettext_noop("%(number)s was withdrawn by its requester: nothing is waiting for you on it now.")
        notify_about(waiting, task, by, "cancelled", text)
    return task
