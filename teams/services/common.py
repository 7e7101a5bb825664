"""Errors, the step wrapper and who is told: what every team use case shares."""

from django.urls import reverse
from django.utils.translation import gettext as _

from core.workflow import StepConflict, StepError, step
from departments.models import User
from notifications import services as notifications
from teams.models import Team
from teams.rules import can, lead_acted_for

S = Team.State


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
        acting_for=lead_acted_for,
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
