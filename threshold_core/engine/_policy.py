"""The default decision policy: gate, vetoes, caps, deductions, bands.

This module is a built-in plugin. Its ``threshold_decide`` runs ``trylast``, so
a firm's own policy plugin can take over by returning a result. The policy is
a pure function of its inputs (no I/O, no plugin calls) and every number comes
from ``[policy]`` in the configuration.

Precedence, strongest first:

1. a component failed → ``error`` (fail closed);
2. the gate failed (valuation below the line) → ``not_qualified``;
3. a critical finding → ``not_qualified`` (veto);
4. no valuation, a required dimension below its coverage floor, or a rule
   that could not be evaluated for lack of data and could veto (with
   ``missing_compliance_data = "block"``: any rule that could not be
   evaluated) → ``insufficient_data``;
5. otherwise the grade band of the composite score gives the verdict, and any
   high finding, or any dimension below its floor (``dimension_floor``), lowers
   ``qualified`` to ``watch``.

Omission never helps. A rule of severity medium or worse that could not be
evaluated (``not_evaluated``: the data it reads is missing) reaches the policy as
an *assumed* finding at least as bad as anything the rule could have found
(:func:`threshold_core.model.is_assumed`): a high one caps its dimension, also
deducts as a medium one would (within the pack's allowance, :func:`adjustments_of`),
and allows at most ``watch``; a medium one deducts; a critical one makes the decision
``insufficient_data`` (it does not veto on an assumption, nor let the company pass)
and caps and deducts on its dimension as an assumed high one does, since the rule
might have found a high or a medium instead. Whatever a withheld section would have
shown, the verdict without it is no better, nor its dimension's score or the
composite (a rule with no dimension moves neither, whatever it finds). This holds
under every ``missing_compliance_data`` setting; ``"block"`` is stricter still.

An optional dimension (``required = false``) below its coverage floor, no data
included, is left out: weight 0, the other weights renormalised, and a
``left_out`` determining factor says so. Nothing compared is rounded: the grade
is decided on the composite of unrounded scores and configured weights, recomputed
with exact fractions within a hair of a cut-off (:func:`composite_score`), and the
decision keeps the unrounded weights, scores and contributions; reports round them
for display, never across a cut-off.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from functools import partial
from typing import TYPE_CHECKING

from ..hooks import hookimpl
from ..model import (
    Adjustment,
    Assessment,
    DimensionResult,
    Effect,
    EngineConfig,
    Factor,
    FactorKind,
    Finding,
    GradeBand,
    MissingCompliance,
    PolicyResult,
    ScoredDimension,
    Severity,
    Verdict,
    format_cutoff,
    format_percent,
    format_score,
    is_assumed,
    positional_builder,
)
from ._exact import (
    composite_score,
    exact_coverage,
    held_final,
)
from ._sourcing import adjustments_of, dimension_sourcing, overall_sourcing, with_effect

if TYPE_CHECKING:
    from fractions import Fraction


def grade_for(score: float, grades: Sequence[GradeBand]) -> GradeBand:
    """The first band (best first) whose ``min_score`` the score reaches."""
    for band in grades:
        if score >= band.min_score:
            return band
    return grades[-1]


def _floor(config: EngineConfig, name: str) -> float:
    """The coverage floor of one dimension: its own, else the policy's."""
    dc = config.dimensions.get(name)
    if dc is not None and dc.coverage_floor is not None:
        return dc.coverage_floor
    return config.policy.coverage_floor


_CRITICAL, _HIGH, _MEDIUM = Severity.CRITICAL, Severity.HIGH, Severity.MEDIUM
#: ``DimensionResult(*every field)`` (one per dimension), without attrs' generic
#: ``__init__``.
_dimension_result = positional_builder(DimensionResult)
#: ``PolicyResult(*every field)``, the same way (one per evaluation).
_policy_result = positional_builder(PolicyResult)
_VETO, _BLOCK, _CAP, _DEDUCTION, _REPORTED = (Effect.VETO, Effect.BLOCK, Effect.CAP,
                                              Effect.DEDUCTION, Effect.REPORTED)
