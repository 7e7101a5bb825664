from crispy_forms.helper import FormHelper
from crispy_forms.layout import Column, Layout, Row
from django import forms
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext_lazy as _

from core.uploads import UploadRejected, check_upload
from departments.models import Department, User
from documents.models import (
    DepartmentSeal,
    Document,
    DocumentKind,
    DocumentNumber,
    DocumentTemplate,
    IncomingDocument,
)
from tasks.forms import MultipleFileField


class DocumentForm(forms.ModelForm):
    attachments = MultipleFileField(label=_("Attachments (附件)"))

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
            "secrecy_years",
            "countersign_departments",
            "recipient_departments",
            "template",
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
        self.fields["template"].queryset = DocumentTemplate.objects.filter(is_active=True)
        self.fields["template"].empty_label = _("Built-in layout (GB/T 9704)")
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.layout = Layout(
            Row(
                Column("kind", css_class="col-md-3"),
                Column("urgency", css_class="col-md-3"),
                Column("secrecy", css_class="col-md-3"),
                Column("secrecy_years", css_class="col-md-3"),
            ),
            "title",
            Row(Column("recipients", css_class="col-md-6"), Column("cc", css_class="col-md-6")),
            "body",
            Row(
                Column("countersign_departments", css_class="col-md-6 checkbox-columns"),
                Column("recipient_departments", css_class="col-md-6 checkbox-columns"),
            ),
            Row(Column("template", css_class="col-md-6"), Column("attachments", css_class="col-md-6")),
        )

    def clean(self):
        data = super().clean()
        template = data.get("template")
        if template is not None and template.kind and data.get("kind") and template.kind != data["kind"]:
            self.add_error("template", _("This template is for another kind of document."))
        secrecy, years = data.get("secrecy"), data.get("secrecy_years")
        if years is not None and secrecy in Document.Secrecy.values:
            if secrecy not in Document.NAMED_ONLY:
                data["secrecy_years"] = None  # an ordinary document keeps nothing secret
            elif not 1 <= years <= Document.LONGEST_TERM[secrecy]:
                self.add_error(
                    "secrecy_years",
                    _("A %(level)s document is kept secret for 1 to %(years)s years.")
                    % {"level": Document.MARKS[secrecy], "years": Document.LONGEST_TERM[secrecy]},
                )
        return data


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
    reserved = forms.ModelChoiceField(
        label=_("Document number"),
        queryset=DocumentNumber.objects.none(),
        required=False,
        empty_label=_("The next number of the register"),
        help_text=_("Or a number reserved (占号) for this document."),
    )


