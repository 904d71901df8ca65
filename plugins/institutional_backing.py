"""Institutional backing: who stands behind the company, with how much, and for how long?

A built-in scorer plugin. Each metric maps a raw figure to 0-100 points through
a fixed piecewise-linear band (interpolated between anchors, clamped outside).
Every weight, band and tunable is overridable under
``[settings.institutional_backing]``; ``threshold rules --parameters`` lists them
with their sources.

====================  ======  =========================================  ==================
metric                weight  band (raw -> points)                       source of the band
====================  ======  =========================================  ==================
runway                35      ``financials.cash / financials.monthly_    research §6.4;
                              net_burn``, months: 5->0, 6->20, 12->50,   §6.4 jumps from 0
                              24->100; a burn <= 0 (cash-generative) is  to 20 at 6 months,
                              scored at the top of the band              the band rises
                                                                         over 5-6
investor_quality      25      mean investor tier, weighted by amount     research §6.4
                              (CNY): 1->0, 2->60, 3->100
lockup_remaining      15      lock-up months *remaining* at the          research §6.4
                              profile's ``as_of``, weighted by amount:   (commitment
                              0->0, 6->50, 18->100                       months)
overhang              10*     % of the company's shares whose lock-up    house policy
                              ends within ``overhang_window_months`` (6)
                              after ``as_of`` (lower is better):
                              0->100, 5->70, 15->20, 25->0
down_round            10*     largest fall from a peak valuation to a    house policy
                              later one in ``valuation_history``, %
                              (lower is better): 0->100, 20->60,
                              40->20, 60->0
strategic_dependence  10*     largest share of capital raised or of      house policy
                              revenue from one strategic backer, %
                              (lower is better): 20->100, 40->60, 70->0
capital_raised        15      sum of investor amounts, CNY bn: 0.5->0,   research §6.4 (log
                              2->50, 10->100, interpolated on log10 of   scale)
                              the amount between anchors
listing               10      ``listing_points`` of the listing status:  research §6.4;
                              listed 100, filed 60, private 30,          subsidiary is ours
                              subsidiary 60; band 0->0, 100->100
====================  ======  =========================================  ==================

Weights: research §6.4 gives 35 / 25 / 15 / 15 / 10; the three marked * are
house policy (what a backer's commitment is worth once it can sell, has marked
the company down, or is also its main customer or supplier).

How the raw figures are read:

* **Tier.** ``type_tiers``, the tier every investor of a type has at least (research
  §6.4): ``state_fund`` 3, ``sovereign`` 2, others 1 (a ``strategic`` is 3 only as a
  hyperscaler, a ``vc`` 2 only as a top-tier fund, as its ``tier`` says). ``tier`` left
  out, or one below its type's, counts as the type's: leaving it out never raises the mean.
* **Weighting.** Amounts are converted to CNY with the configuration's FX
  table (``context.fx.to_cny``). ``investor_quality`` and ``lockup_remaining``
  weight by amount. An investor without an amount could weigh any amount, so
  it counts at the least favourable: the mean is at most its value (with no
  amount at all, the lowest value); leaving an amount out never raises the
  mean (the note says which).
* **Capital raised** is the sum of the listed investors' amounts; with no
  amount at all it has no data. With ``capital_raised_log_scale = true`` (the
  default) points are interpolated on log10 of the amount between the band's
  anchors, which stay in CNY bn in the configuration (so they must be
  positive); with ``false`` the band is linear like every other.
* **Lock-up remaining.** An investor's lock-up ends on ``lockup_expiry``, else
  ``lockup_months`` calendar months after ``investment_date``; the months left
  are the days from the profile's ``as_of`` to that day over 30.4375 (0 once
  it has passed). The original length is not what binds an investor today:
  the Zhipu and MiniMax cornerstone lock-ups end about a week after the
  examples' ``as_of``. Once any investor gives lock-up terms, every investor
  counts: one whose end is unknown (no terms, or ``lockup_months`` without
  ``investment_date``) counts 0 months left, the least favourable (the note
  counts them); ``lockup_months = 0`` says there is none. With no terms at
  all, or no ``as_of``, it is no data.
* **Overhang** sums ``stake_pct`` of the investors whose lock-up ends after
  ``as_of`` and within ``overhang_window_months``; once any investor gives
  lock-up terms, one whose end is unknown could unlock within the window and
  counts as unlocking (``lockup_months = 0``: none, its shares are not locked
  up). Every investor counted must give its stake, else it is no data: an
  unknown unlock could be the largest.
* **Down round** reads ``valuation_history`` (rounds, listings, estimates;
  each converted to CNY with the FX table, so a currency switch is no fall):
  the largest percentage fall from the highest earlier mark to a later one, 0
  when each mark is at or above every earlier one. Fewer than two marks is no
  data. The profile's own ``valuation`` is not added to the history: list it
  there if it is a mark.
* **Strategic dependence** is, over the ``strategic`` investors, the largest of
  each one's share of the capital raised (its amount over the sum of the
  investors' amounts) and ``revenue_share_pct`` (revenue from that backer). 0
  when investors are listed and none is strategic. A strategic investor's
  amount or revenue share left out counts as 100%, the least favourable it
  could be (it could have put up all the capital, or be the whole revenue).
* **Runway** needs both ``cash`` and ``monthly_net_burn`` (same currency, the
  section's).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
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
    ReadingRow,
    house_policy,
    merged_bands,
    merged_weights,
    non_negative,
    reading,
    secondary,
)
from threshold_core.model import CompanyProfile, Context, Investor, InvestorType, ListingStatus

from ._backing_terms import (
    amount_cny,
    down_round,
    lockup_remaining,
    overhang,
    strategic_dependence,
    weighted_mean,
    whole,
)
from ._stickiness_terms import log10_band

NAME = DIMENSION = "institutional_backing"
RESEARCH = "domain-research §6.4"

WEIGHTS: Mapping[str, float] = {
    "runway": 35.0,
    "investor_quality": 25.0,
    "lockup_remaining": 15.0,
    "overhang": 10.0,
    "down_round": 10.0,
    "strategic_dependence": 10.0,
    "capital_raised": 15.0,
    "listing": 10.0,
}

BANDS: Mapping[str, list[list[float]]] = {
    "runway": [[5, 0], [6, 20], [12, 50], [24, 100]],
    "investor_quality": [[1, 0], [2, 60], [3, 100]],
    "lockup_remaining": [[0, 0], [6, 50], [18, 100]],
    "overhang": [[0, 100], [5, 70], [15, 20], [25, 0]],
    "down_round": [[0, 100], [20, 60], [40, 20], [60, 0]],
    "strategic_dependence": [[20, 100], [40, 60], [70, 0]],
    "capital_raised": [[0.5, 0], [2, 50], [10, 100]],
    "listing": [[0, 0], [100, 100]],
}

LOWER_IS_BETTER = ("overhang", "down_round", "strategic_dependence")

HOUSE_WEIGHT = house_policy(
    "what a backer's commitment is worth once it can sell, has marked the company down or "
    "holds it up")

#: The tier every investor of a type has at least (research §6.4; module docstring).
TYPE_TIERS: Mapping[str, float] = {
    InvestorType.STATE_FUND.value: 3.0,
    InvestorType.STRATEGIC.value: 1.0,
    InvestorType.VC.value: 1.0,
    InvestorType.SOVEREIGN.value: 2.0,
    InvestorType.PE.value: 1.0,
    InvestorType.CORNERSTONE.value: 1.0,
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


#: Metrics renamed by issue 16: a configuration naming the old one gets an error naming the new.
RENAMED = {"commitment": "lockup_remaining (lock-up months remaining at the profile's as_of)"}



def _weights(given: Mapping[str, float]) -> dict[str, float]:
    """Converter of ``weights``: the given weights over :data:`WEIGHTS`."""
    return merged_weights(WEIGHTS, renamed=RENAMED)(given)


def _bands(given: BandTable) -> dict[str, Band]:
    """Converter of ``bands``: the given bands over :data:`BANDS`."""
    return merged_bands(BANDS, renamed=RENAMED)(given)


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
    #: The tier every investor of a type has at least (1-3), for a ``tier`` left out or below.
    type_tiers: dict[str, float] = field(factory=dict, converter=_type_tiers)
    #: Raw points of each listing status, before the ``listing`` band (0-100).
    listing_points: dict[str, float] = field(factory=dict, converter=_listing_points)
    #: Interpolate ``capital_raised`` on log10 of the amount between the band's anchors.
    capital_raised_log_scale: bool = field(default=True, validator=_positive_log_anchors)
    #: Months after the profile's ``as_of`` in which an unlock counts as overhang.
    overhang_window_months: float = field(default=6.0, validator=non_negative)


DEFAULTS = InstitutionalBackingSettings()


# -- readers -------------------------------------------------------------------------


def _runway(
    profile: CompanyProfile, _: Context, settings: InstitutionalBackingSettings = DEFAULTS
) -> ReadingRow | None:
    fin = profile.financials
    if fin is None or fin.cash is None or fin.monthly_net_burn is None:
        return None
    paths = ("financials.cash", "financials.monthly_net_burn")
    cash, burn = fin.cash.value, fin.monthly_net_burn.value
    if burn <= 0:
        band: Band = settings.bands["runway"]  # type: ignore[assignment]
        top_x = max(band.points, key=lambda p: p[1])[0]
        return reading(
            top_x, paths, fin.monthly_net_burn.source or fin.source,
            note=f"cash-generative (monthly net burn {whole(burn)} <= 0): top of the band",
            sources=(fin.cash.source or fin.source,),
        )
    months = max(0.0, cash / burn)
    return reading(
        months, paths, fin.cash.source or fin.source,
        note=f"cash {whole(cash)} / monthly net burn {whole(burn)} {fin.currency}",
        sources=(fin.monthly_net_burn.source or fin.source,),
    )


def _tier(inv: Investor, settings: InstitutionalBackingSettings) -> float:
    """Its type's tier (the least any of the type has), raised by a stated one above it."""
    floor = settings.type_tiers[inv.type.value]
    return floor if inv.tier is None else max(float(inv.tier), floor)


