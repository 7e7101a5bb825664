"""Read queries for conflict pages, and who is who in a conflict: the parties' people, the
neutral mediator, the arbiter, and which party a person may speak for."""

from dataclasses import dataclass, field
from datetime import datetime

from django.db.models import Case, Exists, OuterRef, Prefetch, Q, QuerySet, Value, When

from conflicts.models import Conflict, ConflictParty, ConflictSettings, Position
from core.models import ActionLog
from departments import selectors as organisation
from departments.models import Department, Membership, User
from departments.selectors import departments_by_id, home_department_ids, manager_acting_for, working_calendar
from tasks.models import Task
from tasks.selectors import acting_manager_department_ids, delegators_of


def visible_conflicts_filter(user: User) -> Q:
    """Who sees a conflict: whoever raised it, its mediator and arbiter (and their delegates
    today); about a request, those who may see the request and the managers of the parties; about
    a team, those who may see the team (a private team: its lead and members only). Admins all."""
    from teams.models import Team

    if not user.is_authenticated or not user.is_active:
        return Q(pk__in=[])
    if user.is_superuser:
        return Q()
    people = [user.pk, *delegators_of(user)]
    managed = acting_manager_department_ids(user)
    party = ConflictParty.objects.filter(conflict_id=OuterRef("pk"), department_id__in=managed)
    # EXISTS on the conflict's own request, not `task IN (every visible request)`: at a million
    # requests the list of visible ones no longer fits in work_mem and PostgreSQL rescans it for
    # each conflict, where the EXISTS is one primary-key probe per conflict.
    seen = Task.objects.visible_to(user).filter(pk=OuterRef("task_id"))
    on_task = Q(task__isnull=False) & (Exists(seen) | Exists(party))
    on_team = Q(team__in=Team.objects.visible_to(user).values("pk"))
    return on_task | on_team | Q(raised_by=user) | Q(mediator__in=people) | Q(arbiter__in=people)


def party_people_ids(department_ids) -> set[int]:
    """Everyone belonging to a party: members, heads and deputies of the departments in disagreement.
    None of them may mediate or arbitrate the conflict."""
    ids = list(department_ids)
    return set(
        User.objects.filter(
            Q(memberships__department__in=ids) | Q(headed_departments__in=ids) | Q(deputy_of_departments__in=ids)
        )
        .values_list("pk", flat=True)
        .distinct()
    )


def choose_mediator(departments: list[Department], *, team=None) -> User | None:
    """The neutral mediator: the head of the nearest department above every party (a common
    ancestor that is not itself a party) whose head belongs to no party; else the team lead when
    they belong to no party; else nobody (the conflict then goes straight to arbitration)."""
    if not departments:
        return None
    party_ids = {department.pk for department in departments}
    excluded = party_people_ids(party_ids)
    chains = [department.ancestors() for department in departments]
    common = set.intersection(*({ancestor.pk for ancestor in chain} for chain in chains))
    for candidate in chains[0]:  # nearest first
        if candidate.pk not in common or candidate.pk in party_ids or not candidate.is_active:
            continue
        head = candidate.head
        if head is not None and head.is_active and head.pk not in excluded:
            return head
    lead = getattr(team, "lead", None)
    if lead is not None and lead.is_active and lead.pk not in excluded:
        return lead
    return None


def choose_arbiter(departments: list[Department]) -> User | None:
    """The arbiter the admins configured; when unset or a party, the first leader with sign-off
    right who is not a party, else the first administrator who is not a party."""
    excluded = party_people_ids(department.pk for department in departments)
    configured = ConflictSettings.current().arbiter
    if configured is not None and configured.is_active and configured.pk not in excluded:
        return configured
    active = User.objects.filter(is_active=True).exclude(pk__in=excluded).order_by("username")
    return active.filter(can_sign_off=True).first() or active.filter(is_superuser=True).first()


def level_deadline(start: datetime, days: int, departments=()) -> datetime:
    """`days` working days after `start` on the calendar of the department that owes the level
    (holidays and 调休 count): each of `departments` (ids) has its days on its own calendar and the
    level ends when the last one's do (negotiation: every party's; mediation and arbitration: the
    holder's department); none, the organisation's calendar."""
    calendars = [working_calendar(pk) for pk in departments if pk] or [working_calendar()]
    return max(calendar.add_working_hours(start, days * calendar.hours_per_day) for calendar in calendars)


def holder_departments(person: User | None) -> list[int]:
    """The department whose calendar a mediator's or arbiter's level counts in: their own."""
    return [pk for pk in home_department_ids([person]).values() if pk]


@dataclass
class Roles:
    """What one person is in one conflict. `speaks_for` maps a party department's id to the
    manager the person acts for under delegation (None when acting in their own right)."""

    speaks_for: dict[int, User | None] = field(default_factory=dict)
    is_party_person: bool = False
    holds: bool = False  # the current mediator or arbiter, or their delegate today
    holds_for: User | None = None
    raised: bool = False
    admin: bool = False


