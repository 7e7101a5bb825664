"""Who sees a request: the people involved, the departments concerned and the managers of the
departments above them; a confidential one only the people involved and those departments' own
managers; everyone else gets 404."""

from datetime import timedelta

import pytest
from django.utils import timezone

from departments.models import Delegation
from tasks import services
from tasks.models import Task
from tasks.selectors import visible_task_ids
from tests.conftest import login
from tests.factories import MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def people(org):
    watcher = UserFactory(username="watcher")
    MembershipFactory(user=watcher, department=org.hr)
    sales_member = UserFactory(username="sales_member")
    MembershipFactory(user=sales_member, department=org.sales)
    purchasing_member = UserFactory(username="purchasing_member")
    MembershipFactory(user=purchasing_member, department=org.purchasing)
    return watcher, sales_member, purchasing_member


def sees(user, task) -> bool:
    """Whether the rule lets `user` see `task`; its per-part reading (visible_task_ids, which search
    uses) must always agree."""
    by_rule = Task.objects.visible_to(user).filter(pk=task.pk).exists()
    assert (task.pk in {row["pk"] for row in visible_task_ids(user)}) == by_rule, (user.username, task.number)
    return by_rule


@pytest.mark.parametrize("confidential", [False, True])
def test_visibility_for_every_role(org, purchase, file_request, people, confidential):
    watcher, sales_member, purchasing_member = people
    task = file_request(purchase, watchers=[watcher], confidential=confidential)
    services.task_approve(task=task, by=org.sales_head)
    services.task_accept(task=task, by=org.purchasing_head, assignee=org.assignee)
    expected = {
        "requester": True,
        "assignee": True,
        "sales_head": True,
        "purchasing_head": True,
        "admin": True,
        "watcher": True,
        "sales_deputy": True,  # a deputy manages 销售部
        "sales_member": not confidential,
        "purchasing_member": not confidential,
        "outsider": False,
        "leader": not confidential,  # head of 公司总部, above both departments: oversees ordinary requests
    }
    for name, visible in expected.items():
        user = (
            getattr(org, name, None)
            or {"watcher": watcher, "sales_member": sales_member, "purchasing_member": purchasing_member}[name]
        )
        assert sees(user, task) == visible, (name, confidential)


def test_co_department_members_see_the_lead_and_their_subtask(org, support, file_request, people):
    hr_member = UserFactory(username="hr_member")
    MembershipFactory(user=hr_member, department=org.hr)
    lead = file_request(support, co_departments=[org.hr])
    sub = lead.subtasks.get()
    assert sees(hr_member, lead) and sees(hr_member, sub)


def test_delegate_of_an_approver_sees_the_request(org, purchase, file_request):
    today = timezone.localdate()
    task = file_request(purchase, confidential=True)
    assert not sees(org.outsider, task)
    Delegation.objects.create(
        delegator=org.sales_head, delegate=org.outsider, starts_on=today, ends_on=today + timedelta(days=1)
    )
    assert sees(org.outsider, task)


def test_pages_answer_404_to_outsiders_and_lists_leave_them_out(client, org, purchase, file_request):
    task = file_request(purchase, confidential=True)
    login(client, org.outsider)
    assert client.get(f"/requests/{task.number}/").status_code == 404
    assert client.get("/requests/REQ-1999-000001/").status_code == 404  # an unknown number looks the same
    for scope in ("mine", "approvals", "assigned", "all"):
        response = client.get(f"/requests/list/{scope}/")
        assert response.status_code == 200 and task.number not in response.content.decode()
    login(client, org.sales_head)
    assert task.number in client.get("/requests/list/all/").content.decode()


def test_acting_manager_sees_ordinary_and_confidential_requests_of_the_department(org, purchase, file_request):
    """A delegate acting for 采购部's head manages it today without being a member: they see its
    confidential requests, and its ordinary ones as well."""
    today = timezone.localdate()
    ordinary = file_request(purchase)
    secret = file_request(purchase, confidential=True)
    assert not sees(org.outsider, ordinary) and not sees(org.outsider, secret)
    Delegation.objects.create(
        delegator=org.purchasing_head, delegate=org.outsider, starts_on=today, ends_on=today + timedelta(days=1)
    )
    assert sees(org.outsider, ordinary) and sees(org.outsider, secret)


