"""Read queries for request pages, with their joins: visibility, lists, the
inbox with workload, the approval route and the dashboard."""

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta

from django.contrib.contenttypes.models import ContentType
from django.core.paginator import Page, Paginator
from django.db import connection
from django.db.models import (
    Case,
    Count,
    Exists,
    F,
    FilteredRelation,
    FloatField,
    OuterRef,
    Q,
    QuerySet,
    Sum,
    Value,
    When,
    Window,
)
from django.db.models.functions import Cast, Coalesce
from django.utils import timezone

from core.lookups import AnyOf
from core.models import GeneratedFile
from core.request_cache import per_request
from departments.models import Delegation, Department, Membership, Skill, User, pick_language
from departments.selectors import departments_by_id, working_calendar
from tasks.models import (
    DEFAULT_ESTIMATE_HOURS,
    PRIORITY_WEIGHT,
    Approval,
    ApprovalStep,
    Attachment,
    Comment,
    HoldPeriod,
    RequestField,
    RequestType,
    Task,
    TaskAction,
)

LIST_RELATED = ("request_type", "requester", "requesting_department", "target_department", "assignee")


def _roles_sql() -> str:
    membership, department = Membership._meta.db_table, Department._meta.db_table
    deputies, delegation = Department.deputies.through._meta.db_table, Delegation._meta.db_table
    # Table names from the models; every value is a parameter.
    return (
        f"SELECT department_id, 'member' FROM {membership} WHERE user_id = %(user)s"  # noqa: S608  # nosec B608
        f" UNION ALL SELECT department_id, 'manager' FROM {membership} WHERE user_id = %(user)s AND role = %(role)s"
        f" UNION ALL SELECT id, 'manager' FROM {department} WHERE head_id = %(user)s"
        f" UNION ALL SELECT department_id, 'manager' FROM {deputies} WHERE user_id = %(user)s"
        f" UNION ALL SELECT delegator_id, 'delegator' FROM {delegation}"
        f" WHERE delegate_id = %(user)s AND is_active AND starts_on <= %(day)s AND ends_on >= %(day)s"
    )


@per_request
def _roles(user: User, day) -> dict[str, set[int]]:
    """Where the person stands, in one query of five index lookups (UNION ALL): the departments
    they belong to and those they head, deputise for or manage, and whom they act for on `day`.
    Nearly every page asks all of these; one round trip answers them. Written as one SQL statement
    because five lookups of different tables in one round trip is a UNION ALL of unrelated rows
    (tests/tasks/test_roles.py holds it to the same lookups made through the ORM)."""
    found: dict[str, set[int]] = {"member": set(), "manager": set(), "delegator": set()}
    with connection.cursor() as cursor:
        cursor.execute(_roles_sql(), {"user": user.pk, "role": Membership.Role.MANAGER.value, "day": day})
        for value, kind in cursor.fetchall():
            found[kind].add(value)
    return found


def department_ids(user: User) -> list[int]:
    return sorted(_roles(user, timezone.localdate())["member"])


def managed_department_ids(user: User) -> list[int]:
    """Departments whose head or deputy `user` is, or where they have the manager role."""
    return sorted(_roles(user, timezone.localdate())["manager"])


def approvers_for(user: User) -> list[int]:
    """Whose approvals `user` decides today: their own and those of the people they act for."""
    return [user.pk, *delegators_of(user)]


def delegators_of(user: User, day=None) -> list[int]:
    """People for whom `user` acts today through a delegation in force."""
    return sorted(_roles(user, day or timezone.localdate())["delegator"])


@per_request
def acting_manager_department_ids(user: User) -> list[int]:
    """Departments `user` manages, directly or as the delegate of one of their managers today."""
    ids = set(managed_department_ids(user))
    delegators = delegators_of(user)
    if delegators:
        ids |= set(
            Department.objects.filter(
                Q(head__in=delegators)
                | Q(deputies__in=delegators)
                | Q(memberships__user__in=delegators, memberships__role=Membership.Role.MANAGER)
            ).values_list("pk", flat=True)
        )
    return sorted(ids)


def visible_tasks_filter(user: User) -> Q:
    """Who sees a request (tasks/rules.py relies on this): the people involved, members of the
    departments involved; for a confidential one only the people involved and those departments'
    managers; admins everything. A draft (never submitted, or returned for revision) is its
    requester's alone, whoever would see it once submitted."""
    shape, values = visibility(user)
    return visible_q(shape, **values)


