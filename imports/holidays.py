"""The year's official public holidays and make-up workdays (调休), compared with and saved into the
working calendar's days (departments.CalendarDay, still edited in the admin).

Mainland China's come from the `chinesecalendar` package, which carries the State Council's yearly
plan (holidays and the weekends worked in exchange) and knows only the years published. Other
countries' come from the `holidays` package, computed from each country's rules.
"""

from dataclasses import dataclass
from datetime import date, timedelta

import chinese_calendar
import holidays as holiday_rules
from chinese_calendar.constants import Holiday
from django.db import transaction
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from core.actions import log_action
from core.bulk_history import record_bulk
from departments.models import CalendarDay
from departments.selectors import calendars_changed
from imports.models import ImportAction


class HolidaysUnavailable(ValueError):
    """The package has no data for the year (message translated)."""


@dataclass
class OfficialDay:
    date: date
    kind: str  # CalendarDay.Kind
    name: str
    stored: CalendarDay | None = None

    @property
    def status(self) -> str:
        """new · same · differs (a day already listed with another kind or name)."""
        if self.stored is None:
            return "new"
        if self.stored.kind == self.kind and self.stored.name == self.name:
            return "same"
        return "differs"


def _chinese(english: str | None) -> str:
    for holiday in Holiday:
        if holiday.value == english:
            return holiday.chinese
    return english or ""


CHINA = "CN"


def supported_countries() -> list[str]:
    """ISO 3166-1 alpha-2 codes of the countries the `holidays` package knows, with CN first."""
    return [CHINA] + sorted(
        code for code in holiday_rules.list_supported_countries() if len(code) == 2 and code != CHINA
    )


def provisional(year: int, country: str = CHINA) -> bool:
    """Whether mainland China's days for `year` are the statutory holidays by the law's rules rather
    than the State Council's plan: next year's, until `chinesecalendar` publishes its plan."""
    return country == CHINA and year == timezone.localdate().year + 1 and year > years_available()[1]


def official_days(year: int, country: str = CHINA) -> list[OfficialDay]:
    """The year's official days of `country` (mainland China by default), each with the calendar's
    entry for its date, if any. Next year's in China, before its plan is in `chinesecalendar`, are the
    statutory holidays by the `holidays` package's rules, without make-up workdays (`provisional`).
    Raises HolidaysUnavailable when the year or country is unknown."""
    if provisional(year, country):
        days = _elsewhere(year, country)
    else:
        days = _china(year) if country == CHINA else _elsewhere(year, country)
    stored = {entry.date: entry for entry in CalendarDay.objects.filter(date__year=year, department=None)}
    for entry in days:
        entry.stored = stored.get(entry.date)
    return days


def _elsewhere(year: int, country: str) -> list[OfficialDay]:
    if country not in supported_countries():
        raise HolidaysUnavailable(_("No holiday data for the country “%(country)s”.") % {"country": country})
    languages = holiday_rules.list_localized_countries().get(country, [])
    wanted = "zh_CN" if (get_language() or "").startswith("zh") else "en_US"
    calendar = holiday_rules.country_holidays(country, years=year, language=wanted if wanted in languages else None)
    days = [
        OfficialDay(day, CalendarDay.Kind.HOLIDAY, name[:60])
        for day, name in sorted(calendar.items())
        if day.year == year
    ]
    worked = sorted(day for day in getattr(calendar, "weekend_workdays", ()) if day.year == year)
    days += [OfficialDay(day, CalendarDay.Kind.WORKDAY, _("Make-up workday")) for day in worked]
    return sorted(days, key=lambda entry: entry.date)


def _china(year: int) -> list[OfficialDay]:
    """The public holidays (weekends inside a holiday included) and the make-up workdays of `year`.

    A plain weekend is neither, so it is not listed. Raises HolidaysUnavailable for a year the
    installed package does not know (the State Council publishes each year's plan in the autumn
    before; the package follows in a later release)."""
    days: list[OfficialDay] = []
    day = date(year, 1, 1)
    try:
        while day.year == year:
            is_holiday, name = chinese_calendar.get_holiday_detail(day)
            if name and is_holiday:
                days.append(OfficialDay(day, CalendarDay.Kind.HOLIDAY, _chinese(name)))
            elif name and not is_holiday:  # a working day with a holiday's name: its 调休
                days.append(OfficialDay(day, CalendarDay.Kind.WORKDAY, _chinese(name) + "调休"))
            day += timedelta(days=1)
    except NotImplementedError:
        raise HolidaysUnavailable(
            _(
                "The installed holiday data (chinesecalendar %(version)s) has no official holidays for "
                "%(year)s yet. Enter them in the admin, or update the package once it has them."
            )
            % {"version": chinese_calendar.__version__, "year": year}
        ) from None
    return days


def holidays_import(*, year: int, country: str = CHINA, by=None) -> dict[str, int]:
    """Save the year's official days: new dates are added, listed dates take the official kind and
    name; dates the admins added themselves stay. Importing again changes nothing."""
    with transaction.atomic():
        days = official_days(year, country)
        new = [CalendarDay(date=d.date, kind=d.kind, name=d.name) for d in days if d.stored is None]
        changed = []
        for entry in days:
            if entry.status == "differs":
                entry.stored.kind, entry.stored.name = entry.kind, entry.name
                changed.append(entry.stored)
        CalendarDay.objects.bulk_create(new)
        CalendarDay.objects.bulk_update(changed, ["kind", "name"])
        calendars_changed()  # bulk writes send no post_save: the cached calendars are read again
        # Bulk writes send no signals: the configuration history is written for them.
        record_bulk(CalendarDay, created={d.pk for d in new}, changed={d.pk for d in changed}, by=by, reason="holidays")
        counts = {"added": len(new), "updated": len(changed), "unchanged": len(days) - len(new) - len(changed)}
        if by is not None:
            log_action(
                by, actor=by, action=ImportAction.HOLIDAYS_IMPORTED, data=dict(counts, year=year, country=country)
            )
    return counts


def years_available() -> tuple[int, int]:
    """The first and last year the installed package knows (it says so in its error for others)."""
    last = timezone.localdate().year + 1
    while last > 2004:
        try:
            chinese_calendar.get_holiday_detail(date(last, 1, 1))
            return 2004, last
        except NotImplementedError:
            last -= 1
    return 2004, 2004
