"""Journeys through the real UI in a real chromium, in Chinese and in English; the approval steps
at a phone-sized viewport. Screenshots: test-artifacts/browser/<journey>/<language>/."""

import io

import pytest
from docx import Document as Docx

from departments.models import Membership
from documents.models import Document
from tasks.models import Task
from tests.factories import MembershipFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.slow]

LANGUAGES = ["zh", "en"]
TEXT = {
    "zh": {"pending_approval": "待审批", "done": "已办结", "archived": "已归档"},
    "en": {"pending_approval": "Pending approval", "done": "Done", "archived": "Archived"},
}


def assert_clean(browser):
    """No console error, CSP violations included, on any page of the journey."""
    assert not browser.errors, browser.errors


@pytest.mark.parametrize("language", LANGUAGES)
def test_purchase_request_over_the_finance_limit(language, browser_for, org, purchase, finance):
    b = browser_for(language, "purchase-request")
    password = org.password

    # 销售部's employee files a 采购申请 of 25,000 (over the 10,000 finance limit) to 采购部.
    b.login("requester", password)
    b.goto("/requests/new/")
    b.shot("type-picker")
    b.page.click("a[href='/requests/new/purchase/']")
    b.page.wait_for_selector("#task-form")
    b.page.fill("[name=title]", "采购二十台笔记本电脑")
    b.page.fill("[name=f_amount]", "25000")
    b.page.fill("[name=description]", "新员工入职使用")
    # CC the deputy: typing part of a name offers people; choosing one ticks them.
    b.page.type("#id_watchers", "李副")
    b.page.wait_for_selector(".people-list button")
    b.shot("cc-suggestions")
    b.page.click(".people-list button")
    assert b.page.is_checked(f"input[name=watchers][value='{org.sales_deputy.pk}']")
    b.shot("filing-form")
    b.submit("#task-form button[name=action][value=submit]")
    task = Task.objects.get(title="采购二十台笔记本电脑")
    assert b.page.url.endswith(f"/requests/{task.number}/")
    assert task.state == "pending_approval" and list(task.watchers.all()) == [org.sales_deputy]
    assert TEXT[language]["pending_approval"] in b.page.inner_text("main")
    b.shot("filed")
    detail = f"/requests/{task.number}/"

    # Their manager approves on a phone, then the finance head (the amount is over the limit).
    b.phone()
    for approver, opinion in (("sales_head", "同意采购"), ("finance_head", "预算内，同意")):
        b.login(approver, password)
        b.goto(detail)
        b.shot(f"{approver}-before-approval-phone")
        # The bell and its unread count (the approval waiting) show beside the collapsed menu,
        # and the buttons are tall enough for a finger.
        assert b.page.is_visible("#bell-phone .badge") and not b.page.is_visible("#mainnav")
        button = "button[data-bs-target='#act-approve']"
        assert b.page.eval_on_selector(button, "e => e.getBoundingClientRect().height") >= 44
        b.act("approve", {"opinion": opinion})
        assert opinion in b.page.inner_text("main")
        b.shot(f"{approver}-approved-phone")
    task.refresh_from_db()
    assert task.state == "pending_acceptance"
    assert list(task.approvals.values_list("decided_by__username", flat=True).order_by("pk")) == [
        "sales_head",
        "finance_head",
    ]
    b.desktop()

    # 采购部's head accepts; the form suggests the member with the lightest load, and they take it.
    b.login("purchasing_head", password)
    b.goto("/requests/inbox/")
    assert task.number in b.page.inner_text("main")
    # The row's assignee list arrives with the suggestion only; portal.js fills in the department.
    row = f"#assignee-{task.pk}"
    assert b.page.eval_on_selector(row, "e => e.options.length") == org.purchasing.memberships.count()
    assert b.page.eval_on_selector(row, "e => e.value") == str(org.assignee.pk)
    # The department's workload arrives when its panel is opened (htmx).
    b.page.click("details[hx-get*='/workload/purchasing/'] summary")
    b.page.wait_for_selector("details[open] .workload table")
    assert org.assignee.name in b.page.inner_text("details[open] .workload")
    b.shot("inbox")
    b.goto(detail)
    b.page.click("button[data-bs-target='#act-accept']")
    b.page.wait_for_selector("#act-accept.show")
    assert b.page.eval_on_selector("#act-accept [name=assignee]", "e => e.value") == str(org.assignee.pk)
    b.shot("accept-with-suggestion")
    b.submit("#act-accept button[type=submit]")
    task.refresh_from_db()
    assert task.state == "in_progress" and task.assignee == org.assignee

    # The assignee posts progress, then submits the result.
    b.login("assignee", password)
    b.goto(detail)
    b.act("progress", {"percent": "60", "note": "已下单，等待到货"})
    assert "已下单，等待到货" in b.page.inner_text("main")
    b.shot("progress-posted")
    b.act("finish", {"comment": "电脑已到货并完成验收"})
    task.refresh_from_db()
    assert task.state == "pending_verification"
    b.shot("submitted-for-verification")

    # The requester verifies.
    b.login("requester", password)
    b.goto(detail)
    b.act("confirm", {"comment": "已收到，谢谢"})
    task.refresh_from_db()
    assert task.state == "done"
    assert TEXT[language]["done"] in b.page.inner_text("main")
    b.shot("done")
    assert_clean(b)


