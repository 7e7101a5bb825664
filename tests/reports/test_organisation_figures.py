"""The organisation report's pair figures and waiting table equal a direct computation, in Python,
over a small random organisation: whatever the report does to be fast at a million requests, it
must show what counting the visible requests one by one shows."""

import random
import statistics
from datetime import datetime, time, timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from core.exports import Table
from reports.selectors import OrganisationReport, has_percentiles, heatmap
from reports.selectors.common import SLOWEST_MIN_FINISHED
from tasks.models import HoldPeriod, RequestType, Task
from tasks.selectors import visible_tasks_filter
from tests.reports.conftest import make_task

STATES = ["done", "done", "in_progress", "on_hold", "pending_acceptance", "pending_verification", "rejected", "draft"]


def period(days=30):
    today = timezone.localdate()
    tz = timezone.get_current_timezone()
    return (
        datetime.combine(today - timedelta(days=days), time.min, tz),
        datetime.combine(today + timedelta(days=1), time.min, tz),
    )


@pytest.fixture
def random_org(org):
    """About 120 requests between three departments, in every state, some outside the period,
    some confidential, some with holds charged to a department."""
    rng = random.Random(22)
    now = timezone.now()
    departments = [org.sales, org.purchasing, org.hr]
    types = {
        department.pk: RequestType.objects.create(
            department=department, code=f"t-{department.code}", name=f"{department.name}事务"
        )
        for department in departments
    }
    people = {org.sales.pk: org.requester, org.purchasing.pk: org.assignee, org.hr.pk: org.outsider}
    for n in range(120):
        origin, target = rng.choice(departments), rng.choice(departments)
        state = rng.choice(STATES)
        created = now - timedelta(days=rng.uniform(0, 40), hours=rng.uniform(0, 24))
        fields = {
            "requester": people[origin.pk],
            "requesting_department": origin,
            "confidential": rng.random() < 0.2,
        }
        if state not in ("draft", "pending_acceptance"):
            fields.update(
                assignee=people[target.pk],
                accept_due_at=created + timedelta(hours=4),
                accepted_at=created + timedelta(hours=rng.uniform(0.5, 8)),
                due_at=created + timedelta(hours=rng.uniform(1, 120)),
            )
        if state == "pending_acceptance":
            fields["accept_due_at"] = now + timedelta(hours=rng.uniform(-48, 48))
        if state in ("done", "pending_verification"):
            fields["done_at"] = created + timedelta(hours=rng.uniform(1, 200))
        task = make_task(org, types[target.pk], f"R{n}", state=state, created=created, **fields)
        if state == "draft":
            Task.objects.filter(pk=task.pk).update(submitted_at=None)
        if state in ("in_progress", "on_hold", "done") and rng.random() < 0.5:
            ended = None if state == "on_hold" else created + timedelta(hours=30)
            HoldPeriod.objects.create(
                task=task,
                waiting_on=rng.choice(departments),
                reason="waiting_other",
                started_at=created + timedelta(hours=5),
                ended_at=ended,
                working_hours=None if ended is None else Decimal(rng.randint(1, 20)),
            )
    return org


