"""What Celery beat runs to keep every request moving: reminders, escalations, auto-closing and
weekly summaries (the daily digest is the notifications app's; tasks.notices fills its part).

Each sweep records what it sent in `Reminder` (one per request, kind and due moment), the
authority for "sent once", and sends nothing outside working hours or on holidays. It reads only
what may newly be due: per kind and grouping of calendars a `SweepMark` keeps the due moment the
previous sweeps covered, so a sweep range-scans the partial indexes from there to now's threshold,
plus the rows changed since the previous sweep began (Task.updated_at: reopened, a due moment
moved, an approval or acceptance restarted). The cost follows what falls due, not the rows long
past due. The first sweep of each day (and the first for a kind or a new grouping) reads every due
row again, as before: the safety net for a change neither range sees (a raw SQL edit, a
transaction committed long after it stamped its rows, a row a failed step held locked).
"""

import hashlib
import operator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import reduce

from django.conf import settings
from django.db import transaction
from django.db.models import Exists, F, OuterRef, Q, QuerySet, prefetch_related_objects
from django.db.models.functions import Coalesce
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from core.actions import log_actions
from departments.models import Department, Membership, User
from departments.selectors import calendar_terms, working_calendars
from notifications import services as notifications
from tasks import selectors
from tasks.models import Reminder, SweepMark, Task, TaskAction
from tasks.selectors.filing import head_above
from tasks.services.common import (
    current_approvers_of,
    managers_of,
    notice_about,
)
from tasks.signals import request_overdue

BATCH = 2000  # rows a sweep handles per kind; the next sweep takes the rest
# How far back a sweep reads the rows changed since the previous one began: a change saved just
# before that sweep but committed after it had read is still seen by the next.
CHANGE_OVERLAP = timedelta(minutes=2)
# A due moment is stored to the microsecond: a mark just below a row's leaves that row in range.
TICK = timedelta(microseconds=1)


def _not_sent(kind: str, due_field: str):
    return ~Exists(Reminder.objects.filter(task_id=OuterRef("pk"), kind=kind, due_at=OuterRef(due_field)))


@dataclass
class Term:
    """One reminder kind on one grouping of calendars at a sweep's moment: the rows on it are due
    when their due field is at most `threshold` (and, for due_soon, still ahead)."""

    kind: str
    key: str  # the grouping of departments on this calendar (departments.selectors.calendar_terms)
    threshold: datetime
    due: Q  # the rows of this grouping due now, whenever they fell due


@dataclass
class Rule:
    kind: str
    due_field: str
    rows: QuerySet  # the rows in the kind's state, before the due condition
    terms: list[Term] = field(default_factory=list)

    def due_rows(self, ranges: dict[str, Q] | None = None) -> QuerySet:
        """The rows due now not yet reminded; with `ranges` ({key: extra condition}) only those of
        the terms named, each held to its extra condition (the range a sweep still has to read)."""
        parts = [
            term.due & ranges[term.key] if ranges is not None else term.due
            for term in self.terms
            if ranges is None or term.key in ranges
        ]
        due = reduce(operator.or_, parts) if parts else Q(pk__in=[])
        return self.rows.filter(due).filter(_not_sent(self.kind, self.due_field))


