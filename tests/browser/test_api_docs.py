"""The API docs page (/api/docs/) in a real chromium: Swagger UI from the sidecar's static files,
under the site's Content-Security-Policy, lists the operations; and a person makes a token on
their profile page and sees it once. Screenshots: test-artifacts/browser/api-docs/."""

import pytest

from tests.browser.test_journeys import assert_clean

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def test_the_docs_page_lists_the_operations(browser_for, org):
    b = browser_for("en", "api-docs")
    b.login("requester", org.password)
    b.goto("/api/docs/")
    b.page.wait_for_selector(".opblock-summary-path", timeout=30000)
    paths = b.page.locator(".opblock-summary-path").all_inner_texts()
    shown = {p.replace("\u200b", "") for p in paths}
    assert "/api/v1/requests/" in shown
    assert "/api/v1/requests/{number}/approve/" in shown
    assert "/api/v1/notifications/read/" in shown
    b.shot("operations")
    assert_clean(b)


@pytest.mark.parametrize("language", ["zh", "en"])
def test_a_person_makes_a_token_on_their_profile(language, browser_for, org):
    b = browser_for(language, "api-token")
    b.login("requester", org.password)
    b.goto("/me/")
    b.page.click("#api-tokens a.btn")
    b.page.fill("[name=name]", "ERP")
    b.page.check("[name=scope][value=act]")
    b.submit("main form[method=post] button[type=submit]")
    secret = b.page.input_value("#token-secret")
    assert secret.startswith("cp_")
    b.shot("created")
    b.goto("/me/")
    assert secret not in b.page.content()
    assert secret[:10] in b.page.content()
    b.shot("listed")
    assert_clean(b)
