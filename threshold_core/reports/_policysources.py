"""Where the core's own decision thresholds come from: the line, the FX table, the dimension
weights, the policy, the risk model and the explanation, for ``threshold rules --parameters``.

Each number, date, switch and enumerated choice of the configuration's ``[gate]``, ``[fx]``,
``[dimensions]``, ``[policy]``, ``[risk]`` and ``[explain]`` sections is listed with its
basis, as the scorers' and the rule packs' are; an FX table of the configuration's own shows
its ``source``. ``[limits]`` are time budgets that decide nothing a decision records, and
names and patterns (``[sources]``, a dimension's ``scorer``) are vocabulary, not thresholds:
``threshold config show`` lists every key.
"""

from __future__ import annotations

from typing import Any

from ..kit import Parameter, ParameterSource, house_policy, primary, secondary
from ..kit import settings_parameter_sources as _sources

#: The configuration sections listed, in order.
SECTIONS = ("gate", "fx", "dimensions", "policy", "risk", "explain")

_GRADES = secondary("domain-research §8, the grade table (Q1 >= 85, Q2 75-85, Q3 65-75 "
                    "watch, B 55-65 and NQ < 55 not qualified)")
_VENTURE = secondary("Cochrane, 'The Risk and Return of Venture Capital', Journal of "
                     "Financial Economics 75(1), 2005: volatility of log returns about 89%")
_LISTED = house_policy("newly listed Hong Kong AI-model stocks moved by more than half within "
                       "months of their January 2026 listings")
_BETWEEN = house_policy("between a listed price (0.60) and a private company (0.90)")
_FLOOR = house_policy("a verdict below qualified carries at least medium risk, whatever the "
                      "valuation")
_MONTE_CARLO = secondary("domain-research §8: 1,000 draws with weights ~ Dirichlet(20 w), "
                         "borderline when P(flip) > 0.2")


def _grade(name: str) -> tuple[Parameter, Parameter]:
    return (Parameter(f"grades.{name}.min_score", _GRADES, f"lowest composite of {name}"),
            Parameter(f"grades.{name}.verdict", _GRADES, f"the verdict of {name}"))


