from django.utils.translation import gettext_lazy as _
from rest_framework.permissions import SAFE_METHODS, BasePermission

from api.models import AccessToken


class SignedInWithScope(BasePermission):
    """Signed in (session or token); a token with the read scope may only read."""

    message = _("This token may only read: create a token with the “read and act” scope to take steps.")
    code = "token_read_only"

    def has_permission(self, request, view) -> bool:
        user = request.user
        if not (user and user.is_authenticated and user.is_active):
            return False
        token = request.auth
        if isinstance(token, AccessToken) and not token.can_act and request.method not in SAFE_METHODS:
            return False
        return True
