"""Reading the configuration's history: the admin-wide log (filtered, paged, exported) and one
object's history, each entry with its differences from the version before, named in the
reader's language.

A page is read the way the other lists are, ids then rows: one query over every kind's history
(a UNION of their tables, filtered and ordered by date) gives the page's (kind, history id)
pairs and its count; then, for each kind on the page, one query reads its rows with the id of
the version before each, one the versions before, one each many-to-many field's members, and
one per related model names what the rows point at. The number of queries depends on the kinds
of objects, never on the number of rows.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time

from django.core.paginator import Page, Paginator
from django.db import models
from django.db.models import IntegerField, OuterRef, Q, QuerySet, Subquery, Value
from django.utils import formats, timezone
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from simple_history.utils import get_m2m_reverse_field_name

from confighistory.kinds import KINDS, Kind, children_of, kind_of, link_of, name_of
from confighistory.models import masked_url
from departments.models import User
from departments.selectors import departments_administered_by
from notifications.models import ImRobot

ACTIONS = {"+": gettext_lazy("was created"), "~": gettext_lazy("was changed"), "-": gettext_lazy("was deleted")}
HIDDEN = "••••••"
ORDER = list(KINDS)  # a kind's number in the UNION's kind column


@dataclass
class Change:
    label: str
    old: str = ""
    new: str = ""
    added: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    many: bool = False

    def as_text(self) -> str:
        if self.many:
            parts = []
            if self.added:
                parts.append(_("added %(names)s") % {"names": ", ".join(self.added)})
            if self.removed:
                parts.append(_("removed %(names)s") % {"names": ", ".join(self.removed)})
            return f"{self.label}: {'; '.join(parts)}"
        if not self.old:  # a created object's value
            return f"{self.label}: {self.new}"
        return f"{self.label}: {self.old} → {self.new}"


@dataclass
class Entry:
    kind: Kind
    history_id: int
    object_id: int
    when: datetime
    user: User | None
    action: str  # "+", "~" or "-"
    name: str
    url: str
    changes: list[Change]
    first_known: bool = False  # a change whose earlier version was never recorded

    @property
    def action_label(self) -> str:
        return str(ACTIONS[self.action])

    @property
    def who(self) -> str:
        return self.user.name if self.user else _("system")

    @property
    def diff_text(self) -> str:
        return "\n".join(change.as_text() for change in self.changes)


# Who sees what.


def scope_for(user: User) -> tuple[list[Kind], list[int] | None]:
    """The kinds `user` may read the history of, and the departments it is narrowed to (None:
    every department). Admins read everything; department administrators the history of their
    own departments' objects (the department, its people's memberships, robots, request types with
    their fields and steps); anyone else nothing."""
    if not user.is_authenticated or not user.is_active:
        return [], None
    if user.is_superuser:
        return list(KINDS.values()), None
    departments = list(departments_administered_by(user).values_list("pk", flat=True))
    if not departments:
        return [], None
    return [kind for kind in KINDS.values() if kind.department], departments


def may_read(user: User, kind: Kind, object_id: int) -> bool | None:
    """Whether `user` may read one object's history: None when it has none at all."""
    latest = kind.history.objects.filter(id=object_id).order_by("-history_id").first()
    if latest is None:
        return None
    kinds, departments = scope_for(user)
    if kind not in kinds:
        return False
    if departments is None:
        return True
    return kind.history.objects.filter(history_id=latest.history_id).filter(kind.in_departments(departments)).exists()


# The UNION of the kinds' histories.


def _refs(parts: dict[str, Q]) -> QuerySet:
    """(kind number, history id, history date) of every row matching, newest first; `parts` maps
    a kind's key to the condition on its rows."""
    selects = [
        KINDS[key]
        .history.objects.filter(condition)
        .order_by()
        .annotate(kind_no=Value(ORDER.index(key), output_field=IntegerField()))
        .values_list("kind_no", "history_id", "history_date")
        for key, condition in parts.items()
    ]
    if not selects:
        return KINDS["department"].history.objects.none().values_list("history_id", "history_id", "history_date")
    union = selects[0].union(*selects[1:], all=True) if len(selects) > 1 else selects[0]
    return union.order_by("-history_date", "-history_id")


def _log_parts(user: User, filters: dict) -> dict[str, Q]:
    kinds, departments = scope_for(user)
    if filters.get("kind"):
        kinds = [kind for kind in kinds if kind.key == filters["kind"]]
    common = Q()
    if filters.get("person"):
        common &= Q(history_user=filters["person"])
    if filters.get("since"):
        common &= Q(history_date__date__gte=filters["since"])
    if filters.get("until"):
        common &= Q(history_date__date__lte=filters["until"])
    parts = {}
    for kind in kinds:
        condition = common
        if departments is not None:
            condition &= kind.in_departments(departments)
        if text := filters.get("q"):
            found = Q()
            for name in kind.search:
                found |= Q(**{f"{name}__icontains": text})
            condition &= found
        parts[kind.key] = condition
    return parts


def log_page(user: User, filters: dict, number, size: int) -> Page:
    """A page of the log `user` may read, narrowed by the filter form's cleaned values, newest first."""
    page = Paginator(_refs(_log_parts(user, filters)), size).get_page(number)
    page.object_list = entries([(ORDER[no], history_id) for no, history_id, _date in page.object_list], user)
    return page


def log_rows(user: User, filters: dict, limit: int) -> list[Entry]:
    """The log's entries for an export: the same filters, newest first, up to `limit`."""
    refs = _refs(_log_parts(user, filters))[:limit]
    return entries([(ORDER[no], history_id) for no, history_id, _date in refs], user)


