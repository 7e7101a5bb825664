from ipaddress import ip_address
from urllib.parse import urlsplit

from crispy_forms.helper import FormHelper
from django import forms
from django.utils.translation import gettext_lazy as _

from departments.models import CalendarDay, Department, Skill
from notifications import kinds
from notifications.models import ImRobot
from tasks.models import RequestType

# The platforms' robot addresses; a robot of these kinds posts only there. A Slack-compatible robot
# may post anywhere public over https.
ROBOT_HOSTS = {
    ImRobot.Kind.DINGTALK: {"oapi.dingtalk.com"},
    ImRobot.Kind.WECOM: {"qyapi.weixin.qq.com"},
    ImRobot.Kind.FEISHU: {"open.feishu.cn", "open.larksuite.com"},
}


def _helper() -> FormHelper:
    helper = FormHelper()
    helper.form_tag = False
    return helper


def _skills_field(label) -> forms.ModelMultipleChoiceField:
    return forms.ModelMultipleChoiceField(
        label=label, queryset=Skill.objects.all(), required=False, widget=forms.CheckboxSelectMultiple
    )


class DispatchRuleForm(forms.Form):
    auto_assign = forms.ChoiceField(
        label=_("Automatic assignment"), choices=RequestType.AutoAssign.choices, widget=forms.RadioSelect
    )
    skills = _skills_field(_("Skills a request of this type needs"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = _helper()


class MemberSkillsForm(forms.Form):
    skills = _skills_field(_("Skills of this member"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = _helper()


class RobotForm(forms.ModelForm):
    """A robot of the page's department. The signing secret is never shown again: left empty it
    stays as it is, typed in it replaces the old one, and "remove" clears it."""

    url = forms.URLField(label=_("Webhook URL"), max_length=500, assume_scheme="https")
    secret = forms.CharField(
        label=_("Signing secret"),
        max_length=200,
        required=False,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "new-password"}),
    )
    remove_secret = forms.BooleanField(label=_("Remove the signing secret"), required=False)
    kinds = forms.MultipleChoiceField(
        label=_("Events it posts"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("None ticked: new requests in the inbox and escalations."),
    )

    class Meta:
        model = ImRobot
        fields = ["name", "kind", "url", "secret", "kinds", "is_active"]

    def __init__(self, *args, department: Department, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.department = department
        self.fields["kinds"].choices = kinds.choices()
        self.old_secret = self.instance.secret if self.instance.pk else ""
        self.had_secret = bool(self.old_secret)
        if self.had_secret:
            self.fields["secret"].help_text = _("A secret is set (••••••). Leave empty to keep it; type to replace it.")
        else:
            self.fields["secret"].help_text = _("DingTalk 加签 or Feishu signature secret, if the robot uses one.")
            del self.fields["remove_secret"]
        self.helper = _helper()

    def clean_url(self):
        url = self.cleaned_data["url"]
        parts = urlsplit(url)
        if parts.scheme != "https":
            raise forms.ValidationError(_("A robot's address must start with https://."))
        host = (parts.hostname or "").lower()
        try:
            ip_address(host)
        except ValueError:
            literal = False
        else:
            literal = True
        if literal or host == "localhost" or host.endswith((".localhost", ".local", ".internal")) or "." not in host:
            raise forms.ValidationError(_("A robot must post to a public host name, not to an internal address."))
        return url

    def clean(self):
        cleaned = super().clean()
        url, kind = cleaned.get("url"), cleaned.get("kind")
        hosts = ROBOT_HOSTS.get(kind)
        if url and hosts and (urlsplit(url).hostname or "").lower() not in hosts:
            self.add_error(
                "url",
                _("A %(kind)s robot's address is on %(hosts)s.")
                % {"kind": dict(ImRobot.Kind.choices)[kind], "hosts": ", ".join(sorted(hosts))},
            )
        return cleaned

    def save(self, commit=True):
        robot = super().save(commit=False)
        secret = self.cleaned_data.get("secret", "")
        if self.cleaned_data.get("remove_secret"):
            robot.secret = ""
        elif not secret and self.had_secret:
            robot.secret = self.old_secret
        if commit:
            robot.save()
        return robot


class CalendarDayForm(forms.ModelForm):
    """One of the page's department's own exceptions."""

    class Meta:
        model = CalendarDay
        fields = ["date", "kind", "name"]
        widgets = {"date": forms.DateInput(attrs={"type": "date"})}
        labels = {"kind": _("The department on that day")}

    def __init__(self, *args, department: Department, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.department = department
        self.fields["kind"].choices = [
            (CalendarDay.Kind.HOLIDAY, _("Closed (not a working day)")),
            (CalendarDay.Kind.WORKDAY, _("Works (a working day)")),
        ]
        self.helper = _helper()

    def clean_date(self):
        day = self.cleaned_data["date"]
        if CalendarDay.objects.filter(department=self.instance.department, date=day).exists():
            raise forms.ValidationError(_("The department already has an exception on this date."))
        return day
