"""Bad input in the admin gets a form error and leaves nothing half-saved."""

from datetime import date

import pytest

from departments.models import CalendarDay, Delegation, Department, Membership
from tests.conftest import login

pytestmark = pytest.mark.django_db


def department_form(department, **changes):
    data = {
        "code": department.code,
        "name": department.name,
        "name_en": department.name_en,
        "parent": department.parent_id or "",
        "sort_order": 0,
        "is_active": "on",
        "head": department.head_id or "",
        "deputies": [],
        "accepts_requests": "on",
        "handles": "",
        "handles_en": "",
        "memberships-TOTAL_FORMS": 0,
        "memberships-INITIAL_FORMS": 0,
        "memberships-MIN_NUM_FORMS": 0,
        "memberships-MAX_NUM_FORMS": 1000,
    }
    data.update(changes)
    return data


def test_admin_refuses_department_as_its_own_ancestor(client, org):
    login(client, org.admin)
    # hq is above sales: making hq's parent sales would close a loop.
    response = client.post(
        f"/admin/departments/department/{org.hq.pk}/change/", department_form(org.hq, parent=org.sales.pk)
    )
    assert response.status_code == 200
    assert "不能成为自己的上级" in str(response.context["adminform"].form.errors["parent"])
    org.hq.refresh_from_db()
    assert org.hq.parent_id is None


def test_admin_head_becomes_manager_member(client, org):
    login(client, org.admin)
    response = client.post(
        f"/admin/departments/department/{org.hr.pk}/change/",
        department_form(org.hr, head=org.outsider.pk, deputies=[org.assignee.pk]),
    )
    assert response.status_code == 302
    roles = dict(Membership.objects.filter(department=org.hr).values_list("user__username", "role"))
    assert roles == {"outsider": "manager", "assignee": "manager"}


def test_admin_refuses_delegation_to_oneself_and_reversed_dates(client, org):
    login(client, org.admin)
    url = "/admin/departments/delegation/add/"
    to_self = client.post(
        url,
        {
            "delegator": org.sales_head.pk,
            "delegate": org.sales_head.pk,
            "starts_on": "2026-12-01",
            "ends_on": "2026-12-03",
            "is_active": "on",
        },
    )
    assert to_self.status_code == 200
    assert "不能委托给自己" in str(to_self.context["adminform"].form.errors)
    reversed_dates = client.post(
        url,
        {
            "delegator": org.sales_head.pk,
            "delegate": org.sales_deputy.pk,
            "starts_on": "2026-12-05",
            "ends_on": "2026-12-03",
            "is_active": "on",
        },
    )
    assert reversed_dates.status_code == 200
    assert "结束日期不能早于开始日期" in str(reversed_dates.context["adminform"].form.errors)
    assert not Delegation.objects.exists()


def test_admin_refuses_a_day_both_holiday_and_workday(client, org):
    CalendarDay.objects.create(date=date(2026, 10, 1), kind=CalendarDay.Kind.HOLIDAY, name="国庆节")
    login(client, org.admin)
    response = client.post("/admin/departments/calendarday/add/", {"date": "2026-10-01", "kind": "workday"})
    assert response.status_code == 200
    assert "不能既是节假日又是调休上班日" in str(response.context["adminform"].form.errors)
    assert CalendarDay.objects.get(date=date(2026, 10, 1)).kind == CalendarDay.Kind.HOLIDAY


def test_admin_adds_a_department(client, org):
    login(client, org.admin)
    response = client.post(
        "/admin/departments/department/add/",
        department_form(Department(code="legal", name="法务部", name_en="Legal", parent=org.hq)),
    )
    assert response.status_code == 302
    assert Department.objects.get(code="legal").parent == org.hq


def test_the_department_page_searches_people_instead_of_listing_them(client, org):
    login(client, org.admin)
    page = client.get(f"/admin/departments/department/{org.hr.pk}/change/").content.decode()
    # Every person field is an autocomplete (only the people already chosen are in the page).
    for field in ("head", "deputies", "document_reviewers"):
        assert f'name="{field}"' in page and "admin-autocomplete" in page.split(f'name="{field}"')[1][:400], field
    assert org.requester.name not in page
