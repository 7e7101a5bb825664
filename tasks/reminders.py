"""What Celery beat runs to keep every request moving: reminders, escalations, auto-closing and
weekly summaries (the daily digest is the notifications app's; tasks.notices fills its part).

Each sweep reads only the rows that are due through partial indexes, records what it sent in
`Reminder` (one per request, kind and due moment) so nothing goes out twice, and sends nothing
outside working hours or on holidays.
"""

from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Exists, F, OuterRef, Q
from django.db.models.functions import Coalesce
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from core.workflow import step
from departments.models import Department, Membership, User
from departments.selectors import calendar_filter, working_calendars
from notifications import services as notifications
from tasks import selectors
from tasks.models import Reminder, Task, TaskAction
from tasks.selectors.filing import head_above
from tasks.services.common import (
    TaskConflict,
    conflict,
    current_approvers_of,
    managers_of,
    notice_about,
    notify_about,
)
from tasks.signals import request_overdue

BATCH = 2000  # rows a sweep handles per kind; the next sweep takes the rest


def _not_sent(kind: str, due_field: str):
    return ~Exists(Reminder.objects.filter(task_id=OuterRef("pk"), kind=kind, due_at=OuterRef(due_field)))


def due_rules(now: datetime, *, anytime: bool = False) -> list[tuple[str, str, object]]:
    """Each reminder kind with the field holding its due moment and the rows due now that have
    not had it yet (an index range scan each; the cost follows the due rows). Each row's windows
    ("due within a working day", "a working day overdue") count on the calendar of the department
    that owes its step (the handling department; while approving, the approvers'), and a row is
    due only in that calendar's working hours (`anytime`: at any hour): one query per kind, a term
    per distinct calendar."""

    def due(department: str, condition) -> Q:
        return calendar_filter(
            department, lambda c: condition(c, c.hours_per_day) if anytime or c.is_working_moment(now) else None
        )

    handling, approvers = "target_department_id", "approval_department_id"
    stale_days = settings.STALE_WORKING_DAYS
    working = Task.objects.filter(state=Task.State.IN_PROGRESS)
    overdue = working.filter(due_at__lte=now)
    approving = Task.objects.filter(state=Task.State.PENDING_APPROVAL, approval_due_at__lte=now)
    accepting = Task.objects.filter(state=Task.State.PENDING_ACCEPTANCE, accept_due_at__lte=now)
    stale = working.annotate(last_activity=Coalesce("last_progress_at", "accepted_at"))
    rules = [
        (
            "due_soon",
            "due_at",
            working.filter(due(handling, lambda c, d: Q(due_at__gt=now, due_at__lte=c.add_working_hours(now, d)))),
        ),
        ("overdue", "due_at", overdue.filter(due(handling, lambda c, d: Q()))),
        (
            "escalate_1",
            "due_at",
            overdue.filter(due(handling, lambda c, d: Q(due_at__lte=c.subtract_working_hours(now, d)))),
        ),
        (
            "escalate_3",
            "due_at",
            overdue.filter(due(handling, lambda c, d: Q(due_at__lte=c.subtract_working_hours(now, 3 * d)))),
        ),
        ("approval_overdue", "approval_due_at", approving.filter(due(approvers, lambda c, d: Q()))),
        (
            "approval_escalate",
            "approval_due_at",
            approving.filter(due(approvers, lambda c, d: Q(approval_due_at__lte=c.subtract_working_hours(now, d)))),
        ),
        ("accept_overdue", "accept_due_at", accepting.filter(due(handling, lambda c, d: Q()))),
        (
            "accept_escalate",
            "accept_due_at",
            accepting.filter(due(handling, lambda c, d: Q(accept_due_at__lte=c.subtract_working_hours(now, d)))),
        ),
        (
            "stale",
            "last_activity",
            stale.filter(
                due(handling, lambda c, d: Q(last_activity__lte=c.subtract_working_hours(now, stale_days * d)))
            ),
        ),
    ]
    return [(kind, due_field, rows.filter(_not_sent(kind, due_field))) for kind, due_field, rows in rules]


