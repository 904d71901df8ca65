"""Benchmark: a declarative (CEL) rule against the same rule written in Python.

Run it from the repository root::

    python benchmarks/declarative_rules.py [--rounds N]

Six rules, written twice: as a TOML pack (CEL conditions, message templates)
and as a Python pack (``@rule`` functions). Both run side by side in the same
process on every example company, the way the engine calls them: one new
``Context`` per evaluation, every rule of the pack called in turn. The CEL pack
converts the profile once per evaluation (its cache is keyed on the profile and
context objects) and shares it across its six rules, so the conversion is
included, amortised over the rules of one evaluation. Before timing, the
script checks that both packs give the same outcome for every rule and company.

Prints microseconds per rule for each, the split of the CEL cost, and the ratio
(goal: at most 5x). Exits 1 when the goal is missed.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from threshold_core import Context, Engine, Pack, fired, not_evaluated, passed, rule
from threshold_core.declarative import load_pack
from threshold_core.model import ChipClass, CompanyProfile, ValuationBasis

REPO = Path(__file__).resolve().parents[1]
GOAL = 5.0

PACK_TOML = """
[pack]
name = "bench_cel"
version = "1.0.0"

[[rules]]
id = "B-001"
title = "Cash runway under twelve months"
severity = "high"
dimension = "institutional_backing"
when = "profile.financials.cash / profile.financials.monthly_net_burn < 12.0"
message = "{profile.financials.cash / profile.financials.monthly_net_burn:.1f} months of cash"
rationale = "r"
source = "s"

[[rules]]
id = "B-002"
title = "On-premise revenue above 70%"
severity = "medium"
when = "profile.financials.revenue_mix.project_on_prem_pct > 70.0"
message = "{profile.financials.revenue_mix.project_on_prem_pct}% on-premise"
rationale = "r"
source = "s"

[[rules]]
id = "B-003"
title = "No independent safety evaluation"
severity = "medium"
when = "!profile.evaluations.safety.exists(e, e.independent)"
message = "no independent safety evaluation"
rationale = "r"
source = "s"

[[rules]]
id = "B-004"
title = "Unverified company"
severity = "high"
when = "!profile.verified"
message = "{profile.name} is unverified"
rationale = "r"
source = "s"

[[rules]]
id = "B-005"
title = "Valuation is not a market price"
severity = "low"
when = "profile.valuation.basis in ['estimate', 'last_round_post_money']"
message = "valuation basis {profile.valuation.basis}"
rationale = "r"
source = "s"

[[rules]]
id = "B-006"
title = "Controlled accelerators without a licence"
severity = "critical"
when = '''profile.compute.accelerators.exists(a,
    a.chip_class == "us_3a090a" && has(a.licensed) && !a.licensed)'''
