"""The honest baseline with the rules (issue 20): what a user would write instead of the engine.

A plain Python function over the profile as parsed from JSON (dicts, ISO date strings), with
the default configuration written in: the 4 dimension scores (22 metrics: bands, caps,
bonuses, coverage), every rule check of the built-in packs (filings, chip_supply, ethics,
investment_restrictions, valuation, freshness and the declarative disclosure pack: 64 rules, each
``passed``, ``not_evaluated`` or ``fired`` at a severity), the gate (FX rate, valuation basis,
haircut, the 4bn CNY line) and the default policy (vetoes, caps, bounded per-pack
deductions, coverage floors, grade bands, dimension floors). No trace, no evidence, no
messages: what a hand-written function returns is the verdict, the composite and the
findings.

``evaluate(doc) -> (verdict, composite rounded to 4 places, sorted fired rule ids)`` is what
``benchmarks/engine_throughput.py`` times against ``engine.evaluate``.
:func:`disagreements` compares one document with the engine's decision component by
component (each dimension's raw score and coverage, each rule's status and severity, the
verdict and the composite), so a change to a scorer or a rule shows which part of this
baseline to update.

Run it alone to check it against the engine on the synthetic corpus::

    python benchmarks/honest_rules.py [--count 2000]
"""

from __future__ import annotations

import math
from datetime import date
from typing import Any

from honest_common import (
    CRIT,
    FX,
    HIGH,
    IB,
    MED,
    NE,
    PASS,
    REFUSED_GRADES,
    RR,
    TD,
    day,
    grade,
    refuse_currencyless,
)
from honest_filings import filings_rules
from honest_freshness import freshness_rules
from honest_packs import (
    chip_rules,
    disclosure_rules,
    ethics_rules,
    investment_rules,
    valuation_rules,
)
from honest_scores import scores

from threshold_core.model import is_assumed

HAIRCUT = {"market_cap": 0.0, "expected_market_value": 0.0, "estimate": 0.25,
           "last_round_post_money": 0.32}
LINE = 4e9
GRADES = ((85.0, "qualified"), (75.0, "qualified"), (65.0, "watch"), (55.0, "not_qualified"),
          (0.0, "not_qualified"))
COVERAGE_FLOOR = 0.6
DIMENSION_FLOOR = 40.0
HIGH_CAP = 50.0
MEDIUM_DEDUCTION = 5.0
MEDIUM_MAX_PER_PACK = 15.0

#: Each rule's declared (most severe) severity: a rule that could not be evaluated counts at
#: it when it is medium or worse (the default policy's omission rule, issue 15); an unchecked
#: critical rule leaves the decision insufficient_data instead of vetoing, and caps and deducts
#: on its dimension as an unchecked high one does.
SEVERITY = {
    "CHIP-001": "critical", "CHIP-002": "critical", "CHIP-003": "high", "CHIP-004": "medium",
    "CHIP-005": "high", "CHIP-006": "high", "CHIP-007": "medium", "CHIP-008": "high",
    "CHIP-009": "medium", "CHIP-010": "info", "DIS-001": "high", "DIS-002": "low",
    "DIS-003": "low", "DIS-004": "info", "DIS-005": "low", "ETH-001": "high",
    "ETH-002": "critical", "ETH-004": "medium", "ETH-005": "high", "ETH-006": "high",
    "ETH-007": "medium", "ETH-008": "high", "ETH-009": "medium", "ETH-010": "critical",
    "ETH-011": "low", "FIL-001": "critical", "FIL-002": "critical", "FIL-003": "high",
    "FIL-004": "medium", "FIL-005": "critical", "FIL-006": "high", "FIL-007": "high",
    "FIL-008": "info", "FIL-009": "critical", "FIL-010": "critical", "FIL-011": "high",
    "FIL-012": "high", "FIL-013": "medium", "FIL-014": "high", "FIL-015": "high",
    "FIL-017": "high", "FIL-018": "high", "FIL-019": "medium", "FIL-020": "high",
    "FIL-021": "medium", "INV-001": "critical", "INV-002": "medium", "INV-003": "critical",
    "INV-004": "high", "INV-005": "critical", "INV-006": "high", "VAL-001": "low",
    "VAL-002": "medium", "VAL-003": "medium", "FRS-001": "low", "FRS-002": "low",
    "FRS-003": "low", "FRS-004": "low", "FRS-005": "medium", "FRS-006": "medium",
    "FRS-007": "low", "FRS-008": "low", "FRS-009": "low", "FRS-010": "low",
}


