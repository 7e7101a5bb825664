"""The catalogue's forms: each reads and writes one part of a request type's draft (a dict shaped
as RequestTypeVersion.snapshot), never the live rows."""

import re

from django import forms
from django.utils.translation import gettext_lazy as _

from departments.models import Department, User
from departments.pickers import PeopleField, PersonField
from tasks.models import ApprovalStep, Priority, RequestField

NUMBER = {"max_digits": 14, "decimal_places": 2}


class CreateForm(forms.Form):
    department = forms.ModelChoiceField(label=_("Handled by"), queryset=Department.objects.none())
    code = forms.SlugField(
        label=_("Code"), max_length=40, help_text=_("Short and stable, in the filing address, e.g. purchase-laptop.")
    )
    name = forms.CharField(label=_("Name (Chinese)"), max_length=60)
    name_en = forms.CharField(label=_("Name (English)"), max_length=80, required=False)

    def __init__(self, *args, departments, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["department"].queryset = departments

    def clean_code(self):
        code = self.cleaned_data["code"]
        if code == "new":  # /catalogue/new/ is the page that creates a type
            raise forms.ValidationError(_("This code is reserved; choose another."))
        return code


class GuideForm(forms.Form):
    """The service guide (办事指南): what the filer reads before filing."""

    name = forms.CharField(label=_("Name (Chinese)"), max_length=60)
    name_en = forms.CharField(label=_("Name (English)"), max_length=80, required=False)
    purpose = forms.CharField(
        label=_("What it is for (Chinese)"), widget=forms.Textarea(attrs={"rows": 3}), required=False, max_length=5000
    )
    purpose_en = forms.CharField(
        label=_("What it is for (English)"), widget=forms.Textarea(attrs={"rows": 3}), required=False, max_length=5000
    )
    materials = forms.CharField(
        label=_("Required materials (Chinese)"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        max_length=5000,
    )
    materials_en = forms.CharField(
        label=_("Required materials (English)"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        max_length=5000,
    )
    filing_departments = forms.ModelMultipleChoiceField(
        label=_("Who may file"),
        queryset=Department.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Tick none and everyone may file it; tick some and only their people may."),
    )
    co_departments = forms.ModelMultipleChoiceField(
        label=_("Co-handling departments (协办)"),
        queryset=Department.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_(
            "The type's own department leads (主办). Every request of the type also goes to the departments "
            "ticked here, each with its own sub-task; the filer may add others but not remove these."
        ),
    )
    confidential = forms.BooleanField(
        label=_("Confidential by default"),
        required=False,
        help_text=_("Requests start as confidential; the filer may still change it."),
    )
    default_priority = forms.TypedChoiceField(label=_("Default priority"), choices=Priority.choices, coerce=int)
    accept_sla_hours = forms.DecimalField(
        label=_("Promised time to accept (working hours)"), min_value=0, max_digits=6, decimal_places=1
    )
    finish_sla_hours = forms.DecimalField(
        label=_("Promised time to finish (working hours)"), min_value=0, max_digits=6, decimal_places=1
    )

    DEPARTMENT_LISTS = ("filing_departments", "co_departments")

    def __init__(self, *args, lead: Department, **kwargs):
        super().__init__(*args, **kwargs)
        self.lead = lead
        active = Department.objects.filter(is_active=True).order_by("sort_order", "code")
        self.fields["filing_departments"].queryset = active
        # Co-handlers are departments that take requests, never the lead itself (as the filing form offers them).
        self.fields["co_departments"].queryset = active.filter(accepts_requests=True).exclude(pk=lead.pk)

    def guide(self) -> dict:
        data = self.cleaned_data
        guide = {key: data[key] for key in self.fields if key not in self.DEPARTMENT_LISTS}
        for key in ("accept_sla_hours", "finish_sla_hours"):
            guide[key] = str(guide[key])
        for key in self.DEPARTMENT_LISTS:
            guide[key] = sorted(d.pk for d in data[key])
        return guide


class FieldForm(forms.Form):
    """One field of the filing form, as the designer edits it."""

    key = forms.SlugField(
        label=_("Key"),
        max_length=40,
        help_text=_("Stable name used in approval conditions, e.g. amount. It cannot change later."),
    )
    label = forms.CharField(label=_("Label (Chinese)"), max_length=60)
    label_en = forms.CharField(label=_("Label (English)"), max_length=80, required=False)
    kind = forms.ChoiceField(label=_("Kind"), choices=RequestField.Kind.choices)
    required = forms.BooleanField(label=_("Required"), required=False)
    help_text = forms.CharField(label=_("Help text"), max_length=200, required=False)
    choices = forms.CharField(
        label=_("Choices"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        max_length=2000,
        help_text=_("For the choice kind: one per line."),
    )
    min_value = forms.DecimalField(label=_("Smallest value"), required=False, **NUMBER)
    max_value = forms.DecimalField(label=_("Largest value"), required=False, **NUMBER)
    allow_negative = forms.BooleanField(
        label=_("Negative numbers allowed"), required=False, help_text=_("For numbers with no smallest value.")
    )
    pattern = forms.CharField(
        label=_("Pattern"),
        max_length=200,
        required=False,
        help_text=_("For text: a regular expression the whole answer must match, e.g. [A-Z]{2}[0-9]{6}."),
    )

    def __init__(self, *args, taken_keys=(), editing: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.taken_keys = set(taken_keys)
        if editing:  # conditions and filed requests know the field by its key
            self.fields["key"].disabled = True

    def clean_key(self):
        key = self.cleaned_data["key"]
        if not self.fields["key"].disabled and key in self.taken_keys:
            raise forms.ValidationError(_("Another field of this type already has this key."))
        return key

    def clean_pattern(self):
        pattern = self.cleaned_data["pattern"]
        if pattern:
            try:
                re.compile(pattern)
            except re.error as exc:
                raise forms.ValidationError(
                    _("This is not a valid regular expression: %(error)s") % {"error": exc}
                ) from None
        return pattern

    def clean(self):
        cleaned = super().clean()
        kind = cleaned.get("kind")
        low, high = cleaned.get("min_value"), cleaned.get("max_value")
        if kind == RequestField.Kind.CHOICE and not [
            c for c in (cleaned.get("choices") or "").splitlines() if c.strip()
        ]:
            self.add_error("choices", _("A choice field needs at least one choice."))
        if kind not in RequestField.NUMERIC_KINDS and (low is not None or high is not None):
            self.add_error("min_value", _("Smallest and largest values are for number and amount fields only."))
        if low is not None and high is not None and low > high:
            self.add_error("max_value", _("The largest value is below the smallest."))
        if cleaned.get("pattern") and kind not in (RequestField.Kind.TEXT, RequestField.Kind.LONG_TEXT):
            self.add_error("pattern", _("A pattern is for text fields only."))
        return cleaned

    def field(self) -> dict:
        data = self.cleaned_data
        field = {key: data[key] for key in self.fields}
        field["choices"] = "\n".join(c.strip() for c in data["choices"].splitlines() if c.strip())
        for key in ("min_value", "max_value"):
            field[key] = None if data[key] is None else str(data[key])
        return field


class StepForm(forms.Form):
    """One step of the approval route."""

    name = forms.CharField(label=_("Step name (Chinese)"), max_length=60, required=False)
    name_en = forms.CharField(label=_("Step name (English)"), max_length=80, required=False)
    approver = forms.ChoiceField(label=_("Who approves"), choices=ApprovalStep.Approver.choices)
    department = forms.ModelChoiceField(
        label=_("Named department"),
        queryset=Department.objects.none(),
        required=False,
        help_text=_("For the head of a named department."),
    )
    users = PeopleField(label=_("Named people"), required=False, help_text=_("For named people: their logins."))
    mode = forms.ChoiceField(label=_("Mode"), choices=ApprovalStep.Mode.choices, initial=ApprovalStep.Mode.ANY)
    hours = forms.IntegerField(
        label=_("Promised working hours"),
        required=False,
        min_value=0,
        max_value=32767,
        help_text=_("How long this step may take. Empty: the type's time to accept; 0: no promise."),
    )
    condition_field = forms.ChoiceField(label=_("Only when field"), required=False)
    condition_operator = forms.ChoiceField(
        label=_("Is"), required=False, choices=[("", "—"), *ApprovalStep.Operator.choices]
    )
    condition_value = forms.DecimalField(label=_("Value"), required=False, **NUMBER)
    condition_choices = forms.CharField(
        label=_("One of the answers"),
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        max_length=2000,
        help_text=_("With “is one of”: the answers of the choice field, one per line."),
    )

    def __init__(self, *args, draft_fields=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.draft_fields = {f["key"]: f for f in draft_fields}
        usable = [f for f in draft_fields if f["kind"] in (*RequestField.NUMERIC_KINDS, RequestField.Kind.CHOICE)]
        self.fields["condition_field"].choices = [("", _("always"))] + [
            (f["key"], f"{f['label']} ({f['key']})") for f in usable
        ]
        self.fields["department"].queryset = Department.objects.filter(is_active=True).order_by("sort_order", "code")
        self.fields["users"].queryset = User.objects.filter(is_active=True)

    def clean(self):
        cleaned = super().clean()
        approver = cleaned.get("approver")
        if approver == ApprovalStep.Approver.DEPARTMENT_HEAD and not cleaned.get("department"):
            self.add_error("department", _("Name the department whose head approves."))
        if approver == ApprovalStep.Approver.USERS and not cleaned.get("users"):
            self.add_error("users", _("Name at least one person who approves."))
        key, op = cleaned.get("condition_field"), cleaned.get("condition_operator")
        value, answers = cleaned.get("condition_value"), cleaned.get("condition_choices") or ""
        answers = [a.strip() for a in answers.splitlines() if a.strip()]
        cleaned["condition_choices"] = "\n".join(answers)
        if not key:
            if op or value is not None or answers:
                self.add_error("condition_field", _("Choose the field the condition reads, or clear the condition."))
            return cleaned
        field = self.draft_fields.get(key)
        if field is None:
            return cleaned  # the choice field has said it is not one of the choices
        if field["kind"] == RequestField.Kind.CHOICE:
            offered = [c for c in field["choices"].splitlines() if c.strip()]
            if op != ApprovalStep.Operator.IN:
                self.add_error("condition_operator", _("A choice field is compared with “is one of”."))
            elif not answers:
                self.add_error("condition_choices", _("Give the answers for which the step applies."))
            elif missing := [a for a in answers if a not in offered]:
                self.add_error(
                    "condition_choices",
                    _("The field does not offer: %(answers)s") % {"answers": ", ".join(missing)},
                )
            cleaned["condition_value"] = None
        else:
            if not op or op == ApprovalStep.Operator.IN:
                self.add_error("condition_operator", _("Choose >, ≥, < or ≤ for a number."))
            if value is None:
                self.add_error("condition_value", _("Give the number to compare with."))
            cleaned["condition_choices"] = ""
        return cleaned

    def step(self) -> dict:
        data = self.cleaned_data
        approver = data["approver"]
        department = data["department"] if approver == ApprovalStep.Approver.DEPARTMENT_HEAD else None
        users = data["users"] if approver == ApprovalStep.Approver.USERS else []
        return {
            "name": data["name"],
            "name_en": data["name_en"],
            "approver": approver,
            "department": department.pk if department else None,
            "users": sorted(u.pk for u in users),
            "mode": data["mode"],
            "hours": data["hours"],
            "condition_field": data["condition_field"] or "",
            "condition_operator": data["condition_operator"] if data["condition_field"] else "",
            "condition_value": None if data["condition_value"] is None else str(data["condition_value"]),
            "condition_choices": data["condition_choices"],
        }


class SampleFilerForm(forms.Form):
    filer = PersonField(
        label=_("Preview as"),
        required=False,
        help_text=_("The person whose filing the preview shows: their department decides the route."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["filer"].queryset = User.objects.filter(is_active=True)
