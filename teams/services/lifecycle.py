"""A team's life: create, update, start, complete, cancel."""

from collections.abc import Iterable

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.actions import log_action
from core.limits import SHORT_TEXT, too_long
from core.workflow import Step
from departments.models import Department, User
from teams.models import Meeting, Team, TeamAction, TeamMember
from teams.services.common import TeamError, _notify_team, _step

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


def _check_members(members: Iterable[tuple[User, Department, str]]) -> list[tuple[User, Department, str]]:
    rows, seen = [], set()
    for user, department, role in members:
        if user.pk in seen:
            raise TeamError(_("%(name)s is listed twice.") % {"name": user.name})
        seen.add(user.pk)
        rows.append((user, department, (role or "").strip()[:60]))
    if len({department.pk for _u, department, _r in rows}) < 2:
        raise TeamError(_("A collaboration team has members from at least two departments."))
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
        log_action(team, actor=by, acting_for=s.acting_for, action=TeamAction.EDITED)
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
