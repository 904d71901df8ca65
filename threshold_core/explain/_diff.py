"""Attributed decision diff: what changed between two evaluations, and why.

Two evaluations of a company (two configurations, two profile snapshots, or
two saved decision files) are compared field by field, and every change of
verdict, grade and score is attributed:

* **Score.** The composite is ``sum(w_d * s_d)``, so its change is the sum of
  the dimensions' contribution changes, each split exactly with the midpoint
  (two-factor Shapley) rule::

      w_b*s_b - w_a*s_a = (w_b - w_a) * (s_a + s_b)/2  +  (w_a + w_b)/2 * (s_b - s_a)
                          `-- weight effect --'          `-- score effect --'

  and the score effect further into the scorer's own score (``raw_score``)
  and the policy's adjustments from findings (caps, deductions).
* **Weights.** When configured weights changed, the weight effects of every
  dimension (renormalisation moves the others too) are attributed to them.
* **Findings** that appeared, cleared or changed severity or effect; the
  **gate**; the **determining factors**.
* **Receipts.** A different ``input_sha256`` means the profile changed, a
  different ``config_sha256`` the configuration; plugin versions are compared
  one by one. When the configurations or profiles are at hand (not only saved
  decisions), their differing keys are listed too.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from attrs import frozen

from ..load import converter, refuse_repeated_ids
from ..model import Decision, EngineConfig, fold, format_cutoff, format_percent
from ._causes import (
    _TINY,
    Cause,
    DimensionChange,
    _adjustments,
    _dimension_change,
    _finding_causes,
    _gate_cause,
    _receipt_causes,
    _show,
    _verdict_reasons,
    changed_keys,
    config_data,
)

#: Profile and setting keys listed per company in the text output (JSON lists all).
LISTED = 12


@frozen
class Evaluation:
    """One side of a diff: a decision, and what produced it when known."""

    decision: Decision
    #: Where it came from (a profile or a decision file).
    label: str
    config: EngineConfig | None = None
    #: The profile as plain data (unstructured), when it was evaluated here.
    profile: Mapping[str, Any] | None = None


@frozen
class DecisionDiff:
    """Everything that differs between two decisions about one company, attributed."""

    company: str
    name: str
    a: str
    b: str
    verdict_a: str
    verdict_b: str
    grade_a: str | None
    grade_b: str | None
    score_a: float | None
    score_b: float | None
    score_delta: float | None
    #: Plain-language reasons the verdict changed (empty when it did not).
    verdict_reasons: tuple[str, ...]
    dimensions: tuple[DimensionChange, ...]
    #: Causes of the change, largest score effect first, then the others.
    causes: tuple[Cause, ...]
    #: Score change the dimensions do not account for (rounding in the composite).
    residual: float | None

    @property
    def changed(self) -> bool:
        return (self.verdict_a != self.verdict_b or self.grade_a != self.grade_b
                or bool(self.score_delta) or bool(self.causes))


def _share(weight: float, other: float) -> str:
    """A normalised weight as a percentage (one decimal), kept apart from the other run's
    and off 0% and 100% unless it is that (:func:`format_percent`)."""
    return format_percent(weight, (other,), 1)


def diff_decisions(a: Evaluation, b: Evaluation) -> DecisionDiff:
    """Compare two evaluations of a company and attribute every change."""
    da, db = a.decision, b.decision
    dims_a = {d.name: d for d in da.dimensions}
    dims_b = {d.name: d for d in db.dimensions}
    changes = tuple(_dimension_change(n, dims_a.get(n), dims_b.get(n))
                    for n in sorted(set(dims_a) | set(dims_b)))
    causes: list[Cause] = []

    # Weights: renormalisation moves every dimension, so attribute all weight effects
    # to the configured weights that changed when only one did.
    conf_a = {n: d.configured_weight for n, d in dims_a.items()}
    conf_b = {n: d.configured_weight for n, d in dims_b.items()}
    changed_conf = [n for n in sorted(set(conf_a) | set(conf_b))
                    if conf_a.get(n, 0.0) != conf_b.get(n, 0.0)]
    weight_total = sum(c.weight_effect for c in changes)
    if len(changed_conf) == 1 and any(abs(c.weight_effect) > _TINY for c in changes):
        n = changed_conf[0]
        own = next(c for c in changes if c.name == n)
        causes.append(Cause(
            "weight", n,
            f"configured weight {format_cutoff(conf_a.get(n, 0.0))} -> "
            f"{format_cutoff(conf_b.get(n, 0.0))} (normalised "
            f"{_share(own.weight_a, own.weight_b)} -> {_share(own.weight_b, own.weight_a)}): "
            f"{own.weight_effect:+.2f} on itself, "
            f"{weight_total - own.weight_effect:+.2f} from renormalising the others",
            round(weight_total, 4)))
    else:
        for c in changes:
            if abs(c.weight_effect) > _TINY:
                why = (f"configured {format_cutoff(conf_a.get(c.name, 0.0))} -> "
                       f"{format_cutoff(conf_b.get(c.name, 0.0))}"
                       if c.name in changed_conf else "renormalised")
                causes.append(Cause("weight", c.name, f"weight {_share(c.weight_a, c.weight_b)} "
                                    f"-> {_share(c.weight_b, c.weight_a)} ({why})",
                                    round(c.weight_effect, 4)))
    plugin_changes = {c.subject: c.detail for c in _receipt_causes(da, db) if c.kind == "plugin"}
    for c in changes:
        if abs(c.scorer_effect) > _TINY:
            d = dims_b.get(c.name) or dims_a.get(c.name)
            plugin = d.plugin if d else ""
            extra = f"; {plugin_changes[plugin]}" if plugin in plugin_changes else ""
            detail = (f"scorer score {_show(c.raw_a, c.raw_b)} -> {_show(c.raw_b, c.raw_a)} "
                      f"({plugin}{extra})")
            if c.metrics:
                detail += ": " + "; ".join(c.metrics)
            causes.append(Cause("scorer", c.name, detail, round(c.scorer_effect, 4)))
        if abs(c.adjustment_effect) > _TINY:
            detail = (f"adjustments {_adjustments(dims_a.get(c.name))} -> "
                      f"{_adjustments(dims_b.get(c.name))}")
            causes.append(Cause("findings", c.name, detail, round(c.adjustment_effect, 4)))
    causes.sort(key=lambda c: -abs(c.points or 0.0))
    causes += _gate_cause(da, db)
    causes += _finding_causes(da, db)
    if a.config is not None and b.config is not None:
        causes += [Cause("setting", key, f"{_show(x, y, True)} -> {_show(y, x, True)}")
                   for key, x, y in changed_keys(config_data(a.config), config_data(b.config))]
    if a.profile is not None and b.profile is not None:
        causes += [Cause("profile", key, f"{_show(x, y)} -> {_show(y, x)}")
                   for key, x, y in changed_keys(a.profile, b.profile)]
    causes += _receipt_causes(da, db)

    delta = residual = None
    if da.score is not None and db.score is not None:
        delta = round(db.score - da.score, 4)
        residual = round(delta - sum(c.contribution_delta for c in changes), 4)
    return DecisionDiff(
        company=db.company.id, name=db.company.name, a=a.label, b=b.label,
        verdict_a=str(da.verdict), verdict_b=str(db.verdict), grade_a=da.grade, grade_b=db.grade,
        score_a=da.score, score_b=db.score, score_delta=delta,
        verdict_reasons=_verdict_reasons(da, db, causes, tuple(
            g.min_score for c in (a.config, b.config) if c is not None for g in c.policy.grades)),
        dimensions=tuple(c for c in changes if abs(c.contribution_delta) > _TINY
                         or c.weight_a != c.weight_b or c.score_a != c.score_b
                         or c.raw_a != c.raw_b),
        causes=tuple(causes), residual=residual,
    )


@frozen
class PortfolioDiff:
    diffs: tuple[DecisionDiff, ...]
    #: Company ids found on one side only.
    only_a: tuple[str, ...] = ()
    only_b: tuple[str, ...] = ()

    @property
    def flipped(self) -> tuple[DecisionDiff, ...]:
        return tuple(d for d in self.diffs if d.verdict_a != d.verdict_b)


def diff_many(a: Sequence[Evaluation], b: Sequence[Evaluation]) -> PortfolioDiff:
    """Pair evaluations by company id (or the only one on each side) and diff each pair.

    :raises InputError: two evaluations on one side have one company id (compared as
        :class:`~threshold_core.load.CompanyIds` compares them), naming both labels.
    """
    for side in (a, b):
        refuse_repeated_ids((e.decision.company.id, e.label) for e in side)
    if len(a) == 1 and len(b) == 1:
        return PortfolioDiff((diff_decisions(a[0], b[0]),))
    # Paired in the form ids are compared in (a case or a width never decides), listed by
    # the ids as written.
    by_a = {fold(e.decision.company.id): e for e in a}
    by_b = {fold(e.decision.company.id): e for e in b}

    def ids(side: dict[str, Evaluation], keys: set[str]) -> list[str]:
        return sorted(side[k].decision.company.id for k in keys)

    both = sorted(set(by_a) & set(by_b), key=lambda k: by_a[k].decision.company.id)
    return PortfolioDiff(
        diffs=tuple(diff_decisions(by_a[k], by_b[k]) for k in both),
        only_a=tuple(ids(by_a, set(by_a) - set(by_b))),
        only_b=tuple(ids(by_b, set(by_b) - set(by_a))),
    )


def diff_to_dict(result: PortfolioDiff) -> dict[str, Any]:
    conv = converter()
    return {
        "summary": {
            "compared": len(result.diffs),
            "verdict_changed": len(result.flipped),
            "changed": sum(d.changed for d in result.diffs),
            "only_a": list(result.only_a),
            "only_b": list(result.only_b),
        },
        "diffs": [{**conv.unstructure(d), "changed": d.changed} for d in result.diffs],
    }
