"""How the API knows who calls: a personal access token (`Authorization: Bearer <token>`) or the
browser's session, with Django's CSRF check on unsafe methods (DRF's SessionAuthentication)."""

from django.utils import translation
from django.utils.translation import gettext_lazy as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import authentication, exceptions

from api.models import AccessToken, hash_secret
from api.services import token_used


class BearerTokenAuthentication(authentication.BaseAuthentication):
    keyword = b"bearer"

    def authenticate(self, request):
        parts = authentication.get_authorization_header(request).split()
        if not parts or parts[0].lower() != self.keyword:
            return None
        if len(parts) != 2:
            raise exceptions.AuthenticationFailed(_("Send the token as “Authorization: Bearer <token>”."))
        try:
            secret = parts[1].decode("ascii")
        except UnicodeDecodeError:
            raise exceptions.AuthenticationFailed(_("The token is not valid.")) from None
        token = AccessToken.objects.select_related("user").filter(secret_hash=hash_secret(secret)).first()
        if token is None or not token.user.is_active:
            raise exceptions.AuthenticationFailed(_("The token is not valid."))
        if token.revoked_at is not None:
            raise exceptions.AuthenticationFailed(_("The token was revoked."))
        if token.is_expired:
            raise exceptions.AuthenticationFailed(_("The token has expired."))
        token_used(token)
        if token.user.language:  # as UserLanguageMiddleware does for a signed-in browser
            translation.activate(token.user.language)
            request._request.LANGUAGE_CODE = translation.get_language()
        return token.user, token

    def authenticate_header(self, request):
        # Makes DRF answer 401 (not 403) to a caller who sent no credentials.
        return 'Bearer realm="api"'


class BearerTokenScheme(OpenApiAuthenticationExtension):
    """The token in the OpenAPI schema (the docs page's "Authorize" button)."""

    target_class = BearerTokenAuthentication
    name = "personalAccessToken"

    def get_security_definition(self, auto_schema):
        return {"type": "http", "scheme": "bearer", "description": "A personal access token from your profile page."}