def visibility(user: User) -> tuple[tuple, dict]:
    """The visibility rule for `user` as which parts apply and the ids filling them."""
    if not user.is_authenticated or not user.is_active:
        return ("nobody",), {}
    if user.is_superuser:
        return ("everyone",), {"user": user.pk}
    managed, ordinary = _departments_seen(user)
    others = ordinary - managed
    values = {"user": user.pk, "approvers": approvers_for(user)}
    if managed:
        values["managed"] = sorted(managed)
    if others:
        values["ordinary"] = sorted(others)
    return ("involved", bool(managed), bool(others)), values


def visible_q(shape: tuple, *, user=None, approvers=None, managed=None, ordinary=None) -> Q:
    if shape[0] == "nobody":
        return Q(pk__in=[])
    # Every list, page, search and export reads this rule: a draft shows to its requester only.
    # ANDed on the whole rule rather than in each part, so that the parts' OR stays one that
    # PostgreSQL answers from indexes.
    not_a_draft = ~Q(state=Task.State.DRAFT) | Q(requester_id=user)
    if shape[0] == "everyone":
        return not_a_draft
    # Each part is a column test or `pk = ANY(ARRAY(subquery))`, never a join or a correlated
    # EXISTS, so that PostgreSQL answers the OR from indexes (see AnyOf).
    visible = (
        Q(requester_id=user)
        | Q(assignee_id=user)
        | AnyOf(
            "pk",
            Task.objects.filter(Q(parent__assignee_id=user) | Q(parent__requester_id=user)).values("pk").order_by(),
        )
        | AnyOf("pk", Task.watchers.through.objects.filter(user_id=user).values("task_id"))
        | AnyOf("pk", Approval.objects.filter(approver_id__in=approvers).values("task_id").order_by())
    )

    def departments_involved(ids: list[int]) -> Q:
        return (
            Q(requesting_department_id__in=ids)
            | Q(target_department_id__in=ids)
            | AnyOf(
                "pk",
                Task.objects.filter(parent__isnull=False, parent__target_department_id__in=ids).values("pk").order_by(),
            )
            | AnyOf("pk", Task.co_departments.through.objects.filter(department_id__in=ids).values("task_id"))
        )

    _kind, has_managed, has_ordinary = shape
    if has_managed:
        visible |= departments_involved(managed)
    if has_ordinary:
        visible |= Q(confidential=False) & departments_involved(ordinary)
    return visible & not_a_draft


def _departments_seen(user: User) -> tuple[set[int], set[int]]:
    """Whose requests a user sees by department: every request of the departments they manage (or
    act for); the ordinary ones of the departments they belong to and of those under the ones they
    manage (the general manager sees the whole organisation's ordinary requests)."""
    managed = acting_manager_department_ids(user)
    return set(managed), set(department_ids(user)) | set(departments_below(managed))


def departments_below(ids: list[int]) -> list[int]:
    """The departments under these ones in the tree, at any depth (one query, none if `ids` is empty)."""
    if not ids:
        return []
    children: dict[int | None, list[int]] = {}
    for pk, department in departments_by_id().items():
        children.setdefault(department.parent_id, []).append(pk)
    found, stack = set(), list(ids)
    while stack:
        for child in children.get(stack.pop(), []):
            if child not in found:
                found.add(child)
                stack.append(child)
    return sorted(found - set(ids))


def task_for_page(user: User, number: str) -> Task:
    """One request the user may see; raises Task.DoesNotExist otherwise (the view answers 404).

    Two queries on purpose: the row with its joins, then whether the user may see it. One query
    holding both makes PostgreSQL plan the visibility rule against every join order, which costs
    more than the second round trip."""
    found = list(
        Task.objects.select_related("request_type", "requester", "assignee")
        .annotate(**{f"has_{name}": Exists(rows) for name, rows in _page_lists().items()})
        .filter(number=number)
    )
    if not found:
        raise Task.DoesNotExist
    task = found[0]
    task.present = {name: getattr(task, f"has_{name}") for name in _page_lists()}
    if not plainly_visible(user, task) and not Task.objects.visible_to(user).filter(pk=task.pk).exists():
        raise Task.DoesNotExist
    # The departments from the page's cache rather than four more joins (see departments_by_id).
    with_departments([task])
    departments = departments_by_id()
    task.request_type.department = departments[task.request_type.department_id]
    if task.waiting_on_id:
        task.waiting_on = departments[task.waiting_on_id]
    task._visible_to = user.pk  # rules.can_view need not ask again while this page is built
    return task


