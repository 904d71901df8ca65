"""CLI cold start: ``threshold --help`` and ``threshold evaluate`` on one example
against ``python -c pass``.

The commands run as fresh processes, alternated, several times; the script
prints the medians and the differences, the CPU time of each (which a busy
machine inflates less than the wall time) and the load average. Goals (issue
20): ``--help`` at most 120 ms and ``evaluate`` at most 150 ms above Python's own
start-up.

Measured as users run it: with the package's bytecode compiled (as ``pip
install`` of the wheel leaves it). The script compiles the installed sources
first and runs both commands without ``PYTHONDONTWRITEBYTECODE``; otherwise an
editable install recompiles every module on every start.

Generated code: commands cache the methods attrs and cattrs generate (README,
"Performance"); the warm-up run fills the cache, so the figures are a warm cache,
as every run after a user's first. One more line times ``evaluate`` with the
cache off (``THRESHOLD_NO_CACHE=1``), as a first run or a read-only home sees it.

Run: python benchmarks/cold_start.py [--runs 15]
"""

from __future__ import annotations

import argparse
import compileall
import importlib.util
import os
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
ENV["NO_COLOR"] = "1"


CPU: dict[str, list[float]] = {}


def run(cmd: list[str], key: str | None = None, env: dict[str, str] | None = None) -> float:
    """Wall seconds of one run; its CPU seconds (user + system) go to ``CPU``."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, cwd=REPO, env={**ENV, **(env or {})})
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    CPU.setdefault(key or (cmd[1] if len(cmd) > 1 else cmd[0]), []).append(
        after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime)
    return wall


def compile_installed() -> None:
    for package in ("threshold_core", "threshold_plugins", "threshold_rules"):
        spec = importlib.util.find_spec(package)
        for folder in (spec.submodule_search_locations or []) if spec else []:
            compileall.compile_dir(folder, quiet=1)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args()
    exe = str(Path(sys.executable).with_name("threshold"))
    evaluate = [exe, "evaluate", "examples/companies/zhipu.toml"]
    help_ = [exe, "--help"]
    bare = [sys.executable, "-c", "pass"]
    compile_installed()
    run(evaluate), run(help_), run(bare)  # warm the file cache
    t_eval, t_help, t_bare, t_off = [], [], [], []
    for _ in range(args.runs):
        t_eval.append(run(evaluate))
        t_help.append(run(help_))
        t_bare.append(run(bare))
        t_off.append(run(evaluate, "no-cache", {"THRESHOLD_NO_CACHE": "1"}))
    e, h, b = (statistics.median(t) for t in (t_eval, t_help, t_bare))
    print(f"python -c pass:                 {b * 1000:6.0f} ms (median of {args.runs})")
    print(f"threshold --help:               {h * 1000:6.0f} ms (median of {args.runs})")
    print(f"threshold evaluate zhipu.toml:  {e * 1000:6.0f} ms (median of {args.runs})")
    print(f"--help difference: {(h - b) * 1000:.0f} ms (goal <= 120 ms: "
          f"{'met' if h - b <= 0.12 else 'NOT met'})")
    print(f"evaluate difference: {(e - b) * 1000:.0f} ms (goal <= 150 ms: "
          f"{'met' if e - b <= 0.15 else 'NOT met'}); ratio {e / b:.1f}x")
    # CPU time suffers less than wall time from other processes on a shared machine.
    ce, ch, cb = (statistics.median(CPU[k][-args.runs:]) for k in ("evaluate", "--help", "-c"))
    print(f"CPU time (user + system, medians): python -c pass {cb * 1000:.0f} ms, --help "
          f"{ch * 1000:.0f} ms ({(ch - cb) * 1000:+.0f}), evaluate {ce * 1000:.0f} ms "
          f"({(ce - cb) * 1000:+.0f})")
    o, co = statistics.median(t_off), statistics.median(CPU["no-cache"][-args.runs:])
    print(f"evaluate with the generated-code cache off: {o * 1000:.0f} ms wall "
          f"({(o - b) * 1000:+.0f}), CPU {co * 1000:.0f} ms ({(co - cb) * 1000:+.0f})")
    print("load average: " + " ".join(f"{x:.2f}" for x in os.getloadavg()))


if __name__ == "__main__":
    main()
