"""OpenID Connect sign-in against a real provider process (tests/oidc_provider_project)."""

from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from django.contrib.auth import BACKEND_SESSION_KEY
from django.urls import reverse

from accounts.models import ExternalIdentity, SecurityEvent
from departments.models import Membership, User
from tests.factories import UserFactory

pytestmark = [pytest.mark.django_db, pytest.mark.slow]


def sign_in(client, provider, username, password=None, **kwargs):
    """The whole code flow: the portal sends the browser to the provider, the person signs in
    there, the provider sends them back with a code. Returns the portal's answer to the callback."""
    start = client.get(reverse("oidc_authentication_init"))
    assert start.status_code == 302 and start["Location"].startswith(provider.issuer + "/authorize")
    back = provider.sign_in(start["Location"], username, **({"password": password} if password else {}), **kwargs)
    assert back.startswith("http://testserver/accounts/oidc/callback/"), back
    parts = urlsplit(back)
    return client.get(parts.path, parse_qs(parts.query))


def test_login_page_offers_the_provider_only_when_configured(client, settings):
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    page = client.get(reverse("login")).content.decode()
    assert "Sign in with" not in page
    assert client.get(reverse("oidc_authentication_init")).status_code == 404
    assert client.get(reverse("oidc_authentication_callback")).status_code == 404
    settings.OIDC_ENABLED = True
    settings.OIDC_PROVIDER_NAME = "Example SSO"
    page = client.get(reverse("login")).content.decode()
    assert "Sign in with Example SSO" in page


def test_a_new_person_signs_in_and_lands_in_their_department_as_manager(client, oidc_configured, org):
    response = sign_in(client, oidc_configured, "chen.jing")
    assert response.status_code == 302 and response["Location"] == "/"
    person = User.objects.get(username="chen.jing")
    assert (person.email, person.display_name, person.employee_no, person.job_title) == (
        "chen.jing@example.org",
        "陈静",
        "E2001",
        "采购经理",
    )
    assert not person.has_usable_password()
    membership = person.memberships.get()
    assert membership.department == org.purchasing and membership.role == Membership.Role.MANAGER
    assert membership.is_primary and membership.title == "采购经理"
    assert person.external_identities.get().source == "oidc"
    assert client.session[BACKEND_SESSION_KEY] == "accounts.backends.OpenIDBackend"
    assert client.get("/").status_code == 200
    signed = SecurityEvent.objects.filter(kind__in=("signed_in", "failed"))
    assert list(signed.values_list("kind", "method", "user")) == [("signed_in", "oidc", person.pk)]


def test_a_role_other_than_manager_is_a_member(client, oidc_configured, org):
    sign_in(client, oidc_configured, "liu.yang")
    membership = Membership.objects.get(user__username="liu.yang")
    assert membership.department == org.sales and membership.role == Membership.Role.MEMBER


def test_without_claims_the_person_is_placed_nowhere(client, oidc_configured, org):
    assert sign_in(client, oidc_configured, "no.claims").status_code == 302
    assert not Membership.objects.filter(user__username="no.claims").exists()


def test_the_same_person_comes_back_by_their_subject(client, oidc_configured, org):
    sign_in(client, oidc_configured, "chen.jing")
    person = User.objects.get(username="chen.jing")
    # Renamed in the portal, e-mail changed: the subject still finds them.
    User.objects.filter(pk=person.pk).update(username="cj", email="old@example.org")
    client.logout()
    sign_in(client, oidc_configured, "chen.jing")
    assert User.objects.filter(employee_no="E2001").count() == 1
    assert client.session["_auth_user_id"] == str(person.pk)
    assert ExternalIdentity.objects.filter(user=person).count() == 1


def test_an_existing_person_is_matched_by_employee_number_then_email(client, oidc_configured, org):
    by_number = UserFactory(username="cjing", employee_no="E2001")
    by_email = UserFactory(username="lyang", email="LIU.YANG@example.org")
    sign_in(client, oidc_configured, "chen.jing")
    assert client.session["_auth_user_id"] == str(by_number.pk)
    client.logout()
    sign_in(client, oidc_configured, "liu.yang")
    assert client.session["_auth_user_id"] == str(by_email.pk)
    assert not User.objects.filter(username__in=["chen.jing", "liu.yang"]).exists()


