"""Each scheduled job once per period, however many beats send it.

Exactly one Celery beat should run (docs/operations.md), but two can be started by mistake: a
second host given the beat service, a deploy whose new beat starts before the old one stops. Each
would send every job of the schedule. So the schedule (collab_portal/celery.py) does not send the
jobs themselves: it sends ``core.tasks.run_periodic(job, period)``, which claims the job's current
period in the shared cache and queues the job only when the claim is its own. With Redis as the
cache the claim is one ``SET NX EX`` (``cache.add``), atomic across every worker on every host.

Periods are counted from the epoch (period n is [n × period, (n + 1) × period)), so a second beat
whose clock of sends is out of step with the first still falls into a period the first has
claimed. A single beat sends a job at most once per period, so it never loses a run to the claim.
The claim needs a cache that every worker shares: with the local-memory cache (no REDIS_URL, the
embedded default's one machine) each worker process only sees its own claims.
"""

import logging
import time

from django.core.cache import cache

log = logging.getLogger(__name__)

PREFIX = "periodic"


def period_key(job: str, period: float, *, now: float | None = None) -> str:
    """The cache key of the job's period that `now` (seconds since the epoch) falls in."""
    now = time.time() if now is None else now
    return f"{PREFIX}:{job}:{int(period)}:{int(now // period)}"


def claim(job: str, period: float, *, now: float | None = None) -> bool:
    """True for the first caller in the job's current period, False for every later one. The
    claim outlives its period, so a late second send in the same period still finds it."""
    return cache.add(period_key(job, period, now=now), 1, timeout=int(period * 2) + 1)


def release(job: str, period: float, *, now: float | None = None) -> None:
    """Give the period back (the job could not be queued): the next send may try again."""
    cache.delete(period_key(job, period, now=now))
