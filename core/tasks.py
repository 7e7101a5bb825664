"""Celery jobs of the kernel: rendering .docx files and the sweep that queues stalled ones again
(the schedule is declared in collab_portal/celery.py)."""

from celery import shared_task

from core.rendering import SOFT_TIME_LIMIT, TIME_LIMIT


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
