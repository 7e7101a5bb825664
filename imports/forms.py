from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.uploads import UploadRejected, check_upload

MAX_WORKBOOK_BYTES = 10 * 1024 * 1024


class WorkbookForm(forms.Form):
    file = forms.FileField(
        label=_("Workbook (.xlsx)"),
        help_text=_(
            "The layout of an exported workbook: one sheet each for skills, departments, people, "
            "memberships and request types."
        ),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        try:
            check_upload(upload, extensions=["xlsx"], max_bytes=MAX_WORKBOOK_BYTES)
        except UploadRejected as exc:
            raise forms.ValidationError(str(exc)) from None
        return upload


class YearForm(forms.Form):
    year = forms.IntegerField(label=_("Year"), min_value=2004, max_value=2100)
    country = forms.CharField(
        label=_("Country"),
        max_length=3,
        initial="CN",
        help_text=_(
            "CN: mainland China's official plan with its 调休 workdays. Another ISO code (DE, US, SG…): "
            "that country's public holidays by its rules."
        ),
    )

    def clean_country(self):
        return self.cleaned_data["country"].strip().upper()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["year"].initial = timezone.localdate().year + 1
