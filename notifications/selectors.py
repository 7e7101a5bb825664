"""Read queries of the notification pages and the bell."""

import uuid

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.db.models import QuerySet

from departments.models import User
from notifications.models import Notification

# Caches that live in one process: a worker process that records notices could not invalidate the
# copy a web process keeps, so with them the bell reads the database every time.
PER_PROCESS_CACHES = {
    "django.core.cache.backends.locmem.LocMemCache",
    "django.core.cache.backends.dummy.DummyCache",
}
# A safety net for changes nobody announces (the admin, a deleted person): the bell is right
# again after this many seconds even then.
UNREAD_TIMEOUT = 60
VERSION_TIMEOUT = 24 * 3600


def _cached() -> bool:
    return settings.CACHES["default"]["BACKEND"] not in PER_PROCESS_CACHES


def _version_key(user_id: int) -> str:
    return f"notifications:unread-version:{user_id}"


def unread_count(user: User) -> int:
    """How many of the person's notices are unread (one lookup on the partial index).

    With a shared cache (Redis) the count is kept there under the person's current version, which
    unread_changed replaces when a transaction that changes their unread notices commits: a count
    read from the database before that commit is stored under the old version and never read."""
    if not _cached():
        return _unread_in_database(user)
    version_key = _version_key(user.pk)
    version = cache.get(version_key)
    if version is None:
        cache.add(version_key, uuid.uuid4().hex, VERSION_TIMEOUT)
        version = cache.get(version_key)
    key = f"notifications:unread:{user.pk}:{version}"
    count = cache.get(key)
    if count is None:
        count = _unread_in_database(user)
        cache.set(key, count, UNREAD_TIMEOUT)
    return count


def unread_changed(user_ids) -> None:
    """Say that these people's unread notices change in the current transaction: once it commits
    their bells count again."""
    if not _cached():
        return
    ids = sorted(set(user_ids))
    if ids:
        transaction.on_commit(
            lambda: cache.set_many({_version_key(pk): uuid.uuid4().hex for pk in ids}, VERSION_TIMEOUT)
        )


def _unread_in_database(user: User) -> int:
    return Notification.objects.filter(recipient=user, read_at__isnull=True).count()


def notifications_of(user: User) -> QuerySet[Notification]:
    """The person's notices, newest first."""
    return Notification.objects.filter(recipient=user).order_by("-created_at", "-pk")
