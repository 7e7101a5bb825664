"""A person's calendar feed."""

from django.db import transaction
from django.utils import timezone

from departments.models import User
from teams.models import CalendarFeed

# Calendar feed


def feed_for(user: User) -> CalendarFeed:
    feed, _created = CalendarFeed.objects.get_or_create(user=user)
    return feed


def feed_rotate(*, user: User) -> CalendarFeed:
    """A new secret URL; the old one stops working at once."""
    from teams.models import _new_token

    with transaction.atomic():
        feed, _created = CalendarFeed.objects.select_for_update().get_or_create(user=user)
        feed.token = _new_token()
        feed.is_active = True
        feed.rotated_at = timezone.now()
        feed.save()
    return feed


def feed_revoke(*, user: User) -> None:
    CalendarFeed.objects.filter(user=user).update(is_active=False, rotated_at=timezone.now())
