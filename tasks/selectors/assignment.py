"""Workload of handlers and assignee suggestions."""

from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Case, Count, Exists, FilteredRelation, FloatField, OuterRef, Q, QuerySet, Sum, Value, When
from django.db.models.functions import Cast, Coalesce

from departments.models import Department, Membership, Skill, User
from tasks.models import DEFAULT_ESTIMATE_HOURS, PRIORITY_WEIGHT, RequestType, Task
from tasks.selectors.lists import NAME_COLUMNS


@dataclass
class Candidate:
    user: User
    open_count: int
    load_hours: float
    skills: list = field(default_factory=list)
    matches: bool = False
    suggested: bool = False
    is_manager: bool = False
    skill_ids: set[int] = field(init=False)

    def __post_init__(self):
        self.skill_ids = {skill.pk for skill in self.skills}


def workload(department: Department, request_type: RequestType | None = None) -> list[Candidate]:
    """Members of `department` with their open work (count and priority-weighted estimated hours)
    and skills; the least loaded among those with a skill the type needs is suggested. Two queries
    (three with a request type whose skills are not prefetched)."""
    people = list(_workload(department=department.pk))
    skills = skills_of(User.skills.through, "user", [person.pk for person in people])
    candidates = [
        Candidate(
            user=person,
            open_count=person.open_count,
            load_hours=round(person.load_hours, 1),
            skills=skills.get(person.pk, []),
            is_manager=person.is_manager,
        )
        for person in people
    ]
    if request_type is not None:
        # The least loaded is suggested, preferring staff to managers and, among them, those with a
        # skill the type needs.
        pool = _suggestion_pool(candidates, {skill.pk for skill in request_type.skills.all()})
        if pool:
            min(pool, key=lambda c: (c.load_hours, c.open_count, c.user.username)).suggested = True
    return candidates


def auto_assignee(request_type: RequestType, department: Department, *, exclude: int | None = None) -> User | None:
    """Whom the type's automatic assignment picks now for a request of it reaching `department`
    (a request being dispatched: `exclude`, its pk), or None when the type is assigned by hand or
    the department has nobody. Least loaded: the workload's suggestion. Round-robin: the member
    after the last one given a request of the type, in login order. Three or four queries."""
    if request_type.auto_assign == RequestType.AutoAssign.NONE:
        return None
    candidates = workload(department, request_type)
    if not candidates:
        return None
    if request_type.auto_assign == RequestType.AutoAssign.LEAST_LOADED:
        return next(c.user for c in candidates if c.suggested)
    ordered = [c.user for c in candidates]  # round-robin in username order
    last = (
        Task.objects.filter(request_type=request_type, target_department=department, assignee__isnull=False)
        .exclude(pk=exclude)
        .order_by("-accepted_at", "-pk")
        .values_list("assignee_id", flat=True)
        .first()
    )
    ids = [u.pk for u in ordered]
    if last in ids:
        return ordered[(ids.index(last) + 1) % len(ordered)]
    return ordered[0]


def _workload(*, department: int) -> QuerySet[User]:
    weight = Case(
        *(When(open_work__priority=priority, then=Value(w)) for priority, w in PRIORITY_WEIGHT.items()),
        default=Value(1.0),
        output_field=FloatField(),
    )
    hours = Coalesce(Cast("open_work__estimate_hours", FloatField()), Value(float(DEFAULT_ESTIMATE_HOURS)))
    return (
        User.objects.filter(memberships__department_id=department, is_active=True)
        # What candidates show and what assigning one notifies them with: a department can have a
        # hundred members, and every other column is converted for each of them.
        .only(*NAME_COLUMNS, "is_active", "email", "language")
        # The open work joined alone (the state test in the join, not a FILTER over everything a
        # person was ever assigned), so PostgreSQL reads it from the partial index tasks_task_assignee_open.
        .annotate(open_work=FilteredRelation("assigned_tasks", condition=Q(assigned_tasks__state__in=Task.WORK_STATES)))
        .annotate(
            open_count=Count("open_work"),
            load_hours=Coalesce(Sum(hours * weight, filter=Q(open_work__pk__isnull=False)), Value(0.0)),
            is_manager=Exists(
                Membership.objects.filter(user=OuterRef("pk"), department_id=department, role=Membership.Role.MANAGER)
            ),
        )
        .order_by("username")
    )


def skills_of(link, owner: str, owner_ids) -> dict[int, list[Skill]]:
    """The skills of each owner (people through User.skills.through, request types through
    RequestType.skills.through), by name, in one read of the link table; each skill is one shared
    instance, where a prefetch would make one per owner."""
    if not owner_ids:
        return {}
    rows = (
        link.objects.filter(**{f"{owner}_id__in": owner_ids})
        .order_by("skill__name")
        .values_list(f"{owner}_id", "skill_id", "skill__name", "skill__name_en")
    )
    shared: dict[int, Skill] = {}
    found: dict[int, list[Skill]] = {}
    for owner_id, pk, name, name_en in rows:
        skill = shared.get(pk) or shared.setdefault(pk, Skill(pk=pk, name=name, name_en=name_en))
        found.setdefault(owner_id, []).append(skill)
    return found


def _suggestion_pool(candidates: list[Candidate], wanted_skill_ids: set[int]) -> list[Candidate]:
    """Who may be suggested: staff rather than managers and, among them, those with a wanted
    skill (each candidate's `matches` says whether they have one)."""
    for candidate in candidates:
        candidate.matches = bool(wanted_skill_ids & candidate.skill_ids)
    staff = [c for c in candidates if not c.is_manager] or candidates
    return [c for c in staff if c.matches] or staff


def task_load_hours(task: Task) -> float:
    """The weighted hours a request adds to its assignee's load (as _workload counts them)."""
    hours = float(task.estimate_hours if task.estimate_hours is not None else DEFAULT_ESTIMATE_HOURS)
    return hours * PRIORITY_WEIGHT.get(task.priority, 1.0)


def suggest_batch(
    candidates: list[Candidate], tasks: list[Task], wanted: dict[int, set[int]]
) -> list[Candidate | None]:
    """The suggested assignee of each of `tasks` in turn (most urgent first), `wanted` giving the
    skills each request type needs. Each suggestion counts as load added to that person for the
    rows after it, so a batch is spread by load instead of all going to the one least loaded
    person. The first row's suggestion is the one marked `suggested`: the department's suggestion
    now, which bulk assign defaults to and the workload table marks."""
    added: dict[int, float] = defaultdict(float)
    counted: dict[int, int] = defaultdict(int)
    picks: list[Candidate | None] = []
    for task in tasks:
        pool = _suggestion_pool(candidates, wanted.get(task.request_type_id, set()))
        if not pool:
            picks.append(None)
            continue
        best = min(
            pool,
            key=lambda c: (c.load_hours + added[c.user.pk], c.open_count + counted[c.user.pk], c.user.username),
        )
        added[best.user.pk] += task_load_hours(task)
        counted[best.user.pk] += 1
        picks.append(best)
    for candidate in candidates:
        candidate.suggested = False
    if picks and picks[0] is not None:
        _suggestion_pool(candidates, wanted.get(tasks[0].request_type_id, set()))  # `matches` of the first
        picks[0].suggested = True
    return picks
