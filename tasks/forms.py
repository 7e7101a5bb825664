import hashlib
from decimal import Decimal, InvalidOperation

from django import forms
from django.core.validators import RegexValidator
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _

from core.uploads import UploadRejected, check_upload
from departments.models import Department, User, pick_language
from departments.pickers import DepartmentsField, PeopleField, PersonField
from departments.selectors import departments_in_order
from tasks import selectors
from tasks.models import Approval, Priority, Reason, RequestField, RequestType, Task


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one input; each is checked for size, allowed type and matching content."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput())
        kwargs.setdefault("required", False)
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        files = data if isinstance(data, list | tuple) else ([data] if data else [])
        cleaned = [super(MultipleFileField, self).clean(item, initial) for item in files]
        for upload in cleaned:
            try:
                check_upload(upload)
            except UploadRejected as exc:
                raise forms.ValidationError(str(exc)) from None
        return cleaned


def _field_for(spec: RequestField) -> forms.Field:
    common = {"label": spec.display_label, "required": spec.required, "help_text": spec.help_text}
    kind = spec.kind
    if kind in RequestField.NUMERIC_KINDS:
        low = spec.min_value
        if low is None and not spec.allow_negative:
            low = 0
            common["error_messages"] = {"min_value": _("Enter zero or more: this field takes no negative numbers.")}
        widget = forms.NumberInput(attrs={"step": "0.01"} if kind == RequestField.Kind.AMOUNT else {})
        return forms.DecimalField(
            max_digits=14, decimal_places=2, min_value=low, max_value=spec.max_value, widget=widget, **common
        )
    if kind == RequestField.Kind.DATE:
        return forms.DateField(widget=forms.DateInput(attrs={"type": "date"}), **common)
    if kind == RequestField.Kind.CHOICE:
        return forms.ChoiceField(choices=[("", "—")] + [(c, c) for c in spec.choice_list], **common)
    if kind == RequestField.Kind.FILE:
        return forms.FileField(**common)
    if kind == RequestField.Kind.PERSON:
        # The login is stored: it reads on the request page without a query and survives renames.
        return PersonField(queryset=User.objects.filter(is_active=True), **common)
    if kind == RequestField.Kind.DEPARTMENT:
        return forms.ModelChoiceField(
            queryset=Department.objects.filter(is_active=True).order_by("sort_order", "code"),
            to_field_name="code",
            **common,
        )
    validators = []
    if spec.pattern:
        validators.append(
            RegexValidator(
                rf"\A(?:{spec.pattern})\Z",
                message=_("This answer does not have the expected form.")
                + (f" {spec.help_text}" if spec.help_text else ""),
            )
        )
    if kind == RequestField.Kind.LONG_TEXT:
        return forms.CharField(
            max_length=5000, widget=forms.Textarea(attrs={"rows": 4}), validators=validators, **common
        )
    return forms.CharField(max_length=500, validators=validators, **common)


