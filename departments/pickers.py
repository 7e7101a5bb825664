"""Choosing people from the whole organisation without listing it.

A `<select>` of every active person is 2,000 options in a large organisation: a 100 KB page that
nobody can scroll. `PeoplePicker` shows the people already chosen (a checkbox each, or a radio
button for one person) and a text box: with JavaScript, typing offers matching people
(`departments:find_people`, portal.js); without it, logins typed into the box, separated by
spaces or commas, are looked up when the form is sent. `PersonField` and `PeopleField` accept both
and say which login matched nobody.
"""

import re

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from departments.models import Department, User

LOGIN_SEPARATORS = re.compile(r"[\s,，、;；]+")
TYPED = "@"  # marks a login typed into the box, as opposed to the pk of a person already chosen


def _split(tokens: list[str]) -> tuple[list[int], list[str], list[str]]:
    """Tokens as (pks of people chosen, typed logins, anything else)."""
    pks, logins, other = [], [], []
    for token in tokens:
        if token.startswith(TYPED) and "\x00" not in token:  # no login holds a NUL (PostgreSQL refuses one)
            logins.append(token[len(TYPED) :])
        # not isdigit: int() refuses some digits ("²"); and no longer than a database id can be
        elif token.isdecimal() and len(token) <= 18:
            pks.append(int(token))
        else:
            other.append(token)
    return pks, logins, other


class PeoplePicker(forms.Widget):
    template_name = "departments/people_picker.html"
    separators = LOGIN_SEPARATORS

    def __init__(self, attrs=None, *, multiple: bool = False):
        super().__init__(attrs)
        self.allow_multiple_selected = multiple

    def use_required_attribute(self, initial):
        # The box is empty once someone is chosen: `required` on it would stop the browser sending
        # the form. The field says when nobody was chosen.
        return False

    def find_name(self, name: str) -> str:
        return f"{name}_find"

    def value_from_datadict(self, data, files, name):
        chosen = data.getlist(name) if hasattr(data, "getlist") else [data.get(name)]
        chosen = [value for value in chosen if value]
        typed = [TYPED + token.strip() for token in self.separators.split(data.get(self.find_name(name)) or "")]
        typed = [token for token in typed if token != TYPED]
        if self.allow_multiple_selected:
            return chosen + typed
        return (typed or chosen or [None])[-1]

    def value_omitted_from_data(self, data, files, name):
        return name not in data and self.find_name(name) not in data

    def format_value(self, value):
        if value is None or value == "":
            return []
        values = value if isinstance(value, list | tuple) else [value]
        return [str(v) for v in values if v not in (None, "")]

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        pks, logins, _other = _split(context["widget"]["value"])
        people = User.objects.filter(Q(pk__in=pks) | Q(username__in=logins)) if pks or logins else []
        by_pk = {person.pk: person for person in people}
        by_login = {person.username: person for person in people}
        chosen = [by_pk[pk] for pk in pks if pk in by_pk] + [by_login[login] for login in logins if login in by_login]
        if not self.allow_multiple_selected:
            chosen = chosen[-1:]
        context["widget"].update(
            chosen=list(dict.fromkeys(chosen)),
            find_name=self.find_name(name),
            find_value=" ".join(login for login in logins if login not in by_login),
            find_url=reverse("departments:find_people"),
            multiple=self.allow_multiple_selected,
            input_type="checkbox" if self.allow_multiple_selected else "radio",
        )
        return context

    def id_for_label(self, id_):
        return id_


def _resolve(queryset, tokens: list[str], field: forms.Field):
    """The people `tokens` name (pks of people chosen, or typed logins), all within `queryset`."""
    pks, logins, other = _split(tokens)
    if other:
        raise ValidationError(field.error_messages["invalid_choice"], code="invalid_choice", params={"value": other[0]})
    pks, logins = set(pks), set(logins)
    people = list(queryset.filter(Q(pk__in=pks) | Q(username__in=logins))) if pks or logins else []
    unknown = sorted(logins - {person.username for person in people})
    if unknown:
        raise ValidationError(field.error_messages["unknown_login"], code="unknown_login", params={"login": unknown[0]})
    refused = pks - {person.pk for person in people}
    if refused:
        person = User.objects.filter(pk__in=refused).first()
        if person is None:
            raise ValidationError(field.error_messages["invalid_choice"], code="invalid_choice", params={"value": ""})
        raise ValidationError(field.error_messages["refused"], code="refused", params={"name": person.name})
    return people


ERRORS = {
    "unknown_login": _("Nobody who can be chosen here has the login “%(login)s”."),
    "invalid_choice": _("Choose people from the suggestions, or type their logins."),
    "refused": _("%(name)s cannot be chosen here."),
}


