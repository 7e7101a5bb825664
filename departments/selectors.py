"""Read queries for the organisation pages, with their joins."""

from datetime import date
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import CharField, Count, Prefetch, Q, QuerySet, Value
from django.utils import timezone

from core.request_cache import per_request
from core.workhours import WorkingCalendar
from departments.models import CalendarDay, Delegation, Department, Membership, User, WorkCalendar


def working_calendar(department: Department | int | None = None) -> WorkingCalendar:
    """The working calendar as configured by the admins (two queries): the organisation's, or,
    given a department, the organisation's with that department's own exceptions winning over the
    organisation's days (the SLAs of the requests it handles count in these hours)."""
    config = WorkCalendar.objects.filter(pk=1).first() or WorkCalendar()
    department_id = department.pk if isinstance(department, Department) else department
    days = CalendarDay.objects.filter(Q(department__isnull=True) | Q(department_id=department_id or 0))
    kinds: dict[date, str] = {}
    # The organisation's days first (NULLs sort first ascending on SQLite, last on PostgreSQL: so
    # sort in Python), then the department's over them.
    rows = sorted(days.values_list("date", "kind", "department_id"), key=lambda row: row[2] is not None)
    for day, kind, _department in rows:
        kinds[day] = kind
    holidays = {day for day, kind in kinds.items() if kind == CalendarDay.Kind.HOLIDAY}
    return WorkingCalendar(
        periods=((config.morning_start, config.morning_end), (config.afternoon_start, config.afternoon_end)),
        weekdays=frozenset(int(digit) for digit in config.workdays),
        holidays=frozenset(holidays),
        workdays=frozenset(kinds.keys() - holidays),
        tz=ZoneInfo(settings.TIME_ZONE),
    )


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


def delegations_of(user: User) -> list[Delegation]:
    """Delegations the person gave or received that have not ended yet (the home page)."""
    return list(
        Delegation.objects.filter(
            Q(delegator=user) | Q(delegate=user), is_active=True, ends_on__gte=timezone.localdate()
        )
        .select_related("delegator", "delegate")
        .order_by("starts_on")
    )


def memberships_of(user: User) -> list[Membership]:
    """The person's memberships with their departments and the departments' heads (the home page,
    User.primary_membership)."""
    return list(Membership.objects.filter(user=user).select_related("department", "department__head"))


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
    """Where the person stands, in one query of five index lookups (UNION ALL): the departments
    they belong to and those they head, deputise for or manage, and whom they act for on `day`.
    Nearly every page asks all of these; one round trip answers them."""

    def kind(name: str) -> Value:
        return Value(name, output_field=CharField())

    memberships = Membership.objects.filter(user=user)
    parts = [
        memberships.values_list("department_id", kind("member")),
        memberships.filter(role=Membership.Role.MANAGER).values_list("department_id", kind("manager")),
        Department.objects.filter(head=user).values_list("pk", kind("manager")),
        Department.deputies.through.objects.filter(user=user).values_list("department_id", kind("manager")),
        Delegation.objects.in_force(day).filter(delegate=user).values_list("delegator_id", kind("delegator")),
    ]
    # Without the models' default ordering: SQLite allows none inside a UNION's parts.
    parts = [part.order_by() for part in parts]
    found: dict[str, set[int]] = {"member": set(), "manager": set(), "delegator": set()}
    for value, name in parts[0].union(*parts[1:], all=True):
        found[name].add(value)
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
