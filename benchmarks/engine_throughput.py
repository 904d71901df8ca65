"""Engine throughput against two baselines, side by side, on one core.

1. The honest baseline (issue 20): what a user would write instead of the engine, a plain
   Python function over the profile as parsed from JSON (dicts). It computes the same 4
   dimension scores (all 24 metrics: bands, caps, bonuses, coverage), the gate (FX rate,
   valuation basis, haircut, the 4bn CNY line) and the verdict (grade bands, coverage
   floors). It does not reproduce the 40 rule checks of the 4 built-in rule packs, so its
   like-for-like engine line is the engine with those packs disabled; the script prints
   both engine lines and says so in its output.
2. The plugin-object baseline: the project's own scorers and rule objects called in a
   plain loop with the default policy arithmetic (caps, deductions, weights, grade bands),
   but no plugin manager, isolation, validation of component results, trace or receipt.

Equality is checked before timing: the plugin-object baseline's composite and fired rules
against the full engine; the honest baseline's 4 dimension scores and coverages against
the full engine, and its verdict and composite against the engine without rule packs.
CPU time (process time) per company, best and median of N interleaved rounds.

Run: python benchmarks/engine_throughput.py [--count 2000] [--rounds 5]
"""

from __future__ import annotations

import argparse
import gc
import json
import math
import os
import statistics
import time
from itertools import pairwise
from typing import Any

from threshold_core import Engine, build_config
from threshold_core.load import profile_from_data
from threshold_core.model import Context, RuleStatus, Severity
from threshold_core.portfolio import synthetic_portfolio


def make_baseline(engine: Engine) -> Any:
    """A hand-written evaluation using the same scorers and rules, without the engine."""
    config = engine.config
    policy = config.policy
    scorers = [(dim, reg.component, engine.settings.get(reg.component.name))
               for dim, reg in sorted(engine.assignments.items())]
    weights = {dim: config.dimensions[dim].weight for dim, _, _ in scorers}
    total = sum(weights.values())
    rules = [(pack_name, rule, engine.settings.get(pack_name))
             for pack_name, reg in sorted(engine.packs.items())
             for rule in reg.component.rules if rule.meta.id not in engine.disabled_rules]
    fx = engine.fx

    def evaluate(profile: Any) -> tuple[str, float | None, list[str]]:
        ctx = Context(fx=fx, as_of=profile.as_of or fx.as_of)
        scores = {dim: scorer.score(profile, settings, ctx).score
                  for dim, scorer, settings in scorers}
        fired = []
        caps: dict[str, float] = {}
        deductions: dict[tuple[str, str], float] = {}
        veto = False
        for pack, rule, settings in rules:
            out = rule.check(profile, settings, ctx)
            if out.status is not RuleStatus.FIRED:
                continue
            fired.append(rule.meta.id)
            sev = out.severity or rule.meta.severity
            dim = rule.meta.dimension
            if sev is Severity.CRITICAL:
                veto = True
            elif sev is Severity.HIGH and dim in scores:
                caps[dim] = policy.high_cap
            elif sev is Severity.MEDIUM and dim in scores:
                key = (pack, dim)
                deductions[key] = min(policy.medium_max_per_pack,
                                      deductions.get(key, 0.0) + policy.medium_deduction)
        if any(s is None for s in scores.values()):
            return "insufficient_data", None, sorted(fired)
        composite = 0.0
        for dim, s in scores.items():
            assert s is not None
            s -= sum(v for (p, d), v in deductions.items() if d == dim)
            if dim in caps:
                s = min(s, caps[dim])
            composite += weights[dim] / total * max(0.0, min(100.0, s))
        band = next(g for g in policy.grades if composite >= g.min_score)
        verdict = "not_qualified" if veto else str(band.verdict)
        return verdict, round(composite, 4), sorted(fired)

    return evaluate


# ---------------------------------------------------------------------------------------------
# The honest baseline: what a user would write instead of the engine, over the parsed document.
# ---------------------------------------------------------------------------------------------

def _band(pts: tuple[tuple[float, float], ...], x: float) -> float:
    if x <= pts[0][0]:
        return pts[0][1]
    if x >= pts[-1][0]:
        return pts[-1][1]
    for (x0, y0), (x1, y1) in pairwise(pts):
        if x <= x1:
            return y0 + (y1 - y0) * (x - x0) / (x1 - x0)
    return pts[-1][1]


