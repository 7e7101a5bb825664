"""Who sees a request: the people involved, the departments concerned and the managers of the
departments above them; a confidential one only the people involved and those departments' own
managers; everyone else gets 404."""

from datetime import timedelta

import pytest
from django.utils import timezone

from departments.models import Delegation
from tasks import services
from tasks.models import Task
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
    return Task.objects.visible_to(user).filter(pk=task.pk).exists()


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
