from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from confighistory.kinds import Kind
from departments.models import User


class LogFilterForm(forms.Form):
    """The log's filters: kind of object, who changed it, a date range and a name."""

    q = forms.CharField(label=_("Object name contains"), required=False, max_length=100)
    kind = forms.ChoiceField(label=_("Kind of object"), required=False)
    person = forms.CharField(label=_("Changed by (login)"), required=False, max_length=150)
    since = forms.DateField(label=_("Changed from"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    until = forms.DateField(label=_("Changed until"), required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args, kinds: list[Kind], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = [("", _("Every kind")), *((kind.key, kind.label) for kind in kinds)]
        for name, form_field in self.fields.items():
            form_field.widget.attrs["class"] = (
                "form-select form-select-sm" if name == "kind" else "form-control form-control-sm"
            )

    def clean_person(self):
        login = self.cleaned_data["person"].strip()
        if not login:
            return None
        person = User.objects.filter(username=login).first()
        if person is None:
            raise ValidationError(_("Nobody signs in as %(login)s.") % {"login": login})
        return person

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("since") and cleaned.get("until") and cleaned["since"] > cleaned["until"]:
            raise ValidationError(_("The range ends before it starts."))
        return cleaned
