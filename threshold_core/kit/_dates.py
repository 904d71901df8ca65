"""One calendar for the project: PRC working days and calendar months.

Legal deadlines in China run in working days (工作日) on the official schedule
the State Council publishes each year: public holidays are not working days,
and the weekend days swapped to make up for them (调休) are. A Monday-to-Friday
count gets both wrong around the Spring Festival and National Day: a change on
2026-09-28 filed on 2026-10-13 is 11 weekdays later but 7 working days.

The schedule comes from the ``chinese-calendar`` package: it encodes each State
Council notice with its make-up working days (2004-2026 in 1.11.0, including
2026's National Day swap of Sunday 20 Sep and Saturday 10 Oct), releases a new
year when the notice appears, says which years it covers, and imports in about
5 ms, on first use only. The ``holidays`` package also has the 2026 schedule and
its swaps, but costs about 65 ms to import and 150 ms to build the China table. A date in
a year the package has no schedule for raises :class:`CalendarRangeError`,
whose message names the covered years: a rule turns it into ``not_evaluated``
rather than guessing.

Look-back windows (24 months of enforcement, two years between audits) and the
ages of dated sections (a valuation, a screening) are calendar months: the same day
``n`` months earlier or later, clamped to the month's end. A date is older than ``n``
months at ``end`` when ``end`` is after :func:`add_months` (date, ``n``): 31 January
is one month old on 28 February 2026 and more than that on 1 March. Month arithmetic
saturates at the ends of the calendar (1 January of year 1, 31 December 9999): a window
or a threshold longer than the calendar (``[settings.freshness] customers = 99999999``)
covers all of it instead of failing the rule that uses it.
"""

from __future__ import annotations

from datetime import MAXYEAR, MINYEAR, date, timedelta
from functools import lru_cache
from types import ModuleType


def _schedule() -> ModuleType:
    # Imported on first use: commands that never count working days do not load it.
    import chinese_calendar  # type: ignore[import-untyped]  # no stubs, no py.typed

    module: ModuleType = chinese_calendar
    return module


class CalendarRangeError(ValueError):
    """A date outside the years whose official holiday schedule is known."""


@lru_cache(maxsize=1)
def schedule_years() -> tuple[int, int]:
    """The first and last year of the official schedule the calendar carries."""
    years = [d.year for d in _schedule().holidays]
    return min(years), max(years)


def _check(day: date) -> None:
    first, last = schedule_years()
    if not first <= day.year <= last:
        raise CalendarRangeError(
            f"{day.isoformat()} is outside the PRC holiday schedule on record "
            f"({first}-{last}, chinese-calendar {_schedule().__version__}); "
            "update chinese-calendar once the State Council publishes that year's schedule"
        )


def is_working_day(day: date) -> bool:
    """Whether ``day`` is a PRC working day (make-up weekend days included)."""
    _check(day)
    return bool(_schedule().is_workday(day))


def working_days_after(start: date, end: date) -> int:
    """PRC working days in ``(start, end]``: the day after ``start`` counts as day 1.

    :raises CalendarRangeError: when a day of the span is outside the schedule.
    """
    if end <= start:
        return 0
    first = start + timedelta(days=1)
    _check(first)
    _check(end)
    return len(_schedule().get_workdays(first, end, include_weekends=True))


def months_before(day: date, months: int) -> date:
    """The same day ``months`` calendar months earlier (clamped to the month's end)."""
    return add_months(day, -months)


def add_months(day: date, months: int) -> date:
    """The same day ``months`` calendar months later (clamped to the month's end), or the
    calendar's first or last day when that is beyond it (:data:`datetime.MINYEAR`,
    :data:`datetime.MAXYEAR`)."""
    year, month0 = divmod(day.year * 12 + day.month - 1 + months, 12)
    if year > MAXYEAR:
        return date.max
    if year < MINYEAR:
        return date.min
    d = day.day
    if d > 28:  # the month's end (``calendar.monthrange``/``isleap``, without the import)
        last = _MONTH_DAYS[month0]
        if month0 == 1 and year % 4 == 0 and (year % 100 != 0 or year % 400 == 0):
            last = 29
        if d > last:
            d = last
    return date(year, month0 + 1, d)


#: Days of each month in a common year (February of a leap year has 29).
_MONTH_DAYS = (31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)


def months_elapsed(start: date, end: date) -> int:
    """Whole calendar months from ``start`` to ``end``: the largest ``n`` with
    ``add_months(start, n) <= end`` (negative when ``end`` is earlier).

    31 January to 28 February 2026 is one month (the day is clamped to the month's end).
    """
    n = (end.year - start.year) * 12 + end.month - start.month
    return n - 1 if add_months(start, n) > end else n


def older_than_months(start: date, end: date, months: int) -> bool:
    """Whether ``start`` is more than ``months`` calendar months before ``end``: exactly
    ``months`` is not older, a day more is."""
    return end > add_months(start, months)
