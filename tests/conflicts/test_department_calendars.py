"""A conflict level's deadline counts on the calendar of whoever owes it: negotiation, every party
(the level ends when the last party's working days do); mediation, the mediator's department."""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine

from conflicts import services
from conflicts.models import Conflict, ConflictSettings
from departments.models import CalendarDay

SH = ZoneInfo("Asia/Shanghai")
pytestmark = pytest.mark.django_db


def at(*args):
    return datetime(*args, tzinfo=SH)


def close(department, first: date, days: int) -> None:
    for offset in range(days):
        CalendarDay.objects.create(date=first + timedelta(offset), kind="holiday", department=department)


def test_negotiation_ends_when_the_last_partys_working_days_do(org, raise_conflict):
    ConflictSettings.objects.filter(pk=1).update(negotiation_days=1)
    with time_machine.travel(at(2026, 9, 23, 10), tick=False):
        assert raise_conflict().deadline_at == at(2026, 9, 24, 10)
    close(org.purchasing, date(2026, 9, 24), 1)  # one party is off on Thursday
    with time_machine.travel(at(2026, 9, 23, 10), tick=False):
        assert raise_conflict(subject="另一争议").deadline_at == at(2026, 9, 25, 10)
    close(org.hr, date(2026, 9, 23), 10)  # not a party: nothing moves
    with time_machine.travel(at(2026, 9, 23, 10), tick=False):
        assert raise_conflict(subject="第三个争议").deadline_at == at(2026, 9, 25, 10)


def test_mediation_counts_on_the_mediators_department(org, chair, raise_conflict):
    ConflictSettings.objects.filter(pk=1).update(negotiation_days=1, mediation_days=2)
    close(org.hq, date(2026, 9, 25), 1)  # 公司总部, whose head mediates, is off on Friday
    with time_machine.travel(at(2026, 9, 23, 10), tick=False):
        conflict = raise_conflict()
    with time_machine.travel(at(2026, 9, 24, 10), tick=False):
        assert services.escalate_due() == 1
    conflict = Conflict.objects.get(pk=conflict.pk)
    assert conflict.mediator == org.leader
    assert conflict.deadline_at == at(2026, 9, 29, 10)  # Monday and Tuesday; the organisation's: Monday
