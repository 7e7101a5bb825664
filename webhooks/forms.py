from crispy_forms.helper import FormHelper
from django import forms
from django.utils.translation import gettext_lazy as _

from webhooks import selectors
from webhooks.models import Endpoint, Event
from webhooks.services import WebhookError, check_url


class EndpointForm(forms.ModelForm):
    """Register or edit an endpoint. The departments offered are those the person manages; only a
    superuser sees "allow private addresses" and may leave the department empty."""

    url = forms.URLField(
        label=_("URL"), max_length=500, assume_scheme="https", help_text=_("http or https; the events are POSTed here.")
    )
    events = forms.MultipleChoiceField(
        label=_("Events"), choices=Event.choices, widget=forms.CheckboxSelectMultiple, required=True
    )

    class Meta:
        model = Endpoint
        fields = ["name", "url", "department", "events", "allow_private"]

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["department"].queryset = selectors.departments_for(user)
        if user.is_superuser:
            self.fields["department"].empty_label = _("The whole organisation")
        else:
            self.fields["department"].required = True
            del self.fields["allow_private"]
        self.helper = FormHelper()
        self.helper.form_tag = False

    def clean(self):
        cleaned = super().clean()
        url = cleaned.get("url")
        if url:
            allow = cleaned.get("allow_private", self.instance.allow_private)
            try:
                check_url(url, allow_private=allow)
            except WebhookError as exc:
                self.add_error("url", str(exc))
        return cleaned
