"""Errors, the step wrapper, numbering, attachments: what every request use case shares."""

from collections.abc import Callable, Iterable
from datetime import datetime

from django.core.exceptions import PermissionDenied
from django.db import connection
from django.utils import timezone
from django.utils.translation import gettext as _

from core.lookups import AnyOf
from core.previews import request_pdf
from core.uploads import UploadRejected, check_upload
from core.workflow import StepConflict, StepError, step
from departments.models import Department, Membership, User
from departments.selectors import manager_acting_for
from notifications import services as notifications
from notifications.actors import step_actor
from tasks.models import Approval, Attachment, Reason, RequestCounter, Task
from tasks.notices import task_path

S = Task.State


class TaskError(StepError):
    """A request action that cannot be done; the message is for the user."""


class TaskConflict(TaskError, StepConflict):
    """Someone else already moved the request on; the page should reload its current state."""


# Helpers


def _step(task: Task, by: User, action: str, *states: str, seen_state: str | None = None, refused=None, related=()):
    """A step on the request (core.workflow.step): read again under its row lock (only its own
    row: FOR UPDATE OF) with its type, which most steps read for a deadline, and the `related`
    rows the step needs; still in one of `states`; allowed by the rule `action` of tasks/rules.py."""
    from tasks.rules import task_rules

    return step(
        Task.objects.select_related("request_type", *related),
        task.pk,
        by=by,
        expect=states,
        seen_state=seen_state,
        rule=task_rules[action],
        stale=conflict,
        refused=refused,
        of=("self",),
    )


def conflict(task: Task) -> TaskConflict:
    last = task.logs.select_related("actor").order_by("-created_at", "-pk").first()
    who = last.actor.name if last and last.actor else _("someone else")
    return TaskConflict(
        _("This request was already handled by %(who)s; it is now “%(state)s”.")
        % {"who": who, "state": S(task.state).label}
    )


def _check_reason(reason: str) -> None:
    """Returns, declines, transfers, holds and reopens carry a reason from the fixed list."""
    if reason not in Reason.values:
        raise TaskError(_("Choose a reason."))


def _acting_for(by: User, department: Department) -> User | None:
    """When `by` acts as a delegate for a manager of the department, that manager."""
    return manager_acting_for(by, department)[1]


def notify_about(
    recipients: Iterable[User | None],
    task: Task,
    by: User | None,
    kind: str,
    text: str,
    *,
    robots: Department | None = None,
    decide: Iterable[str] = (),
    acting_for: User | None = None,
    **values,
) -> list:
    """Tell people about a request: a notice leading to its page, with the e-mails and robot posts
    their settings ask for (notifications.services.notify), in the same transaction. `text` is the
    message marked with gettext_noop, translated for each recipient and filled with the request's
    number and title, `who` (the person who took the step, "X (for Y)" when X acted as
    `acting_for`'s delegate: notifications.actors) and `values` (a department or a person is named
    in the recipient's language). `robots`: the department whose IM robots post it. `decide`: the
    actions (tasks/decide.py) each recipient's messages offer as decision links."""
    notice = notice_about(
        recipients, task, by, kind, text, robots=robots, decide=decide, acting_for=acting_for, **values
    )
    return notifications.notify_each([notice])[0]


def notice_about(
    recipients: Iterable[User | None],
    task: Task,
    by: User | None,
    kind: str,
    text: str,
    *,
    robots: Department | None = None,
    decide: Iterable[str] = (),
    acting_for: User | None = None,
    **values,
) -> notifications.Notice:
    """What `notify_about` sends, for notifications.services.notify_each to send many at once
    (the reminder sweep)."""
    values.setdefault("who", step_actor(by, acting_for))
    return notifications.Notice(
        recipients,
        path=task_path(task),
        actor=by,
        kind=kind,
        message=lambda: _(text) % {"number": task.number, "title": task.title, **values},
        department=robots,
        target=task,
        decide=decide,
    )


def current_approvers(task: Task) -> list[User]:
    """The approvers whose decision the request's current approval step still waits for."""
    return current_approvers_of([task])[task.pk]


def current_approvers_of(tasks: Iterable[Task]) -> dict[int, list[User]]:
    """`current_approvers` of each request, in one query for any number of them (the reminder
    sweep): {request id: approvers}."""
    tasks = list(tasks)
    found: dict[int, list[User]] = {task.pk: [] for task in tasks}
    steps = {task.pk: (task.approval_round, task.approval_step) for task in tasks}
    pending = Approval.objects.filter(task_id__in=sorted(steps), decision=Approval.Decision.PENDING)
    for approval in pending.select_related("approver").order_by("pk") if tasks else ():
        if (approval.round, approval.step_order) == steps[approval.task_id]:
            found[approval.task_id].append(approval.approver)
    return found


def managers_of(department: Department) -> list[User]:
    """The department's head, deputies and members with the manager role, as a test on the person
    alone: `id = ANY(ARRAY(subquery))` per role (core.lookups.AnyOf) rather than three outer joins
    and DISTINCT, which read every person of the organisation."""
    deputies = Department.deputies.through.objects.filter(department_id=department.pk).values("user_id")
    managers = Membership.objects.filter(department_id=department.pk, role=Membership.Role.MANAGER)
    is_manager = (
        AnyOf("pk", Department.objects.filter(pk=department.pk, head__isnull=False).values("head_id").order_by())
        | AnyOf("pk", deputies)
        | AnyOf("pk", managers.values("user_id").order_by())
    )
    return list(User.objects.filter(is_manager, is_active=True).order_by("username"))


def each(tasks: Iterable[Task], step: Callable[[Task], Task], refused: str) -> tuple[list, list]:
    """Take `step` on each request (a bulk action): returns the requests done, and each other one
    with why not (`refused` when the rule says no without a word)."""
    done, failed = [], []
    for task in tasks:
        try:
            done.append(step(task))
        except (TaskError, PermissionDenied) as exc:
            failed.append((task, str(exc) or refused))
    return done, failed


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


def storage_failed(exc: OSError) -> str:
    """What to tell the person when the media storage refuses a file (full disk, no permission)."""
    import logging

    logging.getLogger(__name__).error("media storage refused a file: %s", exc)
    return _("The file could not be stored (the server's storage is full or unavailable). Nothing was saved.")


def _store_attachments(task: Task, by: User, uploads: Iterable, field_key: str = "") -> list[Attachment]:
    stored = []
    for upload in uploads:
        try:  # refuse a file over the size limit, of a type not allowed, or whose content is not its type
            check_upload(upload)
        except UploadRejected as exc:
            raise TaskError(str(exc)) from None
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
    for attachment in stored:  # a word-processing file's PDF, made by a worker after the commit
        request_pdf(attachment, Attachment.PDF_KIND, attachment.name)
    return stored