#: Each rule's pack and dimension (None: it affects no dimension score).
PACKS = (("filings", RR, filings_rules), ("chip_supply", TD, chip_rules),
         ("ethics", RR, ethics_rules), ("investment_restrictions", IB, investment_rules),
         ("valuation", None, valuation_rules), ("disclosure", None, disclosure_rules),
         ("freshness", None, freshness_rules))


def rules(p: dict[str, Any], as_of: date | None) -> dict[str, tuple[str, str, str | None]]:
    """Every rule's ``(result, pack, dimension)``: a severity when it fired, else PASS or NE."""
    found: dict[str, tuple[str, str, str | None]] = {}
    for pack, dim, check in PACKS:
        out: dict[str, str] = {}
        check(p, as_of, out)
        for rid, result in out.items():
            found[rid] = (result, pack, dim)
    return found


# ------------------------------------------------------------------------------ the verdict


def _gate(p: dict[str, Any]) -> bool | None:
    v = p.get("valuation")
    on = v and (v.get("as_of") or p.get("as_of"))
    if v is None or v["basis"] not in HAIRCUT or (
            grade(v.get("source")) in REFUSED_GRADES) or not on or (
            p.get("as_of") and day(on) > day(p["as_of"])):  # after the evaluation date
        return None
    return v["amount"] * FX[v["currency"]] * (1.0 - HAIRCUT[v["basis"]]) >= LINE


def decide(p: dict[str, Any]) -> tuple[str, float | None, dict[str, tuple[float | None, float]],
                                       dict[str, tuple[str, str, str | None]]]:
    """Verdict, composite (unrounded), the 4 raw dimension scores and every rule's result."""
    refuse_currencyless(p)
    as_of = day(p["as_of"]) if p.get("as_of") else None
    dims = scores(p)
    found = rules(p, as_of)
    veto = capped = False
    final: dict[str, float | None] = {}
    cap: set[str] = set()
    deducted: dict[tuple[str, str], float] = {}
    blocked = False
    for rid, (result, pack, dim) in found.items():
        assumed = result == NE
        if assumed:
            result = SEVERITY.get(rid, NE)
        if result == CRIT and not assumed:
            veto = True
        elif result in (CRIT, HIGH):
            # An unchecked critical rule leaves the decision undecided and, like an unchecked
            # high one, caps and deducts on its dimension (the high or medium it might be).
            if result == CRIT:
                blocked = True
            else:
                capped = True
            if dim in dims:
                cap.add(dim)
            if assumed and dim in dims:  # at least as bad as the medium it might have been
                key = (pack, dim)
                deducted[key] = min(MEDIUM_MAX_PER_PACK,
                                    deducted.get(key, 0.0) + MEDIUM_DEDUCTION)
        elif result == MED and dim in dims:
            key = (pack, dim)
            deducted[key] = min(MEDIUM_MAX_PER_PACK, deducted.get(key, 0.0) + MEDIUM_DEDUCTION)
    for name, (raw, _cov) in dims.items():
        if raw is None:
            final[name] = None
            continue
        s = raw - sum(v for (_p, d), v in deducted.items() if d == name)
        if name in cap:
            s = min(s, HIGH_CAP)
        final[name] = max(0.0, min(100.0, s))
    composite = None
    if all(s is not None for s in final.values()):
        values = [s for s in final.values() if s is not None]
        composite = min(max(math.fsum(values) / len(values), min(values)), max(values))
    gate = _gate(p)
    if gate is False or veto:
        verdict = "not_qualified"
    elif gate is None or blocked or any(c < COVERAGE_FLOOR or final[n] is None
                                        for n, (_s, c) in dims.items()):
        verdict = "insufficient_data"
    else:
        assert composite is not None
        verdict = next(vd for lo, vd in GRADES if composite >= lo)
        if verdict == "qualified" and (capped or any(
                (s or 0.0) < DIMENSION_FLOOR for s in final.values())):
            verdict = "watch"
    return verdict, composite, dims, found


