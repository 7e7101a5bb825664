"""The pieces of matching and placing people that need no server."""

import pytest

from accounts import services
from departments.models import Membership
from tests.factories import DepartmentFactory, MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_department_codes_from_group_names():
    assert services.department_code("Sales Team") == "sales-team"
    chinese = services.department_code("销售部")
    assert chinese.startswith("dir-") and chinese == services.department_code("销售部")
    assert chinese != services.department_code("财务部")


def test_a_taken_login_gets_a_number():
    UserFactory(username="wang")
    UserFactory(username="wang2")
    assert services.free_username("wang") == "wang3"
    assert services.free_username("li lei/x") == "lileix"


def test_matching_refuses_an_ambiguous_email():
    UserFactory(username="a", email="same@example.org")
    UserFactory(username="b", email="same@example.org")
    assert services.find_person(source="oidc", subject="s-1", email="same@example.org") is None


def test_a_claim_names_a_department_by_code_or_either_name(org):
    assert services.department_for_claim("SALES") == org.sales
    assert services.department_for_claim("采购部") == org.purchasing
    assert services.department_for_claim(["Human Resources"]) == org.hr
    assert services.department_for_claim("nowhere") is None
    org.hr.is_active = False
    org.hr.save()
    assert services.department_for_claim("hr") is None


def test_moving_keeps_one_primary_and_the_head_stays_manager(org):
    person = UserFactory(username="mover")
    MembershipFactory(user=person, department=org.sales, is_primary=True)
    services.place_person(person, [org.purchasing], manager=False, leave={org.sales.pk})
    assert [(m.department.code, m.is_primary) for m in person.memberships.all()] == [("purchasing", True)]
    # The head named by the admin is not demoted by a directory that says "member".
    services.place_person(org.sales_head, [org.sales], manager=False)
    assert Membership.objects.get(user=org.sales_head, department=org.sales).role == Membership.Role.MANAGER


def test_a_person_in_two_groups_keeps_the_primary_they_had():
    a, b = DepartmentFactory(code="a"), DepartmentFactory(code="b")
    person = UserFactory(username="two")
    MembershipFactory(user=person, department=b, is_primary=True)
    services.place_person(person, [a, b], manager=None)
    assert person.primary_department == b and person.memberships.count() == 2
