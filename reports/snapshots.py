"""The organisation report's default view (the last DEFAULT_DAYS days, every department) computed
ahead of time, for the people whose figures do not depend on who they are.

Computing it reads every request of the period: at a million requests seconds of database and
Python time, for figures that move little within an hour. So a Celery beat job
(reports.tasks.snapshot_organisation, hourly) computes it, and the page shows it with the time it
was computed ("Figures as of 10:00 · Refresh"); Refresh computes it again at once. Any other filter,
and anyone outside the shared scope, is computed when asked, as before.

The shared scope (SCOPE_ALL) is SharedOrganisationReport's: the admins who may read no classified
document of the period. A viewer whose visibility is narrower or wider never gets it (scope_of).

Where it is kept: the Django cache, which is Redis, shared by every web process and worker, when
REDIS_URL is set (every deployment at the sizes where this matters). Without Redis (the embedded
default, small organisations) the cache is each process's own memory: a web process then keeps
the snapshot it computed on its first view, and the beat worker's copy serves nobody; the page is
still right, labelled with the time its figures were computed. Entries expire after two hours, so
a beat that stopped makes pages compute again rather than show older and older figures. Kept are
the tables already drawn (labels in the language they were computed in, hence keyed by language),
not the queries' rows: the page then does nothing but render, and the exports read the same rows.
"""

import logging
from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta

from django.core.cache import cache
from django.utils import timezone

from core import exports
from core.exports import Table
from documents.models import Document
from documents.selectors import classified_readers_condition
from reports.forms import DEFAULT_DAYS
from reports.sections import sections
from reports.selectors import PAGE_ROWS
from reports.selectors.common import translation_language
from reports.selectors.organisation import OrganisationReport, SharedOrganisationReport

log = logging.getLogger(__name__)

SCOPE_ALL = "admins"
TIMEOUT = 2 * 3600
# The kept entries are pickled Tables and the page's figures: a release that changes their shape
# (core.exports.Table, reports.sections) changes this number, so that it never reads the old ones.
FORMAT = 1
PREFIX = f"reports:organisation-snapshot:{FORMAT}"


@dataclass
class Snapshot:
    """The organisation report's tables as computed at `taken` (the page's, and every row for exports)."""

    taken: datetime
    sections: list  # (table, figures) pairs as the page draws them
    tables: dict[str, Table]  # every row of each section, for the exports


def default_days() -> tuple[date, date]:
    """The default filter's days (reports.forms.ReportFilterForm): the snapshot is kept for these."""
    today = timezone.localdate()
    return today - timedelta(days=DEFAULT_DAYS), today


def is_default(cleaned: dict) -> bool:
    return cleaned.get("department") is None and (cleaned.get("start"), cleaned.get("end")) == default_days()


def default_period() -> tuple[datetime, datetime]:
    """The default days as aware datetimes [from, until), as ReportFilterForm.period gives them."""
    first, last = default_days()
    tz = timezone.get_current_timezone()
    return datetime.combine(first, time.min, tz), datetime.combine(last + timedelta(days=1), time.min, tz)


def scope_of(user) -> str | None:
    """The shared scope whose figures are exactly those `user` may see in the default period, or
    None. An admin is in it unless some classified document of the period is readable to them (named
    for it, or the 机要 office): they would see more documents than the snapshot counts. Leaders and
    everyone else see what their roles let them, which differs from one person to the next."""
    if not (user.is_authenticated and user.is_active and user.is_superuser):
        return None
    start, end = default_period()
    classified = Document.objects.filter(
        classified_readers_condition(user),
        secrecy__in=Document.NAMED_ONLY,
        created_at__gte=start,
        created_at__lt=end,
    )
    return None if classified.exists() else SCOPE_ALL


def _key(scope: str, days: tuple[date, date], part: str) -> str:
    return f"{PREFIX}:{scope}:{days[0]:%Y%m%d}-{days[1]:%Y%m%d}:{translation_language() or '-'}:{part}"


def page(scope: str) -> Snapshot | None:
    """The kept snapshot for the page (its drawn sections, without the exports' rows), or None."""
    found = cache.get(_key(scope, default_days(), "page"))
    if found is None:
        return None
    taken, drawn = found
    return Snapshot(taken, drawn, {})


def shown(scope: str, *, fresh: bool = False) -> Snapshot:
    """What the page shows: the kept snapshot, or one taken now when none is kept or the viewer
    asked for fresh figures."""
    return (None if fresh else page(scope)) or take(scope)


def table(scope: str, key: str) -> tuple[datetime, Table] | None:
    """Every row of one section of the kept snapshot, for an export, or None."""
    return cache.get(_key(scope, default_days(), f"table:{key}"))


def export(scope: str, key: str, fmt: str) -> bytes | None:
    """One section of the kept snapshot as a CSV or XLSX file, or None when none is kept.

    The file is kept too, beside the snapshot it was made from: the matrix has a row per pair of
    departments (90,000 at 300 departments), and reading those rows and writing them out again
    took most of an export's time. A file of an older snapshot than the page's is made again."""
    days = default_days()
    taken = cache.get(_key(scope, days, "page"))
    if taken is None:
        return None
    taken = taken[0]
    found = cache.get(_key(scope, days, f"file:{key}:{fmt}"))
    if found is not None and found[0] == taken:
        return found[1]
    rows = table(scope, key)
    if rows is None or rows[0] != taken:  # replaced between the two reads: computed instead
        return None
    content = exports.render(rows[1], fmt)
    cache.set(_key(scope, days, f"file:{key}:{fmt}"), (taken, content), TIMEOUT)
    return content


def take(scope: str) -> Snapshot:
    """Compute the default view for `scope` in the active language now, keep it, and return it."""
    if scope != SCOPE_ALL:
        raise ValueError(f"no such scope: {scope}")
    days = default_days()
    report = SharedOrganisationReport(*default_period())
    full = {key: report.table(key, limit=None) for key in OrganisationReport.sections}
    # The page's tables as OrganisationReport.all() gives them: teams counted and cut to a page
    # (the other long tables are cut by sections()); copies, so that the exports keep every row.
    shown = [
        replace(table, rows=table.rows[:PAGE_ROWS], total=len(table.rows))
        if key == "teams"
        else replace(table, rows=table.rows)
        for key, table in full.items()
    ]
    snapshot = Snapshot(report.now, sections(shown), full)
    entries = {_key(scope, days, "page"): (snapshot.taken, snapshot.sections)}
    entries.update({_key(scope, days, f"table:{key}"): (snapshot.taken, table) for key, table in full.items()})
    cache.set_many(entries, TIMEOUT)
    log.info("organisation report snapshot %s taken (%s)", scope, translation_language())
    return snapshot


def forget() -> None:
    """Drop the kept snapshots of today's default period, in every language (tests; a data fix)."""
    from django.conf import settings
    from django.utils import translation

    days = default_days()
    keys = []
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            keys += [_key(SCOPE_ALL, days, "page")]
            keys += [_key(SCOPE_ALL, days, f"table:{key}") for key in OrganisationReport.sections]
            keys += [
                _key(SCOPE_ALL, days, f"file:{key}:{fmt}")
                for key in OrganisationReport.sections
                for fmt in exports.CONTENT_TYPES
            ]
    cache.delete_many(keys)
