"""The kinds of configuration whose history is kept: for each, its model, how its rows are named,
which department owns a row (department administrators see their own departments' history), and
the page a row links to. The order is the filter's."""

from dataclasses import dataclass, field

from django.contrib import admin
from django.db.models import Model, Q
from django.urls import NoReverseMatch, reverse
from django.utils.functional import Promise

from departments.models import (
    CalendarDay,
    Delegation,
    Department,
    Membership,
    Skill,
    User,
    WorkCalendar,
    pick_language,
)
from documents.models import DocumentTemplate
from notifications.models import ImApp, ImRobot
from tasks.models import ApprovalStep, RequestField, RequestType


@dataclass(frozen=True)
class Kind:
    key: str  # in addresses: /settings-history/<key>/<pk>/
    model: type[Model]
    search: tuple[str, ...]  # historical fields the log's text filter looks in
    department: str | None = None  # the historical row's path to the owning department's id
    parent: tuple[str, str] | None = None  # (kind key, historical field): shown in the parent's history
    masked: frozenset[str] = field(default_factory=frozenset)  # never shown, only "changed"

    @property
    def label(self) -> Promise:
        return self.model._meta.verbose_name

    @property
    def history(self) -> type[Model]:
        return self.model.history.model

    def in_departments(self, ids) -> Q:
        return Q(**{f"{self.department}__in": ids})


KINDS: dict[str, Kind] = {
    kind.key: kind
    for kind in (
        Kind("request-type", RequestType, ("code", "name", "name_en"), department="department_id"),
        Kind(
            "request-field",
            RequestField,
            ("key", "label", "label_en", "request_type__name", "request_type__code"),
            department="request_type__department_id",
            parent=("request-type", "request_type_id"),
        ),
        Kind(
            "approval-step",
            ApprovalStep,
            ("name", "name_en", "request_type__name", "request_type__code"),
            department="request_type__department_id",
            parent=("request-type", "request_type_id"),
        ),
        Kind("department", Department, ("code", "name", "name_en"), department="id"),
        Kind(
            "membership",
            Membership,
            ("user__username", "user__display_name", "department__name", "department__name_en"),
            department="department_id",
            parent=("department", "department_id"),
        ),
        Kind(
            "im-robot",
            ImRobot,
            ("name", "department__name", "department__name_en"),
            department="department_id",
            parent=("department", "department_id"),
            masked=frozenset({"secret"}),
        ),
        Kind("delegation", Delegation, ("delegator__username", "delegator__display_name", "reason")),
        Kind("person", User, ("username", "display_name", "employee_no")),
        Kind("skill", Skill, ("name", "name_en")),
        Kind("calendar", WorkCalendar, ("name",)),
        Kind("calendar-day", CalendarDay, ("name",)),
        Kind("im-app", ImApp, ("app_id",), masked=frozenset({"secret"})),
        Kind("document-template", DocumentTemplate, ("name",)),
    )
}


def kind_of(model: type[Model]) -> Kind | None:
    for kind in KINDS.values():
        if kind.model is model:
            return kind
    return None


def children_of(key: str) -> list[Kind]:
    return [kind for kind in KINDS.values() if kind.parent and kind.parent[0] == key]


def name_of(kind: Kind, row, names) -> str:
    """A historical row's name in the reader's language; `names(model, pk)` names a related row."""
    model = kind.model
    if model in (Department, RequestType, Skill):
        return pick_language(row.name, row.name_en)
    if model is RequestField:
        return f"{names(RequestType, row.request_type_id)} · {pick_language(row.label, row.label_en)}"
    if model is ApprovalStep:
        step = pick_language(row.name, row.name_en) or dict(ApprovalStep.Approver.choices).get(row.approver, "")
        return f"{names(RequestType, row.request_type_id)} · {row.order}. {step}"
    if model is Membership:
        return f"{names(User, row.user_id)} · {names(Department, row.department_id)}"
    if model is ImRobot:
        return f"{names(Department, row.department_id)} · {row.name}"
    if model is Delegation:
        return f"{names(User, row.delegator_id)} → {names(User, row.delegate_id)}"
    if model is User:
        return row.display_name or row.username
    if model is ImApp:
        return str(dict(ImApp.Kind.choices).get(row.kind, row.kind))
    if model is CalendarDay:
        return f"{row.date} {row.name}".strip()
    return row.name


def link_of(kind: Kind, row, user) -> str:
    """The page of the row's object, where it has one and the reader may open it; "" otherwise."""
    if row.history_type == "-":
        return ""
    if kind.model is Department:
        return reverse("departments:department", args=[row.code]) if row.is_active else ""
    if kind.model is User:
        return reverse("departments:person", args=[row.username]) if row.is_active else ""
    if kind.model is RequestType:  # its page in the service catalogue, which says who may open it
        return reverse("catalogue:type", args=[row.code])
    if user.is_superuser and admin.site.is_registered(kind.model):
        opts = kind.model._meta
        try:
            return reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[row.id])
        except NoReverseMatch:
            return ""
    return ""