@pytest.mark.parametrize("language", LANGUAGES)
def test_document_from_draft_to_archive(language, browser_for, org, settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    hr_head = UserFactory(username="hr_head", display_name="吴经理")
    MembershipFactory(user=hr_head, department=org.hr, role=Membership.Role.MANAGER)
    b = browser_for(language, "document")
    password = org.password

    # Drafted by 销售部's employee, to be countersigned by 采购部 and 人力资源部, sent to 采购部.
    b.login("requester", password)
    b.goto("/documents/new/")
    b.page.select_option("[name=kind]", "notice")
    b.page.fill("[name=title]", "关于新产品上市协作安排的通知")
    b.page.fill("[name=recipients]", "采购部、人力资源部")
    b.page.fill("[name=body]", "为确保新产品按期上市，现将有关事项通知如下。\n\n请各部门按计划推进。")
    for department in (org.purchasing, org.hr):
        b.page.check(f"[name=countersign_departments][value='{department.pk}']")
    b.page.check(f"[name=recipient_departments][value='{org.purchasing.pk}']")
    b.shot("draft-form")
    b.submit("main form button[type=submit]")
    document = Document.objects.get(title="关于新产品上市协作安排的通知")
    page = f"/documents/{document.pk}/"
    assert b.page.url.endswith(page)
    b.submit(f"form[action='{page}do/submit/'] button")
    b.shot("submitted")

    def decide(username, text, department=None):
        b.login(username, password)
        b.goto(page)
        b.page.select_option("[name=agree]", "yes")
        if department is not None:
            b.page.select_option("[name=department]", str(department.pk))
        b.page.fill("[name=text]", text)
        b.shot(f"{username}-deciding")
        b.submit("form[action*='/do/'] button.btn-success[type=submit]")

    decide("sales_head", "核稿无误")  # review
    decide("purchasing_head", "同意", org.purchasing)  # countersign
    decide("hr_head", "无意见", org.hr)
    document.refresh_from_db()
    assert document.state == "pending_issue"
    decide("leader", "同意印发")  # sign-off: the number is taken
    document.refresh_from_db()
    assert document.state == "issued" and document.number is not None
    assert document.number.text in b.page.inner_text("main")
    b.shot("issued")

    # Distributed by the drafter, acknowledged by 采购部, archived by 销售部's head.
    b.login("requester", password)
    b.goto(page)
    b.submit(f"form[action='{page}do/distribute/'] button")
    b.login("assignee", password)
    b.goto(page)
    b.submit(f"form[action='{page}do/acknowledge/'] button")
    b.shot("acknowledged")
    b.login("sales_head", password)
    b.goto(page)
    b.submit(f"form[action='{page}do/archive/'] button")
    document.refresh_from_db()
    assert document.state == "archived"
    assert TEXT[language]["archived"] in b.page.inner_text("main")
    b.shot("archived")

    # The .docx: downloaded through the page and opened.
    with b.page.expect_download() as download_info:
        b.page.click(".generated-file a[href^='/files/']")
    data = open(download_info.value.path(), "rb").read()
    docx = Docx(io.BytesIO(data))
    texts = [p.text for p in docx.paragraphs]
    assert document.number.text in texts and "关于新产品上市协作安排的通知" in texts
    assert_clean(b)
