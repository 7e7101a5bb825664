"""The Celery application. Every periodic task is declared here, in one place."""

import os

from celery import Celery
from celery.schedules import crontab
from celery.signals import worker_ready

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "collab_portal.settings")

app = Celery("collab_portal")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


def _beat_schedule() -> dict:
    """The schedule, each job sent through core.tasks.run_periodic: a second beat started by
    mistake then sends nothing the first has sent in the same period (core/periodic.py)."""
    return {
        name: {
            "task": "core.tasks.run_periodic",
            "schedule": entry["schedule"],
            # A crontab entry names the period its runs are counted in; an interval is its own period.
            "args": (entry["task"], entry.get("period", entry["schedule"])),
        }
        for name, entry in _jobs().items()
    }


def _jobs() -> dict:
    from django.conf import settings

    schedule = {
        "worker-heartbeat": {
            "task": "collab_portal.tasks.heartbeat",
            "schedule": float(settings.HEARTBEAT_INTERVAL_SECONDS),
        },
        # Re-send whatever the outbox still holds (the broker may have been down).
        "outbox-sweep": {"task": "notifications.tasks.sweep_outbox", "schedule": 60.0},
        # Webhook deliveries that are due: retries after backoff, and first attempts the broker
        # never carried.
        "webhook-sweep": {"task": "webhooks.tasks.sweep_deliveries", "schedule": 30.0},
        # Due soon, overdue, escalations, approvals and acceptance past their time, stale work,
        # auto-closing unverified results. Sends nothing outside working hours.
        "reminder-sweep": {"task": "tasks.tasks.sweep_reminders", "schedule": float(settings.REMINDER_SWEEP_SECONDS)},
        # Each person's daily digest at their chosen time on working days.
        "daily-digests": {"task": "notifications.tasks.send_digests", "schedule": 300.0},
        # Conflicts whose negotiation or mediation deadline passed go up a level by themselves.
        "conflict-escalation": {"task": "conflicts.tasks.escalate_conflicts", "schedule": 300.0},
        # Decision links that expired a month ago go, so the table holds only what may still be opened.
        "decision-links-purge": {"task": "notifications.tasks.purge_decision_links", "schedule": 86400.0},
        # Monday's weekly summary for department managers.
        "weekly-summaries": {"task": "tasks.tasks.send_weekly_summaries", "schedule": 1800.0},
        # .docx jobs a lost message or a killed worker left stalled: found within a minute.
        "generated-files-requeue": {"task": "core.tasks.requeue_generated_files", "schedule": 30.0},
        # Departments that have not acknowledged (签收) a distributed document, once a working day.
        "document-acknowledgement-reminders": {"task": "documents.tasks.remind_unacknowledged", "schedule": 1800.0},
        # Teams: four weeks of meetings from each cadence; a reminder an hour before each meeting
        # (once); each team's daily progress e-mail from 08:00 on working days (once a day).
        "team-meetings": {"task": "teams.tasks.generate_meetings", "schedule": 3600.0},
        "team-meeting-reminders": {"task": "teams.tasks.send_meeting_reminders", "schedule": 300.0},
        "team-daily-progress": {"task": "teams.tasks.send_daily_progress", "schedule": 900.0},
        # The organisation report's default view, computed ahead for the admins (reports.snapshots).
        "organisation-report-snapshot": {"task": "reports.tasks.snapshot_organisation", "schedule": 3600.0},
    }
    if settings.LDAP_ENABLED:
        # People and departments in step with the directory, once a night (accounts.services.sync_directory).
        schedule["directory-sync"] = {
            "task": "accounts.tasks.sync_directory_nightly",
            "schedule": crontab(hour=settings.LDAP_SYNC_HOUR, minute=17),
            "period": 86400.0,
        }
    return schedule


@app.on_after_configure.connect
def _declare_schedule(sender, **kwargs):
    sender.conf.beat_schedule = _beat_schedule()


@worker_ready.connect
def _first_heartbeat(sender, **kwargs):
    """Beat the heart as soon as a worker is up, so /healthz/ need not wait a period."""
    from collab_portal.tasks import heartbeat
    from core import periodic
    from reports.tasks import snapshot_organisation

    heartbeat.delay()
    # After a deploy the beat's first hourly run is an hour away: the snapshot now if none is kept,
    # queued by the first of the workers starting together (core.periodic).
    if periodic.claim("organisation-report-snapshot-at-start", 600.0):
        snapshot_organisation.delay(only_missing=True)
