from celery import shared_task
from django.conf import settings

from accounts.services import sync_directory


@shared_task(time_limit=1800, ignore_result=True)
def sync_directory_nightly() -> None:
    """The nightly directory sync (collab_portal/celery.py schedules it when LDAP is configured)."""
    if settings.LDAP_ENABLED:
        sync_directory()
