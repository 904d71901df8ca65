"""Readers of :mod:`application_stickiness` that combine several figures.

Helpers (no hooks here): revenue per customer normalised by segment, vertical
concentration as a Herfindahl-Hirschman index, the Rule of 40 on operating
cash flow, and log10 interpolation of a band.
"""

from __future__ import annotations

import math
from functools import lru_cache
from typing import Any

from threshold_core.kit import Band, Reading, ReadingRow, reading
from threshold_core.model import (
    CompanyProfile,
    Context,
    financials_currency,
    format_against,
    format_share,
    format_significant,
)


def revenue_per_customer(
    profile: CompanyProfile, context: Context,
    settings: Any,
) -> ReadingRow | None:
    fin, cust = profile.financials, profile.customers
    if fin is None or fin.revenue is None or cust is None:
        return None
    revenue_cny = context.fx.to_cny(fin.revenue.value, financials_currency(fin))
    parts: list[tuple[float, float]] = []
    shown: list[str] = []
    left_out: list[str] = []
    for seg in cust.segments:
        if seg.revenue_share_pct <= 0:
            continue
        if seg.customers <= 0:
            left_out.append(seg.segment.value)
            continue
        per = revenue_cny * seg.revenue_share_pct / 100.0 / seg.customers
        multiple = per / settings.segment_reference_cny[seg.segment.value]
        parts.append((math.log10(multiple) if multiple > 0 else -math.inf,
                      seg.revenue_share_pct))
        times = format_significant(multiple, (1.0,))
        shown.append(f"{seg.segment.value} CNY {format_against(per, (), 0)} ({times}x)")
    if not parts:
        return None
    weight = sum(w for _, w in parts)
    mean_log = sum(x * w for x, w in parts) / weight
    note = "revenue per customer: " + ", ".join(shown)
    if left_out:
        note += f"; left out (no customers): {', '.join(left_out)}"
    return reading(
        10.0 ** mean_log if math.isfinite(mean_log) else 0.0,
        ("customers.segments", "financials.revenue"),
        fin.revenue.source or fin.source,
        note=f"{note}; revenue-weighted multiple of the segment references",
        sources=tuple(s.source or cust.source for s in cust.segments),
    )


def hhi(shares: list[float]) -> float:
    """Herfindahl-Hirschman index of ``shares`` (any positive scale), in (0, 1]."""
    total = sum(shares)
    return sum((s / total) ** 2 for s in shares)


def vertical_concentration(
    profile: CompanyProfile, _: Context, _settings: Any = None
) -> ReadingRow | None:
    verticals = profile.verticals
    if not verticals or any(v.revenue_share_pct is None for v in verticals):
        return None
    shares = [float(v.revenue_share_pct or 0.0) for v in verticals]
    if sum(shares) <= 0:
        return None
    top = max(verticals, key=lambda v: v.revenue_share_pct or 0.0)
    return reading(
        hhi(shares), ("verticals.revenue_share_pct",),
        note=(f"{len(shares)} vertical(s), largest {top.sector} "
              f"{format_share(top.revenue_share_pct or 0.0)}%"
              + (f" ({format_share(sum(shares))}% of revenue listed)" if sum(shares) < 100
                 else "")),
        sources=tuple(v.source for v in verticals),
    )


def rule_of_40(
    profile: CompanyProfile, context: Context,
    settings: Any,
) -> ReadingRow | None:
    fin = profile.financials
    if (fin is None or fin.revenue_growth_pct is None or fin.operating_cash_flow is None
            or fin.revenue is None or fin.revenue.value <= 0):
        return None
    floor_cny = context.fx.to_cny(settings.rule_of_40_min_revenue_usd, "USD")
    if context.fx.to_cny(fin.revenue.value, financials_currency(fin)) < floor_cny:
        return None
    growth = fin.revenue_growth_pct.value
    margin = 100.0 * fin.operating_cash_flow.value / fin.revenue.value
    return reading(
        growth + margin,
        ("financials.revenue_growth_pct", "financials.operating_cash_flow",
         "financials.revenue"),
        fin.revenue_growth_pct.source or fin.source,
        note=f"growth {format_significant(growth, (40.0 - margin,), 6)}% + operating cash "
             "flow margin "
             f"{format_significant(margin, (40.0 - growth,), 4)}%",
        sources=(fin.operating_cash_flow.source or fin.source,
                 fin.revenue.source or fin.source),
    )


@lru_cache(maxsize=64)
def log10_band(points: tuple[tuple[float, float], ...]) -> Band:
    """The band with each anchor's raw value as its log10 (made once per band's anchors)."""
    return Band([(math.log10(x), y) for x, y in points])


def log_scale(name: str) -> Any:
    """An ``adjust``: interpolate on log10 of the raw figure between the band's anchors."""

    def adjust(
        points: float, reading: Reading, profile: CompanyProfile, settings: Any
    ) -> tuple[float, str | None]:
        band: Band = settings.bands[name]
        if reading.value <= 0:
            return band.points[0][1], "log10 scale"
        return log10_band(band.points)(math.log10(reading.value)), "interpolated on log10"

    return adjust
