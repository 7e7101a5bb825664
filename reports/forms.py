"""The filter every report page shares: a date range and a department (a GET form)."""

from datetime import datetime, time, timedelta

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

DEFAULT_DAYS = 90
MAX_DAYS = 3 * 366


class ReportFilterForm(forms.Form):
    start = forms.DateField(label=_("From"), widget=forms.DateInput(attrs={"type": "date"}))
    end = forms.DateField(label=_("Until"), widget=forms.DateInput(attrs={"type": "date"}))
    department = forms.ModelChoiceField(label=_("Department"), queryset=None, required=False)

    def __init__(self, data, *, departments, department_required=False):
        data = data.copy()
        today = timezone.localdate()
        if not data.get("end"):
            data["end"] = today.isoformat()
        if not data.get("start"):
            data["start"] = (today - timedelta(days=DEFAULT_DAYS)).isoformat()
        if department_required and not data.get("department") and departments.exists():
            data["department"] = str(departments.first().pk)
        super().__init__(data)
        self.fields["department"].queryset = departments
        self.fields["department"].required = department_required
        self.fields["department"].empty_label = _("All departments")
        self.fields["department"].error_messages["invalid_choice"] = _(
            "Choose one of the departments in the list; you cannot open that one's report."
        )
        for name, field in self.fields.items():
            field.widget.attrs["class"] = (
                "form-select form-select-sm" if name == "department" else "form-control form-control-sm"
            )

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("start"), cleaned.get("end")
        if start and end:
            if start > end:
                raise forms.ValidationError(_("The start date must not be after the end date."))
            if (end - start).days > MAX_DAYS:
                raise forms.ValidationError(_("Choose a range of at most three years."))
        return cleaned

    @property
    def period(self) -> tuple[datetime, datetime]:
        """The chosen days as aware datetimes [from, until)."""
        tz = timezone.get_current_timezone()
        start = datetime.combine(self.cleaned_data["start"], time.min, tz)
        end = datetime.combine(self.cleaned_data["end"] + timedelta(days=1), time.min, tz)
        return start, end
