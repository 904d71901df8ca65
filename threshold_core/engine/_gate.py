"""The gate and the money: a valuation against the line, every amount in CNY.

:func:`gate_result` converts the valuation at the FX row of its date and tests it
against ``[gate] line_cny`` under the basis policy and haircuts of the
configuration; :func:`headroom_of` says how far above the line it sits;
:func:`check_money` refuses a profile whose currencies the FX table lacks or
whose amounts, in CNY, are not finite or beyond :data:`MAX_CNY`.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Sequence
from datetime import date
from typing import Any

from ..errors import InputError, Problem
from ..model import (
    CompanyProfile,
    EngineConfig,
    Finding,
    GateResult,
    Headroom,
    SourceGrade,
    ValuationBasis,
    Verdict,
    assess,
    bn_against,
    fold,
    format_against,
    format_percent,
    format_significant,
    grade_source,
    missing_currency,
    positional_builder,
    tested_basis,
)

#: ``GateResult(*every field)``, without attrs' generic ``__init__`` (one per decision).
_gate_result = positional_builder(GateResult)


def fx_row(config: EngineConfig, currency: str, on: date | None) -> tuple[float, date | None, bool]:
    """CNY per unit of ``currency`` from the newest FX row dated on or before ``on``.

    Returns the rate, the row's date and whether the valuation predates every row
    (then the oldest row with the currency is used). The newest row is ``[fx] rates``.
    """
    code = currency.upper()
    if code == "CNY":
        return 1.0, None, False
    rows = _rows_with(config.fx, code)
    if on is None:
        d, rate = rows[-1]
        return rate, d, False
    for d, rate in reversed(rows):  # the newest row on or before ``on``
        if d <= on:
            return rate, d, False
    d, rate = rows[0]
    return rate, d, True


def fx_row_undated(config: EngineConfig, currency: str,
                   on: date | None) -> tuple[float, date | None]:
    """CNY per unit of ``currency`` for a valuation without its own date: the least
    favourable (lowest) rate of any date it could have, on or before ``on`` (the
    profile's date; any date without one), and that row's date. An undated valuation is
    never converted at a better rate than a dated one could be."""
    code = currency.upper()
    if code == "CNY":
        return 1.0, None
    rows = _rows_with(config.fx, code)
    # The oldest row stands for every date before it too.
    could = [r for r in rows if on is None or r[0] <= on] or rows[:1]
    d, rate = min(could, key=lambda r: (r[1], r[0]))
    return rate, d


#: Per FX table (by identity, kept so its id is not reused) and currency: the rows that
#: have the currency, oldest first, as ``(date, rate)``.
_ROWS: dict[tuple[int, str], tuple[Any, list[tuple[Any, float]]]] = {}


def _rows_with(fx: Any, code: str) -> list[tuple[Any, float]]:
    got = _ROWS.get((id(fx), code))
    if got is None or got[0] is not fx:
        if len(_ROWS) > 256:
            _ROWS.clear()
        rows = [(fx.as_of, fx.rates), *((r.as_of, r.rates) for r in fx.history)]
        ordered = sorted(((d, r[code]) for d, r in rows if code in r), key=lambda x: x[0])
        got = _ROWS[(id(fx), code)] = (fx, ordered)
    return got[1]


#: Enum members the hot path compares with, as module names: on Python 3.11 each
#: ``Enum.MEMBER`` is a lookup through the enum class's ``__getattr__`` hook.
_SOURCEGRADE_COHORT_PROXY = SourceGrade.COHORT_PROXY
_SOURCEGRADE_ILLUSTRATIVE = SourceGrade.ILLUSTRATIVE
_SOURCEGRADE_UNSOURCED = SourceGrade.UNSOURCED


def illustrative_valuation(source: str | None, config: EngineConfig) -> str | None:
    """Why a valuation with ``source`` cannot pass the gate (the whole reason), or None
    when its source can carry it. Graded as every source is in the sourcing figures
    (README "Source grades", :func:`~threshold_core.model.grade_source`), so the gate and
    the figures agree: what they call illustrative, unsourced or proxy is refused here.

    * a missing or blank source: unsourced (leaving the source out must never get a
      valuation through that one sourced ``illustrative`` would not);
    * a source that says ``illustrative`` (in any width or case) or matches another
      pattern of the ``illustrative`` grade (``hypothetical``, ``made up``, ...);
    * a source that matches no pattern of any grade: graded ``unsourced``, its text names
      nothing a reader could check (a filing, an exchange, a registry, the company, the
      press, research);
    * a cohort figure (``average``, ``median``, ``peer group``, ``proxy``, ...): graded
      ``cohort_proxy``, a cohort's value, not the company's.
    """
    made_up = "an illustrative valuation cannot pass the gate: "
    folded = fold(source) if source is not None else ""
    if not folded:  # none, blank, or only invisible characters
        return (made_up + "it names no source (valuation.source), and an unsourced figure "
                "is graded illustrative")
    grade = grade_source(source, config.sources)
    if "illustrative" in folded or grade is _SOURCEGRADE_ILLUSTRATIVE:
        return made_up + "the source says it is made up"
    if grade is _SOURCEGRADE_UNSOURCED:
        return (f"an unsourced valuation cannot pass the gate: its source {source!r} "
                "matches no recognised source (a filing, an exchange, a registry, the "
                "company, the press or research: [sources.patterns]), so it is graded "
                "unsourced, as in the sourcing figures")
    if grade is _SOURCEGRADE_COHORT_PROXY:
        return (f"a proxy valuation cannot pass the gate: its source {source!r} is a cohort "
                "figure (graded cohort_proxy), not the company's own value")
    return None


def gate_result(config: EngineConfig, profile: CompanyProfile) -> GateResult:
    """The valuation against the line, under the basis policy of ``[gate]``.

    A basis the gate does not accept (by default a parent group's market cap), an
    illustrative, unsourced or proxy valuation (:func:`illustrative_valuation`), an
    undated one, one dated after the evaluation date (the
    profile's ``as_of``, else the FX table's), or any valuation of a profile without its
    own ``as_of`` (under ``require_date``) cannot pass: ``passed`` is None
    (``insufficient_data``) with the reason. Estimates and last-round post-money
    valuations are tested after the haircut of ``[risk.haircut]``.
    """
    gc = config.gate
    line = gc.line_cny
    v = profile.valuation
    if v is None:
        return GateResult(passed=None, line_cny=line, reason="no valuation in the profile")
    # The valuation's date; a bare valuation inherits the profile's date, and is converted
    # at the least favourable rate of any date on or before it.
    on = v.as_of or profile.as_of
    if v.as_of is None:
        (rate, row_date), predates = fx_row_undated(config, v.currency, on), False
    else:
        rate, row_date, predates = fx_row(config, v.currency, on)
    cny = v.amount * rate
    # An expected market value without a listing application on record is the company's
    # own estimate, and is tested (haircut, accepted bases, risk) as one.
    tested_on = tested_basis(v, profile.listing)
    as_estimate = tested_on is not v.basis
    basis = str(tested_on)
    # What every outcome of the test reports (one object is built, not evolved).
    tested_as: dict[str, Any] = {
        "line_cny": line, "valuation_amount": v.amount, "valuation_currency": v.currency,
        "valuation_cny": cny, "basis": basis, "fx_rate": rate,
        "fx_as_of": row_date.isoformat() if row_date else None,
        "valuation_as_of": on.isoformat() if on else None,
    }
    refused = None
    if tested_on not in gc.accepted_bases:
        refused = (
            "a parent group's market capitalisation cannot pass the gate: it values the "
            "group, not the company"
            if v.basis is ValuationBasis.PARENT_MARKET_CAP
            else f"valuation basis {basis} is not accepted by the gate ([gate] accepted_bases)"
        ) + (f": {_ESTIMATE_NOTE}" if as_estimate else "")
    elif gc.refuse_illustrative and (why := illustrative_valuation(v.source, config)):
        refused = why
    elif gc.require_date and on is None:
        refused = ("an undated valuation cannot pass the gate: neither valuation.as_of nor "
                   "the profile's as_of is given")
    elif gc.require_date and profile.as_of is None:
        refused = ("an undated profile cannot pass the gate: as_of (the date the profile "
                   "describes) is missing, so neither the line nor the age of its evidence "
                   "can be tested")
    elif gc.require_date and on is not None and on > (at := profile.as_of or config.fx.as_of):
        refused = (f"a valuation dated {on}, after the evaluation date {at}, cannot pass the "
                   "gate: it is no market value at that date (correct valuation.as_of, or "
                   "evaluate at a later date with the profile's as_of)")
    if refused is not None:
        return GateResult(passed=None, reason=refused, **tested_as)
    cut = config.risk.haircut.get(basis, 0.0)
    tested = cny * (1.0 - cut)
    passed = tested >= line
    rel = "at or above" if passed else "below"
    # The figure compared is shown on its side of the line (rounding is for display only).
    haircut = (
        f" less the {format_percent(cut, (cut,))} haircut for {basis.replace('_', ' ')} = "
        f"{bn_against(tested, line)}bn CNY" if cut else ""
    )
    fx_note = (
        f" (at the oldest FX rate, of {row_date.isoformat()}: the valuation predates the table)"
        if predates and row_date else
        f" (undated: at the least favourable FX rate of any date it could have, of "
        f"{row_date.isoformat()})" if v.as_of is None and row_date and len(
            _rows_with(config.fx, v.currency.upper())) > 1 else ""
    )
    # Every amount keeps the digits that show it off the line and off 0 (the line itself
    # exactly): the valuation in its own currency against the line at its FX rate.
    own_line = (line / rate,) if rate > 0 else ()
    reason = (
        (f"{_ESTIMATE_NOTE}; " if as_estimate else "")
        + f"valuation {format_against(v.amount, own_line, 0)} {v.currency} = "
        f"{bn_against(cny, line)}bn CNY{haircut} is {rel} "
        f"the line of {bn_against(line, line)}bn CNY{fx_note}"
    )
    return _gate_result(passed, line, v.amount, v.currency, cny, basis, rate,
                        tested_as["fx_as_of"], reason, tested_as["valuation_as_of"], cut,
                        tested)


#: What the gate says of an expected market value without a listing application on record.
_ESTIMATE_NOTE = ("an expected market value without a listing application on record "
                  "(listing.status filed or listed) is the company's own estimate: tested as "
                  "an estimate")


def headroom_of(
    config: EngineConfig, profile: CompanyProfile, gate: GateResult, verdict: Verdict,
    findings: Sequence[Finding],
) -> Headroom:
    listing = profile.listing.status if profile.listing is not None else None
    return assess(
        line_cny=gate.line_cny, valuation_cny=gate.valuation_cny, basis=gate.basis,
        listing=None if listing is None else str(listing),
        gate_testable=gate.passed is not None, verdict=verdict, findings=findings,
        config=config.risk,
    )


def max_rates(config: EngineConfig) -> dict[str, float]:
    """CNY per unit of each currency: the largest rate any FX row gives (the gate may use
    an older row), ``CNY`` included at 1."""
    out: dict[str, float] = {}
    for rates in (config.fx.rates, *(r.rates for r in config.fx.history)):
        for code, rate in rates.items():
            if code in config.fx.rates:
                out[code] = max(out.get(code, rate), rate)
    out["CNY"] = 1.0
    return out


def check_money(
    config: EngineConfig, profile: CompanyProfile, source: str = "<profile>",
    rates: dict[str, float] | None = None,
) -> None:
    """Problems only visible with the configuration: an unknown currency, or an
    amount that is not finite, or beyond :data:`MAX_CNY`, once converted to CNY.

    ``rates`` is :func:`max_rates` of ``config``, when the caller keeps it.
    """
    if rates is None:
        rates = max_rates(config)
    # The usual profile, with every amount fine, is checked without naming paths.
    for amount, cur in _amounts(profile):
        rate = rates.get(cur.upper())
        if rate is None or not -MAX_CNY <= amount * rate <= MAX_CNY:  # NaN fails too
            break
    else:
        if profile.financials is None or profile.financials.currency is not None:
            return
    problems = []
    currency = missing_currency(profile.financials)
    if currency is not None:  # a profile built in Python, which no loader checked
        problems.append(Problem("$.financials.currency", currency))
    for path, amount, currency_path, cur in _money(profile):
        code = cur.upper()
        rate = rates.get(code)
        if rate is None:
            problems.append(Problem(
                currency_path, f'no FX rate for "{cur}" in the configuration\'s fx.rates'))
            continue
        cny = amount * rate
        if not math.isfinite(cny) or abs(cny) > MAX_CNY:
            # the amount in CNY is shown off the largest amount it was compared with
            shown = format_significant(amount, (MAX_CNY, -MAX_CNY) if code == "CNY" else (), 6)
            problems.append(Problem(path, (
                f"{shown} {code} is {format_significant(cny, (MAX_CNY, -MAX_CNY), 6)} CNY"
                if code != "CNY" and math.isfinite(cny) else f"{shown} {code}")
                + f", beyond the largest amount threshold reads ({MAX_CNY:g} CNY)"))
    if problems:
        raise InputError(source, problems)


def _amounts(profile: CompanyProfile) -> Iterator[tuple[float, str]]:
    """Every amount of money with its currency, in the order of :func:`_money`."""
    v = profile.valuation
    if v is not None:
        yield v.amount, v.currency
    fin = profile.financials
    if fin is not None:
        for fig in (fin.revenue, fin.rnd_expense, fin.cash, fin.monthly_net_burn):
            if fig is not None:
                yield fig.value, fin.currency or ""  # left out: no rate, named below
    for inv in profile.investors:
        if inv.amount is not None:
            yield inv.amount.amount, inv.amount.currency
    for lit in profile.litigation or ():
        if lit.claim is not None:
            yield lit.claim.amount, lit.claim.currency
    for e in profile.enforcement or ():
        if e.amount is not None:
            yield e.amount.amount, e.amount.currency
    rc = profile.reported_claims
    if rc is not None and rc.arr is not None:
        yield rc.arr.amount, rc.arr.currency


#: The largest amount, in CNY, a profile may hold (house policy: a thousand trillion
#: yuan, far above any company; larger figures are typos or overflow, and their sums and
#: conversions must stay finite).
MAX_CNY = 1e15


def _money(profile: CompanyProfile) -> list[tuple[str, float, str, str]]:
    """Every amount of money: ``(amount path, amount, currency path, currency)``."""
    out = []
    if profile.valuation is not None:
        v = profile.valuation
        out.append(("$.valuation.amount", v.amount, "$.valuation.currency", v.currency))
    fin = profile.financials
    if fin is not None and fin.currency is not None:
        for name in ("revenue", "rnd_expense", "cash", "monthly_net_burn"):
            fig = getattr(fin, name)
            if fig is not None:
                out.append((f"$.financials.{name}", fig.value, "$.financials.currency",
                            fin.currency))
    moneys = [(f"$.investors[{i}].amount", inv.amount) for i, inv in enumerate(profile.investors)]
    moneys += [(f"$.litigation[{i}].claim", lit.claim)
               for i, lit in enumerate(profile.litigation or ())]
    moneys += [(f"$.enforcement[{i}].amount", e.amount)
               for i, e in enumerate(profile.enforcement or ())]
    if profile.reported_claims is not None:
        moneys.append(("$.reported_claims.arr", profile.reported_claims.arr))
    out += [(f"{path}.amount", m.amount, f"{path}.currency", m.currency)
            for path, m in moneys if m is not None]
    return out
