"""Institutional backing: who stands behind the company, with how much, and for how long?

A built-in scorer plugin. Each metric maps a raw figure to 0-100 points through
a fixed piecewise-linear band (interpolated between anchors, clamped outside).
Every weight, band and tunable is overridable under
``[settings.institutional_backing]``; ``threshold rules --parameters`` lists them
with their sources.

================  ======  =============================================  ======================
metric            weight  band (raw -> points)                           source of the band
================  ======  =============================================  ======================
runway            35      ``financials.cash / financials.monthly_net     research §6.4; §6.4
                          _burn``, months: 5->0, 6->20, 12->50,          jumps from 0 to 20 at
                          24->100; a burn <= 0 (cash-generative) is      6 months, the band
                          scored at the top of the band                  rises over 5-6
investor_quality  25      mean investor tier, weighted by amount (CNY):  research §6.4
                          1->0, 2->60, 3->100
commitment        15      lock-up / commitment months, weighted by       research §6.4
                          amount: 0->0, 6->50, 18->100
capital_raised    15      sum of investor amounts, CNY bn: 0.5->0,       research §6.4 (log
                          2->50, 10->100, interpolated on log10 of the   scale)
                          amount between anchors
listing           10      ``listing_points`` of the listing status:      research §6.4;
                          listed 100, filed 60, private 30,              subsidiary is ours
                          subsidiary 60; band 0->0, 100->100
================  ======  =============================================  ======================

How the raw figures are read:

* **Tier.** ``Investor.tier`` when given, else ``type_tiers`` of its type:
  ``state_fund`` and ``strategic`` 3 (state or national funds, strategic
  hyperscalers such as Tencent, Alibaba, Ant, Meituan), ``vc``, ``sovereign``,
  ``pe`` and ``cornerstone`` 2, ``university`` and ``other`` 1.
* **Weighting.** Amounts are converted to CNY with the configuration's FX
  table (``context.fx.to_cny``). ``investor_quality`` and ``commitment``
  weight by amount over the investors that give one; when none does, every
  investor counts equally (the note says which). ``commitment`` reads only
  investors with ``lockup_months``; with none, it has no data.
* **Capital raised** is the sum of the listed investors' amounts; with no
  amount at all it has no data. With ``capital_raised_log_scale = true`` (the
  default) points are interpolated on log10 of the amount between the band's
  anchors, which stay in CNY bn in the configuration (so they must be
  positive); with ``false`` the band is linear like every other.
* **Runway** needs both ``cash`` and ``monthly_net_burn`` (same currency, the
  section's).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from attrs import field, frozen

from threshold_core import hookimpl
from threshold_core.kit import (
    Band,
    BandTable,
    Metric,
    MetricScorer,
    Parameter,
    Reading,
    merged_bands,
    merged_weights,
    secondary,
)
from threshold_core.model import CompanyProfile, Context, Investor, InvestorType, ListingStatus

NAME = DIMENSION = "institutional_backing"
RESEARCH = "domain-research §6.4"

WEIGHTS: Mapping[str, float] = {
    "runway": 35.0,
    "investor_quality": 25.0,
    "commitment": 15.0,
    "capital_raised": 15.0,
    "listing": 10.0,
}

BANDS: Mapping[str, list[list[float]]] = {
    "runway": [[5, 0], [6, 20], [12, 50], [24, 100]],
    "investor_quality": [[1, 0], [2, 60], [3, 100]],
    "commitment": [[0, 0], [6, 50], [18, 100]],
    "capital_raised": [[0.5, 0], [2, 50], [10, 100]],
    "listing": [[0, 0], [100, 100]],
}

TYPE_TIERS: Mapping[str, float] = {
    InvestorType.STATE_FUND.value: 3.0,
    InvestorType.STRATEGIC.value: 3.0,
    InvestorType.VC.value: 2.0,
    InvestorType.SOVEREIGN.value: 2.0,
    InvestorType.PE.value: 2.0,
    InvestorType.CORNERSTONE.value: 2.0,
    InvestorType.UNIVERSITY.value: 1.0,
    InvestorType.OTHER.value: 1.0,
}

LISTING_POINTS: Mapping[str, float] = {
    ListingStatus.LISTED.value: 100.0,
    ListingStatus.FILED.value: 60.0,
    ListingStatus.PRIVATE.value: 30.0,
    ListingStatus.SUBSIDIARY.value: 60.0,
}


def _merged_table(
    what: str, defaults: Mapping[str, float], low: float | None = None, high: float | None = None
) -> Callable[[Mapping[str, float]], dict[str, float]]:
    """An attrs converter: ``defaults`` overlaid with the given entries, keys checked."""

    def convert(given: Mapping[str, float]) -> dict[str, float]:
        unknown = sorted(set(given) - set(defaults))
        if unknown:
            raise ValueError(
                f"unknown key {', '.join(map(repr, unknown))} in {what} "
                f"(known: {', '.join(sorted(defaults))})"
            )
        merged = {**defaults, **given}
        for key, value in merged.items():
            if (low is not None and value < low) or (high is not None and value > high):
                raise ValueError(f"{what}.{key} must be within {low:g}-{high:g}, got {value:g}")
        return merged

    return convert


def _positive_log_anchors(instance: Any, attribute: Any, value: bool) -> None:
    if value and any(x <= 0 for x, _ in instance.bands["capital_raised"].points):
        raise ValueError(
            "band 'capital_raised': anchors must be positive (CNY bn) with "
            "capital_raised_log_scale = true"
        )


def _weights(given: Mapping[str, float]) -> dict[str, float]:
    """Converter of ``weights``: the given weights over :data:`WEIGHTS`."""
    return merged_weights(WEIGHTS)(given)


def _bands(given: BandTable) -> dict[str, Band]:
    """Converter of ``bands``: the given bands over :data:`BANDS`."""
    return merged_bands(BANDS)(given)


def _type_tiers(given: Mapping[str, float]) -> dict[str, float]:
    return _merged_table("type_tiers", TYPE_TIERS, 1.0, 3.0)(given)


def _listing_points(given: Mapping[str, float]) -> dict[str, float]:
    return _merged_table("listing_points", LISTING_POINTS, 0.0, 100.0)(given)


@frozen
class InstitutionalBackingSettings:
    """``[settings.institutional_backing]``."""

    #: Metric weights inside the dimension (partial tables override the defaults).
    weights: dict[str, float] = field(factory=dict, converter=_weights)
    #: Bands as ``[[raw, points], ...]`` (partial tables override the defaults).
    bands: dict[str, list[list[float]]] = field(factory=dict, converter=_bands)
    #: Tier of each investor type when ``Investor.tier`` is not given (1-3).
    type_tiers: dict[str, float] = field(
        factory=dict, converter=_type_tiers
    )
    #: Raw points of each listing status, before the ``listing`` band (0-100).
    listing_points: dict[str, float] = field(
        factory=dict, converter=_listing_points
    )
    #: Interpolate ``capital_raised`` on log10 of the amount between the band's anchors.
    capital_raised_log_scale: bool = field(default=True, validator=_positive_log_anchors)


DEFAULTS = InstitutionalBackingSettings()


# -- readers -------------------------------------------------------------------------


def _runway(
    profile: CompanyProfile, _: Context, settings: InstitutionalBackingSettings = DEFAULTS
) -> Reading | None:
    fin = profile.financials
    if fin is None or fin.cash is None or fin.monthly_net_burn is None:
        return None
    paths = ("financials.cash", "financials.monthly_net_burn")
    cash, burn = fin.cash.value, fin.monthly_net_burn.value
    if burn <= 0:
        band: Band = settings.bands["runway"]  # type: ignore[assignment]
        top_x = max(band.points, key=lambda p: p[1])[0]
        return Reading(
            top_x, paths, fin.monthly_net_burn.source or fin.source,
            note=f"cash-generative (monthly net burn {burn:,.0f} <= 0): top of the band",
            sources=(fin.cash.source or fin.source,),
        )
    months = max(0.0, cash / burn)
    return Reading(
        months, paths, fin.cash.source or fin.source,
        note=f"cash {cash:,.0f} / monthly net burn {burn:,.0f} {fin.currency}",
        sources=(fin.monthly_net_burn.source or fin.source,),
    )


def _amount_cny(inv: Investor, context: Context) -> float | None:
    if inv.amount is None:
        return None
    return context.fx.to_cny(inv.amount.amount, inv.amount.currency)


def _weighted_mean(
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


def _tier(inv: Investor, settings: InstitutionalBackingSettings) -> float:
    return float(inv.tier) if inv.tier is not None else settings.type_tiers[inv.type.value]


def _investor_quality(
    profile: CompanyProfile, context: Context,
    settings: InstitutionalBackingSettings = DEFAULTS,
) -> Reading | None:
    if not profile.investors:
        return None
    items = [(_tier(i, settings), _amount_cny(i, context)) for i in profile.investors]
    mean, note = _weighted_mean(items, len(profile.investors))
    return Reading(
        mean, ("investors.tier", "investors.type", "investors.amount"), note=f"mean tier; {note}",
        sources=tuple(i.source for i in profile.investors),
    )


def _commitment(
    profile: CompanyProfile, context: Context,
    settings: InstitutionalBackingSettings = DEFAULTS,
) -> Reading | None:
    items = [
        (i.lockup_months, _amount_cny(i, context))
        for i in profile.investors if i.lockup_months is not None
    ]
    if not items:
        return None
    mean, note = _weighted_mean(items, len(profile.investors))
    return Reading(
        mean, ("investors.lockup_months", "investors.amount"),
        note=f"mean lock-up months; {note}",
        sources=tuple(i.source for i in profile.investors if i.lockup_months is not None),
    )


def _capital_raised(
    profile: CompanyProfile, context: Context,
    settings: InstitutionalBackingSettings = DEFAULTS,
) -> Reading | None:
    amounts = [a for a in (_amount_cny(i, context) for i in profile.investors) if a is not None]
    if not amounts:
        return None
    return Reading(
        sum(amounts) / 1e9, ("investors.amount",),
        note=f"sum of {len(amounts)} of {len(profile.investors)} investor amount(s), CNY bn",
        sources=tuple(i.source for i in profile.investors if i.amount is not None),
    )


def _listing(
    profile: CompanyProfile, _: Context, settings: InstitutionalBackingSettings = DEFAULTS
) -> Reading | None:
    listing = profile.listing
    if listing is None:
        return None
    status = listing.status.value
    return Reading(
        settings.listing_points[status], ("listing.status",), listing.source,
        note=f"status {status}", state=status, states=settings.listing_points,
    )


def _log_scale(
    points: float, reading: Reading, profile: CompanyProfile, settings: Any
) -> tuple[float, str | None]:
    if not settings.capital_raised_log_scale:
        return points, None
    band: Band = settings.bands["capital_raised"]
    if reading.value <= 0:
        return band.points[0][1], "log10 scale"
    log_band = Band([(math.log10(x), y) for x, y in band.points])
    return log_band(math.log10(reading.value)), "interpolated on log10 of the amount"


# -- the scorer ----------------------------------------------------------------------


SCORER = MetricScorer(
    name=NAME,
    dimension=DIMENSION,
    metrics=(
        Metric("runway", _runway, ("financials.cash", "financials.monthly_net_burn"),
               source=secondary(f"{RESEARCH}; 5→0 (no step at 6): house policy")),
        Metric(
            "investor_quality", _investor_quality,
            ("investors.tier", "investors.type", "investors.amount"),
            source=secondary(RESEARCH),
        ),
        Metric("commitment", _commitment, ("investors.lockup_months", "investors.amount"),
               source=secondary(RESEARCH)),
        Metric("capital_raised", _capital_raised, ("investors.amount",), _log_scale,
               source=secondary(RESEARCH)),
        Metric("listing", _listing, ("listing.status",), source=secondary(RESEARCH)),
    ),
    directions={m: "higher" for m in WEIGHTS},
    weights_source=secondary(RESEARCH),
    parameters=(
        Parameter("type_tiers", secondary(f"{RESEARCH}: state funds and strategics 3, top VC "
                                          "and sovereign 2, others 1"),
                  "tier of an investor whose profile gives none, by type"),
        Parameter("listing_points", secondary(f"{RESEARCH}: listed 100, filed 60, private 30; "
                                              "subsidiary 60: house policy"),
                  "raw points of each listing status"),
        Parameter("capital_raised_log_scale", secondary(f"{RESEARCH}: log scale"),
                  "interpolate capital_raised on log10 of the amount"),
    ),
)


@hookimpl
def threshold_register_scorers(register: Any) -> None:
    register(SCORER)


@hookimpl
def threshold_settings_types() -> dict[str, type]:
    return {NAME: InstitutionalBackingSettings}