# Lists about a request that apps above this one keep (its conflicts, the received document it
# came from). They add them in their AppConfig.ready() with add_page_list, so the request page
# learns whether each has rows in its one query without this app importing them.
OTHER_PAGE_LISTS: dict[str, Callable[[OuterRef], QuerySet]] = {}


def add_page_list(name: str, rows: Callable[[OuterRef], QuerySet]) -> None:
    """Have task_for_page read whether the request has any of `rows(request)` (an OuterRef to it);
    whoever shows the list asks `may_have(task, name)` before reading it."""
    OTHER_PAGE_LISTS[name] = rows


def _page_lists() -> dict[str, QuerySet]:
    """What the request page lists besides the request, each as the rows of one request (OuterRef).
    task_for_page reads whether each has any rows with the request: most requests have no
    sub-tasks, CCs, files, holds, conflicts or documents, and a query for each empty list would
    be most of the page's round trips."""
    this = OuterRef("pk")
    return {
        "approvals": Approval.objects.filter(task=this, round=OuterRef("approval_round")),
        "subtasks": Task.objects.filter(parent=this),
        "co_departments": Task.co_departments.through.objects.filter(task=this),
        "watchers": Task.watchers.through.objects.filter(task=this),
        "comments": Comment.objects.filter(task=this),
        "attachments": Attachment.objects.filter(task=this),
        "holds": HoldPeriod.objects.filter(task=this),
        "request_form": GeneratedFile.objects.filter(
            content_type=ContentType.objects.get_for_model(Task), object_id=this, kind="request_form"
        ),
        **{name: rows(this) for name, rows in OTHER_PAGE_LISTS.items()},
    }


def may_have(task: Task, name: str) -> bool:
    """Whether the request may have rows in list `name` (one of _page_lists'): False only when
    task_for_page read that it has none; True for a request read any other way."""
    return getattr(task, "present", {}).get(name, True)


def plainly_visible(user: User, task: Task) -> bool:
    """The common ways of seeing a request (visible_tasks_filter), decided from the row and the
    user's roles, which the page reads anyway. True only where the rule says so; False means "ask
    the database", which knows the rest (watchers, approvers, co-handling, lead requests)."""
    if not user.is_authenticated or not user.is_active:
        return False
    if task.state == Task.State.DRAFT:
        return user.pk == task.requester_id
    if user.is_superuser or user.pk in (task.requester_id, task.assignee_id):
        return True
    concerned = {task.requesting_department_id, task.target_department_id}
    managed, ordinary = _departments_seen(user)
    return bool(concerned & managed) or (not task.confidential and bool(concerned & ordinary))


def page_of(tasks: QuerySet[Task], number, size: int):
    """One page of a list of requests, newest first, read in two steps: the page's ids from the
    filtered rows alone, then those rows with what the list shows (the same reason as task_for_page)."""
    page = Paginator(tasks.order_by("-created_at", "-pk").values_list("pk", flat=True), size).get_page(number)
    page.object_list = rows_of(list(page.object_list))
    return page


def newest_page_of(tasks: QuerySet[Task], number, size: int):
    """A page of the list newest first, as page_of gives it, for a list narrowed by filters: the
    count and the page's ids come from one pass over the matching rows (a window count) rather
    than two. Counting the requests someone sees visits most of the table's pages whatever the
    filter, and so did finding a filtered page (the newest-first index cannot stop early when few
    rows match); an unfiltered list's page comes off that index at once, so page_of suits it better."""
    try:
        wanted = int(number)
    except (TypeError, ValueError):
        wanted = 1  # as Paginator.get_page: not a number, the first page
    if wanted < 1:
        return page_of(tasks, number, size)  # Paginator's own answer
    # NULLS LAST (the columns hold no NULL, so the order is the same) keeps PostgreSQL from
    # walking the newest-first index row by row: the count needs every matching row anyway, and
    # finding them through the filters' own indexes, then sorting the few that match, is cheaper.
    found = list(
        tasks.annotate(total=Window(Count("pk")))
        .order_by(F("created_at").desc(nulls_last=True), F("pk").desc(nulls_last=True))
        .values_list("total", "pk")[(wanted - 1) * size : wanted * size]
    )
    if not found:  # nothing matches, or a page past the last one: page_of answers both
        return page_of(tasks, number, size)
    paginator = Paginator(Task.objects.none(), size)
    paginator.count = found[0][0]  # what Paginator would have counted (a cached_property)
    return Page(rows_of([pk for _total, pk in found]), wanted, paginator)


