"""The login page (passwords, LDAP, and the "Sign in with <provider>" button), sign-out that ends
the provider's session, the two steps of OpenID Connect's code flow, and two-step verification
(an authenticator app's code after the password)."""

import logging
from urllib.parse import quote

import qrcode
import requests
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice
from mozilla_django_oidc import views as oidc_views
from qrcode.image.svg import SvgPathImage

from accounts import oidc, twostep
from accounts.forms import CodeForm, SignInForm, passwords_for_admins_only

logger = logging.getLogger(__name__)


class LoginView(auth_views.LoginView):
    form_class = SignInForm
    redirect_authenticated_user = True

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            oidc_enabled=settings.OIDC_ENABLED,
            oidc_provider=settings.OIDC_PROVIDER_NAME,
            ldap_enabled=settings.LDAP_ENABLED,
            password_admins_only=passwords_for_admins_only(),
            sso_failed=self.request.GET.get("sso") == "failed",
        )
        return context


class LogoutView(auth_views.LogoutView):
    def post(self, request, *args, **kwargs):
        provider_url = oidc.provider_logout_url(request)  # read before the session is flushed
        response = super().post(request, *args, **kwargs)
        return HttpResponseRedirect(provider_url) if provider_url else response


class OIDCStartView(oidc_views.OIDCAuthenticationRequestView):
    """Sends the browser to the provider's login page."""

    def __init__(self, *args, **kwargs):
        # The endpoint is read per request (it may come from the discovery document).
        self.OIDC_RP_CLIENT_ID = settings.OIDC_RP_CLIENT_ID

    def get(self, request):
        if not settings.OIDC_ENABLED:
            raise Http404
        try:
            self.OIDC_OP_AUTH_ENDPOINT = oidc.endpoint("OIDC_OP_AUTHORIZATION_ENDPOINT")
        except oidc.ProviderUnavailable as exc:
            logger.error("OpenID provider unavailable: %s", exc)
            messages.error(
                request,
                _("%(provider)s cannot be reached now; try again later.") % {"provider": settings.OIDC_PROVIDER_NAME},
            )
            return HttpResponseRedirect(reverse("login"))
        return super().get(request)


class OIDCCallbackView(oidc_views.OIDCAuthenticationCallbackView):
    """The provider sends the browser back here with a code; the backend trades it for tokens."""

    def get(self, request):
        if not settings.OIDC_ENABLED:
            raise Http404
        try:
            return super().get(request)
        except (requests.RequestException, oidc.ProviderUnavailable) as exc:
            logger.error("OpenID sign-in failed talking to the provider: %s", exc)
            return self.login_failure()


def _next(request) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return target
    return reverse("home")


def _check(request, device, form) -> bool:
    """Whether the form's code is the device's current one; says why not on the form."""
    if not form.is_valid():
        return False
    allowed, why = device.verify_is_allowed()
    if not allowed:
        form.add_error("code", _("Too many wrong codes: wait a minute, then enter the code your app shows."))
        return False
    if not device.verify_token(form.cleaned_data["code"].strip()):
        form.add_error("code", _("That code is not right, or was already used: enter the code your app shows now."))
        return False
    return True


@login_required
@require_http_methods(["GET", "POST"])
def two_step(request):
    """Two-step verification on the person's own account: turn it on (scan, then confirm a code),
    or off unless the organisation requires it."""
    user = request.user
    device = twostep.device_of(user)
    form = CodeForm(request.POST if request.POST.get("action") == "confirm" else None)
    if request.method == "POST" and request.POST.get("action") == "off":
        if twostep.required(user):
            messages.error(request, _("Your organisation requires two-step verification for your account."))
        elif device is not None:
            TOTPDevice.objects.filter(user=user).delete()
            messages.success(request, _("Two-step verification is off."))
        return redirect("two_step")
    pending = None
    if device is None:
        pending = twostep.device_of(user, confirmed=False) or TOTPDevice.objects.create(
            user=user, name="authenticator", confirmed=False
        )
        if request.method == "POST" and _check(request, pending, form):
            pending.confirmed = True
            pending.save(update_fields=["confirmed"])
            otp_login(request, pending)
            twostep.done(request)
            messages.success(request, _("Two-step verification is on: each sign-in will ask for a code."))
            return redirect(_next(request))
    context = {
        "device": device,
        "pending": pending,
        "secret": twostep.secret_of(pending) if pending else "",
        "form": form,
        "required": twostep.required(user),
        "owed": bool(request.session.get(twostep.PENDING)),
        "next": request.GET.get("next", ""),
    }
    return render(request, "accounts/two_step.html", context, status=400 if form.errors else 200)


@login_required
def two_step_qr(request):
    """The QR code of the authenticator being set up, as an SVG image (the page's <img>)."""
    pending = twostep.device_of(request.user, confirmed=False)
    if pending is None:
        raise Http404
    image = qrcode.make(twostep.config_url(pending), image_factory=SvgPathImage, box_size=8)
    response = HttpResponse(image.to_string(encoding="unicode"), content_type="image/svg+xml")
    response["Cache-Control"] = "no-store"
    return response


@login_required
@require_http_methods(["GET", "POST"])
def two_step_verify(request):
    """After the password: the code from the person's authenticator app."""
    device = twostep.device_of(request.user)
    if device is None:
        return redirect(f"{reverse('two_step')}?next={quote(_next(request))}")
    if not request.session.get(twostep.PENDING):
        return redirect(_next(request))
    form = CodeForm(request.POST or None)
    if request.method == "POST" and _check(request, device, form):
        otp_login(request, device)
        twostep.done(request)
        return redirect(_next(request))
    context = {"form": form, "next": request.GET.get("next", "")}
    return render(request, "accounts/two_step_verify.html", context, status=400 if form.errors else 200)
