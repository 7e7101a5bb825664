"""Team use cases: each step goes through core.workflow.step, which locks the team row and checks
the state and the rule of teams/rules.py; the step writes, logs and notifies (in the same
transaction, through notifications.services.notify)."""

from collections.abc import Iterable
from datetime import date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from core.actions import log_action
from core.limits import SHORT_TEXT, too_long
from core.workflow import Step, StepConflict, StepError, step
from departments.models import Department, User
from notifications import services as notifications
from tasks import services as task_services
from tasks.models import RequestType, Task
from teams.models import (
    ActionItem,
    Attendance,
    CalendarFeed,
    EvaluationCriterion,
    Meeting,
    MetricReading,
    Milestone,
    StrategicGoal,
    Team,
    TeamAction,
    TeamMember,
    TeamRequest,
)
from teams.rules import can

S = Team.State

TEAM_FIELDS = (
    "name",
    "goal",
    "strategic_goal",
    "metric",
    "unit",
    "baseline",
    "target_value",
    "starts_on",
    "deadline",
    "private",
)
PLAN_FIELDS = (
    "meeting_freq",
    "meeting_interval",
    "meeting_weekdays",
    "meeting_time",
    "meeting_minutes",
    "meeting_location",
    "daily_email",
)


class TeamError(StepError):
    """A use case refused: the message says why, in the user's language."""


class TeamConflict(TeamError, StepConflict):
    """Someone else changed the team meanwhile."""


def _changed(team: Team) -> TeamConflict:
    return TeamConflict(
        _("Someone else changed this team meanwhile; it is now %(state)s.") % {"state": team.get_state_display()}
    )


def _step(team: Team, by: User, action: str, *, seen_state: str | None = None):
    """A step on the team (core.workflow.step): its row locked, allowed by the rule `action` of
    teams/rules.py; `seen_state` is the state the user saw, if they are to be told it changed."""
    return step(
        Team,
        team.pk,
        by=by,
        seen_state=seen_state,
        rule=lambda user, locked: can(user, action, locked),
        stale=_changed,
        refused=lambda locked: TeamError(_("You may not do this to this team.")),
    )


def team_link(team: Team) -> str:
    return reverse("teams:detail", args=[team.pk])


def team_people(team: Team) -> list[User]:
    """The lead and the members (each once)."""
    people = {team.lead_id: team.lead}
    for member in team.members.select_related("user"):
        people.setdefault(member.user_id, member.user)
    return [p for p in people.values() if p.is_active]


def _notify_team(team: Team, *, actor: User | None, kind: str, message) -> None:
    notifications.notify(team_people(team), path=team_link(team), actor=actor, kind=kind, message=message)


# Teams


def _check_members(members: Iterable[tuple[User, Department, str]]) -> list[tuple[User, Department, str]]:
    rows, seen = [], set()
    for user, department, role in members:
        if user.pk in seen:
            raise TeamError(_("%(name)s is listed twice.") % {"name": user.name})
        seen.add(user.pk)
        rows.append((user, department, (role or "").strip()[:60]))
    return rows


def _set_members(team: Team, members: list[tuple[User, Department, str]]) -> None:
    existing = {m.user_id: m for m in team.members.all()}
    wanted = {user.pk for user, _d, _r in members}
    team.members.exclude(user_id__in=wanted).delete()
    for user, department, role in members:
        member = existing.get(user.pk)
        if member is None:
            TeamMember.objects.create(team=team, user=user, department=department, role=role)
        elif (member.department_id, member.role) != (department.pk, role):
            member.department, member.role = department, role
            member.save(update_fields=["department", "role"])


def _check_team_values(values: dict) -> None:
    if values["deadline"] < values["starts_on"]:
        raise TeamError(_("The deadline cannot be before the start."))
    if values["target_value"] == values["baseline"]:
        raise TeamError(_("The target value must differ from the baseline."))


def team_create(
    *, by: User, values: dict, members: Iterable[tuple[User, Department, str]], lead: User | None = None
) -> Team:
    """A new team in planning. Anyone may start one and becomes its lead; admins may name another lead."""
    if lead is None or not by.is_superuser:
        lead = by
    _check_team_values(values)
    members = _check_members(members)
    departments = {d.pk for _u, d, _r in members}
    if len(departments) < 2:
        raise TeamError(_("A collaboration team has members from at least two departments."))
    with transaction.atomic():
        team = Team.objects.create(lead=lead, created_by=by, **{k: values[k] for k in TEAM_FIELDS})
        _set_members(team, members)
        log_action(team, actor=by, action=TeamAction.CREATED, to_state=team.state)
        _notify_team(
            team,
            actor=by,
            kind="team.created",
            message=lambda: _("You are on the new team “%(team)s”.") % {"team": team.name},
        )
    return team