def rules_at(now: datetime, *, anytime: bool = False) -> list[Rule]:
    """Each reminder kind with the field holding its due moment and, per calendar, the moment up to
    which its rows are due. Each row's windows ("due within a working day", "a working day
    overdue") count on the calendar of the department that owes its step (the handling
    department; while approving, the approvers'), and a row is due only in that calendar's working
    hours (`anytime`: at any hour): one query per kind, a term per distinct calendar."""
    handling, approvers = "target_department_id", "approval_department_id"
    stale_days = settings.STALE_WORKING_DAYS
    working = Task.objects.filter(state=Task.State.IN_PROGRESS)
    approving = Task.objects.filter(state=Task.State.PENDING_APPROVAL)
    accepting = Task.objects.filter(state=Task.State.PENDING_ACCEPTANCE)
    stale = working.annotate(last_activity=Coalesce("last_progress_at", "accepted_at"))
    # kind, due field, rows, department whose calendar counts, the threshold on a calendar c with
    # d working hours a day, and for due_soon the rows still ahead of now.
    table = [
        ("due_soon", "due_at", working, handling, lambda c, d: c.add_working_hours(now, d), Q(due_at__gt=now)),
        ("overdue", "due_at", working, handling, lambda c, d: now, Q()),
        ("escalate_1", "due_at", working, handling, lambda c, d: c.subtract_working_hours(now, d), Q()),
        ("escalate_3", "due_at", working, handling, lambda c, d: c.subtract_working_hours(now, 3 * d), Q()),
        ("approval_overdue", "approval_due_at", approving, approvers, lambda c, d: now, Q()),
        (
            "approval_escalate",
            "approval_due_at",
            approving,
            approvers,
            lambda c, d: c.subtract_working_hours(now, d),
            Q(),
        ),
        ("accept_overdue", "accept_due_at", accepting, handling, lambda c, d: now, Q()),
        ("accept_escalate", "accept_due_at", accepting, handling, lambda c, d: c.subtract_working_hours(now, d), Q()),
        (
            "stale",
            "last_activity",
            stale,
            handling,
            lambda c, d: c.subtract_working_hours(now, stale_days * d),
            Q(),
        ),
    ]
    rules = []
    for kind, due_field, rows, department, threshold, ahead in table:
        rule = Rule(kind, due_field, rows)
        for key, calendar, on_calendar in calendar_terms(department):
            if anytime or calendar.is_working_moment(now):
                moment = threshold(calendar, calendar.hours_per_day)
                due = Q(**{f"{due_field}__lte": moment}) & ahead & on_calendar
                rule.terms.append(Term(kind, key, moment, due))
        rules.append(rule)
    return rules


def due_rules(now: datetime, *, anytime: bool = False) -> list[tuple[str, str, QuerySet]]:
    """Each reminder kind with the field holding its due moment and every row due now that has not
    had it yet, however long ago it fell due (the full reading: the cost follows the rows past
    their due moment; sweep() reads only the new ones most of the time)."""
    return [(rule.kind, rule.due_field, rule.due_rows()) for rule in rules_at(now, anytime=anytime)]


def _mark_key(term: Term) -> str:
    return hashlib.blake2b(term.key.encode(), digest_size=20).hexdigest()


def _plan(rule: Rule, marks: dict, today) -> tuple[QuerySet, dict[str, bool]]:
    """The rows this sweep reads for `rule`, and for each of its terms whether it reads them all
    (no mark yet, or the first sweep of the day: the safety net). Otherwise a term's rows are
    those falling due after its mark, or changed since the previous sweep began (reopened with a
    past due moment, a due moment moved, an approval or acceptance restarted): both range scans of
    an index, so a sweep with nothing new to send reads next to nothing however many rows are
    past their due moment."""
    ranges, full = {}, {}
    for term in rule.terms:
        mark = marks.get((rule.kind, _mark_key(term)))
        full[term.key] = mark is None or mark.full_on != today
        if full[term.key]:
            ranges[term.key] = Q()
        else:
            # Both bounds inside the first arm, so PostgreSQL's index scan of it stops at now's
            # threshold instead of reading every row due later.
            newly = Q(**{f"{rule.due_field}__gt": mark.covered_until, f"{rule.due_field}__lte": term.threshold})
            ranges[term.key] = newly | Q(updated_at__gt=mark.changed_since)
    return rule.due_rows(ranges), full


