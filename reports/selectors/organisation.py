"""The organisation's report, its conflicts and teams sections, and the heatmap."""

import heapq
from datetime import datetime

from django.contrib.contenttypes.models import ContentType
from django.db.models import (
    Avg,
    Case,
    Count,
    DurationField,
    Exists,
    ExpressionWrapper,
    F,
    FloatField,
    OuterRef,
    Q,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Cast, Coalesce
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext as _

from core.exports import Table
from core.models import ActionLog
from departments.models import Department, User
from documents.models import Document, Opinion
from documents.selectors import visible_documents
from reports.selectors.common import (
    IN_FLIGHT,
    PAGE_ROWS,
    SLOWEST_MIN_FINISHED,
    by_state,
    cycle_aggregates,
    has_percentiles,
    hours,
    percent,
    sla_aggregates,
    translation_language,
)
from tasks.models import Task
from tasks.selectors import visible_tasks_filter


class OrganisationReport:
    """Departments working with each other: who asks whom, how fast, who waits on whom;
    documents in flight."""

    sections = ("matrix", "slowest", "waiting", "documents", "steps", "conflicts", "teams")

    def __init__(self, user: User | None, department: Department | None, start: datetime, end: datetime):
        self.user, self.department, self.start, self.end = user, department, start, end
        self.now = timezone.now()
        tasks = Task.objects.filter(self.task_rule(), created_at__gte=start, created_at__lt=end).exclude(
            state=Task.State.DRAFT
        )
        documents = self.visible_documents().filter(created_at__gte=start, created_at__lt=end)
        if department is not None:
            tasks = tasks.filter(Q(requesting_department=department) | Q(target_department=department))
            documents = documents.filter(department=department)
        self.tasks, self.document_qs = tasks, documents

    # What the viewer may see; SharedOrganisationReport answers them without a viewer.
    def task_rule(self) -> Q:
        return visible_tasks_filter(self.user)

    def visible_documents(self):
        return visible_documents(self.user)

    def conflict_rule(self) -> Q:
        from conflicts.selectors import visible_conflicts_filter

        return visible_conflicts_filter(self.user)

    def visible_teams(self):
        from teams.models import Team

        return Team.objects.visible_to(self.user)

    def table(self, key: str, *, limit: int | None = PAGE_ROWS) -> Table:
        if key == "teams":
            return self.teams(limit=limit)
        return getattr(self, key)()

    def all(self) -> list[Table]:
        return [self.table(key) for key in self.sections]

    @cached_property
    def names(self) -> dict[int, str]:
        english = translation_language().startswith("en")
        return {
            pk: ((name_en if english else "") or name)
            for pk, name, name_en in Department.objects.values_list("pk", "name", "name_en")
        }

    @cached_property
    def pairs(self) -> list[dict]:
        return list(
            self.tasks.values("requesting_department", "target_department")
            .annotate(requests=Count("pk"), **sla_aggregates(self.now), **cycle_aggregates(p90=False))
            .order_by()
        )

    @cached_property
    def matrix_rows(self) -> list[list]:
        """One row per pair, the busiest first; the matrix and the slowest pairs both read it."""
        names = self.names
        middle = "median" if has_percentiles() else "average"  # asked once, not per pair
        rows = [
            [
                names.get(pair["requesting_department"], ""),
                names.get(pair["target_department"], ""),
                pair["requests"],
                pair["finished"],
                hours(pair[middle]),
                percent(pair["finish_kept"], pair["finish_measured"]),
                percent(pair["accept_kept"], pair["accept_measured"]),
            ]
            for pair in self.pairs
        ]
        rows.sort(key=lambda row: (-row[2], row[0], row[1]))
        return rows

    def matrix(self) -> Table:
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
            list(self.matrix_rows),
            note=""
            if has_percentiles()
            else _("Medians are computed on PostgreSQL only; this database shows averages."),
            chart={"kind": "heatmap", "value_column": 2},
        )

    def slowest(self) -> Table:
        table = self.matrix()
        rows = [row for row in self.matrix_rows if row[3] >= SLOWEST_MIN_FINISHED and row[4] is not None]
        # The same ten as sorting them all (nsmallest is documented as sorted(...)[:n]), without
        # sorting 90,000 pairs to keep ten.
        rows = heapq.nsmallest(10, rows, key=lambda row: (-row[4], row[0], row[1]))
        return Table(
            "slowest",
            _("Slowest pairs"),
            table.headers,
            rows,
            note=_("Pairs with at least %(count)s finished requests, slowest first.") % {"count": SLOWEST_MIN_FINISHED},
        )

    def waiting(self) -> Table:
        names = self.names
        # From the period's requests joined to their holds: one pass over the requests, where
        # `holds.task_id IN (the requests)` joined the requests twice.
        charged = (
            self.tasks.filter(holds__waiting_on__isnull=False)
            .values("target_department", "holds__waiting_on")
            .annotate(
                holds_count=Count("holds"),
                open=Count("holds", filter=Q(holds__ended_at__isnull=True)),
                hours=Sum("holds__working_hours"),
            )
            .order_by()
        )
        rows = [
            [
                names.get(row["target_department"], ""),
                names.get(row["holds__waiting_on"], ""),
                row["holds_count"],
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
        labels = dict(Document.State.choices)
        in_flight = self.document_qs.filter(state__in=IN_FLIGHT)
        states = [(state, labels[state]) for state in IN_FLIGHT]
        return by_state("documents", _("Documents in flight"), in_flight, states, _("Documents"))

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


class SharedOrganisationReport(OrganisationReport):
    """The organisation report of every admin who may read no classified document of the period,
    computed without a viewer (reports.snapshots keeps it for them all).

    Why it is the same for each of them (and must stay so: a change to the rules below must change
    this too, tests/reports/test_snapshots.py compares them): an admin sees every request but other
    people's drafts (visible_tasks_filter), which the report leaves out anyway; every conflict
    (visible_conflicts_filter) and every team (Team.objects.visible_to); every document but the
    classified ones they are not named for (visible_documents). Only that last part depends on the
    person, so the snapshot's viewers are the admins for whom no classified document of the period
    is readable (reports.snapshots.scope_of): for them it is every unclassified document."""

    def __init__(self, start: datetime, end: datetime):
        super().__init__(None, None, start, end)

    def task_rule(self) -> Q:
        return Q()

    def visible_documents(self):
        return Document.objects.filter(~Q(secrecy__in=Document.NAMED_ONLY))

    def conflict_rule(self) -> Q:
        return Q()

    def visible_teams(self):
        from teams.models import Team

        return Team.objects.all()


HEATMAP_DEPARTMENTS = 30


def heatmap(table: Table, value_column: int, *, size: int = HEATMAP_DEPARTMENTS) -> dict:
    """Rows × columns of a from/to table, each cell with its value and a shade from 0 to 5.

    At most `size` departments each way, those with the largest totals: a grid of every pair of
    300 departments is 90,000 cells, megabytes of page that nobody can read, and the page's size
    must not grow with the organisation. The table below it and the export keep every pair."""
    values = {(row[0], row[1]): row[value_column] for row in table.rows}
    source_totals: dict[str, float] = {}
    target_totals: dict[str, float] = {}
    for (source, target), value in values.items():
        source_totals[source] = source_totals.get(source, 0) + (value or 0)
        target_totals[target] = target_totals.get(target, 0) + (value or 0)

    def busiest(totals: dict[str, float]) -> list[str]:
        return sorted(sorted(totals, key=lambda name: (-totals[name], name))[:size])

    sources, targets = busiest(source_totals), busiest(target_totals)
    # The shades keep their scale from the whole table, so a cell reads the same whether or not
    # the grid is cut.
    peak = max([value for value in values.values() if value] or [0])
    grid = []
    for source in sources:
        cells = []
        for target in targets:
            value = values.get((source, target))
            shade = 0 if not value or not peak else max(1, min(5, round(5 * value / peak)))
            cells.append({"value": value, "shade": shade, "target": target})
        grid.append({"source": source, "cells": cells})
    return {
        "columns": targets,
        "rows": grid,
        "shown": size if len(source_totals) > size or len(target_totals) > size else 0,
        "departments": max(len(source_totals), len(target_totals)),
    }


def _conflicts_section(report: "OrganisationReport") -> Table:
    from conflicts.models import Conflict, ConflictParty

    conflicts = Conflict.objects.filter(report.conflict_rule(), raised_at__gte=report.start, raised_at__lt=report.end)
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
        pk__in=report.visible_teams().values("pk"),
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
