"""The OpenID provider's endpoints: set one by one (OIDC_OP_*_ENDPOINT) or read from its discovery
document (OIDC_OP_DISCOVERY, the issuer URL), kept in the cache for an hour."""

import requests
from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY
from django.core.cache import cache
from django.shortcuts import resolve_url

ENDPOINTS = {
    "OIDC_OP_AUTHORIZATION_ENDPOINT": "authorization_endpoint",
    "OIDC_OP_TOKEN_ENDPOINT": "token_endpoint",
    "OIDC_OP_USER_ENDPOINT": "userinfo_endpoint",
    "OIDC_OP_JWKS_ENDPOINT": "jwks_uri",
    "OIDC_OP_LOGOUT_ENDPOINT": "end_session_endpoint",
}
BACKEND = "accounts.backends.OpenIDBackend"


class ProviderUnavailable(Exception):
    """The provider's discovery document cannot be had: sign-in through it cannot start now."""


def discovery_url() -> str:
    url = settings.OIDC_OP_DISCOVERY
    if not url or ".well-known/" in url:
        return url
    return url.rstrip("/") + "/.well-known/openid-configuration"


def discovery() -> dict:
    url = discovery_url()
    if not url:
        return {}
    key = "accounts:oidc-discovery:" + url
    document = cache.get(key)
    if document is None:
        try:
            response = requests.get(url, timeout=settings.OIDC_TIMEOUT)
            response.raise_for_status()
            document = response.json()
        except (requests.RequestException, ValueError) as exc:
            raise ProviderUnavailable(f"{url}: {exc}") from exc
        if not isinstance(document, dict):
            raise ProviderUnavailable(f"{url} is not a discovery document")
        cache.set(key, document, 3600)
    return document


def endpoint(name: str) -> str:
    """An endpoint's URL ('' when the provider has none, e.g. no end_session_endpoint)."""
    return getattr(settings, name, "") or str(discovery().get(ENDPOINTS[name]) or "")


def issuer() -> str:
    return str(discovery().get("issuer") or "") if settings.OIDC_OP_DISCOVERY else ""


def provider_logout_url(request) -> str:
    """Where signing out continues so the provider's session ends too: its end_session_endpoint,
    when it has one and the person signed in through it; '' otherwise."""
    if not settings.OIDC_ENABLED or request.session.get(BACKEND_SESSION_KEY) != BACKEND:
        return ""
    try:
        url = endpoint("OIDC_OP_LOGOUT_ENDPOINT")
    except ProviderUnavailable:
        return ""
    if not url:
        return ""
    params = {
        "client_id": settings.OIDC_RP_CLIENT_ID,
        "post_logout_redirect_uri": request.build_absolute_uri(resolve_url(settings.LOGOUT_REDIRECT_URL)),
    }
    if request.session.get("oidc_id_token"):
        params["id_token_hint"] = request.session["oidc_id_token"]
    return requests.Request("GET", url, params=params).prepare().url