def evaluate(p: dict[str, Any]) -> tuple[str, float | None, list[str]]:
    """``(verdict, composite rounded to 4 places, sorted fired rule ids)``."""
    verdict, composite, _dims, found = decide(p)
    fired = sorted(rid for rid, (result, _p, _d) in found.items() if result not in (PASS, NE))
    return verdict, None if composite is None else round(composite, 4), fired


def disagreements(p: dict[str, Any], decision: Any) -> list[str]:
    """What differs between this baseline and the engine's ``decision`` on one document,
    named by component: ``dimension <name>``, ``rule <id>``, ``verdict``, ``composite``."""
    verdict, composite, dims, found = decide(p)
    out: list[str] = []
    raw = {d.name: (d.raw_score, d.coverage) for d in decision.dimensions}
    for name, (s, c) in dims.items():
        es, ec = raw.get(name, (None, 0.0))
        if (es is None) != (s is None) or (s is not None and es is not None
                                           and abs(es - s) > 1e-6) or abs(ec - c) > 1e-9:
            out.append(f"dimension {name}: engine {es} ({ec:.3f}), baseline {s} ({c:.3f})")
    engine_rules = {}
    for event in decision.trace:
        for o in event.rules:
            status = str(o.status)
            engine_rules[o.rule] = (str(o.severity) if status == "fired" and o.severity
                                    else status)
    for f in decision.findings:
        if not is_assumed(f):  # an unchecked rule counted at its worst stays not_evaluated
            engine_rules[f.rule] = str(f.severity)
    for rid in sorted(set(engine_rules) | set(found)):
        mine = found[rid][0] if rid in found else "absent"
        theirs = engine_rules.get(rid, "absent")
        if mine != theirs:
            out.append(f"rule {rid}: engine {theirs}, baseline {mine}")
    if str(decision.verdict) != verdict:
        out.append(f"verdict: engine {decision.verdict}, baseline {verdict}")
    if (decision.score is None) != (composite is None) or (
            composite is not None and abs(decision.score - composite) > 1e-6):
        out.append(f"composite: engine {decision.score}, baseline {composite}")
    return out


#: The field left out or the value given in ``--check``'s crafted profiles, each applied to
#: every synthetic profile in turn: the omissions whose reading the engine fixes.
def _crafted(doc: dict[str, Any]) -> dict[str, dict[str, Any]]:
    import copy

    def variant(change: Any) -> dict[str, Any]:
        d = copy.deepcopy(doc)
        change(d)
        return d

    def each(key: str, field: str) -> Any:
        return lambda d: [x.pop(field, None) for x in d.get(key) or ()]

    def safety(d: dict[str, Any]) -> None:
        for e in (d.get("evaluations") or {}).get("safety") or ():
            e.pop("independent", None)

    def source(text: str | None) -> Any:
        def change(d: dict[str, Any]) -> None:
            if d.get("valuation"):
                if text is None:
                    d["valuation"].pop("source", None)
                else:
                    d["valuation"]["source"] = text
        return change

    def leave_out(section: str, key: str) -> Any:
        return lambda d: (d.get(section) or {}).pop(key, None)

    def revenue(d: dict[str, Any]) -> None:
        fin = d.get("financials") or {}
        if isinstance(fin.get("revenue"), dict):
            fin["revenue"]["source"] = "figure is Illustrative only"

    return {
        "valuation source left out": variant(source(None)),
        "valuation source unsourced": variant(source("a friend")),
        "valuation source a cohort figure": variant(source("sector median of peers")),
        "valuation source illustrative (full width)": variant(source(
            "".join(chr(ord(c) + 0xFEE0) for c in "ILLUSTRATIVE"))),
        "filing statuses left out": variant(each("filings", "status")),
        "approval statuses left out": variant(each("sector_approvals", "status")),
        "service kinds left out": variant(each("services", "kind")),
        "investor tiers left out": variant(each("investors", "tier")),
        "safety independence left out": variant(safety),
        "a figure's source says illustrative mid-text": variant(revenue),
        # Each leaves a rule that can veto unchecked (an assumed critical finding: undecided,
        # and its dimension capped and deducted), on each of three dimensions.
        "export affiliates left out": variant(leave_out("export_controls",
                                                        "affiliates_listed")),
        "reliance on new US items left out": variant(leave_out("export_controls",
                                                               "relies_on_new_us_items")),
        "AI end uses left out": variant(leave_out("investment_screening", "ai_end_uses")),
        "EU prohibited uses left out": variant(leave_out("eu_exposure", "prohibited_uses")),
    }


