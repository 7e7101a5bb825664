"""Handing jobs to the broker from web requests without waiting on a dead one.

A circuit breaker, one per process: after a publish (or a health probe) fails, this process does
not try the broker again for PAUSE_SECONDS, so while Redis is down a request pays the connect
timeout at most once per pause rather than on every page. It is only an optimisation: whatever is
published is also in the database (an outbox row, a queued .docx job), and the beat's sweeps send
it again once the broker is back, so a skipped publish loses nothing.
"""

import logging
import time

log = logging.getLogger(__name__)


class Breaker:
    PAUSE_SECONDS = 30
    down_until = 0.0

    @classmethod
    def is_open(cls) -> bool:
        return time.monotonic() < cls.down_until

    @classmethod
    def trip(cls) -> None:
        cls.down_until = time.monotonic() + cls.PAUSE_SECONDS

    @classmethod
    def reset(cls) -> None:
        cls.down_until = 0.0


def publish(task, args: list, what: str) -> bool:
    """Send `task(*args)` to the workers unless the broker is known to be down; False when it was
    not sent (the caller's sweep sends it later)."""
    if Breaker.is_open():
        return False
    try:
        task.apply_async(args=args, retry=False)
    except Exception as exc:  # noqa: BLE001 - any broker failure: the work stays in the database
        Breaker.trip()
        reset_connections()
        log.warning("broker unavailable, %s stays for the sweep: %s", what, exc)
        return False
    return True


def reset_connections() -> None:
    """Throw away pooled broker connections after a failed publish. A connection that timed out
    mid-command (a frozen Redis) can otherwise swallow later publishes without an error."""
    from celery import current_app as app
    from kombu import pools

    try:
        app.pool.force_close_all()
    except Exception:  # noqa: BLE001, S110 - closing a broken pool is best effort
        pass
    pools.reset()
    # Celery caches the pools it built from the closed ones; let it build new ones.
    app._pool = None
    app.amqp._producer_pool = None
