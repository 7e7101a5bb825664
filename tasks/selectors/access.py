"""Who may see which request: a person's roles, visibility filters, the page's request."""

from collections.abc import Callable
from functools import reduce
from operator import or_

from django.contrib.contenttypes.models import ContentType
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from core.lookups import AnyOf
from core.models import GeneratedFile
from core.request_cache import per_request
from departments.models import Department, Membership, User
from departments.selectors import departments_by_id, person_roles
from tasks.models import Approval, Attachment, Comment, HoldPeriod, Task

# The person's roles are the organisation's facts: departments reads them (one query).
_roles = person_roles


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
    if not user.is_authenticated or not user.is_active:
        return Q(pk__in=[])
    # Every list, page, search and export reads this rule: a draft shows to its requester only.
    # ANDed on the whole rule rather than in each part, so that the parts' OR stays one that
    # PostgreSQL answers from indexes.
    not_a_draft = ~Q(state=Task.State.DRAFT) | Q(requester_id=user.pk)
    if user.is_superuser:
        return not_a_draft
    managed, others, people = seen_through(user)
    visible = reduce(or_, _people_parts(user, people))
    if managed:
        visible |= reduce(or_, _department_parts(managed))
    if others:
        visible |= Q(confidential=False) & reduce(or_, _department_parts(others))
    return visible & not_a_draft


def visible_task_ids(user: User, **bounds) -> QuerySet:
    """The primary keys of the requests visible_tasks_filter lets `user` see (`bounds`: lookups on
    `pk` for every part, e.g. pk__lte=…), as a UNION ALL of one query per part of the rule, so a
    key may come more than once.

    The rule as one OR is read through a bitmap of its parts' index scans, which then reads every
    row it found in the table; each part on its own is an index-only scan where an index holds the
    columns the part tests (a department's requests: tasks_task_report_pairs and
    tasks_task_target_seen). Drafts are the requester's alone: every part excludes them, and
    the requester's own requests, drafts included, are a part of their own."""
    if not user.is_authenticated or not user.is_active:
        return Task.objects.none().values("pk")
    if user.is_superuser:
        return Task.objects.filter(visible_tasks_filter(user), **bounds).values("pk").order_by()
    managed, others, people = seen_through(user)
    parts = list(_people_parts(user, people))
    if managed:
        parts += _department_parts(managed)
    if others:
        parts += [Q(confidential=False) & part for part in _department_parts(others)]
    draft = Q(state=Task.State.DRAFT)
    queries = [Task.objects.filter(part & ~draft, **bounds).values("pk").order_by() for part in parts]
    queries.append(Task.objects.filter(requester_id=user.pk, **bounds).values("pk").order_by())
    return queries[0].union(*queries[1:], all=True)


def departments_seen_count(user: User) -> int:
    """How many departments' requests visible_tasks_filter shows `user` as their manager, member
    or overseer (0 for an admin, who sees every request by another rule)."""
    if not user.is_authenticated or not user.is_active or user.is_superuser:
        return 0
    managed, ordinary = _departments_seen(user)
    return len(managed | ordinary)


def seen_through(user: User) -> tuple[list[int], list[int], list[int]]:
    """The departments whose every request `user` sees, those whose ordinary ones they see, and
    the people whose requests they see as involved (themselves and whom they act for today): the
    roles visible_tasks_filter reads for someone who is not an admin, and what the organisation
    report's snapshot per viewer keys on to notice when they change."""
    managed, ordinary = _departments_seen(user)
    return sorted(managed), sorted(ordinary - managed), approvers_for(user)


def _people_parts(user: User, people: list[int]) -> list:
    # Each part is a column test or `pk = ANY(ARRAY(subquery))`, never a join or a correlated
    # EXISTS, so that PostgreSQL answers the OR from indexes (see AnyOf).
    return [
        Q(requester_id__in=people),
        Q(assignee_id__in=people),
        AnyOf(
            "pk",
            Task.objects.filter(Q(parent__assignee_id__in=people) | Q(parent__requester_id__in=people))
            .values("pk")
            .order_by(),
        ),
        AnyOf("pk", Task.watchers.through.objects.filter(user_id=user.pk).values("task_id")),
        AnyOf("pk", Approval.objects.filter(approver_id__in=people).values("task_id").order_by()),
    ]


def _department_parts(ids: list[int]) -> list:
    return [
        Q(requesting_department_id__in=ids),
        Q(target_department_id__in=ids),
        AnyOf(
            "pk",
            Task.objects.filter(parent__isnull=False, parent__target_department_id__in=ids).values("pk").order_by(),
        ),
        AnyOf("pk", Task.co_departments.through.objects.filter(department_id__in=ids).values("task_id")),
    ]


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
    lists = _page_lists()
    found = list(
        Task.objects.select_related("request_type", "requester", "assignee")
        .annotate(**{f"has_{name}": Exists(rows) for name, rows in lists.items()})
        .filter(number=number)
    )
    if not found:
        raise Task.DoesNotExist
    task = found[0]
    # The names of the lists read above; building their querysets again just to name them costs
    # as much as a query's preparation.
    task.present = {name: getattr(task, f"has_{name}") for name in lists}
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


def with_departments(tasks: list[Task]) -> list[Task]:
    """Give each request its requesting and handling departments from the page's cache."""
    departments = departments_by_id()
    for task in tasks:
        task.requesting_department = departments[task.requesting_department_id]
        task.target_department = departments[task.target_department_id]
    return tasks
