"""What a person holds in collaboration teams, and handing it to someone else (the handover app's
page and the reminder sweep's orphan report read and call these).

In a team that is planning or active a person holds: the lead, a seat as a member (for a
department), and the action items they own that are not done. Each hand-over is logged on the
team ("handed over: A → B") and told to the new holder.
"""

from django.utils.translation import gettext as _

from core.actions import log_action
from departments.models import Membership, User
from notifications import services as notifications
from teams.models import ActionItem, Team, TeamAction, TeamMember
from teams.services.common import TeamError

ROLES = ("team_lead", "team_member", "action_owner")
OPEN = (Team.State.PLANNING, Team.State.ACTIVE)


def open_items_held_by(user: User) -> list[tuple[str, object]]:
    """(role, row) for everything `user` holds in teams (three queries)."""
    led = Team.objects.filter(lead=user, state__in=OPEN).order_by("pk")
    seats = TeamMember.objects.filter(user=user, team__state__in=OPEN).select_related("team", "department")
    actions = ActionItem.objects.filter(owner=user, done_at__isnull=True, team__state__in=OPEN).select_related("team")
    return (
        [("team_lead", team) for team in led]
        + [("team_member", seat) for seat in seats.order_by("pk")]
        + [("action_owner", item) for item in actions.order_by("pk")]
    )


def inactive_holder_ids() -> set[int]:
    """People who cannot sign in any more but still lead a team or own an open action item."""
    leads = Team.objects.filter(lead__is_active=False, state__in=OPEN).values_list("lead_id", flat=True)
    owners = ActionItem.objects.filter(owner__is_active=False, done_at__isnull=True, team__state__in=OPEN).values_list(
        "owner_id", flat=True
    )
    return set(leads) | set(owners)


def reassign(role: str, item, *, from_user: User, to_user: User, by: User) -> None:
    """Hand `item` (held by `from_user` as `role`) to `to_user`; raises TeamError when `to_user`
    may not hold it. Run inside the caller's transaction."""
    team_id = item.pk if role == "team_lead" else item.team_id
    team = Team.objects.select_for_update().get(pk=team_id)
    if role == "team_lead":
        if team.lead_id != from_user.pk:
            return  # handed on meanwhile
        team.lead = to_user
        team.save(update_fields=["lead", "updated_at"])
        message = _("You now lead team “%(team)s”, handed over from %(name)s.")
    elif role == "team_member":
        seat = TeamMember.objects.select_related("department").filter(pk=item.pk, user=from_user).first()
        if seat is None:
            return
        if TeamMember.objects.filter(team=team, user=to_user).exists():
            seat.delete()  # already on the team: the seat simply goes
        else:
            if not Membership.objects.filter(user=to_user, department=seat.department).exists():
                raise TeamError(
                    _(
                        "%(name)s cannot take the seat of %(department)s on team “%(team)s”: they are not a member of it."
                    )
                    % {"name": to_user.name, "department": seat.department.display_name, "team": team.name}
                )
            seat.user = to_user
            seat.save(update_fields=["user"])
        message = _("You now sit on team “%(team)s” in place of %(name)s.")
    else:
        action = ActionItem.objects.filter(pk=item.pk, owner=from_user, done_at__isnull=True).first()
        if action is None:
            return
        action.owner = to_user
        action.save(update_fields=["owner"])
        message = _("An action item of team “%(team)s” was handed over to you from %(name)s.")
    log_action(
        team,
        actor=by,
        action=TeamAction.HANDED_OVER,
        from_state=team.state,
        comment=f"{from_user.name} → {to_user.name}",
        data={"role": role, "from": from_user.pk, "to": to_user.pk, "item": item.pk},
    )
    notifications.notify(
        [to_user],
        kind="handover.received",
        message=lambda: message % {"team": team.name, "name": from_user.name},
        path=f"/teams/{team.pk}/",
        actor=by,
        target=team,
    )
