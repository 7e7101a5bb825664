"""The home page's panels."""

from datetime import timedelta

from django.db.models import Q, QuerySet
from django.utils import timezone

from departments.models import User
from departments.selectors import holders_acting_for
from tasks.models import Task
from tasks.selectors.access import acting_manager_department_ids, approvers_for
from tasks.selectors.lists import (
    NAME_COLUMNS,
    _approvals_waiting,
    _assigned,
    _awaiting_verification,
    _filed_by,
    _waiting_in,
    overdue,
)

PANEL_COLUMNS = (
    "number",
    "requester_id",  # whom the reader acts for, when the panel shows a request of someone else's
    "assignee_id",
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


def _home_panel(
    panel: str, user: int, now, departments: list[int] | None = None, people: list[int] | None = None
) -> QuerySet[Task]:
    """One of the home page's request panels. Each shows a request's number, title, state and department, so it joins only that department:
    every join costs PostgreSQL planning time."""
    # The requester and the assignee always see a request: no visibility filter needed.
    involved = Task.objects.filter(Q(requester_id=user) | Q(assignee_id=user))
    if panel == "to_accept":
        tasks, order = _waiting_in(departments), ("accept_due_at", "created_at", "pk")
    elif panel == "to_verify":
        tasks, order = _awaiting_verification(people or user), ("done_at", "pk")
    elif panel == "my_open":
        tasks, order = _filed_by(user).filter(state__in=Task.OPEN_STATES), ("-created_at", "-pk")
    elif panel == "assigned":
        tasks, order = _assigned(people or user).filter(state__in=Task.WORK_STATES), ("due_at", "pk")
    elif panel == "due_this_week":
        tasks = involved.filter(state__in=Task.WORK_STATES, due_at__gte=now, due_at__lt=now + timedelta(days=7))
        order = ("due_at", "pk")
    else:
        tasks, order = overdue(involved, now), ("due_at", "pk")
    # The id breaks ties: requests filed outside working hours share their due moment.
    # Only the columns a panel shows: Django converts every selected column of every row.
    return tasks.select_related("target_department").only(*PANEL_COLUMNS).order_by(*order)[:10]


def dashboard(user: User) -> dict:
    """Everything the home page shows, in a fixed number of queries."""
    now = timezone.now()
    managed = acting_manager_department_ids(user)
    panels = {
        "to_approve": list(
            _approvals_waiting(user.pk, approvers_for(user))
            .select_related("approver", "task__requester", "task__requesting_department")
            .only(*APPROVAL_PANEL_COLUMNS)[:10]
        ),
        # Most people manage nothing: no query for a panel that cannot have rows.
        "to_accept": list(_home_panel("to_accept", user.pk, now, managed)) if managed else [],
    }
    # Work waiting on the people the user acts for today shows beside their own, marked "for Y".
    people = approvers_for(user)
    for panel in ("to_verify", "my_open", "assigned", "due_this_week", "overdue"):
        panels[panel] = list(_home_panel(panel, user.pk, now, people=people))
    _mark_acting_for(user, [(panels["assigned"], "assignee_id"), (panels["to_verify"], "requester_id")])
    return panels


def _mark_acting_for(user: User, panels: list[tuple[list[Task], str]]) -> None:
    """Name, on each request of these panels held by someone the user acts for (the panel's
    `holder_field`), that person (`task.acting_for`); one query for the names of every panel,
    none when the user acts for nobody."""
    acting = holders_acting_for(user)
    held = {getattr(task, field) for tasks, field in panels for task in tasks} & acting if acting else set()
    if not held:
        return
    names = {person.pk: person for person in User.objects.filter(pk__in=held)}
    for tasks, field in panels:
        for task in tasks:
            task.acting_for = names.get(getattr(task, field))
