"""A 绝密 document in a real chromium, in Chinese and in English: drafted with its level and 保密期限
through the form, passed by the recipient head to a colleague who reads it on its page only (no
file, no 签收 button), and acknowledged by the head. Screenshots:
test-artifacts/browser/top-secret/<language>/."""

import pytest

from documents import services
from documents.models import Acknowledgement, Document
from tests.factories import MembershipFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.slow]

TITLE = "关于核心技术保护的通知"


@pytest.mark.parametrize("language", ["zh", "en"])
def test_a_top_secret_document_read_by_a_colleague_and_acknowledged_by_the_head(
    language, browser_for, org, settings, tmp_path
):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    clerk = UserFactory(username="clerk", display_name="周六")
    MembershipFactory(user=clerk, department=org.purchasing)
    b = browser_for(language, "top-secret")
    password = org.password

    # Drafted as 绝密, kept secret for 30 years.
    b.login("requester", password)
    b.goto("/documents/new/")
    b.page.select_option("[name=kind]", "notice")
    b.page.select_option("[name=secrecy]", "top_secret")
    b.page.fill("[name=secrecy_years]", "30")
    b.page.fill("[name=title]", TITLE)
    b.page.fill("[name=recipients]", "采购部")
    b.page.fill("[name=body]", "核心技术资料仅限指定人员阅读。")
    b.page.check(f"[name=recipient_departments][value='{org.purchasing.pk}']")
    b.shot("draft-form")
    b.submit("main form button[type=submit]")
    document = Document.objects.get(title=TITLE)
    assert (document.secrecy, document.secrecy_years) == ("top_secret", 30)
    page = f"/documents/{document.pk}/"
    assert b.page.url.endswith(page)
    assert b.page.is_visible(".secrecy-badge")
    b.shot("draft")

    # Reviewed, signed off and distributed (the steps the document journey walks through).
    services.document_submit(document=document, by=org.requester)
    services.document_review(document=document, by=org.sales_head, agree=True, text="同意")
    services.document_sign_off(document=document, by=org.leader, text="同意印发")
    document.refresh_from_db()
    services.document_distribute(document=document, by=org.requester)

    # 采购部's head passes it to a colleague.
    b.login("purchasing_head", password)
    b.goto("/documents/?scope=all")
    assert b.page.is_visible(".secrecy-badge")
    b.shot("list")
    b.goto(page)
    assert b.page.is_visible("#strictest")
    b.page.check(f"[name=people][value='{clerk.pk}']")
    b.shot("passing")
    b.submit(f"form[action='{page}pass/'] button")
    assert document.readers.filter(user=clerk).exists()

    # The colleague reads it on its page: no file to take, no 签收.
    b.login("clerk", password)
    b.goto(page)
    main = b.page.inner_text("main")
    assert TITLE in main and "核心技术资料仅限指定人员阅读。" in main
    assert b.page.is_visible("#read-here-only")
    assert b.page.locator(".generated-file").count() == 0
    assert b.page.locator(f"form[action='{page}do/acknowledge/']").count() == 0
    b.shot("passed-reader")
    assert not Acknowledgement.objects.get(document=document).at

    # The head acknowledges it for the department.
    b.login("purchasing_head", password)
    b.goto(page)
    b.submit(f"form[action='{page}do/acknowledge/'] button")
    ack = Acknowledgement.objects.get(document=document)
    assert ack.by == org.purchasing_head and ack.at is not None
    b.shot("acknowledged")
    assert not b.errors, b.errors
