"""The admins' pages: who may open them, upload → preview → confirm, bad files, holidays."""

from datetime import date

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from departments.models import CalendarDay, Department, User
from imports import services
from tests.conftest import login
from tests.imports.conftest import workbook

pytestmark = pytest.mark.django_db
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PAGES = [
    ("get", "imports:upload"),
    ("get", "imports:preview"),
    ("post", "imports:confirm"),
    ("get", "imports:export"),
    ("get", "imports:holidays"),
    ("post", "imports:holidays"),
]


def upload(client, data: bytes, name: str = "org.xlsx"):
    return client.post(reverse("imports:upload"), {"file": SimpleUploadedFile(name, data, content_type=XLSX)})


def good_file() -> bytes:
    return workbook(
        {
            "departments": [["code", "name", "parent"], ["plant", "工厂", "hq"]],
            "people": [["username", "display_name"], ["new.person", "新人"]],
            "memberships": [["username", "department", "role", "is_primary"], ["new.person", "plant", "head", "yes"]],
        }
    )


def bad_file() -> bytes:
    return workbook(
        {
            "departments": [["code", "name", "parent"], ["plant", "工厂", "hq"], ["bad code", "", "nowhere"]],
            "memberships": [["username", "department", "role"], ["ghost", "plant", "head"]],
        }
    )


@pytest.mark.parametrize("method, name", PAGES)
def test_only_admins_get_in(client, org, method, name):
    url = reverse(name)
    response = getattr(client, method)(url)
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))
    for person in (org.outsider, org.sales_head, org.leader):
        login(client, person)
        assert getattr(client, method)(url).status_code == 403
    staff = User.objects.create(username="staff_only", is_staff=True)
    login(client, staff)
    assert getattr(client, method)(url).status_code == 403


def test_upload_preview_confirm(client, org):
    login(client, org.admin)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    response = upload(client, good_file())
    assert response.status_code == 302 and response["Location"] == reverse("imports:preview")
    preview = client.get(reverse("imports:preview"))
    page = preview.content.decode()
    assert preview.status_code == 200
    assert "Confirm and save" in page and "new.person" in page and "plant" in page
    assert not Department.objects.filter(code="plant").exists()  # nothing saved before the confirm
    token = preview.context["token"]
    stored = client.session["imports.workbook"]["name"]
    assert stored.startswith(f"imports/{org.admin.pk}/") and default_storage.exists(stored)
    response = client.post(reverse("imports:confirm"), {"token": token}, follow=True)
    assert "The workbook was imported: 3 rows added" in response.content.decode()
    plant = Department.objects.get(code="plant")
    assert plant.parent == org.hq and plant.head.username == "new.person"
    assert not default_storage.exists(stored)  # the file is gone once saved
    # Confirming again (a double click) saves nothing twice.
    response = client.post(reverse("imports:confirm"), {"token": token})
    assert response.status_code == 302 and Department.objects.filter(code="plant").count() == 1


def test_a_file_with_bad_rows_names_them_and_saves_nothing(client, org):
    login(client, org.admin)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    assert upload(client, bad_file()).status_code == 302
    preview = client.get(reverse("imports:preview"))
    page = preview.content.decode()
    assert "Nothing will be saved: errors in the workbook: 4." in page
    assert "Sheet departments, row 3, column code" in page
    assert "Sheet departments, row 3, column parent" in page
    assert "Sheet memberships, row 2, column username" in page
    assert "Confirm and save" not in page
    # Forcing the confirm is refused the same way.
    response = client.post(reverse("imports:confirm"), {"token": preview.context["token"]})
    assert response.status_code == 400
    assert "Nothing was saved" in response.content.decode()
    assert not Department.objects.filter(code="plant").exists()


def test_the_preview_speaks_chinese(client, org):
    login(client, org.admin)
    upload(client, bad_file())
    page = client.get(reverse("imports:preview")).content.decode()
    # The fields' own checks answer in Chinese (Django's catalogue); the page's own words follow
    # from locale/pending/orgdata.po once merged.
    assert '<html lang="zh-hans">' in page
    assert "此字段不能为空。" in page  # row 3's empty name


def test_a_confirm_with_another_token_saves_nothing(client, org):
    login(client, org.admin)
    upload(client, good_file())
    response = client.post(reverse("imports:confirm"), {"token": "not-the-token"})
    assert response.status_code == 302 and response["Location"] == reverse("imports:upload")
    assert not Department.objects.filter(code="plant").exists()


def test_one_admins_upload_is_not_another_admins(client, org):
    login(client, org.admin)
    upload(client, good_file())
    other = User.objects.create(username="admin2", is_superuser=True, is_staff=True)
    login(client, other)
    assert client.get(reverse("imports:preview")).status_code == 302


@pytest.mark.parametrize(
    "data, name, message",
    [
        (b"name,code\n", "org.csv", "is not an allowed file type"),
        (b"", "org.xlsx", "The submitted file is empty"),
        (b"just text, not a workbook", "org.xlsx", "does not match its type"),
        (b"MZ\x90\x00\x03\x00\x00\x00", "org.xlsx", "does not match its type"),
        (workbook({"people": [["login"], ["x"]]}), "org.xlsx", "missing columns: username"),
        (workbook({"people": [["username"]]}), "org.xlsx", "no rows to import"),
    ],
)
def test_bad_files_get_a_clear_message(client, org, data, name, message):
    login(client, org.admin)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    response = upload(client, data, name)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert "imports.workbook" not in client.session


