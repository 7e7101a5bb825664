from django import forms
from django.utils.translation import gettext_lazy as _

from departments.models import Department
from documents.models import Document


class DocumentForm(forms.ModelForm):
    class Meta:
        model = Document
        fields = [
            "kind",
            "title",
            "recipients",
            "cc",
            "body",
            "urgency",
            "secrecy",
            "countersign_departments",
            "recipient_departments",
        ]
        widgets = {
            "body": forms.Textarea(attrs={"rows": 12}),
            "countersign_departments": forms.CheckboxSelectMultiple,
            "recipient_departments": forms.CheckboxSelectMultiple,
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        active = Department.objects.filter(is_active=True)
        self.fields["countersign_departments"].queryset = active
        self.fields["recipient_departments"].queryset = active


class OpinionForm(forms.Form):
    agree = forms.TypedChoiceField(
        label=_("Decision"),
        coerce=lambda v: v == "yes",
        choices=[("yes", _("Agree")), ("no", _("Return to the drafter"))],
    )
    text = forms.CharField(
        label=_("Opinion"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )
    department = forms.ModelChoiceField(label=_("For department"), queryset=Department.objects.none(), required=False)