def history_of(obj: models.Model, limit: int = 20, *, reader: User | None = None) -> list[Entry]:
    """One object's history, newest first, up to `limit` entries: a request type's with its fields'
    and approval steps', a department's with its memberships' and robots'."""
    kind = kind_of(type(obj))
    if kind is None:
        return []
    return object_history(kind, obj.pk, limit, reader=reader)


def object_history(kind: Kind, object_id: int, limit: int, *, reader: User | None = None) -> list[Entry]:
    parts = {kind.key: Q(id=object_id)}
    for child in children_of(kind.key):
        parts[child.key] = Q(**{child.parent[1]: object_id})
    refs = _refs(parts)[:limit]
    return entries([(ORDER[no], history_id) for no, history_id, _date in refs], reader)


# Entries and their differences.


def entries(refs: list[tuple[str, int]], reader: User | None) -> list[Entry]:
    """The entries of these (kind key, history id) pairs, in their order."""
    wanted: dict[str, list[int]] = defaultdict(list)
    for key, history_id in refs:
        wanted[key].append(history_id)
    loaded: dict[tuple[str, int], tuple] = {}
    names = _Names()
    for key, ids in wanted.items():
        kind = KINDS[key]
        rows, before, members = _rows(kind, ids)
        for row in rows:
            loaded[key, row.history_id] = (kind, row, before.get(row.prev_id), members)
            names.want_row(kind, row)
            if row.prev_id in before:
                names.want_row(kind, before[row.prev_id])
        for (_field, _history_id), pks in members.items():
            names.want_many(_field.related_model, pks)
    names.load()
    found = []
    for ref in refs:
        if ref not in loaded:
            continue
        kind, row, previous, members = loaded[ref]
        found.append(_entry(kind, row, previous, members, names, reader))
    return found


def _rows(kind: Kind, ids: list[int]):
    history = kind.history
    before = history.objects.filter(id=OuterRef("id"), history_id__lt=OuterRef("history_id")).order_by("-history_id")
    rows = list(
        history.objects.filter(history_id__in=ids)
        .select_related("history_user")
        .annotate(prev_id=Subquery(before.values("history_id")[:1]))
    )
    previous_ids = [row.prev_id for row in rows if row.prev_id]
    previous = (
        {row.history_id: row for row in history.objects.filter(history_id__in=previous_ids)} if previous_ids else {}
    )
    members: dict[tuple, set] = defaultdict(set)
    every = ids + previous_ids
    for many in history._history_m2m_fields:
        target = get_m2m_reverse_field_name(many) + "_id"
        table = getattr(history, many.name).model
        for history_id, pk in table.objects.filter(history_id__in=every).values_list("history_id", target):
            members[many, history_id].add(pk)
    return rows, previous, members


class _Names:
    """Names of the rows the entries point at, read in one query per model."""

    def __init__(self):
        self.wanted: dict[type, set] = defaultdict(set)
        self.known: dict[type, dict] = {}

    def want_row(self, kind: Kind, row) -> None:
        for model_field in kind.history.tracked_fields:
            if model_field.is_relation and (pk := getattr(row, model_field.attname)) is not None:
                self.wanted[model_field.related_model].add(pk)

    def want_many(self, model, pks) -> None:
        self.wanted[model] |= set(pks)

    def load(self) -> None:
        for model, pks in self.wanted.items():
            self.known[model] = {pk: str(obj) for pk, obj in model._default_manager.in_bulk(pks).items()}

    def __call__(self, model, pk) -> str:
        if pk is None:
            return "—"
        return self.known.get(model, {}).get(pk) or f"#{pk}"


def _shown(kind: Kind, model_field, value, names: _Names) -> str:
    if model_field.name in kind.masked:
        return HIDDEN if value else "—"
    if kind.model is ImRobot and model_field.name == "url":
        return masked_url(value)
    if value is None or value == "" or value == []:
        return "—"
    if model_field.is_relation:
        return names(model_field.related_model, value)
    if model_field.choices:
        return str(dict(model_field.flatchoices).get(value, value))
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    if isinstance(value, datetime):
        return formats.date_format(timezone.localtime(value), "SHORT_DATETIME_FORMAT")
    if isinstance(value, date):
        return formats.date_format(value, "SHORT_DATE_FORMAT")
    if isinstance(value, time):
        return value.strftime("%H:%M")
    if isinstance(value, list):
        return ", ".join(str(item) for item in value)
    return str(value)


def _entry(kind: Kind, row, previous, members, names: _Names, reader) -> Entry:
    changes = []
    if row.history_type != "-":
        for model_field in kind.history.tracked_fields:
            if model_field.primary_key or not model_field.editable:
                continue
            new = getattr(row, model_field.attname)
            label = capfirst(str(model_field.verbose_name))
            if previous is None:
                if new not in (None, "", [], False):
                    changes.append(Change(label, old="", new=_shown(kind, model_field, new, names)))
                continue
            old = getattr(previous, model_field.attname)
            if old != new:
                changes.append(
                    Change(label, old=_shown(kind, model_field, old, names), new=_shown(kind, model_field, new, names))
                )
        for many in kind.history._history_m2m_fields:
            now = members.get((many, row.history_id), set())
            then = members.get((many, previous.history_id), set()) if previous else set()
            if now != then:
                changes.append(
                    Change(
                        capfirst(str(many.verbose_name)),
                        added=sorted(names(many.related_model, pk) for pk in now - then),
                        removed=sorted(names(many.related_model, pk) for pk in then - now),
                        many=True,
                    )
                )
    return Entry(
        kind=kind,
        history_id=row.history_id,
        object_id=row.id,
        when=row.history_date,
        user=row.history_user,
        action=row.history_type,
        name=name_of(kind, row, names),
        url=link_of(kind, row, reader) if reader is not None else "",
        changes=changes,
        first_known=previous is None and row.history_type == "~",
    )