def team_update(
    *, team: Team, by: User, values: dict, members: Iterable[tuple[User, Department, str]], lead: User | None = None
) -> Team:
    """Change the goal, target and members (lead and admins, while planning or active); admins may hand
    the team to another lead."""
    _check_team_values(values)
    members = _check_members(members)
    if len({d.pk for _u, d, _r in members}) < 2:
        raise TeamError(_("A collaboration team has members from at least two departments."))
    with _step(team, by, "manage") as s:
        team = s.row
        if (
            team.milestones.filter(starts_on__lt=values["starts_on"]).exists()
            or team.milestones.filter(due_on__gt=values["deadline"]).exists()
        ):
            raise TeamError(_("Some milestones fall outside the new span; move them first."))
        for key in TEAM_FIELDS:
            setattr(team, key, values[key])
        if lead is not None and by.is_superuser and lead.pk != team.lead_id:
            team.lead = lead
            _notify_team(
                team,
                actor=by,
                kind="team.lead",
                message=lambda: _("%(name)s now leads team “%(team)s”.") % {"name": lead.name, "team": team.name},
            )
        team.save()
        _set_members(team, members)
        log_action(team, actor=by, action=TeamAction.EDITED)
    return team


def _transition(s: Step, method: str, verb: str, comment: str = "") -> Team:
    """Run the team's transition `method` in the step `s`, save and log it as `verb`, tell the team."""
    locked = s.row
    getattr(locked, method)()
    s.save(verb, comment=comment[:2000])
    if not locked.is_open:
        # A finished or cancelled team meets no more: its future meetings are called off.
        locked.meetings.filter(status=Meeting.Status.SCHEDULED, starts_at__gt=timezone.now()).update(
            status=Meeting.Status.CANCELLED
        )
    state_label = locked.get_state_display
    _notify_team(
        locked,
        actor=s.by,
        kind=verb,
        message=lambda: _("Team “%(team)s” is now %(state)s.") % {"team": locked.name, "state": state_label()},
    )
    return locked


def team_start(*, team: Team, by: User, seen_state: str | None = None) -> Team:
    """`seen_state` is the state the user saw: if someone else moved the team meanwhile, they are told."""
    if not team.members.exists():
        raise TeamError(_("Add members before starting the team."))
    with _step(team, by, "start", seen_state=seen_state) as s:
        return _transition(s, "start", TeamAction.STARTED)


def team_complete(*, team: Team, by: User, comment: str = "", seen_state: str | None = None) -> Team:
    if refused := too_long(comment, SHORT_TEXT):
        raise TeamError(refused)
    with _step(team, by, "complete", seen_state=seen_state) as s:
        return _transition(s, "complete", TeamAction.COMPLETED, comment)


def team_cancel(*, team: Team, by: User, reason: str, seen_state: str | None = None) -> Team:
    reason = (reason or "").strip()
    if not reason:
        raise TeamError(_("Say why the team is cancelled."))
    with _step(team, by, "cancel", seen_state=seen_state) as s:
        s.row.cancel_reason = reason
        return _transition(s, "cancel", TeamAction.CANCELLED, reason)


def goal_attainment(team: Team, value: Decimal | None) -> Decimal | None:
    """How far the metric went from the baseline towards the target, in % (may exceed 100 or be negative)."""
    if value is None or team.target_value == team.baseline:
        return None
    ratio = (Decimal(value) - team.baseline) / (team.target_value - team.baseline) * 100
    return ratio.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def weighted_score(criteria: Iterable[EvaluationCriterion]) -> Decimal:
    total = sum((Decimal(c.weight) * Decimal(c.score) for c in criteria), Decimal(0)) / 100
    return total.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def team_evaluate(*, team: Team, by: User, scores: dict[int, Decimal], summary: str = "") -> Team:
    """The lead scores each criterion (0–100); the weighted result and goal attainment are recorded."""
    with _step(team, by, "evaluate") as s:
        locked = s.row
        criteria = list(locked.criteria.all())
        if not criteria:
            raise TeamError(_("The team has no evaluation criteria to score."))
        for criterion in criteria:
            score = scores.get(criterion.pk)
            if score is None:
                raise TeamError(_("Score every criterion."))
            if not Decimal(0) <= Decimal(score) <= Decimal(100):
                raise TeamError(_("A score is from 0 to 100."))
            criterion.score = Decimal(score)
        EvaluationCriterion.objects.bulk_update(criteria, ["score"])
        locked.evaluation_score = weighted_score(criteria)
        locked.goal_attainment = goal_attainment(locked, locked.current_value)
        locked.evaluation_summary = summary.strip()
        return _transition(s, "evaluate", TeamAction.EVALUATED, summary)


