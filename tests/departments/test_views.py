"""The directory, department and profile pages for each role; delegations from the profile."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from departments.models import Delegation, User
from tests.conftest import login
from tests.factories import DepartmentFactory, MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db

ROLES = ["requester", "sales_head", "leader", "outsider", "admin"]


@pytest.mark.parametrize("url", ["/", "/departments/", "/departments/sales/", "/people/requester/", "/me/"])
def test_anonymous_is_sent_to_login(client, org, url):
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize("role", ROLES)
def test_directory_for_every_role(client, org, role):
    login(client, getattr(org, role))
    response = client.get("/departments/")
    assert response.status_code == 200
    body = response.content.decode()
    for name in ("销售部", "采购部", "人力资源部", "王经理"):
        assert name in body


@pytest.mark.parametrize("role", ROLES)
def test_department_page_for_every_role(client, org, role):
    login(client, getattr(org, role))
    response = client.get("/departments/sales/")
    assert response.status_code == 200
    body = response.content.decode()
    assert "王经理" in body and "李副经理" in body and "张三" in body
    assert "签订合同" in body
    assert response.context["people_count"] == 3


@pytest.mark.parametrize("role", ROLES)
def test_profile_pages_for_every_role(client, org, role):
    user = getattr(org, role)
    login(client, user)
    own = client.get("/me/", follow=True)
    assert own.status_code == 200
    assert own.context["person"] == user and own.context["is_self"]
    other = client.get("/people/sales_head/")
    assert other.status_code == 200
    assert not other.context["is_self"] or user == org.sales_head
    assert "销售部" in other.content.decode()


def test_unknown_and_inactive_give_404(client, org):
    login(client, org.requester)
    assert client.get("/departments/nope/").status_code == 404
    assert client.get("/people/nobody/").status_code == 404
    org.outsider.is_active = False
    org.outsider.save()
    assert client.get("/people/outsider/").status_code == 404


def test_directory_and_department_query_counts_do_not_grow(client, org):
    login(client, org.requester)

    def count(url):
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url).status_code == 200
        return len(ctx.captured_queries)

    small_directory, small_department = count("/departments/"), count("/departments/sales/")
    for _ in range(30):
        dept = DepartmentFactory(parent=org.hq, head=UserFactory())
        MembershipFactory(department=dept)
    for n in range(30):
        member = MembershipFactory(department=org.sales, user=UserFactory())
        member.user.skills.create(name=f"技能{n}")
    assert count("/departments/") == small_directory
    assert count("/departments/sales/") == small_department


def test_profile_edit_saves_and_switches_language(client, org):
    login(client, org.requester)
    response = client.post("/me/edit/", {"display_name": "张三丰", "phone": "13800000000", "language": "en"})
    assert response.status_code == 302
    org.requester.refresh_from_db()
    assert (org.requester.display_name, org.requester.phone, org.requester.language) == ("张三丰", "13800000000", "en")
    page = client.get("/me/", follow=True)
    assert "My profile" in page.content.decode()


def test_profile_edit_rejects_bad_language(client, org):
    login(client, org.requester)
    response = client.post("/me/edit/", {"display_name": "X", "phone": "", "language": "klingon"})
    assert response.status_code == 200
    assert response.context["form"].errors["language"]
    org.requester.refresh_from_db()
    assert org.requester.display_name == "张三"


def test_manager_names_a_delegate(client, org):
    login(client, org.sales_head)
    today = timezone.localdate()
    response = client.post(
        "/me/delegations/new/",
        {
            "delegate": org.sales_deputy.pk,
            "starts_on": today,
            "ends_on": today + timedelta(days=3),
            "reason": "出差",
        },
    )
    assert response.status_code == 302
    delegation = Delegation.objects.get(delegator=org.sales_head)
    assert delegation.delegate == org.sales_deputy
    page = client.get("/me/", follow=True).content.decode()
    assert "李副经理" in page
    # Overlapping dates are refused with a message, nothing saved.
    again = client.post(
        "/me/delegations/new/",
        {
            "delegate": org.requester.pk,
            "starts_on": today + timedelta(days=1),
            "ends_on": today + timedelta(days=5),
        },
    )
    assert again.status_code == 200
    assert again.context["form"].non_field_errors()
    assert Delegation.objects.filter(delegator=org.sales_head).count() == 1
    # Ending it.
    assert client.post(f"/me/delegations/{delegation.pk}/end/").status_code == 302
    delegation.refresh_from_db()
    assert not delegation.is_active


def test_delegation_form_refuses_self_and_reversed_dates(client, org):
    login(client, org.sales_head)
    today = timezone.localdate()
    to_self = client.post(
        "/me/delegations/new/",
        {
            "delegate": org.sales_head.pk,
            "starts_on": today,
            "ends_on": today,
        },
    )
    assert to_self.status_code == 200 and to_self.context["form"].errors["delegate"]
    reversed_dates = client.post(
        "/me/delegations/new/",
        {
            "delegate": org.sales_deputy.pk,
            "starts_on": today + timedelta(days=2),
            "ends_on": today,
        },
    )
    assert reversed_dates.status_code == 200 and reversed_dates.context["form"].errors["ends_on"]
    garbage = client.post("/me/delegations/new/", {"delegate": "x", "starts_on": "yesterday", "ends_on": ""})
    assert garbage.status_code == 200
    assert not Delegation.objects.exists()


def test_employees_name_their_own_delegate(client, org):
    login(client, org.requester)
    assert client.get("/me/delegations/new/").status_code == 200
    today = timezone.localdate()
    response = client.post(
        "/me/delegations/new/",
        {"delegate": org.assignee.pk, "starts_on": today, "ends_on": today + timedelta(days=2)},
    )
    assert response.status_code == 302
    assert Delegation.objects.get().delegator == org.requester


def test_only_the_delegator_ends_a_delegation(client, org):
    today = timezone.localdate()
    delegation = Delegation.objects.create(
        delegator=org.sales_head, delegate=org.sales_deputy, starts_on=today, ends_on=today
    )
    login(client, org.sales_deputy)
    assert client.post(f"/me/delegations/{delegation.pk}/end/").status_code == 404
    login(client, org.sales_head)
    assert client.get(f"/me/delegations/{delegation.pk}/end/").status_code == 405
    delegation.refresh_from_db()
    assert delegation.is_active


def test_home_lists_departments_and_delegations(client, org):
    today = timezone.localdate()
    Delegation.objects.create(delegator=org.sales_head, delegate=org.requester, starts_on=today, ends_on=today)
    login(client, org.requester)
    body = client.get("/").content.decode()
    assert "销售部" in body and "王经理" in body
    assert set(client.get("/").context["board"]) >= {"to_approve", "to_accept", "overdue", "my_open"}


def test_user_str_prefers_display_name(org):
    assert str(User.objects.get(username="requester")) == "张三"


def test_a_deputy_is_listed_as_a_deputy_not_as_the_head(client, org):
    """The people table says 副职 for a deputy, as the leadership box does; the head stays 负责人."""
    import re

    login(client, org.requester)
    body = client.get("/departments/sales/").content.decode()

    def role_of(name):
        row = re.search(rf"<tr>\s*<td><a [^>]*>{name}</a>.*?</tr>", body, re.S).group(0)
        return re.findall(r"<td>(.*?)</td>", row, re.S)[1]

    assert "负责人" in role_of("王经理")
    deputy = role_of("李副经理")
    assert "负责人" not in deputy and ("副职" in deputy or "Deputy head" in deputy)


def test_a_deputys_own_page_names_them_a_deputy(client, org):
    """A person's page names each of their places: the head as 负责人, a deputy as 副职."""
    from departments.models import Membership

    Membership.objects.update_or_create(
        user=org.sales_deputy, department=org.sales, defaults={"role": Membership.Role.MANAGER}
    )
    login(client, org.requester)
    deputy = client.get(f"/people/{org.sales_deputy.username}/").content.decode()
    head = client.get(f"/people/{org.sales_head.username}/").content.decode()
    assert "副职" in deputy and "负责人" not in deputy
    assert "负责人" in head