def _advance(rule: Rule, marks: dict, full: dict[str, bool], batch: list[Task], today, began: datetime) -> None:
    """Record how far this sweep covered each term of `rule`, in the kind's transaction. A batch
    cut at BATCH rows (read in order of the due field) handled every row due before its last one:
    the mark stops just below that one, so the next sweep's range takes the rest; when an older
    mark already lies above it, the changes are read again from where they were."""
    cut = getattr(batch[-1], rule.due_field) - TICK if len(batch) >= BATCH else None
    rows = []
    for term in rule.terms:
        key = _mark_key(term)
        mark = marks.get((rule.kind, key))
        changed = began - CHANGE_OVERLAP
        if cut is None:
            until = term.threshold if mark is None else max(term.threshold, mark.covered_until)
        else:
            until = min(term.threshold, cut)
            if not full[term.key] and mark.covered_until > until:
                until, changed = mark.covered_until, mark.changed_since
        rows.append(
            SweepMark(
                kind=rule.kind,
                calendar=key,
                covered_until=until,
                changed_since=changed,
                full_on=today if full[term.key] else mark.full_on,
            )
        )
    SweepMark.objects.bulk_create(
        rows,
        update_conflicts=True,
        unique_fields=["kind", "calendar"],
        update_fields=["covered_until", "changed_since", "full_on"],
    )


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
    # The changes are read by the clock that stamps them (updated_at), which a sweep run for
    # another moment (the bench, a catch-up) does not move.
    began = timezone.now()
    now = now or began
    if not any(calendar.is_working_moment(now) for calendar in working_calendars().every()):
        return {"skipped": "outside working hours"}
    today = timezone.localtime(now).date()
    marks = {(mark.kind, mark.calendar): mark for mark in SweepMark.objects.all()}
    related = ("assignee", "requester", "target_department__head", "target_department__parent__head")
    sent = {}
    for rule in rules_at(now):
        kind, due_field = rule.kind, rule.due_field
        rows, full = _plan(rule, marks, today)
        # One transaction per kind: the due rows are locked (a sweep running late and the next one
        # never take the same rows), recorded as reminded in one insert, then notified; the
        # kind's marks move on in the same transaction.
        with notifications.deliveries_batched() as delivery_ids:
            with transaction.atomic():
                batch = list(
                    rows.select_related(*related)
                    .select_for_update(skip_locked=True, of=("self",))
                    .order_by(due_field, "pk")[:BATCH]
                )
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
                if rule.terms:
                    _advance(rule, marks, full, batch, today, began)
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
    """Results left unverified for AUTO_CLOSE_VERIFICATION_DAYS days close themselves, with a log row.
    A batch at a time, like the reminders: the rows are locked (one a person is verifying is
    skipped, and left to them), closed in one update, logged in one insert (the followers and
    webhooks hear of each through action_logged) and their people told in one batch of notices."""
    limit = now - timedelta(days=settings.AUTO_CLOSE_VERIFICATION_DAYS)
    open_subtask = Task.objects.filter(parent=OuterRef("pk")).exclude(state__in=Task.CLOSED_STATES)
    due = Task.objects.filter(state=Task.State.PENDING_VERIFICATION, done_at__lte=limit).exclude(Exists(open_subtask))
    days = settings.AUTO_CLOSE_VERIFICATION_DAYS
    with notifications.deliveries_batched() as delivery_ids:
        with transaction.atomic():
            batch = list(
                due.select_related("requester", "assignee", "target_department")
                .select_for_update(skip_locked=True, of=("self",))
                .order_by("done_at", "pk")[:BATCH]
            )
            if not batch:
                return 0
            for task in batch:
                task.confirm()  # the transition: state and closed_at, as the verifier's step does
            Task.objects.filter(pk__in=[task.pk for task in batch]).update(
                state=Task.State.DONE, closed_at=batch[0].closed_at, updated_at=timezone.now()
            )
            for task in batch:
                task.closed_at = batch[0].closed_at
            # The followers' receiver reads each request's CC list: read them all at once.
            prefetch_related_objects(batch, "watchers")
            log_actions(
                batch,
                actor=None,
                action=TaskAction.CONFIRMED,
                from_state=Task.State.PENDING_VERIFICATION,
                comment=_("Closed automatically: not verified within %(days)s days.") % {"days": days},
            )
            notifications.notify_each(
                notice_about(
                    [task.requester, task.assignee],
                    task,
                    None,
                    "auto_closed",
                    gettext_noop("%(number)s closed itself: it was not verified within %(days)s days."),
                    days=days,
                )
                for task in batch
            )
    transaction.on_commit(lambda ids=delivery_ids: notifications.hand_to_workers(ids))
    return len(batch)


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
