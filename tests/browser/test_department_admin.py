"""A department's head administers it in a real chromium: from the user menu to the hub, a
dispatch rule, and a Saturday the department works. Screenshots: test-artifacts/browser/deptadmin/."""

from datetime import timedelta

import pytest
from django.utils import timezone

from departments.models import CalendarDay
from tests.browser.test_journeys import LANGUAGES, assert_clean

pytestmark = [pytest.mark.browser, pytest.mark.slow]


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_head_administers_their_department(language, browser_for, org, purchase):  # noqa: F811
    b = browser_for(language, "deptadmin")
    b.login("purchasing_head", org.password)
    b.page.click("#user-menu")
    b.submit("a.dropdown-item[href='/administer/']")
    assert b.page.url.endswith("/departments/purchasing/admin/")
    assert b.page.locator("#hub .card").count() == 4
    b.shot("hub")

    b.submit("a[href='/departments/purchasing/admin/dispatch/']")
    b.submit(f"a[href='/departments/purchasing/admin/dispatch/{purchase.pk}/']")
    b.page.check("input[name=auto_assign][value=least_loaded]")
    b.submit("form button[type=submit].btn-primary")
    purchase.refresh_from_db()
    assert purchase.auto_assign == "least_loaded"

    today = timezone.localdate()
    saturday = today + timedelta(days=(5 - today.weekday()) % 7 or 7)
    b.goto("/departments/purchasing/admin/calendar/")
    b.page.fill("input[name=date]", saturday.isoformat())
    b.page.select_option("select[name=kind]", "workday")
    b.page.fill("input[name=name]", "盘点")
    b.submit("form button[type=submit].btn-primary")
    assert CalendarDay.objects.get(department=org.purchasing).date == saturday
    b.shot("calendar")
    assert_clean(b)