def direct(user, department, start, end):
    """The matrix and waiting rows computed one request at a time."""
    visible = set(Task.objects.filter(visible_tasks_filter(user)).values_list("pk", flat=True))
    now = timezone.now()
    names = {pk: name for pk, name in [(d.pk, d.name_en) for d in _departments()]}
    pairs: dict[tuple, list[Task]] = {}
    chosen = []
    for task in Task.objects.all():
        if task.pk not in visible or task.state == "draft" or not start <= task.created_at < end:
            continue
        if department is not None and department.pk not in (task.requesting_department_id, task.target_department_id):
            continue
        chosen.append(task)
        pairs.setdefault((task.requesting_department_id, task.target_department_id), []).append(task)
    matrix = []
    for (source, target), tasks in pairs.items():
        finished = [t for t in tasks if t.done_at]
        cycles = [(t.done_at - (t.submitted_at or t.created_at)).total_seconds() / 3600 for t in finished]
        accept_measured = [
            t
            for t in tasks
            if t.accept_due_at and (t.accepted_at or (t.state == "pending_acceptance" and t.accept_due_at < now))
        ]
        accept_kept = [t for t in tasks if t.accept_due_at and t.accepted_at and t.accepted_at <= t.accept_due_at]
        finish_measured = [
            t for t in tasks if t.due_at and (t.done_at or (t.state in Task.WORK_STATES and t.due_at < now))
        ]
        finish_kept = [t for t in tasks if t.due_at and t.done_at and t.done_at <= t.due_at]
        middle = statistics.median(cycles) if has_percentiles() else statistics.mean(cycles) if cycles else None
        matrix.append(
            [
                names[source],
                names[target],
                len(tasks),
                len(finished),
                round(middle, 1) if cycles else None,
                round(100 * len(finish_kept) / len(finish_measured), 1) if finish_measured else None,
                round(100 * len(accept_kept) / len(accept_measured), 1) if accept_measured else None,
            ]
        )
    matrix.sort(key=lambda row: (-row[2], row[0], row[1]))
    waiting: dict[tuple, list] = {}
    ids = {t.pk: t for t in chosen}
    for hold in HoldPeriod.objects.filter(waiting_on__isnull=False):
        task = ids.get(hold.task_id)
        if task is None:
            continue
        row = waiting.setdefault((names[task.target_department_id], names[hold.waiting_on_id]), [0, 0, Decimal(0)])
        row[0] += 1
        row[1] += hold.ended_at is None
        row[2] += hold.working_hours or 0
    waiting_rows = [[a, b, n, still, round(float(h), 1)] for (a, b), (n, still, h) in waiting.items()]
    waiting_rows.sort(key=lambda row: (-row[4], row[0], row[1]))
    return matrix, waiting_rows


def _departments():
    from departments.models import Department

    return Department.objects.all()


@pytest.mark.parametrize("who", ["admin", "leader", "sales_head", "outsider"])
@pytest.mark.parametrize("one_department", [False, True])
def test_pairs_and_waiting_equal_a_direct_count(random_org, who, one_department):
    user = getattr(random_org, who)
    department = random_org.purchasing if one_department else None
    start, end = period()
    report = OrganisationReport(user, department, start, end)
    matrix, waiting = direct(user, department, start, end)
    assert matrix, "the data set must give the comparison something to compare"
    assert report.matrix().rows == matrix
    assert report.waiting().rows == waiting
    slowest = [row for row in matrix if row[3] >= SLOWEST_MIN_FINISHED and row[4] is not None]
    slowest.sort(key=lambda row: (-row[4], row[0], row[1]))
    assert report.slowest().rows == slowest[:10]


def test_the_whole_report_runs_a_fixed_number_of_queries(random_org):
    """One query for the pairs, one for the waiting time, whatever the number of pairs."""
    start, end = period()
    OrganisationReport(random_org.admin, None, start, end).all()  # the content types' cache
    counts = []
    for extra in (0, 30):
        for n in range(extra):
            make_task(
                random_org,
                RequestType.objects.get(code="t-hr"),
                f"Q{n}",
                state="done",
                created=timezone.now() - timedelta(days=1),
                done_at=timezone.now(),
            )
        report = OrganisationReport(random_org.admin, None, start, end)
        with CaptureQueriesContext(connection) as ctx:
            report.all()
        counts.append(len(ctx.captured_queries))
    assert counts[0] == counts[1]


def test_the_heatmap_shows_the_busiest_departments_and_keeps_its_scale():
    rows = [[f"S{i:02}", f"T{j:02}", i * j, 0, None, None, None] for i in range(1, 41) for j in range(1, 41)]
    table = Table("matrix", "M", ["a", "b", "c", "d", "e", "f", "g"], rows)
    grid = heatmap(table, 2, size=5)
    assert grid["columns"] == ["T36", "T37", "T38", "T39", "T40"]
    assert [row["source"] for row in grid["rows"]] == ["S36", "S37", "S38", "S39", "S40"]
    assert (grid["shown"], grid["departments"]) == (5, 40)
    # The peak of the whole table (40 × 40) is the darkest shade; a cell's shade does not change
    # because the grid is cut.
    assert grid["rows"][-1]["cells"][-1] == {"value": 1600, "shade": 5, "target": "T40"}
    assert grid["rows"][0]["cells"][0]["shade"] == round(5 * 36 * 36 / 1600)
    small = heatmap(table, 2, size=40)
    assert small["shown"] == 0 and len(small["columns"]) == 40
