"""Application stickiness: do customers stay, pay again, pay more, and from more than one place?

A built-in scorer plugin. Each metric maps a raw figure to 0-100 points through
a fixed piecewise-linear band (interpolated between anchors, clamped outside).
Every weight, band and setting is overridable under
``[settings.application_stickiness]``; ``threshold rules --parameters`` lists
them with their sources. The seed article measures stickiness by "revenue per
customer and churn rate" and tells MiniMax's story as one of revenue
"heavily concentrated in the entertainment sector".

======================  ======  =======================================  ========================
metric                  weight  band (raw -> points)                     source of the band
======================  ======  =======================================  ========================
ndr                     30      net dollar retention, %: 85->0,          research §6.2; the seed
                                100->40, 110->60, 120->80, 140->100      article's 85% / 120%
                                                                         averages; IPO median 114%
gdr                     15      gross dollar retention, %: 50->0,        research §6.2 (healthy
                                80->30, 90->70, 100->100                 >= 80, premium >= 90);
                                                                         the 50->0 floor is ours
logo_churn              15*     customers lost in 12 months, % (lower    house policy (GDR's
                                is better): 5->100, 10->70, 20->30,      healthy 80 / premium 90
                                35->0                                    read as logo losses)
enterprise_customers    5*      paying enterprise customers, on log10:   house policy
                                10->0, 100->50, 1000->100
revenue_per_customer    15*     revenue per paying customer as a         research §6.2 (log scale
                                multiple of its segment's reference      against a frozen reference
                                (below), on log10: 0.1->0, 1->50,        table); the references:
                                10->100                                  house policy
recurring_revenue_share 15      subscription + usage/API share of        research §6.2 (one-off
                                ``financials.revenue_mix``, %:           on-prem projects are
                                0->0, 50->50, 80->100                    excluded)
customer_concentration  10      top-5 customer share of revenue, %       research §6.2
                                (lower is better): 20->100, 40->50,
                                60->0
vertical_concentration  15*     HHI of ``verticals[].revenue_share_pct`` house policy; the DOJ/FTC
                                (0-1, lower is better): 0.2->100,        Merger Guidelines (2023)
                                0.5->50, 1->0                            call an HHI above 0.18
                                                                         highly concentrated
gross_margin            15      %: 0->0, 30->40, 50->70, 70->100         research §6.2
rule_of_40              15      revenue growth % + operating cash flow   research §3.2 / §6.2;
                                margin %: 0->0, 40->60, 60->90, 80->100  §6.2 steps from 90 to
                                                                         100 at 60, the band rises
                                                                         smoothly to 100 at 80
======================  ======  =======================================  ========================

Weights: research §6.2 gives 30 / 15 / 15 / 10 / 15 / 15 for the six metrics it
names; the four marked * are house policy (the article names churn and revenue
per customer as the measures of stickiness, and vertical concentration is its
MiniMax case; the customer count only qualifies revenue per customer).

What counts as data:

* ``logo_churn`` reads ``customers.logo_churn_pct``; ``enterprise_customers``
  reads ``customers.enterprise_customers`` (a count of 0 scores 0).
* ``revenue_per_customer`` reads ``customers.segments`` (``enterprise``,
  ``developer``, ``consumer``: each segment's share of ``financials.revenue``
  and its paying customers) and ``financials.revenue`` converted to CNY. Each
  segment's revenue per customer is divided by its reference
  (``segment_reference_cny``, house policy: enterprise CNY 1m a year, a
  mid-size on-premise or platform contract; developer CNY 10,000, a paying API
  account; consumer CNY 300, a CNY 25-a-month subscription), and the multiples
  are averaged on log10, weighted by revenue share. Contract values are not
  comparable across API and on-premise models (research §6.2); within a
  segment they are. A segment with no customers is left out (the note says so).
* ``vertical_concentration`` is the Herfindahl-Hirschman index of the
  verticals' revenue shares, each share taken over the shares listed (1 for
  one vertical, 1/n for n equal ones). Every listed vertical must give its
  share, else it is no data: an unknown share could be the largest.
* ``rule_of_40`` is revenue growth plus ``financials.operating_cash_flow`` over
  ``financials.revenue`` (both in the section's currency). Not free cash flow
  and never net loss: a net loss carries non-cash items. Below
  ``rule_of_40_min_revenue_usd`` of revenue (USD 10m, research §3.2: "not
  meaningful for companies under about $10m ARR"), converted with the FX
  table, it is no data, as it is without any of the three figures.
* A figure whose source is a cohort average is reported and not scored.
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
    Parameter,
    ReadingRow,
    house_policy,
    merged_bands,
    merged_weights,
    non_negative,
    reading,
    secondary,
)
from threshold_core.model import CompanyProfile, Context, Segment

from ._stickiness_terms import (
    log_scale,
    revenue_per_customer,
    rule_of_40,
    vertical_concentration,
)

NAME = DIMENSION = "application_stickiness"
RESEARCH = "domain-research §6.2"

WEIGHTS: Mapping[str, float] = {
    "ndr": 30.0,
    "gdr": 15.0,
    "logo_churn": 15.0,
    "enterprise_customers": 5.0,
    "revenue_per_customer": 15.0,
    "recurring_revenue_share": 15.0,
    "customer_concentration": 10.0,
    "vertical_concentration": 15.0,
    "gross_margin": 15.0,
    "rule_of_40": 15.0,
}

BANDS: Mapping[str, list[list[float]]] = {
    "ndr": [[85, 0], [100, 40], [110, 60], [120, 80], [140, 100]],
    "gdr": [[50, 0], [80, 30], [90, 70], [100, 100]],
    "logo_churn": [[5, 100], [10, 70], [20, 30], [35, 0]],
    "enterprise_customers": [[10, 0], [100, 50], [1000, 100]],
    "revenue_per_customer": [[0.1, 0], [1, 50], [10, 100]],
    "recurring_revenue_share": [[0, 0], [50, 50], [80, 100]],
    "customer_concentration": [[20, 100], [40, 50], [60, 0]],
    "vertical_concentration": [[0.2, 100], [0.5, 50], [1, 0]],
    "gross_margin": [[0, 0], [30, 40], [50, 70], [70, 100]],
    "rule_of_40": [[0, 0], [40, 60], [60, 90], [80, 100]],
}

#: Bands interpolated on log10 of the raw figure (their anchors must be above 0).
LOG_BANDS = ("enterprise_customers", "revenue_per_customer")

LOWER_IS_BETTER = ("logo_churn", "customer_concentration", "vertical_concentration")
DIRECTIONS: Mapping[str, str] = {
    m: ("lower" if m in LOWER_IS_BETTER else "higher") for m in WEIGHTS
}

#: Revenue per paying customer a year, CNY, that scores 50 in each segment (house policy).
SEGMENT_REFERENCE_CNY: Mapping[str, float] = {
    Segment.ENTERPRISE.value: 1_000_000.0,
    Segment.DEVELOPER.value: 10_000.0,
    Segment.CONSUMER.value: 300.0,
}

HOUSE_WEIGHT = house_policy(
    "the seed article measures stickiness by revenue per customer and churn, and its "
    "MiniMax case is vertical concentration; the customer count only qualifies them")


def _weights(given: Mapping[str, float]) -> dict[str, float]:
    """Converter of ``weights``: the given weights over :data:`WEIGHTS`."""
    return merged_weights(WEIGHTS)(given)


def _bands(given: BandTable) -> dict[str, Band]:
    """Converter of ``bands``: the given bands over :data:`BANDS`."""
    return merged_bands(BANDS)(given)


def _positive_log_anchors(instance: Any, attribute: Any, value: dict[str, Band]) -> None:
    for name in LOG_BANDS:
        if value[name].points[0][0] <= 0:
            raise ValueError(f"band {name!r}: anchors must be above 0 (the band is on log10)")


def _references(given: Mapping[str, float]) -> dict[str, float]:
    unknown = sorted(set(given) - set(SEGMENT_REFERENCE_CNY))
    if unknown:
        raise ValueError(
            f"unknown segment {', '.join(map(repr, unknown))} in segment_reference_cny "
            f"(known: {', '.join(SEGMENT_REFERENCE_CNY)})"
        )
    merged = {**SEGMENT_REFERENCE_CNY, **given}
    for key, value in merged.items():
        if not value > 0:
            raise ValueError(f"segment_reference_cny.{key} must be above 0, got {value:g}")
    return merged


@frozen
class ApplicationStickinessSettings:
    """``[settings.application_stickiness]``."""

    #: Metric weights inside the dimension (partial tables override the defaults).
    weights: dict[str, float] = field(factory=dict, converter=_weights)
    #: Bands as ``[[raw, points], ...]`` (partial tables override the defaults). The
    #: ``enterprise_customers`` and ``revenue_per_customer`` bands are on log10: anchors above 0.
    bands: dict[str, list[list[float]]] = field(
        factory=dict, converter=_bands, validator=_positive_log_anchors)
    #: Revenue per paying customer a year, CNY, that is worth 1x in each segment.
    segment_reference_cny: dict[str, float] = field(factory=dict, converter=_references)
    #: Below this revenue (USD, converted with the FX table) the Rule of 40 is no data.
    rule_of_40_min_revenue_usd: float = field(default=10e6, validator=non_negative)


DEFAULTS = ApplicationStickinessSettings()


def _figure(fig: Any, path: str, section_source: str | None = None) -> ReadingRow | None:
    """``figure_reading`` as :func:`reading`'s tuple (the faster return)."""
    if fig is None:
        return None
    return reading(fig.value, (path,), fig.source or section_source)


