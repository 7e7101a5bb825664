"""The login page (passwords, LDAP, and the "Sign in with <provider>" button), sign-out that ends
the provider's session, and the two steps of OpenID Connect's code flow."""

import logging

import requests
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.http import Http404, HttpResponseRedirect
from django.urls import reverse
from django.utils.translation import gettext as _
from mozilla_django_oidc import views as oidc_views

from accounts import oidc
from accounts.forms import SignInForm, passwords_for_admins_only

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
