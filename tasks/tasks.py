"""Celery jobs for requests. Each takes ids, loads rows and calls a service; the schedule is
declared in collab_portal/celery.py."""

from celery import shared_task


@shared_task(acks_late=True, reject_on_worker_lost=True, time_limit=60, soft_time_limit=50, ignore_result=True)
def deliver(delivery_id: int) -> str:
    """Send one outbox row. Idempotent: a delivery already claimed is left alone."""
    from tasks.delivery import deliver_one

    return deliver_one(delivery_id)


@shared_task(acks_late=True, reject_on_worker_lost=True, time_limit=600, soft_time_limit=580, ignore_result=True)
def deliver_many(delivery_ids: list[int]) -> dict:
    """Send a batch of outbox rows, each claimed on its own, so a batch seen twice sends each once."""
    from tasks.delivery import deliver_one

    outcomes: dict[str, int] = {}
    for delivery_id in delivery_ids:
        outcome = deliver_one(delivery_id)
        outcomes[outcome] = outcomes.get(outcome, 0) + 1
    return outcomes


@shared_task(time_limit=120, ignore_result=True)
def sweep_outbox() -> int:
    from tasks.delivery import sweep_outbox as sweep

    return sweep()


@shared_task(time_limit=300, ignore_result=True)
def sweep_reminders() -> dict:
    from tasks.reminders import sweep

    return sweep()


@shared_task(time_limit=600, ignore_result=True)
def send_digests() -> int:
    from tasks.reminders import send_digests as send

    return send()


@shared_task(time_limit=600, ignore_result=True)
def send_weekly_summaries() -> int:
    from tasks.reminders import send_weekly_summaries as send

    return send()
