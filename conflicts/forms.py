from django import forms
from django.utils.translation import gettext_lazy as _

from core.limits import MEDIUM_TEXT
from departments.models import Department

TEXT_MAX = MEDIUM_TEXT


def _textarea(rows: int = 3) -> forms.Textarea:
    return forms.Textarea(attrs={"rows": rows})


class RaiseForm(forms.Form):
    """Raise a conflict about a request: the departments in disagreement, the subject, my position."""

    subject = forms.CharField(label=_("Subject"), max_length=200)
    departments = forms.ModelMultipleChoiceField(
        label=_("Departments in disagreement"),
        queryset=Department.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        help_text=_("At least two, your own among them."),
    )
    position = forms.CharField(label=_("Your department's position"), widget=_textarea(5), max_length=TEXT_MAX)

    def __init__(self, *args, speaks_for_ids=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.speaks_for_ids = set(speaks_for_ids)
        self.fields["departments"].queryset = Department.objects.filter(is_active=True).order_by("sort_order", "code")

    def clean_departments(self):
        chosen = list(self.cleaned_data["departments"])
        if len(chosen) < 2:
            raise forms.ValidationError(_("Name at least two departments in disagreement."))
        if self.speaks_for_ids and not self.speaks_for_ids & {department.pk for department in chosen}:
            raise forms.ValidationError(_("Name your own department among the parties: your position is its position."))
        return chosen


class PartyForm(forms.Form):
    """A form with a "speaking for" choice, shown only to someone who speaks for more than one party."""

    def __init__(self, *args, parties=(), **kwargs):
        super().__init__(*args, **kwargs)
        if len(parties) > 1:
            self.fields["department"] = forms.TypedChoiceField(
                label=_("Speaking for"), choices=[(d.pk, d.display_name) for d in parties], coerce=int
            )


class PositionForm(PartyForm):
    text = forms.CharField(label=_("Position"), widget=_textarea(4), max_length=TEXT_MAX)


class ProposalForm(PartyForm):
    text = forms.CharField(label=_("Settlement proposed"), widget=_textarea(4), max_length=TEXT_MAX)


class AgreeForm(PartyForm):
    seen_proposal_at = forms.CharField(widget=forms.HiddenInput, required=False)


class EscalateForm(PartyForm):
    text = forms.CharField(label=_("Why it cannot be settled at this level"), widget=_textarea(2), max_length=TEXT_MAX)


class DecisionForm(forms.Form):
    text = forms.CharField(label=_("Decision (final)"), widget=_textarea(5), max_length=TEXT_MAX)


class WithdrawForm(forms.Form):
    text = forms.CharField(label=_("Why it is withdrawn"), widget=_textarea(2), max_length=TEXT_MAX)


class SearchForm(forms.Form):
    q = forms.CharField(label=_("Search"), max_length=100, required=False)
