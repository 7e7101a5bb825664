"""Celery jobs of the webhook outbox. Each takes ids and calls webhooks.delivery; the sweep's
schedule is declared in collab_portal/celery.py."""

from celery import shared_task

DELIVER_OPTIONS = {"acks_late": True, "reject_on_worker_lost": True, "ignore_result": True}


@shared_task(**DELIVER_OPTIONS, time_limit=60, soft_time_limit=50)
def deliver(delivery_id: int) -> str:
    """Send one delivery. Idempotent: a delivery already claimed is left alone."""
    from webhooks.delivery import deliver_one

    return deliver_one(delivery_id)


@shared_task(**DELIVER_OPTIONS, time_limit=600, soft_time_limit=580)
def deliver_many(delivery_ids: list[int]) -> dict:
    """Send a batch, each claimed on its own, so a batch seen twice sends each once."""
    from webhooks.delivery import deliver_one

    outcomes: dict[str, int] = {}
    for delivery_id in delivery_ids:
        outcome = deliver_one(delivery_id)
        outcomes[outcome] = outcomes.get(outcome, 0) + 1
    return outcomes


@shared_task(time_limit=120, ignore_result=True)
def sweep_deliveries() -> int:
    from webhooks.delivery import sweep

    return sweep()
