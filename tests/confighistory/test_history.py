"""The history of configuration: who changed what and when, on the log page, its export and one
object's panel; secrets never shown; bulk imports recorded too."""

import io
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation
from openpyxl import load_workbook

from confighistory import selectors
from confighistory.models import fingerprint
from departments.models import CalendarDay, Delegation, Department, Membership, Skill
from imports import holidays, services
from imports.spreadsheet import read_workbook
from notifications.models import ImRobot
from tasks.models import RequestField, RequestType
from tests.conftest import login
from tests.imports.conftest import workbook

pytestmark = pytest.mark.django_db

ROBOT_URL = "https://oapi.dingtalk.com/robot/send?access_token=TOKEN-abc123"


def english(client):
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


def department_form(department, **changes):
    data = {
        "code": department.code,
        "name": department.name,
        "name_en": department.name_en,
        "parent": department.parent_id or "",
        "sort_order": 0,
        "is_active": "on",
        "head": department.head_id or "",
        "deputies": [d.pk for d in department.deputies.all()],
        "accepts_requests": "on",
        "handles": department.handles,
        "handles_en": department.handles_en,
        "memberships-TOTAL_FORMS": 0,
        "memberships-INITIAL_FORMS": 0,
        "memberships-MIN_NUM_FORMS": 0,
        "memberships-MAX_NUM_FORMS": 1000,
    }
    data.update(changes)
    return data


def latest(model, pk):
    return model.history.filter(id=pk).order_by("-history_id").first()


def test_a_change_in_the_admin_is_recorded_with_its_author_and_differences(client, org):
    login(english(client), org.admin)
    response = client.post(
        f"/admin/departments/department/{org.sales.pk}/change/",
        department_form(org.sales, name_en="Sales and Marketing", deputies=[org.sales_deputy.pk, org.requester.pk]),
    )
    assert response.status_code == 302
    rows = list(Department.history.filter(id=org.sales.pk, history_user=org.admin))
    assert rows, "the admin's change has rows with the admin as author"
    with translation.override("en"):
        entries = selectors.history_of(org.sales, reader=org.admin)
    changes = [change.as_text() for entry in entries if entry.user == org.admin for change in entry.changes]
    assert "Name (English): Sales → Sales and Marketing" in changes
    assert "Deputy heads: added 张三" in changes
    # Saving the form again as it is records nothing new.
    before = Department.history.filter(id=org.sales.pk).count()
    org.sales.refresh_from_db()
    client.post(f"/admin/departments/department/{org.sales.pk}/change/", department_form(org.sales))
    assert Department.history.filter(id=org.sales.pk).count() == before


def test_a_change_in_the_portal_is_recorded_with_its_author(client, org):
    login(client, org.sales_head)
    today = timezone.localdate()
    response = client.post(
        "/me/delegations/new/",
        {"delegate": org.sales_deputy.pk, "starts_on": today, "ends_on": today + timedelta(days=2)},
    )
    assert response.status_code == 302
    delegation = Delegation.objects.get(delegator=org.sales_head)
    row = latest(Delegation, delegation.pk)
    assert row.history_type == "+" and row.history_user == org.sales_head


def test_a_command_or_worker_change_has_no_author_and_shows_system(client, org):
    Skill.objects.create(name="焊接", name_en="Welding")
    login(english(client), org.admin)
    page = client.get("/settings-history/?kind=skill").content.decode()
    assert "Welding" in page and "system" in page


def test_signing_in_records_nothing_but_a_new_right_does(client, org):
    before = org.requester.history.count()
    login(client, org.requester)
    org.requester.set_password("another-one-9")
    org.requester.save()
    assert org.requester.history.count() == before
    org.requester.can_sign_off = True
    org.requester.save()
    assert org.requester.history.count() == before + 1


def test_the_differences_speak_the_readers_language(client, org):
    org.sales.deputies.add(org.requester)
    org.sales.accepts_requests = False
    org.sales.save()
    login(client, org.admin)
    english(client)
    page = client.get(f"/settings-history/department/{org.sales.pk}/").content.decode()
    assert "Deputy heads" in page and "Accepts requests" in page
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "zh-hans"
    page = client.get(f"/settings-history/department/{org.sales.pk}/").content.decode()
    assert "副职" in page and "Deputy heads" not in page


