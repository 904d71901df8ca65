"""The default policy's verdict and composite under a perturbation, without re-running it.

An explanation asks the policy the same question many times with one thing changed:
a finding cleared (each finding's lever), one dimension's scorer score raised (each
dimension's distance, checked step by step), the gate passed, or every dimension at
its coverage floor. :func:`~threshold_core.explain.what_if` answers by rebuilding the
assessment and running :func:`~threshold_core.engine.combine` again: every finding
copied with its effect, every dimension result and its sourcing, every factor and its
words, for a verdict and a score.

A :class:`Replayer` works out once per assessment what no such change touches (each
finding's effect, each dimension's weight, sourcing and coverage floor, whether a rule
could not be evaluated) and per question only the arithmetic the change reaches: the
deductions per pack (clearing one finding frees the pack's allowance for the next), the
caps, the optional dimensions left out and the renormalised weights, the composite
(:func:`~threshold_core.engine.composite_score`, exact near a cut-off) and the verdict's
precedence. The answer is ``combine``'s, verdict and unrounded score, for every
question (``tests/explain/test_incremental.py`` compares both on generated profiles,
configurations and perturbations).
"""

from __future__ import annotations

import math
from collections.abc import Collection, Iterable, Mapping
from typing import Any

from ..engine import (
    ADJUSTING_EFFECTS,
    adjustments_of,
    combine,
    composite_score,
    exact_coverage,
    exact_share,
    held_final,
    held_share,
)
from ..model import (
    Assessment,
    Decision,
    Effect,
    EngineConfig,
    MissingCompliance,
    PolicyResult,
    Verdict,
)
from ._basis import Basis, basis_of_assessment, basis_of_decision

__all__ = ["Replayer"]

_CAP, _DEDUCTION, _VETO, _BLOCK = Effect.CAP, Effect.DEDUCTION, Effect.VETO, Effect.BLOCK

#: The dimensions' part of a question that clears no cap or deduction and moves no score.
_AS_SCORED: tuple[Any, ...] = (frozenset(), (), False)