def test_nobody_is_created_when_creation_is_off(client, oidc_configured, org, settings):
    settings.OIDC_CREATE_USER = False
    response = sign_in(client, oidc_configured, "chen.jing")
    assert response.status_code == 302 and "sso=failed" in response["Location"]
    assert not User.objects.filter(username="chen.jing").exists()
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    assert "did not succeed" in client.get(response["Location"]).content.decode()


def test_an_inactive_person_cannot_sign_in(client, oidc_configured, org):
    sign_in(client, oidc_configured, "chen.jing")
    User.objects.filter(username="chen.jing").update(is_active=False)
    assert client.get("/").status_code == 302  # their session no longer counts
    response = sign_in(client, oidc_configured, "chen.jing")
    assert "sso=failed" in response["Location"]


def test_a_forged_callback_is_refused(client, oidc_configured, org):
    client.get(reverse("oidc_authentication_init"))
    response = client.get(reverse("oidc_authentication_callback"), {"code": "made-up", "state": "made-up"})
    assert response.status_code == 400
    assert client.get("/").status_code == 302


def test_a_wrong_code_is_a_failed_sign_in_not_an_error(client, oidc_configured, org):
    start = client.get(reverse("oidc_authentication_init"))
    state = parse_qs(urlsplit(start["Location"]).query)["state"][0]
    response = client.get(reverse("oidc_authentication_callback"), {"code": "made-up", "state": state})
    assert response.status_code == 302 and "sso=failed" in response["Location"]
    assert list(SecurityEvent.objects.filter(kind__in=("signed_in", "failed")).values_list("kind", "method")) == [
        ("failed", "oidc")
    ]


def test_provider_down_is_a_message_not_an_error(client, settings, org):
    from tests.accounts.ldap_server import free_port

    settings.OIDC_ENABLED = True
    settings.OIDC_RP_CLIENT_ID = "x"
    settings.OIDC_OP_DISCOVERY = f"http://127.0.0.1:{free_port()}/openid"
    response = client.get(reverse("oidc_authentication_init"), follow=True)
    assert response.status_code == 200 and response.redirect_chain[-1][0] == reverse("login")


def test_signing_out_ends_the_provider_session(client, oidc_configured, org):
    session = requests.Session()
    sign_in(client, oidc_configured, "chen.jing", session=session)
    response = client.post(reverse("logout"))
    assert response.status_code == 302
    end = urlsplit(response["Location"])
    assert f"{end.scheme}://{end.netloc}{end.path}" == oidc_configured.issuer + "/end-session"
    assert parse_qs(end.query)["post_logout_redirect_uri"] == ["http://testserver/accounts/login/"]
    assert client.get("/").status_code == 302
    # The provider's session ends too: next time it asks for the password again.
    back = session.get(response["Location"], allow_redirects=False, timeout=10)
    assert back.status_code == 302 and back.headers["Location"] == "http://testserver/accounts/login/"
    start = client.get(reverse("oidc_authentication_init"))
    assert "/login/" in session.get(start["Location"], timeout=10).url


def test_password_sign_out_does_not_go_to_the_provider(client, oidc_configured, org):
    client.post(reverse("login"), {"username": "requester", "password": org.password})
    response = client.post(reverse("logout"))
    assert response["Location"] == reverse("login")


def test_admins_only_password_login_points_to_the_provider(client, oidc_configured, org, settings):
    settings.PASSWORD_LOGIN = "admins-only"
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    refused = client.post(reverse("login"), {"username": "requester", "password": org.password})
    assert refused.status_code == 200
    assert "use “Sign in with Example SSO”" in refused.content.decode()
    assert client.get("/").status_code == 302
    assert client.post(reverse("login"), {"username": "admin", "password": org.password}).status_code == 302
