"""Instructions per evaluation, counted by valgrind: goals 1 and 2 of the speed issue in a
figure the machine's load cannot move.

Time on a shared machine swings twofold between minutes; the number of instructions a
process executes does not (cachegrind counts them, deterministically, under any load). So
this script runs each evaluator in a child process under ``valgrind --tool=cachegrind``
twice, once with 0 and once with ``--count`` evaluations after the same warm-up (300
evaluations, so caches and lazy imports are settled), and prints the difference per
evaluation, and the ratios:

- goal 2, the common scorecard of ``benchmarks/peers.py``: threshold (plugins, Python
  pack, full trace) against zen-engine with its trace on, and plain Python;
- goal 1: ``engine.evaluate`` with all built-ins and the full trace against the honest
  baseline with the rules (``benchmarks/honest_rules.py``), on synthetic profiles
  (seed 42) parsed from JSON text.

Instructions are not time: zen-engine's Rust and the honest baseline's dict lookups
retire more instructions per cycle than the engine's object-building Python (goal 1 is
about 2x in instructions and about 3x in time), so the goals stay judged by the timed
ratios of ``peers.py`` and ``engine_throughput.py``. What this script is for is comparing
two versions of threshold (run it in each installation): a change of 1% shows as 1%,
under any load. The inputs are those scripts' own. Without valgrind the script says so
and exits 0. About 5 minutes (valgrind runs Python some 50 times slower).

Run: python benchmarks/instructions.py [--count 300] [--only peers|engine]
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Callable
from typing import Any

HERE = os.path.dirname(os.path.abspath(__file__))
WARM = 300


def _peers_inputs(n: int) -> list[dict[str, Any]]:
    import peers  # type: ignore[import-not-found, unused-ignore]

    return peers.inputs(n)  # type: ignore[no-any-return]


def _subject(name: str, n: int) -> tuple[Callable[[Any], Any], list[Any]]:
    """The evaluator called ``name`` and ``n`` inputs for it."""
    if name in ("threshold_scorecard", "zen_trace", "plain_scorecard"):
        import peers  # type: ignore[import-not-found, unused-ignore]

        data = _peers_inputs(n)
        if name == "plain_scorecard":
            return peers.plain, data
        if name == "zen_trace":
            import zen

            decision = zen.ZenEngine().create_decision(json.dumps(peers.jdm()))
            return (lambda d: decision.evaluate(d, {"trace": True})), data
        engine = peers.threshold_engine()
        return engine.evaluate, [engine.profile_from_data(peers.to_profile_doc(d))
                                 for d in data]
    from threshold_core.portfolio import synthetic_portfolio

    docs = [json.loads(json.dumps(d)) for d in synthetic_portfolio(n, seed=42)]
    if name == "honest_rules":
        import honest_rules  # type: ignore[import-not-found, unused-ignore]

        return honest_rules.evaluate, docs
    from threshold_core import Engine, build_config

    engine = Engine(build_config({}))
    return engine.evaluate, [engine.profile_from_data(d) for d in docs]


def _child(name: str, count: int, total: int) -> None:
    """Make ``total`` inputs (the same in both runs), warm up on the first WARM, then
    evaluate ``count`` more."""
    fn, items = _subject(name, total)
    for item in items[:WARM]:
        fn(item)
    for item in items[WARM:WARM + count]:
        fn(item)


def _instructions(name: str, count: int, total: int) -> int:
    out = subprocess.run(
        ["valgrind", "--tool=cachegrind", "--cache-sim=no", "--cachegrind-out-file=/dev/null",
         sys.executable, os.path.abspath(__file__), "--child", name, str(count), str(total)],
        capture_output=True, text=True, check=True, cwd=HERE,
        env={**os.environ, "PYTHONHASHSEED": "0"})
    got = re.search(r"I\s+refs:\s+([\d,]+)", out.stderr)
    if got is None:
        raise SystemExit(f"valgrind printed no instruction count for {name}:\n{out.stderr}")
    return int(got.group(1).replace(",", ""))


def per_evaluation(name: str, count: int) -> float:
    """Instructions per evaluation: the run of ``count`` less the run of 0, over ``count``."""
    total = WARM + count
    return (_instructions(name, count, total) - _instructions(name, 0, total)) / count


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=300)
    parser.add_argument("--only", choices=("peers", "engine"))
    parser.add_argument("--child", nargs=3, help=argparse.SUPPRESS)
    args = parser.parse_args()
    sys.path.insert(0, HERE)
    if args.child:
        _child(args.child[0], int(args.child[1]), int(args.child[2]))
        return
    if shutil.which("valgrind") is None:
        print("valgrind: not installed (apt install valgrind); instruction counts skipped")
        return
    print(f"instructions per evaluation (cachegrind; {args.count} evaluations after {WARM} "
          "warm-ups, a run of 0 subtracted; PYTHONHASHSEED=0)")
    if args.only != "engine":
        try:
            import zen  # noqa: F401
        except ImportError:
            subjects = ["threshold_scorecard", "plain_scorecard"]
            print("zen-engine: not installed (pip install 'threshold[bench]'); zen skipped")
        else:
            subjects = ["threshold_scorecard", "zen_trace", "plain_scorecard"]
        got = {s: per_evaluation(s, args.count) for s in subjects}
        for s, v in got.items():
            print(f"  {s:<22} {v:12,.0f}")
        if "zen_trace" in got:
            ratio = got["threshold_scorecard"] / got["zen_trace"]
            print(f"ratio threshold / zen-engine with its trace on, in instructions: "
                  f"{ratio:.2f}x (goal 2 is judged in time: peers.py)")
    if args.only != "peers":
        engine = per_evaluation("engine", args.count)
        honest = per_evaluation("honest_rules", args.count)
        print(f"  {'engine (all built-ins)':<22} {engine:12,.0f}")
        print(f"  {'honest_rules':<22} {honest:12,.0f}")
        ratio = engine / honest
        print(f"ratio engine / honest baseline with the rules, in instructions: {ratio:.2f}x "
              "(goal 1 is judged in time: engine_throughput.py; the engine's instructions "
              "retire more slowly than the baseline's dict lookups)")


if __name__ == "__main__":
    main()
