"""Celery jobs of the kernel: rendering .docx files, the sweep that queues stalled ones again, and
the once-per-period gate every scheduled job passes (the schedule is declared in
collab_portal/celery.py)."""

import logging
import time

from celery import shared_task

from core.rendering import SOFT_TIME_LIMIT, TIME_LIMIT

log = logging.getLogger(__name__)


@shared_task(
    bind=True,
    acks_late=True,
    reject_on_worker_lost=True,
    time_limit=TIME_LIMIT,
    soft_time_limit=SOFT_TIME_LIMIT,
    ignore_result=True,
)
def render_generated(self, job_id: int) -> str:
    """Render one generated file. Idempotent: a job already claimed or done is left alone; a
    failure is queued again with a growing delay until the attempts run out; one past the soft
    time limit is failed at once (rendering.run records it)."""
    from core import rendering

    outcome = rendering.run(job_id)
    if outcome == "retry":
        raise self.retry(countdown=2 ** min(self.request.retries + 1, 6), max_retries=rendering.MAX_ATTEMPTS)
    return outcome


@shared_task(ignore_result=True)
def requeue_generated_files() -> int:
    """Beat: queue again the files a lost message or a killed worker left behind."""
    from core import rendering

    return rendering.requeue_stuck()


@shared_task(ignore_result=True, time_limit=30)
def run_periodic(job: str, period: float) -> bool:
    """Beat: queue the scheduled `job` (a task name) unless another beat already did in this
    period (core.periodic). Returns whether it was queued."""
    from celery import current_app

    from core import periodic

    now = time.time()
    if not periodic.claim(job, period, now=now):
        log.info("periodic %s: %s already sent, skipped", job, periodic.period_key(job, period, now=now))
        return False
    try:
        current_app.signature(job).apply_async()
    except Exception:
        periodic.release(job, period, now=now)
        raise
    log.info("periodic %s: sent for %s", job, periodic.period_key(job, period, now=now))
    return True
