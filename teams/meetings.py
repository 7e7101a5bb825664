"""Meeting occurrences from a team's cadence (python-dateutil rrule) and the working calendar.

Rule for days off: an occurrence that falls on a holiday or weekend of the working calendar
moves to the next working day at the same time (a Monday meeting on 国庆节 is held on the first
working day after it, which may be a 调休 Saturday). If that day already has an occurrence of
the cadence (e.g. a daily cadence), the moved one is dropped instead, so nobody gets two
meetings on one day.
"""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from dateutil.rrule import DAILY, MONTHLY, WEEKLY, rrule, weekdays
from django.utils import timezone

from core.workhours import WorkingCalendar

FREQUENCIES = {"DAILY": DAILY, "WEEKLY": WEEKLY, "MONTHLY": MONTHLY}


@dataclass(frozen=True)
class Occurrence:
    starts_at: datetime
    moved_from: datetime | None = None


def cadence_rule(team, start: date, until: date) -> rrule | None:
    """The team's cadence as an rrule between `start` and `until` (inclusive), or None."""
    if not team.meeting_freq or team.meeting_time is None:
        return None
    tz = timezone.get_default_timezone()
    at = team.meeting_time
    kwargs = {
        "freq": FREQUENCIES[team.meeting_freq],
        "interval": team.meeting_interval or 1,
        "dtstart": datetime.combine(start, time(at.hour, at.minute), tzinfo=tz),
        "until": datetime.combine(until, time(23, 59), tzinfo=tz),
    }
    if team.meeting_weekdays and team.meeting_freq != "MONTHLY":
        kwargs["byweekday"] = [weekdays[int(d)] for d in team.meeting_weekdays]
    elif team.meeting_weekdays:  # monthly: the first such weekday of the month
        kwargs["byweekday"] = [weekdays[int(d)](1) for d in team.meeting_weekdays]
    return rrule(**kwargs)


def occurrences(team, start: date, until: date, calendar: WorkingCalendar) -> list[Occurrence]:
    """Meeting times of the cadence from `start` to `until`, moved off days off (see above)."""
    rule = cadence_rule(team, start, until)
    if rule is None:
        return []
    result: list[Occurrence] = []
    taken: set[date] = set()
    planned = list(rule)
    planned_days = {moment.date() for moment in planned}
    for moment in planned:
        day = moment.date()
        moved_from = None
        if not calendar.is_working_day(day):
            moved_from = moment
            while not calendar.is_working_day(day):
                day += timedelta(days=1)
            if day in planned_days:
                continue
            moment = moment.replace(year=day.year, month=day.month, day=day.day)
        if day in taken or day > until:
            continue
        taken.add(day)
        result.append(Occurrence(moment, moved_from))
    return result


def describe(team) -> str:
    """The cadence in words, e.g. "Weekly on Monday at 10:00"."""
    from django.utils.dates import WEEKDAYS
    from django.utils.translation import gettext as _

    if not team.meeting_freq or team.meeting_time is None:
        return _("No regular meeting")
    days = "、".join(str(WEEKDAYS[int(d)]) for d in team.meeting_weekdays)
    freq = team.get_meeting_freq_display()
    if team.meeting_interval and team.meeting_interval > 1:
        freq = _("every %(n)s periods (%(freq)s)") % {"n": team.meeting_interval, "freq": freq}
    if days:
        return _("%(freq)s on %(days)s at %(time)s") % {
            "freq": freq,
            "days": days,
            "time": team.meeting_time.strftime("%H:%M"),
        }
    return _("%(freq)s at %(time)s") % {"freq": freq, "time": team.meeting_time.strftime("%H:%M")}
