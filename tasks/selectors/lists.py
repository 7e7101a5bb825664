"""Request lists: filters, paging, the inbox, approvals waiting, overdue."""

from django.core.paginator import Page, Paginator
from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet, Window
from django.utils import timezone

from core.lookups import AnyOf
from departments.models import User
from departments.selectors import NAME_COLUMNS as NAME_COLUMNS  # what User.name reads
from tasks.models import Approval, Task
from tasks.selectors.access import (
    acting_manager_department_ids,
    approvers_for,
    delegators_of,
    with_departments,
)

LIST_RELATED = ("request_type", "requester", "requesting_department", "target_department", "assignee")


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
    # The lists' querysets with their joins: the pages read only ids from them (values_list drops the joins).
    lists = {"mine": my_requests, "assigned": assigned_to, "approvals": tasks_to_approve}
    tasks = lists.get(scope, tasks_for_list)(user)
    narrowed = any(filters.get(name) for name in LIST_FILTERS)
    page = (newest_page_of if narrowed else page_of)(filter_tasks(tasks, filters), number, size)
    if scope in ("assigned", "approvals"):
        mark_acting_for(user, page.object_list, scope)
    return page


def mark_acting_for(user: User, tasks: list[Task], scope: str) -> None:
    """On each row the user has in the list because they act for its holder today, the holder
    (`task.acting_for`, shown as "for Y"): the assignee of an assigned request, the approver of an
    approval. No query when the user acts for nobody; one for a page of approvals otherwise."""
    holders = set(delegators_of(user))
    if not holders or not tasks:
        return
    if scope == "assigned":
        for task in tasks:
            if task.assignee_id in holders:
                task.acting_for = task.assignee
        return
    by_task = {task.pk: task for task in tasks}
    waiting = _approvals_waiting(user.pk, approvers_for(user)).filter(task_id__in=by_task).select_related("approver")
    holder_of: dict[int, User | None] = {}
    for approval in waiting:  # their own approval of a request wins over one they hold for another
        own = approval.approver_id == user.pk
        holder_of[approval.task_id] = None if own else holder_of.get(approval.task_id, approval.approver)
    for task_id, holder in holder_of.items():
        by_task[task_id].acting_for = holder


def rows_of(ids: list[int], *prefetch: str) -> list[Task]:
    """The requests `ids`, in that order, with what a list row shows: the columns it shows only
    (a request and its three joins have over eighty; Django and psycopg convert every one read)."""
    if not ids:
        return []
    rows = Task.objects.filter(pk__in=ids).select_related("request_type", "requester", "assignee")
    found = {task.pk: task for task in rows.only(*ROW_COLUMNS).prefetch_related(*prefetch)}
    return with_departments([found[pk] for pk in ids if pk in found])


# Lists


def tasks_for_list(user: User) -> QuerySet[Task]:
    return Task.objects.visible_to(user).select_related(*LIST_RELATED)


def my_requests(user: User) -> QuerySet[Task]:
    return _filed_by(user.pk).select_related(*LIST_RELATED)


def assigned_to(user: User) -> QuerySet[Task]:
    """Requests assigned to the user or to someone they act for today (the row says for whom)."""
    return _assigned(approvers_for(user)).select_related(*LIST_RELATED)


# The lists' rules by ids (the home page's panels and the lists share them).


def _filed_by(user: int) -> QuerySet[Task]:
    return Task.objects.filter(requester_id=user, parent__isnull=True)


def _assigned(people: int | list[int]) -> QuerySet[Task]:
    """Requests assigned to `people`: one person's id, or the ids of a person and those they act for."""
    return Task.objects.filter(assignee_id__in=people if isinstance(people, list) else [people])


def _waiting_in(departments: list[int]) -> QuerySet[Task]:
    return Task.objects.filter(state=Task.State.PENDING_ACCEPTANCE, target_department_id__in=departments)


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
    waiting = _approvals_waiting(user.pk, approvers_for(user)).filter(task_id=OuterRef("pk"))
    return Task.objects.filter(Exists(waiting)).select_related(*LIST_RELATED)


def _awaiting_verification(people: int | list[int]) -> QuerySet[Task]:
    """Lead requests `people` filed, and sub-tasks of requests they handle, done and waiting for a
    check (`people`: one person's id, or a person's and those of whom they act for)."""
    people = people if isinstance(people, list) else [people]
    handled = Task.objects.filter(assignee_id__in=people).values("pk").order_by()
    return Task.objects.filter(
        Q(requester_id__in=people, parent__isnull=True) | AnyOf("parent_id", handled),
        state=Task.State.PENDING_VERIFICATION,
    )


def overdue(qs: QuerySet[Task], now=None) -> QuerySet[Task]:
    return qs.filter(
        state__in=["pending_acceptance", "in_progress", "pending_verification"], due_at__lt=now or timezone.now()
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