LIST_FILTERS = ("q", "state", "department", "request_type", "priority", "overdue")


def filter_tasks(tasks: QuerySet[Task], filters: dict) -> QuerySet[Task]:
    """`tasks` narrowed by the filter form's cleaned values (tasks.forms.FilterForm; empty ones ignored)."""
    if filters.get("q"):
        tasks = tasks.filter(Q(number__icontains=filters["q"]) | Q(title__icontains=filters["q"]))
    if filters.get("state"):
        tasks = tasks.filter(state=filters["state"])
    if department := filters.get("department"):
        tasks = tasks.filter(Q(target_department=department) | Q(requesting_department=department))
    if filters.get("request_type"):
        tasks = tasks.filter(request_type=filters["request_type"])
    if filters.get("priority"):
        tasks = tasks.filter(priority=filters["priority"])
    if filters.get("overdue"):
        tasks = overdue(tasks)
    return tasks


def list_page(user: User, scope: str, filters: dict, number, size: int):
    """A page of one of the request lists ("mine", "assigned", "approvals", "all"), narrowed by the
    filter form's cleaned values (empty ones ignored), newest first, as page_of gives it."""
    if scope == "mine":
        tasks = _filed_by(user.pk)
    elif scope == "assigned":
        tasks = _assigned(user.pk)
    elif scope == "approvals":
        tasks = _to_approve(user.pk, approvers_for(user))
    else:
        tasks = Task.objects.filter(visible_tasks_filter(user))
    narrowed = any(filters.get(name) for name in LIST_FILTERS)
    return (newest_page_of if narrowed else page_of)(filter_tasks(tasks, filters), number, size)


def rows_of(ids: list[int], *prefetch: str) -> list[Task]:
    """The requests `ids`, in that order, with what a list row shows: the columns it shows only
    (a request and its three joins have over eighty; Django and psycopg convert every one read)."""
    if not ids:
        return []
    rows = Task.objects.filter(pk__in=ids).select_related("request_type", "requester", "assignee")
    found = {task.pk: task for task in rows.only(*ROW_COLUMNS).prefetch_related(*prefetch)}
    return with_departments([found[pk] for pk in ids if pk in found])


def with_departments(tasks: list[Task]) -> list[Task]:
    """Give each request its requesting and handling departments from the page's cache."""
    departments = departments_by_id()
    for task in tasks:
        task.requesting_department = departments[task.requesting_department_id]
        task.target_department = departments[task.target_department_id]
    return tasks


# Lists


def tasks_for_list(user: User) -> QuerySet[Task]:
    return Task.objects.visible_to(user).select_related(*LIST_RELATED)


def my_requests(user: User) -> QuerySet[Task]:
    return _filed_by(user.pk).select_related(*LIST_RELATED)


def assigned_to(user: User) -> QuerySet[Task]:
    return _assigned(user.pk).select_related(*LIST_RELATED)


# The lists' rules by ids (the home page's panels and the lists share them).


def _filed_by(user: int) -> QuerySet[Task]:
    return Task.objects.filter(requester_id=user, parent__isnull=True)


def _assigned(user: int) -> QuerySet[Task]:
    return Task.objects.filter(assignee_id=user)


def _waiting_in(departments: list[int]) -> QuerySet[Task]:
    return Task.objects.filter(state=Task.State.PENDING_ACCEPTANCE, target_department_id__in=departments)


def _to_approve(user: int, approvers: list[int]) -> QuerySet[Task]:
    return Task.objects.filter(Exists(_approvals_waiting(user, approvers).filter(task_id=OuterRef("pk"))))


