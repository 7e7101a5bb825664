"""What is due for removal: the rules of retention, as querysets.

A request is due when it is closed (done, rejected or cancelled) and the year it closed plus
RETENTION_REQUEST_YEARS is before this year. An official document is due when it is archived
(已归档) and the year it must be kept until is before this year: its own "keep until" year, set
when it was archived, or else the year it was archived plus RETENTION_DOCUMENT_YEARS. A kind whose
setting is empty is never due.

Never due, whatever their age: anything under a legal hold; anything not in its final state; a
request whose sub-tasks are not all closed and free of holds (sub-tasks go with their lead
request, never alone); a request that a received document's route (收文) points at, or that a
conflict is about, since those records are kept with their own history.
"""

from datetime import datetime

from django.conf import settings
from django.db.models import Count, Exists, IntegerField, OuterRef, Q, QuerySet
from django.db.models.functions import Coalesce, ExtractYear
from django.utils import timezone

from conflicts.models import Conflict
from documents.models import Document, IncomingRoute
from tasks.models import Task

KINDS = ("request", "document")


def years_setting(kind: str) -> int | None:
    return settings.RETENTION_REQUEST_YEARS if kind == "request" else settings.RETENTION_DOCUMENT_YEARS


def due(kind: str, *, this_year: int | None = None, held: bool = False) -> QuerySet | None:
    """The rows of `kind` due for removal, annotated with `year` (closed or archived), or None
    when retention is off for that kind. `held=True`: those that would be due but for their own
    legal hold (what the dry run says it keeps)."""
    years = years_setting(kind)
    if years is None:
        return None
    this_year = this_year or timezone.localdate().year
    return _due_requests(years, this_year, held) if kind == "request" else _due_documents(years, this_year, held)


def _due_requests(years: int, this_year: int, held: bool) -> QuerySet:
    closed = Coalesce("closed_at", "updated_at")
    before = datetime(this_year - years, 1, 1, tzinfo=timezone.get_current_timezone())
    kept_subtask = Task.objects.filter(parent=OuterRef("pk")).filter(
        ~Q(state__in=Task.CLOSED_STATES) | Q(legal_hold=True)
    )
    return (
        Task.objects.filter(parent__isnull=True, state__in=Task.CLOSED_STATES, legal_hold=held)
        .alias(closed=closed)
        .filter(closed__lt=before)
        .exclude(Exists(kept_subtask))
        .exclude(Exists(IncomingRoute.objects.filter(task=OuterRef("pk"))))
        .exclude(Exists(Conflict.objects.filter(task=OuterRef("pk"))))
        .annotate(year=ExtractYear(closed))
    )


def _due_documents(years: int, this_year: int, held: bool) -> QuerySet:
    keep_until = Coalesce("retention_year", ExtractYear("archived_at") + years, output_field=IntegerField())
    return (
        Document.objects.filter(state=Document.State.ARCHIVED, legal_hold=held, archived_at__isnull=False)
        .alias(keep_until=keep_until)
        .filter(keep_until__lt=this_year)
        .annotate(year=ExtractYear("archived_at"))
    )


def counts(kinds=KINDS, *, this_year: int | None = None, held: bool = False) -> dict[str, dict[str, int] | None]:
    """{kind: {year: count}} of what is due (None for a kind whose retention is off); `held=True`:
    of what would be due but is kept under a legal hold."""
    result: dict[str, dict[str, int] | None] = {}
    for kind in kinds:
        rows = due(kind, this_year=this_year, held=held)
        if rows is None:
            result[kind] = None
            continue
        grouped = rows.order_by().values("year").annotate(n=Count("pk")).order_by("year")
        result[kind] = {str(row["year"]): row["n"] for row in grouped}
    return result
