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


def _count_key(user_id: int) -> str:
    return f"notifications:unread:{user_id}"


def unread_count(user: User) -> int:
    """How many of the person's notices are unread (one lookup on the partial index).

    With a shared cache (Redis) the count is kept there with the version it was read under, and
    both are fetched in one round trip (every page shows the bell). unread_changed replaces the
    version when a transaction that changes their unread notices commits: a count read from the
    database before that commit carries the old version and is never used."""
    if not _cached():
        return _unread_in_database(user)
    version_key, key = _version_key(user.pk), _count_key(user.pk)
    found = cache.get_many([version_key, key])
    version = found.get(version_key)
    if version is None:
        cache.add(version_key, uuid.uuid4().hex, VERSION_TIMEOUT)
        version = cache.get(version_key)
    kept = found.get(key)
    if kept is not None and kept[0] == version:
        return kept[1]
    count = _unread_in_database(user)
    cache.set(key, (version, count), UNREAD_TIMEOUT)
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
