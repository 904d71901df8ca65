"""What the default policy works from, for :class:`~._incremental.Replayer`: each
dimension's configured weight, scorer score and coverage, each finding's effect, each
dimension's sourcing, whether a component failed, the gate, and whether a rule could not
be evaluated.

Read from the assessment the policy saw (:func:`basis_of_assessment`), or, for a
decision the engine has just made with its own default policy, off the decision itself
(:func:`basis_of_decision`): the policy worked every one of these figures out as it ran
(each finding's effect, each dimension's weight, coverage, adjustments and sourcing) and
the decision keeps them, so nothing is rebuilt and no finding's effect is decided again.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import NamedTuple

from ..model import (
    Assessment,
    Decision,
    DimensionScore,
    Effect,
    EventKind,
    Finding,
    PolicyResult,
    Severity,
    is_assumed,
)
from ._evolve import builder
from ._replay import trace_facts

__all__ = ["Basis", "basis_of_assessment", "basis_of_decision"]

_CAP, _DEDUCTION, _VETO, _BLOCK = Effect.CAP, Effect.DEDUCTION, Effect.VETO, Effect.BLOCK


class Basis(NamedTuple):
    #: name -> (configured weight, a scorer result, its score, its coverage, the result)
    dims: dict[str, tuple[float, bool, float | None, float, DimensionScore | None]]
    #: In the policy's order: (rule, pack, dimension if one of dims, effect, assumed)
    findings: list[tuple[str, str, str | None, Effect, bool]]
    #: name -> (sourced coverage, illustrative share), as the policy worked them out
    sourcing: dict[str, tuple[float | None, float | None]]
    #: a scorer or rule pack failed
    errors: bool
    gate: bool | None
    #: whether a rule could not be evaluated (asked only under missing_compliance_data
    #: = "block": a pass over every rule outcome)
    not_evaluated: Callable[[], bool]


def basis_of_assessment(assessment: Assessment, replay: PolicyResult) -> Basis:
    """From the assessment; ``replay``: the default policy's result on it (each
    dimension's sourcing depends on its metrics alone, which no what-if moves)."""
    names = {d.name for d in assessment.dimensions}
    findings = []
    for f in assessment.findings:
        sev, dim = f.severity, f.dimension
        assumed = is_assumed(f)
        if sev is Severity.CRITICAL:
            effect = _BLOCK if assumed else _VETO
        elif sev is Severity.HIGH:
            effect = _CAP
        elif sev is Severity.MEDIUM and dim in names:
            effect = _DEDUCTION
        else:
            effect = Effect.REPORTED
        findings.append((f.rule, f.pack, dim if dim in names else None, effect, assumed))
    return Basis(
        {d.name: (d.weight, d.result is not None, None if d.result is None else d.result.score,
                  0.0 if d.result is None else d.result.coverage, d.result)
         for d in assessment.dimensions},
        findings,
        {r.name: (r.sourced_coverage, r.illustrative_share) for r in replay.dimensions},
        bool(assessment.errors), assessment.gate.passed,
        lambda: any(o.status == "not_evaluated"
                    for pack in assessment.packs for o in pack.outcomes))


def _engine_order(f: Finding) -> tuple[str, str]:
    """The order the policy applies findings in (pack, then rule id), as
    :func:`~threshold_core.explain.assessment_from_decision` puts them back."""
    return f.pack, f.rule


def basis_of_decision(decision: Decision, scored: Mapping[str, float] | None = None,
                      errors: bool | None = None) -> Basis:
    """Off a decision the default policy made (its effects are the policy's own): the
    same basis as :func:`basis_of_assessment` of the assessment rebuilt from it.
    ``scored`` (each dimension's exact scorer score) and ``errors``: what
    :func:`~._replay.trace_facts` reads, when already read."""
    if scored is None or errors is None:
        scored, _policy, errors = trace_facts(decision)
    dims = {}
    result = builder(DimensionScore)
    for d in decision.dimensions:
        # A scorer that failed left no score, no coverage and no evidence: the
        # assessment rebuilt from the decision has no result for it.
        present = not (d.raw_score is None and d.coverage == 0 and not d.evidence)
        score = d.raw_score
        if score is not None and d.name in scored and abs(scored[d.name] - score) < 1e-3:
            score = scored[d.name]
        # The scorer's result as the assessment rebuilt from the decision holds it.
        dims[d.name] = (d.configured_weight, present, score, d.coverage,
                        result(d.name, score, d.coverage, d.inputs, d.evidence, ())
                        if present else None)
    findings = [(f.rule, f.pack, f.dimension if f.dimension in dims else None, f.effect,
                 is_assumed(f))
                for f in sorted(decision.findings, key=_engine_order)]
    trace = decision.trace
    return Basis(
        dims, findings,
        {r.name: (r.sourced_coverage, r.illustrative_share) for r in decision.dimensions},
        errors, decision.gate.passed,
        lambda: any(o.status == "not_evaluated" for e in trace
                    if e.kind is EventKind.RULE_PACK for o in e.rules))
