"""Meetings and their action items."""

from datetime import date, datetime, timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.actions import log_action
from core.workflow import step
from departments.models import Department, User
from notifications import services as notifications
from teams.models import ActionItem, Attendance, Meeting, Team, TeamAction
from teams.rules import can
from teams.selectors import overdue_actions
from teams.services.common import TeamError, _changed, _notify_team, _step, team_link, team_people


def agenda_with_overdue(team: Team, agenda: str = "", *, on: date | None = None) -> str:
    """The agenda starts with the overdue action items (guide 3.1), then whatever was planned."""
    items = list(overdue_actions(team, on=on))
    if not items:
        return agenda
    lines = [_("Overdue action items:")]
    for item in items:
        lines.append(
            _("- %(title)s (%(owner)s, %(department)s, due %(due)s)")
            % {
                "title": item.title,
                "owner": item.owner.name,
                "department": item.department.display_name,
                "due": item.due_on.isoformat(),
            }
        )
    return "\n".join(lines) + ("\n\n" + agenda if agenda else "")


def meetings_generate(*, team: Team, until: date | None = None, calendar=None) -> list[Meeting]:
    """Create the scheduled meetings of the cadence from today (or the start) up to `until`
    (default: four weeks ahead, at most the deadline). Idempotent: existing times are kept."""
    from departments.selectors import working_calendar
    from teams.meetings import occurrences

    if not team.is_open:
        return []
    today = timezone.localdate()
    start = max(today, team.starts_on)
    until = min(until or today + timedelta(days=28), team.deadline)
    if until < start:
        return []
    calendar = calendar or working_calendar()
    created = []
    people = team_people(team)
    existing = set(
        team.meetings.filter(starts_at__date__gte=start - timedelta(days=1)).values_list("starts_at", flat=True)
    )
    for occurrence in occurrences(team, start, until, calendar):
        if occurrence.starts_at in existing or occurrence.starts_at < timezone.now():
            continue
        with transaction.atomic():
            meeting, made = Meeting.objects.get_or_create(
                team=team,
                starts_at=occurrence.starts_at,
                defaults={
                    "ends_at": occurrence.starts_at + timedelta(minutes=team.meeting_minutes),
                    "location": team.meeting_location,
                    "moved_from": occurrence.moved_from,
                    "from_cadence": True,
                },
            )
            if made:
                Attendance.objects.bulk_create([Attendance(meeting=meeting, user=p) for p in people])
                created.append(meeting)
    return created


def meeting_add(
    *, team: Team, by: User, starts_at: datetime, minutes: int, location: str = "", agenda: str = ""
) -> Meeting:
    """A meeting outside the cadence (lead and admins)."""
    with _step(team, by, "manage") as s:
        locked = s.row
        if locked.meetings.filter(starts_at=starts_at).exists():
            raise TeamError(_("The team already has a meeting at this time."))
        meeting = Meeting.objects.create(
            team=locked,
            starts_at=starts_at,
            ends_at=starts_at + timedelta(minutes=minutes),
            location=location,
            agenda=agenda_with_overdue(locked, agenda.strip(), on=timezone.localtime(starts_at).date()),
        )
        Attendance.objects.bulk_create([Attendance(meeting=meeting, user=p) for p in team_people(locked)])
        log_action(locked, actor=by, acting_for=s.acting_for, action=TeamAction.MEETING, comment=str(meeting))
        when = timezone.localtime(starts_at)
        _notify_team(
            locked,
            actor=by,
            kind="meeting.scheduled",
            message=lambda: (
                _("Team “%(team)s” meets on %(when)s.") % {"team": locked.name, "when": when.strftime("%Y-%m-%d %H:%M")}
            ),
        )
    return meeting