def inbox_page(waiting: QuerySet[Task], size: int) -> tuple[list[Task], dict[int, int]]:
    """The inbox: the `size` most urgent of the requests `waiting` (list rows), and how many wait
    in each department."""
    ids = list(waiting.order_by("accept_due_at", "created_at").values_list("pk", flat=True)[:size])
    return rows_of(ids), dict(waiting.order_by().values_list("target_department").annotate(n=Count("pk")))


def inbox(user: User) -> QuerySet[Task]:
    """Requests waiting for acceptance by a department the user manages (or acts for)."""
    return _waiting_in(acting_manager_department_ids(user)).select_related(*LIST_RELATED)


def approvals_waiting_for(user: User) -> QuerySet[Approval]:
    """Pending approvals of the current step that the user may decide (own or delegated)."""
    return _approvals_waiting(user.pk, approvers_for(user)).select_related(
        "approver", *(f"task__{name}" for name in LIST_RELATED)
    )


def _approvals_waiting(user: int, approvers: list[int]) -> QuerySet[Approval]:
    return (
        Approval.objects.filter(
            decision=Approval.Decision.PENDING,
            task__state=Task.State.PENDING_APPROVAL,
            task__approval_step=F("step_order"),
            task__approval_round=F("round"),
            approver_id__in=approvers,
        )
        .exclude(task__requester_id=user)
        .order_by("created_at")
    )


def tasks_to_approve(user: User) -> QuerySet[Task]:
    return _to_approve(user.pk, approvers_for(user)).select_related(*LIST_RELATED)


def awaiting_verification(user: User) -> QuerySet[Task]:
    """Lead requests the user filed, and sub-tasks of requests the user handles, done and waiting for a check."""
    return _awaiting_verification(user.pk).select_related(*LIST_RELATED)


def _awaiting_verification(user: int) -> QuerySet[Task]:
    handled = Task.objects.filter(assignee_id=user).values("pk").order_by()
    return Task.objects.filter(
        Q(requester_id=user, parent__isnull=True) | AnyOf("parent_id", handled),
        state=Task.State.PENDING_VERIFICATION,
    )


def overdue(qs: QuerySet[Task]) -> QuerySet[Task]:
    return _overdue(qs, timezone.now())


def _overdue(qs: QuerySet[Task], now) -> QuerySet[Task]:
    return qs.filter(state__in=["pending_acceptance", "in_progress", "pending_verification"], due_at__lt=now)


NAME_COLUMNS = ("username", "display_name", "first_name", "last_name")  # what User.name reads
PANEL_COLUMNS = (
    "number",
    "title",
    "state",
    "submitted_at",
    "due_at",
    "target_department__name",
    "target_department__name_en",
)
APPROVAL_PANEL_COLUMNS = (
    *(f"approver__{column}" for column in NAME_COLUMNS),
    *(f"task__requester__{column}" for column in NAME_COLUMNS),
    "task__number",
    "task__title",
    "task__state",  # django-fsm reads a protected state when the instance is made
    "task__requesting_department__name",
    "task__requesting_department__name_en",
)


# What a list row (task_tags.task_rows, inbox_rows) shows, and what the request model itself reads
# when a row is made: django-fsm the state, Task.__init__ nothing else.
ROW_COLUMNS = (
    "number",
    "title",
    "state",
    "submitted_at",  # a draft sent once is shown as returned
    "priority",
    "estimate_hours",  # the inbox spreads its suggestions by the load each request adds
    "due_at",
    "accept_due_at",
    "confidential",
    "request_type_id",
    "requesting_department_id",
    "target_department_id",
    "requester_id",
    "assignee_id",
    "request_type__name",
    "request_type__name_en",
    *(f"requester__{column}" for column in NAME_COLUMNS),
    *(f"assignee__{column}" for column in NAME_COLUMNS),
)


def _home_panel(panel: str, *, user=None, now=None, week_end=None, departments=None) -> QuerySet[Task]:
    """One of the home page's request panels. Each shows a request's number, title, state and department, so it joins only that department:
    every join costs PostgreSQL planning time."""
    # The requester and the assignee always see a request: no visibility filter needed.
    involved = Task.objects.filter(Q(requester_id=user) | Q(assignee_id=user))
    if panel == "to_accept":
        tasks, order = _waiting_in(departments), ("accept_due_at", "created_at")
    elif panel == "to_verify":
        tasks, order = _awaiting_verification(user), ("done_at",)
    elif panel == "my_open":
        tasks, order = _filed_by(user).filter(state__in=Task.OPEN_STATES), ("-created_at",)
    elif panel == "assigned":
        tasks, order = _assigned(user).filter(state__in=Task.WORK_STATES), ("due_at",)
    elif panel == "due_this_week":
        tasks = involved.filter(state__in=Task.WORK_STATES, due_at__gte=now, due_at__lt=week_end)
        order = ("due_at",)
    else:
        tasks, order = _overdue(involved, now), ("due_at",)
    # Only the columns a panel shows: Django converts every selected column of every row.
    return tasks.select_related("target_department").only(*PANEL_COLUMNS).order_by(*order)[:10]