# What each reminder kind says; the escalations go to the notice kind "escalation".
MESSAGES = {
    "due_soon": gettext_noop("%(number)s “%(title)s” is due %(due)s."),
    "overdue": gettext_noop("%(number)s “%(title)s” is overdue."),
    "escalate_1": gettext_noop("Escalation: %(number)s “%(title)s”, handled by %(name)s, is a working day overdue."),
    "escalate_3": gettext_noop("Escalation: %(number)s “%(title)s” at %(department)s is three working days overdue."),
    "approval_overdue": gettext_noop("%(number)s “%(title)s” has waited too long for your approval."),
    "approval_escalate": gettext_noop("Escalation: %(number)s “%(title)s” has waited a working day for approval."),
    "accept_overdue": gettext_noop("%(number)s “%(title)s” has waited too long for your department to accept it."),
    "accept_escalate": gettext_noop(
        "Escalation: %(department)s has not accepted %(number)s “%(title)s” for a working day."
    ),
    "stale": gettext_noop("%(number)s “%(title)s” has had no progress for %(days)s working days."),
}
# Reminders to the handling department's managers, posted by its IM robots too.
TO_MANAGERS = ("escalate_1", "accept_overdue")


def _recipients(kind: str, batch: list[Task]) -> dict[int, list[User | None]]:
    """Who hears of each request's reminder of this kind: {request id: people}. The people are
    read once per department or approver of the batch, not once per request."""
    if kind in TO_MANAGERS:
        managers: dict[int, list[User]] = {}
        for task in batch:
            if task.target_department_id not in managers:
                managers[task.target_department_id] = managers_of(task.target_department)
        return {task.pk: managers[task.target_department_id] for task in batch}
    heads: dict[tuple, User | None] = {}

    def head(department: Department | None, besides: User | None = None) -> User | None:
        key = (department and department.pk, besides and besides.pk)
        if key not in heads:
            heads[key] = head_above(department, besides)
        return heads[key]

    if kind in ("escalate_3", "accept_escalate"):
        return {task.pk: [head(task.target_department.parent)] for task in batch}
    if kind == "approval_overdue":
        return current_approvers_of(batch)
    if kind == "approval_escalate":
        approvers = current_approvers_of(batch)
        primary = _primary_departments({a for people in approvers.values() for a in people})
        return {pk: [head(primary.get(a.pk), a) for a in people] for pk, people in approvers.items()}
    return {task.pk: [task.assignee] for task in batch}


def sweep(now: datetime | None = None) -> dict:
    now = now or timezone.now()
    if not any(calendar.is_working_moment(now) for calendar in working_calendars().every()):
        return {"skipped": "outside working hours"}
    related = ("assignee", "requester", "target_department__head", "target_department__parent__head")
    sent = {}
    for kind, due_field, rows in due_rules(now):
        # One transaction per kind: the due rows are locked (a sweep running late and the next one
        # never take the same rows), recorded as reminded in one insert, then notified.
        with notifications.deliveries_batched() as delivery_ids:
            with transaction.atomic():
                batch = list(rows.select_related(*related).select_for_update(skip_locked=True, of=("self",))[:BATCH])
                Reminder.objects.bulk_create(
                    [Reminder(task=t, kind=kind, due_at=getattr(t, due_field)) for t in batch], ignore_conflicts=True
                )
                recipients = _recipients(kind, batch)
                notifications.notify_each(
                    notice_about(
                        recipients[task.pk],
                        task,
                        None,
                        "escalation" if "escalate" in kind else kind,
                        MESSAGES[kind],
                        robots=task.target_department if kind in TO_MANAGERS else None,
                        due=timezone.localtime(task.due_at).strftime("%m-%d %H:%M") if task.due_at else "",
                        name=task.assignee.name if task.assignee else "—",
                        department=task.target_department,
                        days=settings.STALE_WORKING_DAYS,
                    )
                    for task in batch
                )
                if kind == "overdue" and batch:
                    request_overdue.send(sender=Task, tasks=batch)
        transaction.on_commit(lambda ids=delivery_ids: notifications.hand_to_workers(ids))
        sent[kind] = len(batch)
    sent["auto_closed"] = auto_close(now)
    sent.update(run_reports(now))
    return sent


def mark_past_windows_done(now: datetime | None = None) -> int:
    """Record every reminder already due as sent, without sending it: for an organisation loaded in
    bulk (seed_demo --scale), so its first sweep behaves like the hundredth, not like a backlog."""
    now = now or timezone.now()
    made = 0
    for kind, due_field, rows in due_rules(now, anytime=True):
        previous = None
        while True:  # rows already recorded drop out of `rows`, so always take the first chunk
            chunk = list(rows.values_list("pk", due_field)[:10_000])
            if not chunk or chunk == previous:
                break
            previous = chunk
            Reminder.objects.bulk_create(
                [Reminder(task_id=pk, kind=kind, due_at=due) for pk, due in chunk], ignore_conflicts=True
            )
            made += len(chunk)
    return made


