"""The sweep reads only what may newly be due: the rows falling due since its mark and the rows
changed since the previous sweep; the first sweep of each day reads everything again. Nothing is
lost (a reopened request, a due moment moved, a day without beat, a batch cut short) and nothing
goes out twice."""

from datetime import date

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from notifications.models import Notification
from tasks import reminders, services
from tasks.models import Reason, Reminder, SweepMark, Task
from tests.tasks.test_reminders import at, sweep

pytestmark = pytest.mark.django_db


def reminded(task, kind):
    return Reminder.objects.filter(task=task, kind=kind).count()


@pytest.fixture
def accept(org, support, file_request):
    """A 咨询 accepted at `moment`: due 8 working hours later."""

    def make(moment):
        with time_machine.travel(moment, tick=False):
            task = file_request(support)
            services.task_accept(task=task, by=org.purchasing_head, assignee=org.assignee)
        return Task.objects.get(pk=task.pk)

    return make


def test_a_request_reopened_past_its_due_moment_gets_its_overdue_reminder(org, accept):
    """Finished before its due moment, reopened after it: its due moment lies below the mark the
    sweeps of the day have covered, so only reading the changed rows finds it."""
    task = accept(at(2026, 11, 30, 9))  # due Monday 18:00
    with time_machine.travel(at(2026, 11, 30, 17), tick=False):
        services.task_finish(task=task, by=org.assignee)
    assert sweep(at(2026, 12, 1, 9, 5))["overdue"] == 0  # the day's full sweep: waiting for verification
    assert sweep(at(2026, 12, 1, 9, 30))["overdue"] == 0
    assert SweepMark.objects.get(kind="overdue").covered_until == at(2026, 12, 1, 9, 30)
    with time_machine.travel(at(2026, 12, 1, 10), tick=False):
        services.task_reopen(task=task, by=org.requester, reason=Reason.QUALITY)
    assert sweep(at(2026, 12, 1, 10, 5))["overdue"] == 1
    assert reminded(task, "overdue") == 1
    assert sweep(at(2026, 12, 1, 10, 10))["overdue"] == 0


def test_a_due_moment_moved_earlier_or_later_gets_its_reminder(org, accept):
    task = accept(at(2026, 12, 1, 9))  # due Tuesday 18:00
    assert sweep(at(2026, 12, 1, 10))["overdue"] == 0
    with time_machine.travel(at(2026, 12, 1, 10, 1), tick=False):
        row = Task.objects.get(pk=task.pk)
        row.due_at = at(2026, 12, 1, 9, 30)  # earlier: already past, below the mark
        row.save()
    assert sweep(at(2026, 12, 1, 10, 5))["overdue"] == 1
    with time_machine.travel(at(2026, 12, 1, 10, 6), tick=False):
        row.due_at = at(2026, 12, 1, 9, 45)  # later, yet still past and below the mark: a new window
        row.save()
    assert sweep(at(2026, 12, 1, 10, 10))["overdue"] == 1
    with time_machine.travel(at(2026, 12, 1, 10, 11), tick=False):
        row.due_at = at(2026, 12, 1, 11)  # later, ahead: due when the sweeps reach it
        row.save()
    assert sweep(at(2026, 12, 1, 10, 15))["overdue"] == 0
    assert sweep(at(2026, 12, 1, 11, 5))["overdue"] == 1
    assert sorted(Reminder.objects.filter(task=task, kind="overdue").values_list("due_at", flat=True)) == [
        at(2026, 12, 1, 9, 30),
        at(2026, 12, 1, 9, 45),
        at(2026, 12, 1, 11),
    ]


def test_two_sweeps_in_a_row_send_nothing_twice(org, accept):
    accept(at(2026, 11, 30, 9))
    first = sweep(at(2026, 12, 2, 9, 30))
    assert (first["overdue"], first["escalate_1"]) == (1, 1)
    notices = Notification.objects.count()
    for moment in (at(2026, 12, 2, 9, 30), at(2026, 12, 2, 9, 35), at(2026, 12, 2, 9, 35)):
        again = sweep(moment)
        assert sum(n for kind, n in again.items() if kind in reminders.MESSAGES) == 0
    assert Notification.objects.count() == notices


def test_a_sweep_after_a_day_without_beat_catches_up_through_its_ranges(org, accept):
    """The beat stopped after Monday 10:00 and came back on Wednesday: the rows that fell due
    meanwhile are in the range past the marks, even without the day's full sweep."""
    task = accept(at(2026, 11, 30, 9))  # due Monday 18:00
    assert sweep(at(2026, 11, 30, 10))["due_soon"] == 1
    SweepMark.objects.update(full_on=date(2026, 12, 2))  # as if Wednesday's full sweep had run
    sent = sweep(at(2026, 12, 2, 9, 30))
    assert (sent["overdue"], sent["escalate_1"], sent["escalate_3"]) == (1, 1, 0)
    assert reminded(task, "overdue") == reminded(task, "escalate_1") == 1


def test_a_batch_cut_short_goes_on_at_the_next_sweep(org, accept, monkeypatch):
    """Five rows due at the same moment and two more after, two rows a run: each run goes on where
    the last stopped, rows sharing the due moment where the cut fell included."""
    monkeypatch.setattr(reminders, "BATCH", 2)
    tasks = [accept(at(2026, 11, 30, 9)) for _ in range(5)] + [accept(at(2026, 11, 30, 9, 30)) for _ in range(2)]
    counts = [sweep(at(2026, 12, 1, 9, 30))["overdue"] for _ in range(5)]
    assert counts == [2, 2, 2, 1, 0]
    assert [reminded(task, "overdue") for task in tasks] == [1] * 7
    # The runs after the first are not the day's full sweep: they went on from the marks.
    assert SweepMark.objects.get(kind="overdue").covered_until == at(2026, 12, 1, 9, 30)


