"""Redis down or restarting: the cache misses, and signed-in pages go on from the database
(collab_portal/cache.py) instead of failing on the session's cache read. `make cluster` restarts
a real Redis under a running portal; here the cache points at a port nothing listens on."""

import pytest
from django.conf import settings
from django.contrib.sessions.models import Session
from django.core.cache import cache
from django.test import override_settings

from core.broker import Breaker
from tests.conftest import login
from tests.factories import PASSWORD

DEAD_REDIS = {
    "default": {
        "BACKEND": "collab_portal.cache.RedisCache",
        "LOCATION": "redis://127.0.0.1:1/0",  # nothing listens there: connection refused
        "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 1},
    },
    "fragments": settings.FRAGMENT_CACHE,  # each process's own: no Redis to lose
}


@pytest.fixture
def redis_down():
    Breaker.reset()
    with override_settings(CACHES=DEAD_REDIS, SESSION_ENGINE="collab_portal.sessions.cached_db"):
        yield
    Breaker.reset()


def test_the_production_cache_is_the_tolerant_one():
    from tests.test_settings import PRODUCTION, run_manage

    code = "from django.conf import settings; print(settings.CACHES['default']['BACKEND'])"
    result = run_manage(PRODUCTION, "shell", "--no-imports", "-c", code)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["collab_portal.cache.RedisCache"]


def test_a_cache_that_is_down_misses_and_skips_writes(redis_down):
    assert cache.get("anything", "default") == "default"
    assert Breaker.is_open()  # the next calls do not wait on Redis again
    assert cache.add("key", 1) is False
    assert cache.set("key", 1) is None
    assert cache.get_many(["a", "b"]) == {}
    assert "key" not in cache
    assert cache.set_many({"a": 1}) == ["a"]
    assert cache.delete("key") is False
    Breaker.reset()
    assert cache.add("key", 1) is False  # tried again after the pause: still down, no error


@pytest.mark.django_db
def test_people_sign_in_work_and_sign_out_while_redis_is_down(client, org, redis_down):
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    response = client.post("/accounts/login/", {"username": org.requester.username, "password": PASSWORD})
    assert response.status_code == 302
    key = client.cookies["sessionid"].value
    assert Session.objects.filter(session_key=key).exists()
    Breaker.reset()  # each request meets the refused connection again, the worst case
    page = client.get("/")
    assert page.status_code == 200 and org.requester.display_name in page.content.decode()
    Breaker.reset()
    assert client.post("/accounts/logout/").status_code == 302
    assert not Session.objects.filter(session_key=key).exists()
    assert client.get("/").status_code == 302  # signed out: to the sign-in page


@pytest.mark.django_db
def test_a_session_made_before_redis_went_down_still_signs_in(client, org):
    login(client, org.requester)
    Breaker.reset()
    with override_settings(CACHES=DEAD_REDIS, SESSION_ENGINE="collab_portal.sessions.cached_db"):
        assert client.get("/").status_code == 200
    Breaker.reset()


@pytest.mark.skipif(not settings.REDIS_URL, reason="needs the real Redis (REDIS_URL)")
def test_with_redis_up_it_is_djangos_redis_cache():
    Breaker.reset()
    live = {"default": {**DEAD_REDIS["default"], "LOCATION": settings.REDIS_URL}}
    with override_settings(CACHES=live):
        cache.set("cluster-test-key", {"a": 1}, 30)
        assert cache.get("cluster-test-key") == {"a": 1}
        assert cache.add("cluster-test-key", 2) is False
        assert cache.delete("cluster-test-key") is True
        assert not Breaker.is_open()