def test_people_of_the_lead_request_see_its_subtasks(org, support, file_request, people):
    _watcher, _sales_member, purchasing_member = people
    lead = file_request(support, co_departments=[org.hr], confidential=True)
    services.task_accept(task=lead, by=org.purchasing_head, assignee=org.assignee)
    sub = lead.subtasks.get()
    assert sees(org.assignee, sub)  # the lead's assignee
    assert sees(org.purchasing_head, sub)  # manager of the lead's department
    assert not sees(purchasing_member, sub)  # confidential: members of the lead's department do not
    assert not sees(org.leader, sub)


def test_the_rule_is_one_table_read_on_postgresql(org):
    """Every part of the rule is a column test or `pk = ANY(ARRAY(subquery))` on the requests
    table itself: no join and no correlated EXISTS, so PostgreSQL can answer it from indexes
    (a join here once made the "all requests" list read the whole table)."""
    from django.db import connection

    sql = str(Task.objects.visible_to(org.sales_head).query)
    outer = sql.split(" WHERE ", 1)
    assert " JOIN " not in outer[0]
    assert "EXISTS" not in sql
    if connection.vendor == "postgresql":
        assert "= ANY(ARRAY(SELECT" in sql


@pytest.mark.parametrize("confidential", [False, True])
def test_the_quick_check_never_shows_what_the_rule_hides(org, purchase, file_request, people, confidential):
    """selectors.plainly_visible answers the request page without a query in the common cases:
    whenever it says yes, the rule says yes."""
    from tasks.selectors import plainly_visible

    watcher, sales_member, purchasing_member = people
    task = file_request(purchase, watchers=[watcher], confidential=confidential)
    services.task_approve(task=task, by=org.sales_head)
    services.task_accept(task=task, by=org.purchasing_head, assignee=org.assignee)
    task.refresh_from_db()
    everyone = [watcher, sales_member, purchasing_member, org.outsider, org.leader, org.admin, org.requester]
    everyone += [org.assignee, org.sales_head, org.sales_deputy, org.purchasing_head]
    quick = {user.username for user in everyone if plainly_visible(user, task)}
    assert {user.username for user in everyone if sees(user, task)} >= quick
    assert {"requester", "assignee", "sales_head", "purchasing_head", "admin"} <= quick
    assert "outsider" not in quick and "watcher" not in quick  # a watcher is the database's to answer


def test_the_rule_read_part_by_part_finds_the_same_requests(org, purchase, support, file_request, people):
    """visible_task_ids (a UNION ALL of one query per part of the rule, read by search) gives
    everyone exactly the requests visible_to gives them: drafts only to their requester,
    confidential ones only to the people involved and the departments' managers, with bounds."""
    watcher, sales_member, purchasing_member = people
    tasks = [
        file_request(purchase, watchers=[watcher]),
        file_request(purchase, confidential=True),
        file_request(purchase, submit=False),  # a draft: the requester's alone
        file_request(support, co_departments=[org.hr]),
        file_request(support, co_departments=[org.hr], confidential=True),
        file_request(support, by=org.outsider, confidential=True),
    ]
    services.task_accept(task=tasks[3], by=org.purchasing_head, assignee=org.assignee)
    everyone = [watcher, sales_member, purchasing_member, org.outsider, org.leader, org.admin, org.requester]
    everyone += [org.assignee, org.sales_head, org.sales_deputy, org.purchasing_head]
    middle = sorted(task.pk for task in tasks)[2]
    for user in everyone:
        by_rule = set(Task.objects.visible_to(user).values_list("pk", flat=True))
        assert {row["pk"] for row in visible_task_ids(user)} == by_rule, user.username
        bounded = {row["pk"] for row in visible_task_ids(user, pk__lte=middle)}
        assert bounded == {pk for pk in by_rule if pk <= middle}, user.username
    assert tasks[2].pk in {row["pk"] for row in visible_task_ids(org.requester)}
    assert tasks[2].pk not in {row["pk"] for row in visible_task_ids(org.sales_head)}
