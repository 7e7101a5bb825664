"""Celery jobs for teams; the schedule is declared in collab_portal/celery.py."""

from celery import shared_task


@shared_task(time_limit=300, ignore_result=True)
def generate_meetings() -> int:
    from teams.reminders import generate_meetings as generate

    return generate()


@shared_task(time_limit=120, ignore_result=True)
def send_meeting_reminders() -> int:
    from teams.reminders import send_meeting_reminders as send

    return send()


@shared_task(time_limit=600, ignore_result=True)
def send_daily_progress() -> int:
    from teams.reminders import send_daily_progress as send

    return send()
