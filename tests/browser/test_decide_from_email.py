"""An approval decided from the e-mail's link in a real chromium, in Chinese and in English: the
link taken from the sent e-mail, opened logged out, log in, approve, see the request approved;
then the same link again, an expired link and another person's use change nothing.
Screenshots: test-artifacts/browser/decide-from-email/<language>/."""

import re
from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from notifications.models import DecisionLink
from tasks import services

pytestmark = [pytest.mark.browser, pytest.mark.slow]

LINK = re.compile(r"https?://[^\s\"<]+(/decide/[\w-]+/)")
TEXT = {
    "zh": {"approved": "已同意", "used": "已经用过", "expired": "已过期", "forwarded": "只对收件人有效"},
    "en": {"approved": "Approved.", "used": "already used", "expired": "expired", "forwarded": "someone else"},
}
LANGUAGE = {"zh": "zh-hans", "en": "en"}


def decision_links(person) -> list[str]:
    message = [m for m in mail.outbox if m.to == [person.email]][-1]
    return LINK.findall(message.body)


@pytest.mark.parametrize("language", ["zh", "en"])
def test_approve_from_the_e_mail_link(language, browser_for, org, purchase, file_request, settings):
    settings.SITE_URL = "http://testserver"  # the e-mail's host; the browser opens the path
    for person in (org.sales_head, org.requester):
        person.language = LANGUAGE[language]
        person.save(update_fields=["language"])
    task = file_request(purchase, title="采购五台显示器")
    approve, reject = decision_links(org.sales_head)
    words = TEXT[language]
    b = browser_for(language, "decide-from-email")

    # Logged out: the link leads to the login page, and back to the decision after it.
    b.goto(approve)
    assert "/accounts/login/" in b.page.url
    b.shot("login-first")
    b.page.fill("input[name=username]", "sales_head")
    b.page.fill("input[name=password]", org.password)
    b.submit("form[action^='/accounts/login/'] button[type=submit]")
    assert b.page.url.endswith(approve)
    assert task.title in b.page.inner_text("main") and task.number in b.page.inner_text("main")
    assert b.page.is_checked("#decision-form input[name=decision][value=approve]")
    b.shot("decision-page")
    # Opening it changed nothing.
    task.refresh_from_db()
    assert task.state == "pending_approval" and not DecisionLink.objects.filter(used_at__isnull=False).exists()

    b.page.fill("#decision-form [name=opinion]", "同意采购")
    b.submit("#decision-form button[type=submit]")
    assert b.page.url.endswith(f"/requests/{task.number}/")
    assert words["approved"] in b.page.inner_text("main") and "同意采购" in b.page.inner_text("main")
    b.shot("approved")
    task.refresh_from_db()
    assert task.state == "pending_acceptance"
    assert task.approvals.get(approver=org.sales_head).decision == "approved"
    assert not b.errors, b.errors

    # The same link again: it says it was used, and nothing changes.
    logs = task.logs.count()
    response = b.page.goto(b.base_url + approve)
    assert response.status == 410 and words["used"] in b.page.inner_text("#decision-refused")
    b.shot("used-again")

    # A second request: its link expires before it is opened.
    second = file_request(purchase, title="采购两台打印机")
    late, _reject = decision_links(org.sales_head)
    now = timezone.now()
    DecisionLink.objects.filter(target_id=second.pk).update(
        created_at=now - timedelta(days=8), expires_at=now - timedelta(minutes=1)
    )
    response = b.page.goto(b.base_url + late)
    assert response.status == 410 and words["expired"] in b.page.inner_text("#decision-refused")
    b.shot("expired")

    # A third: the approver forwards the e-mail and a colleague opens it.
    third = file_request(purchase, title="采购一台投影仪")
    forwarded, _reject = decision_links(org.sales_head)
    b.login("sales_deputy", org.password)
    response = b.page.goto(b.base_url + forwarded)
    assert response.status == 403 and words["forwarded"] in b.page.inner_text("#decision-refused")
    assert third.title not in b.page.inner_text("main")
    b.shot("forwarded")
    # Nothing is posted through a refused link either: the page has no form.
    assert not b.page.query_selector("#decision-form")

    for row in (second, third):
        row.refresh_from_db()
        assert row.state == "pending_approval"
        assert not row.approvals.exclude(decision="pending").exists()
    assert task.logs.count() == logs
    assert not DecisionLink.objects.filter(target_id__in=[second.pk, third.pk], used_at__isnull=False).exists()
    # The deputy can still approve the third on its own page: the link refused them, not the rule.
    services.task_approve(task=third, by=org.sales_head)