def _accepted(run: Any, doc: dict[str, Any]) -> bool:
    """Whether ``run(doc)`` returns instead of refusing its input."""
    from threshold_core.errors import InputError

    try:
        run(doc)
    except (ValueError, KeyError, InputError):
        return False
    return True


def main() -> None:
    import argparse
    import json
    import time
    from collections import Counter

    from threshold_core import Engine, build_config
    from threshold_core.load import profile_from_data
    from threshold_core.portfolio import synthetic_portfolio

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=2000)
    parser.add_argument("--check", action="store_true",
                        help="also compare on crafted profiles: each synthetic profile with a "
                        "valuation source left out, unsourced, a cohort figure or illustrative, "
                        "filing and approval statuses, service kinds, investor tiers, safety "
                        "independence, the export screening's affiliates or reliance on new US "
                        "items, the AI end uses or the EU prohibited uses left out")
    args = parser.parse_args()
    engine = Engine(build_config({}))
    docs = [json.loads(json.dumps(d)) for d in synthetic_portfolio(args.count, seed=42)]
    crafted: Counter[str] = Counter()
    failing: Counter[str] = Counter()
    if args.check:
        for doc in docs:
            for what, d in _crafted(doc).items():
                diffs = disagreements(d, engine.evaluate(profile_from_data(d)))
                crafted[what] += 1
                failing[what] += bool(diffs)
                if diffs and failing[what] <= 2:
                    print(f"{what}, {d['id']}: " + "; ".join(diffs))
        for doc in docs:  # financials with amounts and no currency: both refuse
            fin = doc.get("financials")
            if not fin or fin.get("revenue") is None:
                continue
            d = json.loads(json.dumps(doc))
            del d["financials"]["currency"]
            what = "financials currency left out"
            crafted[what] += 1
            failing[what] += _accepted(profile_from_data, d) or _accepted(evaluate, d)
        for what, n in crafted.items():
            print(f"crafted ({what}): differ on {failing[what]} of {n}")
    profiles = [profile_from_data(d) for d in docs]
    by_component: Counter[str] = Counter()
    bad = 0
    for doc, profile in zip(docs, profiles, strict=True):
        diffs = disagreements(doc, engine.evaluate(profile))
        bad += bool(diffs)
        by_component.update(d.split(":")[0] for d in diffs)
        if diffs and bad <= 3:
            print(f"{doc['id']}: " + "; ".join(diffs))
    n_rules = len(rules(docs[0], None))
    print(f"honest baseline with the rules ({n_rules} rules) vs engine on {len(docs)} synthetic "
          f"profiles (seed 42): {bad} differ" + (
              "; by component: " + ", ".join(f"{k} {v}" for k, v in by_component.most_common())
              if bad else ""))
    start = time.process_time()
    for doc in docs:
        evaluate(doc)
    print(f"honest baseline: {(time.process_time() - start) / len(docs) * 1e6:.1f} us per "
          "company (one pass, CPU time)")
    raise SystemExit(1 if bad or sum(failing.values()) else 0)


if __name__ == "__main__":
    main()
