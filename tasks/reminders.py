"""What Celery beat runs to keep every request moving: reminders, escalations, auto-closing,
daily digests and weekly summaries.

Each sweep reads only the rows that are due through partial indexes, records what it sent in
`Reminder` (one per request, kind and due moment) so nothing goes out twice, and sends nothing
outside working hours or on holidays.
"""

from datetime import datetime, timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Exists, F, OuterRef, Q
from django.db.models.functions import Coalesce
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from departments.models import Department, Membership, User
from departments.selectors import working_calendar
from tasks import selectors
from tasks.delivery import _link, queue
from tasks.models import Approval, Delivery, NotificationPreference, Reminder, Task, TaskLog
from tasks.services import managers_of, notify

BATCH = 2000  # rows a sweep handles per kind; the next sweep takes the rest


def _not_sent(kind: str, due_field: str):
    return ~Exists(Reminder.objects.filter(task_id=OuterRef("pk"), kind=kind, due_at=OuterRef(due_field)))


def _record(task: Task, kind: str, due_at: datetime) -> bool:
    """Note that this reminder goes out; False if another sweep already sent it."""
    try:
        with transaction.atomic():
            Reminder.objects.create(task=task, kind=kind, due_at=due_at)
    except IntegrityError:
        return False
    return True


def _head_above(department: Department | None, person: User | None = None) -> User | None:
    """The head of `department` (or of the one above when that head is `person`)."""
    seen = set()
    while department is not None and department.pk not in seen:
        seen.add(department.pk)
        if department.head_id and (person is None or department.head_id != person.pk):
            return department.head
        department = department.parent
    return None


def _send(task: Task, kind: str, due_at: datetime, people, message, *, notice_kind: str, department=None) -> int:
    with transaction.atomic():
        if not _record(task, kind, due_at):
            return 0
        notify(
            [p for p in people if p is not None],
            task=task,
            actor=None,
            kind=notice_kind,
            message=message,
            department=department,
        )
    return 1


