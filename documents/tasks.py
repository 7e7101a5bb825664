"""Celery jobs of official documents (the schedule is declared in collab_portal/celery.py)."""

from celery import shared_task


@shared_task(ignore_result=True)
def remind_unacknowledged() -> int:
    """Beat: remind recipient departments that have not acknowledged (签收) a document."""
    from documents.services import remind_unacknowledged as remind

    return remind()
