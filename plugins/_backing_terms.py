"""Readers of the terms institutional backing carries: lock-ups, marks, strategic ties.

Helpers of :mod:`institutional_backing` (no hooks here): how many lock-up months
remain at the profile's date, how much of the company unlocks soon, how far its
valuation fell from a peak, and how much of it one strategic backer holds up.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import date, timedelta
from typing import Any

from threshold_core.kit import ReadingRow, add_months, reading
from threshold_core.model import CompanyProfile, Context, Investor, InvestorType

#: Days in an average calendar month (365.25 / 12): remaining months are days over this.
MONTH_DAYS = 365.25 / 12


def months_after(start: date, months: float) -> date:
    """``months`` calendar months after ``start``; a fraction of a month in average days
    (the calendar's last day at most, as :func:`~threshold_core.kit.add_months`)."""
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


def amount_cny(inv: Investor, context: Context) -> float | None:
    if inv.amount is None:
        return None
    return context.fx.to_cny(inv.amount.amount, inv.amount.currency)


def weighted_mean(
    items: Sequence[tuple[float, float | None]], total: int
) -> tuple[float, str]:
    """Mean of ``(value, amount)`` pairs, amount-weighted over those with an amount."""
    with_amount = [(v, a) for v, a in items if a is not None and a > 0]
    if with_amount:
        weight = sum(a for _, a in with_amount)
        mean = sum(v * a for v, a in with_amount) / weight
        return mean, f"amount-weighted over {len(with_amount)} of {total} investor(s)"
    return sum(v for v, _ in items) / len(items), (
        f"equal weights over {len(items)} of {total} investor(s) (no amounts)"
    )


def lockup_remaining(
    profile: CompanyProfile, context: Context, _settings: Any
) -> ReadingRow | None:
    as_of = profile.as_of
    locked = [i for i in profile.investors if _has_lockup(i)]
    if as_of is None or not locked:
        return None
    items: list[tuple[float, float | None]] = []
    used: list[Investor] = []
    for inv in locked:
        end = lockup_end(inv)
        if end is not None:
            items.append((remaining_months(end, as_of), amount_cny(inv, context)))
            used.append(inv)
    if not items:
        return None
    mean, note = weighted_mean(items, len(profile.investors))
    undated = len(locked) - len(used)
    soonest = min(lockup_end(i) or as_of for i in used)
    extra = f"; {undated} without an end date left out" if undated else ""
    return reading(
        mean, ("investors.lockup_expiry", "investors.investment_date", "investors.lockup_months",
               "investors.amount", "as_of"),
        note=(f"months left at {as_of.isoformat()}, soonest end {soonest.isoformat()}; "
              f"{note}{extra}"),
        sources=tuple(i.source for i in used),
    )


def overhang(profile: CompanyProfile, _: Context, settings: Any) -> ReadingRow | None:
    as_of = profile.as_of
    locked = [i for i in profile.investors if _has_lockup(i)]
    if as_of is None or not locked:
        return None
    if any(i.stake_pct is None or lockup_end(i) is None for i in locked):
        return None
    window = settings.overhang_window_months
    horizon = months_after(as_of, window)
    unlocking = [i for i in locked if as_of < (lockup_end(i) or as_of) <= horizon]
    share = sum(i.stake_pct or 0.0 for i in unlocking)
    names = ", ".join(f"{i.name} {i.stake_pct:g}% ({lockup_end(i)})" for i in unlocking)
    return reading(
        share, ("investors.stake_pct", "investors.lockup_expiry", "investors.investment_date",
                "investors.lockup_months", "as_of"),
        note=f"unlocking by {horizon.isoformat()}: {names or 'none'}",
        sources=tuple(i.source for i in locked),
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
    return f"{currency} {amount / 1e9:,.4g}bn" if amount >= 1e8 else f"{currency} {amount:,.0f}"


def strategic_dependence(
    profile: CompanyProfile, context: Context, _settings: Any
) -> ReadingRow | None:
    investors = profile.investors
    if not investors:
        return None
    strategic = [i for i in investors if i.type is InvestorType.STRATEGIC]
    if any(i.amount is None and i.revenue_share_pct is None for i in strategic):
        return None
    total = sum(a for a in (amount_cny(i, context) for i in investors) if a is not None)
    worst, who = 0.0, "no strategic backer"
    for inv in strategic:
        amount = amount_cny(inv, context)
        capital = 100.0 * amount / total if amount is not None and total > 0 else 0.0
        share = max(capital, inv.revenue_share_pct or 0.0)
        if share > worst or who == "no strategic backer":
            kind = "revenue" if (inv.revenue_share_pct or 0.0) > capital else "capital raised"
            worst, who = share, f"{inv.name}: {share:.3g}% of {kind}"
    return reading(
        worst, ("investors.type", "investors.amount", "investors.revenue_share_pct"),
        note=f"largest strategic backer; {who}",
        sources=tuple(i.source for i in strategic) or tuple(i.source for i in investors),
    )