def meeting_record(
    *,
    meeting: Meeting,
    by: User,
    agenda: str,
    minutes: str,
    decisions: str,
    attendance: dict[int, str],
    held: bool,
) -> Meeting:
    """Members record the agenda, attendance, minutes and decisions of a meeting."""
    valid = {choice for choice, _label in Attendance.Status.choices}
    if any(status not in valid for status in attendance.values()):
        raise TeamError(_("Unknown attendance status."))
    with _step(meeting.team, by, "contribute") as s:
        team = s.row
        meeting = Meeting.objects.select_for_update().get(pk=meeting.pk)
        if meeting.status == Meeting.Status.CANCELLED:
            raise TeamError(_("This meeting was cancelled."))
        taken = {Attendance.Status.PRESENT, Attendance.Status.ABSENT}
        if meeting.starts_at > timezone.now() and (held or taken & set(attendance.values())):
            # Apologies (excused) may come in advance; who came, and that it was held, may not.
            raise TeamError(
                _("This meeting starts at %(start)s: it can be marked held, and who came, once it has started.")
                % {"start": str(meeting)}
            )
        meeting.agenda, meeting.minutes, meeting.decisions = agenda.strip(), minutes.strip(), decisions.strip()
        if held:
            meeting.status = Meeting.Status.HELD
        if meeting.minutes:
            meeting.minutes_by = by
        meeting.save()
        rows = {a.user_id: a for a in meeting.attendance.all()}
        changed = []
        for user_id, status in attendance.items():
            row = rows.get(user_id)
            if row is not None and row.status != status:
                row.status = status
                changed.append(row)
        Attendance.objects.bulk_update(changed, ["status"])
        log_action(team, actor=by, acting_for=s.acting_for, action=TeamAction.MEETING, comment=str(meeting))
    return meeting


def meeting_cancel(*, meeting: Meeting, by: User) -> Meeting:
    with _step(meeting.team, by, "manage") as s:
        team = s.row
        meeting = Meeting.objects.select_for_update().get(pk=meeting.pk)
        if meeting.status != Meeting.Status.SCHEDULED:
            raise TeamError(_("Only a scheduled meeting can be cancelled."))
        meeting.status = Meeting.Status.CANCELLED
        meeting.save(update_fields=["status"])
        log_action(
            team,
            actor=by,
            acting_for=s.acting_for,
            action=TeamAction.MEETING,
            comment=_("cancelled %(m)s") % {"m": str(meeting)},
        )
    return meeting


def action_add(
    *, meeting: Meeting, by: User, title: str, owner: User, department: Department, due_on: date
) -> ActionItem:
    title = title.strip()
    if not title:
        raise TeamError(_("Say what is to be done."))
    with _step(meeting.team, by, "contribute") as s:
        team = s.row
        if owner.pk != team.lead_id and not team.members.filter(user=owner).exists():
            raise TeamError(_("The owner must be on the team."))
        item = ActionItem.objects.create(
            team=team,
            meeting=meeting,
            title=title[:200],
            owner=owner,
            department=department,
            due_on=due_on,
            created_by=by,
        )
        log_action(team, actor=by, acting_for=s.acting_for, action=TeamAction.ACTION, comment=item.title)
        notifications.notify(
            [owner],
            path=team_link(team),
            actor=by,
            kind="team.action",
            message=lambda: (
                _("Action item for you (due %(due)s): %(title)s") % {"due": due_on.isoformat(), "title": item.title}
            ),
        )
    return item


def action_done(*, item: ActionItem, by: User) -> ActionItem:
    with step(Team, item.team_id, by=by, stale=_changed) as s:
        team = s.row
        item = ActionItem.objects.select_for_update().get(pk=item.pk)
        if not (can(by, "contribute", team) or item.owner_id == by.pk):
            raise TeamError(_("You may not do this to this team."))
        if item.done_at is not None:
            raise TeamError(_("This action item is already done."))
        item.done_at = timezone.now()
        item.save(update_fields=["done_at"])
        log_action(team, actor=by, action=TeamAction.ACTION, comment=_("done: %(title)s") % {"title": item.title})
    return item