def sweep(now: datetime | None = None) -> dict:
    now = now or timezone.now()
    calendar = working_calendar()
    if not calendar.is_working_moment(now):
        return {"skipped": "outside working hours"}
    day = calendar.hours_per_day
    one_day_ago = calendar.subtract_working_hours(now, day)
    three_days_ago = calendar.subtract_working_hours(now, 3 * day)
    related = ("assignee", "target_department__head", "target_department__parent__head", "requester")
    sent = {}

    # Due within the next working day: the assignee hears once.
    horizon = calendar.add_working_hours(now, day)
    rows = (
        Task.objects.filter(state=Task.State.IN_PROGRESS, due_at__gt=now, due_at__lte=horizon)
        .filter(_not_sent("due_soon", "due_at"))
        .select_related(*related)[:BATCH]
    )
    sent["due_soon"] = sum(
        _send(
            t,
            "due_soon",
            t.due_at,
            [t.assignee],
            notice_kind="due_soon",
            message=lambda t=t: (
                _("%(number)s “%(title)s” is due %(due)s.")
                % {"number": t.number, "title": t.title, "due": timezone.localtime(t.due_at).strftime("%m-%d %H:%M")}
            ),
        )
        for t in rows
    )

    # Overdue: the assignee, then the department's managers after a working day, then the head above after three.
    overdue = Task.objects.filter(state=Task.State.IN_PROGRESS, due_at__lte=now)
    rows = overdue.filter(_not_sent("overdue", "due_at")).select_related(*related)[:BATCH]
    sent["overdue"] = sum(
        _send(
            t,
            "overdue",
            t.due_at,
            [t.assignee],
            notice_kind="overdue",
            message=lambda t=t: _("%(number)s “%(title)s” is overdue.") % {"number": t.number, "title": t.title},
        )
        for t in rows
    )
    rows = (
        overdue.filter(due_at__lte=one_day_ago)
        .filter(_not_sent("escalate_1", "due_at"))
        .select_related(*related)[:BATCH]
    )
    sent["escalate_1"] = sum(
        _send(
            t,
            "escalate_1",
            t.due_at,
            managers_of(t.target_department),
            notice_kind="escalation",
            department=t.target_department,
            message=lambda t=t: (
                _("Escalation: %(number)s “%(title)s”, handled by %(name)s, is a working day overdue.")
                % {"number": t.number, "title": t.title, "name": t.assignee.name if t.assignee else "—"}
            ),
        )
        for t in rows
    )
    rows = (
        overdue.filter(due_at__lte=three_days_ago)
        .filter(_not_sent("escalate_3", "due_at"))
        .select_related(*related)[:BATCH]
    )
    sent["escalate_3"] = sum(
        _send(
            t,
            "escalate_3",
            t.due_at,
            [_head_above(t.target_department.parent)],
            notice_kind="escalation",
            message=lambda t=t: (
                _("Escalation: %(number)s “%(title)s” at %(department)s is three working days overdue.")
                % {"number": t.number, "title": t.title, "department": t.target_department.display_name}
            ),
        )
        for t in rows
    )

    # Approvals waiting longer than the promised time: the approvers, then the head above them.
    waiting = Task.objects.filter(state=Task.State.PENDING_APPROVAL, approval_due_at__lte=now)
    rows = waiting.filter(_not_sent("approval_overdue", "approval_due_at")).select_related("requester")[:BATCH]
    sent["approval_overdue"] = sum(
        _send(
            t,
            "approval_overdue",
            t.approval_due_at,
            _current_approvers(t),
            notice_kind="approval_overdue",
            message=lambda t=t: (
                _("%(number)s “%(title)s” has waited too long for your approval.")
                % {"number": t.number, "title": t.title}
            ),
        )
        for t in rows
    )
    rows = (
        waiting.filter(approval_due_at__lte=one_day_ago)
        .filter(_not_sent("approval_escalate", "approval_due_at"))
        .select_related("requester")[:BATCH]
    )
    sent["approval_escalate"] = sum(
        _send(
            t,
            "approval_escalate",
            t.approval_due_at,
            [_head_above(_primary_department(a), a) for a in _current_approvers(t)],
            notice_kind="escalation",
            message=lambda t=t: (
                _("Escalation: %(number)s “%(title)s” has waited a working day for approval.")
                % {"number": t.number, "title": t.title}
            ),
        )
        for t in rows
    )

    # Acceptance waiting longer than the promised time: the managers, then the head above.
    waiting = Task.objects.filter(state=Task.State.PENDING_ACCEPTANCE, accept_due_at__lte=now)
    rows = waiting.filter(_not_sent("accept_overdue", "accept_due_at")).select_related(*related)[:BATCH]
    sent["accept_overdue"] = sum(
        _send(
            t,
            "accept_overdue",
            t.accept_due_at,
            managers_of(t.target_department),
            notice_kind="accept_overdue",
            department=t.target_department,
            message=lambda t=t: (
                _("%(number)s “%(title)s” has waited too long for your department to accept it.")
                % {"number": t.number, "title": t.title}
            ),
        )
        for t in rows
    )
    rows = (
        waiting.filter(accept_due_at__lte=one_day_ago)
        .filter(_not_sent("accept_escalate", "accept_due_at"))
        .select_related(*related)[:BATCH]
    )
    sent["accept_escalate"] = sum(
        _send(
            t,
            "accept_escalate",
            t.accept_due_at,
            [_head_above(t.target_department.parent)],
            notice_kind="escalation",
            message=lambda t=t: (
                _("Escalation: %(department)s has not accepted %(number)s “%(title)s” for a working day.")
                % {"department": t.target_department.display_name, "number": t.number, "title": t.title}
            ),
        )
        for t in rows
    )

    # Stale work: no progress for N working days.
    stale_before = calendar.subtract_working_hours(now, settings.STALE_WORKING_DAYS * day)
    rows = (
        Task.objects.filter(state=Task.State.IN_PROGRESS)
        .annotate(last_activity=Coalesce("last_progress_at", "accepted_at"))
        .filter(last_activity__lte=stale_before)
        .filter(_not_sent("stale", "last_activity"))
        .select_related("assignee")[:BATCH]
    )
    sent["stale"] = sum(
        _send(
            t,
            "stale",
            t.last_activity,
            [t.assignee],
            notice_kind="stale",
            message=lambda t=t: (
                _("%(number)s “%(title)s” has had no progress for %(days)s working days.")
                % {"number": t.number, "title": t.title, "days": settings.STALE_WORKING_DAYS}
            ),
        )
        for t in rows
    )

    sent["auto_closed"] = auto_close(now)
    return sent


def _current_approvers(task: Task) -> list[User]:
    return [
        a.approver
        for a in Approval.objects.filter(
            task=task, round=task.approval_round, step_order=task.approval_step, decision=Approval.Decision.PENDING
        ).select_related("approver")
    ]


def _primary_department(person: User) -> Department | None:
    membership = (
        Membership.objects.filter(user=person)
        .select_related("department__head", "department__parent__head")
        .order_by("-is_primary")
        .first()
    )
    return membership.department if membership else None


