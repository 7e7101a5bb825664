"""Approvals in a real chromium, in Chinese and in English: a requester files with a CC, someone
follows, the requester withdraws (撤回), edits and submits again; the approver adds a
countersigner (加签), who agrees, and the request goes on; the CC'd person and the follower hear
of the filing and of the end. Screenshots: test-artifacts/browser/approvals/<language>/."""

import pytest

from notifications.models import Notification
from tasks import services
from tasks.models import Approval, Task, TaskAction
from tests.browser.test_journeys import LANGUAGES, TEXT, assert_clean

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def choose_person(b, box: str, typed: str):
    """Type into a people picker and take the first suggestion."""
    b.page.type(box, typed)
    b.page.wait_for_selector(f"{box} ~ .people-list button")
    b.page.click(f"{box} ~ .people-list button")


def heard(person, task: Task, action: TaskAction) -> bool:
    """Whether `person` has the follower's notice of `action` on the request."""
    notices = Notification.objects.filter(recipient=person, kind="watching", link=f"/requests/{task.number}/")
    return any(str(action.label) in notice.message for notice in notices)


@pytest.mark.parametrize("language", LANGUAGES)
def test_countersign_withdraw_resubmit_and_followers(language, browser_for, org, purchase):
    b = browser_for(language, "approvals")
    password = org.password

    # The requester files a 采购申请, copying the deputy (抄送).
    b.login("requester", password)
    b.goto("/requests/new/purchase/")
    b.page.fill("[name=title]", "采购投影仪")
    b.page.fill("[name=f_amount]", "3000")
    choose_person(b, "#id_watchers", "李副")
    b.submit("#task-form button[name=action][value=submit]")
    task = Task.objects.get(title="采购投影仪")
    assert task.state == "pending_approval" and list(task.watchers.all()) == [org.sales_deputy]
    detail = f"/requests/{task.number}/"
    assert heard(org.sales_deputy, task, TaskAction.SUBMITTED)
    b.shot("filed")

    # 采购部's head, who will handle it, follows it.
    b.login("purchasing_head", password)
    b.goto(detail)
    b.submit("form[action$='/follow/'] button")
    assert task.watchers.filter(pk=org.purchasing_head.pk).exists()
    b.shot("followed")

    # The requester withdraws it, edits it and submits it again.
    b.login("requester", password)
    b.goto(detail)
    b.act("withdraw", {"comment": "金额要改"})
    task.refresh_from_db()
    assert task.state == "draft"
    b.shot("withdrawn")
    b.page.click(f"a[href='/requests/{task.number}/edit/']")
    b.page.wait_for_selector("#task-form")
    b.page.fill("[name=title]", "采购两台投影仪")
    b.page.fill("[name=f_amount]", "6000")
    b.shot("editing")
    b.submit("#task-form button[name=action][value=submit]")
    task.refresh_from_db()
    assert (task.state, task.title, task.field_values["amount"], task.approval_round) == (
        "pending_approval",
        "采购两台投影仪",
        "6000",
        2,
    )
    assert TEXT[language]["pending_approval"] in b.page.inner_text("main")
    for person in (org.sales_deputy, org.purchasing_head):
        assert heard(person, task, TaskAction.WITHDRAWN) and heard(person, task, TaskAction.SUBMITTED), person
    b.shot("submitted-again")

    # The approver adds the general manager alongside (加签, countersign), saying why, and agrees.
    b.login("sales_head", password)
    b.goto(detail)
    b.page.click("button[data-bs-target='#act-add_approver']")
    b.page.wait_for_selector("#act-add_approver.show")
    choose_person(b, "#id_add_approver_person", "郑")
    b.page.check("#act-add_approver [name=position][value=alongside]")
    b.page.fill("#act-add_approver [name=comment]", "新设备，请郑总会签")
    b.shot("adding-a-countersigner")
    b.submit("#act-add_approver button[type=submit]")
    route = b.page.inner_text("main")
    assert "新设备，请郑总会签" in route and org.leader.name in route
    assert Approval.objects.get(task=task, round=2, approver=org.leader).added_by == org.sales_head
    b.shot("countersigner-added")
    b.act("approve", {"opinion": "同意"})
    task.refresh_from_db()
    assert task.state == "pending_approval"  # the countersigner has not agreed yet

    # The countersigner agrees on their phone; the request goes on to 采购部.
    b.phone()
    b.login("leader", password)
    b.goto(detail)
    b.act("approve", {"opinion": "同意，注意比价"})
    b.shot("countersigned-phone")
    b.desktop()
    task.refresh_from_db()
    assert task.state == "pending_acceptance"

    # 采购部 does the work; the requester confirms it done.
    services.task_accept(task=task, by=org.purchasing_head, assignee=org.assignee)
    services.task_finish(task=Task.objects.get(pk=task.pk), by=org.assignee)
    b.login("requester", password)
    b.goto(detail)
    b.act("confirm", {"comment": "已收到"})
    task.refresh_from_db()
    assert task.state == "done"
    assert TEXT[language]["done"] in b.page.inner_text("main")

    # The CC'd person and the follower heard of the filing and of the end, on their notices page.
    for person in (org.sales_deputy, org.purchasing_head):
        assert heard(person, task, TaskAction.SUBMITTED) and heard(person, task, TaskAction.CONFIRMED), person
    b.login("sales_deputy", password)
    b.goto("/notifications/")
    notices = b.page.inner_text("main")
    assert notices.count(task.number) >= 3, notices  # filed, withdrawn, filed again, taken on, done
    b.shot("cc-notices")
    assert_clean(b)
