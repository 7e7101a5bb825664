"""Two-step verification: a code from an authenticator app (TOTP, django-otp's TOTPDevice) after
the password. Whether a sign-in still owes its code is one flag in the session, set at sign-in for
people who turned it on or must have it (OTP_REQUIRED_FOR), so pages ask the database nothing."""

from base64 import b32encode
from binascii import unhexlify
from urllib.parse import quote

from django.conf import settings
from django.shortcuts import redirect
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

PENDING = "accounts.second_step_pending"
# Reachable while the code is owed: the second step itself, signing out, the language switch.
OPEN_NAMES = ("two_step", "two_step_verify", "two_step_qr", "logout", "set_language")
OIDC_BACKEND = "accounts.backends.OpenIDBackend"


def required(user) -> bool:
    """Whether OTP_REQUIRED_FOR makes the second step required for `user`."""
    wanted = settings.OTP_REQUIRED_FOR
    is_admin = user.is_superuser or user.is_staff
    return ("admins" in wanted and is_admin) or ("signers" in wanted and bool(getattr(user, "can_sign_off", False)))


def device_of(user, *, confirmed: bool = True) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=confirmed).order_by("pk").first()


def ask_at_sign_in(request, user) -> None:
    """At sign-in: owe a code if the person has an authenticator or must have one."""
    if request is None or getattr(user, "backend", "") == OIDC_BACKEND:
        return
    if required(user) or device_of(user) is not None:
        request.session[PENDING] = True


def done(request) -> None:
    request.session.pop(PENDING, None)


def secret_of(device: TOTPDevice) -> str:
    """The key as people type it into an authenticator app (base32, in groups of four)."""
    text = b32encode(unhexlify(device.key)).decode().rstrip("=")
    return " ".join(text[i : i + 4] for i in range(0, len(text), 4))


def config_url(device: TOTPDevice) -> str:
    """The otpauth:// address the QR code carries, with the portal's name as the issuer."""
    issuer = settings.OTP_TOTP_ISSUER
    label = quote(f"{issuer}:{device.user.get_username()}")
    secret = b32encode(unhexlify(device.key)).decode().rstrip("=")
    return f"otpauth://totp/{label}?secret={secret}&issuer={quote(issuer)}&digits={device.digits}&period={device.step}"


class SecondStepMiddleware:
    """Sends a signed-in person who still owes their code to the page that asks for it."""

    def __init__(self, get_response):
        self.get_response = get_response
        self._open_paths = None

    def __call__(self, request):
        if request.session.get(PENDING) and request.user.is_authenticated:
            if self._open_paths is None:
                self._open_paths = {reverse(name) for name in OPEN_NAMES}
            if request.path not in self._open_paths:
                target = "two_step_verify" if device_of(request.user) is not None else "two_step"
                return redirect(f"{reverse(target)}?next={quote(request.get_full_path())}")
        return self.get_response(request)
