from django import forms
from django.utils.dates import WEEKDAYS
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from core.limits import LONG_TEXT, SHORT_TEXT
from departments.models import Department, User
from departments.pickers import PeoplePicker, PersonField
from tasks.models import RequestType
from teams.models import Attendance, Milestone, StrategicGoal, Team
from teams.services import TEAM_FIELDS, simple_request_types
from teams.services.plan import PLAN_FIELDS

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
SMALL = {"class": "form-control form-control-sm"}


def _text(label, rows: int, *, required: bool = False, max_length: int = LONG_TEXT, attrs=None, **options):
    """A text area of `rows` rows (optional unless `required`)."""
    widget = forms.Textarea(attrs={**(attrs or {}), "rows": rows})
    return forms.CharField(label=capfirst(label), widget=widget, required=required, max_length=max_length, **options)


def _people():
    return User.objects.filter(is_active=True).order_by("username")


def _departments():
    return Department.objects.filter(is_active=True).order_by("sort_order", "name")


class TeamForm(forms.ModelForm):
    lead = PersonField(
        label=capfirst(_("lead")),
        required=False,
        help_text=_("Admins only; others lead the teams they create."),
    )

    class Meta:
        model = Team
        fields = TEAM_FIELDS
        widgets = {"starts_on": DATE, "deadline": DATE, "goal": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["strategic_goal"].queryset = StrategicGoal.objects.filter(is_active=True)
        if user.is_superuser:
            self.fields["lead"].queryset = _people()
            self.fields["lead"].initial = self.instance.lead_id if self.instance.pk else None
        else:
            del self.fields["lead"]

    def clean(self):
        data = super().clean()
        if data.get("starts_on") and data.get("deadline") and data["deadline"] < data["starts_on"]:
            self.add_error("deadline", _("The deadline cannot be before the start."))
        if data.get("baseline") is not None and data.get("baseline") == data.get("target_value"):
            self.add_error("target_value", _("The target value must differ from the baseline."))
        return data

    def validate_constraints(self, exclude=None):
        pass  # clean() says the same in the field's place


SELECT = {"class": "form-select form-select-sm"}


class MemberForm(forms.Form):
    user = PersonField(label=capfirst(_("person")), required=False, widget=PeoplePicker(attrs=SMALL))
    department = forms.ModelChoiceField(
        label=capfirst(_("department")),
        queryset=Department.objects.none(),
        required=False,
        widget=forms.Select(attrs=SELECT),
    )
    role = forms.CharField(
        label=capfirst(_("role in the team")), max_length=60, required=False, widget=forms.TextInput(attrs=SMALL)
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["user"].queryset = _people()
        self.fields["department"].queryset = _departments()

    def clean(self):
        data = super().clean()
        if data.get("user") and not data.get("department"):
            self.add_error("department", _("Say which department this person represents."))
        if data.get("department") and not data.get("user"):
            self.add_error("user", _("Choose the person."))
        return data


MemberFormSet = forms.formset_factory(MemberForm, extra=5, max_num=60)


def members_from(formset) -> list:
    return [
        (f.cleaned_data["user"], f.cleaned_data["department"], f.cleaned_data.get("role", ""))
        for f in formset.forms
        if f.cleaned_data.get("user")
    ]


class CompleteForm(forms.Form):
    comment = _text(_("comment"), 2, max_length=SHORT_TEXT)


class CancelForm(forms.Form):
    reason = _text(
        _("reason"),
        2,
        required=True,
        max_length=SHORT_TEXT,
        error_messages={"required": _("Say why the team is cancelled.")},
    )


class ReadingForm(forms.Form):
    value = forms.DecimalField(
        label=capfirst(_("value")),
        max_digits=14,
        decimal_places=2,
        widget=forms.NumberInput(attrs={**SMALL, "step": "any"}),
    )
    measured_on = forms.DateField(
        label=capfirst(_("measured on")), widget=forms.DateInput(attrs={**SMALL, "type": "date"}, format="%Y-%m-%d")
    )
    note = forms.CharField(
        label=capfirst(_("note")), max_length=200, required=False, widget=forms.TextInput(attrs=SMALL)
    )


class MilestoneForm(forms.ModelForm):
    class Meta:
        model = Milestone
        fields = ["title", "starts_on", "due_on", "department", "deliverable", "depends_on", "status"]
        widgets = {"starts_on": DATE, "due_on": DATE, "depends_on": forms.CheckboxSelectMultiple}

    def __init__(self, *args, team, **kwargs):
        super().__init__(*args, **kwargs)
        others = team.milestones.all()
        if self.instance.pk:
            others = others.exclude(pk=self.instance.pk)
        self.fields["depends_on"].queryset = others
        self.fields["department"].queryset = _departments()

    def validate_constraints(self, exclude=None):
        pass  # the service checks dates and dependencies with clear messages

    def _save_m2m(self):
        pass  # the service sets the dependencies


class PlanForm(forms.ModelForm):
    meeting_weekdays = forms.TypedMultipleChoiceField(
        label=capfirst(_("meeting weekdays")),
        choices=[(i, WEEKDAYS[i]) for i in range(7)],
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Weekly: the days of the week. Monthly: the first such day of the month."),
    )

    class Meta:
        model = Team
        fields = PLAN_FIELDS
        widgets = {"meeting_time": forms.TimeInput(attrs={"type": "time"}, format="%H:%M")}
        help_texts = {
            "meeting_interval": _("1 = every day, week or month; 2 = every other one."),
        }


class CriteriaForm(forms.Form):
    """Criteria as lines "name = weight", e.g. "目标达成 = 50"."""

    lines = _text(
        _("criteria and weights"),
        5,
        required=True,
        max_length=SHORT_TEXT,
        help_text=_("One per line: name = weight. The weights must add up to 100."),
    )

    def clean_lines(self):
        rows = []
        for number, line in enumerate(self.cleaned_data["lines"].splitlines(), start=1):
            if not line.strip():
                continue
            name, sep, weight = line.rpartition("=")
            if not sep or not name.strip():
                raise forms.ValidationError(_("Line %(n)s: write it as name = weight.") % {"n": number})
            try:
                weight = int(weight.strip())
            except ValueError:
                raise forms.ValidationError(_("Line %(n)s: the weight is a whole number.") % {"n": number}) from None
            rows.append((name.strip(), weight))
        if not rows:
            raise forms.ValidationError(_("Give at least one criterion."))
        total = sum(w for _n, w in rows)
        if total != 100:
            raise forms.ValidationError(
                _("The weights add up to %(total)s; they must add up to 100.") % {"total": total}
            )
        return rows


class FileRequestForm(forms.Form):
    request_type = forms.ModelChoiceField(label=capfirst(_("request type")), queryset=RequestType.objects.none())
    title = forms.CharField(label=capfirst(_("title")), max_length=200)
    description = _text(_("description"), 3)
    milestone = forms.ModelChoiceField(
        label=capfirst(_("milestone")), queryset=Milestone.objects.none(), required=False
    )

    def __init__(self, *args, team, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["request_type"].queryset = (
            simple_request_types().select_related("department").order_by("department__sort_order", "sort_order")
        )
        self.fields["request_type"].help_text = _(
            "Types that need more details are filed from New request, then linked to the team."
        )
        self.fields["milestone"].queryset = team.milestones.all()


class LinkRequestForm(forms.Form):
    number = forms.CharField(label=capfirst(_("request number")), max_length=20, widget=forms.TextInput(attrs=SMALL))
    milestone = forms.ModelChoiceField(
        label=capfirst(_("milestone")),
        queryset=Milestone.objects.none(),
        required=False,
        widget=forms.Select(attrs={"class": "form-select form-select-sm"}),
    )

    def __init__(self, *args, team, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["milestone"].queryset = team.milestones.all()


class MeetingAddForm(forms.Form):
    starts_at = forms.DateTimeField(
        label=capfirst(_("starts at")),
        widget=forms.DateTimeInput(attrs={**SMALL, "type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        input_formats=["%Y-%m-%dT%H:%M"],
    )
    minutes = forms.IntegerField(
        label=capfirst(_("length (minutes)")),
        min_value=5,
        max_value=600,
        initial=60,
        widget=forms.NumberInput(attrs=SMALL),
    )
    location = forms.CharField(
        label=capfirst(_("place")), max_length=120, required=False, widget=forms.TextInput(attrs=SMALL)
    )
    agenda = _text(_("agenda"), 3, attrs=SMALL)


class MeetingRecordForm(forms.Form):
    agenda = _text(_("agenda"), 4)
    minutes = _text(_("minutes"), 6)
    decisions = _text(_("decisions"), 3)
    held = forms.BooleanField(label=capfirst(_("the meeting was held")), required=False)

    def __init__(self, *args, attendance, **kwargs):
        super().__init__(*args, **kwargs)
        self.attendance_rows = attendance
        for row in attendance:
            self.fields[f"att_{row.user_id}"] = forms.ChoiceField(
                label=row.user.name,
                choices=Attendance.Status.choices,
                initial=row.status,
                widget=forms.Select(attrs={"class": "form-select form-select-sm"}),
            )

    def attendance(self) -> dict[int, str]:
        return {row.user_id: self.cleaned_data[f"att_{row.user_id}"] for row in self.attendance_rows}

    def attendance_fields(self):
        return [self[f"att_{row.user_id}"] for row in self.attendance_rows]


class ActionForm(forms.Form):
    title = forms.CharField(label=capfirst(_("action item")), max_length=200)
    owner = forms.ModelChoiceField(label=capfirst(_("owner")), queryset=User.objects.none())
    department = forms.ModelChoiceField(label=capfirst(_("department")), queryset=Department.objects.none())
    due_on = forms.DateField(label=capfirst(_("due on")), widget=DATE)

    def __init__(self, *args, team, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = User.objects.filter(
            pk__in=[team.lead_id, *team.members.values_list("user_id", flat=True)]
        ).order_by("username")
        self.fields["department"].queryset = _departments()


class EvaluationForm(forms.Form):
    summary = _text(_("summary"), 3)

    def __init__(self, *args, criteria, **kwargs):
        super().__init__(*args, **kwargs)
        self.criteria = criteria
        for criterion in criteria:
            self.fields[f"score_{criterion.pk}"] = forms.DecimalField(
                label=f"{criterion.name} ({criterion.weight}%)",
                min_value=0,
                max_value=100,
                max_digits=5,
                decimal_places=2,
                initial=criterion.score,
            )

    def scores(self) -> dict:
        return {c.pk: self.cleaned_data[f"score_{c.pk}"] for c in self.criteria}
