"""Read queries for the department administrators' pages, with their joins."""

import time

from django.core.cache import cache
from django.db.models import QuerySet
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.utils import timezone

from departments.models import CalendarDay, Department, Membership, User
from departments.selectors import departments_administered_by
from notifications.models import ImRobot
from tasks.models import RequestType

VERSION_KEY = "deptadmin:roles:version"


def _version() -> int:
    # Started from the clock, so that a version lost from the cache never comes back to one that
    # older answers were stored under.
    return cache.get_or_set(VERSION_KEY, time.time_ns, None)


def roles_changed(**kwargs) -> None:
    """A department's head, deputies or administrators changed: every cached answer is stale."""
    try:
        cache.incr(VERSION_KEY)
    except ValueError:  # no version yet: the next read makes one
        pass


def connect_signals() -> None:
    post_save.connect(roles_changed, sender=Department, dispatch_uid="deptadmin.department_saved")
    post_delete.connect(roles_changed, sender=Department, dispatch_uid="deptadmin.department_deleted")
    for through in (Department.administrators.through, Department.deputies.through):
        m2m_changed.connect(roles_changed, sender=through, dispatch_uid=f"deptadmin.{through.__name__}")


def administers_any(user: User) -> bool:
    """Whether the user menu offers "Department administration": every page asks, so the answer is
    kept in the shared cache under a version that any change of heads, deputies or administrators
    moves on (no query on a page once known)."""
    if not user.is_authenticated:
        return False
    if user.is_superuser:
        return user.is_active
    key = f"deptadmin:any:{_version()}:{user.pk}"
    found = cache.get(key)
    if found is None:
        found = departments_administered_by(user).exists()
        cache.set(key, found, 3600)
    return found


def administered_departments(user: User) -> list[Department]:
    """The departments the user administers, in the organisation's order (the index page)."""
    return list(departments_administered_by(user).filter(is_active=True).order_by("sort_order", "code"))


def hub_counts(department: Department) -> dict[str, int]:
    """What the hub shows beside each link (four small counts)."""
    return {
        "request_types": RequestType.objects.filter(department=department, is_active=True).count(),
        "members": Membership.objects.filter(department=department, user__is_active=True).count(),
        "robots": ImRobot.objects.filter(department=department).count(),
        "calendar_days": CalendarDay.objects.filter(department=department, date__gte=timezone.localdate()).count(),
    }


def request_types_of(department: Department) -> QuerySet[RequestType]:
    """The department's request types with the skills they need (two queries)."""
    return (
        RequestType.objects.filter(department=department)
        .prefetch_related("skills")
        .order_by("-is_active", "sort_order", "code")
    )


def members_of(department: Department) -> QuerySet[User]:
    """The department's active members with their skills (two queries)."""
    return (
        User.objects.filter(memberships__department=department, is_active=True)
        .prefetch_related("skills")
        .order_by("username")
        .distinct()
    )


def member_of(department: Department, username: str) -> User:
    """One active member of the department; raises User.DoesNotExist for anyone else."""
    return members_of(department).get(username=username)


def robots_of(department: Department) -> QuerySet[ImRobot]:
    return ImRobot.objects.filter(department=department).order_by("name", "pk")


def calendar_days_of(department: Department) -> QuerySet[CalendarDay]:
    """The department's own exceptions from a year ago on, newest last."""
    since = timezone.localdate().replace(month=1, day=1)
    return CalendarDay.objects.filter(department=department, date__gte=since.replace(year=since.year - 1))


def organisation_days(dates) -> dict:
    """The organisation's days on `dates` (to show what a department's exception overrides)."""
    return {day.date: day for day in CalendarDay.objects.filter(department__isnull=True, date__in=list(dates))}
