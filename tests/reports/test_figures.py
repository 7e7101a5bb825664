"""The department dashboard and the organisation report against hand-computed figures
(tests/reports/conftest.py)."""

from datetime import date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection
from django.utils import timezone

from departments.models import CalendarDay
from reports.selectors import DepartmentReport, OrganisationReport, has_percentiles
from tasks import services
from tasks.models import HoldPeriod
from tests.reports.conftest import make_task

TZ = ZoneInfo("Asia/Shanghai")


def period(days=90):
    today = timezone.localdate()
    tz = timezone.get_current_timezone()
    return (
        datetime.combine(today - timedelta(days=days), time.min, tz),
        datetime.combine(today + timedelta(days=1), time.min, tz),
    )


def rows(table):
    return {row[0]: row[1:] for row in table.rows}


def test_queue_load_ageing_overdue_and_rework(org, figures):
    report = DepartmentReport(org.admin, org.purchasing, *period())
    queue = rows(report.queue())
    assert queue["Done"] == [4] and queue["In progress"] == [2] and queue["Pending acceptance"] == [2]
    load = rows(report.load())
    assert load["钱四"] == [1, 1, 8.0]  # T5 with 8 estimated hours (T8 has no assignee)
    assert load["赵经理"] == [0, 0, 0.0]
    ageing = [row[1] for row in report.ageing().rows]
    assert ageing == [1, 1, 1, 1, 0, 0]  # T7 <1 d, T6 1–3 d, T8 3–7 d, T5 7–14 d
    late = report.overdue()
    assert [row[0] for row in late.rows] == ["T5"] and late.total == 1
    rework = report.rework().rows
    assert sorted(rework) == sorted(
        [["reopened", "Result not good enough", 2], ["returned for revision", "Information or materials incomplete", 1]]
    )


def test_sla_kept_percentages(org, figures):
    report = DepartmentReport(org.admin, org.purchasing, *period())
    table = report.sla()
    accept_measured = sum(row[1] for row in table.rows)
    finish_measured = sum(row[3] for row in table.rows)
    assert (accept_measured, finish_measured) == (6, 5)
    kept_accept = sum(round(row[1] * (row[2] or 0) / 100) for row in table.rows)
    kept_finish = sum(round(row[3] * (row[4] or 0) / 100) for row in table.rows)
    assert (kept_accept, kept_finish) == (4, 2)
    organisation = OrganisationReport(org.admin, None, *period())
    matrix = {(row[0], row[1]): row[2:] for row in organisation.matrix().rows}
    requests, finished, _hours, finish_kept, accept_kept = matrix[("Sales", "Purchasing")]
    assert (requests, finished, finish_kept, accept_kept) == (7, 4, 40.0, 66.7)
    assert matrix[("Human Resources", "Purchasing")][0] == 1


def test_cycle_time_average_everywhere(org, figures):
    table = DepartmentReport(org.admin, org.purchasing, *period()).cycle()
    [(name, finished, median, p90, average)] = table.rows
    assert (name, finished, average) == ("Question", 4, 25.0)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="percentile_cont is PostgreSQL's")
def test_cycle_time_median_and_90th_percentile_on_postgresql(org, figures):
    assert has_percentiles()
    table = DepartmentReport(org.admin, org.purchasing, *period()).cycle()
    [(_name, _finished, median, p90, _average)] = table.rows
    assert (median, p90) == (25.0, 37.0)
    matrix = {(row[0], row[1]): row for row in OrganisationReport(org.admin, None, *period()).matrix().rows}
    assert matrix[("Sales", "Purchasing")][4] == 25.0
    slowest = OrganisationReport(org.admin, None, *period()).slowest().rows
    assert [row[:2] for row in slowest] == [["Sales", "Purchasing"]]


def test_period_and_department_filters(org, figures):
    start, end = period(days=5)  # only T6, T7, T8
    report = DepartmentReport(org.admin, org.purchasing, start, end)
    assert sum(row[1] for row in report.queue().rows) == 3
    assert OrganisationReport(org.admin, org.hr, *period()).matrix().rows[0][:3] == ["Human Resources", "Purchasing", 1]


def test_reports_count_only_what_the_viewer_may_see(org, figures):
    # The purchasing head manages the target department: sees all eight, the confidential one too.
    assert sum(row[1] for row in DepartmentReport(org.purchasing_head, org.purchasing, *period()).queue().rows) == 8
    # The leader heads 公司总部, above every department: the seven ordinary ones, not the confidential one.
    assert sum(row[1] for row in DepartmentReport(org.leader, org.purchasing, *period()).queue().rows) == 7
    # The person of 人力资源部 sees only the confidential one they filed themselves.
    assert sum(row[1] for row in DepartmentReport(org.outsider, org.purchasing, *period()).queue().rows) == 1
    # The sales head sees the seven from sales, not hr's confidential one.
    matrix = OrganisationReport(org.sales_head, None, *period()).matrix().rows
    assert [row[:3] for row in matrix] == [["Sales", "Purchasing", 7]]


def test_waiting_time_charged_across_a_holiday(org, support):
    """On hold from Thursday 30 April 16:00 to Monday 4 May 10:00, waiting on finance, with
    1 May a public holiday: Thursday 16–18 h and Monday 9–10 h, 3 working hours charged."""
    CalendarDay.objects.create(date=date(2026, 5, 1), kind=CalendarDay.Kind.HOLIDAY, name="劳动节")
    created = datetime(2026, 4, 29, 10, 0, tzinfo=TZ)
    task = make_task(
        org,
        support,
        "H1",
        state="in_progress",
        created=created,
        accepted_at=created,
        due_at=created + timedelta(days=3),
        assignee=org.assignee,
    )
    with time_machine.travel(datetime(2026, 4, 30, 16, 0, tzinfo=TZ), tick=False):
        services.task_hold(task=task, by=org.assignee, reason="waiting_other", waiting_on=org.hr)
    with time_machine.travel(datetime(2026, 5, 4, 10, 0, tzinfo=TZ), tick=False):
        services.task_resume(task=task, by=org.assignee)
    assert HoldPeriod.objects.get(task=task).working_hours == Decimal("3.00")
    # A hold still running is counted, not yet charged.
    other = make_task(org, support, "H2", state="on_hold", created=created, assignee=org.assignee)
    HoldPeriod.objects.create(task=other, waiting_on=org.hr, reason="waiting_other", started_at=created)
    start = datetime(2026, 4, 1, tzinfo=TZ)
    end = datetime(2026, 6, 1, tzinfo=TZ)
    table = OrganisationReport(org.admin, None, start, end).waiting()
    assert table.rows == [["Purchasing", "Human Resources", 2, 1, 3.0]]