message = "unlicensed controlled accelerators"
rationale = "r"
source = "s"
"""


def _meta(id: str, title: str, severity: str) -> dict[str, Any]:
    return {"title": title, "severity": severity, "dimension": None, "rationale": "r",
            "source": "s"}


@rule("B-001", **_meta("B-001", "Cash runway under twelve months", "high"))
def b001(p: CompanyProfile, settings: Any, context: Context) -> Any:
    fin = p.financials
    if fin is None:
        return not_evaluated("financials")
    if fin.cash is None or fin.monthly_net_burn is None:
        return not_evaluated(*[f"financials.{n}" for n in ("cash", "monthly_net_burn")
                               if getattr(fin, n) is None])
    evidence = {"financials.cash": fin.cash.value,
                "financials.monthly_net_burn": fin.monthly_net_burn.value}
    months = fin.cash.value / fin.monthly_net_burn.value
    if months < 12.0:
        return fired(f"{months:.1f} months of cash", evidence=evidence)
    return passed(evidence)


@rule("B-002", **_meta("B-002", "On-premise revenue above 70%", "medium"))
def b002(p: CompanyProfile, settings: Any, context: Context) -> Any:
    mix = p.financials.revenue_mix if p.financials is not None else None
    if mix is None or mix.project_on_prem_pct is None:
        return not_evaluated("financials.revenue_mix.project_on_prem_pct")
    share = mix.project_on_prem_pct.value
    evidence = {"financials.revenue_mix.project_on_prem_pct": share}
    if share > 70.0:
        return fired(f"{share:g}% on-premise", evidence=evidence)
    return passed(evidence)


@rule("B-003", **_meta("B-003", "No independent safety evaluation", "medium"))
def b003(p: CompanyProfile, settings: Any, context: Context) -> Any:
    if p.evaluations is None:
        return not_evaluated("evaluations")
    flags = [e.independent for e in p.evaluations.safety]
    evidence = {"evaluations.safety[].independent": flags}
    if not any(flags):
        return fired("no independent safety evaluation", evidence=evidence)
    return passed(evidence)


@rule("B-004", **_meta("B-004", "Unverified company", "high"))
def b004(p: CompanyProfile, settings: Any, context: Context) -> Any:
    evidence = {"verified": p.verified}
    if not p.verified:
        return fired(f"{p.name} is unverified", evidence=evidence)
    return passed(evidence)


@rule("B-005", **_meta("B-005", "Valuation is not a market price", "low"))
def b005(p: CompanyProfile, settings: Any, context: Context) -> Any:
    if p.valuation is None:
        return not_evaluated("valuation")
    evidence = {"valuation.basis": str(p.valuation.basis)}
    if p.valuation.basis in (ValuationBasis.ESTIMATE, ValuationBasis.LAST_ROUND_POST_MONEY):
        return fired(f"valuation basis {p.valuation.basis}", evidence=evidence)
    return passed(evidence)


@rule("B-006", **_meta("B-006", "Controlled accelerators without a licence", "critical"))
def b006(p: CompanyProfile, settings: Any, context: Context) -> Any:
    if p.compute is None:
        return not_evaluated("compute")
    accs = p.compute.accelerators
    evidence = {"compute.accelerators[].chip_class": [str(a.chip_class) for a in accs]}
    if any(a.chip_class is ChipClass.US_3A090A and a.licensed is False for a in accs):
        return fired("unlicensed controlled accelerators", evidence=evidence)
    return passed(evidence)


PY_PACK = Pack(name="bench_py", version="1.0.0", rules=[b001, b002, b003, b004, b005, b006])


def run_pack(pack: Any, profiles: Sequence[CompanyProfile], fx: Any, rounds: int) -> float:
    """Seconds for ``rounds`` evaluations of every profile, every rule."""
    rules = pack.rules
    start = time.perf_counter()
    for _ in range(rounds):
        for profile in profiles:
            context = Context(fx=fx, as_of=profile.as_of)  # a new evaluation
            for r in rules:
                r.evaluate(profile, None, context)
    return time.perf_counter() - start


def best_of(fn: Callable[[], float], repeats: int) -> float:
    return min(fn() for _ in range(repeats))


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=300)
    parser.add_argument("--repeats", type=int, default=7)
    args = parser.parse_args(argv)

    engine = Engine()
    profiles = [engine.load_profile(p)
                for p in sorted((REPO / "examples" / "companies").glob("*.toml"))]
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "bench_cel.toml"
        path.write_text(PACK_TOML, encoding="utf-8")
        cel_pack = load_pack(path)

    # Same outcomes (the CEL pack names missing paths more precisely), or the
    # comparison means nothing.
    for profile in profiles:
        context = Context(fx=engine.fx, as_of=profile.as_of)
        for c, p in zip(cel_pack.rules, PY_PACK.rules, strict=True):
            a, b = c.evaluate(profile, None, context), p.evaluate(profile, None, context)
            assert a.status == b.status, (profile.id, c.id, a, b)

    n_rules = len(PY_PACK.rules)
    calls = args.rounds * len(profiles) * n_rules
    run_pack(PY_PACK, profiles, engine.fx, 20)  # warm up both
    run_pack(cel_pack, profiles, engine.fx, 20)
    py_s = cel_s = 0.0
    for _ in range(args.repeats):  # interleaved, so drift hits both alike
        py_s = min(py_s or 1e9, run_pack(PY_PACK, profiles, engine.fx, args.rounds))
        cel_s = min(cel_s or 1e9, run_pack(cel_pack, profiles, engine.fx, args.rounds))

    def conversions() -> float:
        start = time.perf_counter()
        for _ in range(args.rounds):
            for profile in profiles:
                cel_pack.view(profile, Context(fx=engine.fx, as_of=profile.as_of))
        return time.perf_counter() - start

    conv_s = best_of(conversions, args.repeats)
    py_us, cel_us = py_s / calls * 1e6, cel_s / calls * 1e6
    conv_us = conv_s / (args.rounds * len(profiles)) * 1e6
    ratio = cel_us / py_us
    print(f"{n_rules} rules x {len(profiles)} example companies x {args.rounds} rounds "
          f"(best of {args.repeats})")
    print(f"python rule:      {py_us:7.2f} us per rule")
    print(f"declarative rule: {cel_us:7.2f} us per rule "
          f"(profile conversion {conv_us:.1f} us per evaluation = {conv_us / n_rules:.2f} us "
          f"per rule; CEL and the rest {cel_us - conv_us / n_rules:.2f} us)")
    verdict = "met" if ratio <= GOAL else "MISSED"
    print(f"ratio:            {ratio:7.2f}x  (goal <= {GOAL:g}x: {verdict})")
    return 0 if ratio <= GOAL else 1


if __name__ == "__main__":
    sys.exit(main())
