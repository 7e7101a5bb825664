"""Journeys (c) through the real UI in a real chromium, in Chinese and in English:
a team meeting's action item becomes a request with one click (an htmx form), and a conflict on a
request climbs from negotiation to mediation to arbitration and is decided.
Screenshots: test-artifacts/browser/<journey>/<language>/."""

from datetime import timedelta

import pytest
from django.utils import timezone

from conflicts.models import Conflict, ConflictAction
from tasks import services as task_services
from tasks.models import Task
from teams import services as team_services
from teams.models import ActionItem, TeamRequest
from tests.browser.test_journeys import LANGUAGES, assert_clean
from tests.conflicts.conftest import chair  # noqa: F401
from tests.teams.conftest import active_team, goal, team  # noqa: F401

pytestmark = [pytest.mark.browser, pytest.mark.slow]

TEXT = {
    "zh": {"make_request": "转为事务", "mediation": "调解", "arbitration": "仲裁"},
    "en": {"make_request": "Make it a request", "mediation": "Mediation", "arbitration": "Arbitration"},
}


def current_level(browser) -> str:
    """The rung of the conflict ladder the page highlights."""
    return browser.page.inner_text("main ol.list-inline .badge.text-bg-primary")


@pytest.mark.parametrize("language", LANGUAGES)
def test_action_item_becomes_a_request_with_one_click(language, browser_for, org, active_team, support):  # noqa: F811
    # A meeting of the market team (lead: sales_head) with an action item for 采购部, owned by assignee.
    meeting = team_services.meeting_add(
        team=active_team, by=org.sales_head, starts_at=timezone.now() + timedelta(days=1), minutes=60
    )
    item = team_services.action_add(
        meeting=meeting,
        by=org.sales_head,
        title="核算样品成本",
        owner=org.assignee,
        department=org.purchasing,
        due_on=timezone.localdate() + timedelta(days=5),
    )
    b = browser_for(language, "team-action-to-request")

    # A member (requester) opens the meeting and makes the action item a request with one click.
    b.login("requester", org.password)
    b.goto(f"/teams/{active_team.pk}/meetings/{meeting.pk}/")
    row = f"#action-{item.pk}"
    assert "核算样品成本" in b.page.inner_text(row)
    b.shot("meeting-with-action-item")
    url_before = b.page.url
    button = b.page.locator(f"{row} form[action$='/actions/{item.pk}/request/'] button")
    assert button.inner_text().strip() == TEXT[language]["make_request"]
    with b.page.expect_response(lambda r: r.url.endswith(f"/actions/{item.pk}/request/")) as answer:
        button.click()
    assert answer.value.status == 200  # the htmx fragment, not a redirect: the page was not reloaded
    link = b.page.wait_for_selector(f"{row} a[href^='/requests/']")
    assert b.page.url == url_before

    task = Task.objects.get()
    item.refresh_from_db()
    assert item.task == task
    assert task.title == "核算样品成本" and task.request_type == support
    assert task.requester == org.requester and task.target_department == org.purchasing
    assert task.state == Task.State.PENDING_ACCEPTANCE
    assert TeamRequest.objects.filter(team=active_team, task=task).exists()
    assert link.inner_text().strip() == task.number
    assert task.number in b.page.inner_text(row)
    assert not b.page.locator(f"{row} form[action$='/request/']").count()  # no second click possible
    b.shot("action-item-is-a-request")

    # The request page, opened from the number.
    with b.page.expect_navigation():
        link.click()
    b.page.wait_for_load_state("load")
    assert b.page.url.endswith(f"/requests/{task.number}/")
    main = b.page.inner_text("main")
    assert task.number in main and "核算样品成本" in main
    b.shot("request-page")

    # Reloaded, the meeting page still shows the number and no button.
    b.goto(f"/teams/{active_team.pk}/meetings/{meeting.pk}/")
    assert task.number in b.page.inner_text(row)
    assert ActionItem.objects.filter(task__isnull=False).count() == 1 and Task.objects.count() == 1
    assert_clean(b)


@pytest.mark.parametrize("language", LANGUAGES)
def test_conflict_escalates_to_arbitration_and_is_decided(language, browser_for, org, chair, support):  # noqa: F811
    task = task_services.task_create(by=org.requester, request_type=support, title="交期太短", values={}, submit=True)
    b = browser_for(language, "conflict-ladder")
    password = org.password

    # The requester raises the conflict from the request page, 销售部 against 采购部.
    b.login("requester", password)
    b.goto(f"/requests/{task.number}/")
    b.submit(f"#conflicts-panel a[href='/conflicts/raise/request/{task.number}/']")
    b.page.fill("[name=subject]", "交货期争议")
    for department in (org.sales, org.purchasing):
        b.page.check(f"[name=departments][value='{department.pk}']")
    b.page.fill("[name=position]", "客户要求两周内交货")
    b.shot("raise-form")
    b.submit("main form button[type=submit]")
    conflict = Conflict.objects.get(subject="交货期争议")
    page = f"/conflicts/{conflict.pk}/"
    assert b.page.url.endswith(page)
    assert conflict.state == Conflict.State.NEGOTIATION and conflict.task == task
    b.shot("negotiation")

    # Negotiation fails: the requester, speaking for 销售部, escalates now with a reason.
    b.act("escalate", {"text": "协商失败，采购部坚持四周"})
    conflict.refresh_from_db()
    assert conflict.state == Conflict.State.MEDIATION and conflict.mediator == org.leader
    assert "协商失败，采购部坚持四周" in b.page.inner_text("main")
    assert TEXT[language]["mediation"] in current_level(b)
    b.shot("mediation")

    # The mediator (the head of hq above both) cannot settle it and refers it to arbitration.
    b.login("leader", password)
    b.goto(page)
    assert not b.page.locator("button[data-bs-target='#act-decide']").count()  # a mediator never decides
    b.act("escalate", {"text": "调解不成，提交仲裁"})
    conflict.refresh_from_db()
    assert conflict.state == Conflict.State.ARBITRATION and conflict.arbiter == chair
    assert TEXT[language]["arbitration"] in current_level(b)
    b.shot("arbitration")

    # The arbiter decides through the page; the decision is final and shows on the page.
    decision = "按四周交货，销售部向客户解释"
    b.login("chair", password)
    b.goto(page)
    b.shot("arbiter-before-deciding")
    b.act("decide", {"text": decision})
    conflict.refresh_from_db()
    assert conflict.state == Conflict.State.RESOLVED
    assert conflict.resolution == Conflict.Resolution.ARBITRATED
    assert (conflict.decision, conflict.decided_by) == (decision, chair)
    assert conflict.closed_at is not None
    assert decision in b.page.inner_text("#decision")
    assert not b.page.locator("#actions").count()  # nothing is left to do on a decided conflict
    actions = list(conflict.logs.order_by("pk").values_list("action", "actor__username"))
    assert actions[-3:] == [
        (ConflictAction.ESCALATED, "requester"),
        (ConflictAction.ESCALATED, "leader"),
        (ConflictAction.DECIDED, "chair"),
    ]
    b.shot("decided")

    # A party sees the same final decision.
    b.login("purchasing_head", password)
    b.goto(page)
    assert decision in b.page.inner_text("#decision")
    b.shot("party-sees-decision")
    assert_clean(b)