def test_a_robots_secret_and_token_are_never_shown_nor_kept(client, org):
    robot = ImRobot.objects.create(
        name="销售群", department=org.sales, kind="dingtalk", url=ROBOT_URL, secret="SEC-very-secret"
    )
    robot.secret = "SEC-another-secret"
    robot.url = ROBOT_URL.replace("abc123", "xyz789")
    robot.save()
    rows = list(ImRobot.history.filter(id=robot.pk).values_list("secret", "url"))
    assert len(rows) == 2
    for secret, url in rows:
        assert "SEC" not in secret and "TOKEN" not in url
    assert rows[0][0] == fingerprint("SEC-another-secret")
    login(english(client), org.admin)
    for address in (
        "/settings-history/",
        f"/settings-history/im-robot/{robot.pk}/",
        "/settings-history/?export=csv",
    ):
        content = client.get(address).content.decode("utf-8-sig")
        assert "SEC-" not in content and "TOKEN" not in content and "sha256" not in content, address
    with translation.override("en"):
        entry = selectors.history_of(robot)[0]
    assert {change.label for change in entry.changes} == {"Signing secret", "Webhook URL"}


def test_the_log_filters_by_kind_person_dates_and_name(client, org):
    org.sales.name_en = "Sales and Marketing"
    org.sales.save()
    login(english(client), org.admin)
    client.post(f"/admin/departments/department/{org.hr.pk}/change/", department_form(org.hr, name_en="People Office"))

    def names(query):
        response = client.get("/settings-history/" + query)
        assert response.status_code == 200
        return [(entry.kind.key, entry.name) for entry in response.context["page"].object_list]

    assert ("department", "People Office") in names("?kind=department")
    assert all(key == "department" for key, _name in names("?kind=department"))
    assert names("?person=admin") == [("department", "People Office")]
    assert ("department", "Sales and Marketing") in names("?q=marketing")
    assert ("department", "People Office") not in names("?q=marketing")
    today = timezone.localdate()
    assert names(f"?since={today + timedelta(days=1)}") == []
    assert names(f"?since={today}&until={today}")
    # Bad filters get a message, not a 500 nor every row.
    response = client.get("/settings-history/?person=nobody-here&until=2026-01-01&since=2026-02-01")
    assert response.status_code == 200 and response.context["page"] is None
    assert "Nobody signs in as nobody-here." in response.content.decode()


def test_department_administrators_read_their_own_departments_only(client, org):
    RequestType.objects.create(department=org.sales, code="quote", name="报价", name_en="Quote")
    RequestType.objects.create(department=org.purchasing, code="buy", name="采购", name_en="Buy")
    Skill.objects.create(name="焊接")
    login(english(client), org.sales_head)  # the head administers 销售部
    entries = client.get("/settings-history/?page=1").context["page"].object_list
    kinds = {entry.kind.key for entry in entries}
    assert "skill" not in kinds and "person" not in kinds
    assert {"Quote"} == {entry.name for entry in entries if entry.kind.key == "request-type"}
    departments = {entry.name for entry in entries if entry.kind.key == "department"}
    assert departments == {"Sales"}


def test_the_export_holds_the_filtered_rows(client, org):
    org.sales.name_en = "Sales and Marketing"
    org.sales.save()
    login(english(client), org.admin)
    response = client.get("/settings-history/?kind=department&q=marketing&export=xlsx")
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0] == ("When", "Who", "Kind of object", "Object", "What happened", "Changes")
    # The name as the row then stood: only the version after the change matches.
    assert [row[3] for row in rows[1:]] == ["Sales and Marketing"]
    assert rows[1][1] == "system" and rows[1][4] == "was changed"
    assert "Name (English): Sales → Sales and Marketing" in rows[1][5]
    csv = client.get("/settings-history/?kind=department&q=marketing&export=csv").content.decode("utf-8-sig")
    assert "Name (English): Sales → Sales and Marketing" in csv


