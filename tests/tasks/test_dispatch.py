"""Workload, the suggested assignee, automatic assignment, co-handling and SLA due dates."""

from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.exceptions import PermissionDenied

from departments.models import CalendarDay, Membership
from tasks import services
from tasks.models import HoldPeriod, Priority, RequestType, Task
from tasks.selectors import workload
from tests.factories import MembershipFactory, SkillFactory, UserFactory

pytestmark = pytest.mark.django_db
SH = ZoneInfo("Asia/Shanghai")


@pytest.fixture
def team(org):
    """采购部 gets two more staff: one busy, one with the right skill."""
    busy = UserFactory(username="busy", display_name="忙人")
    skilled = UserFactory(username="skilled", display_name="专家")
    MembershipFactory(user=busy, department=org.purchasing)
    MembershipFactory(user=skilled, department=org.purchasing)
    return busy, skilled


def test_workload_counts_open_work_weighted_by_priority(org, support, file_request, team):
    busy, skilled = team
    for priority, hours in ((Priority.URGENT, 3), (Priority.LOW, 4)):
        task = file_request(support, priority=priority)
        services.task_accept(task=task, by=org.purchasing_head, assignee=busy, estimate_hours=Decimal(hours))
    no_estimate = file_request(support)
    services.task_accept(task=no_estimate, by=org.purchasing_head, assignee=skilled)
    done = file_request(support)
    services.task_accept(task=done, by=org.purchasing_head, assignee=skilled)
    services.task_finish(task=done, by=skilled)  # pending verification: no longer their work
    loads = {c.user.username: (c.open_count, c.load_hours) for c in workload(org.purchasing)}
    assert loads["busy"] == (2, 3 * 2.0 + 4 * 0.5)
    assert loads["skilled"] == (1, 4.0)  # no estimate counts as 4 hours
    assert loads["assignee"] == (0, 0.0)


def test_suggestion_prefers_skill_then_least_load_and_staff_over_managers(org, support, file_request, team):
    busy, skilled = team
    skill = SkillFactory(name="询价比价")
    support.skills.add(skill)
    skilled.skills.add(skill)
    busy.skills.add(skill)
    services.task_accept(task=file_request(support), by=org.purchasing_head, assignee=busy)
    candidates = workload(org.purchasing, RequestType.objects.get(pk=support.pk))
    assert [c.user.username for c in candidates if c.suggested] == ["skilled"]
    # Without a skill requirement the least loaded staff member is suggested, never the idle head.
    support.skills.clear()
    candidates = workload(org.purchasing, RequestType.objects.get(pk=support.pk))
    suggested = [c.user.username for c in candidates if c.suggested]
    assert suggested in (["assignee"], ["skilled"]) and suggested != ["purchasing_head"]


def test_least_loaded_auto_assignment(org, support, file_request, team):
    busy, skilled = team
    services.task_accept(task=file_request(support), by=org.purchasing_head, assignee=org.assignee)
    services.task_accept(task=file_request(support), by=org.purchasing_head, assignee=busy)
    support.auto_assign = "least_loaded"
    support.save()
    task = file_request(support)
    assert task.state == "in_progress" and task.assignee == skilled
    log = task.logs.get(action="task.accepted")
    assert log.actor is None


def test_round_robin_auto_assignment(org, support, file_request, team):
    support.auto_assign = "round_robin"
    support.save()
    assignees = [file_request(support).assignee.username for _ in range(4)]
    staff = sorted(["assignee", "busy", "skilled", "purchasing_head"])
    assert assignees == [staff[0], staff[1], staff[2], staff[3]]


def test_assignee_must_belong_to_the_department(org, support, file_request):
    task = file_request(support)
    with pytest.raises(services.TaskError):
        services.task_accept(task=task, by=org.purchasing_head, assignee=org.outsider)
    assert Task.objects.get(pk=task.pk).state == "pending_acceptance"


def test_transfer_to_another_department(org, support, file_request):
    task = file_request(support)
    with pytest.raises(services.TaskError):
        services.task_transfer(task=task, by=org.purchasing_head, department=org.purchasing, reason="other")
    services.task_transfer(task=task, by=org.purchasing_head, department=org.hr, reason="wrong_department")
    task.refresh_from_db()
    assert task.state == "pending_acceptance" and task.target_department == org.hr
    assert task.logs.last().data["department"] == org.hr.pk
    # 采购部's head no longer manages it.
    with pytest.raises(PermissionDenied):
        services.task_transfer(task=task, by=org.purchasing_head, department=org.sales, reason="other")


# Co-handling (主办/协办)


def test_co_departments_get_linked_subtasks_and_the_lead_waits_for_them(org, support, file_request):
    MembershipFactory(user=UserFactory(username="hr_staff"), department=org.hr)
    org.hr.head = org.outsider
    org.hr.save()
    Membership.objects.filter(user=org.outsider, department=org.hr).update(role="manager")
    lead = file_request(support, co_departments=[org.hr])
    sub = lead.subtasks.get()
    assert (sub.state, sub.target_department, sub.parent) == ("pending_acceptance", org.hr, lead)
    services.task_accept(task=lead, by=org.purchasing_head, assignee=org.assignee)
    services.task_finish(task=lead, by=org.assignee)
    with pytest.raises(services.TaskError, match="人力资源部"):
        services.task_confirm(task=lead, by=org.requester)
    services.task_accept(task=sub, by=org.outsider, assignee=org.outsider)
    services.task_finish(task=sub, by=org.outsider)
    # The lead request's assignee verifies the co-handling part.
    services.task_confirm(task=sub, by=org.assignee)
    services.task_confirm(task=lead, by=org.requester)
    assert Task.objects.get(pk=lead.pk).state == "done"


