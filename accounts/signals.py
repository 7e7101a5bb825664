"""The sign-in audit trail (SignInEvent): Django's and django-axes' signals, recorded."""

from axes.signals import user_locked_out
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from accounts.models import SignInEvent

METHODS = {
    "django.contrib.auth.backends.ModelBackend": SignInEvent.Method.PASSWORD,
    "accounts.backends.DirectoryBackend": SignInEvent.Method.LDAP,
    "accounts.backends.OpenIDBackend": SignInEvent.Method.OIDC,
}


def _record(kind: str, request, *, user=None, username: str = "", method: str = "") -> None:
    meta = request.META if request is not None else {}
    ip_address = meta.get("REMOTE_ADDR") or None
    SignInEvent.objects.create(
        kind=kind,
        method=method,
        user=user,
        username=(username or (user.get_username() if user is not None else ""))[:150],
        ip_address=ip_address,
        user_agent=meta.get("HTTP_USER_AGENT", "")[:300],
    )


@receiver(user_logged_in, dispatch_uid="accounts.record_sign_in")
def record_sign_in(sender, request, user, **kwargs) -> None:
    _record(SignInEvent.Kind.SIGNED_IN, request, user=user, method=METHODS.get(getattr(user, "backend", ""), ""))


@receiver(user_login_failed, dispatch_uid="accounts.record_failed_sign_in")
def record_failed_sign_in(sender, credentials, request=None, **kwargs) -> None:
    # The callback of OpenID Connect hands a nonce, not a login; Django has already masked passwords.
    method = SignInEvent.Method.OIDC if "nonce" in credentials else ""
    _record(SignInEvent.Kind.FAILED, request, username=str(credentials.get("username") or ""), method=method)


@receiver(user_locked_out, dispatch_uid="accounts.record_lockout")
def record_lockout(sender, request, username, ip_address, **kwargs) -> None:
    _record(SignInEvent.Kind.LOCKED_OUT, request, username=str(username or ""))


@receiver(user_logged_out, dispatch_uid="accounts.record_sign_out")
def record_sign_out(sender, request, user, **kwargs) -> None:
    if user is not None:
        _record(SignInEvent.Kind.SIGNED_OUT, request, user=user)