def _dim(weights: dict[str, float], bands: dict[str, Any], got: dict[str, float | None],
         ) -> tuple[float | None, float]:
    """Weighted mean of the metrics with data, and the coverage (share of weight with data)."""
    total = sum(weights.values())
    gw = ws = 0.0
    for name, w in weights.items():
        raw = got.get(name)
        if raw is None or not math.isfinite(raw):
            continue
        band = bands[name]
        pts = band(raw) if callable(band) else _band(band, raw)
        pts = min(100.0, max(0.0, pts))
        gw += w
        ws += w * pts
    return (ws / gw if gw else None), (gw / total if total else 0.0)


TD_W = {"reproduced_benchmarks": 30.0, "capability_rank": 25.0, "data_moat": 20.0,
        "cadence": 10.0, "rnd_intensity": 15.0}
AS_W = {"ndr": 30.0, "gdr": 15.0, "recurring_revenue_share": 15.0,
        "customer_concentration": 10.0, "gross_margin": 15.0, "rule_of_40": 15.0}
IB_W = {"runway": 35.0, "investor_quality": 25.0, "commitment": 15.0, "capital_raised": 15.0,
        "listing": 10.0}
RR_W = {"genai_filing": 30.0, "algorithm_filing": 15.0, "disclosure": 5.0, "labeling": 10.0,
        "security_assessment": 10.0, "sector_approvals": 15.0, "enforcement": 10.0,
        "ethics_governance": 5.0}
EXCL = {"exclusive": 1.0, "licensed": 0.5, "public": 0.0}
TIERS = {"state_fund": 3.0, "strategic": 3.0, "vc": 2.0, "sovereign": 2.0, "pe": 2.0,
         "cornerstone": 2.0, "university": 1.0, "other": 1.0}
LISTING = {"listed": 100.0, "filed": 60.0, "private": 30.0, "subsidiary": 60.0}
FX = {"CNY": 1.0, "USD": 7.17, "HKD": 0.915, "EUR": 7.8}
HAIRCUT = {"market_cap": 0.0, "expected_market_value": 0.0, "estimate": 0.25,
           "last_round_post_money": 0.32}
LINE = 4e9
GRADES = ((85.0, "qualified"), (75.0, "qualified"), (65.0, "watch"), (55.0, "not_qualified"),
          (0.0, "not_qualified"))
_CAP_LOG = tuple((math.log10(x), y) for x, y in ((0.5, 0), (2, 50), (10, 100)))
_BANDS_TD = {"reproduced_benchmarks": ((0, 0), (50, 50), (80, 100)),
             "capability_rank": ((0, 0), (100, 100)), "data_moat": ((0, 0), (1, 50), (3, 100)),
             "cadence": ((0, 0), (1, 50), (3, 100)), "rnd_intensity": ((10, 0), (30, 100))}
_BANDS_AS = {"ndr": ((85, 0), (100, 40), (110, 60), (120, 80), (140, 100)),
             "gdr": ((50, 0), (80, 30), (90, 70), (100, 100)),
             "recurring_revenue_share": ((0, 0), (50, 50), (80, 100)),
             "customer_concentration": ((20, 100), (40, 50), (60, 0)),
             "gross_margin": ((0, 0), (30, 40), (50, 70), (70, 100)),
             "rule_of_40": ((0, 0), (40, 60), (60, 90), (80, 100))}
_BANDS_IB = {"runway": ((5, 0), (6, 20), (12, 50), (24, 100)),
             "investor_quality": ((1, 0), (2, 60), (3, 100)),
             "commitment": ((0, 0), (6, 50), (18, 100)),
             "capital_raised": lambda v: (0.0 if v <= 0 else _band(_CAP_LOG, math.log10(v))),
             "listing": ((0, 0), (100, 100))}
_BANDS_RR = {k: ((0, 0), (100, 100)) for k in RR_W}
_IN_FORCE = ("active", "changed")


def _num(x: Any) -> float | None:
    """A figure is a bare number or ``{value = ...}``."""
    if x is None:
        return None
    return float(x["value"]) if isinstance(x, dict) else float(x)