class TaskForm(forms.Form):
    """The filing form: the type's own fields between the title and the routing choices."""

    token = forms.UUIDField(widget=forms.HiddenInput, required=False)
    title = forms.CharField(label=_("Title"), max_length=200)
    description = forms.CharField(
        label=_("Description"), widget=forms.Textarea(attrs={"rows": 5}), required=False, max_length=10000
    )
    priority = forms.TypedChoiceField(label=_("Priority"), choices=Priority.choices, coerce=int)
    wanted_by = forms.DateField(
        label=_("Wanted by"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("Leave empty to follow the promised time."),
    )
    # A picker, not a box per department: the page stays the same size however many departments
    # the organisation has, and typing finds one faster than scrolling through them all.
    co_departments = DepartmentsField(
        label=_("Co-handling departments (协办)"),
        required=False,
        help_text=_(
            "Each gets its own linked sub-task; the request closes when all have finished. "
            "Those the request type names are ticked and stay."
        ),
    )
    watchers = PeopleField(label=_("CC (抄送)"), required=False)
    confidential = forms.BooleanField(
        label=_("Confidential"),
        required=False,
        help_text=_("Only the people involved and the managers of the departments concerned see it."),
    )
    attachments = MultipleFileField(label=_("Attachments"))

    def __init__(
        self,
        *args,
        request_type: RequestType,
        user: User,
        specs: list | None = None,
        fixed_co: list[int] | None = None,
        **kwargs,
    ):
        """`specs`, when given, are the fields of a version or a draft instead of the live ones;
        `fixed_co` likewise the co-handling departments (ids) the type names."""
        super().__init__(*args, **kwargs)
        self.request_type = request_type
        self.fixed_co = selectors.co_department_ids(request_type) if fixed_co is None else fixed_co
        self.fields["co_departments"].widget.fixed = frozenset(map(str, self.fixed_co))
        self.specs = list(request_type.fields.all()) if specs is None else specs
        self.fields["priority"].initial = request_type.default_priority
        self.fields["co_departments"].queryset = Department.objects.filter(
            is_active=True, accepts_requests=True
        ).exclude(pk=request_type.department_id)
        self.fields["watchers"].queryset = User.objects.filter(is_active=True).exclude(pk=user.pk)
        self.fields.update({f"f_{spec.key}": _field_for(spec) for spec in self.specs})
        self.order_fields(["token", "title", "description", *(f"f_{spec.key}" for spec in self.specs)])

    def clean_wanted_by(self):
        day = self.cleaned_data.get("wanted_by")
        if day and day < timezone.localdate():
            raise forms.ValidationError(_("The wanted-by date is in the past."))
        return day

    def clean(self):
        cleaned = super().clean()
        for spec in self.specs:
            upload = cleaned.get(f"f_{spec.key}")
            if spec.kind == RequestField.Kind.FILE and upload:
                try:
                    check_upload(upload)
                except UploadRejected as exc:
                    self.add_error(f"f_{spec.key}", str(exc))
        return cleaned

    @cached_property
    def fixed_co_departments(self) -> list[Department]:
        """The type's own co-handling departments, for the service guide beside the form."""
        return list(Department.objects.filter(pk__in=self.fixed_co)) if self.fixed_co else []

    @property
    def extra_fields(self):
        return [self[f"f_{spec.key}"] for spec in self.specs]

    def values(self) -> dict:
        """Field values as stored on the request (files are stored separately)."""
        values = {}
        for spec in self.specs:
            if spec.kind == RequestField.Kind.FILE:
                continue
            value = self.cleaned_data.get(f"f_{spec.key}")
            if value in (None, ""):
                continue
            if isinstance(value, Decimal) and not value:
                value = Decimal(0)  # "-0" is zero
            if spec.kind == RequestField.Kind.PERSON:
                value = value.username
            elif spec.kind == RequestField.Kind.DEPARTMENT:
                value = value.code
            values[spec.key] = value.isoformat() if hasattr(value, "isoformat") else str(value)
        return values

    def files_by_key(self) -> dict:
        return {
            spec.key: self.cleaned_data[f"f_{spec.key}"]
            for spec in self.specs
            if spec.kind == RequestField.Kind.FILE and self.cleaned_data.get(f"f_{spec.key}")
        }

    def wanted_by_moment(self):
        day = self.cleaned_data.get("wanted_by")
        if not day:
            return None
        from datetime import datetime, time

        return datetime.combine(day, time(18, 0), timezone.get_current_timezone())

    def filing(self) -> dict:
        """The request as filed from this form: tasks.services.task_create's arguments, as the
        page and the API file it."""
        data = self.cleaned_data
        names = ("title", "description", "attachments", "co_departments", "watchers", "priority", "confidential")
        return {name: data[name] for name in names} | {
            "values": self.values(),
            "files": self.files_by_key(),
            "wanted_by": self.wanted_by_moment(),
        }


def preview_values(request_type: RequestType, data, specs: list | None = None) -> dict:
    """Best-effort field values from a half-filled form, for the route preview: numbers and
    choices, the values approval conditions read."""
    values = {}
    if specs is None:
        specs = request_type.fields.filter(kind__in=[*RequestField.NUMERIC_KINDS, RequestField.Kind.CHOICE])
    for spec in specs:
        raw = (data.get(f"f_{spec.key}") or "").strip()
        if spec.kind == RequestField.Kind.CHOICE:
            if raw:
                values[spec.key] = raw
            continue
        if spec.kind not in RequestField.NUMERIC_KINDS:
            continue
        try:
            number = Decimal(raw)
        except (InvalidOperation, ValueError):
            continue
        if number.is_finite():  # "NaN" and "Infinity" parse, but are no amount
            values[spec.key] = str(number)
    return values


class OpinionForm(forms.Form):
    opinion = forms.CharField(
        label=_("Opinion"), widget=forms.Textarea(attrs={"rows": 2}), required=False, max_length=2000
    )


class ForwardForm(forms.Form):
    """转签: hand one's approval to someone else, saying why."""

    person = PersonField(label=_("Person"), queryset=User.objects.filter(is_active=True))
    comment = forms.CharField(label=_("Why"), widget=forms.Textarea(attrs={"rows": 2}), max_length=2000)


class AddApproverForm(ForwardForm):
    """加签: bring in one more approver, before, after or alongside oneself, saying why."""

    position = forms.ChoiceField(
        label=_("Where"),
        choices=Approval.Position.choices,
        initial=Approval.Position.ALONGSIDE,
        widget=forms.RadioSelect,
    )
    field_order = ["person", "position", "comment"]


class ReasonForm(forms.Form):
    reason = forms.ChoiceField(label=_("Reason"), choices=[("", "—")] + Reason.choices)
    comment = forms.CharField(
        label=_("Details"), widget=forms.Textarea(attrs={"rows": 2}), required=False, max_length=2000
    )


class OpinionReasonForm(ReasonForm):
    """Reject or return: a reason from the list plus the approver's opinion."""

    def clean(self):
        cleaned = super().clean()
        cleaned["opinion"] = cleaned.get("comment", "")
        return cleaned


class AcceptForm(forms.Form):
    assignee = forms.ModelChoiceField(label=_("Assign to"), queryset=User.objects.none())
    estimate_hours = forms.DecimalField(
        label=_("Estimated hours"), required=False, min_value=0, max_digits=6, decimal_places=1
    )
    note = forms.CharField(label=_("Note"), required=False, max_length=2000)

    def __init__(self, *args, task: Task, loads: dict | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["assignee"].queryset = User.objects.filter(
            memberships__department=task.target_department, is_active=True
        ).order_by("username")
        if loads:  # show each person's open work, and mark the suggestion

            def label(user):
                load = loads.get(user.pk)
                if load is None:
                    return user.name
                return f"{user.name} ({load.open_count} · {load.load_hours} h){' ★' if load.suggested else ''}"

            self.fields["assignee"].label_from_instance = label


class TransferForm(ReasonForm):
    department = forms.ModelChoiceField(label=_("Transfer to"), queryset=Department.objects.none())

    def __init__(self, *args, task: Task, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["department"].queryset = Department.objects.filter(is_active=True, accepts_requests=True).exclude(
            pk=task.target_department_id
        )


class ProgressForm(forms.Form):
    percent = forms.IntegerField(label=_("Progress %"), min_value=0, max_value=100)
    note = forms.CharField(label=_("Note"), widget=forms.Textarea(attrs={"rows": 2}), required=False, max_length=2000)


class HoldForm(ReasonForm):
    waiting_on = forms.ModelChoiceField(
        label=_("Waiting on department"),
        queryset=Department.objects.none(),
        required=False,
        help_text=_("The waiting time is charged to this department."),
    )

    def __init__(self, *args, task: Task, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["waiting_on"].queryset = Department.objects.filter(is_active=True).exclude(
            pk=task.target_department_id
        )


class NoteForm(forms.Form):
    comment = forms.CharField(
        label=_("Note"), widget=forms.Textarea(attrs={"rows": 2}), required=False, max_length=2000
    )


class CommentForm(forms.Form):
    body = forms.CharField(
        label=_("Comment"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        max_length=5000,
        help_text=_("Type @ and a login name to mention someone."),
    )
    files = MultipleFileField(label=_("Attach files"))


class FilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False, max_length=100)
    state = forms.ChoiceField(label=_("State"), required=False, choices=[("", _("Any state"))] + Task.State.choices)
    # Choices as (pk, name) pairs rather than model choice fields: above every list, the departments
    # come from the page's department cache and the types from one narrow read, no model instances.
    department = forms.TypedChoiceField(label=_("Department"), required=False, coerce=int, empty_value=None)
    request_type = forms.TypedChoiceField(label=_("Type"), required=False, coerce=int, empty_value=None)
    priority = forms.TypedChoiceField(
        label=_("Priority"),
        required=False,
        coerce=int,
        empty_value=None,
        choices=[("", _("Any priority"))] + Priority.choices,
    )
    overdue = forms.BooleanField(label=_("Overdue only"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # The departments and request types as (pk, name) in the reader's language.
        departments = [(d.pk, d.display_name) for d in departments_in_order(active_only=True)]
        types = RequestType.objects.filter(is_active=True).values_list("pk", "name", "name_en")
        self.fields["department"].choices = [("", _("Any department")), *departments]
        self.fields["request_type"].choices = [
            ("", _("Any type")),
            *((pk, pick_language(name, name_en)) for pk, name, name_en in types),
        ]
        # What the two long selects offer, as one value: their markup is kept by it
        # (templates/tasks/_filters.html), so a department or type added, renamed or retired is
        # drawn anew on the next page however it was changed (imports and bulk updates send no
        # signal a version could follow). At 300 departments the two selects are 600 options.
        offered = [
            (value, str(label)) for name in ("department", "request_type") for value, label in self.fields[name].choices
        ]
        self.options_key = hashlib.blake2b(repr(offered).encode(), digest_size=16).hexdigest()
        for name, form_field in self.fields.items():
            if name == "overdue":
                form_field.widget.attrs["class"] = "form-check-input"
            elif name == "q":
                form_field.widget.attrs.update({"class": "form-control form-control-sm", "type": "search"})
            else:
                form_field.widget.attrs["class"] = "form-select form-select-sm"
