"""Read queries for the department dashboard and the organisation report.

Every figure is computed in the database (aggregate/annotate, an ordered-set aggregate for
percentiles on PostgreSQL); Python only arranges rows whose number is bounded by the number
of departments, people of one department, request types, weeks or reasons. Every query
starts from what the viewer may see (`tasks.selectors.visible_tasks_filter`,
`documents.selectors.visible_documents`).

Definitions (shown on the pages):
- accepting SLA: measured for requests with an accept-by time that were accepted, or are still
  waiting past it; kept when accepted by then.
- finishing SLA: measured for requests with a due time that were finished (handed over for
  verification), or are still being worked past it; kept when finished by then (due times
  already move by the working time on hold).
- cycle time: from submission to the result, in calendar hours.
- waiting charged: working hours of finished holds that name the department waited on.
"""

from datetime import datetime, timedelta

from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.db.models import (
    Aggregate,
    Avg,
    Case,
    Count,
    DurationField,
    Exists,
    ExpressionWrapper,
    F,
    FloatField,
    Func,
    OuterRef,
    Q,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Cast, Coalesce, TruncWeek
from django.utils import timezone
from django.utils.translation import gettext as _

from core.exports import Table
from core.models import ActionLog
from departments.models import Department, User
from documents.models import Document, Opinion
from documents.selectors import visible_documents
from tasks.models import DEFAULT_ESTIMATE_HOURS, HoldPeriod, Reason, Task, TaskAction
from tasks.selectors import overdue, visible_tasks_filter

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


class EpochHours(Func):
    """A duration in hours (PostgreSQL)."""

    template = "(EXTRACT(EPOCH FROM %(expressions)s) / 3600.0)"
    output_field = FloatField()


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
        figures["median"] = Percentile(EpochHours(cycle()), 0.5, filter=finished)
        if p90:
            figures["p90"] = Percentile(EpochHours(cycle()), 0.9, filter=finished)
    return figures


def _period_label(start: datetime, end: datetime) -> str:
    return f"{start:%Y-%m-%d} – {(end - timedelta(days=1)):%Y-%m-%d}"


class DepartmentReport:
    """The dashboard of one department: the requests it received in the period."""

    sections = ("queue", "load", "sla", "cycle", "ageing", "overdue", "rework")

    def __init__(self, user: User, department: Department, start: datetime, end: datetime):
        self.user, self.department, self.start, self.end = user, department, start, end
        self.now = timezone.now()
        self.tasks = Task.objects.filter(
            visible_tasks_filter(user),
            target_department=department,
            created_at__gte=start,
            created_at__lt=end,
        ).exclude(state=Task.State.DRAFT)

    def table(self, key: str, *, limit: int | None = PAGE_ROWS) -> Table:
        if key == "overdue":
            return self.overdue(limit=limit)
        return getattr(self, key)()

    def all(self) -> list[Table]:
        return [self.table(key) for key in self.sections]

    def queue(self) -> Table:
        counts = dict(self.tasks.values_list("state").annotate(n=Count("pk")).order_by())
        rows = [[str(label), counts.get(value, 0)] for value, label in Task.State.choices if value != Task.State.DRAFT]
        return Table(
            "queue",
            _("Incoming requests by state"),
            [_("State"), _("Requests")],
            rows,
            chart={"kind": "bars", "value_column": 1},
        )

    def load(self) -> Table:
        members = list(
            User.objects.filter(memberships__department=self.department, is_active=True)
            .distinct()
            .order_by("username")
            .values_list("pk", "display_name", "username")
        )
        hours_expr = Coalesce(F("estimate_hours"), Value(DEFAULT_ESTIMATE_HOURS), output_field=FloatField())
        work = {
            row["assignee"]: row
            for row in self.tasks.filter(
                state__in=[*Task.WORK_STATES, Task.State.PENDING_VERIFICATION], assignee__isnull=False
            )
            .values("assignee")
            .annotate(
                open=Count("pk"),
                working=Count("pk", filter=Q(state__in=Task.WORK_STATES)),
                hours=Sum(hours_expr, filter=Q(state__in=Task.WORK_STATES)),
            )
            .order_by()
        }
        rows = []
        for pk, name, username in members:
            figures = work.get(pk, {})
            rows.append(
                [name or username, figures.get("working", 0), figures.get("open", 0), hours(figures.get("hours") or 0)]
            )
        rows.sort(key=lambda row: (-row[1], row[0]))
        return Table(
            "load",
            _("Each member's load"),
            [_("Person"), _("Being worked on"), _("Open incl. awaiting verification"), _("Estimated hours")],
            rows,
            note=_("Open work assigned to each member, among the requests of the period."),
            chart={"kind": "bars", "value_column": 1},
        )

    def sla(self) -> Table:
        weeks = (
            self.tasks.annotate(week=TruncWeek("created_at"))
            .values("week")
            .annotate(**sla_aggregates(self.now))
            .order_by("week")
        )
        rows = []
        for row in weeks:
            rows.append(
                [
                    timezone.localtime(row["week"]).date() if isinstance(row["week"], datetime) else row["week"],
                    row["accept_measured"],
                    percent(row["accept_kept"], row["accept_measured"]),
                    row["finish_measured"],
                    percent(row["finish_kept"], row["finish_measured"]),
                ]
            )
        return Table(
            "sla",
            _("SLA kept, by week filed"),
            [
                _("Week of"),
                _("Accepting: measured"),
                _("Accepting: kept %"),
                _("Finishing: measured"),
                _("Finishing: kept %"),
            ],
            rows,
            note=_(
                "Accepting is measured for requests accepted or still waiting past their accept-by time; "
                "finishing for requests finished or still worked on past their due time."
            ),
            chart={"kind": "percent", "value_columns": [2, 4]},
        )

    def cycle(self) -> Table:
        types = (
            self.tasks.values("request_type", "request_type__name", "request_type__name_en")
            .annotate(**cycle_aggregates())
            .filter(finished__gt=0)
            .order_by("request_type__name")
        )
        english = (translation_language() or "").startswith("en")
        rows = []
        for row in types:
            name = (row["request_type__name_en"] if english else "") or row["request_type__name"]
            rows.append([name, row["finished"], hours(row.get("median")), hours(row.get("p90")), hours(row["average"])])
        note = _("From submission to the result, in calendar hours.")
        if not has_percentiles():
            note += " " + _("Median and 90th percentile are computed on PostgreSQL only.")
        return Table(
            "cycle",
            _("Cycle time per request type"),
            [_("Request type"), _("Finished"), _("Median hours"), _("90th percentile hours"), _("Average hours")],
            rows,
            note=note,
            chart={"kind": "bars", "value_column": 2 if has_percentiles() else 4},
        )

    def ageing(self) -> Table:
        buckets = {}
        for low, high in AGE_BUCKETS:
            condition = Q(created_at__lte=self.now - timedelta(days=low))
            if high is not None:
                condition &= Q(created_at__gt=self.now - timedelta(days=high))
            buckets[f"b{low}"] = Count("pk", filter=condition)
        figures = self.tasks.filter(state__in=Task.OPEN_STATES).aggregate(**buckets)
        rows = []
        for low, high in AGE_BUCKETS:
            label = (
                _("%(low)s–%(high)s days") % {"low": low, "high": high}
                if high
                else _("over %(low)s days") % {"low": low}
            )
            rows.append([label, figures[f"b{low}"]])
        return Table(
            "ageing",
            _("Age of open work"),
            [_("Age"), _("Open requests")],
            rows,
            chart={"kind": "bars", "value_column": 1},
        )

    def overdue(self, *, limit: int | None = PAGE_ROWS) -> Table:
        late = overdue(self.tasks).select_related("assignee", "requesting_department").order_by("due_at", "pk")
        total = late.count() if limit else None
        if limit:
            late = late[:limit]
        rows = [
            [
                task.number,
                task.title,
                str(task.get_state_display()),
                task.requesting_department.display_name,
                task.assignee.name if task.assignee else "",
                timezone.localtime(task.due_at),
                hours(self.now - task.due_at),
            ]
            for task in late
        ]
        return Table(
            "overdue",
            _("Overdue"),
            [
                _("Request number"),
                _("Title"),
                _("State"),
                _("Requesting department"),
                _("Assignee"),
                _("Due"),
                _("Hours late"),
            ],
            rows,
            total=total,
        )

    def rework(self) -> Table:
        counts = (
            ActionLog.objects.filter(
                content_type=ContentType.objects.get_for_model(Task),
                object_id__in=self.tasks.values("pk"),
                action__in=REWORK_ACTIONS,
            )
            .values_list("action", "reason")
            .annotate(n=Count("pk"))
            .order_by()
        )
        actions = dict(TaskAction.choices)
        reasons = dict(Reason.choices)
        rows = [
            [str(actions.get(action, action)), str(reasons.get(reason, reason or _("(none given)"))), n]
            for action, reason, n in counts
        ]
        rows.sort(key=lambda row: (-row[2], row[0], row[1]))
        return Table(
            "rework",
            _("Returns and reopens by reason"),
            [_("What happened"), _("Reason"), _("Times")],
            rows,
            chart={"kind": "bars", "value_column": 2, "label_columns": [0, 1]},
        )


def translation_language() -> str:
    from django.utils.translation import get_language

    return get_language() or ""


class OrganisationReport:
    """Departments working with each other: who asks whom, how fast, who waits on whom;
    documents in flight."""

    sections = ("matrix", "slowest", "waiting", "documents", "steps", "conflicts", "teams")

    def __init__(self, user: User, department: Department | None, start: datetime, end: datetime):
        self.user, self.department, self.start, self.end = user, department, start, end
        self.now = timezone.now()
        tasks = Task.objects.filter(visible_tasks_filter(user), created_at__gte=start, created_at__lt=end).exclude(
            state=Task.State.DRAFT
        )
        documents = visible_documents(user).filter(created_at__gte=start, created_at__lt=end)
        if department is not None:
            tasks = tasks.filter(Q(requesting_department=department) | Q(target_department=department))
            documents = documents.filter(department=department)
        self.tasks, self.document_qs = tasks, documents
        self._pairs = None
        self._names = None

    def table(self, key: str, *, limit: int | None = PAGE_ROWS) -> Table:
        if key == "teams":
            return self.teams(limit=limit)
        return getattr(self, key)()

    def all(self) -> list[Table]:
        return [self.table(key) for key in self.sections]

    def names(self) -> dict[int, str]:
        if self._names is None:
            english = translation_language().startswith("en")
            self._names = {
                pk: ((name_en if english else "") or name)
                for pk, name, name_en in Department.objects.values_list("pk", "name", "name_en")
            }
        return self._names

    def pairs(self) -> list[dict]:
        if self._pairs is None:
            self._pairs = list(
                self.tasks.values("requesting_department", "target_department")
                .annotate(requests=Count("pk"), **sla_aggregates(self.now), **cycle_aggregates(p90=False))
                .order_by()
            )
        return self._pairs

    def _finish_hours(self, pair: dict) -> float | None:
        return hours(pair.get("median")) if has_percentiles() else hours(pair["average"])

    def matrix(self) -> Table:
        names = self.names()
        rows = [
            [
                names.get(pair["requesting_department"], ""),
                names.get(pair["target_department"], ""),
                pair["requests"],
                pair["finished"],
                self._finish_hours(pair),
                percent(pair["finish_kept"], pair["finish_measured"]),
                percent(pair["accept_kept"], pair["accept_measured"]),
            ]
            for pair in self.pairs()
        ]
        rows.sort(key=lambda row: (-row[2], row[0], row[1]))
        return Table(
            "matrix",
            _("Requests from department to department"),
            [
                _("From department"),
                _("To department"),
                _("Requests"),
                _("Finished"),
                _("Median hours to finish") if has_percentiles() else _("Average hours to finish"),
                _("Finishing SLA kept %"),
                _("Accepting SLA kept %"),
            ],
            rows,
            note=""
            if has_percentiles()
            else _("Medians are computed on PostgreSQL only; this database shows averages."),
            chart={"kind": "heatmap", "value_column": 2},
        )

    def slowest(self) -> Table:
        table = self.matrix()
        rows = [row for row in table.rows if row[3] >= SLOWEST_MIN_FINISHED and row[4] is not None]
        rows.sort(key=lambda row: (-row[4], row[0], row[1]))
        return Table(
            "slowest",
            _("Slowest pairs"),
            table.headers,
            rows[:10],
            note=_("Pairs with at least %(count)s finished requests, slowest first.") % {"count": SLOWEST_MIN_FINISHED},
        )

    def waiting(self) -> Table:
        names = self.names()
        charged = (
            HoldPeriod.objects.filter(task__in=self.tasks.values("pk"), waiting_on__isnull=False)
            .values("task__target_department", "waiting_on")
            .annotate(
                holds=Count("pk"),
                open=Count("pk", filter=Q(ended_at__isnull=True)),
                hours=Sum("working_hours"),
            )
            .order_by()
        )
        rows = [
            [
                names.get(row["task__target_department"], ""),
                names.get(row["waiting_on"], ""),
                row["holds"],
                row["open"],
                hours(row["hours"] or 0),
            ]
            for row in charged
        ]
        rows.sort(key=lambda row: (-row[4], row[0], row[1]))
        return Table(
            "waiting",
            _("Waiting time charged: who waits on whom"),
            [_("Department waiting"), _("Waiting on"), _("Holds"), _("Still on hold"), _("Working hours charged")],
            rows,
            note=_("Working hours of finished holds; holds still running are counted but not yet charged."),
            chart={"kind": "heatmap", "value_column": 4},
        )

    def documents(self) -> Table:
        counts = dict(
            self.document_qs.filter(state__in=IN_FLIGHT).values_list("state").annotate(n=Count("pk")).order_by()
        )
        labels = dict(Document.State.choices)
        rows = [[str(labels[state]), counts.get(state, 0)] for state in IN_FLIGHT]
        return Table(
            "documents",
            _("Documents in flight"),
            [_("State"), _("Documents")],
            rows,
            chart={"kind": "bars", "value_column": 1},
        )

    def steps(self) -> Table:
        previous = (
            Opinion.objects.filter(document_id=OuterRef("document_id"), created_at__lt=OuterRef("created_at"))
            .order_by("-created_at")
            .values("created_at")[:1]
        )
        figures = (
            Opinion.objects.filter(document__in=self.document_qs.values("pk"))
            .annotate(previous=Coalesce(Subquery(previous), F("document__created_at")))
            .values("stage")
            .annotate(
                opinions=Count("pk"),
                average=Avg(ExpressionWrapper(F("created_at") - F("previous"), output_field=DurationField())),
            )
            .order_by()
        )
        by_stage = {row["stage"]: row for row in figures}
        rows = [
            [str(label), by_stage.get(stage, {}).get("opinions", 0), hours(by_stage.get(stage, {}).get("average"))]
            for stage, label in Opinion.Stage.choices
        ]
        return Table(
            "steps",
            _("Average time per document step"),
            [_("Step"), _("Opinions given"), _("Average hours")],
            rows,
            note=_("From the document's previous step (or its creation) to each opinion, in calendar hours."),
            chart={"kind": "bars", "value_column": 2},
        )

    def conflicts(self) -> Table:
        return _conflicts_section(self)

    def teams(self, *, limit: int | None = PAGE_ROWS) -> Table:
        return _teams_section(self, limit)


def heatmap(table: Table, value_column: int) -> dict:
    """Rows × columns of a from/to table, each cell with its value and a shade from 0 to 5."""
    sources = sorted({row[0] for row in table.rows})
    targets = sorted({row[1] for row in table.rows})
    values = {(row[0], row[1]): row[value_column] for row in table.rows}
    peak = max([value for value in values.values() if value] or [0])
    grid = []
    for source in sources:
        cells = []
        for target in targets:
            value = values.get((source, target))
            shade = 0 if not value or not peak else max(1, min(5, round(5 * value / peak)))
            cells.append({"value": value, "shade": shade, "target": target})
        grid.append({"source": source, "cells": cells})
    return {"columns": targets, "rows": grid}


def _conflicts_section(report: "OrganisationReport") -> Table:
    from conflicts.models import Conflict, ConflictParty
    from conflicts.selectors import visible_conflicts_filter

    conflicts = Conflict.objects.filter(
        visible_conflicts_filter(report.user), raised_at__gte=report.start, raised_at__lt=report.end
    )
    if report.department is not None:
        conflicts = conflicts.filter(
            Exists(ConflictParty.objects.filter(conflict_id=OuterRef("pk"), department=report.department))
        )

    conflict_type = ContentType.objects.get_for_model(Conflict)

    def reached(level):
        return Q(state=level) | Exists(
            ActionLog.objects.filter(content_type=conflict_type, object_id=OuterRef("pk"), to_state=level)
        )

    S = Conflict.State
    level = Case(
        When(reached(S.ARBITRATION), then=Value(S.ARBITRATION)),
        When(reached(S.MEDIATION), then=Value(S.MEDIATION)),
        default=Value(S.NEGOTIATION),
    )
    counts = (
        conflicts.annotate(level=level).values_list("level", "state", "resolution").annotate(n=Count("pk")).order_by()
    )
    levels = [S.NEGOTIATION, S.MEDIATION, S.ARBITRATION]
    states = dict(S.choices)
    resolutions = dict(Conflict.Resolution.choices)
    rows = []
    for level_value, state, resolution, n in counts:
        if state == S.RESOLVED:
            outcome = str(resolutions.get(resolution, states[state]))
        elif state == S.WITHDRAWN:
            outcome = str(states[state])
        else:
            outcome = _("Still open")
        rows.append([str(states[level_value]), outcome, n, levels.index(level_value)])
    rows.sort(key=lambda row: (row[3], -row[2], row[1]))
    return Table(
        "conflicts",
        _("Conflicts by level reached and outcome"),
        [_("Highest level reached"), _("Outcome"), _("Conflicts")],
        [row[:3] for row in rows],
        note=_("Conflicts raised in the period that you may see."),
        chart={"kind": "bars", "value_column": 2, "label_columns": [0, 1]},
    )


def _teams_section(report: "OrganisationReport", limit: int | None) -> Table:
    from teams.models import Team, TeamMember

    teams = Team.objects.filter(
        pk__in=Team.objects.visible_to(report.user).values("pk"),
        deadline__gte=timezone.localtime(report.start).date(),
        deadline__lt=timezone.localtime(report.end).date(),
    ).exclude(state=Team.State.CANCELLED)
    if report.department is not None:
        teams = teams.filter(Exists(TeamMember.objects.filter(team_id=OuterRef("pk"), department=report.department)))
    progress = ExpressionWrapper(
        (F("current_value") - F("baseline")) * Value(100.0) / (F("target_value") - F("baseline")),
        output_field=FloatField(),
    )
    attainment = Case(
        When(goal_attainment__isnull=False, then=Cast("goal_attainment", FloatField())),
        When(Q(current_value__isnull=False) & ~Q(target_value=F("baseline")), then=progress),
        default=None,
        output_field=FloatField(),
    )
    teams = teams.annotate(attainment=attainment).order_by("deadline", "pk")
    total = teams.count() if limit else None
    states = dict(Team.State.choices)
    rows = [
        [name, str(states.get(state, state)), metric, baseline, target, current, deadline, hours(value)]
        for name, state, metric, baseline, target, current, deadline, value in (
            teams[:limit] if limit else teams
        ).values_list("name", "state", "metric", "baseline", "target_value", "current_value", "deadline", "attainment")
    ]
    return Table(
        "teams",
        _("Team goal attainment"),
        [
            _("Team"),
            _("State"),
            _("Metric"),
            _("Baseline"),
            _("Target"),
            _("Current"),
            _("Deadline"),
            _("Attainment %"),
        ],
        rows,
        note=_(
            "Teams whose deadline falls in the period: the evaluated attainment, or else the progress of the "
            "current value from the baseline to the target."
        ),
        total=total,
        chart={"kind": "bars", "value_column": 7},
    )
