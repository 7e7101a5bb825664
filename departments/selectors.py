"""Read queries for the organisation pages, with their joins."""

import operator
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from functools import reduce
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.db.models import CharField, Count, OuterRef, Prefetch, Q, QuerySet, Subquery, Value
from django.utils import timezone

from core.request_cache import per_request
from core.workhours import WorkingCalendar
from departments.models import CalendarDay, Delegation, Department, Membership, User, WorkCalendar

CALENDARS_KEY = "departments:calendars:v1"
# Saving or deleting a calendar row deletes the entry (departments.signals); in a cache of each
# process's own (the embedded default) the other processes see the change within this time.
CALENDARS_SECONDS = 60


@dataclass(frozen=True)
class Calendars:
    """Every working calendar of the organisation at once: the organisation's, and the calendar of
    each department with exceptions of its own (any other department works by the organisation's)."""

    organisation: WorkingCalendar
    own: dict[int, WorkingCalendar] = field(default_factory=dict)

    def of(self, department: "Department | int | None") -> WorkingCalendar:
        department_id = department.pk if isinstance(department, Department) else department
        return self.own.get(department_id, self.organisation) if department_id else self.organisation

    def every(self) -> tuple[WorkingCalendar, ...]:
        """The organisation's calendar and each department's own: a sweep that finds `now` off on
        all of them has nothing to do."""
        return (self.organisation, *self.own.values())


def _read_calendars() -> Calendars:
    config = WorkCalendar.objects.filter(pk=1).first() or WorkCalendar()
    organisation: dict[date, str] = {}
    own: dict[int, dict[date, str]] = {}
    for day, kind, department_id in CalendarDay.objects.values_list("date", "kind", "department_id"):
        (organisation if department_id is None else own.setdefault(department_id, {}))[day] = kind

    def calendar(kinds: dict[date, str]) -> WorkingCalendar:
        holidays = {day for day, kind in kinds.items() if kind == CalendarDay.Kind.HOLIDAY}
        return WorkingCalendar(
            periods=((config.morning_start, config.morning_end), (config.afternoon_start, config.afternoon_end)),
            weekdays=frozenset(int(digit) for digit in config.workdays),
            holidays=frozenset(holidays),
            workdays=frozenset(kinds.keys() - holidays),
            tz=ZoneInfo(settings.TIME_ZONE),
        )

    # A department's exceptions win over the organisation's day of the same date.
    return Calendars(calendar(organisation), {pk: calendar(organisation | days) for pk, days in own.items()})


@per_request
def working_calendars() -> Calendars:
    """The organisation's working calendars as the admins configured them: read in two queries,
    then kept in the cache until a calendar row changes, so sweeps over many rows and pages that
    ask often read none."""
    found = cache.get(CALENDARS_KEY)
    if found is None:
        found = _read_calendars()
        cache.set(CALENDARS_KEY, found, CALENDARS_SECONDS)
    return found


def calendars_changed() -> None:
    """Say that the working calendar or its days change in the current transaction (the receivers
    of post_save and post_delete call it; bulk writes call it themselves)."""
    cache.delete(CALENDARS_KEY)
    transaction.on_commit(lambda: cache.delete(CALENDARS_KEY))


def working_calendar(department: "Department | int | None" = None) -> WorkingCalendar:
    """The calendar a step owed by `department` counts in: the organisation's, with that
    department's own exceptions winning over the organisation's days (None: the organisation's).
    Every deadline, reminder window and working-day check asks this (or calendar_filter)."""
    return working_calendars().of(department)


def calendar_terms(department_field: str) -> list[tuple[str, WorkingCalendar, Q]]:
    """Each working calendar with the filter for the rows on it (by the department in
    `department_field`; empty: the organisation's) and a key naming that grouping of departments:
    the organisation's calendar for every department without exceptions of its own, then one per
    distinct calendar of departments with their own. The key changes whenever a department joins
    or leaves a group, so a sweep that keeps a watermark per key starts afresh for a regrouping."""
    calendars = working_calendars()
    groups: dict[WorkingCalendar, list[int]] = {}
    for pk, calendar in sorted(calendars.own.items()):
        if calendar != calendars.organisation:
            groups.setdefault(calendar, []).append(pk)
    own = [pk for ids in groups.values() for pk in ids]
    everyone = Q()
    if own:
        everyone = Q(**{f"{department_field}__isnull": True}) | ~Q(**{f"{department_field}__in": own})
    terms = [("organisation:" + ",".join(map(str, sorted(own))), calendars.organisation, everyone)]
    for calendar, ids in groups.items():
        terms.append(("departments:" + ",".join(map(str, ids)), calendar, Q(**{f"{department_field}__in": ids})))
    return terms


def calendar_filter(department_field: str, condition: Callable[[WorkingCalendar], Q | None]) -> Q:
    """A filter that holds each row to `condition` on the calendar of the department in
    `department_field` (a rows' department, or an annotation naming one; empty: the
    organisation's): `condition(calendar)` gives the filter for rows on that calendar, or None when
    none of them qualifies (it is not a working moment there). One term per distinct calendar,
    so a sweep reads its rows in one query however many rows and departments there are; with no
    department exceptions it is `condition(organisation)` alone."""
    parts = []
    for _key, calendar, rows in calendar_terms(department_field):
        term = condition(calendar)
        if term is not None:
            parts.append(term & rows)
    return reduce(operator.or_, parts) if parts else Q(pk__in=[])


