"""A person's calendar feed."""

from django.db import transaction
from django.utils import timezone

from departments.models import User
from teams.models import CalendarFeed, _new_token


def feed_rotate(*, user: User) -> CalendarFeed:
    """A new secret URL; the old one stops working at once."""
    with transaction.atomic():
        feed, _created = CalendarFeed.objects.select_for_update().get_or_create(user=user)
        feed.token = _new_token()
        feed.is_active = True
        feed.rotated_at = timezone.now()
        feed.save()
    return feed


def feed_revoke(*, user: User) -> None:
    CalendarFeed.objects.filter(user=user).update(is_active=False, rotated_at=timezone.now())
