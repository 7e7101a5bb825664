from django import forms
from django.utils.translation import gettext_lazy as _

from departments.models import User
from departments.pickers import PersonField


class HandoverForm(forms.Form):
    """One person for everything (`default`) and, for each thing held, a person of its own."""

    default = PersonField(
        label=_("Hand everything to"),
        required=False,
        help_text=_("Each item below goes to this person unless you choose someone else for it."),
    )
    deactivate = forms.BooleanField(
        label=_("Deactivate the account afterwards"),
        required=False,
        help_text=_("Refused while anything would still be held."),
    )

    def __init__(self, *args, person: User, by: User, items, may_deactivate: bool, **kwargs):
        super().__init__(*args, **kwargs)
        # Anyone but the person may be chosen; the service says why an inactive account cannot.
        people = User.objects.exclude(pk=person.pk).order_by("username")
        self.fields["default"].queryset = people
        self.items = items
        for item in items:
            if item.may_move(by):
                self.fields[f"to_{item.key}"] = PersonField(queryset=people, required=False, label=item.label)
        if not may_deactivate:
            del self.fields["deactivate"]

    def rows(self):
        """(item, its bound field or None when only an administrator may move it), in the page's order."""
        return [(item, self[f"to_{item.key}"] if f"to_{item.key}" in self.fields else None) for item in self.items]

    def clean(self):
        cleaned = super().clean()
        if not cleaned.get("default") and not any(cleaned.get(f"to_{item.key}") for item in self.items):
            if not cleaned.get("deactivate"):
                raise forms.ValidationError(_("Choose who takes over: one person for everything, or one per item."))
        return cleaned

    def chosen(self) -> dict:
        return {
            item.key: self.cleaned_data[f"to_{item.key}"]
            for item in self.items
            if self.cleaned_data.get(f"to_{item.key}")
        }
