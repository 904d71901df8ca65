"""``threshold batch --jobs 2`` against ``--jobs 1`` on the same portfolio, side by side.

Goal on a 2-core machine: at least 1.7x faster. Runs alternate so machine noise
hits both alike; medians are compared. The output is JSONL (full decisions) unless
``--format csv``; the load average is printed (on a busy machine a second worker
gets no second core).

Each run's CPU time (all its processes) is printed too, and the cores it used (CPU
time over wall time): a run that got about one core was measuring the machine's other
work, not the batch. With autogrouping (Linux's default for desktop and server
kernels, ``/proc/sys/kernel/sched_autogroup_enabled``) the processes of one command
share one group's share of the machine, so under load ``--jobs 2`` gets no more CPU
than ``--jobs 1``.

``--explain`` runs ``threshold batch --explain`` (the pipeline of issue 20's goal 3;
without it, the lines carry ``"explain": null``, as the batch of earlier rounds did).

Run: python benchmarks/parallel_jobs.py [--count 20000] [--runs 3] [--format csv] [--explain]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from threshold_core.portfolio import synthetic_portfolio


def timed(cmd: list[str]) -> tuple[float, float]:
    """Wall seconds and CPU seconds (user + system, every process of the run)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run(cmd, check=False, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                   env={**os.environ, "NO_COLOR": "1"})
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=20000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--format", choices=["jsonl", "csv"], default="jsonl")
    parser.add_argument("--explain", action="store_true",
                        help="threshold batch --explain (each decision explained)")
    args = parser.parse_args()
    exe = str(Path(sys.executable).with_name("threshold"))
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    print(f"cores available: {cores}; threshold batch --format {args.format}"
          + (" --explain" if args.explain else ""))
    with tempfile.TemporaryDirectory() as tmp:
        source = Path(tmp) / "p.jsonl"
        with source.open("w", encoding="utf-8") as fh:
            for doc in synthetic_portfolio(args.count, seed=3):
                fh.write(json.dumps(doc, separators=(",", ":")) + "\n")
        one: list[tuple[float, float]] = []
        two: list[tuple[float, float]] = []
        for _ in range(args.runs):
            for jobs, times in ((1, one), (2, two)):
                times.append(timed([exe, "batch", str(source), "-o", f"{tmp}/{jobs}.{args.format}",
                                    "--format", args.format, "--jobs", str(jobs),
                                    *(["--explain"] if args.explain else [])]))
    a, b = statistics.median(w for w, _ in one), statistics.median(w for w, _ in two)
    ca, cb = statistics.median(c for _, c in one), statistics.median(c for _, c in two)
    print(f"--jobs 1: {a:6.2f} s  ({args.count / a:,.0f} companies/s), CPU {ca:6.2f} s, "
          f"{ca / a:.2f} cores used")
    print(f"--jobs 2: {b:6.2f} s  ({args.count / b:,.0f} companies/s), CPU {cb:6.2f} s, "
          f"{cb / b:.2f} cores used")
    print(f"speed-up: {a / b:.2f}x (goal >= 1.7x: {'met' if a / b >= 1.7 else 'NOT met'}); "
          "load average " + " ".join(f"{x:.2f}" for x in os.getloadavg()))
    print(f"CPU of --jobs 2 over --jobs 1: {cb / ca:.2f}x (what the second process, the "
          "workers' start and the hand-over cost)")

if __name__ == "__main__":
    main()