def roles_of(user: User, conflict: Conflict) -> Roles:
    """The person's roles in the conflict, computed once per request and kept on the object."""
    cache = getattr(conflict, "roles_read", None)
    if cache is None:
        cache = conflict.roles_read = {}
    if user.pk in cache:
        return cache[user.pk]
    roles = Roles(raised=conflict.raised_by_id == user.pk, admin=bool(user.is_active and user.is_superuser))
    if not user.is_authenticated or not user.is_active:
        cache[user.pk] = roles
        return roles
    parties = [party.department for party in conflict.parties.all()]
    party_ids = {department.pk for department in parties}
    mine = set(Membership.objects.filter(user=user, department__in=party_ids).values_list("department_id", flat=True))
    roles.is_party_person = user.pk in party_people_ids(party_ids)
    involved = {conflict.raised_by_id}
    if conflict.task_id:
        involved |= {conflict.task.requester_id, conflict.task.assignee_id}
    on_team: set[int] = set()
    if conflict.team_id:
        from teams.models import TeamMember

        on_team = set(
            TeamMember.objects.filter(team_id=conflict.team_id, user=user).values_list("department_id", flat=True)
        )
    for department in parties:
        may, acting_for = manager_acting_for(user, department)
        if may:
            roles.speaks_for[department.pk] = acting_for
        elif (department.pk in mine and user.pk in involved) or department.pk in on_team:
            roles.speaks_for[department.pk] = None
    holder = conflict.holder
    if holder is not None and not roles.is_party_person:
        if holder.pk == user.pk:
            roles.holds = True
        elif organisation.acting_for(user, holder):
            roles.holds, roles.holds_for = True, holder
    cache[user.pk] = roles
    return roles


PAGE_RELATED = ("raised_by", "mediator", "arbiter", "proposal_by", "decided_by", "decided_for", "task", "team")


def conflict_for_page(user: User, pk: int) -> Conflict:
    """One conflict the user may see, with everything its page shows; raises Conflict.DoesNotExist."""
    return (
        Conflict.objects.visible_to(user)
        .select_related(*PAGE_RELATED, "task__requester", "task__target_department")
        .prefetch_related(
            Prefetch(
                "parties",
                queryset=ConflictParty.objects.select_related("department", "department__head", "agreed_by"),
            ),
            Prefetch("positions", queryset=Position.objects.select_related("department", "author", "acting_for")),
            Prefetch("logs", queryset=ActionLog.objects.select_related("actor", "acting_for").order_by("pk")),
        )
        .get(pk=pk)
    )


def timeline(conflict: Conflict) -> list[dict]:
    """The conflict's action log (prefetched by conflict_for_page) with the words its page shows:
    the department a step spoke for (a party: already read with the parties) and the levels."""
    departments = {party.department_id: party.department for party in conflict.parties.all()}
    logs = list(conflict.logs.all())
    if any(log.data.get("department", None) not in departments for log in logs if "department" in log.data):
        departments = {**departments_by_id(), **departments}
    states = dict(Conflict.State.choices)
    return [
        {
            "log": log,
            "department": departments.get(log.data.get("department")),
            "from": states.get(log.from_state, log.from_state),
            "to": states.get(log.to_state, log.to_state),
        }
        for log in logs
    ]


def conflict_list(user: User, scope: str = "mine") -> QuerySet[Conflict]:
    """Conflicts for the list: "mine" (raised by me, my parties, held by me) or "all" I may see."""
    conflicts = Conflict.objects.visible_to(user)
    if scope == "mine":
        managed = acting_manager_department_ids(user)
        people = [user.pk, *delegators_of(user)]
        member_of = Membership.objects.filter(user=user).values("department_id")
        party = ConflictParty.objects.filter(
            Q(department_id__in=managed) | Q(department_id__in=member_of), conflict_id=OuterRef("pk")
        )
        conflicts = conflicts.filter(Q(raised_by=user) | Q(mediator__in=people) | Q(arbiter__in=people) | Exists(party))
    return conflicts.select_related("task", "team", "mediator", "arbiter", "raised_by").prefetch_related(
        Prefetch("parties", queryset=ConflictParty.objects.select_related("department"))
    )


MAX_SEARCH_WORDS = 5


def search_settled(user: User, query: str) -> QuerySet[Conflict]:
    """Resolved conflicts the user may see whose subject, positions, settlement or decision contain
    every word of the query (words separated by spaces; a plain substring match, which suits Chinese)."""
    conflicts = Conflict.objects.visible_to(user).filter(state=Conflict.State.RESOLVED)
    for word in query.split()[:MAX_SEARCH_WORDS]:
        in_positions = Position.objects.filter(conflict_id=OuterRef("pk"), text__icontains=word)
        conflicts = conflicts.filter(
            Q(subject__icontains=word)
            | Q(decision__icontains=word)
            | Q(proposal__icontains=word)
            | Exists(in_positions)
        )
    return (
        conflicts.select_related("task", "team", "decided_by")
        .prefetch_related(Prefetch("parties", queryset=ConflictParty.objects.select_related("department")))
        .order_by("-closed_at", "-pk")
    )


def conflicts_of(user: User, *, task: Task | None = None, team=None, team_visible: bool = False) -> list[Conflict]:
    """The conflicts about a request or a team that the user may see, open ones first, the latest
    ten (`team_visible`: the caller knows the user sees the team, hence all its conflicts)."""
    from tasks.rules import can_view
    from tasks.selectors import may_have

    if task is not None and not may_have(task, "conflicts"):
        return []
    # Whoever sees the request sees the conflicts about it; the general rule is for the rest.
    seen = (team is not None and team_visible) or (task is not None and can_view(user, task))
    conflicts = Conflict.objects.all() if seen else Conflict.objects.visible_to(user)
    about = Q(task=task) if task is not None else Q(team=team)
    still_open = Case(When(state__in=Conflict.OPEN_STATES, then=Value(0)), default=Value(1))
    return list(
        conflicts.filter(about)
        .order_by(still_open, "-raised_at", "-pk")
        .prefetch_related(Prefetch("parties", queryset=ConflictParty.objects.select_related("department")))[:10]
    )
