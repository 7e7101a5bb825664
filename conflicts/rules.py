"""Who may do what with a conflict. Views and templates ask these; services enforce them.

- A party speaks through its managers (head, deputies, managers, or their delegates today) and
  through its own members who are involved (whoever raised the conflict, the request's requester
  and assignee): they state positions, propose and agree a settlement, and may escalate now.
- The mediator (or their delegate) may propose a settlement and refer the conflict to arbitration;
  the parties still have to agree a settlement, each of them.
- The arbiter (or their delegate) decides; the decision is final.
- Nobody belonging to a party ever holds the conflict; whoever raised it may withdraw it.
"""

import rules

from conflicts.models import Conflict
from conflicts.selectors import roles_of
from tasks.rules import task_rules

S = Conflict.State


@rules.predicate
def can_view(user, conflict: Conflict) -> bool:
    return Conflict.objects.visible_to(user).filter(pk=conflict.pk).exists()


@rules.predicate
def speaks_for_a_party(user, conflict: Conflict) -> bool:
    return bool(roles_of(user, conflict).speaks_for)


@rules.predicate
def holds_it(user, conflict: Conflict) -> bool:
    return roles_of(user, conflict).holds


@rules.predicate
def raised_it(user, conflict: Conflict) -> bool:
    return conflict.raised_by_id == user.pk


@rules.predicate
def has_proposal(user, conflict: Conflict) -> bool:
    return bool(conflict.proposal)


@rules.predicate
def speaks_for_a_party_yet_to_agree(user, conflict: Conflict) -> bool:
    speaks_for = roles_of(user, conflict).speaks_for
    return any(party.agreed_at is None and party.department_id in speaks_for for party in conflict.parties.all())


def state_is(*states):
    @rules.predicate(name=f"conflict_state_is_{'_'.join(states)}")
    def predicate(user, conflict: Conflict) -> bool:
        return conflict.state in states

    return predicate


conflict_rules = rules.RuleSet()


def can(user, action: str, conflict: Conflict) -> bool:
    """Whether `user` may do `action` (e.g. "decide") to `conflict` now."""
    return conflict_rules.test_rule(action, user, conflict)


def can_raise_on_task(user, task) -> bool:
    """The people involved in a request may raise a conflict about it: its requester and assignee,
    and the managers of the departments it concerns (who may all see it)."""
    if not user.is_authenticated or not task_rules.test_rule("view", user, task):
        return False
    if user.pk in (task.requester_id, task.assignee_id):
        return True
    from tasks.selectors import acting_manager_department_ids, may_have

    concerned = {task.requesting_department_id, task.target_department_id}
    if may_have(task, "co_departments"):  # most requests have none, and the request page knows
        concerned |= {department.pk for department in task.co_departments.all()}
    return bool(concerned & set(acting_manager_department_ids(user)))


def can_raise_on_team(user, team, *, visible: bool = False) -> bool:
    """A team's lead and members may raise a conflict about it (`visible`: known to see the team)."""
    from teams.models import Team, TeamMember

    if not user.is_authenticated:
        return False
    if not visible and not Team.objects.visible_to(user).filter(pk=team.pk).exists():
        return False
    return team.lead_id == user.pk or TeamMember.objects.filter(team=team, user=user).exists()


OPEN = state_is(S.NEGOTIATION, S.MEDIATION, S.ARBITRATION)
TALKING = state_is(S.NEGOTIATION, S.MEDIATION)

conflict_rules.add_rule("position", speaks_for_a_party & OPEN)
conflict_rules.add_rule("propose", (speaks_for_a_party & TALKING) | (holds_it & state_is(S.MEDIATION)))
conflict_rules.add_rule("agree", speaks_for_a_party_yet_to_agree & TALKING & has_proposal)
conflict_rules.add_rule("escalate", (speaks_for_a_party & TALKING) | (holds_it & state_is(S.MEDIATION)))
conflict_rules.add_rule("decide", holds_it & state_is(S.ARBITRATION))
conflict_rules.add_rule("withdraw", raised_it & OPEN)
conflict_rules.add_rule("decision_file", can_view & state_is(S.RESOLVED))
