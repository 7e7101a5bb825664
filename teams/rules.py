"""Who may do what with a team. Views and templates ask these; services enforce them.

- view: anyone for a public team; the lead, the members and admins for a private one.
- manage (goal, target, members, plan, criteria, lifecycle, evaluation): the lead and admins.
- contribute (metric readings, minutes, attendance, action items, requests under the plan):
  the lead, the members and admins.
"""

import rules

from departments.rules import is_admin
from departments.selectors import acting_for
from teams.models import Team


@rules.predicate
def is_lead(user, team: Team) -> bool:
    return team.lead_id == user.pk


@rules.predicate
def acts_for_lead(user, team: Team) -> bool:
    """The lead's delegate today (departments.selectors.acting_for) takes the lead's steps."""
    return acting_for(user, team.lead_id)


def lead_acted_for(user, team: Team):
    """The lead, when `user` takes their step as their delegate (for the log); else None."""
    return team.lead if not is_lead(user, team) and acts_for_lead(user, team) else None


@rules.predicate
def is_member(user, team: Team) -> bool:
    cached = getattr(team, "_member_ids", None)
    if cached is not None:
        return user.pk in cached
    return team.members.filter(user=user).exists()


@rules.predicate
def is_public(user, team: Team) -> bool:
    return not team.private


def state_is(*states):
    @rules.predicate(name=f"team_state_is_{'_'.join(states)}")
    def predicate(user, team: Team) -> bool:
        return team.state in states

    return predicate


S = Team.State
team_rules = rules.RuleSet()


def can(user, action: str, team: Team) -> bool:
    """Whether `user` may do `action` (e.g. "manage") to `team` now."""
    if not user.is_authenticated or not user.is_active:
        return False
    return team_rules.test_rule(action, user, team)


leads = is_lead | acts_for_lead
_open = state_is(S.PLANNING, S.ACTIVE)
team_rules.add_rule("view", is_public | leads | is_member | is_admin)
team_rules.add_rule("manage", (leads | is_admin) & _open)
team_rules.add_rule("contribute", (leads | is_member | is_admin) & _open)
team_rules.add_rule("start", (leads | is_admin) & state_is(S.PLANNING))
team_rules.add_rule("complete", (leads | is_admin) & state_is(S.ACTIVE))
team_rules.add_rule("evaluate", (leads | is_admin) & state_is(S.COMPLETED))
team_rules.add_rule("cancel", (leads | is_admin) & state_is(S.PLANNING, S.ACTIVE, S.COMPLETED))
team_rules.add_rule("documents", leads | is_member | is_admin)
# Criteria can still be set after completion, so a team that completed without them can be evaluated.
team_rules.add_rule("criteria", (leads | is_admin) & state_is(S.PLANNING, S.ACTIVE, S.COMPLETED))