def criteria_set(*, team: Team, by: User, rows: list[tuple[str, int]]) -> list[EvaluationCriterion]:
    """Replace the evaluation criteria; the weights must sum to 100."""
    rows = [(name.strip(), int(weight)) for name, weight in rows if name.strip()]
    if not rows:
        raise TeamError(_("Give at least one criterion."))
    if any(weight < 1 or weight > 100 for _n, weight in rows):
        raise TeamError(_("A weight is a percentage from 1 to 100."))
    total = sum(weight for _n, weight in rows)
    if total != 100:
        raise TeamError(_("The weights add up to %(total)s; they must add up to 100.") % {"total": total})
    with _step(team, by, "criteria") as s:
        locked = s.row
        locked.criteria.all().delete()
        created = EvaluationCriterion.objects.bulk_create(
            [EvaluationCriterion(team=locked, name=name[:120], weight=weight) for name, weight in rows]
        )
        log_action(locked, actor=by, action=TeamAction.PLAN, comment=_("evaluation criteria"))
    return created


def reading_add(*, team: Team, by: User, value: Decimal, measured_on: date, note: str = "") -> MetricReading:
    """Record a reading of the metric; the latest reading by date becomes the current value."""
    if measured_on > timezone.localdate():
        raise TeamError(_("A reading cannot be in the future."))
    with _step(team, by, "contribute") as s:
        locked = s.row
        reading = MetricReading.objects.create(
            team=locked, value=value, measured_on=measured_on, note=note.strip()[:200], recorded_by=by
        )
        latest = locked.readings.order_by("-measured_on", "-recorded_at", "-pk").first()
        locked.current_value = latest.value
        locked.save(update_fields=["current_value", "updated_at"])
        log_action(locked, actor=by, action=TeamAction.READING, comment=f"{measured_on}: {value}")
    return reading


# The plan


def _would_cycle(milestone_pk: int | None, depends_on: Iterable[Milestone], edges: dict[int, set[int]]) -> bool:
    """Whether making `milestone_pk` depend on `depends_on` closes a loop in `edges` (pk → pks it depends on)."""
    if milestone_pk is None:
        return False
    stack = [m.pk for m in depends_on]
    seen: set[int] = set()
    while stack:
        current = stack.pop()
        if current == milestone_pk:
            return True
        if current in seen:
            continue
        seen.add(current)
        stack.extend(edges.get(current, ()))
    return False


def milestone_save(
    *,
    team: Team,
    by: User,
    values: dict,
    depends_on: Iterable[Milestone] = (),
    milestone: Milestone | None = None,
) -> Milestone:
    """Add or change a milestone: inside the team's span, due after it starts, after the milestones
    it depends on, and no dependency loops."""
    depends_on = list(depends_on)
    with _step(team, by, "manage") as s:
        locked = s.row
        starts_on, due_on = values["starts_on"], values["due_on"]
        if starts_on < locked.starts_on or due_on > locked.deadline:
            raise TeamError(
                _("Milestone dates must lie within the team's span, %(start)s to %(end)s.")
                % {"start": locked.starts_on.isoformat(), "end": locked.deadline.isoformat()}
            )
        if due_on < starts_on:
            raise TeamError(_("A milestone cannot be due before it starts."))
        if any(m.team_id != locked.pk for m in depends_on):
            raise TeamError(_("A milestone can only depend on milestones of the same team."))
        if milestone is not None and any(m.pk == milestone.pk for m in depends_on):
            raise TeamError(_("A milestone cannot depend on itself."))
        edges: dict[int, set[int]] = {}
        for from_id, to_id in Milestone.depends_on.through.objects.filter(from_milestone__team=locked).values_list(
            "from_milestone_id", "to_milestone_id"
        ):
            edges.setdefault(from_id, set()).add(to_id)
        if milestone is not None:
            edges[milestone.pk] = {m.pk for m in depends_on}
        if _would_cycle(milestone.pk if milestone else None, depends_on, edges):
            raise TeamError(_("These dependencies would make a loop: a milestone would wait on itself."))
        late = [m.title for m in depends_on if m.due_on > starts_on]
        if late:
            raise TeamError(_("It starts before what it depends on is due: %(names)s.") % {"names": "、".join(late)})
        if milestone is not None:
            waiting = [m.title for m in milestone.dependents.all() if m.starts_on < due_on]
            if waiting:
                raise TeamError(
                    _("Milestones that wait on it would start before it is due: %(names)s.")
                    % {"names": "、".join(waiting)}
                )
        if milestone is None:
            milestone = Milestone(team=locked)
        for key in ("title", "starts_on", "due_on", "department", "deliverable", "status"):
            if key in values:
                setattr(milestone, key, values[key])
        if milestone.status == Milestone.Status.DONE and milestone.done_on is None:
            milestone.done_on = timezone.localdate()
        elif milestone.status != Milestone.Status.DONE:
            milestone.done_on = None
        milestone.save()
        milestone.depends_on.set(depends_on)
        log_action(locked, actor=by, action=TeamAction.PLAN, comment=milestone.title)
    return milestone


