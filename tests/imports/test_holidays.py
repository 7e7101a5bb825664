"""The year's official holidays and 调休 days from chinesecalendar, saved into the working calendar
that the working-hours math reads."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from departments.models import CalendarDay
from departments.selectors import working_calendar
from imports import holidays

pytestmark = pytest.mark.django_db
SHANGHAI = ZoneInfo("Asia/Shanghai")


def test_the_year_lists_holidays_and_make_up_workdays(db):
    days = {day.date: day for day in holidays.official_days(2026)}
    assert days[date(2026, 2, 16)].kind == CalendarDay.Kind.HOLIDAY
    assert days[date(2026, 2, 16)].name == "春节"
    assert days[date(2026, 2, 14)].kind == CalendarDay.Kind.WORKDAY  # a Saturday worked for the Spring Festival
    assert days[date(2026, 2, 14)].name == "春节调休"
    assert days[date(2026, 10, 1)].name == "国庆节"
    assert date(2026, 3, 7) not in days  # a plain Saturday is neither


def test_import_twice_adds_nothing_twice_and_keeps_the_admins_days(db):
    CalendarDay.objects.create(date=date(2026, 6, 1), kind=CalendarDay.Kind.HOLIDAY, name="公司日")
    CalendarDay.objects.create(date=date(2026, 10, 1), kind=CalendarDay.Kind.HOLIDAY, name="国庆")
    first = holidays.holidays_import(year=2026)
    count = CalendarDay.objects.count()
    assert first["updated"] == 1 and first["added"] == count - 2
    assert CalendarDay.objects.get(date=date(2026, 10, 1)).name == "国庆节"
    assert CalendarDay.objects.get(date=date(2026, 6, 1)).name == "公司日"
    again = holidays.holidays_import(year=2026)
    assert again == {"added": 0, "updated": 0, "unchanged": first["added"] + first["updated"]}
    assert CalendarDay.objects.count() == count


def test_the_working_hours_math_skips_the_imported_holidays_and_counts_the_make_up_saturday(db):
    before = working_calendar()
    friday = datetime(2026, 2, 13, 17, tzinfo=SHANGHAI)
    # Without the official days, 2 working hours from Friday 17:00 end on Monday the 16th.
    assert before.add_working_hours(friday, 2) == datetime(2026, 2, 16, 10, tzinfo=SHANGHAI)
    holidays.holidays_import(year=2026)
    calendar = working_calendar()
    # The Saturday before the Spring Festival is worked (调休).
    assert calendar.add_working_hours(friday, 2) == datetime(2026, 2, 14, 10, tzinfo=SHANGHAI)
    # After it the festival (15th to 23rd) is skipped: work resumes on Tuesday the 24th.
    saturday_evening = datetime(2026, 2, 14, 17, tzinfo=SHANGHAI)
    assert calendar.add_working_hours(saturday_evening, 2) == datetime(2026, 2, 24, 10, tzinfo=SHANGHAI)
    assert calendar.working_hours_between(friday, datetime(2026, 2, 24, 10, tzinfo=SHANGHAI)) == 1 + 8 + 1


def test_a_year_the_package_does_not_know_is_refused_with_a_message(db):
    _first, last = holidays.years_available()
    later = max(last, timezone.localdate().year + 1) + 1
    with pytest.raises(holidays.HolidaysUnavailable, match=str(later)):
        holidays.official_days(later)
    assert not CalendarDay.objects.exists()


def test_next_year_before_its_plan_is_published_gives_the_statutory_holidays(db):
    """Next year's Spring Festival is skipped by the working-hours math even before the State
    Council's plan reaches the holiday data; the page says the make-up workdays are missing."""
    year = timezone.localdate().year + 1
    if year <= holidays.years_available()[1]:
        pytest.skip("the installed holiday data already has next year's plan")
    assert holidays.provisional(year) and not holidays.provisional(year, "DE")
    days = holidays.official_days(year)
    assert days and all(day.kind == CalendarDay.Kind.HOLIDAY for day in days)
    assert any(day.date == date(year, 1, 1) for day in days)
    holidays.holidays_import(year=year)
    calendar = working_calendar()
    assert not calendar.is_working_day(date(year, 1, 1))
    festival = [day.date for day in days if "春节" in day.name and day.date.weekday() < 5]
    assert festival and not any(calendar.is_working_day(day) for day in festival)


def test_another_countrys_holidays_by_its_rules(db):
    days = {day.date: day for day in holidays.official_days(2027, "DE")}
    assert days[date(2027, 3, 26)].kind == CalendarDay.Kind.HOLIDAY  # Good Friday
    assert all(day.kind == CalendarDay.Kind.HOLIDAY for day in days.values())
    holidays.holidays_import(year=2027, country="DE")
    assert not working_calendar().is_working_day(date(2027, 3, 26))
    with pytest.raises(holidays.HolidaysUnavailable):
        holidays.official_days(2027, "XX")