def test_cancelling_the_lead_cancels_open_subtasks(org, support, file_request):
    lead = file_request(support, co_departments=[org.hr])
    services.task_cancel(task=lead, by=org.requester, comment="不需要了")
    assert lead.subtasks.get().state == "cancelled"


# SLA in working hours


@pytest.fixture
def national_day(db):
    for day in range(1, 8):
        CalendarDay.objects.create(date=date(2026, 10, day), kind="holiday", name="国庆节")
    CalendarDay.objects.create(date=date(2026, 10, 10), kind="workday", name="国庆节调休")


def test_due_dates_skip_the_holiday_week(org, support, file_request, national_day):
    with time_machine.travel(datetime(2026, 9, 30, 16, 0, tzinfo=SH), tick=False):
        task = file_request(support)  # accept within 2 working hours, finish within 8
        assert task.accept_due_at == datetime(2026, 9, 30, 18, 0, tzinfo=SH)
        services.task_accept(task=task, by=org.purchasing_head, assignee=org.assignee)
    task.refresh_from_db()
    # 2 h on 30 Sep, 1–7 Oct off, 8 Oct 9–12 and 13–16 → 6 h more.
    assert task.due_at == datetime(2026, 10, 8, 16, 0, tzinfo=SH)


def test_wanted_by_earlier_than_the_sla_wins(org, support, file_request):
    with time_machine.travel(datetime(2026, 11, 30, 9, 0, tzinfo=SH), tick=False):
        task = file_request(support, wanted_by=datetime(2026, 11, 30, 14, 0, tzinfo=SH))
        services.task_accept(task=task, by=org.purchasing_head, assignee=org.assignee)
    assert Task.objects.get(pk=task.pk).due_at == datetime(2026, 11, 30, 14, 0, tzinfo=SH)


def test_hold_pauses_the_clock_and_charges_the_department_waited_on(org, support, file_request, national_day):
    with time_machine.travel(datetime(2026, 9, 29, 9, 0, tzinfo=SH), tick=False):
        task = file_request(support)
        services.task_accept(task=task, by=org.purchasing_head, assignee=org.assignee)
    due_before = Task.objects.get(pk=task.pk).due_at
    assert due_before == datetime(2026, 9, 29, 18, 0, tzinfo=SH)
    with time_machine.travel(datetime(2026, 9, 29, 10, 0, tzinfo=SH), tick=False):
        services.task_hold(task=task, by=org.assignee, reason="waiting_other", waiting_on=org.hr)
    # Resumed on Saturday 10 Oct (a make-up workday) at 10:00:
    # 29 Sep 10–18 (7 h) + 30 Sep (8 h) + 8 and 9 Oct (16 h) + 10 Oct 9–10 (1 h); 1–7 Oct are holidays.
    with time_machine.travel(datetime(2026, 10, 10, 10, 0, tzinfo=SH), tick=False):
        services.task_resume(task=task, by=org.assignee)
    hold = HoldPeriod.objects.get(task=task)
    assert hold.waiting_on == org.hr and hold.working_hours == Decimal("32.00")
    task.refresh_from_db()
    # The due date moves by the 32 working hours held: 30 Sep, 8 Oct, 9 Oct, then 10 Oct 9–18.
    assert task.due_at == datetime(2026, 10, 10, 18, 0, tzinfo=SH)


def test_urge_at_most_once_per_four_working_hours(org, purchase, file_request):
    with time_machine.travel(datetime(2026, 12, 1, 9, 0, tzinfo=SH), tick=False):
        task = file_request(purchase)
        services.task_urge(task=task, by=org.requester)
        assert org.sales_head.notifications.filter(kind="urged").count() == 1
    with time_machine.travel(datetime(2026, 12, 1, 13, 30, tzinfo=SH), tick=False):
        with pytest.raises(services.TaskError):
            services.task_urge(task=task, by=org.requester)
    with time_machine.travel(datetime(2026, 12, 1, 14, 0, tzinfo=SH), tick=False):
        services.task_urge(task=task, by=org.requester)
    assert org.sales_head.notifications.filter(kind="urged").count() == 2


def test_numbers_are_sequential_per_year(org, support, file_request):
    with time_machine.travel(datetime(2026, 12, 31, 12, 0, tzinfo=SH), tick=False):
        first, second = file_request(support), file_request(support)
    with time_machine.travel(datetime(2027, 1, 4, 9, 0, tzinfo=SH), tick=False):
        third = file_request(support)
    assert int(second.number[-6:]) == int(first.number[-6:]) + 1
    assert third.number == "REQ-2027-000001"


def test_overdue_flag(org, support, file_request):
    with time_machine.travel(datetime(2026, 12, 1, 9, 0, tzinfo=SH), tick=False):
        task = file_request(support)
        services.task_accept(task=task, by=org.purchasing_head, assignee=org.assignee)
    with time_machine.travel(datetime(2026, 12, 1, 17, 59, tzinfo=SH), tick=False):
        assert not Task.objects.get(pk=task.pk).is_overdue
    with time_machine.travel(datetime(2026, 12, 1, 18, 1, tzinfo=SH), tick=False):
        assert Task.objects.get(pk=task.pk).is_overdue
