"""A team's plan and its milestones."""

from collections.abc import Iterable

from django.utils import timezone
from django.utils.translation import gettext as _

from core.actions import log_action
from departments.models import User
from teams.models import Meeting, Milestone, Team, TeamAction
from teams.services.common import TeamError, _step

PLAN_FIELDS = (
    "meeting_freq",
    "meeting_interval",
    "meeting_weekdays",
    "meeting_time",
    "meeting_minutes",
    "meeting_location",
    "daily_email",
)


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
        log_action(locked, actor=by, acting_for=s.acting_for, action=TeamAction.PLAN, comment=milestone.title)
    return milestone


def milestone_delete(*, milestone: Milestone, by: User) -> None:
    with _step(milestone.team, by, "manage") as s:
        locked = s.row
        log_action(
            locked,
            actor=by,
            acting_for=s.acting_for,
            action=TeamAction.PLAN,
            comment=_("removed %(name)s") % {"name": milestone.title},
        )
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
        log_action(locked, actor=by, acting_for=s.acting_for, action=TeamAction.PLAN, comment=_("communication plan"))
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
