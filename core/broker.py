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
    not sent (the caller's sweep sends it later).

    The message goes out on a connection of its own, closed afterwards, rather than one kept in
    Celery's pool: a connection that timed out mid-command (a frozen Redis) could otherwise stay in
    the pool and swallow later publishes without an error, and nothing pooled is left to clean up
    after a failure."""
    if Breaker.is_open():
        return False
    from celery import current_app

    try:
        with current_app.connection_for_write() as connection:
            task.apply_async(args=args, retry=False, connection=connection)
    except Exception as exc:  # noqa: BLE001 - any broker failure: the work stays in the database
        Breaker.trip()
        log.warning("broker unavailable, %s stays for the sweep: %s", what, exc)
        return False
    return True


def publish_batches(deliver, deliver_many, ids: list[int], one: str, many: str) -> None:
    """Publish `deliver` for a single id, else `deliver_many` per hundred ids, stopping at the first
    the broker refuses (the caller's sweep sends the rest). `one` and `many` name the rows in the log:
    "delivery", "deliveries"."""
    if not ids:
        return
    if len(ids) == 1:
        publish(deliver, [ids[0]], f"1 {one}")
        return
    for start in range(0, len(ids), 100):  # one job per hundred
        if not publish(deliver_many, [ids[start : start + 100]], f"{len(ids) - start} {many}"):
            return
