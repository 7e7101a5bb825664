"""The lists, the home page and the inbox read ids first, then rows, with their filters written
once (selectors.filter_tasks); they must show exactly what the same filters give when written
out here, for every kind of person."""

from datetime import timedelta

import pytest
from django.db.models import Q
from django.utils import timezone

from departments.models import Delegation
from tasks import selectors, services, views
from tasks.models import Task
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def busy(org, in_state, file_request, support, purchase):
    """Requests in every state, a confidential one, a sub-task, a CC, a delegation in force."""
    today = timezone.localdate()
    for state in ("draft", "pending_approval", "pending_acceptance", "in_progress", "on_hold", "done", "rejected"):
        in_state(state, title=f"采购{state}")
    late = in_state("in_progress", title="逾期的")
    days_ago = timezone.now() - timedelta(days=3)
    Task.objects.filter(pk=late.pk).update(created_at=days_ago, due_at=days_ago + timedelta(days=1))
    soon = in_state("in_progress", title="本周到期")
    Task.objects.filter(pk=soon.pk).update(due_at=timezone.now() + timedelta(days=2))
    in_state("pending_verification", title="待验收")
    file_request(support, by=org.outsider, title="人力的咨询", priority=3)
    secret = file_request(support, title="保密咨询", confidential=True)
    services.task_accept(task=secret, by=org.purchasing_head, assignee=org.assignee)
    cc = file_request(support, by=org.assignee, title="抄送给孙五")
    cc.watchers.add(org.outsider)
    Delegation.objects.create(delegator=org.sales_head, delegate=org.outsider, starts_on=today, ends_on=today)
    return org


FILTERS = [
    {},
    {"state": "in_progress"},
    {"state": "pending_approval"},
    {"priority": 3},
    {"overdue": True},
    {"q": "采购"},
    {"state": "in_progress", "overdue": True},
]


def reference(user, scope, filters, org):
    query, _title = views.SCOPES[scope]
    tasks = query(user)
    if filters.get("q"):
        tasks = tasks.filter(title__icontains=filters["q"]) | tasks.filter(number__icontains=filters["q"])
    if filters.get("state"):
        tasks = tasks.filter(state=filters["state"])
    if filters.get("department"):
        tasks = tasks.filter(target_department=filters["department"]) | tasks.filter(
            requesting_department=filters["department"]
        )
    if filters.get("request_type"):
        tasks = tasks.filter(request_type=filters["request_type"])
    if filters.get("priority"):
        tasks = tasks.filter(priority=filters["priority"])
    if filters.get("overdue"):
        tasks = selectors.overdue(tasks)
    return list(tasks.order_by("-created_at", "-pk").values_list("pk", flat=True))


def test_every_list_shows_what_the_orm_gives_for_every_kind_of_person(busy, support):
    org = busy
    inactive = UserFactory(username="left", is_active=False)
    people = [org.leader, org.admin, org.sales_head, org.sales_deputy, org.requester, org.assignee, org.outsider]
    more_filters = [{"department": org.purchasing.pk}, {"request_type": support.pk}]
    for user in [*people, inactive]:
        for scope in views.SCOPES:
            for filters in FILTERS + more_filters:
                expected = reference(user, scope, filters, org)
                for number in (1, 2):
                    page = selectors.list_page(user, scope, filters, number, 3)
                    where = (user.username, scope, filters, number)
                    assert page.paginator.count == len(expected), where
                    start = (page.number - 1) * 3
                    assert [t.pk for t in page.object_list] == expected[start : start + 3], where
    # Somebody sees something in each list, or the comparison proves little.
    assert selectors.list_page(org.outsider, "approvals", {}, 1, 25).paginator.count > 0  # as the delegate
    assert selectors.list_page(org.outsider, "all", {}, 1, 25).paginator.count > 1  # hr's own + the CC


def dashboard_through_the_orm(user) -> dict:
    now = timezone.now()
    involved = Task.objects.filter(requester=user) | Task.objects.filter(assignee=user)

    def pks(tasks, *order):
        return [t.pk for t in tasks.order_by(*order)[:10]]

    return {
        "to_approve": [a.pk for a in selectors.approvals_waiting_for(user)[:10]],
        "to_accept": pks(selectors.inbox(user), "accept_due_at", "created_at", "pk"),
        "to_verify": pks(
            Task.objects.filter(
                Q(requester=user, parent__isnull=True) | Q(parent__assignee=user), state="pending_verification"
            ),
            "done_at",
            "pk",
        ),
        "my_open": pks(selectors.my_requests(user).filter(state__in=Task.OPEN_STATES), "-created_at", "-pk"),
        "assigned": pks(selectors.assigned_to(user).filter(state__in=Task.WORK_STATES), "due_at", "pk"),
        "due_this_week": pks(
            involved.filter(state__in=Task.WORK_STATES, due_at__gte=now, due_at__lt=now + timedelta(days=7)),
            "due_at",
            "pk",
        ),
        "overdue": pks(selectors.overdue(involved), "due_at", "pk"),
    }


def test_the_home_panels_show_what_the_orm_gives(busy):
    org = busy
    seen = set()
    for user in (org.leader, org.sales_head, org.purchasing_head, org.requester, org.assignee, org.outsider):
        board = {name: [row.pk for row in rows] for name, rows in selectors.dashboard(user).items()}
        assert board == dashboard_through_the_orm(user), user.username
        seen |= {name for name, rows in board.items() if rows}
    assert seen == {"to_approve", "to_accept", "to_verify", "my_open", "assigned", "due_this_week", "overdue"}


def test_the_inbox_and_workload_show_what_the_orm_gives(busy):
    from django.db.models import Count

    org = busy
    for user in (org.purchasing_head, org.leader, org.outsider, org.sales_head):
        waiting = Task.objects.filter(
            state=Task.State.PENDING_ACCEPTANCE, target_department__in=selectors.acting_manager_department_ids(user)
        )
        for size in (1, 25):
            tasks, counts = selectors.inbox_page(selectors.inbox(user), size)
            expected = list(waiting.order_by("accept_due_at", "created_at").values_list("pk", flat=True)[:size])
            assert [t.pk for t in tasks] == expected, (user.username, size)
            assert counts == dict(waiting.order_by().values_list("target_department").annotate(n=Count("pk")))
    assert selectors.inbox_page(selectors.inbox(org.purchasing_head), 25)[0]  # something waits
    people = selectors.workload(org.purchasing)
    working = Task.objects.filter(assignee=org.assignee, state__in=Task.WORK_STATES).count()
    assert working > 0
    assert {c.user.username: c.open_count for c in people} == {"assignee": working, "purchasing_head": 0}
    assert [c.is_manager for c in people] == [False, True]