def _investor_quality(
    profile: CompanyProfile, context: Context,
    settings: InstitutionalBackingSettings = DEFAULTS,
) -> ReadingRow | None:
    if not profile.investors:
        return None
    items = [(_tier(i, settings), amount_cny(i, context)) for i in profile.investors]
    mean, note = weighted_mean(items, len(profile.investors))
    return reading(
        mean, ("investors.tier", "investors.type", "investors.amount"), note=f"mean tier; {note}",
        sources=tuple(i.source for i in profile.investors),
    )


def _capital_raised(
    profile: CompanyProfile, context: Context,
    settings: InstitutionalBackingSettings = DEFAULTS,
) -> ReadingRow | None:
    amounts = [a for a in (amount_cny(i, context) for i in profile.investors) if a is not None]
    if not amounts:
        return None
    return reading(
        sum(amounts) / 1e9, ("investors.amount",),
        note=f"sum of {len(amounts)} of {len(profile.investors)} investor amount(s), CNY bn",
        sources=tuple(i.source for i in profile.investors if i.amount is not None),
    )


def _listing(
    profile: CompanyProfile, _: Context, settings: InstitutionalBackingSettings = DEFAULTS
) -> ReadingRow | None:
    listing = profile.listing
    if listing is None:
        return None
    status = listing.status.value
    return reading(
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
    return (log10_band(band.points)(math.log10(reading.value)),
            "interpolated on log10 of the amount")


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
        Metric("lockup_remaining", lockup_remaining,
               ("investors.lockup_expiry", "investors.investment_date",
                "investors.lockup_months", "investors.amount", "as_of"),
               source=secondary(f"{RESEARCH}; months left at as_of: house policy")),
        Metric("overhang", overhang,
               ("investors.stake_pct", "investors.lockup_expiry", "investors.investment_date",
                "investors.lockup_months", "as_of"),
               source=house_policy("5% of the shares unlocking costs 30 points, 25% all"),
               weight_source=HOUSE_WEIGHT),
        Metric("down_round", down_round, ("valuation_history",),
               source=house_policy("a 20% fall from the peak costs 40 points, 60% all"),
               weight_source=HOUSE_WEIGHT),
        Metric("strategic_dependence", strategic_dependence,
               ("investors.type", "investors.amount", "investors.revenue_share_pct"),
               source=house_policy("a fifth from one backer is diversified, 70% dependent"),
               weight_source=HOUSE_WEIGHT),
        Metric("capital_raised", _capital_raised, ("investors.amount",), _log_scale,
               source=secondary(RESEARCH)),
        Metric("listing", _listing, ("listing.status",), source=secondary(RESEARCH)),
    ),
    directions={m: ("lower" if m in LOWER_IS_BETTER else "higher") for m in WEIGHTS},
    weights_source=secondary(RESEARCH),
    parameters=(
        Parameter("type_tiers", secondary(f"{RESEARCH}: state funds 3, sovereigns 2, others 1 "
                                          "(a tier of 3 or 2 says hyperscaler, top fund)"),
                  "the tier every investor of a type has at least"),
        Parameter("listing_points", secondary(f"{RESEARCH}: listed 100, filed 60, private 30; "
                                              "subsidiary 60: house policy"),
                  "raw points of each listing status"),
        Parameter("overhang_window_months",
                  house_policy("the next half year, the HKEX six-month lock-up norm"),
                  "months after as_of in which an unlock counts as overhang"),
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
