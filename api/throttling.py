from rest_framework.throttling import SimpleRateThrottle

from api.models import AccessToken


class TokenRateThrottle(SimpleRateThrottle):
    """Requests per token (each of a person's tokens has its own budget); per person for a
    session. The rate is settings' REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]["api"] (API_RATE)."""

    scope = "api"

    def get_cache_key(self, request, view):
        if isinstance(request.auth, AccessToken):
            ident = f"token-{request.auth.pk}"
        elif request.user and request.user.is_authenticated:
            ident = f"user-{request.user.pk}"
        else:
            ident = f"anon-{self.get_ident(request)}"
        return self.cache_format % {"scope": self.scope, "ident": ident}
