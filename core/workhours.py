"""Working-hours arithmetic: "add N working hours to a moment" and "working time
between two moments", honouring the weekly rhythm, public holidays and make-up
workdays (调休).

Pure code over a `WorkingCalendar` value, so it is fast to test and has no
database access; `departments.selectors.working_calendar()` builds one from the
admin's configuration. Working periods never cross midnight.
"""

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

# A calendar with no working day at all would make add_working_hours loop for
# ever; no real organisation goes this long without one.
MAX_SEARCH_DAYS = 3660


@dataclass(frozen=True)
class WorkingCalendar:
    """The organisation's working time, in its own time zone."""

    periods: tuple[tuple[time, time], ...] = ((time(9), time(12)), (time(13), time(18)))
    weekdays: frozenset[int] = frozenset({1, 2, 3, 4, 5})  # ISO weekdays, Monday=1
    holidays: frozenset[date] = field(default_factory=frozenset)
    workdays: frozenset[date] = field(default_factory=frozenset)  # make-up workdays
    tz: ZoneInfo = ZoneInfo("Asia/Shanghai")

    def __post_init__(self) -> None:
        if not self.periods:
            raise ValueError("A working calendar needs at least one working period.")
        previous_end = None
        for start, end in self.periods:
            if not start < end:
                raise ValueError(f"Working period {start}–{end} ends before it starts.")
            if previous_end is not None and start < previous_end:
                raise ValueError("Working periods overlap or are out of order.")
            previous_end = end
        if self.holidays & self.workdays:
            raise ValueError("A day cannot be both a holiday and a make-up workday.")

    @property
    def hours_per_day(self) -> float:
        return sum(_seconds(start, end) for start, end in self.periods) / 3600

    def is_working_day(self, day: date) -> bool:
        if day in self.holidays:
            return False
        if day in self.workdays:
            return True
        return day.isoweekday() in self.weekdays

    def _local(self, moment: datetime) -> datetime:
        if moment.tzinfo is None:
            raise ValueError("Working-hours math needs time-zone-aware datetimes.")
        return moment.astimezone(self.tz)

    def _day_periods(self, day: date) -> Iterable[tuple[datetime, datetime]]:
        for start, end in self.periods:
            yield datetime.combine(day, start, self.tz), datetime.combine(day, end, self.tz)

    def is_working_moment(self, moment: datetime) -> bool:
        local = self._local(moment)
        if not self.is_working_day(local.date()):
            return False
        return any(start <= local < end for start, end in self._day_periods(local.date()))

    def add_working_hours(self, start: datetime, hours: float | int | timedelta) -> datetime:
        """The moment `hours` working hours after `start` (an aware datetime).

        Adding zero returns `start`. Time outside working periods does not
        count, so 2 hours from Friday 17:00 is Monday 10:00 on a 9–18 calendar.
        """
        remaining = hours if isinstance(hours, timedelta) else timedelta(hours=hours)
        if remaining < timedelta(0):
            raise ValueError("Cannot add a negative number of working hours.")
        cursor = self._local(start)
        if remaining == timedelta(0):
            return start
        day = cursor.date()
        for _ in range(MAX_SEARCH_DAYS):
            if self.is_working_day(day):
                for period_start, period_end in self._day_periods(day):
                    if cursor >= period_end:
                        continue
                    begin = max(cursor, period_start)
                    available = period_end - begin
                    if remaining <= available:
                        return begin + remaining
                    remaining -= available
                    cursor = period_end
            day += timedelta(days=1)
        raise ValueError("No working time found within ten years; check the working calendar.")

    def subtract_working_hours(self, end: datetime, hours: float | int | timedelta) -> datetime:
        """The latest moment that lies `hours` working hours before `end` (the inverse of add)."""
        remaining = hours if isinstance(hours, timedelta) else timedelta(hours=hours)
        if remaining < timedelta(0):
            raise ValueError("Cannot subtract a negative number of working hours.")
        cursor = self._local(end)
        if remaining == timedelta(0):
            return end
        day = cursor.date()
        for _ in range(MAX_SEARCH_DAYS):
            if self.is_working_day(day):
                for period_start, period_end in reversed(list(self._day_periods(day))):
                    if cursor <= period_start:
                        continue
                    finish = min(cursor, period_end)
                    available = finish - period_start
                    if remaining <= available:
                        return finish - remaining
                    remaining -= available
                    cursor = period_start
            day -= timedelta(days=1)
        raise ValueError("No working time found within ten years; check the working calendar.")

    def working_time_between(self, start: datetime, end: datetime) -> timedelta:
        """Working time from `start` to `end`; negative when `end` is earlier."""
        start_local, end_local = self._local(start), self._local(end)
        if end_local < start_local:
            return -self.working_time_between(end, start)
        total = timedelta(0)
        day = start_local.date()
        while day <= end_local.date():
            if self.is_working_day(day):
                for period_start, period_end in self._day_periods(day):
                    overlap = min(period_end, end_local) - max(period_start, start_local)
                    if overlap > timedelta(0):
                        total += overlap
            day += timedelta(days=1)
        return total

    def working_hours_between(self, start: datetime, end: datetime) -> float:
        return self.working_time_between(start, end).total_seconds() / 3600


def _seconds(start: time, end: time) -> int:
    return (end.hour * 3600 + end.minute * 60 + end.second) - (start.hour * 3600 + start.minute * 60 + start.second)
