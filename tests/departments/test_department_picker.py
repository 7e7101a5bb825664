"""Choosing co-handling departments without a box for every department (departments/pickers.py)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from departments.models import Department
from tasks.models import Task
from tests.conftest import login
from tests.factories import DepartmentFactory

pytestmark = pytest.mark.django_db


def file(client, **data):
    return client.post("/requests/new/support/", {"title": "打印机坏了", "priority": "2", "action": "submit", **data})


def filing_form(client) -> tuple[str, int]:
    with CaptureQueriesContext(connection) as queries:
        page = client.get("/requests/new/support/").content.decode()
    return page, len(queries)


def test_the_filing_form_does_not_grow_with_the_departments(client, org, support):
    DepartmentFactory.create_batch(5, name="新部门", accepts_requests=True)
    login(client, org.requester)
    filing_form(client)  # what a first request loads once (translations, templates)
    few, few_queries = filing_form(client)
    DepartmentFactory.create_batch(45, name="新部门", accepts_requests=True)
    many, many_queries = filing_form(client)
    assert "新部门" not in many and len(many) == len(few)
    assert many_queries == few_queries
    assert 'name="co_departments_find"' in many and 'id="id_co_departments"' in many  # the label points at the box


def test_departments_are_chosen_by_ticked_box_or_by_typed_code_or_name(client, org, support):
    it = DepartmentFactory(code="it", name="信息部", name_en="Information Technology", accepts_requests=True)
    finance = DepartmentFactory(code="finance", name="财务部", name_en="Finance", accepts_requests=True)
    login(client, org.requester)
    response = file(client, co_departments=[org.sales.pk], co_departments_find=" it ，财务部")
    assert response.status_code == 302
    first = Task.objects.get(title="打印机坏了", parent=None)
    assert set(first.co_departments.all()) == {org.sales, it, finance}
    # An English name keeps its spaces.
    assert file(client, co_departments_find="Information Technology").status_code == 302
    assert list(Task.objects.exclude(pk=first.pk).get(title="打印机坏了", parent=None).co_departments.all()) == [it]


def test_an_unknown_department_is_named_and_nothing_is_saved(client, org, support):
    login(client, org.requester)
    response = file(client, co_departments=[org.sales.pk], co_departments_find="hr, 没有这个部门")
    assert response.status_code == 200 and not Task.objects.exists()
    assert "没有这个部门" in response.context["form"].errors["co_departments"][0]
    # The form comes back as it was sent: those found ticked, what matched nothing in the box.
    page = response.content.decode()
    assert f'value="{org.sales.pk}" checked' in page and f'value="{org.hr.pk}" checked' in page
    assert 'name="co_departments_find" value="没有这个部门"' in page


def test_a_crafted_value_gets_a_message_not_an_error_page(client, org, support):
    login(client, org.requester)
    closed = DepartmentFactory(code="closed", name="停用部", is_active=False)
    for data in (
        {"co_departments": ["x"]},
        {"co_departments": ["999999"]},
        {"co_departments": ["9" * 30]},
        {"co_departments_find": "closed"},  # not one that can be chosen: named as unknown
        {"co_departments_find": "\x00"},
    ):
        response = file(client, **data)
        assert response.status_code == 200 and response.context["form"].errors["co_departments"], data
    refused = file(client, co_departments=[closed.pk]).context["form"].errors["co_departments"][0]
    assert "停用部" in refused
    # The handling department itself is no co-handler.
    handling = support.department
    assert handling.name in file(client, co_departments=[handling.pk]).context["form"].errors["co_departments"][0]
    assert not Task.objects.exists()


def test_suggestions_match_code_or_name(client, org):
    DepartmentFactory(code="it", name="信息部", name_en="Information Technology", accepts_requests=True)
    DepartmentFactory(code="old-it", name="旧信息部", is_active=False)
    login(client, org.outsider)

    def codes(q):
        return [d["code"] for d in client.get("/find/departments/", {"q": q}).json()["departments"]]

    assert codes("it") == ["it"]  # the inactive one is never offered, nor a code that only contains it
    assert codes("信息") == ["it"] and codes("technology") == ["it"]
    assert codes("hq") == []  # takes no requests
    assert codes("") == [] and codes("   ") == [] and codes("\x00") == []
    DepartmentFactory.create_batch(15, name="同名部", accepts_requests=True)
    assert len(codes("同名")) == 10
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    found = client.get("/find/departments/", {"q": "信息"}).json()["departments"][0]
    assert found == {"id": Department.objects.get(code="it").pk, "code": "it", "name": "Information Technology"}