def test_a_huge_file_is_refused(client, org, monkeypatch):
    monkeypatch.setattr("imports.forms.MAX_WORKBOOK_BYTES", 1000)
    login(client, org.admin)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    response = upload(client, good_file())
    assert response.status_code == 400 and "is too large" in response.content.decode()


def test_export_downloads_the_workbook(client, org, django_assert_max_num_queries):
    login(client, org.admin)
    with django_assert_max_num_queries(15):
        response = client.get(reverse("imports:export"))
    assert response.status_code == 200 and response["Content-Type"] == XLSX
    from imports.spreadsheet import read_workbook

    assert not services.plan_import(read_workbook(response.content)).changes_anything


def test_the_admin_menu_links_the_pages(client, org):
    login(client, org.admin)
    page = client.get("/").content.decode()
    assert reverse("imports:upload") in page and reverse("imports:holidays") in page
    login(client, org.sales_head)
    page = client.get("/").content.decode()
    assert reverse("imports:upload") not in page


def test_holidays_review_then_save(client, org):
    login(client, org.admin)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    review = client.get(reverse("imports:holidays"), {"year": 2026, "country": "CN"})
    page = review.content.decode()
    assert review.status_code == 200 and "2026-02-14" in page and "春节调休" in page
    assert not CalendarDay.objects.exists()  # nothing saved by looking
    response = client.post(reverse("imports:holidays"), {"year": 2026, "country": "CN"}, follow=True)
    assert "The official days of 2026 were saved" in response.content.decode()
    count = CalendarDay.objects.count()
    assert CalendarDay.objects.get(date=date(2026, 2, 14)).kind == CalendarDay.Kind.WORKDAY
    client.post(reverse("imports:holidays"), {"year": 2026, "country": "cn"})
    assert CalendarDay.objects.count() == count


def test_next_years_statutory_holidays_say_what_is_missing(client, org):
    from django.utils import timezone

    from imports import holidays

    year = timezone.localdate().year + 1
    if not holidays.provisional(year):
        pytest.skip("the installed holiday data already has next year's plan")
    login(client, org.admin)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    review = client.get(reverse("imports:holidays"), {"year": year, "country": "CN"})
    page = review.content.decode()
    assert review.status_code == 200 and f"{year}-01-01" in page
    assert f"The State Council's plan for {year} is not in the installed holiday data yet" in page
    client.post(reverse("imports:holidays"), {"year": year, "country": "CN"})
    assert CalendarDay.objects.filter(date=date(year, 1, 1), kind=CalendarDay.Kind.HOLIDAY).exists()


@pytest.mark.parametrize("year, country", [("2100", "CN"), ("1990", "CN"), ("abc", "CN"), ("2026", "XX"), ("2026", "")])
def test_holidays_for_a_year_without_data(client, org, year, country):
    login(client, org.admin)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    response = client.post(reverse("imports:holidays"), {"year": year, "country": country})
    assert response.status_code == 400
    assert not CalendarDay.objects.exists()
    if year == "2100":
        assert "has no official holidays for 2100 yet" in response.content.decode()
    if country == "XX":
        assert "No holiday data for the country “XX”" in response.content.decode()


def test_an_abandoned_upload_is_cleared_by_the_next(client, org):
    login(client, org.admin)
    upload(client, bad_file())
    first = client.session["imports.workbook"]["name"]
    client.logout()  # the preview is left; a new session knows nothing of it
    login(client, org.admin)
    upload(client, good_file())
    assert not default_storage.exists(first)
    assert default_storage.exists(client.session["imports.workbook"]["name"])


def test_the_admins_lists_link_the_pages(client, org):
    login(client, org.admin)
    page = client.get(reverse("admin:departments_calendarday_changelist")).content.decode()
    assert reverse("imports:holidays") in page
    for name in ("admin:departments_department_changelist", "admin:departments_user_changelist"):
        assert reverse("imports:upload") in client.get(reverse(name)).content.decode()


def test_imports_are_in_the_action_log(client, org):
    from core.actions import actions_of

    login(client, org.admin)
    upload(client, good_file())
    token = client.get(reverse("imports:preview")).context["token"]
    client.post(reverse("imports:confirm"), {"token": token})
    client.post(reverse("imports:holidays"), {"year": 2026, "country": "CN"})
    entries = list(actions_of(org.admin))
    assert [entry.action for entry in entries] == ["imports.workbook_imported", "imports.holidays_imported"]
    assert entries[0].actor == org.admin and entries[0].comment == "org.xlsx"
    assert entries[0].data["departments"]["new"] == 1
    assert entries[1].data["year"] == 2026 and entries[1].data["added"] > 20


def test_a_row_created_meanwhile_rolls_the_whole_import_back(client, org, monkeypatch):
    login(client, org.admin)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    upload(client, good_file())
    token = client.get(reverse("imports:preview")).context["token"]
    real_write = services._write

    def another_admin_first(planner, plan):  # another import commits the same new person first
        User.objects.create(username="new.person")
        real_write(planner, plan)

    monkeypatch.setattr(services, "_write", another_admin_first)
    response = client.post(reverse("imports:confirm"), {"token": token}, follow=True)
    assert "the organisation changed while the workbook was being saved" in response.content.decode()
    assert not Department.objects.filter(code="plant").exists()
    assert not User.objects.filter(username="new.person").exists()  # rolled back with the rest
