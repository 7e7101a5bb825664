from django import forms
from django.conf import settings
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

MODEL_BACKEND = "django.contrib.auth.backends.ModelBackend"
ADMINS_ONLY = "admins-only"


def passwords_for_admins_only() -> bool:
    """PASSWORD_LOGIN=admins-only: a password kept here signs in superusers and staff alone."""
    return settings.PASSWORD_LOGIN == ADMINS_ONLY


class SignInForm(AuthenticationForm):
    """The login page's form: the password kept here, or the directory's (LDAP). With
    PASSWORD_LOGIN=admins-only a password kept here signs in only superusers and staff."""

    def confirm_login_allowed(self, user):
        super().confirm_login_allowed(user)
        if (
            passwords_for_admins_only()
            and getattr(user, "backend", "") == MODEL_BACKEND
            and not (user.is_staff or user.is_superuser)
        ):
            if settings.OIDC_ENABLED:
                message = _("Sign-in with a password is for administrators only: use “Sign in with %(provider)s”.")
                raise ValidationError(
                    message, code="password_login_off", params={"provider": settings.OIDC_PROVIDER_NAME}
                )
            raise ValidationError(
                _("Sign-in with a password kept by the portal is for administrators only."), code="password_login_off"
            )


class CodeForm(forms.Form):
    """The six digits an authenticator app shows."""

    code = forms.RegexField(
        label=_("Code from your authenticator app"),
        regex=r"^\s*\d{6}\s*$",
        max_length=12,
        error_messages={"invalid": _("Enter the six digits your app shows.")},
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True}),
    )
