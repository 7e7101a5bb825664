"""Each person's daily digest: what waits on them, by e-mail, once a working day at their time.

What a digest lists comes from the apps: each registers a function (`register`) that, given a
person, returns the sections it adds (a heading and the items, each a label, a title, a portal
path and perhaps a due moment). The function runs in the person's language. A person whose
sections are all empty gets no digest that day.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from django.conf import settings
from django.db import transaction
from django.db.models import Exists, OuterRef, Q
from django.template.loader import render_to_string
from django.utils import timezone, translation

from departments.models import User
from departments.selectors import calendar_filter, home_department, working_calendars
from notifications.delivery import queue
from notifications.models import NotificationPreference
from notifications.services import email

BATCH = 2000  # people a run handles; the next run takes the rest


@dataclass(frozen=True)
class Item:
    label: str
    title: str
    path: str
    due_at: datetime | None = None


@dataclass
class Section:
    heading: str
    items: list[Item] = field(default_factory=list)


# Filled once at start-up by AppConfig.ready(), in INSTALLED_APPS order.
_SOURCES: list[Callable[[User], list[Section]]] = []


def register(source: Callable[[User], list[Section]]) -> None:
    """Add `source(person) -> [Section, …]` to every digest (once, however often it is called)."""
    if source not in _SOURCES:
        _SOURCES.append(source)


def sections_for(person: User) -> list[Section]:
    return [section for source in _SOURCES for section in source(person)]


def _due_for_digest(now: datetime):
    """People whose digest time has come today and who have not had today's digest."""
    local = timezone.localtime(now)
    default_time = NotificationPreference._meta.get_field("digest_time").default
    due = Q(notification_preference__digest_enabled=True, notification_preference__digest_time__lte=local.time()) & (
        Q(notification_preference__last_digest_on__isnull=True)
        | Q(notification_preference__last_digest_on__lt=local.date())
    )
    if local.time() >= default_time:
        due |= Q(has_preference=False)  # never changed their settings: the default time applies
    # Today must be a working day of the person's own department (its exceptions count).
    working_today = calendar_filter("home", lambda calendar: Q() if calendar.is_working_day(local.date()) else None)
    return (
        User.objects.filter(is_active=True)
        .exclude(email="")
        .annotate(has_preference=Exists(NotificationPreference.objects.filter(user=OuterRef("pk"))))
        .filter(due)
        .alias(home=home_department())
        .filter(working_today)
        .order_by("pk")
    )


def send_digests(now: datetime | None = None) -> int:
    """Each person's digest, once a working day of their department, at or after their digest time."""
    now = now or timezone.now()
    local = timezone.localtime(now)
    if not any(calendar.is_working_day(local.date()) for calendar in working_calendars().every()):
        return 0
    sent = 0
    for person in _due_for_digest(now)[:BATCH]:
        preference, _created = NotificationPreference.objects.get_or_create(user=person)
        claimed = (
            NotificationPreference.objects.filter(pk=preference.pk)
            .filter(Q(last_digest_on__isnull=True) | Q(last_digest_on__lt=local.date()))
            .update(last_digest_on=local.date())
        )
        if claimed != 1:
            continue
        with translation.override(person.language or settings.LANGUAGE_CODE):
            sections = [section for section in sections_for(person) if section.items]
            if not sections:
                continue
            context = {
                "user": person,
                "sections": sections,
                "date": local.date(),
                "site": settings.SITE_URL.rstrip("/"),
            }
            subject = render_to_string("notifications/emails/digest-subject.txt", context)
            body = render_to_string("notifications/emails/digest-body.txt", context)
            html = render_to_string("notifications/emails/digest-body.html", context)
        with transaction.atomic():
            queue(
                [
                    email(
                        person,
                        key=f"digest:{person.pk}:{local.date().isoformat()}",
                        kind="digest",
                        subject=subject,
                        body=body,
                        html=html,
                    )
                ]
            )
        sent += 1
    return sent
