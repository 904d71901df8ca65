"""Batch scaling: ``threshold batch`` end to end, from 1,000 to 100,000 profiles, and ``--jobs 2``.

Generates seeded synthetic portfolios (JSONL), runs ``threshold batch --explain`` on each
size as a separate process (``--jobs 1``, JSONL output to a file: read, parse, validate,
evaluate, explain, write: the goal's pipeline), and reports side by side the time per
company (wall and CPU), the throughput per core (from the CPU time, which other processes
on a shared machine inflate less than the wall time) and the peak resident memory (the
child's ``ru_maxrss``). Each size also runs without ``--explain`` (lines with ``"explain":
null``), printed on its own line as "no explain": it is not the goal's figure. A run on an
empty portfolio measures the fixed start-up cost, which is taken off before comparing.
Then ``--jobs 2`` and ``--jobs 1`` (with ``--explain``) run alternately on one portfolio
(``--jobs-count``), medians compared.

Each size also runs ``benchmarks/honest_batch.py``, the honest pipeline: plain Python a
user would write instead (parse each line with orjson, the honest baseline's 64 rule
checks, scores, gate and policy, a JSONL line of the verdict), in a fresh process right
after threshold's runs; its verdicts are compared with ``threshold batch``'s on every
company, and the ratio of CPU per company printed. It explains nothing and writes no
trace, so it is a lower bound: goal 3's 2,000 companies/s is an absolute rate, and when
the honest pipeline is below it on a machine, no pipeline running the same checks in
Python one company at a time meets it there (the script says so).

Goals (issue 20): at least 2,000 companies/s per core; time per company at the largest
size within 10% of that at the smallest; peak memory at the largest at most 1.2x that at
the smallest; ``--jobs 2`` at least 1.7x ``--jobs 1``. The load average is printed
before and after: ratios measured on a busy machine understate the speed-up.

``--stages COUNT`` instead splits a batch company's CPU time by stage in one process,
one company at a time as ``threshold batch --explain`` handles it (read the line into a
checked profile: decoded natively, or parsed and structured when the native decoder
leaves it to the usual way; evaluate; explain with the batch's own call; write the JSONL
line), over COUNT synthetic profiles (seed 1), best and median of ``--runs`` rounds; then,
in a pass of its own, the total without explaining (``threshold batch`` without
``--explain``); then the usual way of reading alone (every line parsed, then every
document structured), as before the native decoder; then the honest pipeline over the
same lines in memory (its verdicts checked equal to the engine's on every line first).

Run: python benchmarks/batch_scaling.py [--sizes 1000 10000 100000] [--jobs-count 10000]
     python benchmarks/batch_scaling.py --stages 1000 [--runs 3]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

from threshold_core.portfolio import synthetic_portfolio

HERE = Path(__file__).resolve().parent


def run_batch(exe: str, source: Path, output: Path, jobs: int = 1,
              explain: bool = True) -> tuple[float, float, float]:
    """Wall seconds, peak RSS (MiB) and CPU seconds (user + system, with the worker
    processes) of one batch run in a fresh process."""
    return timed([exe, "batch", str(source), "--output", str(output), "--jobs", str(jobs),
                  *(["--explain"] if explain else [])])


def run_honest(source: Path, output: Path) -> tuple[float, float, float]:
    """:func:`run_batch`'s figures for ``benchmarks/honest_batch.py`` on ``source``."""
    return timed([sys.executable, str(HERE / "honest_batch.py"), str(source), str(output)])


def timed(command: list[str]) -> tuple[float, float, float]:
    """Wall seconds, peak RSS (MiB) and CPU seconds of ``command`` in a fresh process."""
    code = (
        "import resource, subprocess, sys, time\n"
        "t = time.perf_counter()\n"
        "p = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL)\n"
        "dt = time.perf_counter() - t\n"
        "ru = resource.getrusage(resource.RUSAGE_CHILDREN)\n"
        "print(dt, ru.ru_maxrss / 1024, p.returncode, ru.ru_utime + ru.ru_stime)\n"
    )
    out = subprocess.run([sys.executable, "-c", code, *command], capture_output=True,
                         text=True, check=True, env={**os.environ, "NO_COLOR": "1"}).stdout.split()
    if out[2] != "0":  # a usage error is 2 too; the portfolios have no invalid rows
        raise SystemExit(f"{' '.join(command)} failed with exit code {out[2]}")
    return float(out[0]), float(out[1]), float(out[3])


