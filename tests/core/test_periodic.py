"""Each scheduled job once per period, however many beats send it (core/periodic.py), on the real
Redis the cluster's workers share: the claim must hold across processes, which only a shared
cache can show."""

import threading
import uuid
from datetime import UTC, datetime

import pytest
import time_machine
from django.conf import settings
from django.core.cache import cache
from django.test import override_settings

from collab_portal.celery import _beat_schedule, _jobs
from collab_portal.celery import app as celery_app
from core import periodic
from core.tasks import run_periodic

pytestmark = pytest.mark.skipif(not settings.REDIS_URL, reason="the claim is shared through Redis (REDIS_URL)")

RUNS: list[str] = []


@celery_app.task(name="tests.core.test_periodic.counted")
def counted():
    RUNS.append("ran")


@pytest.fixture
def redis_cache():
    with override_settings(
        CACHES={
            "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": settings.REDIS_URL},
            "fragments": settings.FRAGMENT_CACHE,
        }
    ):
        yield cache  # the claims expire by themselves (two periods), each test's under a job name of its own


@pytest.fixture
def job():
    return f"test-{uuid.uuid4().hex}"


def test_every_scheduled_job_goes_through_the_claim_with_its_own_period():
    beat = _beat_schedule()
    assert set(beat) == set(_jobs())
    for name, entry in beat.items():
        assert entry["task"] == "core.tasks.run_periodic"
        assert entry["args"] == (_jobs()[name]["task"], entry["schedule"])


def test_the_first_claim_in_a_period_wins_and_the_next_period_is_free_again(redis_cache, job):
    start = 1_800_000_000  # a multiple of 60: the start of a period
    assert periodic.claim(job, 60, now=start + 1)
    assert not periodic.claim(job, 60, now=start + 59)  # a second beat, out of step with the first
    assert periodic.claim(job, 60, now=start + 60)
    assert periodic.claim(f"{job}-other", 60, now=start + 1)  # one job's claim is not another's


def test_a_released_period_may_be_claimed_again(redis_cache, job):
    assert periodic.claim(job, 30, now=1_800_000_005)
    periodic.release(job, 30, now=1_800_000_005)
    assert periodic.claim(job, 30, now=1_800_000_010)


def test_of_many_beats_claiming_at_once_exactly_one_wins(redis_cache, job):
    results, barrier = [], threading.Barrier(8)

    def beat():
        barrier.wait()
        results.append(periodic.claim(job, 60))

    threads = [threading.Thread(target=beat) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(results) == [False] * 7 + [True]


def test_two_beats_sending_a_job_run_it_once_per_period(redis_cache, monkeypatch):
    monkeypatch.setattr("tests.core.test_periodic.RUNS", [])
    name = "tests.core.test_periodic.counted"
    redis_cache.delete_many([periodic.period_key(name, 60, now=t) for t in (1_800_000_000, 1_800_000_060)])
    with time_machine.travel(datetime.fromtimestamp(1_800_000_001, tz=UTC), tick=False):
        assert run_periodic.apply(args=[name, 60.0]).get() is True
    with time_machine.travel(datetime.fromtimestamp(1_800_000_031, tz=UTC), tick=False):
        assert run_periodic.apply(args=[name, 60.0]).get() is False  # the second beat's send
    assert RUNS == ["ran"]
    with time_machine.travel(datetime.fromtimestamp(1_800_000_061, tz=UTC), tick=False):
        assert run_periodic.apply(args=[name, 60.0]).get() is True
    assert RUNS == ["ran", "ran"]
    redis_cache.delete_many([periodic.period_key(name, 60, now=t) for t in (1_800_000_000, 1_800_000_060)])