def _approvals_panel(*, user: int, approvers: list[int]) -> QuerySet[Approval]:
    return (
        _approvals_waiting(user, approvers)
        .select_related("approver", "task__requester", "task__requesting_department")
        .only(*APPROVAL_PANEL_COLUMNS)[:10]
    )


def dashboard(user: User) -> dict:
    """Everything the home page shows, in a fixed number of queries."""
    now = timezone.now()
    managed = acting_manager_department_ids(user)
    panels = {
        "to_approve": list(_approvals_panel(user=user.pk, approvers=approvers_for(user))),
        # Most people manage nothing: no query for a panel that cannot have rows.
        "to_accept": list(_home_panel("to_accept", departments=managed)) if managed else [],
    }
    for panel in ("to_verify", "my_open", "assigned"):
        panels[panel] = list(_home_panel(panel, user=user.pk))
    panels["due_this_week"] = list(
        _home_panel("due_this_week", user=user.pk, now=now, week_end=now + timedelta(days=7))
    )
    panels["overdue"] = list(_home_panel("overdue", user=user.pk, now=now))
    return panels


# Workload and dispatch


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
        mark_suggestion(candidates, {skill.pk for skill in request_type.skills.all()})
    return candidates


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


def mark_suggestion(candidates: list[Candidate], wanted_skill_ids: set[int]) -> Candidate | None:
    """Mark and return the least loaded candidate, preferring staff to managers and, among
    them, those with a wanted skill."""
    for candidate in candidates:
        candidate.suggested = False
    pool = _suggestion_pool(candidates, wanted_skill_ids)
    if not pool:
        return None
    best = min(pool, key=lambda c: (c.load_hours, c.open_count, c.user.username))
    best.suggested = True
    return best


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


# The approval route


@dataclass
class RouteStep:
    order: int
    name: str
    mode: str
    approvers: list[User]
    note: str = ""
    name_en: str = ""

    @property
    def display_name(self) -> str:
        return pick_language(self.name, self.name_en)


def _head_or_parent_head(department: Department | None, requester: User) -> User | None:
    """The department's head; when that is the requester, the head above."""
    seen = set()
    while department is not None and department.pk not in seen:
        seen.add(department.pk)
        if department.head_id and department.head_id != requester.pk and department.head.is_active:
            return department.head
        department = department.parent
    return None


def approval_route(
    request_type: RequestType, requester: User, requesting_department: Department, values: dict
) -> list[RouteStep]:
    """The steps a request would go through, with their approvers, leaving out steps whose
    condition does not hold. The requester never approves their own request."""
    steps = (
        ApprovalStep.objects.filter(request_type=request_type)
        .select_related("department__head", "request_type__department__head")
        .prefetch_related("users")
        .order_by("order", "pk")
    )
    requesting = (
        Department.objects.select_related("head", "parent__head", "parent__parent__head")
        .filter(pk=requesting_department.pk)
        .first()
    )
    route: list[RouteStep] = []
    for step in steps:
        if not step.applies_to(values):
            continue
        kind = step.approver
        if kind == ApprovalStep.Approver.REQUESTER_MANAGER:
            people = [_head_or_parent_head(requesting, requester)]
        elif kind == ApprovalStep.Approver.REQUESTER_PARENT_HEAD:
            people = [_head_or_parent_head(requesting.parent if requesting else None, requester)]
        elif kind == ApprovalStep.Approver.TARGET_MANAGER:
            people = [_head_or_parent_head(request_type.department, requester)]
        elif kind == ApprovalStep.Approver.DEPARTMENT_HEAD:
            people = [_head_or_parent_head(step.department, requester)]
        else:
            people = [person for person in step.users.all() if person.is_active and person.pk != requester.pk]
        approvers = []
        for person in people:
            if person is not None and person not in approvers:
                approvers.append(person)
        if approvers:
            route.append(
                RouteStep(
                    order=len(route) + 1, name=str(step), name_en=step.name_en, mode=step.mode, approvers=approvers
                )
            )
    return route


