"""Working-hours math: weekends, holidays, make-up workdays, midnight, year end."""

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from core.workhours import WorkingCalendar

SH = ZoneInfo("Asia/Shanghai")


def at(y, m, d, hh=0, mm=0):
    return datetime(y, m, d, hh, mm, tzinfo=SH)


@pytest.fixture
def cal():
    # 2026 National Day: 1–7 October off, Sunday 20 Sep and Saturday 10 Oct worked.
    holidays = {date(2026, 10, d) for d in range(1, 8)} | {date(2027, 1, 1)}
    workdays = {date(2026, 9, 20), date(2026, 10, 10)}
    return WorkingCalendar(holidays=frozenset(holidays), workdays=frozenset(workdays))


def test_eight_hour_day(cal):
    assert cal.hours_per_day == 8


def test_within_one_morning(cal):
    assert cal.add_working_hours(at(2026, 11, 30, 9), 2) == at(2026, 11, 30, 11)


def test_lunch_break_is_skipped(cal):
    assert cal.add_working_hours(at(2026, 11, 30, 11), 2) == at(2026, 11, 30, 14)


def test_start_before_work_counts_from_opening(cal):
    assert cal.add_working_hours(at(2026, 11, 30, 6, 30), 1) == at(2026, 11, 30, 10)


def test_weekend_is_skipped(cal):
    # Friday 27 Nov 2026, 17:00 + 2 h → Monday 30 Nov, 10:00
    assert cal.add_working_hours(at(2026, 11, 27, 17), 2) == at(2026, 11, 30, 10)


def test_crossing_midnight_from_late_evening(cal):
    # Tuesday 23:30 is outside work: 1 h lands Wednesday 10:00
    assert cal.add_working_hours(at(2026, 12, 1, 23, 30), 1) == at(2026, 12, 2, 10)
    assert cal.working_hours_between(at(2026, 12, 1, 17), at(2026, 12, 2, 10)) == 2


def test_holiday_week_is_skipped(cal):
    # Wednesday 30 Sep 17:00 + 2 h: 1 h that day, then 1–7 Oct off, Thu 8 Oct 10:00
    assert cal.add_working_hours(at(2026, 9, 30, 17), 2) == at(2026, 10, 8, 10)
    assert cal.working_hours_between(at(2026, 9, 30, 9), at(2026, 10, 8, 18)) == 16


def test_makeup_saturday_is_worked(cal):
    # Friday 9 Oct 17:00 + 2 h → Saturday 10 Oct (调休) 10:00
    assert cal.add_working_hours(at(2026, 10, 9, 17), 2) == at(2026, 10, 10, 10)
    assert cal.is_working_day(date(2026, 10, 10))
    assert not cal.is_working_day(date(2026, 10, 11))


def test_makeup_sunday_is_worked(cal):
    assert cal.working_hours_between(at(2026, 9, 20), at(2026, 9, 21)) == 8


def test_year_end(cal):
    # Thursday 31 Dec 2026 16:00 + 4 h: 2 h that day, 1 Jan holiday, Sat/Sun, Mon 4 Jan 11:00
    assert cal.add_working_hours(at(2026, 12, 31, 16), 4) == at(2027, 1, 4, 11)
    assert cal.working_hours_between(at(2026, 12, 31, 16), at(2027, 1, 4, 11)) == 4


def test_many_days(cal):
    # 40 working hours from Monday 9:00 is the whole week: Friday 18:00
    assert cal.add_working_hours(at(2026, 11, 30, 9), 40) == at(2026, 12, 4, 18)


def test_between_is_signed_and_zero_outside_work(cal):
    assert cal.working_hours_between(at(2026, 11, 30, 14), at(2026, 11, 30, 10)) == -3
    assert cal.working_hours_between(at(2026, 11, 28, 9), at(2026, 11, 29, 18)) == 0


def test_add_then_between_round_trip(cal):
    start = at(2026, 9, 29, 15, 17)
    for hours in (0.5, 3, 8, 17.25, 100):
        end = cal.add_working_hours(start, hours)
        assert cal.working_hours_between(start, end) == pytest.approx(hours)


def test_other_time_zone_input(cal):
    # 01:00 UTC is 09:00 in Shanghai
    utc = datetime(2026, 11, 30, 1, 0, tzinfo=ZoneInfo("UTC"))
    assert cal.add_working_hours(utc, 1) == at(2026, 11, 30, 10)


def test_zero_hours_returns_start(cal):
    start = at(2026, 11, 28, 3)
    assert cal.add_working_hours(start, 0) == start
    assert cal.add_working_hours(start, timedelta(0)) == start


def test_bad_inputs():
    with pytest.raises(ValueError):
        WorkingCalendar(periods=((time(12), time(9)),))
    with pytest.raises(ValueError):
        WorkingCalendar(holidays=frozenset({date(2026, 1, 1)}), workdays=frozenset({date(2026, 1, 1)}))
    cal = WorkingCalendar()
    with pytest.raises(ValueError):
        cal.add_working_hours(datetime(2026, 1, 1, 9), 1)  # naive
    with pytest.raises(ValueError):
        cal.add_working_hours(at(2026, 1, 1, 9), -1)
    never = WorkingCalendar(weekdays=frozenset())
    with pytest.raises(ValueError):
        never.add_working_hours(at(2026, 1, 1, 9), 1)


def test_subtract_is_the_inverse_of_add(cal):
    # Thursday 8 Oct 10:00 minus 2 h: 1 h that morning, 1–7 Oct off, so 30 Sep 17:00.
    assert cal.subtract_working_hours(at(2026, 10, 8, 10), 2) == at(2026, 9, 30, 17)
    assert cal.subtract_working_hours(at(2026, 11, 30, 9), 1) == at(2026, 11, 27, 17)  # Monday opening
    assert cal.subtract_working_hours(at(2026, 11, 30, 14), 2) == at(2026, 11, 30, 11)  # over lunch
    for hours in (0.25, 3, 8, 19.5, 60):
        end = at(2026, 10, 12, 15, 40)
        start = cal.subtract_working_hours(end, hours)
        assert cal.working_hours_between(start, end) == pytest.approx(hours)