def home_department(person: str = "pk") -> Subquery:
    """A person's own department, for a query over people (`person`: the field holding the
    person): their primary department, else the first they joined, else none. The department
    whose calendar a person's own steps count in (a named approver, a mediator, a digest)."""
    memberships = Membership.objects.filter(user_id=OuterRef(person)).order_by("-is_primary", "pk")
    return Subquery(memberships.values("department_id")[:1])


def home_department_ids(people) -> dict[int, int | None]:
    """{person id: their own department's id (home_department) or None}, in one query."""
    ids = sorted({getattr(person, "pk", person) for person in people if person is not None})
    if not ids:
        return {}
    return dict(User.objects.filter(pk__in=ids).annotate(home=home_department()).values_list("pk", "home"))


@per_request
def departments_by_id() -> dict[int, Department]:
    """Every department, read once per web request: pages show many departments' names, and a
    join per department column costs PostgreSQL more planning than this one small read."""
    return {department.pk: department for department in Department.objects.all()}


def departments_in_order(pks=None, *, active_only: bool = False) -> list[Department]:
    """Departments from the page's cache in the organisation's order (Department.Meta.ordering),
    all of them or those in `pks`."""
    every = departments_by_id()
    chosen = every.values() if pks is None else (every[pk] for pk in pks if pk in every)
    return sorted((d for d in chosen if d.is_active or not active_only), key=lambda d: (d.sort_order, d.code))


def people_matching(query: str) -> QuerySet[User]:
    """Active people whose login starts with `query`, or whose name contains it, or whose employee
    number it is; by login."""
    if "\x00" in query:  # no stored text holds a NUL (PostgreSQL refuses one): nobody matches
        return User.objects.none()
    return (
        User.objects.filter(is_active=True)
        .filter(Q(username__istartswith=query) | Q(display_name__icontains=query) | Q(employee_no__iexact=query))
        .order_by("username")
    )


def departments_matching(query: str) -> QuerySet[Department]:
    """Active departments that take requests whose code starts with `query` or whose name (either
    language) contains it; in the organisation's order."""
    if "\x00" in query:  # no stored text holds a NUL (PostgreSQL refuses one): nothing matches
        return Department.objects.none()
    return (
        Department.objects.filter(is_active=True, accepts_requests=True)
        .filter(Q(code__istartswith=query) | Q(name__icontains=query) | Q(name_en__icontains=query))
        .order_by("sort_order", "code")
    )


def departments_administered_by(user: User) -> QuerySet[Department]:
    """The departments whose catalogue and settings `user` administers: those they were made
    administrator of, and those they head or deputise when the organisation lets heads administer.
    Admins (superusers) administer every department."""
    if not user.is_authenticated or not user.is_active:
        return Department.objects.none()
    if user.is_superuser:
        return Department.objects.all()
    held = Q(administrators=user)
    if settings.DEPARTMENT_HEADS_ADMINISTER:
        held |= Q(head=user) | Q(deputies=user)
    return Department.objects.filter(pk__in=Department.objects.filter(held).values("pk"))


def departments_managed_by(user: User) -> QuerySet[Department]:
    return Department.objects.filter(
        Q(head=user) | Q(deputies=user) | Q(memberships__user=user, memberships__role=Membership.Role.MANAGER)
    ).distinct()


def department_tree() -> list[tuple[Department, int]]:
    """Active departments in tree order with their depth; counts annotated, heads joined.

    A fixed number of queries whatever the size of the organisation.
    """
    departments = list(
        Department.objects.filter(is_active=True)
        .select_related("head")
        .prefetch_related("deputies")
        .annotate(member_count=Count("memberships", distinct=True))
    )
    by_parent: dict[int | None, list[Department]] = {}
    known = {department.pk for department in departments}
    for department in departments:
        parent = department.parent_id if department.parent_id in known else None
        by_parent.setdefault(parent, []).append(department)

    ordered: list[tuple[Department, int]] = []
    visited: set[int] = set()

    def walk(parent_id: int | None, depth: int) -> None:
        for child in by_parent.get(parent_id, []):
            if child.pk in visited:
                continue
            visited.add(child.pk)
            ordered.append((child, depth))
            walk(child.pk, depth + 1)

    walk(None, 0)
    return ordered


def department_for_page(code: str) -> Department:
    """One active department with its people; raises Department.DoesNotExist."""
    members = (
        Membership.objects.select_related("user").prefetch_related("user__skills").order_by("-role", "user__username")
    )
    return (
        Department.objects.filter(is_active=True)
        .select_related("head", "parent")
        .prefetch_related(
            "deputies",
            Prefetch("memberships", queryset=members),
            Prefetch("children", queryset=Department.objects.filter(is_active=True)),
        )
        .get(code=code)
    )


