"""Engine throughput against a hand-written baseline, side by side, on one core.

The baseline is what a user would write instead of the engine: a plain function
that runs the same scorers and the same rule checks on the same profiles and
combines them with the same default policy arithmetic (caps, deductions,
weights, grade bands), but with no plugin manager, no isolation, no validation
of component results, no trace and no receipt. Both compute the same composite
scores and fire the same rules: the script checks that before timing.

Run: python benchmarks/engine_throughput.py [--count 2000] [--rounds 5]
"""

from __future__ import annotations

import argparse
import gc
import os
import statistics
import time
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


def timed(fn: Any, items: list[Any]) -> float:
    gc.collect()
    start = time.perf_counter()
    for item in items:
        fn(item)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=2000)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--disable-plugin", action="append", default=[], metavar="NAME",
                        help="Leave a built-in plugin out (repeatable).")
    args = parser.parse_args()
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {sorted(os.sched_getaffinity(0))[0]})  # one core

    engine = Engine(build_config({"plugins": {"disable": args.disable_plugin}}))
    baseline = make_baseline(engine)
    profiles = [profile_from_data(d) for d in synthetic_portfolio(args.count, seed=42)]

    mismatches = 0
    for p in profiles:
        d = engine.evaluate(p)
        _verdict, score, fired = baseline(p)
        if (d.score is not None and score is not None and abs(d.score - score) > 1e-3) or sorted(
            f.rule for f in d.findings) != fired:
            mismatches += 1
    print(f"profiles: {len(profiles)} synthetic (seed 42); results that differ: {mismatches}")

    engine_times, base_times = [], []
    for _ in range(args.rounds):  # interleaved, so machine noise hits both alike
        engine_times.append(timed(engine.evaluate, profiles))
        base_times.append(timed(baseline, profiles))
    e, b = statistics.median(engine_times), statistics.median(base_times)
    print(f"engine (all built-ins, full trace): {len(profiles) / e:,.0f} companies/s "
          f"({e / len(profiles) * 1e6:,.1f} us each)")
    print(f"hand-written baseline:              {len(profiles) / b:,.0f} companies/s "
          f"({b / len(profiles) * 1e6:,.1f} us each)")
    print(f"ratio engine/baseline time: {e / b:.2f}x (goal <= 3x); "
          f"engine throughput goal >= 5,000/s: {'met' if len(profiles) / e >= 5000 else 'NOT met'}")


if __name__ == "__main__":
    main()
