"""Readers of the terms institutional backing carries: lock-ups, marks, strategic ties.

Helpers of :mod:`institutional_backing` (no hooks here): how many lock-up months
remain at the profile's date, how much of the company unlocks soon, how far its
valuation fell from a peak, and how much of it one strategic backer holds up.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import date, timedelta
from functools import lru_cache
from typing import Any

from threshold_core.kit import ReadingRow, add_months, reading
from threshold_core.model import (
    CompanyProfile,
    Context,
    Investor,
    InvestorType,
    format_against,
    format_significant,
)

#: Days in an average calendar month (365.25 / 12): remaining months are days over this.
MONTH_DAYS = 365.25 / 12


@lru_cache(maxsize=4096)
def months_after(start: date, months: float) -> date:
    """``months`` calendar months after ``start``; a fraction of a month in average days
    (the calendar's last day at most, as :func:`~threshold_core.kit.add_months`). Kept per
    ``(start, months)``: each investor's lock-up end is read by three metrics."""
    whole = math.floor(months)
    end = add_months(start, whole)
    days = round((months - whole) * MONTH_DAYS)
    return end + timedelta(days=days) if (date.max - end).days >= days else date.max


def lockup_end(inv: Investor) -> date | None:
    """The day ``inv``'s lock-up ends: ``lockup_expiry``, else the start plus its months."""
    if inv.lockup_expiry is not None:
        return inv.lockup_expiry
    if inv.investment_date is None or inv.lockup_months is None:
        return None
    return months_after(inv.investment_date, inv.lockup_months)


def remaining_months(end: date, as_of: date) -> float:
    """Months from ``as_of`` to ``end`` (days over :data:`MONTH_DAYS`), 0 once it has passed."""
    return max(0.0, (end - as_of).days / MONTH_DAYS)


def _has_lockup(inv: Investor) -> bool:
    return inv.lockup_months is not None or inv.lockup_expiry is not None


def _no_lockup(inv: Investor) -> bool:
    """The profile says the investor has no lock-up (``lockup_months = 0``, no expiry)."""
    return inv.lockup_expiry is None and inv.lockup_months == 0


def amount_cny(inv: Investor, context: Context) -> float | None:
    if inv.amount is None:
        return None
    return context.fx.to_cny(inv.amount.amount, inv.amount.currency)


def weighted_mean(
    items: Sequence[tuple[float, float | None]], total: int
) -> tuple[float, str]:
    """Mean of ``(value, amount)`` pairs, amount-weighted, where a higher value is better.

    An item without an amount could weigh any amount, so it is counted at the least
    favourable it could: the mean is at most its value (the lowest such value, when it is
    below the mean of the items with an amount). With no amount at all, that is the lowest
    value. So leaving an amount out never raises the mean.
    """
    with_amount = [(v, a) for v, a in items if a is not None and a > 0]
    unweighed = [v for v, a in items if a is None]
    lowest = min(unweighed, default=math.inf)
    if with_amount:
        weight = sum(a for _, a in with_amount)
        mean = sum(v * a for v, a in with_amount) / weight
        note = f"amount-weighted over {len(with_amount)} of {total} investor(s)"
        if lowest < mean:
            return lowest, (f"{note}; {len(unweighed)} without an amount could weigh any: "
                            f"at the least favourable, {lowest:g}")
        return mean, note
    if unweighed:
        return lowest, (f"no amounts: the least favourable of {len(unweighed)} of {total} "
                        "investor(s), each of which could weigh any amount")
    return sum(v for v, _ in items) / len(items), (
        f"equal weights over {len(items)} of {total} investor(s) (every amount 0)"
    )


def lockup_remaining(
    profile: CompanyProfile, context: Context, _settings: Any
) -> ReadingRow | None:
    """Lock-up months left at ``as_of``, over every investor once any gives lock-up terms.

    An investor whose lock-up end is unknown (no terms, ``lockup_months = 0``, or months
    without ``investment_date``) counts 0 months left: the least favourable it could be,
    so leaving a term out never lengthens the lock-ups.
    """
    as_of = profile.as_of
    if as_of is None or not any(_has_lockup(i) for i in profile.investors):
        return None
    items: list[tuple[float, float | None]] = []
    ends: list[date] = []
    unknown = 0
    for inv in profile.investors:
        end = lockup_end(inv)
        if end is None:
            unknown += 1
        else:
            ends.append(end)
        items.append((remaining_months(end, as_of) if end is not None else 0.0,
                      amount_cny(inv, context)))
    mean, note = weighted_mean(items, len(profile.investors))
    soonest = f", soonest end {min(ends).isoformat()}" if ends else ""
    extra = f"; {unknown} without a known end counted as 0 months left" if unknown else ""
    return reading(
        mean, ("investors.lockup_expiry", "investors.investment_date", "investors.lockup_months",
               "investors.amount", "as_of"),
        note=f"months left at {as_of.isoformat()}{soonest}; {note}{extra}",
        sources=tuple(i.source for i in profile.investors),
    )


def overhang(profile: CompanyProfile, _: Context, settings: Any) -> ReadingRow | None:
    """Percent of the shares unlocking within the window, once any investor gives lock-up terms.

    An investor whose lock-up end is unknown could unlock within the window and counts as
    unlocking (``lockup_months = 0`` says it has none: its shares are not locked up). Every
    investor counted must give its ``stake_pct``, else it is no data.
    """
    as_of = profile.as_of
    if as_of is None or not any(_has_lockup(i) for i in profile.investors):
        return None
    window = settings.overhang_window_months
    horizon = months_after(as_of, window)

    def unlocks(inv: Investor) -> bool:
        end = lockup_end(inv)
        return as_of < end <= horizon if end is not None else not _no_lockup(inv)

    unlocking = [i for i in profile.investors if unlocks(i)]
    if any(i.stake_pct is None for i in unlocking):
        return None
    share = sum(i.stake_pct or 0.0 for i in unlocking)
    names = ", ".join(f"{i.name} {i.stake_pct:g}% ({lockup_end(i) or 'end unknown'})"
                      for i in unlocking)
    return reading(
        share, ("investors.stake_pct", "investors.lockup_expiry", "investors.investment_date",
                "investors.lockup_months", "as_of"),
        note=f"unlocking by {horizon.isoformat()}: {names or 'none'}",
        sources=tuple(i.source for i in profile.investors),
    )


def down_round(profile: CompanyProfile, context: Context, _settings: Any) -> ReadingRow | None:
    marks = sorted(profile.valuation_history, key=lambda m: m.as_of)
    if len(marks) < 2:
        return None
    worst, peak_at, low_at = 0.0, marks[0], marks[0]
    peak = marks[0]
    for mark in marks[1:]:
        peak_cny = context.fx.to_cny(peak.amount, peak.currency)
        fall = 100.0 * (1.0 - context.fx.to_cny(mark.amount, mark.currency) / peak_cny)
        if fall > worst:
            worst, peak_at, low_at = fall, peak, mark
        if context.fx.to_cny(mark.amount, mark.currency) > peak_cny:
            peak = mark
    note = (f"{_money(peak_at.amount, peak_at.currency)} ({peak_at.as_of.isoformat()}) to "
            f"{_money(low_at.amount, low_at.currency)} ({low_at.as_of.isoformat()})"
            if worst > 0 else f"no fall across {len(marks)} marks")
    return reading(
        worst, ("valuation_history",), note=f"largest fall from a peak: {note}",
        sources=tuple(m.source for m in marks),
    )


def _money(amount: float, currency: str) -> str:
    return f"{currency} {amount / 1e9:,.4g}bn" if amount >= 1e8 else f"{currency} {whole(amount)}"


def whole(amount: float) -> str:
    """An amount in whole units for a note, with the digits that keep it off 0 when it is
    not 0 (a monthly burn of 0.4 is "0.4", never "0")."""
    return format_against(amount, (), 0)


def strategic_dependence(
    profile: CompanyProfile, context: Context, _settings: Any
) -> ReadingRow | None:
    """The largest share of capital raised or of revenue from one strategic backer, percent.

    A strategic investor without an ``amount`` could have put up all the capital raised, and
    one without a ``revenue_share_pct`` could be the company's whole revenue: each unknown
    share counts as 100%, the least favourable it could be, so leaving one out never
    lowers the dependence.
    """
    investors = profile.investors
    if not investors:
        return None
    strategic = [i for i in investors if i.type is InvestorType.STRATEGIC]
    total = sum(a for a in (amount_cny(i, context) for i in investors) if a is not None)
    worst, who = 0.0, "no strategic backer"
    for inv in strategic:
        amount = amount_cny(inv, context)
        capital = (100.0 if amount is None else 100.0 * amount / total if total > 0 else 0.0)
        revenue = 100.0 if inv.revenue_share_pct is None else inv.revenue_share_pct
        share = max(capital, revenue)
        if share > worst or who == "no strategic backer":
            kind = "revenue" if revenue > capital else "capital raised"
            unknown = [f for f, x in (("amount", inv.amount), ("revenue share",
                                                                inv.revenue_share_pct))
                       if x is None]
            given = f" ({' and '.join(unknown)} not given: counted as 100%)" if unknown else ""
            pct = format_significant(share, (100.0,))
            worst, who = share, f"{inv.name}: {pct}% of {kind}{given}"
    return reading(
        worst, ("investors.type", "investors.amount", "investors.revenue_share_pct"),
        note=f"largest strategic backer; {who}",
        sources=tuple(i.source for i in strategic) or tuple(i.source for i in investors),
    )
