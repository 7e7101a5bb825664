"""The security audit trail (SecurityEvent): `record` writes one event. Sign-ins and changes of
accounts and roles come from signals (accounts.signals); access tokens from api.services; a password
change from PasswordChangeRecorder, which AUTH_PASSWORD_VALIDATORS lists so that Django tells it of
every new password, whichever page set it."""

from django.utils.translation import gettext as _

from accounts.models import SecurityEvent

__all__ = ["PasswordChangeRecorder", "SecurityEvent", "record"]


def record(kind: str, request=None, *, user=None, username: str = "", method: str = "", actor=None, detail=""):
    """One event of the audit trail (the people it names, and the request's address and browser)."""
    meta = request.META if request is not None else {}
    SecurityEvent.objects.create(
        kind=kind,
        method=method,
        user=user,
        username=(username or (user.get_username() if user is not None else ""))[:150],
        actor=actor,
        detail=str(detail)[:300],
        ip_address=meta.get("REMOTE_ADDR") or None,
        user_agent=meta.get("HTTP_USER_AGENT", "")[:300],
    )


class PasswordChangeRecorder:
    """A password "validator" that refuses nothing: Django calls password_changed() after any new
    password is saved (the password pages, the admin, changepassword), not when it only rehashes a
    password at sign-in. Its help text tells people the change is recorded."""

    def validate(self, password, user=None) -> None:
        return None

    def password_changed(self, password, user=None) -> None:
        if user is not None and user.pk is not None:
            record(SecurityEvent.Kind.PASSWORD_CHANGED, user=user)

    def get_help_text(self) -> str:
        return _("A change of password is recorded in the portal's security log.")