def _ndr(profile: CompanyProfile, _: Context, _settings: Any = None) -> ReadingRow | None:
    cust = profile.customers
    if cust is None:
        return None
    return _figure(cust.ndr_pct, "customers.ndr_pct", cust.source)


def _gdr(profile: CompanyProfile, _: Context, _settings: Any = None) -> ReadingRow | None:
    cust = profile.customers
    if cust is None:
        return None
    return _figure(cust.gdr_pct, "customers.gdr_pct", cust.source)


def _logo_churn(profile: CompanyProfile, _: Context, _settings: Any = None) -> ReadingRow | None:
    cust = profile.customers
    if cust is None:
        return None
    return _figure(cust.logo_churn_pct, "customers.logo_churn_pct", cust.source)


def _enterprise_customers(
    profile: CompanyProfile, _: Context, _settings: Any = None
) -> ReadingRow | None:
    cust = profile.customers
    if cust is None:
        return None
    return _figure(cust.enterprise_customers, "customers.enterprise_customers",
                          cust.source)


def _recurring(profile: CompanyProfile, _: Context, _settings: Any = None) -> ReadingRow | None:
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
    return reading(
        value,
        ("financials.revenue_mix.subscription_pct", "financials.revenue_mix.usage_api_pct"),
        sources[0] if sources else fin.source,
        note="subscription + usage/API share of revenue",
    )