def honest_scores(p: dict[str, Any]) -> dict[str, tuple[float | None, float]]:
    """The four dimension scores (score, coverage) from the parsed document."""
    fin = p.get("financials") or {}
    tech = p.get("technology")
    g: dict[str, float | None] = {}
    # technical_defensibility
    if tech:
        known = [c["independently_reproduced"] for c in tech.get("benchmark_claims", ())
                 if c.get("independently_reproduced") is not None]
        g["reproduced_benchmarks"] = 100.0 * sum(map(bool, known)) / len(known) if known else None
        g["capability_rank"] = _num(tech.get("capability_percentile"))
        assets = tech.get("data_assets") or ()
        if assets:
            moat = sum(EXCL[a["exclusivity"]] for a in assets)
            pts = _band(_BANDS_TD["data_moat"], moat)
            if all(a.get("self_reported") for a in assets):
                pts = min(pts, 60.0)
            moat_pts = pts
        else:
            moat_pts = None
        rel = _num(tech.get("releases_12m"))
        if rel is not None:
            pts = _band(_BANDS_TD["cadence"], rel)
            if any(m.get("open_weights") for m in tech.get("models", ())):
                pts = min(100.0, pts + 10.0)
            cad_pts: float | None = pts
        else:
            cad_pts = None
    else:
        moat_pts = cad_pts = None
    rev, rnd = _num(fin.get("revenue")), _num(fin.get("rnd_expense"))
    g["rnd_intensity"] = 100.0 * rnd / rev if rev is not None and rnd is not None and rev > 0 \
        else None
    td = dict(_BANDS_TD, data_moat=lambda _v: moat_pts, cadence=lambda _v: cad_pts)
    g["data_moat"] = 0.0 if moat_pts is not None else None
    g["cadence"] = 0.0 if cad_pts is not None else None
    s_td = _dim(TD_W, td, g)

    # application_stickiness
    cust = p.get("customers") or {}
    a: dict[str, float | None] = {"ndr": _num(cust.get("ndr_pct")),
                                  "gdr": _num(cust.get("gdr_pct"))}
    mix = fin.get("revenue_mix")
    if mix and any(mix.get(k) is not None for k in ("subscription_pct", "usage_api_pct",
                                                   "project_on_prem_pct", "consumer_app_pct",
                                                   "other_pct")):
        a["recurring_revenue_share"] = sum(_num(mix.get(k)) or 0.0
                                           for k in ("subscription_pct", "usage_api_pct"))
    a["customer_concentration"] = _num(fin.get("top5_customer_share_pct"))
    a["gross_margin"] = _num(fin.get("gross_margin_pct"))
    gr, fcf = _num(fin.get("revenue_growth_pct")), _num(fin.get("fcf_margin_pct"))
    a["rule_of_40"] = gr + fcf if gr is not None and fcf is not None else None
    s_as = _dim(AS_W, _BANDS_AS, a)

    # institutional_backing
    b: dict[str, float | None] = {}
    cash, burn = _num(fin.get("cash")), _num(fin.get("monthly_net_burn"))
    if cash is not None and burn is not None:
        b["runway"] = 24.0 if burn <= 0 else max(0.0, cash / burn)
    invs = p.get("investors") or ()
    amts = [FX[i["amount"]["currency"]] * i["amount"]["amount"] if i.get("amount") else None
            for i in invs]

    def wmean(items: list[tuple[float, float | None]]) -> float:
        wa = [(v, w) for v, w in items if w is not None and w > 0]
        if wa:
            return sum(v * w for v, w in wa) / sum(w for _, w in wa)
        return sum(v for v, _ in items) / len(items)

    if invs:
        b["investor_quality"] = wmean([(float(i["tier"]) if i.get("tier") is not None
                                        else TIERS[i["type"]], w) for i, w in zip(invs, amts,
                                                                                 strict=True)])
        lock = [(i["lockup_months"], w) for i, w in zip(invs, amts, strict=True)
                if i.get("lockup_months") is not None]
        b["commitment"] = wmean(lock) if lock else None
        known_amts = [x for x in amts if x is not None]
        b["capital_raised"] = sum(known_amts) / 1e9 if known_amts else None
    lst = p.get("listing")
    b["listing"] = LISTING[lst["status"]] if lst else None
    s_ib = _dim(IB_W, _BANDS_IB, b)

    # regulatory_readiness (the cases the synthetic generator produces; see the script's note)
    r: dict[str, float | None] = {}
    services = p.get("services") or ()
    filings = p.get("filings")
    if services:
        def covered(s: dict[str, Any], regimes: tuple[str, ...]) -> list[dict[str, Any]]:
            return [f for f in filings or () if f["regime"] in regimes
                    and f.get("status", "active") in _IN_FORCE
                    and (f.get("service") is None or _match(f["service"], s["name"])
                         or (s.get("model") is not None and _match(f["service"], s["model"])))]
        need = [s for s in services if s.get("public_prc") and s.get("kind") == "generative"]
        if not need:
            r["genai_filing"] = 100.0
        elif filings is not None:
            r["genai_filing"] = 100.0 * sum(
                bool(covered(s, ("CAC_GENAI_FILING", "CAC_GENAI_REGISTRATION")
                             if s.get("api_based") else ("CAC_GENAI_FILING",)))
                for s in need) / len(need)
        need = [s for s in services if s.get("public_prc") and s.get("public_opinion")]
        if not need:
            r["algorithm_filing"] = 100.0
        elif filings is not None:
            r["algorithm_filing"] = 100.0 * sum(
                bool(covered(s, ("CAC_ALGORITHM", "CAC_DEEP_SYNTHESIS"))) for s in need
            ) / len(need)
    known = [f["displayed_on_product"] for f in filings or ()
             if f["regime"] in ("CAC_GENAI_FILING", "CAC_GENAI_REGISTRATION", "CAC_ALGORITHM",
                                "CAC_DEEP_SYNTHESIS")
             and f.get("status", "active") in _IN_FORCE
             and f.get("displayed_on_product") is not None]
    r["disclosure"] = 100.0 * sum(map(bool, known)) / len(known) if known else None
    lab = p.get("content_labeling")
    r["labeling"] = 50.0 * bool(lab.get("explicit")) + 50.0 * bool(
        lab.get("implicit_metadata")) if lab is not None else None
    sa = p.get("security_assessment")
    r["security_assessment"] = 100.0 * sum(bool(sa.get(k)) for k in (
        "corpus_blacklist", "keyword_library", "refusal_test_banks")) / 3 if sa is not None \
        else None
    verts = [v for v in p.get("verticals") or () if v.get("revenue_share_pct") is not None]
    if verts:
        need_v = [v for v in verts if v["revenue_share_pct"] >= 10.0]
        appr = p.get("sector_approvals")
        if not need_v:
            r["sector_approvals"] = 100.0
        elif appr is not None or all(v.get("exemption") is not None for v in need_v):
            ok = {_norm(x["sector"]) for x in appr or () if x.get("status") in _IN_FORCE}
            r["sector_approvals"] = 100.0 * sum(
                v.get("exemption") is not None or _norm(v["sector"]) in ok for v in need_v
            ) / len(need_v)
    enf = p.get("enforcement")
    if enf is not None:
        as_of = p.get("as_of")
        since = f"{int(as_of[:4]) - 2}{as_of[4:]}" if as_of else None  # 24 months, ISO dates
        acts = [e for e in enf if (since is None or str(e["action_date"]) >= since)
                and (as_of is None or str(e["action_date"]) <= as_of)]
        severe = [e for e in acts if e["action"] in ("penalty", "app_removal")]
        minor = [e for e in acts if e["action"] == "summons"
                 or (e["action"] == "rectification" and not e.get("resolved"))]
        pts = 0.0 if any(not e.get("resolved") for e in severe) else 50.0 if severe else 100.0
        r["enforcement"] = max(0.0, pts - 50.0 * len(minor)) if minor else pts
    eg = p.get("ethics_governance")
    if eg is not None:
        pts = 0.0
        if eg.get("committee"):
            pts += 60.0 if (eg.get("members") or 0) >= 5 else 30.0
        rereview = any(s.get("public_opinion") for s in services) or any(
            v.get("decision_support") for v in p.get("verticals") or ())
        if not rereview or eg.get("expert_rereview_done"):
            pts += 40.0
        r["ethics_governance"] = pts
    s_rr = _dim(RR_W, _BANDS_RR, r)
    return {"application_stickiness": s_as, "institutional_backing": s_ib,
            "regulatory_readiness": s_rr, "technical_defensibility": s_td}


