"""The organisation report's default view (the last DEFAULT_DAYS days, every department) computed
ahead of time: once for the people whose figures do not depend on who they are, and once per
viewer for the others.

Computing it reads every request of the period: at a million requests seconds of database and
Python time, for figures that move little within an hour. So a Celery beat job
(reports.tasks.snapshot_organisation, hourly) computes it, and the page shows it with the time it
was computed ("Figures as of 10:00 · Refresh"); Refresh computes it again at once. Any other filter
is computed when asked, as before.

Scopes (Scope): whose figures a snapshot holds, which names its cache entries.
- The shared scope (SCOPE_ALL) is SharedOrganisationReport's: the admins who may read no
  classified document of the period. One snapshot serves them all.
- A viewer's scope (viewer_scope) is everyone else allowed the report: the leaders with sign-off
  right, whose figures are what their departments and roles let them see, and the admins who may
  read a classified document of the period, who see more documents than the shared snapshot
  counts. Their snapshot is OrganisationReport(user, None, ...) as the page would compute it, kept
  under their id AND a fingerprint of every fact of theirs the figures depend on, so that a change
  of roles (made manager of another department, a delegation starting, named for a classified
  document) changes the key: the next view computes under the new roles, never shows figures
  computed under the old ones. The old entries are no longer read and expire.

What the fingerprint holds (roles_of), and why each:
- The person's roles as visible_tasks_filter reads them (tasks.selectors.seen_through): the
  departments whose every request they see (managed, or acted for), those whose ordinary requests
  they see (member of, or below one they manage), the people whose requests they see as involved
  (themselves and whom they act for today). The same departments and delegators decide the
  conflicts they see (managers of a party, mediator or arbiter for someone) and the teams a
  delegate sees for the lead they act for.
- The departments they belong to (department_ids): visible_documents lets members see their
  departments' documents, which seen_through mixes with the departments below.
- Whether they sign off documents today (is_signer, also as a leader's delegate):
  visible_documents shows a signer every document from sign-off on.
- The departments whose documents they, or whom they act for, review (核稿人): visible_documents.
- The private teams they lead (or whose lead they act for) or belong to: Team.objects.visible_to;
  public teams are everyone's.
- The conflicts of the period they raised, mediate or arbitrate (or whose mediator or arbiter they
  act for): visible_conflicts_filter lets them see those whatever the departments.
- The classified documents of the period they may read (named for them, or the 机要 office):
  visible_documents; for an admin, the only fact of theirs their figures depend on (every request,
  conflict, team and unclassified document is theirs by being an admin), so theirs is that alone.
Left out on purpose: the requests a person is involved in one by one (filed, assigned, watched,
to approve). Those are the requests' own facts, which change as requests are filed and decided,
many times an hour for a leader on every approval route; a fingerprint of them would make the
snapshot as short-lived as the figures' data. A request routed to them shows at the next hourly
run or on Refresh, as a request filed does. The same for department names (labels).
The fingerprint is a few small queries (the person's roles, mostly read by the page anyway, and one
UNION of index lookups), against seconds for the figures.

When a viewer's snapshot is taken: on their view when none is kept under their fingerprint (or on
Refresh), and by the hourly job for the viewers who opened the report in the last VIEWER_DAYS days
(at most RECENT_VIEWERS of them, the most recent), in each language they used, skipping whoever is
no longer active, no longer allowed the report, or now in the shared scope. A viewer who has not
looked for a week is no longer retaken: their first view computes (seconds, as before the
snapshot), and from then on it is kept and retaken hourly again.

Where it is kept: the Django cache, which is Redis, shared by every web process and worker, when
REDIS_URL is set (every deployment at the sizes where this matters). Without Redis (the embedded
default, small organisations) the cache is each process's own memory: a web process then keeps
the snapshot it computed on its first view, and the beat worker's copy serves nobody; the page is
still right, labelled with the time its figures were computed. Entries expire after two hours, so
a beat that stopped makes pages compute again rather than show older and older figures. Kept are
the tables already drawn (labels in the language they were computed in, hence keyed by language),
not the queries' rows: the page then does nothing but render, and the exports read the same rows.
Every key holds a generation (GENERATION), which forget() replaces: the viewers' keys cannot be
listed (their fingerprints are computed from the roles), so forgetting is making them unreachable.
"""

import hashlib
import json
import logging
import uuid
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time, timedelta

from django.core.cache import cache
from django.db.models import CharField, Q, Value
from django.utils import timezone, translation

from core import exports
from core.exports import Table
from departments.models import Department, User
from documents.models import Document
from documents.rules import is_signer
from documents.selectors import classified_readers_condition
from reports.forms import DEFAULT_DAYS
from reports.sections import sections
from reports.selectors import PAGE_ROWS
from reports.selectors.common import translation_language
from reports.selectors.organisation import OrganisationReport, SharedOrganisationReport
from tasks.selectors import department_ids, seen_through

