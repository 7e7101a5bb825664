from django import forms
from django.utils.translation import gettext_lazy as _

from retention.services import REASON_LENGTH


class LegalHoldForm(forms.Form):
    """Placing or lifting a legal hold: why, always."""

    reason = forms.CharField(
        label=_("Reason"),
        max_length=REASON_LENGTH,
        help_text=_("The case, order or audit that requires it; shown with the hold to everyone who sees the item."),
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
        error_messages={"required": _("Say why (a case, an order, an audit).")},
    )
