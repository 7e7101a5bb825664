"""Celery jobs of the outbox, the digests and the decision links' clean-up. Each takes ids, loads rows and calls a function of
this app; the schedule is declared in collab_portal/celery.py.

These jobs were once named after the requests app ("tasks.tasks.deliver"…). Messages published
under those names before an upgrade may still wait in the broker, so each job is registered under
its old name too and runs the same code (`_job`; drop the old names once no broker can hold one).
"""

from celery import shared_task

DELIVER_OPTIONS = {"acks_late": True, "reject_on_worker_lost": True, "ignore_result": True}


def _job(**options):
    """shared_task(**options), registered also under the job's old name in tasks.tasks."""

    def register(function):
        shared_task(name=f"tasks.tasks.{function.__name__}", **options)(function)
        return shared_task(**options)(function)

    return register


@_job(**DELIVER_OPTIONS, time_limit=60, soft_time_limit=50)
def deliver(delivery_id: int) -> str:
    """Send one outbox row. Idempotent: a delivery already claimed is left alone."""
    from notifications.delivery import deliver_one

    return deliver_one(delivery_id)


@_job(**DELIVER_OPTIONS, time_limit=600, soft_time_limit=580)
def deliver_many(delivery_ids: list[int]) -> dict:
    """Send a batch of outbox rows, each claimed on its own, so a batch seen twice sends each once."""
    from notifications.delivery import deliver_one

    outcomes: dict[str, int] = {}
    for delivery_id in delivery_ids:
        outcome = deliver_one(delivery_id)
        outcomes[outcome] = outcomes.get(outcome, 0) + 1
    return outcomes


@_job(time_limit=120, ignore_result=True)
def sweep_outbox() -> int:
    from notifications.delivery import sweep_outbox as sweep

    return sweep()


@_job(time_limit=600, ignore_result=True)
def send_digests() -> int:
    from notifications.digests import send_digests as send

    return send()


@shared_task(time_limit=600, ignore_result=True)
def purge_decision_links() -> int:
    """Decision links long expired (notifications.decisions.purge_expired)."""
    from notifications.decisions import purge_expired

    return purge_expired()