log = logging.getLogger(__name__)

TIMEOUT = 2 * 3600
# The kept entries are pickled Tables and the page's figures: a release that changes their shape
# (core.exports.Table, reports.sections) changes this number, so that it never reads the old ones.
FORMAT = 1
PREFIX = f"reports:organisation-snapshot:{FORMAT}"
GENERATION = f"{PREFIX}:generation"
# The viewers the hourly job retakes: those of the last week, the most recent first, so that its
# run stays bounded however many people once opened the report.
VIEWER_DAYS = 7
RECENT_VIEWERS = 50


@dataclass(frozen=True)
class Scope:
    """Whose figures a snapshot holds. `name` keys its entries; `user` is None for the shared
    scope, else the one viewer it was computed for."""

    name: str
    user: User | None = field(default=None, compare=False)

    def report(self, start: datetime, end: datetime) -> OrganisationReport:
        if self.user is None:
            return SharedOrganisationReport(start, end)
        return OrganisationReport(self.user, None, start, end)


SCOPE_ALL = Scope("admins")


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


def scope_of(user) -> Scope | None:
    """The scope whose snapshot holds exactly the figures `user` may see in the default period, or
    None when they may not see the report. An admin is in the shared one unless some classified
    document of the period is readable to them (named for it, or the 机要 office): they would see
    more documents than it counts. Everyone else allowed the report has a scope of their own."""
    if not (user.is_authenticated and user.is_active and user.has_perm("reports.view_organisation")):
        return None
    start, end = default_period()
    if user.is_superuser:
        classified = sorted(_classified(user, start, end).values_list("pk", flat=True))
        return viewer_scope(user, {"documents": classified}) if classified else SCOPE_ALL
    return viewer_scope(user, roles_of(user, start, end))


def viewer_scope(user: User, facts: dict) -> Scope:
    """The scope of `user`'s own snapshot under these facts of theirs (roles_of)."""
    digest = hashlib.sha256(json.dumps(facts, sort_keys=True).encode()).hexdigest()[:24]
    return Scope(f"viewer:{user.pk}:{digest}", user)


def _classified(user: User, start: datetime, end: datetime):
    return Document.objects.filter(
        classified_readers_condition(user),
        secrecy__in=Document.NAMED_ONLY,
        created_at__gte=start,
        created_at__lt=end,
    ).order_by()


def roles_of(user: User, start: datetime, end: datetime) -> dict:
    """Every fact of `user`'s that the organisation report's figures of [start, end) depend on,
    beyond the data itself (the module's docstring says why each is here)."""
    from conflicts.models import Conflict
    from teams.models import Team, TeamMember

    managed, ordinary, people = seen_through(user)

    def kind(name: str) -> Value:
        return Value(name, output_field=CharField())

    # One round trip of index lookups, each part an id with what it is to them.
    parts = [
        Department.document_reviewers.through.objects.filter(user_id__in=people).values_list(
            "department_id", kind("reviews")
        ),
        Team.objects.filter(
            Q(lead_id__in=people) | Q(pk__in=TeamMember.objects.filter(user=user).values("team_id")), private=True
        ).values_list("pk", kind("team")),
        Conflict.objects.filter(
            Q(raised_by=user) | Q(mediator_id__in=people) | Q(arbiter_id__in=people),
            raised_at__gte=start,
            raised_at__lt=end,
        ).values_list("pk", kind("conflict")),
        _classified(user, start, end).values_list("pk", kind("document")),
    ]
    parts = [part.order_by() for part in parts]
    found: dict[str, set[int]] = {"reviews": set(), "team": set(), "conflict": set(), "document": set()}
    for pk, name in parts[0].union(*parts[1:], all=True):
        found[name].add(pk)
    return {
        "managed": managed,
        "ordinary": ordinary,
        "people": sorted(people),
        "member": department_ids(user),
        "signer": is_signer(user),
        **{name: sorted(ids) for name, ids in found.items()},
    }


def _generation() -> str:
    # No expiry: replaced by forget(). Were it evicted, a new one only makes every page compute once.
    return cache.get_or_set(GENERATION, lambda: uuid.uuid4().hex, None)


def _base(scope: Scope, days: tuple[date, date]) -> str:
    return f"{PREFIX}:{_generation()}:{scope.name}:{days[0]:%Y%m%d}-{days[1]:%Y%m%d}:{translation_language() or '-'}"