def test_one_objects_history_as_a_panel_and_on_the_department_page(client, org):
    purchase = RequestType.objects.create(department=org.sales, code="quote", name="报价", name_en="Quote")
    RequestField.objects.create(request_type=purchase, key="amount", label="金额", label_en="Amount", kind="number")
    login(english(client), org.admin)
    fragment = client.get(f"/settings-history/request-type/{purchase.pk}/", headers={"HX-Request": "true"})
    assert fragment.status_code == 200
    content = fragment.content.decode()
    assert "<html" not in content and "request field: Quote · Amount" in content
    assert [entry.kind.key for entry in selectors.history_of(purchase)] == ["request-field", "request-type"]
    page = client.get("/departments/sales/").content.decode()
    assert f'hx-get="/settings-history/department/{org.sales.pk}/"' in page
    login(client, org.requester)
    assert "/settings-history/" not in client.get("/departments/sales/").content.decode()


def test_the_workbook_import_is_recorded_with_the_admin(org):
    data = workbook(
        {
            "departments": [["code", "name", "name_en", "parent"], ["plant", "工厂", "Plant", "hq"]],
            "people": [["username", "display_name"], ["li.plant", "李厂长"]],
            "memberships": [["username", "department", "role", "is_primary"], ["li.plant", "plant", "deputy", "yes"]],
        }
    )
    services.import_workbook(read_workbook(data), by=org.admin)
    plant = Department.objects.get(code="plant")
    rows = list(Department.history.filter(id=plant.pk))
    assert [row.history_type for row in rows] == ["+"] and rows[0].history_user == org.admin
    with translation.override("en"):
        texts = [change.as_text() for change in selectors.history_of(plant)[-1].changes]
    assert "Deputy heads: added 李厂长" in texts and "Parent department: Headquarters" in texts
    # Changes by a later import are differences from the imported version.
    services.import_workbook(
        read_workbook(workbook({"departments": [["code", "name", "name_en"], ["plant", "工厂", "Factory"]]})),
        by=org.admin,
    )
    with translation.override("en"):
        texts = [change.as_text() for change in selectors.history_of(plant)[0].changes]
    assert texts == ["Name (English): Plant → Factory"]


def test_the_holidays_import_is_recorded(org):
    holidays.holidays_import(year=2026, by=org.admin)
    day = CalendarDay.objects.order_by("date").first()
    row = latest(CalendarDay, day.pk)
    assert row.history_type == "+" and row.history_user == org.admin


def test_the_log_page_reads_a_fixed_number_of_queries(client, org, django_assert_max_num_queries):
    login(client, org.admin)

    def add(numbers) -> None:
        for number in numbers:
            department = Department.objects.create(code=f"d{number}", name=f"部门{number}", head=org.requester)
            department.deputies.add(org.assignee)
            RequestType.objects.create(department=department, code=f"t{number}", name=f"类型{number}")
            Skill.objects.create(name=f"技能{number}")

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            response = client.get("/settings-history/")
        assert response.status_code == 200
        return len(queries), len(response.context["page"].object_list)

    add(range(3))
    few, shown = count()
    add(range(3, 40))
    many, shown_now = count()
    assert shown < shown_now == 50
    # The queries follow the kinds on the page (fewer here: the first people and memberships
    # went to page 2), never the number of rows.
    assert many <= few
    with django_assert_max_num_queries(few):
        client.get("/settings-history/?page=2")


def test_a_handed_over_seat_is_in_the_history_with_the_admin(org):
    from handover import services as handover

    handover.hand_over(person=org.purchasing_head, by=org.admin, default=org.assignee, chosen={}, deactivate=True)
    seat = Membership.objects.get(user=org.purchasing_head, department=org.purchasing)
    row = latest(Membership, seat.pk)
    assert (row.history_type, row.role, row.history_user) == ("~", Membership.Role.MEMBER, org.admin)
    # The department's save is recorded too (its author comes from the request, none here).
    assert latest(Department, org.purchasing.pk).head_id == org.assignee.pk
