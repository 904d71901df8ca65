"""The one calendar: PRC working days with the official schedule, calendar months."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from threshold_core.kit import (
    CalendarRangeError,
    add_months,
    is_working_day,
    months_before,
    older_than_months,
    working_days_after,
)


@pytest.mark.parametrize(
    ("start", "end", "days"),
    [
        # National Day 2026: 1-7 Oct off, Saturday 10 Oct a make-up working day.
        (date(2026, 9, 28), date(2026, 10, 13), 7),
        # Eleven weekdays, so a Monday-to-Friday count would say 11 (> 10).
        (date(2026, 9, 28), date(2026, 10, 12), 6),
        (date(2026, 9, 30), date(2026, 10, 8), 1),
        # Sunday 20 Sep 2026 is a make-up working day.
        (date(2026, 9, 19), date(2026, 9, 20), 1),
        (date(2026, 1, 5), date(2026, 1, 19), 10),
        (date(2026, 1, 5), date(2026, 1, 5), 0),
        (date(2026, 1, 19), date(2026, 1, 5), 0),
    ],
)
def test_working_days_follow_the_official_schedule(start: date, end: date, days: int) -> None:
    assert working_days_after(start, end) == days


def test_make_up_days_and_holidays() -> None:
    assert is_working_day(date(2026, 10, 10))  # a Saturday worked
    assert not is_working_day(date(2026, 10, 1))  # National Day, a Thursday


def test_a_date_beyond_the_schedule_is_a_clear_error() -> None:
    with pytest.raises(CalendarRangeError) as err:
        working_days_after(date(2026, 12, 28), date(2027, 1, 8))
    assert "2027-01-08" in str(err.value) and "chinese-calendar" in str(err.value)


@pytest.mark.parametrize(
    ("day", "months", "expected"),
    [
        (date(2026, 6, 30), 24, date(2024, 6, 30)),
        (date(2026, 3, 31), 1, date(2026, 2, 28)),
        (date(2024, 3, 31), 1, date(2024, 2, 29)),
        (date(2026, 1, 15), 13, date(2024, 12, 15)),
    ],
)
def test_months_are_calendar_months(day: date, months: int, expected: date) -> None:
    assert months_before(day, months) == expected
    assert add_months(day, -months) == expected


@given(st.dates(min_value=date(2004, 1, 1), max_value=date(2026, 12, 1)),
       st.integers(min_value=0, max_value=20))
def test_working_days_never_exceed_weekdays_plus_make_up_days(start: date, span: int) -> None:
    end = start + timedelta(days=span)
    got = working_days_after(start, end)
    days = [start + timedelta(days=k) for k in range(1, span + 1)]
    assert got == sum(is_working_day(d) for d in days)
    assert 0 <= got <= span


@pytest.mark.parametrize(("start", "end", "months", "older", "elapsed"), [
    (date(2026, 1, 31), date(2026, 2, 28), 1, False, 1),  # clamped: exactly one month
    (date(2026, 1, 31), date(2026, 3, 1), 1, True, 1),
    (date(2028, 1, 31), date(2028, 2, 29), 1, False, 1),  # leap year
    (date(2028, 1, 31), date(2028, 3, 1), 1, True, 1),
    (date(2025, 12, 31), date(2026, 6, 30), 6, False, 6),
    (date(2025, 12, 31), date(2026, 7, 1), 6, True, 6),
    (date(2025, 6, 30), date(2026, 6, 30), 12, False, 12),
    (date(2026, 3, 15), date(2026, 2, 20), 1, False, -1),
])
def test_older_than_months_counts_calendar_months_with_month_ends_clamped(
        start, end, months, older, elapsed):
    from threshold_core.kit import months_elapsed

    assert older_than_months(start, end, months) is older
    assert months_elapsed(start, end) == elapsed


def test_a_valuation_of_31_december_is_six_months_old_on_30_june(tmp_path):
    """VAL-003 ages on the kit's calendar: exactly six months is not stale, a day more is."""
    from threshold_core import Engine
    from threshold_core.load import profile_from_data

    engine = Engine()

    def val003(at: str) -> str:
        profile = profile_from_data({
            "id": "v", "name": "V", "as_of": at, "valuation": {
                "amount": 9e9, "currency": "CNY", "basis": "market_cap", "as_of": "2025-12-31"}})
        decision = engine.evaluate(profile)
        return "fired" if "VAL-003" in {f.rule for f in decision.findings} else "passed"

    assert val003("2026-06-30") == "passed"
    assert val003("2026-07-01") == "fired"


@given(st.dates(), st.integers(min_value=-(10**30), max_value=10**30))
def test_month_arithmetic_saturates_at_the_ends_of_the_calendar(day: date, months: int) -> None:
    """No count of months makes the calendar functions raise (a configured look-back or
    threshold of 10**24 months was an OverflowError that failed the rule): beyond the
    calendar they give its first or last day, and the order of dates is kept."""
    later = add_months(day, months)
    assert (later >= day) if months >= 0 else (later <= day)
    assert months_before(day, months) == add_months(day, -months)
    assert older_than_months(day, date.max, months) == (date.max > later)
    if abs(months) > 12 * 10_000:
        assert later in (date.min, date.max)


def test_unreliable_check_refuses_a_check_after_the_date_or_too_old() -> None:
    from threshold_core.kit import unreliable_check

    at = date(2026, 6, 30)
    assert unreliable_check("x.checked_on", date(2026, 4, 1), at, 90) is None  # 90 days
    stale = unreliable_check("x.checked_on", date(2026, 3, 31), at, 90)
    assert stale is not None and stale.missing == ("x.checked_on",)
    assert stale.message == ("x.checked_on 2026-03-31 is 91 days before 2026-06-30 "
                             "(more than 90): too old to rely on")
    later = unreliable_check("x.checked_on", date(2026, 7, 1), at, 90)
    assert later is not None and "after the evaluation date" in (later.message or "")
    assert unreliable_check("x.checked_on", date(2000, 1, 1), None, 90) is None