def page(scope: Scope) -> Snapshot | None:
    """The kept snapshot for the page (its drawn sections, without the exports' rows), or None."""
    found = cache.get(f"{_base(scope, default_days())}:page")
    if found is None:
        return None
    taken, drawn = found
    return Snapshot(taken, drawn, {})


def shown(scope: Scope, *, fresh: bool = False) -> Snapshot:
    """What the page shows: the kept snapshot, or one taken now when none is kept or the viewer
    asked for fresh figures. A viewer of their own is remembered for the hourly job."""
    if scope.user is not None:
        _remember(scope.user)
    return (None if fresh else page(scope)) or take(scope)


def export(scope: Scope, key: str, fmt: str) -> bytes | None:
    """One section of the kept snapshot as a CSV or XLSX file, or None when none is kept.

    The file is kept too, beside the snapshot it was made from: the matrix has a row per pair of
    departments (90,000 at 300 departments), and reading those rows and writing them out again
    took most of an export's time. A file of an older snapshot than the page's is made again."""
    base = _base(scope, default_days())
    taken = cache.get(f"{base}:page")
    if taken is None:
        return None
    taken = taken[0]
    found = cache.get(f"{base}:file:{key}:{fmt}")
    if found is not None and found[0] == taken:
        return found[1]
    rows = cache.get(f"{base}:table:{key}")
    if rows is None or rows[0] != taken:  # replaced between the two reads: computed instead
        return None
    content = exports.render(rows[1], fmt)
    cache.set(f"{base}:file:{key}:{fmt}", (taken, content), TIMEOUT)
    return content


def take(scope: Scope) -> Snapshot:
    """Compute the default view for `scope` in the active language now, keep it, and return it."""
    if not isinstance(scope, Scope):
        raise ValueError(f"no such scope: {scope!r}")
    base = _base(scope, default_days())
    report = scope.report(*default_period())
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
    entries = {f"{base}:page": (snapshot.taken, snapshot.sections)}
    entries.update({f"{base}:table:{key}": (snapshot.taken, table) for key, table in full.items()})
    cache.set_many(entries, TIMEOUT)
    log.info("organisation report snapshot %s taken (%s)", scope.name, translation_language())
    return snapshot


def _viewers_key() -> str:
    return f"{PREFIX}:{_generation()}:viewers"


def _remember(user: User) -> None:
    """Note that `user` looked at their own snapshot now, in the active language. Written at most
    once an hour per person and language, not on every view. Two processes writing at once may
    lose one's note: that viewer's snapshot is then computed on their next view instead."""
    key, now, language = _viewers_key(), timezone.now(), translation_language()
    viewers: dict[int, dict[str, datetime]] = cache.get(key) or {}
    languages = viewers.get(user.pk, {})
    if language in languages and now - languages[language] < timedelta(hours=1):
        return
    viewers[user.pk] = {**languages, language: now}
    cache.set(key, _recent(viewers, now), VIEWER_DAYS * 86400)


def _recent(viewers: dict[int, dict[str, datetime]], now: datetime) -> dict[int, dict[str, datetime]]:
    """The viewers of the last VIEWER_DAYS days with the languages they used in them, the
    RECENT_VIEWERS most recent, the most recent first."""
    since = now - timedelta(days=VIEWER_DAYS)
    kept = {pk: {code: at for code, at in used.items() if at >= since} for pk, used in viewers.items()}
    order = sorted((pk for pk in kept if kept[pk]), key=lambda pk: max(kept[pk].values()), reverse=True)
    return {pk: kept[pk] for pk in order[:RECENT_VIEWERS]}


def recent_viewers() -> dict[int, list[str]]:
    """The people who opened their own snapshot lately (see _recent), with their languages."""
    viewers = _recent(cache.get(_viewers_key()) or {}, timezone.now())
    return {pk: sorted(used) for pk, used in viewers.items()}


def retake_viewers(*, only_missing: bool = False) -> int:
    """Take again the snapshots of the recent viewers in the languages they used (only where none
    is kept with `only_missing`), skipping whoever is no longer active, no longer allowed the
    report, or now in the shared scope. Returns how many were taken."""
    viewers = recent_viewers()
    people = User.objects.filter(pk__in=list(viewers), is_active=True).in_bulk()
    taken = 0
    for pk, languages in viewers.items():
        user = people.get(pk)
        scope = scope_of(user) if user is not None else None
        if scope is None or scope.user is None:
            continue
        for code in languages:
            with translation.override(code):
                if only_missing and page(scope) is not None:
                    continue
                take(scope)
                taken += 1
    return taken


def forget() -> None:
    """Forget every kept snapshot, the shared one and every viewer's, in every language, and the
    recent viewers (tests; a data fix): a new generation, so that no key of the old one is read
    again; their entries expire by themselves."""
    cache.set(GENERATION, uuid.uuid4().hex, None)