class PersonField(forms.ModelChoiceField):
    """One person, chosen with a PeoplePicker."""

    default_error_messages = ERRORS

    def __init__(self, queryset=None, **kwargs):
        kwargs.setdefault("widget", PeoplePicker())
        super().__init__(queryset if queryset is not None else User.objects.none(), **kwargs)

    def to_python(self, value):
        if value in self.empty_values:
            return None
        people = _resolve(self.queryset, [str(value)], self)
        return people[0] if people else None


class PeopleField(forms.ModelMultipleChoiceField):
    """Any number of people, chosen with a PeoplePicker."""

    default_error_messages = ERRORS

    def __init__(self, queryset=None, **kwargs):
        kwargs.setdefault("widget", PeoplePicker(multiple=True))
        super().__init__(queryset if queryset is not None else User.objects.none(), **kwargs)

    def _check_values(self, value):
        return _resolve(self.queryset, [str(token) for token in value], self)

    def prepare_value(self, value):
        if isinstance(value, list | tuple) and all(isinstance(v, str) for v in value):
            return list(value)  # a bound form's tokens, shown again as they came
        return super().prepare_value(value)


class DepartmentPicker(PeoplePicker):
    """Departments chosen without a box for every department: those chosen (and `fixed`, ticked and
    disabled: a disabled box is not posted, the caller adds them itself) and a text box that offers
    matching departments (`departments:find_departments`); without JavaScript, the codes or names
    typed are looked up when the form is sent."""

    template_name = "departments/department_picker.html"
    # Not spaces: a department's English name has them.
    separators = re.compile(r"\s*(?:[,，、;；]|\n)+\s*")
    fixed: frozenset[str] = frozenset()

    def __init__(self, attrs=None):
        super().__init__(attrs, multiple=True)

    def get_context(self, name, value, attrs):
        context = super(PeoplePicker, self).get_context(name, value, attrs)
        pks, typed, _other = _split(context["widget"]["value"])
        fixed = [int(pk) for pk in self.fixed]
        wanted = [*fixed, *pks]
        found = Department.objects.filter(Q(pk__in=wanted) | _named(typed)) if wanted or typed else []
        by_pk = {department.pk: department for department in found}
        named = [department for department in found if department.pk not in wanted]
        chosen = list(dict.fromkeys([by_pk[pk] for pk in wanted if pk in by_pk] + named))
        unknown = [token for token in typed if not any(_names(department, token) for department in named)]
        context["widget"].update(
            chosen=chosen,
            fixed={department.pk for department in chosen if department.pk in fixed},
            find_name=self.find_name(name),
            find_value=", ".join(unknown),
            find_url=reverse("departments:find_departments"),
            multiple=True,
            input_type="checkbox",
        )
        return context


def _named(typed: list[str]) -> Q:
    """Departments whose code or name (either language) is one of `typed`."""
    if not typed:
        return Q(pk__in=[])
    return Q(code__in=typed) | Q(name__in=typed) | Q(name_en__in=typed)


def _names(department: Department, token: str) -> bool:
    return token in (department.code, department.name, department.name_en)


class DepartmentsField(forms.ModelMultipleChoiceField):
    """Any number of departments, chosen with a DepartmentPicker (ticked boxes carry ids, the text
    box codes or names)."""

    default_error_messages = {
        "unknown_department": _("No department that can be chosen here is called “%(name)s”."),
        "invalid_choice": _("Choose departments from the suggestions, or type their codes or names."),
        "refused": _("%(name)s cannot be chosen here."),
    }

    def __init__(self, queryset=None, **kwargs):
        kwargs.setdefault("widget", DepartmentPicker())
        super().__init__(queryset if queryset is not None else Department.objects.none(), **kwargs)

    def _check_values(self, value):
        pks, typed, other = _split([str(token) for token in value])
        if other:
            raise ValidationError(self.error_messages["invalid_choice"], code="invalid_choice")
        pks, typed = set(pks), set(typed)
        found = list(self.queryset.filter(Q(pk__in=pks) | _named(sorted(typed)))) if pks or typed else []
        unknown = sorted(token for token in typed if not any(_names(department, token) for department in found))
        if unknown:
            raise ValidationError(
                self.error_messages["unknown_department"], code="unknown_department", params={"name": unknown[0]}
            )
        refused = pks - {department.pk for department in found}
        if refused:
            department = Department.objects.filter(pk__in=refused).first()
            if department is None:
                raise ValidationError(self.error_messages["invalid_choice"], code="invalid_choice")
            raise ValidationError(self.error_messages["refused"], code="refused", params={"name": department})
        return found

    def prepare_value(self, value):
        if isinstance(value, list | tuple) and all(isinstance(v, str) for v in value):
            return list(value)  # a bound form's tokens, shown again as they came
        return super().prepare_value(value)
