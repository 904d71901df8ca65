"""A small common scorecard on threshold, on GoRules zen-engine and in plain Python.

The scorecard: 4 banded dimensions (piecewise-linear bands, each from one profile figure),
6 rules (2 critical: veto; 2 high: cap their dimension at 50 and the verdict at watch;
2 medium: deduct 5 points from their dimension), a weighted composite (0.35 / 0.25 / 0.25 /
0.15) and verdict bands (>= 75 qualified, >= 65 watch, else not_qualified). These are the
semantics of threshold's default policy, so threshold runs it with no special policy:

- threshold: the 4 scorers (``MetricScorer``, their readers returning the kit's
  ``reading()`` tuple, the faster return the kit documents) and a Python rule pack
  (``Pack`` of ``@rule`` functions) registered as real pluggy plugins, the built-ins
  disabled, full trace and receipt; it also runs its valuation gate (every input passes
  it) and works out the headroom and risk of falling below the line.
- zen-engine (``pip install 'threshold[bench]'``): a JDM graph of 4 decision tables (the
  bands), an expression node (rules, composite) and a decision table (verdict bands),
  with and without ``trace``.
- plain Python: one function over the dict.

All three are checked equal (verdict and composite, unrounded to 1e-6) on every input
before timing. CPU time per evaluation, one core, best of N interleaved rounds.

Run: python benchmarks/peers.py [--count 2000] [--rounds 5]
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import random
import statistics
import time
from itertools import pairwise
from typing import Any

import attrs

from threshold_core import Engine, build_config, hookimpl
from threshold_core.engine import create_plugin_manager
from threshold_core.kit import (
    Band,
    Metric,
    MetricScorer,
    Pack,
    ReadingRow,
    fired,
    passed,
    reading,
    rule,
)
from threshold_core.testing import OPTIONAL_BUILTINS, profile_data

# ------------------------------------------------------------------ the scorecard, as data
BANDS: dict[str, tuple[tuple[float, float], ...]] = {
    "growth": ((0, 0), (50, 50), (100, 100)),
    "margin": ((0, 0), (30, 40), (50, 70), (70, 100)),
    "retention": ((85, 0), (100, 40), (120, 80), (140, 100)),
    "capability": ((0, 0), (100, 100)),
}
WEIGHTS = {"growth": 0.35, "margin": 0.25, "retention": 0.25, "capability": 0.15}
FIELDS = {"growth": "revenue_growth_pct", "margin": "gross_margin_pct", "retention": "ndr_pct",
          "capability": "capability_percentile"}
HIGH_CAP, MEDIUM_DEDUCTION = 50.0, 5.0
GRADES = ((75.0, "qualified"), (65.0, "watch"), (0.0, "not_qualified"))


def inputs(count: int, seed: int = 42) -> list[dict[str, Any]]:
    rng = random.Random(seed)
    return [{
        "revenue_growth_pct": round(rng.uniform(-30, 150), 1),
        "gross_margin_pct": round(rng.uniform(-5, 85), 1),
        "ndr_pct": round(rng.uniform(80, 150), 1),
        "capability_percentile": round(rng.uniform(0, 100), 1),
        "top5_customer_share_pct": round(rng.uniform(10, 95), 1),
        "entity_list": rng.random() < 0.05,
    } for _ in range(count)]


# ------------------------------------------------------------------ plain Python
def _band(pts: tuple[tuple[float, float], ...], x: float) -> float:
    if x <= pts[0][0]:
        return pts[0][1]
    if x >= pts[-1][0]:
        return pts[-1][1]
    for (x0, y0), (x1, y1) in pairwise(pts):
        if x <= x1:
            return y0 + (y1 - y0) * (x - x0) / (x1 - x0)
    return pts[-1][1]


def plain(d: dict[str, Any]) -> tuple[str, float]:
    s = {dim: _band(BANDS[dim], d[f]) for dim, f in FIELDS.items()}
    veto = d["entity_list"] or d["top5_customer_share_pct"] > 90
    caps = []
    if d["revenue_growth_pct"] < 0:
        s["growth"] -= MEDIUM_DEDUCTION
    if d["capability_percentile"] < 20:
        s["capability"] -= MEDIUM_DEDUCTION
    if d["gross_margin_pct"] < 10:
        s["margin"] = min(s["margin"], HIGH_CAP)
        caps.append("margin")
    if d["ndr_pct"] < 90:
        s["retention"] = min(s["retention"], HIGH_CAP)
        caps.append("retention")
    composite = sum(WEIGHTS[k] * max(0.0, min(100.0, v)) for k, v in s.items())
    verdict = next(v for lo, v in GRADES if composite >= lo)
    if veto:
        verdict = "not_qualified"
    elif caps and verdict == "qualified":
        verdict = "watch"
    return verdict, composite


# ------------------------------------------------------------------ threshold plugins
def _reader(section: str, name: str) -> Any:
    # The kit's faster return (``reading``: a Reading's fields as a plain tuple), with the
    # path it reads made once.
    paths = (f"{section}.{name}",)

    def read(profile: Any, _ctx: Any, _settings: Any = None) -> ReadingRow | None:
        fig = getattr(getattr(profile, section), name)
        return None if fig is None else reading(fig.value, paths)
    return read


def _settings_type(dim: str) -> type:
    """``[settings.sc_<dim>]``: the metric's weight and band (defaults: the scorecard's)."""
    field = FIELDS[dim]
    return attrs.make_class(f"Sc{dim.title()}Settings", {
        "weights": attrs.field(factory=lambda: {field: 1.0}),
        "bands": attrs.field(factory=lambda: {field: Band(BANDS[dim])}),
    }, frozen=True)


SECTIONS = {"growth": "financials", "margin": "financials", "retention": "customers",
            "capability": "technology"}


class ScorecardScorers:
    """Four one-metric scorers, one per dimension."""

    @hookimpl
    def threshold_register_scorers(self, register: Any) -> None:
        for dim, field in FIELDS.items():
            register(MetricScorer(
                name=f"sc_{dim}", dimension=dim,
                metrics=(Metric(field, _reader(SECTIONS[dim], field),
                                (f"{SECTIONS[dim]}.{field}",)),),
                directions={field: "higher"}))

    @hookimpl
    def threshold_settings_types(self) -> dict[str, type]:
        return {f"sc_{dim}": _settings_type(dim) for dim in FIELDS}


def _figure(profile: Any, section: str, name: str) -> float:
    return float(getattr(getattr(profile, section), name).value)


@rule("SC-1", title="on the Entity List", severity="critical", dimension=None,
      rationale="no foundry or cloud access", source="house policy (benchmark)")
def _entity(profile: Any, _s: Any, _c: Any) -> Any:
    return fired("listed") if profile.export_controls.entity_list else passed()


@rule("SC-2", title="top-5 customers over 90% of revenue", severity="critical",
      dimension="retention", rationale="one customer away from collapse",
      source="house policy (benchmark)")
def _concentration(profile: Any, _s: Any, _c: Any) -> Any:
    return fired("concentrated") if _figure(
        profile, "financials", "top5_customer_share_pct") > 90 else passed()


@rule("SC-3", title="gross margin below 10%", severity="high", dimension="margin",
      rationale="reselling compute", source="house policy (benchmark)")
def _margin(profile: Any, _s: Any, _c: Any) -> Any:
    return fired("thin") if _figure(profile, "financials", "gross_margin_pct") < 10 else passed()


@rule("SC-4", title="net dollar retention below 90%", severity="high", dimension="retention",
      rationale="customers leave", source="house policy (benchmark)")
def _ndr(profile: Any, _s: Any, _c: Any) -> Any:
    return fired("churn") if _figure(profile, "customers", "ndr_pct") < 90 else passed()


@rule("SC-5", title="revenue shrinking", severity="medium", dimension="growth",
      rationale="negative growth", source="house policy (benchmark)")
def _shrinking(profile: Any, _s: Any, _c: Any) -> Any:
    return fired("shrinking") if _figure(
        profile, "financials", "revenue_growth_pct") < 0 else passed()


@rule("SC-6", title="capability in the bottom 20%", severity="medium", dimension="capability",
      rationale="behind the field", source="house policy (benchmark)")
def _laggard(profile: Any, _s: Any, _c: Any) -> Any:
    return fired("laggard") if _figure(
        profile, "technology", "capability_percentile") < 20 else passed()


class ScorecardRules:
    @hookimpl
    def threshold_register_rule_packs(self, register: Any) -> None:
        register(Pack("scorecard", "1.0", (_entity, _concentration, _margin, _ndr, _shrinking,
                                           _laggard)))


def threshold_engine() -> Engine:
    config = build_config({
        "plugins": {"autoload": False},
        "dimensions": {
            **{d: {"weight": 0} for d in ("technical_defensibility", "application_stickiness",
                                          "regulatory_readiness", "institutional_backing")},
            **{d: {"weight": w} for d, w in WEIGHTS.items()}},
        "policy": {"grades": [{"name": "Q", "min_score": 75, "verdict": "qualified"},
                              {"name": "W", "min_score": 65, "verdict": "watch"},
                              {"name": "N", "min_score": 0, "verdict": "not_qualified"}],
                   # Not part of the common scorecard, so off: threshold's hold of a
                   # qualified score resting on unsourced figures (the scorecard grades no
                   # sources) and its non-compensatory dimension floor.
                   "max_illustrative_share": 1.0, "dimension_floor": 0},
    })
    pm = create_plugin_manager(config, disable=OPTIONAL_BUILTINS, extra=(
        ("scorecard_scorers", ScorecardScorers()), ("scorecard_rules", ScorecardRules())))
    return Engine(config, pm)


def to_profile_doc(d: dict[str, Any]) -> dict[str, Any]:
    return profile_data(
        valuation={"amount": 1e10, "currency": "CNY", "basis": "market_cap"},
        financials={"currency": "CNY", "revenue_growth_pct": d["revenue_growth_pct"],
                    "gross_margin_pct": d["gross_margin_pct"],
                    "top5_customer_share_pct": d["top5_customer_share_pct"]},
        customers={"ndr_pct": d["ndr_pct"]},
        technology={"capability_percentile": d["capability_percentile"]},
        export_controls={"entity_list": d["entity_list"]},
    )


# ------------------------------------------------------------------ zen-engine
def _table(dim: str) -> dict[str, Any]:
    field = FIELDS[dim]
    pts = BANDS[dim]
    rows = [{"_id": "r0", "i": f"<= {pts[0][0]}", "o": str(pts[0][1])}]
    for k, ((x0, y0), (x1, y1)) in enumerate(pairwise(pts)):
        rows.append({"_id": f"r{k + 1}", "i": f"<= {x1}",
                     "o": f"{y0} + ({y1} - {y0}) * ({field} - {x0}) / ({x1} - {x0})"})
    rows.append({"_id": "rz", "i": "", "o": str(pts[-1][1])})
    return {"id": f"dt_{dim}", "type": "decisionTableNode", "name": dim,
            "position": {"x": 200, "y": 0},
            "content": {"hitPolicy": "first", "passThrough": True,
                        "inputs": [{"id": "i", "name": field, "field": field}],
                        "outputs": [{"id": "o", "name": dim, "field": f"points.{dim}"}],
                        "rules": rows}}


def _expr(node_id: str, pairs: list[tuple[str, str]]) -> dict[str, Any]:
    return {"id": node_id, "type": "expressionNode", "name": node_id,
            "position": {"x": 400, "y": 0},
            "content": {"passThrough": True, "expressions": [
                {"id": f"{node_id}{i}", "key": k, "value": v} for i, (k, v) in enumerate(pairs)]}}


def jdm() -> dict[str, Any]:
    w = WEIGHTS
    clamp = "max([0, min([100, {}])])"
    adjust = _expr("rules", [
        ("veto", "entity_list or top5_customer_share_pct > 90"),
        ("capped", "gross_margin_pct < 10 or ndr_pct < 90"),
        ("adj.growth", clamp.format(
            f"points.growth - (revenue_growth_pct < 0 ? {MEDIUM_DEDUCTION} : 0)")),
        ("adj.capability", clamp.format(
            f"points.capability - (capability_percentile < 20 ? {MEDIUM_DEDUCTION} : 0)")),
        ("adj.margin", clamp.format(
            f"gross_margin_pct < 10 ? min([points.margin, {HIGH_CAP}]) : points.margin")),
        ("adj.retention", clamp.format(
            f"ndr_pct < 90 ? min([points.retention, {HIGH_CAP}]) : points.retention")),
    ])
    composite = _expr("composite", [("composite", " + ".join(
        f"{w[d]} * adj.{d}" for d in WEIGHTS))])
    verdict = {"id": "verdict", "type": "decisionTableNode", "name": "verdict",
               "position": {"x": 600, "y": 0},
               "content": {"hitPolicy": "first", "passThrough": True,
                           "inputs": [{"id": "v", "name": "veto", "field": "veto"},
                                      {"id": "c", "name": "capped", "field": "capped"},
                                      {"id": "s", "name": "composite", "field": "composite"}],
                           "outputs": [{"id": "o", "name": "verdict", "field": "verdict"}],
                           "rules": [
                               {"_id": "a", "v": "true", "c": "", "s": "", "o": '"not_qualified"'},
                               {"_id": "b", "v": "", "c": "true", "s": ">= 75", "o": '"watch"'},
                               {"_id": "c", "v": "", "c": "", "s": ">= 75", "o": '"qualified"'},
                               {"_id": "d", "v": "", "c": "", "s": ">= 65", "o": '"watch"'},
                               {"_id": "e", "v": "", "c": "", "s": "", "o": '"not_qualified"'}]}}
    nodes = [{"id": "in", "type": "inputNode", "name": "in", "position": {"x": 0, "y": 0}},
             *[_table(d) for d in WEIGHTS], adjust, composite, verdict,
             {"id": "out", "type": "outputNode", "name": "out", "position": {"x": 800, "y": 0}}]
    chain = ["in", *[f"dt_{d}" for d in WEIGHTS], "rules", "composite", "verdict", "out"]
    edges = [{"id": f"e{i}", "sourceId": a, "targetId": b, "type": "edge"}
             for i, (a, b) in enumerate(pairwise(chain))]
    return {"nodes": nodes, "edges": edges}


# ------------------------------------------------------------------ measuring
def timed(fn: Any, items: list[Any]) -> float:
    gc.collect()
    start = time.process_time()
    for item in items:
        fn(item)
    return time.process_time() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=2000)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {sorted(os.sched_getaffinity(0))[0]})  # one core

    data = inputs(args.count)
    engine = threshold_engine()
    profiles = [engine.profile_from_data(to_profile_doc(d)) for d in data]
    fns: dict[str, tuple[Any, list[Any]]] = {
        "threshold": (engine.evaluate, profiles), "plain": (plain, data)}
    try:
        import zen
    except ImportError:
        print("zen-engine: not installed (pip install 'threshold[bench]'); zen lines skipped")
        has_zen = False
    else:
        has_zen = True
        decision = zen.ZenEngine().create_decision(json.dumps(jdm()))
        fns["zen"] = (decision.evaluate, data)
        fns["zen_trace"] = (lambda d: decision.evaluate(d, {"trace": True}), data)

    mismatches = {k: 0 for k in fns if k != "plain"}
    verdicts: dict[str, int] = {}
    for d, p in zip(data, profiles, strict=True):
        want_v, want_s = plain(d)
        verdicts[want_v] = verdicts.get(want_v, 0) + 1
        got = engine.evaluate(p)
        mismatches["threshold"] += str(got.verdict) != want_v or (
            got.score is None or abs(got.score - want_s) > 1e-3)
        if has_zen:
            for key in ("zen", "zen_trace"):
                r = fns[key][0](d)["result"]
                mismatches[key] += r["verdict"] != want_v or abs(r["composite"] - want_s) > 1e-6
    print(f"inputs: {len(data)} (seed 42); verdicts {dict(sorted(verdicts.items()))}")
    print("differences from plain Python (verdict, composite): "
          + ", ".join(f"{k} {v}" for k, v in mismatches.items()))
    if any(mismatches.values()):
        raise SystemExit("the implementations disagree: not timing")

    runs: dict[str, list[float]] = {k: [] for k in fns}
    for _ in range(args.rounds):
        for key, (fn, items) in fns.items():
            runs[key].append(timed(fn, items))
    n = len(data)
    us = {k: min(v) / n * 1e6 for k, v in runs.items()}
    med = {k: statistics.median(v) / n * 1e6 for k, v in runs.items()}
    labels = {"threshold": "threshold (plugins, Python pack, full trace)",
              "zen": "zen-engine (JDM graph, no trace)",
              "zen_trace": "zen-engine (JDM graph, trace on)",
              "plain": "plain Python function"}
    print(f"CPU: one core pinned; {args.rounds} interleaved rounds; us per evaluation, "
          "best (median)")
    for key in fns:
        print(f"  {labels[key]:<46} {us[key]:8.1f} ({med[key]:8.1f})  {1e6 / us[key]:9,.0f}/s")
    for key in fns:
        if key != "threshold":
            print(f"ratio threshold / {key}: {us['threshold'] / us[key]:.2f}x")
    if has_zen:
        # Each round's own ratio (its timings seconds apart): on a machine whose speed swings
        # between minutes, their median is the steadier figure to compare.
        per_round = sorted(t / z for t, z in zip(runs["threshold"], runs["zen_trace"],
                                                 strict=True))
        print(f"ratio threshold / zen_trace per round: median "
              f"{statistics.median(per_round):.2f}x (rounds "
              f"{', '.join(f'{r:.2f}' for r in per_round)})")
        print("goal: threshold faster than zen-engine with its trace on: "
              + ("met" if us["threshold"] < us["zen_trace"] else "NOT met"))


if __name__ == "__main__":
    main()
