"""Import and export of the organisation's workbook: the services."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from departments.models import Department, Membership, Skill, User
from imports import export, services
from imports.spreadsheet import SHEETS, WorkbookRejected, read_workbook
from tasks.models import RequestType
from tests.imports.conftest import workbook

pytestmark = pytest.mark.django_db


def snapshot():
    """Everything the workbook covers, as plain values."""
    return export.export_tables()


def test_export_then_import_changes_nothing(stocked):
    before = snapshot()
    data = export.export_workbook()
    plan = services.plan_import(read_workbook(data))
    assert plan.ok, plan.problems
    assert not plan.changes_anything, plan.counts()
    assert plan.counts()["people"]["unchanged"] == User.objects.count()
    with CaptureQueriesContext(connection) as queries:
        services.import_workbook(read_workbook(data))
    writes = [q["sql"] for q in queries if q["sql"].lstrip().upper().startswith(("INSERT", "UPDATE", "DELETE"))]
    assert writes == []
    assert snapshot() == before


def test_export_holds_roles_as_the_models_have_them(stocked):
    rows = {(r[0], r[1]): r[2] for r in snapshot()["memberships"]}
    assert rows[("sales_head", "sales")] == "head"
    assert rows[("sales_deputy", "sales")] == "deputy"
    assert rows[("requester", "sales")] == "member"
    types = {r[0]: r for r in snapshot()["request_types"]}
    assert types["purchase"][1] == "purchasing" and types["purchase"][12] == "焊接"


def test_import_creates_the_organisation_in_one_go(org):
    data = workbook(
        {
            "skills": [["name", "name_en"], ["质检", "Inspection"]],
            "departments": [
                ["code", "name", "name_en", "parent", "sort_order"],
                ["plant", "工厂", "Plant", "hq", 5],
                ["qa", "质检部", "Quality", "plant", 6],
            ],
            "people": [
                ["username", "display_name", "email", "skills", "can_sign_off"],
                ["wang.qa", "王质检", "wang@example.com", "质检", "no"],
                ["li.plant", "李厂长", "li@example.com", "", "yes"],
            ],
            "memberships": [
                ["username", "department", "role", "is_primary", "title"],
                ["li.plant", "plant", "head", "yes", "厂长"],
                ["wang.qa", "qa", "member", "yes", "质检员"],
                ["li.plant", "qa", "deputy", "no", ""],
                ["requester", "qa", "manager", "no", ""],
            ],
            "request_types": [
                ["code", "department", "name", "accept_sla_hours", "default_priority", "skills"],
                ["inspect", "qa", "送检", "2.5", 3, "质检"],
            ],
        }
    )
    plan = services.import_workbook(read_workbook(data))
    assert plan.counts()["departments"] == {"new": 2, "changed": 0, "unchanged": 0, "error": 0}
    plant, qa = Department.objects.get(code="plant"), Department.objects.get(code="qa")
    li, wang = User.objects.get(username="li.plant"), User.objects.get(username="wang.qa")
    assert plant.parent == org.hq and qa.parent == plant
    assert plant.head == li and list(qa.deputies.all()) == [li]
    assert li.can_sign_off and not li.has_usable_password()
    assert [s.name for s in wang.skills.all()] == ["质检"]
    assert Membership.objects.get(user=li, department=plant).role == Membership.Role.MANAGER
    assert Membership.objects.get(user=li, department=plant).is_primary
    assert Membership.objects.get(user=org.requester, department=qa).role == Membership.Role.MANAGER
    assert Membership.objects.get(user=wang, department=qa).title == "质检员"
    inspect = RequestType.objects.get(code="inspect")
    assert inspect.department == qa and str(inspect.accept_sla_hours) == "2.5" and inspect.default_priority == 3
    assert [s.name for s in inspect.skills.all()] == ["质检"]
    # The same file again changes nothing.
    again = services.plan_import(read_workbook(data))
    assert again.ok and not again.changes_anything, again.counts()


def test_import_changes_roles_heads_deputies_and_primary(stocked):
    org = stocked
    data = workbook(
        {
            "memberships": [
                ["username", "department", "role", "is_primary"],
                ["sales_deputy", "sales", "head", "yes"],
                ["sales_head", "sales", "member", "yes"],
                ["requester", "purchasing", "member", "yes"],
            ],
            "people": [["username", "skills"], ["assignee", "报价"]],
        }
    )
    plan = services.import_workbook(read_workbook(data))
    assert plan.ok
    org.sales.refresh_from_db()
    assert org.sales.head == org.sales_deputy
    assert list(org.sales.deputies.all()) == []
    assert Membership.objects.get(user=org.sales_head, department=org.sales).role == Membership.Role.MEMBER
    # The requester's primary department moved from sales to purchasing: one primary, the new one.
    primaries = Membership.objects.filter(user=org.requester, is_primary=True)
    assert [m.department.code for m in primaries] == ["purchasing"]
    assert [s.name for s in org.assignee.skills.all()] == ["报价"]


def test_a_file_with_bad_rows_saves_nothing_and_names_every_one(stocked):
    before = snapshot()
    data = workbook(
        {
            "skills": [["name", "name_en"], ["新技能", "New"], ["新技能", "Again"]],
            "departments": [
                ["code", "name", "parent", "sort_order", "is_active"],
                ["new_dept", "新部门", "hq", 1, "yes"],
                ["bad code!", "坏", "", 1, "yes"],
                ["loop_a", "甲", "loop_b", 1, "yes"],
                ["loop_b", "乙", "loop_a", 1, "yes"],
                ["orphan", "", "nowhere", -1, "maybe"],
            ],
            "people": [
                ["username", "email", "skills"],
                ["fine.person", "fine@example.com", "焊接"],
                ["bad person", "not-an-email", "不存在"],
            ],
            "memberships": [
                ["username", "department", "role"],
                ["fine.person", "new_dept", "boss"],
                ["ghost", "sales", "member"],
                ["requester", "sales", "head"],
            ],
            "request_types": [
                ["code", "department", "name", "accept_sla_hours", "default_priority", "auto_assign"],
                ["new_type", "nowhere", "新类型", "abc", 9, "sometimes"],
            ],
        }
    )
    with pytest.raises(services.ImportRefused) as refused:
        services.import_workbook(read_workbook(data))
    found = {(p.sheet, p.row, p.column) for p in refused.value.plan.problems}
    expected = {
        ("skills", 3, "name"),
        ("departments", 3, "code"),
        ("departments", 4, "parent"),
        ("departments", 5, "parent"),
        ("departments", 6, "name"),
        ("departments", 6, "parent"),
        ("departments", 6, "sort_order"),
        ("departments", 6, "is_active"),
        ("people", 3, "username"),
        ("people", 3, "email"),
        ("people", 3, "skills"),
        ("memberships", 2, "role"),
        ("memberships", 3, "username"),
        ("request_types", 2, "department"),
        ("request_types", 2, "accept_sla_hours"),
        ("request_types", 2, "default_priority"),
        ("request_types", 2, "auto_assign"),
    }
    assert expected - found == set(), sorted(found)
    assert not Skill.objects.filter(name="新技能").exists()
    assert not Department.objects.filter(code="new_dept").exists()
    assert not User.objects.filter(username="fine.person").exists()
    assert snapshot() == before


def test_two_heads_of_one_department_in_one_file(org):
    data = workbook(
        {
            "memberships": [
                ["username", "department", "role"],
                ["requester", "sales", "head"],
                ["sales_deputy", "sales", "head"],
            ]
        }
    )
    plan = services.plan_import(read_workbook(data))
    assert [(p.row, p.column) for p in plan.problems] == [(3, "role")]


@pytest.mark.parametrize(
    "data, message",
    [
        (b"", "could not be read"),
        (b"PK\x03\x04 not really a zip", "could not be read"),
        (workbook({"people": [["login", "display_name"], ["x", "y"]]}), "missing columns: username"),
        (workbook({"people": [["username", "colour"], ["x", "y"]]}), "unknown columns: colour"),
        (workbook({"staff": [["username"], ["x"]]}), "Unknown sheets: staff"),
        (workbook({"people": [list(SHEETS["people"])]}), "no rows"),
    ],
)
def test_a_file_that_is_not_the_workbook_is_refused_whole(db, data, message, settings):
    settings.LANGUAGE_CODE = "en"
    from django.utils import translation

    with translation.override("en"), pytest.raises(WorkbookRejected, match=message):
        read_workbook(data)


def test_too_many_rows_are_refused(db, monkeypatch):
    monkeypatch.setattr("imports.spreadsheet.MAX_ROWS", 3)
    data = workbook({"skills": [["name"]] + [[f"s{n}"] for n in range(5)]})
    with pytest.raises(WorkbookRejected):
        read_workbook(data)


def test_text_that_looks_like_a_formula_goes_out_and_back_as_text(org):
    org.requester.display_name = "=HYPERLINK(1)"
    org.requester.save()
    data = export.export_workbook()
    sheets = read_workbook(data)
    row = next(r for r in sheets["people"].rows if r.values["username"] == "requester")
    assert row.values["display_name"] == "=HYPERLINK(1)"
    assert not services.plan_import(sheets).changes_anything


def test_imported_people_are_in_the_search_index(org, django_capture_on_commit_callbacks):
    from reports.models import SearchEntry

    data = workbook(
        {
            "people": [
                ["username", "display_name", "job_title", "is_active"],
                ["new.person", "欧阳新", "质检员", "yes"],
                ["requester", "张三丰", "", "yes"],
                ["outsider", "孙五", "", "no"],
            ]
        }
    )
    SearchEntry.objects.all().delete()
    with django_capture_on_commit_callbacks(execute=True):
        services.import_workbook(read_workbook(data))
    entries = dict(SearchEntry.objects.filter(kind="person").values_list("url", "title"))
    assert entries == {"/people/new.person/": "欧阳新", "/people/requester/": "张三丰"}


def test_a_forged_workbook_whose_xml_does_not_parse_is_refused(db):
    import io
    import zipfile

    good = workbook({"skills": [["name"], ["焊接"]]})
    forged = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(good)) as source, zipfile.ZipFile(forged, "w") as target:
        for name in source.namelist():
            content = source.read(name)
            if name.startswith("xl/worksheets/"):
                content = content.replace(b"<sheetData>", b"<sheetData>&#0;<row")
            target.writestr(name, content)
    with pytest.raises(WorkbookRejected):
        read_workbook(forged.getvalue())


def test_a_sheet_of_endless_blank_rows_is_refused(db, monkeypatch):
    monkeypatch.setattr("imports.spreadsheet.MAX_ROWS", 3)
    data = workbook({"skills": [["name"]] + [[None, "x"] for _ in range(10)]})
    with pytest.raises(WorkbookRejected):
        read_workbook(data)