def verdicts_differ(ours: Path, honest: Path) -> int:
    """On how many companies ``threshold batch``'s output and the honest pipeline's
    disagree on the verdict (a company missing from either counts)."""
    def read(path: Path) -> dict[str, str]:
        out = {}
        for line in path.read_text(encoding="utf-8").splitlines():
            row = json.loads(line)
            out[(row.get("company") or {}).get("id") or row.get("id")] = row["verdict"]
        return out
    a, b = read(ours), read(honest)
    return sum(a.get(k) != b.get(k) for k in a.keys() | b.keys())


def write_portfolio(path: Path, n: int) -> None:
    with path.open("w", encoding="utf-8") as fh:
        for doc in synthetic_portfolio(n, seed=1):
            fh.write(json.dumps(doc, separators=(",", ":")) + "\n")


def stages(count: int, rounds: int) -> None:
    """CPU per company of each stage of a batch company, in this process."""
    import time

    from threshold_core.load import decision_line_utf8, resolve_config
    from threshold_core.portfolio._evaluate import (
        NATIVE_AFTER,
        current_engine,
        explained,
        init_worker,
        native_profile,
    )
    from threshold_core.portfolio._records import parse_json_line

    init_worker(resolve_config(None), {}, "jsonl")
    engine = current_engine()
    lines = [json.dumps(d, separators=(",", ":")) + "\n"
             for d in synthetic_portfolio(count, seed=1)]
    def read(text: str) -> Any:
        """A line's checked profile, as the batch reads it: decoded natively, or else
        parsed and structured (which :func:`stages` then times apart)."""
        profile = native_profile(text)
        if profile is None:
            return engine.profile_from_data(parse_json_line(text, "x")[0], "x")
        engine.check_profile(profile, "x")
        return profile

    for text in lines[:NATIVE_AFTER]:  # a batch's first lines go the usual way
        read(text)
    for text in lines[:50]:  # warm up: first calls, generated code
        d = engine.evaluate(read(text))
        decision_line_utf8(explained(d, engine)[0])
        decision_line_utf8(d)
    clock = time.process_time
    names = ("read", "evaluate", "explain", "line", "total", "total, no explain",
             "read: parse", "read: structure", "honest pipeline")
    honest = honest_pipeline(lines, engine)
    runs: dict[str, list[float]] = {k: [] for k in names}
    for _ in range(rounds):
        # The pipeline with --explain, then (a pass of its own, so that neither reads the
        # other's freshly written objects from the cache) the pipeline without.
        spent = [0.0] * 4
        for text in lines:
            t0 = clock()
            profile = read(text)
            t2 = clock()
            decision = engine.evaluate(profile)
            t3 = clock()
            # explained as the batch explains (the decision just made: made_here)
            with_explanation = explained(decision, engine)[0]
            t4 = clock()
            decision_line_utf8(with_explanation)
            t5 = clock()
            for i, dt in enumerate((t2 - t0, t3 - t2, t4 - t3, t5 - t4)):
                spent[i] += dt
        t0 = clock()
        for text in lines:
            decision_line_utf8(engine.evaluate(read(text)))
        plain = clock() - t0
        # The usual way alone (what main's parse and structure stages time), for comparison:
        # each line parsed, then structured, without the native decoder.
        t0 = clock()
        docs = [parse_json_line(text, "x")[0] for text in lines]
        t1 = clock()
        for doc in docs:
            engine.profile_from_data(doc, "x")
        t2 = clock()
        t3 = clock()
        honest()
        t4 = clock()
        for name, seconds in zip(names, [*spent, sum(spent), plain, t1 - t0, t2 - t1, t4 - t3],
                                 strict=True):
            runs[name].append(seconds / count * 1e6)
    print(f"{count:,} synthetic profiles (seed 1), one at a time, {rounds} rounds; "
          f"CPU us per company, best (median); load average {load()}")
    for name in names:
        if name == "read: parse":
            print("  the usual way alone, back to back (not in the pipeline: warmer caches):")
        if name == "honest pipeline":
            print("  plain Python, what a user would write instead (benchmarks/honest_batch.py: "
                  "parse, the same checks, a line of the verdict; no explanation or trace):")
        print(f"  {name:18s} {min(runs[name]):8.1f} ({statistics.median(runs[name]):8.1f})")
    print(f"  {1e6 / min(runs['total']):,.0f} companies/s per core for these stages with "
          f"--explain (the goal's pipeline); {1e6 / min(runs['total, no explain']):,.0f} "
          "without")
    ratio = min(runs["total"]) / min(runs["honest pipeline"])
    print(f"  the honest pipeline {1e6 / min(runs['honest pipeline']):,.0f} companies/s per core; "
          f"threshold's stages with --explain {ratio:.2f}x its time")


