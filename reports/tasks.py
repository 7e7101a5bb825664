"""Celery jobs of the reports: the organisation report's snapshot (reports.snapshots)."""

import logging

from celery import shared_task

log = logging.getLogger(__name__)


@shared_task(ignore_result=True, time_limit=900, soft_time_limit=840)
def snapshot_organisation(only_missing: bool = False) -> int:
    """Beat, hourly: the organisation report's default view for the shared scope, in every language
    of the site, then the snapshots of the viewers who opened theirs in the last week, in the
    languages they used (reports.snapshots.retake_viewers). One after the other, not a job each: a
    database busy with one report at a time serves the pages meanwhile. `only_missing`: only where
    none is kept (a worker starting after a deploy). Returns how many snapshots were taken."""
    from django.conf import settings
    from django.utils import translation

    from reports import snapshots
    from reports.selectors import OrganisationReport

    taken = 0
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            if only_missing and snapshots.page(snapshots.SCOPE_ALL) is not None:
                continue
            snapshots.take(snapshots.SCOPE_ALL)
            # The CSV files too, so that a download does not write 90,000 rows (XLSX on the first one).
            for key in OrganisationReport.sections:
                snapshots.export(snapshots.SCOPE_ALL, key, "csv")
            taken += 1
    return taken + snapshots.retake_viewers(only_missing=only_missing)
