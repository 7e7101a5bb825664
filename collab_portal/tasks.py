from celery import shared_task


@shared_task(ignore_result=True, time_limit=30)
def heartbeat() -> None:
    """Record that a worker is alive and the beat is scheduling (read by /healthz/)."""
    from collab_portal.health import record_heartbeat

    record_heartbeat()
