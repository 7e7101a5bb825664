"""Read queries of the notification pages and the bell."""

from django.db.models import QuerySet

from departments.models import User
from notifications.models import Notification


def unread_count(user: User) -> int:
    """How many of the person's notices are unread (one lookup on the partial index)."""
    return Notification.objects.filter(recipient=user, read_at__isnull=True).count()


def notifications_of(user: User) -> QuerySet[Notification]:
    """The person's notices, newest first."""
    return Notification.objects.filter(recipient=user).order_by("-created_at", "-pk")