def honest_pipeline(lines: list[str], engine: Any) -> Any:
    """A function running ``benchmarks/honest_batch.py``'s pipeline over ``lines`` in
    memory (parse, decide, write the line to a buffer), once its verdicts are checked
    equal to ``engine``'s on every line."""
    import io

    import honest_batch  # type: ignore[import-not-found, unused-ignore]

    data = [text.encode() for text in lines]
    out = io.BytesIO()
    honest_batch.pipeline(data, out)
    honest = [json.loads(row)["verdict"] for row in out.getvalue().splitlines()]
    ours = [engine.evaluate(engine.profile_from_data(json.loads(t), "x")).verdict.value
            for t in lines]
    differ = sum(a != b for a, b in zip(honest, ours, strict=True))
    print(f"honest pipeline vs threshold: verdicts differ on {differ} of {len(lines):,}")
    return lambda: honest_batch.pipeline(data, io.BytesIO())


def load() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000, 100000])
    parser.add_argument("--jobs-count", type=int, default=10000,
                        help="portfolio size of the --jobs 2 against --jobs 1 runs (0: skip)")
    parser.add_argument("--runs", type=int, default=3,
                        help="runs of each for --jobs (rounds for --stages)")
    parser.add_argument("--without-explain", action="store_true",
                        help="only the runs without --explain (to compare with a threshold "
                        "whose batch has no --explain)")
    parser.add_argument("--stages", type=int, default=0, metavar="COUNT",
                        help="only split the time by stage in one process, over COUNT profiles")
    args = parser.parse_args()
    if args.stages:
        stages(args.stages, args.runs)
        return
    exe = str(Path(sys.executable).with_name("threshold"))
    print(f"load average before: {load()}", flush=True)
    rows: list[tuple[int, float, float, float]] = []
    honest_rows: list[tuple[int, float]] = []
    with tempfile.TemporaryDirectory() as tmp:
        empty = Path(tmp) / "empty.jsonl"
        empty.write_text("", encoding="utf-8")
        explains = (False,) if args.without_explain else (True, False)
        empties = [run_batch(exe, empty, Path(tmp) / "empty.out", explain=explains[0])
                   for _ in range(3)]
        startup, startup_cpu = min(e[0] for e in empties), min(e[2] for e in empties)
        print(f"start-up (empty portfolio): {startup * 1000:.0f} ms, "
              f"{startup_cpu * 1000:.0f} ms CPU", flush=True)
        honest_startup = min(run_honest(empty, Path(tmp) / "empty.out")[2] for _ in range(3))
        for n in args.sizes:
            source = Path(tmp) / f"p{n}.jsonl"
            write_portfolio(source, n)
            for explain in explains:
                seconds, rss, cpu = run_batch(exe, source, Path(tmp) / f"out{n}.jsonl",
                                              explain=explain)
                net, net_cpu = seconds - startup, cpu - startup_cpu
                if explain is explains[0]:
                    rows.append((n, net, rss, net_cpu))
                what = "--explain  " if explain else "no explain "
                print(f"{n:>7} profiles, {what}: {seconds:7.1f} s  {net / n * 1e6:6.0f} us/company "
                      f"wall, {net_cpu / n * 1e6:6.0f} us CPU  {n / net_cpu:6,.0f} companies/s per "
                      f"core (net of start-up)  peak RSS {rss:6.1f} MiB", flush=True)
            # The honest pipeline on the same portfolio, right after (same minutes' load).
            honest_out = Path(tmp) / f"honest{n}.jsonl"
            cpu = run_honest(source, honest_out)[2] - honest_startup
            ours = rows[-1][3] if rows and rows[-1][0] == n else None
            honest_rows.append((n, cpu))
            differ = verdicts_differ(Path(tmp) / f"out{n}.jsonl", honest_out)
            print(f"{n:>7} profiles, honest pipeline (benchmarks/honest_batch.py: plain Python, "
                  f"the same checks, no explanation or trace): {cpu / n * 1e6:6.0f} us CPU  "
                  f"{n / cpu:6,.0f} companies/s per core (net of start-up); verdicts differ on "
                  f"{differ}" + (f"; threshold batch {'--explain ' if explains[0] else ''}/ "
                                 f"honest: {ours / cpu:.2f}x" if ours else ""), flush=True)
            source.unlink()
        if args.jobs_count:
            source = Path(tmp) / "jobs.jsonl"
            write_portfolio(source, args.jobs_count)
            one, two = [], []
            for _ in range(args.runs):
                one.append(run_batch(exe, source, Path(tmp) / "j1.jsonl", jobs=1,
                                     explain=explains[0])[0])
                two.append(run_batch(exe, source, Path(tmp) / "j2.jsonl", jobs=2,
                                     explain=explains[0])[0])
            a, b = statistics.median(one), statistics.median(two)
    (n0, s0, m0, c0), (n1, s1, m1, c1) = rows[0], rows[-1]
    time_ratio = (s1 / n1) / (s0 / n0)
    cpu_ratio = (c1 / n1) / (c0 / n0)
    mem_ratio = m1 / m0
    best = max(n / c for n, _, _, c in rows)
    print("with --explain (the goal's pipeline: read, parse, validate, evaluate, explain, "
          "write):" if not args.without_explain else "WITHOUT --explain (not the goal's "
          "pipeline):")
    print(f"throughput per core (CPU time): {best:,.0f} companies/s at best "
          f"(goal >= 2,000: {'met' if best >= 2000 else 'NOT met'})")
    honest_best = max(n / c for n, c in honest_rows)
    print(f"the honest pipeline on this machine: {honest_best:,.0f} companies/s at best"
          + ("" if honest_best >= 2000 else " (below 2,000: plain Python running the same "
             "checks one company at a time cannot meet goal 3 here)"))
    print(f"time per company {n1:,} vs {n0:,}: {time_ratio:.2f}x wall, {cpu_ratio:.2f}x CPU "
          f"(goal within 10%: {'met' if abs(time_ratio - 1.0) <= 0.10 else 'NOT met'} "
          f"wall, {'met' if abs(cpu_ratio - 1.0) <= 0.10 else 'NOT met'} CPU)")
    print(f"peak memory {n1:,} vs {n0:,}: {mem_ratio:.2f}x "
          f"(goal within 1.20x: {'met' if mem_ratio <= 1.20 else 'NOT met'})")
    if args.jobs_count:
        print(f"--jobs 1: {a:6.2f} s, --jobs 2: {b:6.2f} s on {args.jobs_count:,} profiles "
              + ("without --explain " if args.without_explain else "with --explain ") +
              f"(medians of {args.runs}): speed-up {a / b:.2f}x "
              f"(goal >= 1.7x: {'met' if a / b >= 1.7 else 'NOT met'})")
    print(f"load average after: {load()}")


if __name__ == "__main__":
    main()
