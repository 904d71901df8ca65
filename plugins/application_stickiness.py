"""Application stickiness: do customers stay, pay again and pay more?

A built-in scorer plugin. Each metric maps a raw figure to 0-100 points through
a fixed piecewise-linear band (interpolated between anchors, clamped outside).
Every weight and band is overridable under ``[settings.application_stickiness]``;
``threshold rules --parameters`` lists them with their sources.

=======================  ======  ======================================  =========================
metric                   weight  band (raw -> points)                    source of the band
=======================  ======  ======================================  =========================
ndr                      30      net dollar retention, %: 85->0,         research §6.2; the seed
                                 100->40, 110->60, 120->80, 140->100     article's 85% / 120%
                                                                         averages; IPO median 114%
gdr                      15      gross dollar retention, %: 50->0,       research §6.2 (healthy
                                 80->30, 90->70, 100->100                >= 80, premium >= 90);
                                                                         the 50->0 floor is ours
recurring_revenue_share  15      subscription + usage/API share of       research §6.2 (one-off
                                 ``financials.revenue_mix``, %:          on-prem projects are
                                 0->0, 50->50, 80->100                   excluded)
customer_concentration   10      top-5 customer share of revenue, %      research §6.2
                                 (lower is better): 20->100, 40->50,
                                 60->0
gross_margin             15      %: 0->0, 30->40, 50->70, 70->100        research §6.2
rule_of_40               15      revenue growth % + FCF margin %:        research §3.2 / §6.2;
                                 0->0, 40->60, 60->90, 80->100           §6.2 steps from 90 to
                                                                         100 at 60, the band rises
                                                                         smoothly to 100 at 80
=======================  ======  ======================================  =========================

What counts as data:

* ``recurring_revenue_share`` needs a ``financials.revenue_mix`` with at least
  one share; shares the mix leaves out count as 0 (the mix lists what the
  company sells). Consumer-app revenue is not counted as recurring.
* ``rule_of_40`` needs both ``revenue_growth_pct`` and ``fcf_margin_pct``.
* Revenue per customer is not scored: contract values are not comparable
  across API and on-premise models (research §6.2).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from attrs import field, frozen

from threshold_core import hookimpl
from threshold_core.kit import (
    Band,
    BandTable,
    Metric,
    MetricScorer,
    Reading,
    figure_reading,
    merged_bands,
    merged_weights,
    secondary,
)
from threshold_core.model import CompanyProfile, Context

NAME = DIMENSION = "application_stickiness"
RESEARCH = "domain-research §6.2"

WEIGHTS: Mapping[str, float] = {
    "ndr": 30.0,
    "gdr": 15.0,
    "recurring_revenue_share": 15.0,
    "customer_concentration": 10.0,
    "gross_margin": 15.0,
    "rule_of_40": 15.0,
}

BANDS: Mapping[str, list[list[float]]] = {
    "ndr": [[85, 0], [100, 40], [110, 60], [120, 80], [140, 100]],
    "gdr": [[50, 0], [80, 30], [90, 70], [100, 100]],
    "recurring_revenue_share": [[0, 0], [50, 50], [80, 100]],
    "customer_concentration": [[20, 100], [40, 50], [60, 0]],
    "gross_margin": [[0, 0], [30, 40], [50, 70], [70, 100]],
    "rule_of_40": [[0, 0], [40, 60], [60, 90], [80, 100]],
}

DIRECTIONS: Mapping[str, str] = {
    **{m: "higher" for m in WEIGHTS},
    "customer_concentration": "lower",
}


def _weights(given: Mapping[str, float]) -> dict[str, float]:
    """Converter of ``weights``: the given weights over :data:`WEIGHTS`."""
    return merged_weights(WEIGHTS)(given)


def _bands(given: BandTable) -> dict[str, Band]:
    """Converter of ``bands``: the given bands over :data:`BANDS`."""
    return merged_bands(BANDS)(given)


@frozen
class ApplicationStickinessSettings:
    """``[settings.application_stickiness]``."""

    #: Metric weights inside the dimension (partial tables override the defaults).
    weights: dict[str, float] = field(factory=dict, converter=_weights)
    #: Bands as ``[[raw, points], ...]`` (partial tables override the defaults).
    bands: dict[str, list[list[float]]] = field(factory=dict, converter=_bands)


def _ndr(profile: CompanyProfile, _: Context, _settings: Any = None) -> Reading | None:
    cust = profile.customers
    if cust is None:
        return None
    return figure_reading(cust.ndr_pct, "customers.ndr_pct", cust.source)


def _gdr(profile: CompanyProfile, _: Context, _settings: Any = None) -> Reading | None:
    cust = profile.customers
    if cust is None:
        return None
    return figure_reading(cust.gdr_pct, "customers.gdr_pct", cust.source)


def _recurring(profile: CompanyProfile, _: Context, _settings: Any = None) -> Reading | None:
    fin = profile.financials
    if fin is None or fin.revenue_mix is None:
        return None
    mix = fin.revenue_mix
    shares = {
        name: getattr(mix, name)
        for name in (
            "subscription_pct", "usage_api_pct", "project_on_prem_pct", "consumer_app_pct",
            "other_pct",
        )
    }
    if all(v is None for v in shares.values()):
        return None
    recurring = [shares["subscription_pct"], shares["usage_api_pct"]]
    value = sum(f.value for f in recurring if f is not None)
    sources = [f.source for f in recurring if f is not None and f.source]
    return Reading(
        value,
        ("financials.revenue_mix.subscription_pct", "financials.revenue_mix.usage_api_pct"),
        sources[0] if sources else fin.source,
        note="subscription + usage/API share of revenue",
    )


def _concentration(profile: CompanyProfile, _: Context, _settings: Any = None) -> Reading | None:
    fin = profile.financials
    if fin is None:
        return None
    return figure_reading(
        fin.top5_customer_share_pct, "financials.top5_customer_share_pct", fin.source
    )


def _gross_margin(profile: CompanyProfile, _: Context, _settings: Any = None) -> Reading | None:
    fin = profile.financials
    if fin is None:
        return None
    return figure_reading(fin.gross_margin_pct, "financials.gross_margin_pct", fin.source)


def _rule_of_40(profile: CompanyProfile, _: Context, _settings: Any = None) -> Reading | None:
    fin = profile.financials
    if fin is None or fin.revenue_growth_pct is None or fin.fcf_margin_pct is None:
        return None
    growth, fcf = fin.revenue_growth_pct.value, fin.fcf_margin_pct.value
    return Reading(
        growth + fcf,
        ("financials.revenue_growth_pct", "financials.fcf_margin_pct"),
        fin.revenue_growth_pct.source or fin.source,
        note=f"growth {growth:g}% + FCF margin {fcf:g}%",
    )


SCORER = MetricScorer(
    name=NAME,
    dimension=DIMENSION,
    metrics=(
        Metric("ndr", _ndr, ("customers.ndr_pct",), source=secondary(RESEARCH)),
        Metric("gdr", _gdr, ("customers.gdr_pct",),
               source=secondary(f"{RESEARCH}; 50→0: house policy")),
        Metric(
            "recurring_revenue_share", _recurring,
            ("financials.revenue_mix.subscription_pct", "financials.revenue_mix.usage_api_pct"),
            source=secondary(RESEARCH),
        ),
        Metric(
            "customer_concentration", _concentration, ("financials.top5_customer_share_pct",),
            source=secondary(RESEARCH),
        ),
        Metric("gross_margin", _gross_margin, ("financials.gross_margin_pct",),
               source=secondary(RESEARCH)),
        Metric(
            "rule_of_40", _rule_of_40,
            ("financials.revenue_growth_pct", "financials.fcf_margin_pct"),
            source=secondary(f"{RESEARCH}, §3.2; 80→100 (no step at 60): house policy"),
        ),
    ),
    directions=DIRECTIONS,
    weights_source=secondary(RESEARCH),
)


@hookimpl
def threshold_register_scorers(register: Any) -> None:
    register(SCORER)


@hookimpl
def threshold_settings_types() -> dict[str, type]:
    return {NAME: ApplicationStickinessSettings}
