"""Celery jobs for requests. Each takes ids, loads rows and calls a service; the schedule is
declared in collab_portal/celery.py. The outbox and the digests are the notifications app's
(notifications/tasks.py)."""

from celery import shared_task


@shared_task(time_limit=300, ignore_result=True)
def sweep_reminders() -> dict:
    from tasks.reminders import sweep

    return sweep()


@shared_task(time_limit=600, ignore_result=True)
def send_weekly_summaries() -> int:
    from tasks.reminders import send_weekly_summaries as send

    return send()