PARAMETERS: dict[str, tuple[Parameter, ...]] = {
    "gate": (
        Parameter("line_cny", primary(
            "SSE STAR Market Listing Rules, the fifth listing standard: expected market value "
            "of at least RMB 4bn (domain-research §0)"), "the line, CNY"),
        Parameter("accepted_bases", house_policy(
            "a parent group's market value is not the company's: parent_market_cap is left "
            "out"), "the valuation bases the gate tests"),
        Parameter("refuse_illustrative", house_policy(
            "a made-up, untraceable or cohort figure is not the company's value"),
                  "an illustrative, unsourced (no source, or one matching no pattern) or "
                  "proxy valuation cannot pass"),
        Parameter("require_date", house_policy(
            "the STAR standard's market value is measured at a date"),
            "an undated valuation cannot pass"),
    ),
    "fx": (
        *(Parameter(f"rates.{code}", house_policy(
            "illustrative: close to the seed article's own conversions (June 2026); set "
            "[fx] to the rates of your valuation dates"), f"CNY per {code}")
          for code in ("USD", "HKD", "EUR")),
        Parameter("as_of", house_policy("the date of the illustrative table"),
                  "the table's date (and the evaluation date of a profile without as_of)"),
    ),
    "dimensions": tuple(
        p for d in ("technical_defensibility", "application_stickiness", "regulatory_readiness",
                    "institutional_backing")
        for p in (Parameter(f"{d}.weight", secondary("domain-research §8: equal weights by "
                                                     "default"), f"relative weight of {d}"),
                  Parameter(f"{d}.required", house_policy(
                      "too little data is insufficient data, not a reweighting"),
                      f"{d} below its coverage floor makes the decision insufficient_data"))),
    "policy": (
        Parameter("coverage_floor", secondary(
            "domain-research §8: coverage < 60% in any dimension is insufficient data"),
            "a required dimension's least coverage, 0-1"),
        Parameter("high_cap", secondary(
            "domain-research §8: each high finding caps its dimension at 50"),
            "a high finding's cap on its dimension, points"),
        Parameter("medium_deduction", house_policy(
            "the research's 'point deductions' (§8) name no amount: half a grade band's "
            "width of 10 points"), "a medium finding's deduction, points"),
        Parameter("medium_max_per_pack", house_policy(
            "three medium findings' worth: one pack alone cannot sink a dimension"),
            "most deducted per pack and dimension, points"),
        *(p for name in ("Q1", "Q2", "Q3", "B", "NQ") for p in _grade(name)),
        Parameter("missing_compliance_data", house_policy(
            "omission never helps: an unchecked rule counts at its most severe"),
            "what a rule that could not be evaluated does"),
        Parameter("dimension_floor", house_policy(
            "the line is a filter: a strength in one dimension must not buy out a failing "
            "mark in another"), "a dimension below it allows at most watch, points"),
        Parameter("max_illustrative_share", house_policy(
            "at most a quarter of the case may rest on figures nobody can check"),
            "above it, qualified is held at watch, 0-1"),
    ),
    "risk": (
        Parameter("horizon_months", house_policy("a year"),
                  "horizon of the breach probability, months"),
        Parameter("low_below", house_policy("one chance in five"),
                  "a breach probability below it is low market risk"),
        Parameter("high_from", house_policy("more likely than not"),
                  "a breach probability from it is high market risk"),
        Parameter("haircut.market_cap", house_policy("a market price takes none"),
                  "share taken off before the gate tests it"),
        Parameter("haircut.expected_market_value", house_policy(
            "the STAR standard's own measure takes none"),
            "share taken off before the gate tests it"),
        Parameter("haircut.estimate", house_policy(
            "press and analyst estimates usually restate a last round, rounded, and lag the "
            "market"), "share taken off before the gate tests it"),
        Parameter("haircut.last_round_post_money", secondary(
            "Gornall & Strebulaev, Journal of Financial Economics 135(1), 2020: post-money "
            "48% above fair value on average (1 - 1/1.48)"),
            "share taken off before the gate tests it"),
        Parameter("volatility.basis.market_cap", _LISTED, "annual volatility of log value"),
        Parameter("volatility.basis.expected_market_value", _BETWEEN,
                  "annual volatility of log value"),
        Parameter("volatility.basis.estimate", _BETWEEN, "annual volatility of log value"),
        Parameter("volatility.basis.last_round_post_money", _VENTURE,
                  "annual volatility of log value"),
        Parameter("volatility.listing.listed", _LISTED, "annual volatility of log value"),
        Parameter("volatility.listing.filed", _BETWEEN, "annual volatility of log value"),
        Parameter("volatility.listing.private", _VENTURE, "annual volatility of log value"),
        Parameter("volatility.listing.subsidiary", _VENTURE, "annual volatility of log value"),
        Parameter("volatility.listing.unknown", house_policy("as a private company"),
                  "annual volatility of log value"),
        *(Parameter(f"verdict_floor.{v}", _FLOOR, f"the least risk of {v}")
          for v in ("qualified", "watch", "not_qualified", "insufficient_data")),
        Parameter("critical_floor", house_policy(
            "a critical finding, or a critical rule that lacked its data, is high risk "
            "however rich the company"),
            "the risk of a decision with a critical finding"),
    ),
    "explain": (
        Parameter("fragile_margin_points", secondary(
            "domain-research §8: borderline within 3 points of a cut-off"),
            "a verdict this close to a cut-off is fragile, points"),
        Parameter("monte_carlo_draws", house_policy(
            "off by default: the margin and the one-at-a-time shifts are exact"),
            "weight draws of the Monte Carlo check"),
        Parameter("dirichlet_concentration", _MONTE_CARLO, "concentration of the draws"),
        Parameter("fragile_flip_probability", _MONTE_CARLO,
                  "a verdict flipping in more draws is fragile, 0-1"),
        Parameter("seed", house_policy("any fixed seed: the same seed gives the same result"),
                  "seed of the draws"),
    ),
}


def policy_parameter_sources(config: Any) -> list[ParameterSource]:
    """Every threshold of the core's sections of ``config`` (an ``EngineConfig``) in force,
    with its source: rows of kind ``policy`` named by section."""
    default = type(config)()
    rows: list[ParameterSource] = []
    for section in SECTIONS:
        rows += _sources(section, PARAMETERS[section], getattr(config, section),
                         kind="policy", default=getattr(default, section))
    return rows


