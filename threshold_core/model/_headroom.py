"""Headroom above the line and the risk of falling below it.

The article's "risk of falling below the line" is a property of the valuation:
how far it sits above the line, how reliable its basis is and how much such
values move. This module computes it from the gate's valuation:

* **Haircut.** The valuation the gate tests is the stated valuation in CNY
  times ``1 - haircut[basis]``. A last-round post-money valuation overstates
  fair value: Gornall and Strebulaev, "Squaring Venture Capital Valuations with
  Reality", *Journal of Financial Economics* 135(1), 2020, find post-money
  valuations of US unicorns 48% above the fair value of their shares on average
  (fair = post-money / 1.48, a haircut of about 0.32). An estimate (a press or
  analyst figure) takes 0.25 (house policy: such estimates usually restate a
  last round, rounded, and lag the market). Market capitalisation and the STAR
  Market's expected market value take none.
* **Cushion** = tested valuation / line; the **fall that breaches the line** is
  ``1 - line / tested`` (a 42% fall takes 6.9bn to 4.0bn).
* **Probability of breaching within the horizon** (default 12 months): the
  valuation follows a driftless geometric Brownian motion (a martingale: its
  expected value is today's value; log drift ``-sigma^2 / 2``), and a breach is
  the first time it touches the line (first passage, not only the value at the
  horizon). With ``b = ln(line / V) < 0``, ``nu = -sigma^2 / 2`` and ``T`` in
  years::

      P = N((b - nu T) / (sigma sqrt T)) + (V / line) N((b + nu T) / (sigma sqrt T))

  (the reflection principle with drift; Shreve, *Stochastic Calculus for
  Finance II*, 2004, §7.2.2). ``N`` is the standard normal distribution function,
  ``N(x) = (1 + erf(x / sqrt 2)) / 2``: what :class:`statistics.NormalDist` computes,
  operation for operation.
* **Volatility** ``sigma`` is the larger of the value for the valuation's basis
  and for the listing status (a valuation is only as certain as the weaker of
  the two). Private and subsidiary: 0.90 a year, from Cochrane, "The Risk and
  Return of Venture Capital", *Journal of Financial Economics* 75(1), 2005
  (volatility of log returns of venture-backed companies about 89%). Listed
  market capitalisation: 0.60 (house policy: newly listed Hong Kong AI-model
  stocks moved by more than half within months of their January 2026 listings).
  Filed for listing and the expected market value: 0.75 (house policy: between
  the two). An estimate: 0.75 (house policy).
* **Market risk** from the probability: below ``low_below`` (0.20) ``low``;
  from ``high_from`` (0.50, more likely than not) ``high``; ``medium`` between
  (house policy).
* **Risk** combines it with the verdict: the worse of the market risk and a
  floor per verdict (``not_qualified`` and ``insufficient_data`` at least
  ``medium``); any critical finding makes it ``high`` however rich the company
  (house policy). A valuation below the line is ``high``; a valuation the gate
  could not test (none, a parent's market cap, illustrative) or an ``error``
  verdict is ``unknown``.

Every number is in ``[risk]`` of the configuration.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from attrs import field, frozen

from ..errors import Problem
from ._assessment import is_assumed
from ._builders import positional_builder
from ._market import (
    ListingStatus,
    ValuationBasis,
)
from ._outcomes import (
    MODEL,
    Finding,
    Headroom,
    Risk,
    Severity,
    Verdict,
)
from ._shown import format_against, format_percent

#: ``Headroom(*every field)``, without attrs' generic ``__init__`` (one per decision).
_headroom = positional_builder(Headroom)
_RISK_ORDER = {Risk.LOW: 0, Risk.MEDIUM: 1, Risk.HIGH: 2}


def _default_haircut() -> dict[str, float]:
    return {
        "market_cap": 0.0,
        "expected_market_value": 0.0,
        "estimate": 0.25,
        "last_round_post_money": 0.32,
    }


def _default_basis_volatility() -> dict[str, float]:
    return {
        "market_cap": 0.60,
        "expected_market_value": 0.75,
        "estimate": 0.75,
        "last_round_post_money": 0.90,
    }


def _default_listing_volatility() -> dict[str, float]:
    return {"listed": 0.60, "filed": 0.75, "private": 0.90, "subsidiary": 0.90, "unknown": 0.90}


def _default_floors() -> dict[str, Risk]:
    return {
        "qualified": Risk.LOW,
        "watch": Risk.LOW,
        "not_qualified": Risk.MEDIUM,
        "insufficient_data": Risk.MEDIUM,
    }


@frozen
class RiskVolatility:
    """Annual volatility of the valuation's logarithm (0.6 = 60% a year)."""

    #: Per valuation basis (see the module docstring for sources).
    basis: dict[str, float] = field(factory=_default_basis_volatility)
    #: Per listing status; ``unknown`` when the profile has no listing section.
    listing: dict[str, float] = field(factory=_default_listing_volatility)