def _primary_departments(people) -> dict[int, Department]:
    """Each person's primary department (another of theirs when none is marked primary), in one
    query: {person id: department}."""
    memberships = (
        Membership.objects.filter(user__in=sorted({person.pk for person in people}))
        .select_related("department__head", "department__parent__head")
        .order_by("-is_primary", "pk")
    )
    found: dict[int, Department] = {}
    for membership in memberships:
        found.setdefault(membership.user_id, membership.department)
    return found


def auto_close(now: datetime) -> int:
    """Results left unverified for AUTO_CLOSE_VERIFICATION_DAYS days close themselves, with a log row."""
    limit = now - timedelta(days=settings.AUTO_CLOSE_VERIFICATION_DAYS)
    open_subtask = Task.objects.filter(parent=OuterRef("pk")).exclude(state__in=Task.CLOSED_STATES)
    closed = 0
    for task in Task.objects.filter(state=Task.State.PENDING_VERIFICATION, done_at__lte=limit).exclude(
        Exists(open_subtask)
    )[:BATCH]:
        try:
            with step(Task, task.pk, by=None, expect=[Task.State.PENDING_VERIFICATION], stale=conflict) as s:
                s.row.confirm()
                s.save(
                    TaskAction.CONFIRMED,
                    comment=_("Closed automatically: not verified within %(days)s days.")
                    % {"days": settings.AUTO_CLOSE_VERIFICATION_DAYS},
                )
                notify_about(
                    [s.row.requester, s.row.assignee],
                    s.row,
                    None,
                    "auto_closed",
                    gettext_noop("%(number)s closed itself: it was not verified within %(days)s days."),
                    days=settings.AUTO_CLOSE_VERIFICATION_DAYS,
                )
        except TaskConflict:  # verified or reopened meanwhile
            continue
        closed += 1
    return closed


def send_weekly_summaries(now: datetime | None = None) -> int:
    """On Monday from 9:00, each department manager gets last week's figures for their department."""
    now = now or timezone.now()
    local = timezone.localtime(now)
    if local.isoweekday() != 1 or local.hour < 9:
        return 0
    week_end = local.replace(hour=0, minute=0, second=0, microsecond=0)
    week_start = week_end - timedelta(days=7)
    year, week, _weekday = week_start.isocalendar()
    rows = []
    for department in Department.objects.filter(is_active=True, accepts_requests=True):
        incoming = Task.objects.filter(target_department=department)
        done = incoming.filter(state=Task.State.DONE, closed_at__gte=week_start, closed_at__lt=week_end)
        done_count = done.count()
        kept = done.filter(Q(due_at__isnull=True) | Q(done_at__lte=F("due_at"))).count()
        figures = {
            "filed": incoming.filter(created_at__gte=week_start, created_at__lt=week_end).count(),
            "done": done_count,
            "overdue": selectors.overdue(incoming).count(),
            "sla_kept": round(100 * kept / done_count) if done_count else None,
        }
        for manager in managers_of(department):
            if not manager.email:
                continue
            with translation.override(manager.language or settings.LANGUAGE_CODE):
                context = {
                    "user": manager,
                    "department": department,
                    "figures": figures,
                    "start": week_start.date(),
                    "end": (week_end - timedelta(days=1)).date(),
                    "link": notifications.site_link("/requests/inbox/"),
                }
                subject = render_to_string("tasks/emails/weekly-subject.txt", context)
                body = render_to_string("tasks/emails/weekly-body.txt", context)
            rows.append(
                notifications.email(
                    manager,
                    key=f"weekly:{department.pk}:{manager.pk}:{year}-{week}",
                    kind="weekly",
                    subject=subject,
                    body=body,
                )
            )
    with transaction.atomic():
        notifications.queue(rows)
    return len(rows)


# Reports the apps above add to the sweep (the handover app's orphaned steps): a name and a
# function of the sweep's moment returning how many it sent; registered in their AppConfig.ready().
_reports: dict = {}


def register_report(name: str, report) -> None:
    _reports[name] = report


def run_reports(now: datetime) -> dict:
    return {name: report(now) for name, report in _reports.items()}