def filing_type(code: str) -> RequestType | None:
    """The active request type `code` with its department and fields (the filing page), or None."""
    return (
        RequestType.objects.select_related("department")
        .prefetch_related("fields")
        .filter(code=code, is_active=True)
        .first()
    )


def expected_finish(request_type: RequestType, start=None, *, approval_steps: int = 0):
    """When a request of this type filed now would be finished if every promised time were kept:
    each approval step's time (the type's time to accept, as services._approval_due gives each
    step), then accepting and finishing, in working hours."""
    calendar = working_calendar()
    start = start or timezone.now()
    hours = request_type.accept_sla_hours * approval_steps + request_type.accept_sla_hours
    return calendar.add_working_hours(start, float(hours + request_type.finish_sla_hours))


def request_types_by_department(query: str = "") -> list[tuple[Department, list[RequestType]]]:
    if "\x00" in query:  # no stored text holds a NUL (PostgreSQL refuses one): nothing matches
        return []
    types = RequestType.objects.filter(is_active=True, department__is_active=True).select_related("department")
    if query:
        types = types.filter(
            Q(name__icontains=query)
            | Q(name_en__icontains=query)
            | Q(purpose__icontains=query)
            | Q(department__name__icontains=query)
            | Q(department__name_en__icontains=query)
        )
    grouped: dict[int, tuple[Department, list[RequestType]]] = {}
    for request_type in types.order_by("department__sort_order", "department__code", "sort_order", "code"):
        grouped.setdefault(request_type.department_id, (request_type.department, []))[1].append(request_type)
    return list(grouped.values())


def timeline(task: Task) -> list[dict]:
    """Transitions, progress, comments and files of a request merged in time order (up to three
    queries: none for comments or files that task_for_page found there are none of). An entry of
    the action log carries the department it names, if any."""

    def of(kind: str, label: str) -> list[dict]:
        rows = list(_timeline(kind, task=task.pk))
        for row in rows:  # as task.logs etc. would give them: their request is this one, not read again
            type(row).task.field.set_cached_value(row, task)
        return [{"kind": label, "at": row.created_at, "obj": row} for row in rows]

    logs = list(task.logs.select_related("actor", "acting_for"))
    # A transfer, a hold or a co-handling sub-request names a department: the page's cache of
    # them (departments_by_id) knows its name.
    departments = departments_by_id() if any("department" in log.data for log in logs) else {}
    # An accept or a reassignment names the assignee by id (older rows do not): most often the
    # request's assignee or someone who acted on it, already at hand; the others in one query.
    people = {user.pk: user for user in (task.assignee, *(log.actor for log in logs)) if user}
    named = {log.data["assignee"] for log in logs if isinstance(log.data.get("assignee"), int)}
    if named - people.keys():
        people |= User.objects.only(*NAME_COLUMNS).in_bulk(named - people.keys())
    items = [
        {
            "kind": "log",
            "at": log.created_at,
            "obj": log,
            "department": departments.get(log.data.get("department")),
            "assignee": people.get(log.data.get("assignee")),
        }
        for log in logs
    ]
    if may_have(task, "comments"):
        items += of("comments", "comment")
    if may_have(task, "attachments"):
        items += of("attachments", "file")
    items.sort(key=lambda item: item["at"])
    return items


def latest_return(timeline: list[dict]):
    """The action log entry of the latest return for revision in a request's timeline, if any:
    its reason and the approver's opinion head the returned draft's page."""
    return next(
        (
            item["obj"]
            for item in reversed(timeline)
            if item["kind"] == "log" and item["obj"].action == TaskAction.RETURNED
        ),
        None,
    )


def _timeline(kind: str, *, task: int) -> QuerySet:
    if kind == "comments":
        return Comment.objects.filter(task_id=task).select_related("author")
    return Attachment.objects.filter(task_id=task).select_related("uploaded_by")


def fields_of(request_type: RequestType) -> list:
    """The extra fields of a request type, in order (RequestField.Meta.ordering)."""
    return list(RequestField.objects.filter(request_type=request_type))
