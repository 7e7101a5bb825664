"""One department's report."""

from datetime import datetime, timedelta

from django.contrib.contenttypes.models import ContentType
from django.db.models import Count, F, FloatField, Q, Sum, Value
from django.db.models.functions import Coalesce, TruncWeek
from django.utils import timezone
from django.utils.translation import gettext as _

from core.exports import Table
from core.models import ActionLog
from departments.models import Department, User
from reports.selectors.common import (
    AGE_BUCKETS,
    PAGE_ROWS,
    REWORK_ACTIONS,
    by_state,
    cycle_aggregates,
    has_percentiles,
    hours,
    percent,
    sla_aggregates,
    translation_language,
)
from tasks.models import DEFAULT_ESTIMATE_HOURS, Reason, Task, TaskAction
from tasks.selectors import overdue, visible_tasks_filter


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
        states = [(value, label) for value, label in Task.State.choices if value != Task.State.DRAFT]
        return by_state("queue", _("Incoming requests by state"), self.tasks, states, _("Requests"))

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
        rows = [
            [
                timezone.localtime(row["week"]).date() if isinstance(row["week"], datetime) else row["week"],
                row["accept_measured"],
                percent(row["accept_kept"], row["accept_measured"]),
                row["finish_measured"],
                percent(row["finish_kept"], row["finish_measured"]),
            ]
            for row in weeks
        ]
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
