"""Batch scaling: time and peak memory of ``threshold batch`` from 1,000 to 100,000 profiles.

Generates seeded synthetic portfolios (JSONL), runs ``threshold batch`` on each
size as a separate process (``--jobs 1``), and reports the time per company and
the peak resident memory (the child's ``ru_maxrss``) side by side. A run on an
empty portfolio measures the fixed start-up cost, which is taken off before
comparing: goals are time linear within 10% (time per company, net of start-up,
at 100,000 within 10% of that at 1,000) and peak memory at 100,000 within 1.2x
that at 1,000.

Run: python benchmarks/batch_scaling.py [--sizes 1000 10000 100000]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

from threshold_core.portfolio import synthetic_portfolio


def run_batch(exe: str, source: Path, output: Path, jobs: int = 1) -> tuple[float, float]:
    """Wall seconds and peak RSS (MiB) of one batch run in a fresh process."""
    code = (
        "import resource, subprocess, sys, time\n"
        "t = time.perf_counter()\n"
        "p = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL)\n"
        "dt = time.perf_counter() - t\n"
        "ru = resource.getrusage(resource.RUSAGE_CHILDREN)\n"
        "print(dt, ru.ru_maxrss / 1024, p.returncode)\n"
    )
    cmd = [sys.executable, "-c", code, exe, "batch", str(source), "--output", str(output),
           "--jobs", str(jobs), "--format", "csv"]
    out = subprocess.run(cmd, capture_output=True, text=True, check=True,
                         env={**os.environ, "NO_COLOR": "1"}).stdout.split()
    if out[2] not in ("0", "2"):
        raise SystemExit(f"batch failed with exit code {out[2]}")
    return float(out[0]), float(out[1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000, 100000])
    args = parser.parse_args()
    exe = str(Path(sys.executable).with_name("threshold"))
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        empty = Path(tmp) / "empty.jsonl"
        empty.write_text("", encoding="utf-8")
        startup = min(run_batch(exe, empty, Path(tmp) / "empty.csv")[0] for _ in range(3))
        print(f"start-up (empty portfolio): {startup * 1000:.0f} ms", flush=True)
        for n in args.sizes:
            source = Path(tmp) / f"p{n}.jsonl"
            with source.open("w", encoding="utf-8") as fh:
                for doc in synthetic_portfolio(n, seed=1):
                    fh.write(json.dumps(doc, separators=(",", ":")) + "\n")
            seconds, rss = run_batch(exe, source, Path(tmp) / f"out{n}.csv")
            rows.append((n, seconds - startup, rss))
            print(f"{n:>7} profiles: {seconds:7.1f} s  "
                  f"{(seconds - startup) / n * 1e6:7.0f} us/company net of start-up  "
                  f"peak RSS {rss:6.1f} MiB", flush=True)
    (n0, s0, m0), (n1, s1, m1) = rows[0], rows[-1]
    time_ratio = (s1 / n1) / (s0 / n0)
    mem_ratio = m1 / m0
    linear = abs(time_ratio - 1.0) <= 0.10
    print(f"time per company {n1:,} vs {n0:,}: {time_ratio:.2f}x "
          f"(goal within 10%: {'met' if linear else 'NOT met'})")
    print(f"peak memory {n1:,} vs {n0:,}: {mem_ratio:.2f}x "
          f"(goal within 1.20x: {'met' if mem_ratio <= 1.20 else 'NOT met'})")


if __name__ == "__main__":
    main()
