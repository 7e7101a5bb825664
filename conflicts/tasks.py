"""Celery jobs of the conflict ladder (declared in collab_portal/celery.py)."""

from celery import shared_task


@shared_task(time_limit=300, ignore_result=True)
def escalate_conflicts() -> int:
    """Escalate every negotiation or mediation whose deadline has passed (beat, every few minutes)."""
    from conflicts.services import escalate_due

    return escalate_due()
