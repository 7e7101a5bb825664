"""Celery jobs of the outbox, the digests and the decision links' clean-up. Each takes ids, loads rows and calls a function of
this app; the schedule is declared in collab_portal/celery.py.

These jobs were once named after the requests app ("tasks.tasks.deliver"…). Messages published
under those names before an upgrade may still wait in the broker, so each old name is registered
too and runs the same code (the end of this module; drop them once no broker can hold one).
"""

from celery import shared_task

DELIVER_OPTIONS = {"acks_late": True, "reject_on_worker_lost": True, "ignore_result": True}


def _deliver(delivery_id: int) -> str:
    from notifications.delivery import deliver_one

    return deliver_one(delivery_id)


def _deliver_many(delivery_ids: list[int]) -> dict:
    from notifications.delivery import deliver_one

    outcomes: dict[str, int] = {}
    for delivery_id in delivery_ids:
        outcome = deliver_one(delivery_id)
        outcomes[outcome] = outcomes.get(outcome, 0) + 1
    return outcomes


def _sweep_outbox() -> int:
    from notifications.delivery import sweep_outbox as sweep

    return sweep()


def _send_digests() -> int:
    from notifications.digests import send_digests as send

    return send()


@shared_task(**DELIVER_OPTIONS, time_limit=60, soft_time_limit=50)
def deliver(delivery_id: int) -> str:
    """Send one outbox row. Idempotent: a delivery already claimed is left alone."""
    return _deliver(delivery_id)


@shared_task(**DELIVER_OPTIONS, time_limit=600, soft_time_limit=580)
def deliver_many(delivery_ids: list[int]) -> dict:
    """Send a batch of outbox rows, each claimed on its own, so a batch seen twice sends each once."""
    return _deliver_many(delivery_ids)


@shared_task(time_limit=120, ignore_result=True)
def sweep_outbox() -> int:
    return _sweep_outbox()


@shared_task(time_limit=600, ignore_result=True)
def send_digests() -> int:
    return _send_digests()


@shared_task(time_limit=600, ignore_result=True)
def purge_decision_links() -> int:
    """Decision links long expired (notifications.decisions.purge_expired)."""
    from notifications.decisions import purge_expired

    return purge_expired()


# The same jobs under the names they had before they moved here (see the module's docstring).
legacy_deliver = shared_task(name="tasks.tasks.deliver", **DELIVER_OPTIONS, time_limit=60, soft_time_limit=50)(_deliver)
legacy_deliver_many = shared_task(
    name="tasks.tasks.deliver_many", **DELIVER_OPTIONS, time_limit=600, soft_time_limit=580
)(_deliver_many)
legacy_sweep_outbox = shared_task(name="tasks.tasks.sweep_outbox", time_limit=120, ignore_result=True)(_sweep_outbox)
legacy_send_digests = shared_task(name="tasks.tasks.send_digests", time_limit=600, ignore_result=True)(_send_digests)
