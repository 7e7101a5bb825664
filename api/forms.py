from django import forms
from django.utils.translation import gettext_lazy as _

from api.models import AccessToken

EXPIRY_CHOICES = [
    ("7", _("7 days")),
    ("30", _("30 days")),
    ("90", _("90 days")),
    ("365", _("1 year")),
    ("", _("Never")),
]


class TokenForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=80, help_text=_("What the token is for, e.g. “ERP sync”."))
    scope = forms.ChoiceField(
        label=_("Scope"),
        choices=AccessToken.Scope.choices,
        initial=AccessToken.Scope.READ,
        widget=forms.RadioSelect,
        help_text=_("“Read” lists and reads; “read and act” also files requests and takes steps as you."),
    )
    expires_in_days = forms.TypedChoiceField(
        label=_("Expires after"), choices=EXPIRY_CHOICES, coerce=int, empty_value=None, initial="90", required=False
    )
