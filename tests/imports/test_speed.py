"""2,000 people and 30 departments in a fixed number of queries, proven by counting them."""

import pytest
from django.db import connection

from departments.models import Department, Membership, User
from imports import services
from imports.spreadsheet import read_workbook
from tests.imports.conftest import workbook

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="SQLite caps a statement at 999 parameters, so its bulk writes come in batches that grow "
        "with the rows; the bound is PostgreSQL's, where the portal runs in production",
    ),
]
PEOPLE, DEPARTMENTS = 2000, 30


def large_workbook(people: int, departments: int, *, title: str = "员工") -> bytes:
    return workbook(
        {
            "skills": [["name", "name_en"]] + [[f"技能{n}", f"Skill {n}"] for n in range(20)],
            "departments": [["code", "name", "name_en", "parent", "sort_order"]]
            + [["d0", "总部", "HQ", "", 0]]
            + [[f"d{n}", f"部门{n}", f"Department {n}", "d0", n] for n in range(1, departments)],
            "people": [["username", "display_name", "email", "employee_no", "job_title", "skills"]]
            + [
                [f"p{n}", f"员工{n}", f"p{n}@example.com", f"E{n:05}", title, f"技能{n % 20}; 技能{(n + 1) % 20}"]
                for n in range(people)
            ],
            "memberships": [["username", "department", "role", "is_primary", "title"]]
            + [
                [f"p{n}", f"d{n % departments}", "head" if n < departments else "member", "yes", title]
                for n in range(people)
            ]
            + [[f"p{n}", f"d{(n + 1) % departments}", "deputy", "no", ""] for n in range(departments)],
        }
    )


def test_two_thousand_people_in_a_bounded_number_of_queries(db, django_assert_max_num_queries):
    sheets = read_workbook(large_workbook(PEOPLE, DEPARTMENTS))
    with django_assert_max_num_queries(60):
        plan = services.import_workbook(sheets)
    assert plan.counts()["people"]["new"] == PEOPLE
    assert User.objects.filter(username__startswith="p").count() == PEOPLE
    assert Department.objects.filter(code__startswith="d").count() == DEPARTMENTS
    assert Membership.objects.count() == PEOPLE + DEPARTMENTS
    assert Department.objects.get(code="d5").head.username == "p5"
    assert User.objects.get(username="p7").skills.count() == 2

    # Changing every person's title and membership comes in the same bound.
    changed = read_workbook(large_workbook(PEOPLE, DEPARTMENTS, title="主管"))
    with django_assert_max_num_queries(60):
        plan = services.import_workbook(changed)
    assert plan.counts()["people"]["changed"] == PEOPLE
    assert set(User.objects.filter(username__startswith="p").values_list("job_title", flat=True)) == {"主管"}


def test_the_preview_reads_in_a_bounded_number_of_queries(db, django_assert_max_num_queries):
    sheets = read_workbook(large_workbook(PEOPLE, DEPARTMENTS))
    services.import_workbook(sheets)
    with django_assert_max_num_queries(12):
        plan = services.plan_import(sheets)
    assert plan.ok and not plan.changes_anything
