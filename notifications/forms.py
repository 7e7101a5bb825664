from django import forms
from django.utils.translation import gettext_lazy as _

from notifications import kinds
from notifications.models import NotificationPreference


class PreferenceForm(forms.ModelForm):
    email_kinds = forms.MultipleChoiceField(
        label=_("E-mail me when"),
        choices=kinds.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Everything also appears under Notifications in the portal."),
    )

    class Meta:
        model = NotificationPreference
        fields = ["email_kinds", "digest_enabled", "digest_time"]
        widgets = {"digest_time": forms.TimeInput(attrs={"type": "time"})}
