"""Sign-in backends: LDAP / Active Directory (django-auth-ldap) and OpenID Connect
(mozilla-django-oidc), each configured by the environment (collab_portal/settings.py) and
answering nothing when it is not. Passwords kept here stay with Django's ModelBackend."""

import logging

import ldap
import requests
from django.conf import settings
from django.core.exceptions import SuspiciousOperation
from django.utils.functional import cached_property
from django_auth_ldap.backend import LDAPBackend
from django_auth_ldap.config import LDAPSearch
from mozilla_django_oidc.auth import OIDCAuthenticationBackend

from accounts import oidc, services
from accounts.directory import DirectoryError, text_of
from accounts.models import ExternalIdentity
from departments.models import User

logger = logging.getLogger(__name__)


class DirectoryBackend(LDAPBackend):
    """LDAP: find the person's entry with the service account (LDAP_BIND_DN), bind as them with
    their password, then place them as the directory sync would (accounts.services.ldap_sign_in)."""

    # No setting carries this prefix: default_settings, built from the LDAP_* settings, is the
    # whole configuration (django-auth-ldap's hook for subclasses).
    settings_prefix = "ACCOUNTS_LDAP_UNUSED_"

    @property
    def default_settings(self) -> dict:
        options = {ldap.OPT_REFERRALS: 0, ldap.OPT_NETWORK_TIMEOUT: settings.LDAP_TIMEOUT_SECONDS}
        if settings.LDAP_CA_CERT_FILE:
            options[ldap.OPT_X_TLS_CACERTFILE] = settings.LDAP_CA_CERT_FILE
            options[ldap.OPT_X_TLS_NEWCTX] = 0
        return {
            "SERVER_URI": settings.LDAP_SERVER_URI,
            "BIND_DN": settings.LDAP_BIND_DN,
            "BIND_PASSWORD": settings.LDAP_BIND_PASSWORD,
            "START_TLS": settings.LDAP_START_TLS,
            "CONNECTION_OPTIONS": options,
            "USER_SEARCH": LDAPSearch(settings.LDAP_USER_BASE, ldap.SCOPE_SUBTREE, settings.LDAP_USER_FILTER),
            "ALWAYS_UPDATE_USER": True,
        }

    def authenticate(self, request, username=None, password=None, **kwargs):
        if not settings.LDAP_ENABLED or not username or not password:
            return None
        self._built = False
        user = super().authenticate(request, username=username, password=password, **kwargs)
        if user is None:
            return None
        try:
            services.ldap_sign_in(user, user.ldap_user.dn, created=self._built)
        except DirectoryError as exc:  # signed in all the same; the nightly sync will place them
            logger.warning("Could not place %s from the directory: %s", user.username, exc)
        return user

    def get_or_build_user(self, username, ldap_user):
        attrs = ldap_user.attrs
        names = settings.LDAP_ATTRS
        user = services.find_person(
            source=ExternalIdentity.Source.LDAP,
            subject=text_of(attrs, names["uuid"]),
            username=username,
            employee_no=text_of(attrs, names["employee_no"]),
            email=text_of(attrs, names["email"]),
        )
        if user is not None:
            return user, False
        self._built = True
        return User(username=services.free_username(username)), True

    def get_user(self, user_id):
        user = super().get_user(user_id)
        return user if user is not None and user.is_active else None


class OpenIDBackend(OIDCAuthenticationBackend):
    """OpenID Connect's authorization code flow (with PKCE), the provider's endpoints from its
    discovery document. Only the callback (which hands over a nonce) reaches it."""

    def __init__(self, *args, **kwargs):
        # The endpoints are read when a sign-in needs them, not for every password sign-in.
        self.UserModel = User

    OIDC_RP_CLIENT_ID = property(lambda self: settings.OIDC_RP_CLIENT_ID)
    OIDC_RP_CLIENT_SECRET = property(lambda self: settings.OIDC_RP_CLIENT_SECRET)
    OIDC_RP_SIGN_ALGO = property(lambda self: settings.OIDC_RP_SIGN_ALGO)
    OIDC_RP_IDP_SIGN_KEY = None

    @cached_property
    def OIDC_OP_TOKEN_ENDPOINT(self):  # noqa: N802 - the name mozilla-django-oidc reads
        return oidc.endpoint("OIDC_OP_TOKEN_ENDPOINT")

    @cached_property
    def OIDC_OP_USER_ENDPOINT(self):  # noqa: N802
        return oidc.endpoint("OIDC_OP_USER_ENDPOINT")

    @cached_property
    def OIDC_OP_JWKS_ENDPOINT(self):  # noqa: N802
        return oidc.endpoint("OIDC_OP_JWKS_ENDPOINT")

    def authenticate(self, request, **kwargs):
        if not settings.OIDC_ENABLED or "nonce" not in kwargs:
            return None
        try:
            return super().authenticate(request, **kwargs)
        except (requests.RequestException, oidc.ProviderUnavailable) as exc:
            # A refused or expired code, or a provider that does not answer: a failed sign-in
            # (Django records it), not an error page.
            logger.warning("OpenID sign-in failed talking to the provider: %s", exc)
            return None

    def verify_token(self, token, **kwargs):
        payload = super().verify_token(token, **kwargs)
        # mozilla-django-oidc checks the signature and the nonce; the token must also be for us,
        # from the provider we trust.
        audience = payload.get("aud")
        audiences = audience if isinstance(audience, list) else [audience]
        if settings.OIDC_RP_CLIENT_ID not in audiences:
            raise SuspiciousOperation("The ID token is for another client.")
        expected_issuer = oidc.issuer()
        if expected_issuer and payload.get("iss") != expected_issuer:
            raise SuspiciousOperation("The ID token comes from another issuer.")
        return payload

    def verify_claims(self, claims):
        return bool(claims.get("sub"))

    def get_or_create_user(self, access_token, id_token, payload):
        claims = self.get_userinfo(access_token, id_token, payload)
        if not self.verify_claims(claims) or claims.get("sub") != payload.get("sub"):
            raise SuspiciousOperation("The provider's user info is not about the ID token's subject.")
        return services.oidc_sign_in(claims)

    def get_user(self, user_id):
        user = super().get_user(user_id)
        return user if user is not None and user.is_active else None
