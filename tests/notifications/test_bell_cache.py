"""The bell's unread count: with a shared cache (Redis) a page reads it from the cache, and a new
notice or marking notices read shows at once (the count is invalidated when the change commits);
with a per-process cache every page counts in the database, since a worker process recording
notices could not reach another process's memory."""

import uuid

import pytest
import redis
from django.conf import settings
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext

from notifications import services
from notifications.models import Notification
from tests.conftest import login

pytestmark = pytest.mark.django_db

LOCATION = settings.REDIS_URL or "redis://127.0.0.1:6379/12"


@pytest.fixture
def redis_cache():
    server = redis.Redis.from_url(LOCATION, socket_connect_timeout=0.5)
    try:
        server.ping()
    except redis.RedisError:
        pytest.skip(f"no Redis at {LOCATION}")
    # A prefix of its own: the test never clears a database others (the broker) may share.
    prefix = f"bell-test-{uuid.uuid4().hex}"
    backend = {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": LOCATION, "KEY_PREFIX": prefix}
    with override_settings(CACHES={"default": backend, "fragments": settings.FRAGMENT_CACHE}):
        yield
    for key in server.scan_iter(match=f"{prefix}:*"):
        server.delete(key)


def bell(client) -> tuple[int, int]:
    """(the bell's count on the home page, how many queries counted unread notices for it)"""
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/")
    assert response.status_code == 200
    counting = [q["sql"] for q in queries if "notifications_notification" in q["sql"] and "COUNT(" in q["sql"].upper()]
    count = response.context["unread_notifications"]
    return int(str(count)), len(counting)


def notice(person, text="消息"):
    return services.notify([person], kind="task.comment", message=text, path="/")


def test_a_shared_cache_keeps_the_count_until_it_changes(client, org, redis_cache, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        notice(org.requester)
    login(client, org.requester)
    assert bell(client) == (1, 1)
    assert bell(client) == (1, 0)  # the second page makes no unread-count query

    with django_capture_on_commit_callbacks(execute=True):
        notice(org.requester, "又一条")
    assert bell(client) == (2, 1)  # a new notice shows at once
    assert bell(client) == (2, 0)

    with django_capture_on_commit_callbacks(execute=True):
        client.post("/notifications/read/", {"ids": [Notification.objects.filter(recipient=org.requester).first().pk]})
    assert bell(client) == (1, 1)  # marking read shows at once

    with django_capture_on_commit_callbacks(execute=True):
        services.mark_read(user=org.requester)
    assert bell(client)[0] == 0

    # Another person's notice leaves this person's count cached.
    bell(client)
    with django_capture_on_commit_callbacks(execute=True):
        notice(org.assignee)
    assert bell(client) == (0, 0)


def test_a_change_that_does_not_commit_leaves_the_count(client, org, redis_cache, django_capture_on_commit_callbacks):
    login(client, org.requester)
    assert bell(client) == (0, 1)
    with django_capture_on_commit_callbacks(execute=False):  # rolled back: the callbacks never run
        notice(org.requester)
    assert bell(client)[1] == 0


def test_a_per_process_cache_counts_on_every_page(client, org, django_capture_on_commit_callbacks):
    assert settings.CACHES["default"]["BACKEND"].endswith("LocMemCache")
    with django_capture_on_commit_callbacks(execute=True):
        notice(org.requester)
    login(client, org.requester)
    assert bell(client) == (1, 1)
    assert bell(client) == (1, 1)
    Notification.objects.create(recipient=org.requester, kind="task.comment", message="工作进程写入")
    assert bell(client) == (2, 1)


def test_a_count_kept_under_an_older_version_is_counted_again(client, org, redis_cache):
    from django.core.cache import cache

    login(client, org.requester)
    assert bell(client) == (0, 1)
    # As a page that counted just before a notice's transaction committed would have left it.
    cache.set(f"notifications:unread:{org.requester.pk}", ("an-older-version", 7), 60)
    assert bell(client) == (0, 1)
    assert bell(client) == (0, 0)
