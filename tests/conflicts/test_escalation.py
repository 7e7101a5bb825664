"""Deadlines in working days on the organisation's calendar, and the beat task that escalates a
conflict by itself when a level's deadline passes (idempotent, row-locked)."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection

from conflicts import services
from conflicts.models import Conflict, ConflictAction, ConflictSettings
from conflicts.tasks import escalate_conflicts
from departments.models import CalendarDay
from notifications.models import Notification

SH = ZoneInfo("Asia/Shanghai")
S = Conflict.State


def at(*args):
    return datetime(*args, tzinfo=SH)


def raise_at(moment, raise_conflict):
    with time_machine.travel(moment, tick=False):
        return raise_conflict()


def test_deadline_counts_working_days(org, raise_conflict):
    ConflictSettings.objects.filter(pk=1).update(negotiation_days=3)
    # Wednesday 10:00 + 3 working days (8 h each) = next Monday 10:00 (the weekend does not count)
    conflict = raise_at(at(2026, 9, 23, 10, 0), raise_conflict)
    assert conflict.deadline_at == at(2026, 9, 28, 10, 0)


def test_a_deadline_over_a_holiday_moves(org, raise_conflict):
    for day in range(1, 8):  # 国庆节
        CalendarDay.objects.create(date=date(2026, 10, day), kind=CalendarDay.Kind.HOLIDAY, name="国庆节")
    CalendarDay.objects.create(date=date(2026, 10, 10), kind=CalendarDay.Kind.WORKDAY, name="国庆节调休")
    ConflictSettings.objects.filter(pk=1).update(negotiation_days=3)
    conflict = raise_at(at(2026, 9, 30, 10, 0), raise_conflict)
    # 9-30 has 7 h left, 10-08 and 10-09 give 16, the make-up Saturday 10-10 the last hour
    assert conflict.deadline_at == at(2026, 10, 10, 10, 0)


def test_beat_escalates_at_the_deadline_once_and_tells_the_new_holder(org, chair, raise_conflict):
    ConflictSettings.objects.filter(pk=1).update(negotiation_days=1, mediation_days=2)
    conflict = raise_at(at(2026, 9, 23, 10, 0), raise_conflict)
    assert conflict.deadline_at == at(2026, 9, 24, 10, 0)
    with time_machine.travel(at(2026, 9, 24, 9, 59), tick=False):
        assert services.escalate_due() == 0
    assert Conflict.objects.get(pk=conflict.pk).state == S.NEGOTIATION
    with time_machine.travel(at(2026, 9, 24, 10, 0), tick=False):
        escalate_conflicts.delay()  # the beat task (eager in tests)
        assert services.escalate_due() == 0  # a second sweep finds nothing to do
        assert services.conflict_auto_escalate(conflict_id=conflict.pk) is False
    conflict = Conflict.objects.get(pk=conflict.pk)
    assert conflict.state == S.MEDIATION and conflict.mediator == org.leader
    assert conflict.deadline_at == at(2026, 9, 28, 10, 0)  # two working days, over the weekend
    log = conflict.logs.get(action=ConflictAction.AUTO_ESCALATED)
    assert log.actor is None and (log.from_state, log.to_state) == ("negotiation", "mediation")
    told = Notification.objects.filter(recipient=org.leader, kind="conflict.escalated").get()
    assert told.link == f"/conflicts/{conflict.pk}/"
    with time_machine.travel(at(2026, 9, 28, 10, 0), tick=False):
        assert services.escalate_due() == 1
    conflict = Conflict.objects.get(pk=conflict.pk)
    assert conflict.state == S.ARBITRATION and conflict.arbiter == chair
    assert Notification.objects.filter(recipient=chair, kind="conflict.escalated").count() == 1
    with time_machine.travel(at(2026, 12, 1, 10, 0), tick=False):
        assert services.escalate_due() == 0  # arbitration is the top: nothing above it…
        services.escalate_due()
    assert Conflict.objects.get(pk=conflict.pk).state == S.ARBITRATION
    # …but the arbiter is told, once, that the parties are waiting
    assert Notification.objects.filter(recipient=chair, kind="conflict.overdue").count() == 1


def test_settled_or_withdrawn_conflicts_never_escalate(org, raise_conflict):
    ConflictSettings.objects.filter(pk=1).update(negotiation_days=1)
    conflict = raise_at(at(2026, 9, 23, 10, 0), raise_conflict)
    with time_machine.travel(at(2026, 9, 23, 11, 0), tick=False):
        services.conflict_withdraw(conflict=conflict, by=org.requester, text="撤回")
    with time_machine.travel(at(2026, 10, 30, 10, 0), tick=False):
        assert services.escalate_due() == 0
        assert services.conflict_auto_escalate(conflict_id=conflict.pk) is False
    assert Conflict.objects.get(pk=conflict.pk).state == S.WITHDRAWN


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks under real concurrency need PostgreSQL")
def test_two_workers_escalate_a_conflict_once(org, chair, raise_conflict):
    from tests.tasks.test_concurrency import race

    ConflictSettings.objects.filter(pk=1).update(negotiation_days=1)
    conflict = raise_at(at(2026, 9, 23, 10, 0), raise_conflict)
    now = at(2026, 9, 25, 10, 0)
    results = race(
        lambda: services.conflict_auto_escalate(conflict_id=conflict.pk, now=now),
        lambda: services.conflict_auto_escalate(conflict_id=conflict.pk, now=now),
    )
    assert sorted(results) == [False, True]
    assert conflict.logs.filter(action=ConflictAction.AUTO_ESCALATED).count() == 1


def test_the_new_holder_who_chose_email_for_conflicts_gets_one(org, chair, raise_conflict):
    from notifications import kinds
    from notifications.models import Delivery, NotificationPreference

    assert kinds.group("conflict.escalated") == "conflicts"
    org.leader.email = "leader@example.com"
    org.leader.save()
    NotificationPreference.objects.update_or_create(user=org.leader, defaults={"email_kinds": ["conflicts"]})
    conflict = raise_conflict()
    services.conflict_escalate(conflict=conflict, by=org.sales_head, text="协商失败")
    mail = Delivery.objects.get(recipient=org.leader, channel=Delivery.Channel.EMAIL)
    assert mail.kind == "conflict.escalated" and f"/conflicts/{conflict.pk}/" in mail.body