def _norm(s: str) -> str:
    return "".join(ch for ch in s.casefold() if ch.isalnum())


def _match(a: str, b: str) -> bool:
    x, y = _norm(a), _norm(b)
    return bool(x and y) and (x == y or (min(len(x), len(y)) >= 3 and (x in y or y in x)))


def honest_evaluate(p: dict[str, Any]) -> tuple[str, float | None, dict[str, Any]]:
    """Scores, gate and verdict (no rule checks: see the script's output)."""
    scores = honest_scores(p)
    v = p.get("valuation")
    if v is None:
        gate: bool | None = None
    elif v["basis"] not in HAIRCUT or (v.get("source") and "illustrative" in
                                        v["source"].casefold()) or not (
            v.get("as_of") or p.get("as_of")):
        gate = None
    else:
        gate = v["amount"] * FX[v["currency"]] * (1.0 - HAIRCUT[v["basis"]]) >= LINE
    composite = None
    if all(s is not None for s, _ in scores.values()):
        composite = math.fsum(s or 0.0 for s, _ in scores.values()) / len(scores)  # equal weights
    if gate is False:
        verdict = "not_qualified"
    elif gate is None or any(c < 0.6 or s is None for s, c in scores.values()):
        verdict = "insufficient_data"
    else:
        assert composite is not None
        verdict = next(vd for lo, vd in GRADES if composite >= lo)
    return verdict, None if composite is None else round(composite, 4), scores