def person_for_page(username: str) -> User:
    """One active person with departments and skills; raises User.DoesNotExist."""
    return (
        User.objects.filter(is_active=True)
        .prefetch_related(
            Prefetch("memberships", queryset=Membership.objects.select_related("department", "department__head")),
            "skills",
        )
        .get(username=username)
    )


# What User.name reads: a list that shows people's names reads these columns of them only (Django
# builds and converts every column of a joined person otherwise, and a person has many).
NAME_COLUMNS = ("username", "display_name", "first_name", "last_name")


def delegations_of(user: User) -> list[Delegation]:
    """Delegations the person gave or received that have not ended yet (the home page, the person's
    page), with the names of both sides."""
    return list(
        Delegation.objects.filter(
            Q(delegator=user) | Q(delegate=user), is_active=True, ends_on__gte=timezone.localdate()
        )
        .select_related("delegator", "delegate")
        .only(
            "delegator",
            "delegate",
            "starts_on",
            "ends_on",
            "reason",
            "is_active",
            *(f"{side}__{column}" for side in ("delegator", "delegate") for column in NAME_COLUMNS),
        )
        .order_by("starts_on")
    )


def memberships_of(user: User, *, heads: bool = False) -> list[Membership]:
    """The person's memberships with their departments (the home page), and with the departments'
    heads when asked (User.primary_membership: filing names the head as the first approver)."""
    related = ("department", "department__head") if heads else ("department",)
    return list(Membership.objects.filter(user=user).select_related(*related))


def delegate_for(user: User, day: date | None = None) -> User | None:
    """Who acts for `user` on `day` (today by default), or None."""
    delegation = (
        Delegation.objects.in_force(day or timezone.localdate())
        .filter(delegator=user)
        .select_related("delegate")
        .order_by("-starts_on", "-pk")
        .first()
    )
    return delegation.delegate if delegation else None


@per_request
def person_roles(user: User, day) -> dict[str, set[int]]:
    """Where the person stands, in one query of index lookups (UNION ALL): the departments
    they belong to and those they head, deputise for or manage, and whom they act for on `day`.
    Nearly every page asks all of these; one round trip answers them."""

    def kind(name: str) -> Value:
        return Value(name, output_field=CharField())

    # Three parts, each a department or a person with what it is to them: a membership by its role
    # ("member" or "manager"), a department they head or deputise for ("head"), a person they act
    # for ("delegator"). Every page asks this, and each part costs Django as much to prepare as the
    # database to answer, so the parts are as few as the tables.
    parts = [
        Membership.objects.filter(user=user).values_list("department_id", "role"),
        Department.objects.filter(Q(head=user) | Q(deputies=user)).values_list("pk", kind("head")),
        Delegation.objects.in_force(day).filter(delegate=user).values_list("delegator_id", kind("delegator")),
    ]
    # Without the models' default ordering: SQLite allows none inside a UNION's parts.
    parts = [part.order_by() for part in parts]
    found: dict[str, set[int]] = {"member": set(), "manager": set(), "delegator": set()}
    for value, name in parts[0].union(*parts[1:], all=True):
        if name == "delegator":
            found["delegator"].add(value)
            continue
        if name != "head":  # a membership: member of the department, its manager too by role
            found["member"].add(value)
        if name in ("head", Membership.Role.MANAGER):
            found["manager"].add(value)
    return found


def holders_acting_for(user: User) -> frozenset[int]:
    """The people for whom `user` acts today (one hop: a delegate's own delegate does not act for
    the first holder). The role fact every app's rules ask; read once per web request, in the
    same round trip as the person's departments."""
    if not user.is_authenticated or not user.is_active:
        return frozenset()
    return frozenset(person_roles(user, timezone.localdate())["delegator"])


def acting_for(user: User, holder) -> bool:
    """Whether `user` may take `holder`'s steps today as their delegate (`holder`: a person or an
    id; never true for oneself)."""
    holder_id = getattr(holder, "pk", holder)
    return holder_id is not None and holder_id != user.pk and holder_id in holders_acting_for(user)


def _delegators_today(user: User) -> QuerySet[User]:
    """The people whose delegation to `user` is in force today."""
    return User.objects.filter(pk__in=holders_acting_for(user))


@per_request
def signer_acting_for(user: User) -> tuple[bool, User | None]:
    """Whether `user` may sign off documents today, and for which leader when by delegation (a
    role fact: read once per web request, however many of a page's actions ask)."""
    if user.can_sign_off:
        return True, None
    leader = _delegators_today(user).filter(can_sign_off=True, is_active=True).first()
    return leader is not None, leader


@per_request
def manager_acting_for(user: User, department: Department) -> tuple[bool, User | None]:
    """Whether `user` may act as a manager of `department` today, and for whom when by delegation
    (a role fact: read once per web request; a document's page asks it for each of its actions)."""
    if departments_managed_by(user).filter(pk=department.pk).exists():
        return True, None
    for person in _delegators_today(user):
        if departments_managed_by(person).filter(pk=department.pk).exists():
            return True, person
    return False, None
