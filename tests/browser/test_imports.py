"""An admin imports the organisation's workbook in a real chromium: a file with a bad row is shown
row by row and cannot be confirmed; the corrected file is previewed, confirmed and saved.
Screenshots: test-artifacts/browser/imports/."""

import pytest

from departments.models import Department
from tests.browser.test_journeys import LANGUAGES, assert_clean
from tests.imports.conftest import workbook

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def rows(parent: str) -> bytes:
    return workbook(
        {
            "departments": [["code", "name", "name_en", "parent"], ["plant", "工厂", "Plant", parent]],
            "people": [["username", "display_name"], ["new.person", "欧阳新"]],
            "memberships": [["username", "department", "role", "is_primary"], ["new.person", "plant", "head", "yes"]],
        }
    )


@pytest.mark.parametrize("language", LANGUAGES)
def test_an_admin_previews_then_confirms_an_import(language, browser_for, org, tmp_path):
    bad, good = tmp_path / "bad.xlsx", tmp_path / "good.xlsx"
    bad.write_bytes(rows("nowhere"))
    good.write_bytes(rows("hq"))
    org.admin.set_password(org.password)
    org.admin.save()
    b = browser_for(language, "imports")
    b.login("admin", org.password)
    b.goto("/")
    b.page.click("#user-menu")  # the admin's menu leads to the page
    b.submit("a.dropdown-item[href='/organisation/import/']")
    b.page.set_input_files("input[name=file]", str(bad))
    b.submit("main form button[type=submit]")
    assert "/organisation/import/preview/" in b.page.url
    assert b.page.locator("#import-problems").is_visible()
    assert "nowhere" in b.page.inner_text("#import-problems")
    assert b.page.locator("form[action='/organisation/import/confirm/']").count() == 0
    b.shot("bad-row")

    b.goto("/organisation/import/")
    b.page.set_input_files("input[name=file]", str(good))
    b.submit("main form button[type=submit]")
    assert b.page.locator("#import-problems").count() == 0
    b.shot("preview")
    assert not Department.objects.filter(code="plant").exists()
    b.submit("form[action='/organisation/import/confirm/'] button[type=submit]")
    assert b.page.url.endswith("/organisation/import/")
    b.shot("saved")
    plant = Department.objects.get(code="plant")
    assert plant.parent == org.hq and plant.head.username == "new.person"
    assert_clean(b)
