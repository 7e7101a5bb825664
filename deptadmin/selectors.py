"""Read queries for the department administrators' pages, with their joins."""

from django.contrib.auth.signals import user_logged_in
from django.core.cache import cache
from django.db.models import QuerySet
from django.db.models.signals import m2m_changed, post_save
from django.utils import timezone

from departments.models import CalendarDay, Department, Membership, User
from departments.selectors import departments_administered_by
from notifications.models import ImRobot
from tasks.models import RequestType

# How long the user menu trusts its answer when nothing tells it that it changed (a head replaced:
# the former head's link leads to a 403 page until then).
MENU_SECONDS = 600


def _key(user_id: int) -> str:
    return f"deptadmin:administers-any:{user_id}"


def remember(user: User) -> bool:
    """Work out, and keep, whether the user administers any department (at sign-in, so that pages
    never pay for it)."""
    found = user.is_active and (user.is_superuser or departments_administered_by(user).exists())
    cache.set(_key(user.pk), found, MENU_SECONDS)
    return found


def forget(user_ids) -> None:
    ids = [pk for pk in user_ids or () if pk is not None]
    if ids:
        cache.delete_many([_key(pk) for pk in ids])


def _administrators_changed(sender, instance, action, reverse, pk_set, **kwargs) -> None:
    if reverse:  # user.administered_departments.add(...)
        forget([instance.pk])
    elif action == "pre_clear":
        forget(sender.objects.filter(department=instance).values_list("user_id", flat=True))
    elif action in ("post_add", "post_remove"):
        forget(pk_set)


def _department_saved(sender, instance, **kwargs) -> None:
    forget([instance.head_id])


def _signed_in(sender, request, user, **kwargs) -> None:
    remember(user)


def connect_signals() -> None:
    post_save.connect(_department_saved, sender=Department, dispatch_uid="deptadmin.department_saved")
    for through in (Department.administrators.through, Department.deputies.through):
        m2m_changed.connect(_administrators_changed, sender=through, dispatch_uid=f"deptadmin.{through.__name__}")
    user_logged_in.connect(_signed_in, dispatch_uid="deptadmin.signed_in")


def administers_any(user: User) -> bool:
    """Whether the user menu offers "Department administration": every page asks, so the answer is
    worked out at sign-in and kept in the shared cache, forgotten when the person's seats change."""
    if not user.is_authenticated:
        return False
    if user.is_superuser:
        return user.is_active
    found = cache.get(_key(user.pk))
    return remember(user) if found is None else found


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