@frozen
class RiskConfig:
    """The risk of falling below the line (``[risk]``)."""

    #: Horizon of the breach probability, in calendar months.
    horizon_months: int = 12
    #: A breach probability below this is low market risk (house policy).
    low_below: float = 0.20
    #: A breach probability at or above this is high market risk (house policy).
    high_from: float = 0.50
    #: Share taken off the stated valuation per basis before the gate tests it.
    haircut: dict[str, float] = field(factory=_default_haircut)
    volatility: RiskVolatility = field(factory=RiskVolatility)
    #: The least risk each verdict allows (house policy).
    verdict_floor: dict[str, Risk] = field(factory=_default_floors)
    #: The risk of a decision with a critical finding, or with a critical rule that lacked its
    #: data (it could have found one; house policy).
    critical_floor: Risk = Risk.HIGH


_SQRT2 = math.sqrt(2.0)


def _standard_normal_cdf(x: float) -> float:
    """``statistics.NormalDist().cdf(x)`` to the last bit (its formula with mean 0 and
    deviation 1, without importing :mod:`statistics`: fractions, decimal and random,
    about 4 ms of a command's start-up)."""
    return 0.5 * (1.0 + math.erf(x / _SQRT2))


def breach_probability(value: float, line: float, sigma: float, years: float) -> float:
    """Probability that a driftless GBM starting at ``value`` touches ``line`` within ``years``.

    1.0 when ``value`` is at or below the line; 0.0 for zero volatility or horizon.
    """
    if value <= line:
        return 1.0
    if sigma <= 0 or years <= 0:
        return 0.0
    b = math.log(line / value)
    nu = -0.5 * sigma * sigma
    st = sigma * math.sqrt(years)
    n = _standard_normal_cdf
    p = n((b - nu * years) / st) + (value / line) * n((b + nu * years) / st)
    return min(1.0, max(0.0, p))


def haircut_for(basis: str | None, config: RiskConfig) -> float:
    return config.haircut.get(basis or "", 0.0)


def volatility_for(basis: str | None, listing: str | None, config: RiskConfig) -> float:
    """The larger of the basis's and the listing status's volatility."""
    vb = config.volatility.basis.get(basis or "")
    table = config.volatility.listing
    vl = table.get(listing or "unknown", table.get("unknown"))
    if vb is None:
        return vl if vl is not None else 0.0
    if vl is None:
        return vb
    return vl if vl > vb else vb  # max(vb, vl)


#: Enum members the hot path compares with, as module names: on Python 3.11 each
#: ``Enum.MEMBER`` is a lookup through the enum class's ``__getattr__`` hook.
_RISK_HIGH = Risk.HIGH
_RISK_LOW = Risk.LOW
_RISK_MEDIUM = Risk.MEDIUM
_RISK_UNKNOWN = Risk.UNKNOWN
_SEVERITY_CRITICAL = Severity.CRITICAL
_VERDICT_ERROR = Verdict.ERROR


def market_risk(probability: float, config: RiskConfig) -> Risk:
    if probability >= config.high_from:
        return _RISK_HIGH
    if probability < config.low_below:
        return _RISK_LOW
    return _RISK_MEDIUM


def _worse(a: Risk, b: Risk) -> Risk:
    return a if _RISK_ORDER.get(a, -1) >= _RISK_ORDER.get(b, -1) else b


def assess(
    *,
    line_cny: float,
    valuation_cny: float | None,
    basis: str | None,
    listing: str | None,
    gate_testable: bool,
    verdict: Verdict,
    findings: Sequence[Finding],
    config: RiskConfig,
) -> Headroom:
    """The headroom and the risk of falling below the line for one decision.

    ``gate_testable`` is False when the gate could not test the valuation (none, a parent
    group's market capitalisation, an illustrative figure): the risk is then ``unknown``.
    """
    months = config.horizon_months
    if valuation_cny is None or not gate_testable:
        why = "no valuation" if valuation_cny is None else "the gate could not test the valuation"
        return Headroom(
            line_cny=line_cny, valuation_cny=valuation_cny, basis=basis,
            horizon_months=months, summary=f"{why}: headroom unknown",
            reasons=(f"{why}: risk unknown",),
        )
    cut = haircut_for(basis, config)
    tested = valuation_cny * (1.0 - cut)
    sigma = volatility_for(basis, listing, config)
    p = breach_probability(tested, line_cny, sigma, months / 12.0)
    fall: float | None = (1.0 - line_cny / tested) * 100.0 if tested > 0 else -100.0
    if fall is not None and not math.isfinite(fall):
        fall = None  # a valuation too small for the rise to the line to be a float (5e-324)
    mrisk = _RISK_HIGH if tested < line_cny else market_risk(p, config)
    reasons = []
    if tested < line_cny:
        # how far below, as a share of the line (1bn tested against 4bn is 75% below)
        below = (1.0 - tested / line_cny) * 100.0 if line_cny > 0 else 100.0
        summary = f"the tested valuation is {_share(below)}% below the line"
        reasons.append("below the line: high")
    else:
        room = (f"a {_share(fall or 0.0)}% fall in value would breach the line" if tested > line_cny
                else "at the line: any fall in value would breach it")
        chance = _pct(p, config)
        summary = f"{room}; {chance} chance within {months} months"
        reasons.append(
            f"breach probability {chance} (sigma {_sigma(sigma)}, "
            f"haircut {format_percent(cut, (cut,))}): "
            f"market risk {mrisk}"
        )
    risk = mrisk
    if verdict is _VERDICT_ERROR:
        risk = _RISK_UNKNOWN
        reasons.append("a component failed: risk unknown")
    else:
        floor = config.verdict_floor.get(str(verdict))
        if floor is not None and _worse(floor, risk) is not risk:
            risk = floor
            reasons.append(f"verdict {verdict} allows no less than {floor}")
        # A critical finding fails the company however rich; a critical rule that lacked its
        # data could have found one, so until researched it sets the same floor (omission
        # never lowers the risk).
        found: list[str] = []
        unchecked: list[str] = []
        for f in findings:  # one loop, not two comprehensions (functions made per call)
            if f.severity is _SEVERITY_CRITICAL:
                (unchecked if is_assumed(f) else found).append(f.rule)
        if (found or unchecked) and _worse(config.critical_floor, risk) is not risk:
            risk = config.critical_floor
            if found:
                reasons.append(
                    f"critical finding {', '.join(found)}: {config.critical_floor} however rich")
            if unchecked:
                rules = "rule" if len(unchecked) == 1 else "rules"
                reasons.append(
                    f"critical {rules} {', '.join(unchecked)} lacked data: "
                    f"{config.critical_floor} until researched")
    # Unrounded: the risk bands and the line compare these (reports round them).
    return _headroom(line_cny, valuation_cny, basis, cut, tested, tested / line_cny, fall,
                     months, sigma, p, mrisk, risk, MODEL, summary, tuple(reasons))