#: The effects that adjust a finding's dimension (:func:`adjustments_of`): a cap, a
#: deduction, and an assumed critical finding's block (it caps and deducts too).
ADJUSTING_EFFECTS = frozenset({_CAP, _DEDUCTION, _BLOCK})
#: Members compared in every decision, as module names (on Python 3.11 ``Enum.MEMBER`` is a
#: lookup through the enum class's ``__getattr__`` hook).
_QUALIFIED, _WATCH, _NOT_QUALIFIED, _INSUFFICIENT = (
    Verdict.QUALIFIED, Verdict.WATCH, Verdict.NOT_QUALIFIED, Verdict.INSUFFICIENT_DATA)
_BLOCK_UNCHECKED, _BAND_FACTOR = MissingCompliance.BLOCK, FactorKind.BAND


def combine(assessment: Assessment, config: EngineConfig) -> PolicyResult:
    """The default policy (see the module docstring)."""
    # Loops rather than comprehensions and generator expressions throughout: each of those
    # makes a function per call, and this runs in every decision.
    policy = config.policy
    dims: dict[str, ScoredDimension] = {}
    for d in assessment.dimensions:
        dims[d.name] = d

    # Each finding's effect, then the dimension scores' adjustments (:func:`adjustments_of`):
    # caps, and per-pack bounded deductions, in the order the findings arrive.
    findings_list: list[Finding] = []
    vetoes: list[Finding] = []
    caps: list[Finding] = []
    blocks: list[str] = []
    adjusting: dict[str, list[tuple[str, str, Effect, bool]]] = {}
    for f in assessment.findings:
        sev, dim = f.severity, f.dimension
        if sev is _CRITICAL:
            # An unchecked rule that could veto does not veto on an assumption, nor let the
            # company pass: the decision waits for the research (insufficient_data), and
            # its dimension is capped and deducted as by the high or medium it might be.
            effect = _BLOCK if is_assumed(f) else _VETO
        elif sev is _HIGH:
            effect = _CAP
        elif sev is _MEDIUM and dim in dims:
            effect = _DEDUCTION
        else:
            effect = _REPORTED
        f = with_effect(f, effect)
        findings_list.append(f)
        if effect is _VETO:
            vetoes.append(f)
        elif effect is _CAP:
            caps.append(f)
        elif effect is _BLOCK:
            blocks.append(f.rule)
        if (effect is _CAP or effect is _DEDUCTION or effect is _BLOCK) and dim in dims:
            assert dim is not None
            found = adjusting.get(dim)
            if found is None:
                found = adjusting[dim] = []
            found.append((f.rule, f.pack, effect, is_assumed(f)))
    findings = tuple(findings_list)
    adjustments: dict[str, tuple[Adjustment, ...]] = {}  # only where a finding adjusts
    deductions: dict[str, Sequence[float]] = {}
    caps_of: dict[str, Sequence[float]] = {}
    for name, found in adjusting.items():
        adjs = adjustments[name] = adjustments_of(found, policy)
        minus: list[float] = []
        ceilings: list[float] = []
        for a in adjs:
            if a.effect is _DEDUCTION:
                minus.append(a.amount)
            elif a.effect is _CAP:
                ceilings.append(a.amount)
        deductions[name], caps_of[name] = minus, ceilings

    # Optional dimensions without enough data are left out; the rest are renormalised.
    left_out: dict[str, str] = {}
    configured = config.dimensions
    kept_weights: list[float] = []  # of the dimensions not left out, in their order
    for name, d in dims.items():
        dc = configured.get(name)
        # a failed scorer fails closed, optional or not
        if not (dc is None or dc.required or d.weight <= 0 or d.result is None):
            floor = _floor(config, name)
            coverage = exact_coverage(d.result.coverage, d.result.metrics, floor,
                                      d.result.score)
            if d.result.score is None or coverage <= 0:
                left_out[name] = "optional; no data"
                continue
            if coverage < floor:
                shown = format_score(coverage * 100, [floor * 100], 0)
                left_out[name] = (f"optional; coverage {shown}% is below its floor "
                                  f"{format_percent(floor, (floor,))}")
                continue
        kept_weights.append(d.weight)

    total_weight = math.fsum(kept_weights)
    results: list[DimensionResult] = []
    counted: list[DimensionResult] = []  # the results with weight
    exact: dict[str, float] = {}  # unrounded final scores: verdicts compare these
    #: Each final score exactly (:mod:`._exact`), worked out only near a cut-off.
    exact_of: dict[str, Callable[[], Fraction]] = {}
    grades_of: dict[str, dict[str, int]] = {}  # readings with data per grade
    pure: dict[str, float | None] = {}  # illustrative shares exactly 0 or 1
    floors: dict[str, float] = {}  # each dimension's coverage floor
    for name in sorted(dims):
        d = dims[name]
        result = d.result
        floor = floors[name] = _floor(config, name)
        raw = result.score if result is not None else None
        score = raw
        if score is not None:
            # Deductions first, then the cap as a ceiling: the result does not
            # depend on the order the findings arrive in.
            deducted, capped = deductions.get(name, ()), caps_of.get(name, ())
            if deducted:
                score += sum(deducted)
            for cap in capped:
                score = min(score, cap)
            score = max(0.0, min(100.0, score))
            assert raw is not None and result is not None
            # Held on the exact side of the dimension's floor (a floor compares it) and of 0.
            score, exact_of[name] = held_final(score, raw, result, deducted, capped,
                                               policy.floor_for(name))
            exact[name] = score
        counts = name not in left_out and total_weight > 0
        # Unrounded: reports round for display, and nothing compared is rounded.
        weight = d.weight / total_weight if counts else 0.0
        dc = configured.get(name)
        metrics = result.metrics if result is not None else ()
        grades = grades_of[name] = {}
        sourced, illustrative = dimension_sourcing(metrics, grades, pure, name)
        r = _dimension_result(
            name, score, raw, weight, d.weight,
            None if score is None or not counts else weight * score,
            exact_coverage(result.coverage, result.metrics, floor,
                           result.score) if result is not None else 0.0,
            d.plugin, d.component, adjustments.get(name, ()), metrics,
            result.inputs if result is not None else (),
            dc.required if dc is not None else True,
            left_out.get(name), sourced, illustrative,
        )
        results.append(r)
        if weight > 0:
            counted.append(r)

    score = None
    cutoffs: list[float] = []
    for grade_band in policy.grades:
        cutoffs.append(grade_band.min_score)
    pairs: list[tuple[float, float]] = []
    exacts: list[Callable[[], Fraction]] = []
    for r in counted:
        if r.name not in exact:
            break
        pairs.append((dims[r.name].weight, exact[r.name]))
        exacts.append(exact_of[r.name])
    else:
        if counted:
            # The grade is decided on this composite and the same number is shown.
            score = composite_score(pairs, cutoffs,  # the last band's 0 among them
                                    partial(_each_called, exacts))
    band = grade_for(score, policy.grades) if score is not None else None
    grade = band.name if band else None

    factors: list[Factor] = []
    verdict: Verdict | None = None
    gate = assessment.gate

    if assessment.errors:
        verdict = Verdict.ERROR
        factors.extend(
            Factor(FactorKind.ERROR, f"{e.component} ({e.plugin}) failed: {e.message}", e.component)
            for e in assessment.errors
        )
    if gate.passed is False:
        factors.append(Factor(FactorKind.GATE, gate.reason, "gate"))
        verdict = verdict or _NOT_QUALIFIED
    for f in vetoes:
        factors.append(Factor(FactorKind.VETO, f"{f.rule} ({f.severity}): {f.title}", f.rule))
    if vetoes:
        verdict = verdict or _NOT_QUALIFIED

    insufficient: list[Factor] = []
    if gate.passed is None:
        insufficient.append(Factor(FactorKind.INSUFFICIENT_DATA, gate.reason, "gate"))
    for r in counted:
        floor = floors[r.name]
        if r.coverage < floor:
            insufficient.append(
                Factor(
                    FactorKind.INSUFFICIENT_DATA,
                    f"{r.name} coverage {format_score(r.coverage * 100, [floor * 100], 0)}% "
                    f"is below the floor {format_percent(floor, (floor,))}",
                    r.name,
                )
            )
        elif r.score is None:
            insufficient.append(
                Factor(FactorKind.INSUFFICIENT_DATA, f"{r.name} has no score", r.name)
            )
    if policy.missing_compliance_data is not _BLOCK_UNCHECKED:
        if blocks:
            insufficient.append(_unchecked_vetoes(blocks))
    else:
        for pack in assessment.packs:
            for o in pack.outcomes:
                if o.status == "not_evaluated":
                    insufficient.append(
                        Factor(
                            FactorKind.BLOCK,
                            f"{o.rule} could not be evaluated (missing {', '.join(o.missing)})",
                            o.rule,
                        )
                    )
    if verdict is None and insufficient:
        verdict = _INSUFFICIENT
    if verdict is None or verdict is _INSUFFICIENT:
        factors.extend(insufficient)

    if verdict is None and band is not None and score is not None:
        verdict = band.verdict
        factors.append(
            Factor(
                _BAND_FACTOR,
                f"score {format_score(score, cutoffs)} falls in band {band.name} "
                f"(>= {format_cutoff(band.min_score)}): {band.verdict}",
                band.name,
            )
        )
        # A high finding decides only when it lowers the band's verdict: a score that
        # falls in a watch or not_qualified band is decided by the band alone.
        if caps and verdict is _QUALIFIED:
            verdict = _WATCH
            factors.extend(
                Factor(FactorKind.CAP, f"{f.rule} ({f.severity}"
                       f"{', assumed: not evaluated' if is_assumed(f) else ''}) caps the "
                       "verdict at watch", f.rule)
                for f in caps
            )
        # Non-compensatory floors: a dimension below its floor allows at most watch,
        # however strong the others (named only when it lowered a qualified band).
        if band.verdict is _QUALIFIED:
            below = []
            for r in counted:
                if r.score is not None and r.score < (floor := policy.floor_for(r.name)):
                    below.append((r, floor))
            if below:
                verdict = _WATCH
                factors.extend(
                    Factor(FactorKind.FLOOR,
                           f"{r.name} scores {format_score(r.score, [floor])}, below its floor "
                           f"{format_cutoff(floor)}: at most watch", r.name)
                    for r, floor in below
                )
    sourcing = overall_sourcing(counted, policy.max_illustrative_share, grades_of, pure)
    if (verdict is _QUALIFIED and sourcing.illustrative_share is not None
            and sourcing.illustrative_share > policy.max_illustrative_share):
        verdict = _WATCH
        limit = policy.max_illustrative_share
        factors.append(
            Factor(FactorKind.SOURCES,
                   f"{format_percent(sourcing.illustrative_share, (limit,))} of the composite "
                   "rests on illustrative or unsourced figures (limit "
                   f"{format_percent(limit, (limit,))}): at most "
                   "watch", "sources")
        )
    if verdict is None:  # pragma: no cover - every path above sets one
        verdict = _INSUFFICIENT
    if left_out:
        factors.extend(
            Factor(FactorKind.LEFT_OUT, f"{name} left out ({why}): the other dimensions' "
                   "weights are renormalised to sum to 1", name)
            for name, why in sorted(left_out.items())
        )

    return _policy_result(verdict, grade, score, tuple(results), findings, tuple(factors),
                          None, sourcing)


def _each_called(exacts: Sequence[Callable[[], Fraction]]) -> list[Fraction]:
    """Each function's value, in order (the counted dimensions' exact final scores)."""
    return [exact() for exact in exacts]


def _unchecked_vetoes(rules: Sequence[str]) -> Factor:
    """The factor naming every rule that could veto and lacked data (what each lacked is
    in its assumed finding and among the rules not evaluated)."""
    return Factor(FactorKind.BLOCK, f"{', '.join(rules)} could veto and lacked data: "
                  "undecided until researched", rules[0])


@hookimpl(trylast=True)
def threshold_decide(assessment: Assessment, config: EngineConfig) -> PolicyResult:
    """The core's policy: runs when no other plugin decides."""
    return combine(assessment, config)