def _concentration(profile: CompanyProfile, _: Context, _settings: Any = None) -> ReadingRow | None:
    fin = profile.financials
    if fin is None:
        return None
    return _figure(
        fin.top5_customer_share_pct, "financials.top5_customer_share_pct", fin.source
    )


def _gross_margin(profile: CompanyProfile, _: Context, _settings: Any = None) -> ReadingRow | None:
    fin = profile.financials
    if fin is None:
        return None
    return _figure(fin.gross_margin_pct, "financials.gross_margin_pct", fin.source)


SCORER = MetricScorer(
    name=NAME,
    dimension=DIMENSION,
    metrics=(
        Metric("ndr", _ndr, ("customers.ndr_pct",), source=secondary(RESEARCH)),
        Metric("gdr", _gdr, ("customers.gdr_pct",),
               source=secondary(f"{RESEARCH}; 50→0: house policy")),
        Metric("logo_churn", _logo_churn, ("customers.logo_churn_pct",),
               source=house_policy("GDR's healthy 80% / premium 90% (research §3.2) as "
                                   "logo losses"),
               weight_source=HOUSE_WEIGHT),
        Metric("enterprise_customers", _enterprise_customers,
               ("customers.enterprise_customers",), log_scale("enterprise_customers"),
               source=house_policy("a tenfold step in paying enterprises is worth 50 points"),
               weight_source=HOUSE_WEIGHT),
        Metric("revenue_per_customer", revenue_per_customer,
               ("customers.segments", "financials.revenue"), log_scale("revenue_per_customer"),
               source=secondary(f"{RESEARCH}: log scale against a reference table; the "
                                "references: house policy"),
               weight_source=HOUSE_WEIGHT),
        Metric(
            "recurring_revenue_share", _recurring,
            ("financials.revenue_mix.subscription_pct", "financials.revenue_mix.usage_api_pct"),
            source=secondary(RESEARCH),
        ),
        Metric(
            "customer_concentration", _concentration, ("financials.top5_customer_share_pct",),
            source=secondary(RESEARCH),
        ),
        Metric("vertical_concentration", vertical_concentration,
               ("verticals.revenue_share_pct",),
               source=house_policy("one vertical 0, two equal 50, five 100 (DOJ/FTC Merger "
                                   "Guidelines 2023: above 0.18 is highly concentrated)"),
               weight_source=HOUSE_WEIGHT),
        Metric("gross_margin", _gross_margin, ("financials.gross_margin_pct",),
               source=secondary(RESEARCH)),
        Metric(
            "rule_of_40", rule_of_40,
            ("financials.revenue_growth_pct", "financials.operating_cash_flow",
             "financials.revenue"),
            source=secondary(f"{RESEARCH}, §3.2; 80→100 (no step at 60): house policy"),
        ),
    ),
    directions=DIRECTIONS,
    weights_source=secondary(RESEARCH),
    parameters=(
        Parameter("segment_reference_cny",
                  house_policy("enterprise: a mid-size on-premise or platform contract; "
                               "developer: a paying API account; consumer: CNY 25 a month"),
                  "revenue per paying customer a year (CNY) worth 1x, by segment"),
        Parameter("rule_of_40_min_revenue_usd",
                  secondary("domain-research §3.2: the Rule of 40 is not meaningful under "
                            "about $10m ARR"),
                  "revenue below which the Rule of 40 is no data (USD)"),
    ),
)


@hookimpl
def threshold_register_scorers(register: Any) -> None:
    register(SCORER)


@hookimpl
def threshold_settings_types() -> dict[str, type]:
    return {NAME: ApplicationStickinessSettings}