class Replayer:
    """The default policy's ``(verdict, score)`` for an assessment under what-if changes.

    ``Replayer(assessment, config).outcome(clear={"rule-id"})`` is
    ``what_if(assessment, config, clear={"rule-id"})``'s verdict and unrounded score,
    for any of ``what_if``'s arguments, at a fifth of its cost. ``replay``, when given,
    is ``combine(assessment, config)`` already worked out: each dimension's sourcing
    comes from it (it depends on the dimension's metrics alone, which no change moves).
    """

    def __init__(self, assessment: Assessment, config: EngineConfig,
                 replay: PolicyResult | None = None) -> None:
        if replay is None:
            replay = combine(assessment, config)
        self._setup(config, basis_of_assessment(assessment, replay))

    @classmethod
    def of_decision(cls, decision: Decision, config: EngineConfig, *,
                    scored: Mapping[str, float] | None = None,
                    errors: bool | None = None) -> Replayer:
        """The replayer of a decision the default policy made under ``config`` (the
        engine's own, just made: ``explain(..., made_here=True)``), from the figures the
        policy worked out as it ran (:func:`~._basis.basis_of_decision`) instead of a
        rebuilt assessment; ``scored`` and ``errors``: what
        :func:`~._replay.trace_facts` reads, when already read. The same answers as
        ``Replayer(assessment_from_decision(decision), config)``."""
        self = cls.__new__(cls)
        self._setup(config, basis_of_decision(decision, scored, errors))
        return self

    def _setup(self, config: EngineConfig, basis: Basis) -> None:
        dims, findings, sourcing, errors, gate, not_evaluated = basis
        policy = config.policy
        self._policy = policy
        self._dims = dims
        self._names = sorted(dims)
        #: Per dimension, in the policy's order, the findings that adjust its score:
        #: (rule, pack, effect, assumed).
        self._adjustments_of: dict[str, list[tuple[str, str, Effect, bool]]] = {
            name: [] for name in dims}
        for rule, pack, dim, effect, assumed in findings:
            if dim is not None and effect in ADJUSTING_EFFECTS:
                self._adjustments_of[dim].append((rule, pack, effect, assumed))
        self._base: tuple[dict[str, float | None], dict[str, float], set[str], float] | None
        self._base = None
        #: Each dimension's rules that cap or deduct, and its final score as scored with
        #: none of them cleared (worked out when first needed).
        self._rules_of = {name: frozenset(a[0] for a in adjustments)
                          for name, adjustments in self._adjustments_of.items()}
        self._finals: dict[str, float] = {}
        #: (dimension, final score) -> the final score exactly, for a composite near a cut-off.
        self._exact: dict[tuple[str, float], Any] = {}
        #: The composite of each list of (weight, final score) asked so far.
        self._composites: dict[tuple[tuple[float, float], ...], float] = {}
        #: Rules whose clearing changes a dimension's score or the caps.
        self._adjusting = frozenset(f[0] for f in findings if f[3] in ADJUSTING_EFFECTS)
        #: The dimension each such rule adjusts ("" when it adjusts more than one).
        self._adjusts: dict[str, str] = {}
        for name, adjustments in self._adjustments_of.items():
            for a in adjustments:
                self._adjusts[a[0]] = "" if self._adjusts.get(a[0], name) != name else name
        self._vetoes = [(f[0], f[4]) for f in findings if f[3] is _VETO]
        self._blocks = [(f[0], f[4]) for f in findings if f[3] is _BLOCK]
        self._caps = [(f[0], f[4]) for f in findings if f[3] is _CAP]
        self._parts: dict[tuple[Any, ...], tuple[list[tuple[str, float, float | None]],
                                                 float | None, bool]] = {}
        configured = config.dimensions
        #: The optional dimensions (the others are never left out) and their floors.
        self._optional: dict[str, float] = {}
        self._floors: dict[str, float] = {}
        for name, (weight, present, _s, _c, _r) in dims.items():
            dc = configured.get(name)
            floor = (dc.coverage_floor if dc is not None and dc.coverage_floor is not None
                     else policy.coverage_floor)
            self._floors[name] = floor
            if not (dc is None or dc.required or weight <= 0 or not present):
                self._optional[name] = floor
        self._sourcing = sourcing
        self._errors = errors
        self._gate = gate
        # Read only under missing_compliance_data = "block" (a pass over every outcome).
        self._not_evaluated = (not_evaluated()
                               if policy.missing_compliance_data is MissingCompliance.BLOCK
                               else False)
        self._cutoffs = [band.min_score for band in policy.grades]

    def keeps_dimensions(self, clear: Iterable[str]) -> bool:
        """True when clearing the rules ``clear`` (and ``"gate"``) changes no dimension's
        adjustments and no cap: the policy's dimension results stay as they are."""
        return self._adjusting.isdisjoint(clear)

    def outcome(
        self,
        *,
        raw_scores: Mapping[str, float] | None = None,
        clear: Iterable[str] = (),
        gate_passes: bool = False,
        full_coverage: bool = False,
    ) -> tuple[Verdict, float | None]:
        """``what_if(...)``'s verdict and score, for the same arguments."""
        cleared = set(clear)
        passed = self._gate
        if (gate_passes or "gate" in cleared) and passed is False:
            passed = True
        if full_coverage and passed is None:
            passed = True
        # The dimensions' part depends only on the caps and deductions cleared, the scores
        # replaced and full_coverage: worked out once per distinct question.
        key = (frozenset(self._adjusting.intersection(cleared)),
               tuple(sorted(raw_scores.items())) if raw_scores else (), full_coverage)
        part = self._parts.get(key)
        if part is None:
            if raw_scores and len(raw_scores) == 1 and not full_coverage:
                part = self._raised(key[0], raw_scores)
            if part is None:
                part = self._dimension_part(key[0], raw_scores, full_coverage)
            self._parts[key] = part
        return self._verdict(part, cleared, passed, full_coverage)

    def lever(self, rule: str) -> tuple[Verdict, float | None]:
        """``outcome(clear={rule})``: one finding cleared, what each finding's lever asks.

        The dimensions' part is the one with nothing cleared, with at most the one
        dimension whose score the rule caps or deducts scored again."""
        dim = self._adjusts.get(rule)
        if rule == "gate" or dim == "":  # "" : more than one dimension (never in practice)
            return self.outcome(clear={rule})
        part = self._parts.get(_AS_SCORED)
        if part is None:
            part = self._parts[_AS_SCORED] = self._dimension_part(frozenset(), None, False)
        counted, _composite, lacking = part
        raw = None if dim is None else self._dims[dim][2]
        if dim is not None and raw is not None:
            at = next((i for i, c in enumerate(counted) if c[0] == dim), None)
            if at is not None and counted[at][2] is not None:
                final = self._final(dim, raw, frozenset((rule,)), False)
                if final != counted[at][2]:
                    counted = counted.copy()
                    counted[at] = (dim, counted[at][1], final)
                    part = (counted, self._composite(counted), lacking)
        return self._verdict(part, (rule,), self._gate, False)

    def _raised(self, cleared: frozenset[str], raw_scores: Mapping[str, float],
                ) -> tuple[list[tuple[str, float, float | None]], float | None, bool] | None:
        """The dimensions' part with one dimension's scorer score replaced (what each
        dimension's distance asks, step by step): the part with the same rules cleared and
        no score replaced, that dimension scored again. None when the dimension is optional
        or had no score (replacing it can change which dimensions count)."""
        ((name, score),) = raw_scores.items()
        if name in self._optional or name not in self._dims:
            return None
        _weight, present, raw, _coverage, _result = self._dims[name]
        if not present or raw is None:
            return None
        key = (cleared, (), False)
        part = self._parts.get(key)
        if part is None:
            part = self._parts[key] = self._dimension_part(cleared, None, False)
        counted, _composite, lacking = part
        at = next((i for i, c in enumerate(counted) if c[0] == name), None)
        if at is None:
            return part  # it does not count
        final = self._final(name, score, cleared, False)
        if final == counted[at][2]:
            return part
        counted = counted.copy()
        counted[at] = (name, counted[at][1], final)
        return counted, self._composite(counted), lacking

    def _verdict(
        self, part: tuple[list[tuple[str, float, float | None]], float | None, bool],
        cleared: Collection[str], passed: bool | None, full_coverage: bool,
    ) -> tuple[Verdict, float | None]:
        """The policy's precedence (errors, gate, vetoes, missing data, bands, caps, floors,
        sources) on a question's dimensions part."""
        policy = self._policy
        counted, composite, insufficient_dims = part

        def kept(rules: list[tuple[str, bool]]) -> bool:
            return any(rule not in cleared and not (full_coverage and assumed)
                       for rule, assumed in rules)

        if self._errors:
            return Verdict.ERROR, composite
        if passed is False or kept(self._vetoes):
            return Verdict.NOT_QUALIFIED, composite
        insufficient = passed is None or insufficient_dims
        if policy.missing_compliance_data is MissingCompliance.BLOCK and not full_coverage:
            insufficient = insufficient or self._not_evaluated
        else:
            insufficient = insufficient or kept(self._blocks)
        if insufficient or composite is None:  # nothing counts: combine does the same
            return Verdict.INSUFFICIENT_DATA, composite
        band = next((b for b in policy.grades if composite >= b.min_score), policy.grades[-1])
        verdict = band.verdict
        if verdict is Verdict.QUALIFIED and kept(self._caps):
            verdict = Verdict.WATCH
        if band.verdict is Verdict.QUALIFIED and any(
                s is not None and s < policy.floor_for(n) for n, _w, s in counted):
            verdict = Verdict.WATCH
        if verdict is Verdict.QUALIFIED:
            share = self._illustrative_share(counted)
            if share is not None and share > policy.max_illustrative_share:
                verdict = Verdict.WATCH
        return verdict, composite

    def _dimension_part(
        self, cleared: frozenset[str], raw_scores: Mapping[str, float] | None,
        full_coverage: bool,
    ) -> tuple[list[tuple[str, float, float | None]], float | None, bool]:
        """The dimensions that count (name, renormalised weight, final score), the
        composite, and whether one of them lacks coverage or a score."""
        dims = self._dims
        if raw_scores or full_coverage:
            raw, coverage = self._scores(raw_scores, full_coverage)
            left_out, total_weight = self._left_out(raw, coverage)
        else:  # the scores as scored: the same for every finding cleared
            if self._base is None:
                raw, coverage = self._scores(None, False)
                self._base = (raw, coverage, *self._left_out(raw, coverage))
            raw, coverage, left_out, total_weight = self._base
        counted: list[tuple[str, float, float | None]] = []
        finals = self._finals
        for name in self._names:
            score = raw.get(name)
            if score is not None:
                # A dimension whose score, caps and deductions the question leaves as
                # they are keeps the final score worked out the first time.
                as_is = (not full_coverage and not (raw_scores and name in raw_scores)
                         and cleared.isdisjoint(self._rules_of[name]))
                final = finals.get(name) if as_is else None
                if final is None:
                    final = self._final(name, score, cleared, full_coverage)
                    if as_is:
                        finals[name] = final
                score = final
            if name in left_out or not total_weight > 0:
                continue
            weight = dims[name][0] / total_weight
            if weight > 0:
                counted.append((name, weight, score))
        lacking = any(coverage[n] < self._floors[n] or s is None for n, _w, s in counted)
        return counted, self._composite(counted), lacking

    def _composite(self, counted: list[tuple[str, float, float | None]]) -> float | None:
        """The composite of the dimensions that count, None when one has no score."""
        if not counted or any(s is None for _n, _w, s in counted):
            return None
        # Many questions end in the same weights and scores (a deduction beyond its
        # pack's allowance, a veto cleared): the composite is worked out once for each.
        dims = self._dims
        pairs = tuple((dims[n][0], s) for n, _w, s in counted if s is not None)
        composite = self._composites.get(pairs)
        if composite is None:
            exact = self._exact
            composite = self._composites[pairs] = composite_score(
                list(pairs), self._cutoffs,
                lambda: [exact[(n, s)]() for n, _w, s in counted if s is not None])
        return composite

    def _final(self, name: str, score: float, cleared: frozenset[str],
               full_coverage: bool) -> float:
        """The dimension's score after its caps and per-pack deductions, as the policy
        applies them (each pack's allowance is per dimension, so a dimension's own
        findings suffice)."""
        policy = self._policy
        adjustments = adjustments_of(
            (a for a in self._adjustments_of[name]
             if not (a[0] in cleared or (full_coverage and a[3]))), policy)
        deductions = [a.amount for a in adjustments if a.effect is _DEDUCTION]
        caps = [a.amount for a in adjustments if a.effect is _CAP]
        raw = score
        score += sum(deductions)
        for cap in caps:
            score = min(score, cap)
        score = max(0.0, min(100.0, score))
        # Held on the exact side of the dimension's floor and of 0, as the policy holds it.
        score, exact = held_final(score, raw, self._dims[name][4], deductions, caps,
                                  policy.floor_for(name))
        self._exact[(name, score)] = exact
        return score

    def _scores(self, raw_scores: Mapping[str, float] | None, full_coverage: bool
                ) -> tuple[dict[str, float | None], dict[str, float]]:
        """Each dimension's scorer score and coverage, as ``what_if`` changes them."""
        raw: dict[str, float | None] = {}
        coverage: dict[str, float] = {}
        for name, (_w, present, score, _cov, result) in self._dims.items():
            if not present or result is None:
                coverage[name] = 0.0
                continue
            if raw_scores and name in raw_scores:
                score = raw_scores[name]
            floor = self._floors[name]
            cov = exact_coverage(result.coverage, result.metrics, floor, result.score)
            if full_coverage and score is not None:
                cov = max(cov, floor)
            raw[name] = score
            coverage[name] = cov
        return raw, coverage

    def _left_out(self, raw: Mapping[str, float | None], coverage: Mapping[str, float]
                  ) -> tuple[set[str], float]:
        """The optional dimensions left out, and the configured weight of the others."""
        left_out = set()
        for name, floor in self._optional.items():
            score = raw.get(name)
            if score is None or coverage[name] <= 0 or coverage[name] < floor:
                left_out.add(name)
        return left_out, math.fsum(d[0] for n, d in self._dims.items()
                                   if n not in left_out)

    def _illustrative_share(self, counted: list[tuple[str, float, float | None]]
                            ) -> float | None:
        """``overall_sourcing(...).illustrative_share`` over the dimensions that count."""
        graded = [(w, self._sourcing[n]) for n, w, _s in counted
                  if self._sourcing[n][0] is not None]
        weight = sum(w for w, _ in graded)
        if not graded or weight <= 0:
            return None
        with_share = [(w, share) for w, (_c, share) in graded if share is not None]
        share_weight = sum(w for w, _ in with_share)
        if not share_weight > 0:
            return None
        share = sum(w * (share or 0.0) for w, share in with_share) / share_weight
        dims = self._dims
        return held_share(share, lambda: exact_share(
            [(dims[n][0], getattr(dims[n][4], "metrics", ())) for n, w, _s in counted
             if self._sourcing[n][0] is not None and self._sourcing[n][1] is not None]),
            self._policy.max_illustrative_share)
