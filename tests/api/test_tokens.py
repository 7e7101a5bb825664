"""Personal access tokens: made, named, scoped and revoked on the profile page; stored hashed,
shown once; admins see and revoke anyone's."""

import hashlib

import pytest
from rest_framework.test import APIClient

from api.models import AccessToken
from tests.conftest import login

pytestmark = pytest.mark.django_db


def test_create_shows_the_secret_once_and_stores_its_hash(org, client):
    login(client, org.requester)
    page = client.get("/me/", follow=True).content.decode()
    assert 'id="api-tokens"' in page
    created = client.post("/me/tokens/new/", {"name": "ERP 同步", "scope": "act", "expires_in_days": "30"})
    assert created.status_code == 200
    assert created["Cache-Control"] == "no-store"
    secret = created.context["secret"]
    assert secret.startswith("cp_") and secret in created.content.decode()
    token = AccessToken.objects.get(user=org.requester)
    assert token.secret_hash == hashlib.sha256(secret.encode()).hexdigest()
    assert secret not in {token.name, token.prefix, token.secret_hash} and secret.startswith(token.prefix)
    assert token.scope == "act" and token.expires_at is not None
    profile = client.get("/me/", follow=True).content.decode()
    assert "ERP 同步" in profile and token.prefix in profile and secret not in profile
    # The token works, and its use is recorded.
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {secret}")
    assert api.get("/api/v1/requests/").status_code == 200
    token.refresh_from_db()
    assert token.last_used_at is not None


def test_a_bad_form_makes_no_token(org, client):
    login(client, org.requester)
    for data in (
        {"name": "", "scope": "act"},
        {"name": "x", "scope": "root"},
        {"name": "x\x00", "scope": "read"},
        {"name": "x", "scope": "read", "expires_in_days": "100000"},
    ):
        response = client.post("/me/tokens/new/", data)
        assert response.status_code == 200 and "secret" not in response.context, data
    assert not AccessToken.objects.exists()


def test_the_owner_revokes_and_others_cannot(org, client, bearer):
    api = bearer(org.requester)
    token = api.token
    login(client, org.outsider)
    assert client.post(f"/me/tokens/{token.pk}/revoke/").status_code == 404
    assert api.get("/api/v1/requests/").status_code == 200
    login(client, org.requester)
    assert client.post(f"/me/tokens/{token.pk}/revoke/").status_code == 302
    assert api.get("/api/v1/requests/").status_code == 401


def test_admins_see_and_revoke_anyones(org, client, bearer):
    api = bearer(org.requester)
    login(client, org.admin)
    page = client.get("/people/requester/").content.decode()
    assert api.token.prefix in page
    assert client.post(f"/me/tokens/{api.token.pk}/revoke/").status_code == 302
    assert api.get("/api/v1/requests/").status_code == 401
    # Someone else's page shows no tokens to a non-admin.
    login(client, org.outsider)
    assert api.token.prefix not in client.get("/people/requester/").content.decode()


def test_the_admin_lists_and_revokes(org, client, bearer):
    api = bearer(org.requester)
    login(client, org.admin)
    listing = client.get("/admin/api/accesstoken/")
    assert listing.status_code == 200 and api.token.prefix in listing.content.decode()
    client.post("/admin/api/accesstoken/", {"action": "revoke", "_selected_action": [api.token.pk]})
    assert api.get("/api/v1/requests/").status_code == 401


def test_throttled_per_token(org, bearer, monkeypatch):
    from django.core.cache import cache

    from api.throttling import TokenRateThrottle

    cache.clear()
    monkeypatch.setattr(TokenRateThrottle, "THROTTLE_RATES", {"api": "3/min"})
    first, second = bearer(org.requester), bearer(org.requester)
    assert [first.get("/api/v1/departments/").status_code for _ in range(4)] == [200, 200, 200, 429]
    throttled = first.get("/api/v1/departments/")
    assert throttled.json()["code"] == "throttled" and throttled["Retry-After"]
    # Another token of the same person has its own budget.
    assert second.get("/api/v1/departments/").status_code == 200
    cache.clear()


def test_the_rate_comes_from_settings(settings):
    assert settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]["api"] == settings.API_RATE