def _share(percent: float) -> str:
    """A positive percentage (0-100) in whole numbers, or with the digits that keep it off
    0 and 100: a valuation 0.2% above the line is never "a 0% fall" from it, nor one 99.7%
    below it "100% below"."""
    for d in range(0, 16):
        shown = round(percent, d)
        if 0 < shown < 100 or shown == percent:
            return f"{shown:.{d}f}"
    return repr(percent)


def _sigma(sigma: float) -> str:
    """A volatility with two decimals, or the digits that keep it off 0 when it is not 0."""
    return f"{sigma:.2f}" if sigma >= 0.005 or sigma == 0 else format_against(sigma, (), 2)


def _pct(p: float, config: RiskConfig) -> str:
    """A probability as a whole percentage, with more digits where rounding would show it
    onto or across a risk band's edge (``low_below``, ``high_from``) it is not equal to,
    or at 0% or 100% when it is neither (:func:`format_percent`)."""
    if 0 < p < 0.01 and config.low_below >= 0.01:
        return "under 1%"
    if 0.99 < p < 1 and config.high_from <= 0.99:
        return "over 99%"  # not certain: never shown as 100%
    return format_percent(p, (config.low_below, config.high_from))


def check_risk(cfg: RiskConfig, root: str = "$.risk") -> list[Problem]:
    """Problems with a ``[risk]`` section, each naming its path."""
    problems = []
    if cfg.horizon_months <= 0:
        problems.append(Problem(f"{root}.horizon_months", "must be a positive number of months"))
    for key in ("low_below", "high_from"):
        v = getattr(cfg, key)
        if not 0.0 <= v <= 1.0:
            problems.append(Problem(f"{root}.{key}", "must be a probability between 0 and 1"))
    if cfg.low_below > cfg.high_from:
        problems.append(Problem(f"{root}.low_below", "must not exceed high_from"))
    bases = {str(b) for b in ValuationBasis}
    statuses = {str(s) for s in ListingStatus} | {"unknown"}
    for table, known in (("haircut", bases), ("volatility.basis", bases),
                         ("volatility.listing", statuses)):
        obj = cfg.haircut if table == "haircut" else getattr(cfg.volatility, table.split(".")[1])
        for key in obj:
            if key not in known:
                problems.append(Problem(f"{root}.{table}.{key}",
                                        f"unknown key (known: {', '.join(sorted(known))})"))
    for basis, h in cfg.haircut.items():
        if not 0.0 <= h < 1.0:
            problems.append(Problem(f"{root}.haircut.{basis}", "must be at least 0 and below 1"))
    for table in ("basis", "listing"):
        for key, v in getattr(cfg.volatility, table).items():
            if not 0.0 <= v <= 5.0:
                problems.append(
                    Problem(f"{root}.volatility.{table}.{key}",
                            "must be an annual volatility between 0 and 5")
                )
    for key, r in cfg.verdict_floor.items():
        if key not in {str(v) for v in Verdict if v is not Verdict.ERROR}:
            problems.append(Problem(f"{root}.verdict_floor.{key}", "not a verdict"))
        elif r is Risk.UNKNOWN:
            problems.append(Problem(f"{root}.verdict_floor.{key}", "must be low, medium or high"))
    if cfg.critical_floor is Risk.UNKNOWN:
        problems.append(Problem(f"{root}.critical_floor", "must be low, medium or high"))
    return problems
