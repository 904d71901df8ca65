"""The causes of a change between two decisions: dimension by dimension, findings, receipts,
rule packs, the gate and the verdict's reasons (used by :mod:`._diff` and :mod:`._verify`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from attrs import frozen

from ..load import converter
from ..model import (
    Decision,
    DimensionResult,
    Effect,
    EngineConfig,
    FactorKind,
    Finding,
    GateResult,
    PackRef,
    bn_against,
    format_cutoff,
    format_score,
    format_significant,
)

_TINY = 1e-6


@frozen
class Cause:
    """One reason the result changed."""

    #: ``weight``, ``scorer``, ``findings``, ``finding``, ``gate``, ``determining``,
    #: ``setting``, ``profile``, ``plugin``, ``engine``, ``input`` or ``config``.
    kind: str
    subject: str
    detail: str
    #: Composite points this cause moved (None when it is not a score effect).
    points: float | None = None


@frozen
class DimensionChange:
    name: str
    weight_a: float
    weight_b: float
    score_a: float | None
    score_b: float | None
    raw_a: float | None
    raw_b: float | None
    #: ``w_b*s_b - w_a*s_a`` (a missing score counts as 0).
    contribution_delta: float
    #: ``(w_b - w_a) * mean score``.
    weight_effect: float
    #: ``mean weight * (s_b - s_a)`` = scorer effect + adjustment effect.
    score_effect: float
    #: ``mean weight * (raw_b - raw_a)``: the scorer's own score.
    scorer_effect: float
    #: ``mean weight * ((s_b - raw_b) - (s_a - raw_a))``: caps and deductions.
    adjustment_effect: float
    #: Metric-level changes (raw figure and points), in words.
    metrics: tuple[str, ...] = ()


def flatten(data: Any, prefix: str = "") -> dict[str, Any]:
    """``{"a.b[0].c": value}`` for nested mappings and lists."""
    out: dict[str, Any] = {}
    if isinstance(data, Mapping):
        for k, v in data.items():
            out.update(flatten(v, f"{prefix}.{k}" if prefix else str(k)))
    elif isinstance(data, (list, tuple)) and data and any(
        isinstance(v, (Mapping, list, tuple)) for v in data
    ):
        for i, v in enumerate(data):
            out.update(flatten(v, f"{prefix}[{i}]"))
    else:
        out[prefix] = list(data) if isinstance(data, tuple) else data
    return out


def changed_keys(a: Any, b: Any) -> list[tuple[str, Any, Any]]:
    """Keys whose values differ, as ``(key, a, b)`` (a missing key is None)."""
    fa, fb = flatten(a), flatten(b)
    return [(k, fa.get(k), fb.get(k)) for k in sorted(set(fa) | set(fb)) if fa.get(k) != fb.get(k)]


def config_data(config: EngineConfig) -> dict[str, Any]:
    data: dict[str, Any] = converter().unstructure(config)
    for key in ("path", "root", "plugin_dirs", "rule_dirs"):
        data.pop(key, None)
    return data


def _show(value: Any, other: Any = None, exact: bool = False) -> str:
    """A value of one run beside ``other``, the other run's: a number with six significant
    digits, or the digits that keep the two apart (a profile's 3,999,999,999.99 beside
    4,000,000,000 is never "4e+09 -> 4e+09") and off 0 (:func:`format_significant`);
    ``exact``, a configured figure shown as written (a cut-off of 75 set to 74.9999999
    reads "75 -> 74.9999999", :func:`format_cutoff`)."""
    if value is None:
        return "(none)"
    if isinstance(value, float) and exact:
        return format_cutoff(value)
    if isinstance(value, float):
        beside = isinstance(other, (int, float)) and not isinstance(other, bool)
        return format_significant(value, (float(other),) if beside else (), 6)
    text = str(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _mid(a: float, b: float) -> float:
    return (a + b) / 2.0


def _dimension_change(name: str, da: DimensionResult | None, db: DimensionResult | None
                      ) -> DimensionChange:
    wa = da.weight if da else 0.0
    wb = db.weight if db else 0.0
    sa = da.score if da and da.score is not None else 0.0
    sb = db.score if db and db.score is not None else 0.0
    ra = da.raw_score if da and da.raw_score is not None else sa
    rb = db.raw_score if db and db.raw_score is not None else sb
    weight_effect = (wb - wa) * _mid(sa, sb)
    score_effect = _mid(wa, wb) * (sb - sa)
    scorer_effect = _mid(wa, wb) * (rb - ra)
    metrics = []
    ma = {m.metric: m for m in (da.evidence if da else ())}
    mb = {m.metric: m for m in (db.evidence if db else ())}
    for metric in sorted(set(ma) | set(mb)):
        x, y = ma.get(metric), mb.get(metric)
        rx, ry = (x.raw if x else None), (y.raw if y else None)
        px, py = (x.points if x else None), (y.points if y else None)
        if rx != ry or px != py or (x and y and x.weight != y.weight):
            part = (f"{metric}: raw {_show(rx, ry)} -> {_show(ry, rx)}, "
                    f"points {_show(px, py)} -> {_show(py, px)}")
            if x and y and x.weight != y.weight:
                part += f", weight {_show(x.weight, y.weight)} -> {_show(y.weight, x.weight)}"
            metrics.append(part)
    return DimensionChange(
        name=name, weight_a=wa, weight_b=wb,
        score_a=da.score if da else None, score_b=db.score if db else None,
        raw_a=da.raw_score if da else None, raw_b=db.raw_score if db else None,
        contribution_delta=round(wb * sb - wa * sa, 6),
        weight_effect=round(weight_effect, 6), score_effect=round(score_effect, 6),
        scorer_effect=round(scorer_effect, 6),
        adjustment_effect=round(score_effect - scorer_effect, 6), metrics=tuple(metrics),
    )


def _adjustments(d: DimensionResult | None) -> str:
    if d is None or not d.adjustments:
        return "none"
    return ", ".join(f"{a.rule} {a.effect} {format_cutoff(a.amount)}" for a in d.adjustments)


def _finding_key(f: Finding) -> str:
    return f.rule


def _finding_causes(a: Decision, b: Decision) -> list[Cause]:
    fa = {_finding_key(f): f for f in a.findings}
    fb = {_finding_key(f): f for f in b.findings}
    out = []
    for rule in sorted(set(fa) | set(fb)):
        x, y = fa.get(rule), fb.get(rule)
        if x is None and y is not None:
            out.append(Cause("finding", rule, f"appeared: {y.severity} ({y.effect}) on "
                             f"{y.dimension or '-'}: {y.message}"))
        elif y is None and x is not None:
            out.append(Cause("finding", rule, f"cleared: was {x.severity} ({x.effect}) on "
                             f"{x.dimension or '-'}"))
        elif x is not None and y is not None and (x.severity, x.effect) != (y.severity, y.effect):
            out.append(Cause("finding", rule, f"changed: {x.severity} ({x.effect}) -> "
                             f"{y.severity} ({y.effect})"))
    return out


def _receipt_causes(a: Decision, b: Decision) -> list[Cause]:
    ra, rb = a.receipt, b.receipt
    out = []
    if ra.input_sha256 != rb.input_sha256:
        out.append(Cause("input", "input_sha256",
                         f"the profile changed ({ra.input_sha256[:12]} -> {rb.input_sha256[:12]})"))
    if ra.config_sha256 != rb.config_sha256:
        out.append(Cause("config", "config_sha256", "the configuration changed "
                         f"({ra.config_sha256[:12]} -> {rb.config_sha256[:12]})"))
    if ra.engine_version != rb.engine_version:
        out.append(Cause("engine", "threshold",
                         f"engine {ra.engine_version} -> {rb.engine_version}"))
    pa = {p.name: p.version for p in ra.plugins}
    pb = {p.name: p.version for p in rb.plugins}
    for name in sorted(set(pa) | set(pb)):
        if pa.get(name) != pb.get(name):
            if name not in pa:
                what = f"added ({pb[name]})"
            elif name not in pb:
                what = f"removed (was {pa[name]})"
            else:
                what = f"{pa[name]} -> {pb[name]}"
            out.append(Cause("plugin", name, f"plugin {what}"))
    out += _pack_causes(ra.packs, rb.packs)
    return out


def _pack_causes(a: Sequence[PackRef], b: Sequence[PackRef]) -> list[Cause]:
    """Rule packs whose version or "law as of" date differ: the law the verdict rests on."""
    def show(p: PackRef) -> str:
        return f"{p.version} (law as of {p.law_as_of or 'not stated'})"

    pa, pb = {p.name: p for p in a}, {p.name: p for p in b}
    out = []
    for name in sorted(set(pa) | set(pb)):
        x, y = pa.get(name), pb.get(name)
        if x is not None and y is not None and (x.version, x.law_as_of) == (y.version,
                                                                            y.law_as_of):
            continue
        if x is None and y is not None:
            what = f"added: {show(y)}"
        elif y is None and x is not None:
            what = f"removed: was {show(x)}"
        elif x is not None and y is not None:
            what = f"{show(x)} -> {show(y)}"
        out.append(Cause("rule_pack", name, f"rule pack {name} {what}"))
    return out


def _gate_cause(a: Decision, b: Decision) -> list[Cause]:
    ga, gb = a.gate, b.gate
    if (ga.passed, ga.valuation_cny, ga.line_cny) == (gb.passed, gb.valuation_cny, gb.line_cny):
        return []
    parts = []
    if ga.passed != gb.passed:
        parts.append(f"passed {ga.passed} -> {gb.passed}")
    if ga.valuation_cny != gb.valuation_cny:
        parts.append(f"valuation {_bn(ga.valuation_cny, ga)} -> {_bn(gb.valuation_cny, gb)} CNY")
    if ga.line_cny != gb.line_cny:
        parts.append(f"line {_bn(ga.line_cny)} -> {_bn(gb.line_cny)} CNY")
    return [Cause("gate", "gate", "; ".join(parts))]


def _bn(value: float | None, gate: GateResult | None = None) -> str:
    """Billions, never 0 unless 0; a valuation the gate compared with its line (no
    haircut) off the line and on its side, and the line itself exactly."""
    if value is None:
        return "none"
    if gate is not None and not gate.haircut and gate.passed is not None:
        return f"{bn_against(value, gate.line_cny)}bn"
    return f"{bn_against(value, value if gate is None else None)}bn"


_DECIDERS = (
    ("error", {FactorKind.ERROR}),
    ("gate", {FactorKind.GATE}),
    ("veto", {FactorKind.VETO}),
    ("missing data", {FactorKind.INSUFFICIENT_DATA, FactorKind.BLOCK}),
)


def _decider(d: Decision) -> tuple[str, set[str]]:
    """What decided the verdict (the policy's precedence) and the subjects behind it."""
    for name, kinds in _DECIDERS:
        subjects = {f.subject or "" for f in d.determining if f.kind in kinds}
        if subjects:
            return name, subjects
    return "score", set()


def _caps(d: Decision) -> set[str]:
    return {f.rule for f in d.findings if f.effect is Effect.CAP}


def _verdict_reasons(a: Decision, b: Decision, causes: Sequence[Cause],
                     cutoffs: Sequence[float] = ()) -> tuple[str, ...]:
    if a.verdict == b.verdict:
        return ()
    (ka, sa), (kb, sb) = _decider(a), _decider(b)
    reasons = []
    if ka != kb:
        reasons.append(f"decided by {ka} -> {kb}")
    def named(kind: str, subject: str) -> str:
        return kind if subject in ("", "gate", kind) else f"{kind} {subject}"

    if kb != "score":
        reasons += [f"{named(kb, s)} now applies" for s in sorted(sb - sa)]
    if ka != "score":
        reasons += [f"{named(ka, s)} no longer applies" for s in sorted(sa - sb)]
    if ka == kb == "score":
        ca, cb = _caps(a), _caps(b)
        if cb - ca:
            reasons.append(f"high finding(s) {', '.join(sorted(cb - ca))} now allow at most watch")
        if ca - cb:
            reasons.append(f"high finding(s) {', '.join(sorted(ca - cb))} cleared: no longer "
                           "capped at watch")
        if a.grade != b.grade and a.score is not None and b.score is not None:
            moved = sorted((c for c in causes if c.points), key=lambda c: -abs(c.points or 0.0))
            top = ", ".join(f"{c.kind} {c.subject} {c.points:+.2f}" for c in moved[:3]
                            if (c.points or 0) * (b.score - a.score) > 0)
            # each score on its side of every cut-off (the grade bands of both runs, and
            # whole numbers): never "74.996 -> 75.00" for a move that stayed below 75
            reasons.append(f"the score moved {format_score(a.score, cutoffs, 2)} -> "
                           f"{format_score(b.score, cutoffs, 2)}, from grade "
                           f"{a.grade or '-'} to {b.grade or '-'}"
                           + (f" (mostly {top})" if top else ""))
    # The law the verdict rests on: a changed rule pack whose findings changed decides.
    packs = [c for c in causes if c.kind == "rule_pack"]
    if packs:
        changed = {f.pack for f in (*a.findings, *b.findings)
                   if _finding_state(a, f.rule) != _finding_state(b, f.rule)}
        named_packs = [c for c in packs if c.subject in changed] or packs
        reasons += [f"{c.detail}" for c in named_packs]
    return tuple(reasons) or (f"the policy decided {a.verdict} -> {b.verdict}",)


def _finding_state(d: Decision, rule: str) -> tuple[str, str] | None:
    for f in d.findings:
        if f.rule == rule:
            return (str(f.severity), str(f.effect))
    return None
