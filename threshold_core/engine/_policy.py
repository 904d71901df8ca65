"""The default decision policy: gate, vetoes, caps, deductions, bands.

This module is a built-in plugin. Its ``threshold_decide`` runs ``trylast``, so
a firm's own policy plugin can take over by returning a result. The policy is
a pure function of its inputs (no I/O, no plugin calls) and every number comes
from ``[policy]`` in the configuration.

Precedence, strongest first:

1. a component failed → ``error`` (fail closed);
2. the gate failed (valuation below the line) → ``not_qualified``;
3. a critical finding → ``not_qualified`` (veto);
4. no valuation, a dimension below the coverage floor, or (with
   ``missing_compliance_data = "block"``) a rule that could not be
   evaluated → ``insufficient_data``;
5. otherwise the grade band of the composite score gives the verdict, and any
   high finding lowers ``qualified`` to ``watch``.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence

import attrs

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
)


def grade_for(score: float, grades: Sequence[GradeBand]) -> GradeBand:
    """The first band (best first) whose ``min_score`` the score reaches."""
    for band in grades:
        if score >= band.min_score:
            return band
    return grades[-1]


def _effect(finding: Finding, dims: dict[str, ScoredDimension]) -> Effect:
    sev = finding.severity
    if sev is Severity.CRITICAL:
        return Effect.VETO
    if sev is Severity.HIGH:
        return Effect.CAP
    if sev is Severity.MEDIUM and finding.dimension in dims:
        return Effect.DEDUCTION
    return Effect.REPORTED


def combine(assessment: Assessment, config: EngineConfig) -> PolicyResult:
    """The default policy (see the module docstring)."""
    policy = config.policy
    dims = {d.name: d for d in assessment.dimensions}
    findings = tuple(
        attrs.evolve(f, effect=_effect(f, dims)) for f in assessment.findings
    )

    # Adjust dimension scores: caps, then per-pack bounded deductions.
    adjustments: dict[str, list[Adjustment]] = defaultdict(list)
    deducted: dict[tuple[str, str], float] = defaultdict(float)
    for f in findings:
        if f.dimension not in dims:
            continue
        if f.effect is Effect.CAP:
            adjustments[f.dimension].append(Adjustment(f.rule, Effect.CAP, policy.high_cap))
        elif f.effect is Effect.DEDUCTION:
            key = (f.pack, f.dimension)
            room = max(0.0, policy.medium_max_per_pack - deducted[key])
            amount = min(policy.medium_deduction, room)
            deducted[key] += amount
            adjustments[f.dimension].append(Adjustment(f.rule, Effect.DEDUCTION, -amount))

    total_weight = sum(d.weight for d in dims.values())
    results: list[DimensionResult] = []
    for name in sorted(dims):
        d = dims[name]
        raw = d.result.score if d.result is not None else None
        score = raw
        if score is not None:
            # Deductions first, then the cap as a ceiling: the result does not
            # depend on the order the findings arrive in.
            adjs = adjustments[name]
            score += sum(a.amount for a in adjs if a.effect is Effect.DEDUCTION)
            for cap in (a.amount for a in adjs if a.effect is Effect.CAP):
                score = min(score, cap)
            score = round(max(0.0, min(100.0, score)), 4)
        weight = d.weight / total_weight if total_weight else 0.0
        results.append(
            DimensionResult(
                name=name,
                score=score,
                raw_score=None if raw is None else round(raw, 4),
                weight=round(weight, 6),
                configured_weight=d.weight,
                contribution=None if score is None else round(weight * score, 4),
                coverage=d.result.coverage if d.result is not None else 0.0,
                plugin=d.plugin,
                component=d.component,
                adjustments=tuple(adjustments[name]),
                evidence=d.result.metrics if d.result is not None else (),
                inputs=d.result.inputs if d.result is not None else (),
            )
        )

    counted = [r for r in results if r.weight > 0]
    score = None
    if counted and all(r.score is not None for r in counted):
        score = round(sum(r.weight * r.score for r in counted if r.score is not None), 4)
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
        verdict = verdict or Verdict.NOT_QUALIFIED
    vetoes = [f for f in findings if f.effect is Effect.VETO]
    for f in vetoes:
        factors.append(Factor(FactorKind.VETO, f"{f.rule} ({f.severity}): {f.title}", f.rule))
    if vetoes:
        verdict = verdict or Verdict.NOT_QUALIFIED

    insufficient: list[Factor] = []
    if gate.passed is None:
        insufficient.append(Factor(FactorKind.INSUFFICIENT_DATA, gate.reason, "gate"))
    for r in counted:
        if r.coverage < policy.coverage_floor:
            insufficient.append(
                Factor(
                    FactorKind.INSUFFICIENT_DATA,
                    f"{r.name} coverage {r.coverage:.0%} is below the floor "
                    f"{policy.coverage_floor:.0%}",
                    r.name,
                )
            )
        elif r.score is None:
            insufficient.append(
                Factor(FactorKind.INSUFFICIENT_DATA, f"{r.name} has no score", r.name)
            )
    if policy.missing_compliance_data is MissingCompliance.BLOCK:
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
        verdict = Verdict.INSUFFICIENT_DATA
    if verdict is None or verdict is Verdict.INSUFFICIENT_DATA:
        factors.extend(insufficient)

    caps = [f for f in findings if f.effect is Effect.CAP]
    if verdict is None and band is not None and score is not None:
        verdict = band.verdict
        factors.append(
            Factor(
                FactorKind.BAND,
                f"score {score:.1f} falls in band {band.name} "
                f"(>= {band.min_score:g}): {band.verdict}",
                band.name,
            )
        )
        # A high finding decides only when it lowers the band's verdict: a score that
        # falls in a watch or not_qualified band is decided by the band alone.
        if caps and verdict is Verdict.QUALIFIED:
            verdict = Verdict.WATCH
            factors.extend(
                Factor(FactorKind.CAP, f"{f.rule} ({f.severity}) caps the verdict at watch",
                       f.rule)
                for f in caps
            )
    if verdict is None:  # pragma: no cover - every path above sets one
        verdict = Verdict.INSUFFICIENT_DATA

    return PolicyResult(
        verdict=verdict,
        grade=grade,
        score=score,
        dimensions=tuple(results),
        findings=findings,
        determining=tuple(factors),
    )


@hookimpl(trylast=True)
def threshold_decide(assessment: Assessment, config: EngineConfig) -> PolicyResult:
    """The core's policy: runs when no other plugin decides."""
    return combine(assessment, config)
