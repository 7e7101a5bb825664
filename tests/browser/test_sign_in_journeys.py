"""New people sign in through the organisation's OpenID provider (its real login page) and through
LDAP on the portal's login page, land in their department with their role, file a request, and
sign out (ending the provider's session). Screenshots: test-artifacts/browser/sign-in/<language>/."""

import copy

import pytest

from departments.models import Membership, User
from tasks.models import Task
from tests.accounts import ldap_server
from tests.accounts.conftest import PROVIDER_PEOPLE

pytestmark = [pytest.mark.browser, pytest.mark.slow]

LANGUAGES = ["zh", "en"]
TEXT = {
    "zh": {"sign_in_with": "使用 Example SSO 登录", "pending_acceptance": "待受理"},
    "en": {"sign_in_with": "Sign in with Example SSO", "pending_acceptance": "Pending acceptance"},
}


@pytest.fixture
def portal_with_sso(live_server, oidc_configured, ldap_configured, settings):
    """The portal at live_server with both the OpenID provider and the directory configured."""
    oidc_configured.setup(portal_urls=[live_server.url], people=PROVIDER_PEOPLE)
    # What settings.py adds for a configured provider: sign-out's redirect to it is a form's.
    policy = copy.deepcopy(settings.CONTENT_SECURITY_POLICY)
    policy["DIRECTIVES"]["form-action"].append(oidc_configured.url)
    settings.CONTENT_SECURITY_POLICY = policy
    return oidc_configured


def file_support_request(b, title):
    b.goto("/requests/new/support/")
    b.page.wait_for_selector("#task-form")
    b.page.fill("[name=title]", title)
    b.page.fill("[name=description]", "会议室投影仪无法开机")
    b.submit("#task-form button[name=action][value=submit]")
    return Task.objects.get(title=title)


@pytest.mark.parametrize("language", LANGUAGES)
def test_new_people_sign_in_through_the_provider_and_the_directory(
    language, browser_for, org, support, portal_with_sso
):
    b = browser_for(language, "sign-in")

    # Through the OpenID provider: the button, the provider's own login page, back signed in.
    b.goto("/accounts/login/")
    button = b.page.locator("#oidc-sign-in")
    if language == "en":  # the Chinese text arrives with the translations the lead merges
        assert button.inner_text() == TEXT[language]["sign_in_with"]
    b.shot("login-page")
    with b.page.expect_navigation():
        button.click()
    assert b.page.url.startswith(portal_with_sso.url + "/login/")
    b.page.fill("#op-username", "liu.yang")
    b.page.fill("#op-password", "Provider-pass-2026")
    b.shot("provider-login-page")
    with b.page.expect_navigation(url=lambda url: url.rstrip("/") == b.base_url):
        b.page.click("#op-login button[type=submit]")
    b.shot("signed-in-through-provider")
    liu = User.objects.get(username="liu.yang")
    membership = liu.memberships.get()
    assert membership.department == org.sales and membership.role == Membership.Role.MEMBER

    task = file_support_request(b, f"投影仪故障 {language} (OIDC)")
    assert task.requester == liu and task.state == "pending_acceptance"
    assert TEXT[language]["pending_acceptance"] in b.page.inner_text("main")
    b.shot("filed-through-provider")

    # Signing out ends the provider's session too and comes back to the login page.
    b.page.click("#user-menu")
    with b.page.expect_navigation(url=lambda url: url.endswith("/accounts/login/")):
        b.page.click("form[action='/accounts/logout/'] button[type=submit]")
    b.goto("/accounts/oidc/start/")
    assert "/login/" in b.page.url and b.page.url.startswith(portal_with_sso.url)  # asked for the password again

    # Through the directory, on the portal's own login page.
    b.login("wang.fang", ldap_server.PASSWORD)
    b.shot("signed-in-through-ldap")
    wang = User.objects.get(username="wang.fang")
    membership = wang.memberships.get()
    assert membership.department == org.sales and membership.role == Membership.Role.MANAGER
    task = file_support_request(b, f"投影仪故障 {language} (LDAP)")
    assert task.requester == wang and task.state == "pending_acceptance"
    b.shot("filed-through-ldap")
    assert not b.errors, b.errors
