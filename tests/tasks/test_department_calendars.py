"""A department's own calendar exceptions move the deadlines of the steps it owes: approval steps
(the approvers' department), urging, and the reminder sweep's windows; with no exceptions nothing
changes. The sweep reads every calendar from the cache and keeps one query per reminder kind."""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from departments.models import CalendarDay
from departments.selectors import working_calendar
from tasks import reminders, services
from tasks.models import ApprovalStep, Task
from tests.factories import DepartmentFactory, MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db
SH = ZoneInfo("Asia/Shanghai")


def at(*args):
    return datetime(*args, tzinfo=SH)


def close(department, first: date, days: int) -> None:
    for offset in range(days):
        CalendarDay.objects.create(date=first + timedelta(offset), kind="holiday", department=department)


def test_an_approval_step_is_due_on_the_approvers_departments_calendar(org, purchase, file_request):
    """Step 1 is the head of 销售部 (the requester's department), closed all week: the step is due
    the Monday after; step 2, the head of 财务部, works by the organisation's calendar."""
    close(org.sales, date(2026, 11, 30), 5)
    with time_machine.travel(at(2026, 11, 30, 9), tick=False):
        task = file_request(purchase, amount=20000)
    assert task.approval_department_id == org.sales.pk
    assert task.approval_due_at == at(2026, 12, 7, 14)  # 4 working hours from Monday 7 Dec 9:00
    with time_machine.travel(at(2026, 11, 30, 10), tick=False):
        task = services.task_approve(task=task, by=org.sales_head)
    assert task.approval_step == 2 and task.approval_department_id == org.finance.pk
    assert task.approval_due_at == at(2026, 11, 30, 15)  # 10:00 + 4 h over the lunch break


def test_named_approvers_count_on_their_department_and_several_on_the_organisations(org, purchase, file_request):
    """Named people of one department: theirs; of several: the organisation's calendar."""
    close(org.purchasing, date(2026, 11, 30), 5)
    step = ApprovalStep.objects.get(request_type=purchase, order=1)
    step.approver = "users"
    step.save()
    step.users.set([org.purchasing_head, org.assignee])
    with time_machine.travel(at(2026, 11, 30, 9), tick=False):
        task = file_request(purchase)
    assert task.approval_department_id == org.purchasing.pk and task.approval_due_at == at(2026, 12, 7, 14)
    step.users.add(org.outsider)  # 人力资源部 too
    with time_machine.travel(at(2026, 11, 30, 9), tick=False):
        task = file_request(purchase)
    assert task.approval_department_id is None and task.approval_due_at == at(2026, 11, 30, 14)


def test_urging_waits_four_working_hours_of_the_department_holding_the_step(org, purchase, file_request):
    close(org.sales, date(2026, 12, 1), 4)  # the approver's department is off Tuesday to Friday
    with time_machine.travel(at(2026, 11, 30, 17), tick=False):
        task = file_request(purchase)
        services.task_urge(task=task, by=org.requester)
    with time_machine.travel(at(2026, 12, 1, 13), tick=False):  # the organisation's 4 h have passed
        with pytest.raises(services.TaskError, match="2026-12-07 12:00"):
            services.task_urge(task=task, by=org.requester)


@pytest.fixture
def overdue_monday(org, support, file_request):
    """A 咨询 to 采购部 accepted Monday 30 Nov 2026 at 9:00, due at 18:00."""
    with time_machine.travel(at(2026, 11, 30, 9), tick=False):
        task = file_request(support)
        services.task_accept(task=task, by=org.purchasing_head, assignee=org.assignee)
    return Task.objects.get(pk=task.pk)


def sweep(moment):
    with time_machine.travel(moment, tick=False):
        return reminders.sweep()


@pytest.mark.parametrize("closed_tuesday, escalated", [(True, 0), (False, 1)])
def test_the_sweeps_windows_count_on_the_handling_departments_calendar(org, overdue_monday, closed_tuesday, escalated):
    """Wednesday 10:00 is a working day past Monday 18:00 on the organisation's calendar, but not
    for 采购部 when it was off on Tuesday."""
    if closed_tuesday:
        close(org.purchasing, date(2026, 12, 1), 1)
        assert sweep(at(2026, 12, 1, 10))["overdue"] == 0  # 采购部's day off: nothing for it
    sent = sweep(at(2026, 12, 2, 10))
    assert sent["escalate_1"] == escalated
    assert Task.objects.get(pk=overdue_monday.pk).reminders.filter(kind="overdue").count() == 1


def test_a_departments_make_up_saturday_gets_its_reminders(org, overdue_monday):
    assert sweep(at(2026, 12, 5, 10)) == {"skipped": "outside working hours"}
    CalendarDay.objects.create(date=date(2026, 12, 5), kind="workday", department=org.purchasing)
    assert sweep(at(2026, 12, 5, 10))["overdue"] == 1


def test_approval_escalation_waits_a_working_day_of_the_approvers_department(org, purchase, file_request):
    with time_machine.travel(at(2026, 11, 30, 9), tick=False):
        task = file_request(purchase)  # due 14:00 for the head of 销售部
    close(org.sales, date(2026, 12, 1), 1)
    assert sweep(at(2026, 12, 1, 14))["approval_escalate"] == 0  # 销售部 is off
    assert sweep(at(2026, 12, 2, 10))["approval_escalate"] == 0  # 5 working hours of 销售部 since
    assert sweep(at(2026, 12, 2, 15))["approval_escalate"] == 1
    assert Task.objects.get(pk=task.pk).reminders.filter(kind="approval_overdue").count() == 1


def _due_rows_queries(now) -> int:
    with CaptureQueriesContext(connection) as queries:
        for _kind, _field, rows in reminders.due_rules(now):
            list(rows.values_list("pk", flat=True))
    return len(queries)


def test_the_due_rules_read_in_one_query_a_kind_whatever_the_rows_and_departments(org, support, file_request):
    now = at(2026, 12, 2, 10)
    for n in range(3):  # three departments with their own days, two of them alike
        head = UserFactory(username=f"head{n}")
        department = DepartmentFactory(code=f"d{n}", name=f"部门{n}", parent=org.hq, head=head)
        MembershipFactory(user=head, department=department)
        CalendarDay.objects.create(date=date(2026, 12, 1 + n // 2), kind="holiday", department=department)
    close(org.purchasing, date(2026, 12, 1), 1)
    working_calendar()  # the calendars are read once, then come from the cache
    with time_machine.travel(at(2026, 11, 30, 9), tick=False):
        file_request(support)
    one = _due_rows_queries(now)
    with time_machine.travel(at(2026, 11, 30, 9), tick=False):
        for _ in range(10):
            task = file_request(support)
            services.task_accept(task=task, by=org.purchasing_head, assignee=org.assignee)
    assert _due_rows_queries(now) == one == len(reminders.due_rules(now))