def timed(fn: Any, items: list[Any]) -> float:
    """CPU time of one pass (process time: other processes' load does not count)."""
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

    engine = Engine(build_config({}))
    scores_only = Engine(build_config({"plugins": {"disable": RULE_PLUGINS}}))
    plugin_baseline = make_baseline(engine)
    # The documents as a user's code gets them: parsed from JSON text into dicts.
    docs = [json.loads(json.dumps(d)) for d in synthetic_portfolio(args.count, seed=42)]
    profiles = [profile_from_data(d) for d in docs]

    # Equality before timing.
    plugin_mismatch = score_mismatch = verdict_mismatch = with_findings = same_as_full = 0
    for doc, p in zip(docs, profiles, strict=True):
        d = engine.evaluate(p)
        _v, score, fired = plugin_baseline(p)
        if (d.score is not None and score is not None and abs(d.score - score) > 1e-3) or sorted(
                f.rule for f in d.findings) != fired:
            plugin_mismatch += 1
        verdict, composite, dims = honest_evaluate(doc)
        raw = {r.name: (r.raw_score, r.coverage) for r in d.dimensions}
        if any((raw[k][0] is None) != (s is None) or (s is not None and abs(raw[k][0] - s) > 1e-3)
               or abs(raw[k][1] - c) > 1e-6 for k, (s, c) in dims.items()):
            score_mismatch += 1
        s = scores_only.evaluate(p)
        if str(s.verdict) != verdict or (s.score is not None and composite is not None
                                         and abs(s.score - composite) > 1e-3):
            verdict_mismatch += 1
        if d.findings:
            with_findings += 1
            same_as_full += str(d.verdict) == verdict
    n = len(profiles)
    print(f"profiles: {n} synthetic (seed 42), parsed from JSON text")
    print(f"plugin-object baseline vs engine: composite or fired rules differ on {plugin_mismatch}")
    print(f"honest baseline vs engine: the 4 dimension scores and coverages differ on "
          f"{score_mismatch}; verdict and composite differ from the engine without rule packs "
          f"on {verdict_mismatch}")
    print(f"rules fired on {with_findings} of {n} profiles; on those the full engine's verdict "
          f"equals the honest baseline's on {same_as_full} (rules change the others)")
    print("honest baseline covers: 4 dimension scores (all 24 metrics, bands, caps, bonuses, "
          "coverage), the gate (FX, basis, haircut, line) and the verdict from the grade bands "
          "and coverage floors; it does NOT run the 40 rule checks (caps, deductions, vetoes), "
          "so its fair engine counterpart is the engine with the 4 rule packs disabled")
    if plugin_mismatch or score_mismatch or verdict_mismatch:
        raise SystemExit("baselines disagree with the engine: not timing")

    runs: dict[str, list[float]] = {k: [] for k in LINES}
    fns = {"engine": (engine.evaluate, profiles), "engine_scores": (scores_only.evaluate, profiles),
           "plugins": (plugin_baseline, profiles), "honest": (honest_evaluate, docs)}
    for _ in range(args.rounds):  # interleaved, so machine noise hits all alike
        for key, (fn, items) in fns.items():
            runs[key].append(timed(fn, items))
    us = {k: min(v) / n * 1e6 for k, v in runs.items()}  # best of N: the least disturbed round
    med = {k: statistics.median(v) / n * 1e6 for k, v in runs.items()}
    print(f"CPU: one core pinned; {args.rounds} interleaved rounds; us per company, best (median)")
    for key, label in LINES.items():
        print(f"  {label:<58} {us[key]:8.1f} ({med[key]:8.1f})  {1e6 / us[key]:8,.0f}/s")
    print(f"ratio engine (all built-ins, full trace) / honest baseline: "
          f"{us['engine'] / us['honest']:.1f}x (goal <= 3x; the honest line has no rules)")
    print(f"ratio engine without rule packs / honest baseline (like for like): "
          f"{us['engine_scores'] / us['honest']:.1f}x")
    print(f"ratio engine / plugin-object baseline: {us['engine'] / us['plugins']:.2f}x")


LINES = {
    "engine": "engine.evaluate, all built-ins, full trace",
    "engine_scores": "engine.evaluate, 4 scorers, rule packs disabled",
    "plugins": "plugin-object baseline (scorers + rules, no engine)",
    "honest": "honest baseline: plain Python on the dicts (no rules)",
}
RULE_PLUGINS = ["threshold_rules.chip_supply", "threshold_rules.declarative_builtin",
                "threshold_rules.ethics", "threshold_rules.filings"]


if __name__ == "__main__":
    main()
