"""The people picker in a real chromium: typing offers people, choosing one person replaces the
choice, and the form saves the person chosen. Screenshots: test-artifacts/browser/people-picker/."""

from datetime import timedelta

import pytest
from django.utils import timezone

from departments.models import Delegation
from tests.browser.test_journeys import LANGUAGES, assert_clean
from tests.departments.test_people_picker import team_goal

pytestmark = [pytest.mark.browser, pytest.mark.slow]


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_manager_names_a_delegate_by_typing(language, browser_for, org):
    b = browser_for(language, "people-picker")
    b.login("sales_head", org.password)
    b.goto("/me/delegations/new/")

    # Typing part of a login offers people; choosing one ticks them.
    b.page.type("#id_delegate", "requ")
    b.page.wait_for_selector(".people-list button")
    b.shot("suggestions")
    b.page.click(".people-list button")
    assert b.page.is_checked(f"input[name=delegate][value='{org.requester.pk}']")
    # One person only: choosing another replaces the first.
    b.page.type("#id_delegate", "李副")
    b.page.wait_for_selector(".people-list button")
    b.page.keyboard.press("Enter")  # chooses the first suggestion; never sends the form
    assert b.page.locator("input[name=delegate]").count() == 1
    assert b.page.is_checked(f"input[name=delegate][value='{org.sales_deputy.pk}']")
    assert "/me/delegations/new/" in b.page.url

    today = timezone.localdate()
    b.page.fill("[name=starts_on]", today.isoformat())
    b.page.fill("[name=ends_on]", (today + timedelta(days=3)).isoformat())
    b.shot("chosen")
    b.submit("main form[method=post] button[type=submit]")
    assert Delegation.objects.get(delegator=org.sales_head).delegate == org.sales_deputy
    assert_clean(b)


def test_a_team_is_formed_by_typing_its_members(browser_for, org):
    from teams.models import Team

    b = browser_for("zh", "people-picker-team")
    b.login("requester", org.password)
    b.goto("/teams/new/")
    for name, value in team_goal().items():
        b.page.fill(f"[name={name}]", value)
    for row, (login, department) in enumerate([("requ", org.sales), ("assi", org.purchasing)]):
        b.page.type(f"#id_m-{row}-user", login)
        b.page.wait_for_selector(f"#id_m-{row}-user ~ .people-list button")
        b.page.click(f"#id_m-{row}-user ~ .people-list button")
        b.page.select_option(f"[name=m-{row}-department]", str(department.pk))
    b.shot("members-chosen")
    b.submit("main button.btn-primary")
    team = Team.objects.get(name="降本小组")
    assert {m.user for m in team.members.all()} == {org.requester, org.assignee}
    assert_clean(b)


def test_mentions_are_offered_while_typing_a_comment(browser_for, org, support, file_request):
    task = file_request(support)
    b = browser_for("zh", "mentions")
    b.login("requester", org.password)
    b.goto(f"/requests/{task.number}/")
    box = ".mention-box textarea"
    b.page.type(box, "请 @purchasing")
    b.page.wait_for_selector(".mention-list button")
    b.shot("mention-suggestions")
    b.page.keyboard.press("Enter")  # takes the first suggestion, does not send the comment
    assert b.page.input_value(box) == "请 @purchasing_head "
    assert b.page.locator(".mention-list button").count() == 0
    assert_clean(b)


def test_co_handling_departments_are_chosen_by_typing(browser_for, org, support, finance):
    from tasks.models import Task

    b = browser_for("zh", "department-picker")
    b.login("requester", org.password)
    b.goto("/requests/new/support/")
    b.page.fill("[name=title]", "打印机坏了")
    # Typing part of a name offers departments; choosing one ticks it.
    b.page.type("#id_co_departments", "财务")
    b.page.wait_for_selector("#id_co_departments ~ .people-list button")
    b.shot("suggestions")
    b.page.click("#id_co_departments ~ .people-list button")
    assert b.page.is_checked(f"input[name=co_departments][value='{finance.pk}']")
    b.page.type("#id_co_departments", "sal")
    b.page.wait_for_selector("#id_co_departments ~ .people-list button")
    b.page.keyboard.press("Enter")  # chooses the first suggestion; never sends the form
    assert b.page.is_checked(f"input[name=co_departments][value='{org.sales.pk}']")
    assert "/requests/new/support/" in b.page.url
    b.shot("chosen")
    b.submit("#task-form button[value=submit]")
    task = Task.objects.get(title="打印机坏了", parent=None)
    assert set(task.co_departments.all()) == {finance, org.sales}
    assert_clean(b)