def milestone_delete(*, milestone: Milestone, by: User) -> None:
    with _step(milestone.team, by, "manage") as s:
        locked = s.row
        log_action(locked, actor=by, action=TeamAction.PLAN, comment=_("removed %(name)s") % {"name": milestone.title})
        milestone.delete()


def plan_set(*, team: Team, by: User, values: dict) -> Team:
    """The communication plan: meeting cadence (rrule parts) and the daily progress e-mail."""
    if values.get("meeting_freq") and values.get("meeting_time") is None:
        raise TeamError(_("Give the meeting time."))
    if values.get("meeting_freq") == "WEEKLY" and not values.get("meeting_weekdays"):
        raise TeamError(_("Choose the weekday(s) of a weekly meeting."))
    with _step(team, by, "manage") as s:
        locked = s.row
        cadence_fields = ("meeting_freq", "meeting_interval", "meeting_weekdays", "meeting_time", "meeting_minutes")
        before = [getattr(locked, key) for key in cadence_fields]
        for key in PLAN_FIELDS:
            setattr(locked, key, values[key])
        locked.meeting_weekdays = sorted({int(d) for d in locked.meeting_weekdays or []})
        locked.save()
        log_action(locked, actor=by, action=TeamAction.PLAN, comment=_("communication plan"))
        if before != [getattr(locked, key) for key in cadence_fields]:
            # The cadence changed: the old cadence's future meetings that nobody has worked on go away;
            # meetings added by hand, or with an agenda, minutes or action items, stay.
            locked.meetings.filter(
                from_cadence=True,
                status=Meeting.Status.SCHEDULED,
                starts_at__gt=timezone.now(),
                agenda="",
                minutes="",
                action_items__isnull=True,
            ).delete()
    return locked


def _check_milestone(team: Team, milestone: Milestone | None) -> None:
    if milestone is not None and milestone.team_id != team.pk:
        raise TeamError(_("That milestone belongs to another team."))


def team_request_file(
    *,
    team: Team,
    by: User,
    request_type: RequestType,
    title: str,
    description: str = "",
    milestone: Milestone | None = None,
    wanted_by: datetime | None = None,
) -> TeamRequest:
    """File an ordinary request (submitted into the normal flow) under the team's plan."""
    _check_milestone(team, milestone)
    if not can(by, "contribute", team):
        raise TeamError(_("You may not do this to this team."))
    if not simple_request_types().filter(pk=request_type.pk).exists():
        raise TeamError(_("This request type needs more details: file it from New request, then link it to the team."))
    with transaction.atomic():
        task = task_services.task_create(
            by=by,
            request_type=request_type,
            title=title,
            description=description,
            wanted_by=wanted_by,
            confidential=team.private,
            submit=True,
        )
        link = TeamRequest.objects.create(team=team, milestone=milestone, task=task, added_by=by)
        log_action(team, actor=by, action=TeamAction.PLAN, comment=task.number)
    return link


def team_request_link(*, team: Team, by: User, task: Task, milestone: Milestone | None = None) -> TeamRequest:
    """Link an existing request the user can see to the team (and a milestone)."""
    _check_milestone(team, milestone)
    if not can(by, "contribute", team):
        raise TeamError(_("You may not do this to this team."))
    if not Task.objects.visible_to(by).filter(pk=task.pk).exists():
        raise TeamError(_("No request with this number that you can see."))
    if task.state == Task.State.DRAFT:
        # A draft is its requester's alone; linked, it would be a request the team cannot see.
        raise TeamError(_("A draft cannot be linked: submit it first."))
    try:
        with transaction.atomic():
            link = TeamRequest.objects.create(team=team, milestone=milestone, task=task, added_by=by)
            log_action(team, actor=by, action=TeamAction.PLAN, comment=task.number)
    except IntegrityError:
        raise TeamError(_("This request is already linked to the team.")) from None
    return link