def _due_queries(queries) -> list[str]:
    """The due queries: the rows locked and checked against the reminders already sent."""
    return [q["sql"] for q in queries.captured_queries if "NOT EXISTS" in q["sql"] and '"tasks_reminder"' in q["sql"]]


def test_a_nothing_due_sweep_reads_ranges_whatever_the_rows_past_due(org, accept):
    """With 5 or 50 requests long overdue and reminded, a sweep with nothing new due runs the same
    queries, each due query bounded below by the mark (or the changes since the last sweep); a
    reminder lost from the table is not looked for again until the next day's full sweep, which
    sends it (the proof that the ranges, not the whole table, are read)."""
    counts, due_sql = {}, {}
    for n, accepted, swept in ((5, at(2026, 11, 30, 9), (2026, 12, 4)), (50, at(2026, 12, 7, 9), (2026, 12, 11))):
        for _ in range(n):
            accept(accepted)
        sweep(at(*swept, 9, 30))  # the day's full sweep: every reminder due is sent
        with CaptureQueriesContext(connection) as queries:
            sent = sweep(at(*swept, 9, 35))
        assert sum(v for kind, v in sent.items() if kind in reminders.MESSAGES) == 0
        counts[n] = len(queries)
        due_sql[n] = _due_queries(queries)
    assert counts[5] == counts[50], counts
    assert len(due_sql[50]) == len(reminders.MESSAGES)
    for sql in due_sql[50]:
        assert '"tasks_task"."updated_at" >' in sql, sql
        assert any(f'"tasks_task"."{field}" >' in sql for field in ("due_at", "approval_due_at", "accept_due_at")) or (
            'COALESCE("tasks_task"."last_progress_at", "tasks_task"."accepted_at") >' in sql
        ), sql

    lost = Task.objects.filter(state="in_progress").order_by("pk").first()
    Reminder.objects.filter(task=lost, kind="overdue").delete()
    assert sweep(at(2026, 12, 11, 9, 40))["overdue"] == 0  # below the mark, unchanged: not read
    assert sweep(at(2026, 12, 14, 9, 30))["overdue"] == 1  # Monday's first sweep reads everything
    assert reminded(lost, "overdue") == 1


def test_a_step_saving_some_fields_stamps_the_change(org, purchase, file_request):
    """加签 before oneself saves only the step's due moment and calendar (update_fields): the step
    helper saves the request's updated_at with them, so the sweep's reading of the changed rows
    sees the step's new clock."""
    with time_machine.travel(at(2026, 11, 30, 9), tick=False):
        task = file_request(purchase)
    with time_machine.travel(at(2026, 11, 30, 13, 10), tick=False):
        services.task_add_approver(
            task=task, by=org.sales_head, person=org.leader, position="before", comment="请总经理先看"
        )
    assert Task.objects.get(pk=task.pk).updated_at == at(2026, 11, 30, 13, 10)


def test_unverified_results_close_in_one_batch(org, accept):
    """Closing results left unverified is one batch, like the reminders: 3 or 12 cost the same
    queries, each is logged as the verifier's step would be and both people are told."""
    from django.core.cache import cache

    counts = {}
    for n, finished, closing in (
        (3, at(2026, 11, 30, 10), at(2026, 12, 8, 10)),
        (12, at(2026, 12, 1, 10), at(2026, 12, 9, 10)),
    ):
        tasks = [accept(at(2026, 11, 30, 9)) for _ in range(n)]
        with time_machine.travel(finished, tick=False):
            for task in tasks:
                services.task_finish(task=task, by=org.assignee)
        cache.clear()
        with time_machine.travel(closing, tick=False), CaptureQueriesContext(connection) as queries:
            assert reminders.auto_close(closing) == n
        counts[n] = len(queries)
        for task in Task.objects.filter(pk__in=[t.pk for t in tasks]):
            assert (task.state, task.closed_at, task.updated_at) == ("done", closing, closing)
            log = task.logs.last()
            assert (log.actor, log.from_state, log.to_state, log.action) == (
                None,
                "pending_verification",
                "done",
                "task.confirmed",
            )
        assert (
            Notification.objects.filter(
                recipient=org.requester, kind="auto_closed", link__in=[t.get_absolute_url() for t in tasks]
            ).count()
            == n
        )
    assert counts[3] == counts[12], counts
    assert reminders.auto_close(at(2026, 12, 9, 10, 5)) == 0


def test_a_department_regrouped_by_its_own_calendar_is_read_whole_again(org, accept):
    """采购部 gets a day of its own: its requests leave the organisation's grouping for a new one,
    with no mark yet, so the next sweep reads all of that grouping's due rows, whatever the marks
    of the grouping it left said."""
    from departments.models import CalendarDay

    task = accept(at(2026, 11, 30, 9))
    assert sweep(at(2026, 12, 1, 9, 5))["overdue"] == 1
    Reminder.objects.filter(task=task, kind="overdue").delete()
    assert sweep(at(2026, 12, 1, 9, 30))["overdue"] == 0  # below the mark: not read again today
    CalendarDay.objects.create(date=date(2026, 12, 25), kind="holiday", department=org.purchasing)
    assert sweep(at(2026, 12, 1, 9, 35))["overdue"] == 1
    # The organisation's grouping changed too (it leaves 采购部 out now): two new marks beside the old.
    assert SweepMark.objects.filter(kind="overdue").count() == 3
