"""A department's own calendar exceptions count for the deadlines of the requests it handles, and
for nobody else's."""

from datetime import timedelta

import pytest
from django.utils import timezone

from departments.models import CalendarDay
from departments.selectors import working_calendar
from tasks import services

pytestmark = pytest.mark.django_db


def test_a_departments_exception_wins_over_the_organisations_day(org):
    today = timezone.localdate()
    saturday = today + timedelta(days=(5 - today.weekday()) % 7 or 7)
    monday = saturday + timedelta(days=2)
    CalendarDay.objects.create(date=saturday, kind="holiday", name="全公司")
    CalendarDay.objects.create(date=saturday, kind="workday", name="仓库加班", department=org.purchasing)
    CalendarDay.objects.create(date=monday, kind="holiday", name="盘点", department=org.purchasing)
    CalendarDay.objects.create(date=monday + timedelta(1), kind="holiday", name="销售部团建", department=org.sales)

    organisation, purchasing = working_calendar(), working_calendar(org.purchasing)
    assert not organisation.is_working_day(saturday) and purchasing.is_working_day(saturday)
    assert organisation.is_working_day(monday) and not purchasing.is_working_day(monday)
    # Another department's day is not the purchasing department's, nor the organisation's.
    assert purchasing.is_working_day(monday + timedelta(1)) and organisation.is_working_day(monday + timedelta(1))
    assert working_calendar(org.purchasing.pk) == purchasing


def test_the_calendars_are_read_in_two_queries_then_kept_until_a_day_changes(org, django_assert_num_queries):
    CalendarDay.objects.create(date=timezone.localdate(), kind="holiday", department=org.purchasing)
    with django_assert_num_queries(2):
        assert not working_calendar(org.purchasing).is_working_day(timezone.localdate())
    with django_assert_num_queries(0):  # every department's, and the organisation's, from the cache
        working_calendar()
        working_calendar(org.sales)
        working_calendar(org.purchasing.pk)
    day = CalendarDay.objects.get(department=org.purchasing)
    day.delete()  # a change is read at once
    with django_assert_num_queries(2):
        assert working_calendar(org.purchasing) == working_calendar()


def _close(department, days: int) -> None:
    today = timezone.localdate()
    for offset in range(days):
        CalendarDay.objects.create(date=today + timedelta(offset), kind="holiday", department=department)


def test_filing_and_acceptance_deadlines_follow_the_handling_departments_calendar(org, support):
    """采购部 is closed for three weeks (stocktaking): a request reaching it gets its time to accept
    and, once accepted, its time to finish after the closure; the organisation's calendar would
    have given days, not weeks."""
    _close(org.purchasing, 21)
    closed_until = timezone.localdate() + timedelta(21)
    task = services.task_create(by=org.requester, request_type=support, title="咨询", submit=True)
    assert task.state == "pending_acceptance"
    assert timezone.localtime(task.accept_due_at).date() >= closed_until
    organisation_due = working_calendar().add_working_hours(timezone.now(), float(support.accept_sla_hours))
    assert timezone.localtime(organisation_due).date() < closed_until

    task = services.task_accept(task=task, by=org.purchasing_head, assignee=org.assignee)
    assert timezone.localtime(task.due_at).date() >= closed_until


def test_another_departments_closure_does_not_move_the_deadline(org, support):
    _close(org.sales, 21)  # the requester's department, not the one handling the request
    task = services.task_create(by=org.requester, request_type=support, title="咨询", submit=True)
    expected = working_calendar().add_working_hours(timezone.now(), float(support.accept_sla_hours))
    assert abs(task.accept_due_at - expected) < timedelta(minutes=1)


def test_the_expected_finish_shown_before_filing_follows_the_department(org, support):
    from tasks.selectors import expected_finish

    _close(org.purchasing, 21)
    assert timezone.localtime(expected_finish(support)).date() >= timezone.localdate() + timedelta(21)


def test_one_organisation_day_and_one_exception_per_department_and_date(org):
    from django.db import IntegrityError, transaction

    day = timezone.localdate()
    CalendarDay.objects.create(date=day, kind="holiday")
    CalendarDay.objects.create(date=day, kind="workday", department=org.purchasing)
    CalendarDay.objects.create(date=day, kind="workday", department=org.sales)
    for department in (None, org.purchasing):
        with pytest.raises(IntegrityError), transaction.atomic():
            CalendarDay.objects.create(date=day, kind="workday", department=department)