def auto_close(now: datetime) -> int:
    """Results left unverified for AUTO_CLOSE_VERIFICATION_DAYS days close themselves, with a log row."""
    limit = now - timedelta(days=settings.AUTO_CLOSE_VERIFICATION_DAYS)
    open_subtask = Task.objects.filter(parent=OuterRef("pk")).exclude(state__in=Task.CLOSED_STATES)
    closed = 0
    for task in Task.objects.filter(state=Task.State.PENDING_VERIFICATION, done_at__lte=limit).exclude(
        Exists(open_subtask)
    )[:BATCH]:
        with transaction.atomic():
            locked = Task.objects.select_for_update().get(pk=task.pk)
            if locked.state != Task.State.PENDING_VERIFICATION:
                continue
            locked.confirm()
            locked.save()
            TaskLog.objects.create(
                task=locked,
                actor=None,
                action=TaskLog.Action.CONFIRMED,
                from_state=Task.State.PENDING_VERIFICATION,
                to_state=locked.state,
                comment=_("Closed automatically: not verified within %(days)s days.")
                % {"days": settings.AUTO_CLOSE_VERIFICATION_DAYS},
            )
            notify(
                [locked.requester, locked.assignee],
                task=locked,
                actor=None,
                kind="auto_closed",
                message=lambda t=locked: (
                    _("%(number)s closed itself: it was not verified within %(days)s days.")
                    % {"number": t.number, "days": settings.AUTO_CLOSE_VERIFICATION_DAYS}
                ),
            )
            closed += 1
    return closed


# Digests


def _due_for_digest(now: datetime):
    """People whose digest time has come today and who have not had today's digest."""
    local = timezone.localtime(now)
    default_time = NotificationPreference._meta.get_field("digest_time").default
    due = Q(notification_preference__digest_enabled=True, notification_preference__digest_time__lte=local.time()) & (
        Q(notification_preference__last_digest_on__isnull=True)
        | Q(notification_preference__last_digest_on__lt=local.date())
    )
    if local.time() >= default_time:
        due |= Q(has_preference=False)  # never changed their settings: the default time applies
    return (
        User.objects.filter(is_active=True)
        .exclude(email="")
        .annotate(has_preference=Exists(NotificationPreference.objects.filter(user=OuterRef("pk"))))
        .filter(due)
        .order_by("pk")
    )


def send_digests(now: datetime | None = None) -> int:
    """Each person's digest, once a working day, at or after their digest time."""
    now = now or timezone.now()
    calendar = working_calendar()
    local = timezone.localtime(now)
    if not calendar.is_working_day(local.date()):
        return 0
    sent = 0
    for person in _due_for_digest(now)[:BATCH]:
        preference, _created = NotificationPreference.objects.get_or_create(user=person)
        claimed = (
            NotificationPreference.objects.filter(pk=preference.pk)
            .filter(Q(last_digest_on__isnull=True) | Q(last_digest_on__lt=local.date()))
            .update(last_digest_on=local.date())
        )
        if claimed != 1:
            continue
        board = selectors.dashboard(person)
        if not any(board.values()):
            continue
        with translation.override(person.language or settings.LANGUAGE_CODE):
            context = {"user": person, "board": board, "date": local.date(), "site": settings.SITE_URL.rstrip("/")}
            subject = " ".join(render_to_string("emails/digest-subject.txt", context).split())
            body = render_to_string("emails/digest-body.txt", context)
            html = render_to_string("emails/digest-body.html", context)
        with transaction.atomic():
            queue(
                [
                    Delivery(
                        key=f"digest:{person.pk}:{local.date().isoformat()}",
                        channel=Delivery.Channel.EMAIL,
                        kind="digest",
                        recipient=person,
                        address=person.email,
                        subject=subject[:300],
                        body=body,
                        html=html,
                    )
                ]
            )
        sent += 1
    return sent


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
                    "link": _link("/requests/inbox/"),
                }
                subject = " ".join(render_to_string("emails/weekly-subject.txt", context).split())
                body = render_to_string("emails/weekly-body.txt", context)
            rows.append(
                Delivery(
                    key=f"weekly:{department.pk}:{manager.pk}:{year}-{week}",
                    channel=Delivery.Channel.EMAIL,
                    kind="weekly",
                    recipient=manager,
                    address=manager.email,
                    subject=subject[:300],
                    body=body,
                )
            )
    with transaction.atomic():
        queue(rows)
    return len(rows)