# Meetings


def _tz():
    return ZoneInfo(settings.TIME_ZONE)


def overdue_actions(team: Team, *, on: date | None = None):
    on = on or timezone.localdate()
    return (
        team.action_items.filter(done_at__isnull=True, due_on__lt=on)
        .select_related("owner", "department")
        .order_by("due_on", "pk")
    )


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
        log_action(locked, actor=by, action=TeamAction.MEETING, comment=str(meeting))
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
        log_action(team, actor=by, action=TeamAction.MEETING, comment=str(meeting))
    return meeting


def meeting_cancel(*, meeting: Meeting, by: User) -> Meeting:
    with _step(meeting.team, by, "manage") as s:
        team = s.row
        meeting = Meeting.objects.select_for_update().get(pk=meeting.pk)
        if meeting.status != Meeting.Status.SCHEDULED:
            raise TeamError(_("Only a scheduled meeting can be cancelled."))
        meeting.status = Meeting.Status.CANCELLED
        meeting.save(update_fields=["status"])
        log_action(team, actor=by, action=TeamAction.MEETING, comment=_("cancelled %(m)s") % {"m": str(meeting)})
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
        log_action(team, actor=by, action=TeamAction.ACTION, comment=item.title)
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


def simple_request_types():
    """Request types that can be filed from a title and description alone (no required fields)."""
    return RequestType.objects.filter(is_active=True, department__is_active=True).exclude(fields__required=True)


def default_request_type(department: Department) -> RequestType | None:
    return simple_request_types().filter(department=department).order_by("sort_order", "pk").first()


def action_to_request(*, item: ActionItem, by: User, request_type: RequestType | None = None) -> Task:
    """Turn an action item into an ordinary request to its department with one click: the
    department's first request type unless another is given, due at the end of the item's due
    day, the owner in copy; the request is linked to the team and follows the normal flow."""
    request_type = request_type or default_request_type(item.department)
    if request_type is None:
        raise TeamError(
            _(
                "%(department)s has no request type that can be filed in one click; file the request from "
                "New request and link it to the team."
            )
            % {"department": item.department.display_name}
        )
    if request_type.department_id != item.department_id:
        raise TeamError(_("Choose a request type of the action item's department."))
    with _step(item.team, by, "contribute") as s:
        team = s.row
        item = ActionItem.objects.select_for_update().get(pk=item.pk)
        if item.task_id is not None:
            raise TeamError(_("This action item is already a request."))
        wanted = datetime.combine(item.due_on, time(18, 0), tzinfo=_tz())
        if wanted < timezone.now():
            wanted = None
        try:
            task = task_services.task_create(
                by=by,
                request_type=request_type,
                title=item.title,
                description=_("Action item of team “%(team)s”, meeting of %(when)s; owner: %(owner)s.")
                % {
                    "team": team.name,
                    "when": timezone.localtime(item.meeting.starts_at).strftime("%Y-%m-%d"),
                    "owner": item.owner.name,
                },
                watchers=[item.owner],
                wanted_by=wanted,
                confidential=team.private,
                submit=True,
            )
        except task_services.TaskError as error:
            raise TeamError(str(error)) from None
        item.task = task
        item.save(update_fields=["task"])
        TeamRequest.objects.get_or_create(team=team, task=task, defaults={"added_by": by})
        log_action(team, actor=by, action=TeamAction.ACTION, comment=task.number)
    return task


# Calendar feed


def feed_for(user: User) -> CalendarFeed:
    feed, _created = CalendarFeed.objects.get_or_create(user=user)
    return feed


def feed_rotate(*, user: User) -> CalendarFeed:
    """A new secret URL; the old one stops working at once."""
    from teams.models import _new_token

    with transaction.atomic():
        feed, _created = CalendarFeed.objects.select_for_update().get_or_create(user=user)
        feed.token = _new_token()
        feed.is_active = True
        feed.rotated_at = timezone.now()
        feed.save()
    return feed


def feed_revoke(*, user: User) -> None:
    CalendarFeed.objects.filter(user=user).update(is_active=False, rotated_at=timezone.now())


def strategic_goals():
    return StrategicGoal.objects.filter(is_active=True)
