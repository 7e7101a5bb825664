"""The beat's schedule, with time travelled: each reminder fires once at the right working moment,
skips holidays and nights, escalates in order, and stops when the request moves on."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine

from departments.models import CalendarDay
from notifications.models import Delivery, Notification, NotificationPreference
from tasks import reminders, services
from tasks.models import Task

pytestmark = pytest.mark.django_db
SH = ZoneInfo("Asia/Shanghai")


def at(*args):
    return datetime(*args, tzinfo=SH)


def sweep(moment):
    with time_machine.travel(moment, tick=False):
        return reminders.sweep()


def kinds(user):
    return sorted(
        Notification.objects.filter(recipient=user)
        .exclude(kind__in=["assigned", "inbox", "approval", "accepted", "approved"])
        .values_list("kind", flat=True)
    )


@pytest.fixture
def working(org, support, file_request):
    """A 咨询 accepted Monday 30 Nov 2026 at 9:00: due the same day at 18:00 (8 working hours)."""
    with time_machine.travel(at(2026, 11, 30, 9), tick=False):
        task = file_request(support)
        services.task_accept(task=task, by=org.purchasing_head, assignee=org.assignee)
    return Task.objects.get(pk=task.pk)


def test_due_soon_once(org, working):
    assert sweep(at(2026, 11, 30, 10))["due_soon"] == 1
    assert sweep(at(2026, 11, 30, 11))["due_soon"] == 0
    assert kinds(org.assignee) == ["due_soon"]


def test_nothing_at_night_or_on_holidays(org, working):
    CalendarDay.objects.create(date=date(2026, 12, 1), kind="holiday")
    assert sweep(at(2026, 11, 30, 22)) == {"skipped": "outside working hours"}
    assert sweep(at(2026, 12, 1, 10)) == {"skipped": "outside working hours"}  # a holiday
    assert sweep(at(2026, 12, 5, 10)) == {"skipped": "outside working hours"}  # a Saturday
    assert kinds(org.assignee) == []


def test_overdue_then_escalations_in_order(org, working):
    sent = sweep(at(2026, 11, 30, 18, 30))  # after hours: nothing
    assert sent == {"skipped": "outside working hours"}
    sent = sweep(at(2026, 12, 1, 9, 5))
    assert (sent["overdue"], sent["escalate_1"], sent["escalate_3"]) == (1, 0, 0)
    sent = sweep(at(2026, 12, 1, 17, 30))  # 7.5 working hours overdue: not yet a working day
    assert (sent["overdue"], sent["escalate_1"], sent["escalate_3"]) == (0, 0, 0)
    sent = sweep(at(2026, 12, 2, 9, 30))  # 8.5 working hours overdue: the department's managers
    assert (sent["overdue"], sent["escalate_1"], sent["escalate_3"]) == (0, 1, 0)
    assert "escalation" in kinds(org.purchasing_head)
    sent = sweep(at(2026, 12, 4, 9, 30))  # three working days: the head above (公司总部's 郑总)
    assert (sent["escalate_1"], sent["escalate_3"]) == (0, 1)
    assert kinds(org.leader) == ["escalation"]
    assert sweep(at(2026, 12, 4, 10))["escalate_3"] == 0


def test_reminders_stop_when_the_request_moves_on(org, working):
    services.task_finish(task=working, by=org.assignee)
    sent = sweep(at(2026, 12, 4, 9, 30))
    assert sent["overdue"] == sent["escalate_1"] == sent["escalate_3"] == 0


def test_a_resumed_hold_opens_a_new_due_window(org, working):
    sweep(at(2026, 12, 1, 9, 5))
    with time_machine.travel(at(2026, 12, 1, 10), tick=False):
        services.task_hold(task=working, by=org.assignee, reason="waiting_other", waiting_on=org.hr)
    with time_machine.travel(at(2026, 12, 2, 10), tick=False):
        services.task_resume(task=working, by=org.assignee)
    working.refresh_from_db()
    assert working.due_at == at(2026, 12, 1, 18)  # moved by the 8 working hours held
    assert sweep(at(2026, 12, 2, 10, 30))["overdue"] == 1


def test_slow_approval_reminds_the_approver_then_escalates(org, purchase, file_request):
    with time_machine.travel(at(2026, 11, 30, 9), tick=False):
        task = file_request(purchase)  # the step has 4 working hours
    assert sweep(at(2026, 11, 30, 11, 30))["approval_overdue"] == 0
    assert sweep(at(2026, 11, 30, 14, 5))["approval_overdue"] == 1
    assert kinds(org.sales_head) == ["approval_overdue"]
    assert sweep(at(2026, 12, 1, 14, 5))["approval_escalate"] == 1
    assert kinds(org.leader) == ["escalation"]  # the head above 销售部's head
    services.task_approve(task=task, by=org.sales_head)


def test_slow_acceptance_reminds_the_managers_then_the_head_above(org, support, file_request):
    with time_machine.travel(at(2026, 11, 30, 9), tick=False):
        file_request(support)  # 2 working hours to accept
    assert sweep(at(2026, 11, 30, 11, 5))["accept_overdue"] == 1
    assert "accept_overdue" in kinds(org.purchasing_head)
    assert sweep(at(2026, 12, 1, 11, 5))["accept_escalate"] == 1
    assert kinds(org.leader) == ["escalation"]


def test_stale_work_gets_a_nudge(org, purchase, file_request):
    with time_machine.travel(at(2026, 11, 30, 9), tick=False):
        task = file_request(purchase)
        services.task_approve(task=task, by=org.sales_head)
        services.task_accept(task=task, by=org.purchasing_head, assignee=org.assignee)  # due in 16 h
        services.task_progress(task=task, by=org.assignee, percent=10)
    assert sweep(at(2026, 12, 2, 17))["stale"] == 0
    assert sweep(at(2026, 12, 3, 9, 30))["stale"] == 1
    assert sweep(at(2026, 12, 3, 10))["stale"] == 0


def test_unverified_results_close_themselves_after_seven_days(org, working):
    with time_machine.travel(at(2026, 11, 30, 10), tick=False):
        services.task_finish(task=working, by=org.assignee)
    assert sweep(at(2026, 12, 7, 9, 30))["auto_closed"] == 0
    assert sweep(at(2026, 12, 7, 10, 30))["auto_closed"] == 1
    working.refresh_from_db()
    assert working.state == "done"
    log = working.logs.last()
    assert log.actor is None and "7" in log.comment


def test_reminder_email_follows_preferences(org, working):
    NotificationPreference.objects.create(user=org.assignee, email_kinds=["assigned"])
    sweep(at(2026, 11, 30, 10))
    assert not Delivery.objects.filter(recipient=org.assignee, kind="due_soon").exists()
    sweep(at(2026, 12, 1, 9, 5))
    assert not Delivery.objects.filter(recipient=org.assignee, kind="overdue").exists()
    assert not Delivery.objects.filter(recipient=org.purchasing_head, kind="escalation").exists()  # not yet


# Weekly summaries (the daily digest: tests/notifications/test_digests.py)


def test_weekly_summary_on_monday(org, support, file_request):
    with time_machine.travel(at(2026, 11, 24, 9), tick=False):
        task = file_request(support)
        services.task_accept(task=task, by=org.purchasing_head, assignee=org.assignee)
        services.task_finish(task=task, by=org.assignee)
        services.task_confirm(task=task, by=org.requester)
        file_request(support)
    with time_machine.travel(at(2026, 11, 30, 8), tick=False):
        assert reminders.send_weekly_summaries() == 0
    with time_machine.travel(at(2026, 11, 30, 9, 10), tick=False):
        reminders.send_weekly_summaries()
        reminders.send_weekly_summaries()
    summary = Delivery.objects.get(kind="weekly", recipient=org.purchasing_head)
    assert "2" in summary.body and "100%" in summary.body


# What a sweep costs


def test_a_sweeps_queries_do_not_grow_with_the_due_requests(org, support, purchase, file_request):
    """Each kind's due requests are reminded in one batch: their recipients, notices and outbox rows
    are read and written per batch, so five and fifty of each kind cost the same queries, and
    everyone still hears of each request exactly once."""
    from django.core.cache import cache
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from notifications.models import ImRobot

    ImRobot.objects.create(name="群", department=org.purchasing, kind="wecom", url="http://127.0.0.1:9/hook")

    def due_requests(n, filed_on):
        with time_machine.travel(filed_on, tick=False):
            for _i in range(n):
                services.task_accept(task=file_request(support), by=org.purchasing_head, assignee=org.assignee)
                file_request(support)  # left unaccepted
                file_request(purchase)  # left unapproved

    managers = len(services.managers_of(org.purchasing))
    counts = {}
    for n, filed_on, swept_on in (
        (5, at(2026, 11, 30, 9), at(2026, 12, 4, 9, 30)),
        (50, at(2026, 12, 7, 9), at(2026, 12, 11, 9, 30)),
    ):
        due_requests(n, filed_on)
        overdue_before = Notification.objects.filter(recipient=org.assignee, kind="overdue").count()
        notices_before = Notification.objects.count()
        cache.clear()  # both sweeps read the calendars and IM apps afresh (entries expire as time travels)
        with CaptureQueriesContext(connection) as queries:
            sent = sweep(swept_on)
        expected = {kind: n for kind in reminders.MESSAGES if kind != "due_soon"}
        assert {kind: sent[kind] for kind in expected} == expected
        assert Notification.objects.filter(recipient=org.assignee, kind="overdue").count() - overdue_before == n
        # Per request: the assignee (overdue, stale), the managers (escalate_1, accept_overdue), the
        # head above (escalate_3, accept_escalate, approval_escalate) and the approver.
        assert Notification.objects.count() - notices_before == n * (6 + 2 * managers)
        assert Delivery.objects.filter(channel="webhook", kind="escalation").count() == (5 if n == 5 else 55)
        inserts = sum(q["sql"].startswith("INSERT") for q in queries.captured_queries)
        counts[n] = (len(queries) - inserts, inserts)
    if connection.vendor == "sqlite":
        # SQLite caps a statement's parameters, so Django splits a large bulk insert in two.
        assert counts[5][0] == counts[50][0] and counts[50][1] - counts[5][1] <= 2, counts
    else:
        assert counts[5] == counts[50], counts
