"""Legal hold in a real chromium: an admin places a hold with a reason from the request page's
panel; the requester sees the badge and the reason and no panel; the list of holds shows it.
Screenshots: test-artifacts/browser/legal-hold/<language>/."""

import pytest

from tasks.models import Task
from tests.browser.test_journeys import assert_clean

pytestmark = [pytest.mark.browser, pytest.mark.slow]


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_a_hold_placed_on_the_request_page(language, browser_for, org, file_request):
    task = _filed(org, file_request)
    b = browser_for(language, "legal-hold")
    b.login("admin", org.password)
    b.goto(f"/requests/{task.number}/")
    b.page.fill("#legal-hold-panel [name=reason]", "合同纠纷 (2026)民初123号")
    b.shot("panel")
    b.submit("#legal-hold-panel button[type=submit]")
    assert Task.objects.get(pk=task.pk).legal_hold
    assert b.page.is_visible("#legal-hold")
    b.shot("placed")
    b.goto("/retention/holds/")
    assert "合同纠纷 (2026)民初123号" in b.page.inner_text("#holds")
    b.shot("list")
    b.login("requester", org.password)
    b.goto(f"/requests/{task.number}/")
    assert b.page.is_visible("#legal-hold") and not b.page.query_selector("#legal-hold-panel")
    b.shot("requester")
    assert_clean(b)


def _filed(org, file_request):
    from tasks.models import RequestType

    request_type = RequestType.objects.create(department=org.purchasing, code="plain", name="咨询", name_en="Question")
    return file_request(request_type, title="买十台电脑")
