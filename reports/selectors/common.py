"""Shared measures: percentiles, hours, SLA and cycle-time aggregates, page sizes."""

from datetime import datetime, timedelta

from django.db import connection
from django.db.models import Aggregate, Avg, Count, DurationField, ExpressionWrapper, F, FloatField, Q
from django.db.models.functions import Coalesce
from django.utils.translation import gettext as _

from core.exports import Table
from documents.models import Document
from tasks.models import Task, TaskAction

PAGE_ROWS = 50


AGE_BUCKETS = [(0, 1), (1, 3), (3, 7), (7, 14), (14, 30), (30, None)]


REWORK_ACTIONS = [TaskAction.RETURNED, TaskAction.REOPENED]


IN_FLIGHT = [
    Document.State.REVIEWING,
    Document.State.COUNTERSIGNING,
    Document.State.PENDING_ISSUE,
    Document.State.ISSUED,
    Document.State.DISTRIBUTED,
]


SLOWEST_MIN_FINISHED = 3


class Percentile(Aggregate):
    """PostgreSQL's percentile_cont(fraction) WITHIN GROUP (ORDER BY expression)."""

    function = "PERCENTILE_CONT"
    name = "Percentile"
    template = "%(function)s(%(fraction)s) WITHIN GROUP (ORDER BY %(expressions)s)"
    output_field = FloatField()

    def __init__(self, expression, fraction: float, **extra):
        super().__init__(expression, fraction=repr(float(fraction)), **extra)


def has_percentiles() -> bool:
    return connection.vendor == "postgresql"


def hours(value) -> float | None:
    if value is None:
        return None
    if isinstance(value, timedelta):
        value = value.total_seconds() / 3600
    return round(float(value), 1)


def percent(kept: int, measured: int) -> float | None:
    return round(100 * kept / measured, 1) if measured else None


def cycle() -> ExpressionWrapper:
    return ExpressionWrapper(F("done_at") - Coalesce("submitted_at", "created_at"), output_field=DurationField())


def sla_aggregates(now: datetime) -> dict:
    accept_measured = Q(accept_due_at__isnull=False) & (
        Q(accepted_at__isnull=False) | Q(state=Task.State.PENDING_ACCEPTANCE, accept_due_at__lt=now)
    )
    finish_measured = Q(due_at__isnull=False) & (
        Q(done_at__isnull=False) | Q(state__in=Task.WORK_STATES, due_at__lt=now)
    )
    return {
        "accept_measured": Count("pk", filter=accept_measured),
        "accept_kept": Count(
            "pk", filter=Q(accept_due_at__isnull=False, accepted_at__isnull=False, accepted_at__lte=F("accept_due_at"))
        ),
        "finish_measured": Count("pk", filter=finish_measured),
        "finish_kept": Count("pk", filter=Q(due_at__isnull=False, done_at__isnull=False, done_at__lte=F("due_at"))),
    }


def cycle_aggregates(*, p90: bool = True) -> dict:
    finished = Q(done_at__isnull=False)
    figures = {"finished": Count("pk", filter=finished), "average": Avg(cycle(), filter=finished)}
    if has_percentiles():
        # Of the durations themselves (an interval; hours() reads it): turning each one into
        # hours first is a numeric division per request, most of the cost at a million of them.
        figures["median"] = Percentile(cycle(), 0.5, filter=finished, output_field=DurationField())
        if p90:
            figures["p90"] = Percentile(cycle(), 0.9, filter=finished, output_field=DurationField())
    return figures


def by_state(key: str, title: str, queryset, states, counted: str) -> Table:
    """How many rows of `queryset` are in each of `states` ((value, label) pairs), as a bar chart."""
    counts = dict(queryset.values_list("state").annotate(n=Count("pk")).order_by())
    rows = [[str(label), counts.get(value, 0)] for value, label in states]
    return Table(key, title, [_("State"), counted], rows, chart={"kind": "bars", "value_column": 1})


def translation_language() -> str:
    from django.utils.translation import get_language

    return get_language() or ""