class RegisterFilterForm(forms.Form):
    """The register's search: number, title, kind, department, dates and text."""

    number = forms.CharField(label=_("Number"), required=False, max_length=40)
    title = forms.CharField(label=_("Title"), required=False, max_length=100)
    kind = forms.ChoiceField(label=_("Kind"), required=False, choices=[("", _("Any kind"))] + DocumentKind.choices)
    secrecy = forms.ChoiceField(
        label=_("Confidentiality"),
        required=False,
        choices=[("", _("Any level")), ("classified", _("Classified (秘密 and above)"))] + Document.Secrecy.choices,
    )
    department = forms.ModelChoiceField(
        label=_("Department"),
        required=False,
        queryset=Department.objects.filter(is_active=True),
        empty_label=_("Any department"),
    )
    since = forms.DateField(label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    until = forms.DateField(label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    text = forms.CharField(label=_("Text"), required=False, max_length=100)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            select = isinstance(field.widget, forms.Select)
            field.widget.attrs["class"] = "form-select form-select-sm" if select else "form-control form-control-sm"

    def clean(self):
        data = super().clean()
        if data.get("since") and data.get("until") and data["since"] > data["until"]:
            raise forms.ValidationError(_("The start date is after the end date."))
        return data


class IncomingForm(forms.ModelForm):
    departments = forms.ModelMultipleChoiceField(
        label=_("Departments to handle it"),
        queryset=Department.objects.filter(is_active=True),
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = IncomingDocument
        fields = ["title", "source", "their_number", "dated", "received_on", "urgency", "secrecy", "summary", "file"]
        widgets = {
            "dated": forms.DateInput(attrs={"type": "date"}),
            "received_on": forms.DateInput(attrs={"type": "date"}),
            "summary": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["secrecy"].required = False  # left out (older clients): internal

    def clean_secrecy(self):
        return self.cleaned_data.get("secrecy") or Document.Secrecy.INTERNAL


class PassToForm(forms.Form):
    """传阅: colleagues a named reader lets read a classified document. Only the active members of
    the passer's own departments are offered."""

    people = forms.ModelMultipleChoiceField(
        label=_("Colleagues who may read it"), queryset=User.objects.none(), widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args, department_ids=(), exclude=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["people"].queryset = (
            User.objects.filter(is_active=True, memberships__department_id__in=list(department_ids))
            .exclude(pk__in=list(exclude))
            .distinct()
            .order_by("username")
        )


class TemplateUploadForm(forms.ModelForm):
    """The admin's upload form: the file is checked (type, size, macros, placeholders) on save."""

    class Meta:
        model = DocumentTemplate
        fields = ["name", "kind", "file", "is_active"]

    def clean_file(self):
        from documents.usertemplates import TemplateRejected, check_template_upload

        upload = self.cleaned_data["file"]
        if isinstance(upload, UploadedFile):  # a new file, not the one kept from before
            try:
                self.placeholders = check_template_upload(upload)[1]
            except (UploadRejected, TemplateRejected) as exc:
                raise forms.ValidationError(str(exc)) from None
        return upload


SEAL_MAX_BYTES = 1024 * 1024
SEAL_PIXELS = (200, 2000)  # the shorter and the longer side allowed, in pixels


class SealUploadForm(forms.ModelForm):
    """The admin's seal upload: a PNG of at most 1 MB (core's upload checks), square enough,
    between 200 and 2000 pixels a side, with a transparent background so the date shows through."""

    class Meta:
        model = DepartmentSeal
        fields = ["department", "image"]

    def clean_image(self):
        upload = self.cleaned_data["image"]
        if not isinstance(upload, UploadedFile):  # the image kept from before
            return upload
        try:
            check_upload(upload, extensions=["png"], max_bytes=SEAL_MAX_BYTES)
        except UploadRejected as exc:
            raise forms.ValidationError(str(exc)) from None
        from PIL import Image, UnidentifiedImageError

        try:
            upload.seek(0)
            with Image.open(upload) as image:
                image.verify()
            upload.seek(0)
            with Image.open(upload) as image:
                width, height = image.size
                transparent = image.mode in ("RGBA", "LA", "PA") or "transparency" in image.info
        except (UnidentifiedImageError, OSError, ValueError, SyntaxError):
            raise forms.ValidationError(_("The seal image could not be read as a PNG.")) from None
        finally:
            upload.seek(0)
        if not (SEAL_PIXELS[0] <= min(width, height) and max(width, height) <= SEAL_PIXELS[1]):
            raise forms.ValidationError(
                _("The seal image must be between %(low)s and %(high)s pixels a side; this one is %(w)s×%(h)s.")
                % {"low": SEAL_PIXELS[0], "high": SEAL_PIXELS[1], "w": width, "h": height}
            )
        if max(width, height) > 1.5 * min(width, height):
            raise forms.ValidationError(_("The seal image must be roughly square (a round or square seal)."))
        if not transparent:
            raise forms.ValidationError(
                _("The seal image needs a transparent background, so the date under it stays readable.")
            )
        return upload


class ReserveNumberForm(forms.Form):
    """占号: keep the next number of a register for a document still to come."""

    kind = forms.ChoiceField(label=_("Kind"), choices=DocumentKind.choices)
    department = forms.ModelChoiceField(
        label=_("Issuing department"), queryset=Department.objects.filter(is_active=True)
    )
    subject = forms.CharField(label=_("For (document title)"), max_length=200)


class VoidNumberForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=300)
