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

``--stages N`` adds where the time of ``evaluate`` goes: N more fresh processes, each
doing what the command does step by step (the same calls, in the same order, with the
collector paused as the command pauses it, its modules' code from the module cache and
the loader's function from its recipes, as the command has them since both were added:
the stages of an earlier installation are timed as it ran) and timing each step's CPU
time; the medians are printed, with the interpreter's own start (``python -c pass``)
before them. The process's exit, which the command shortens (``cli/_fastexit.py``), is
no step: the whole-command lines above include it.

``--against PYTHON`` times ``evaluate`` of another installation too (PYTHON is the
interpreter of its environment; its ``threshold`` is beside it): the two commands
alternate, ``--runs`` times each, and the script prints both medians and the median
of the paired differences (CPU time), which a busy machine moves far less than either
figure.

``--server`` times the commands handed to a server instead (``threshold server``, README
"Commands"): it starts one for this installation in a folder of its own
(``THRESHOLD_SERVER_DIR``), checks that the commands are handed over (its count of
commands served), times ``evaluate`` and ``--help`` through it against ``python -c pass``,
alternated as above, and stops it. It also prints the server's memory (resident and
proportional set size, from ``/proc``, Linux).

Run: python benchmarks/cold_start.py [--runs 15] [--stages 7] [--against PYTHON] [--server]
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
ENV["THRESHOLD_NO_SERVER"] = "1"  # (a server of the user's is used only with --server)


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


def editable_install() -> bool:
    """Whether threshold is installed in editable mode: then every interpreter start, ``python
    -c pass`` too, imports the install's finder and what it needs (``pathlib``, ``re``,
    ``fnmatch``, ``urllib.parse``: about 12 ms), which threshold then finds loaded, so the
    differences read lower than from a wheel."""
    return any(str(getattr(f, "__module__", "")).startswith("__editable___threshold")
               for f in sys.meta_path)


def compile_installed() -> None:
    for package in ("threshold_core", "threshold_plugins", "threshold_rules"):
        spec = importlib.util.find_spec(package)
        for folder in (spec.submodule_search_locations or []) if spec else []:
            compileall.compile_dir(folder, quiet=1)


#: ``threshold evaluate examples/companies/zhipu.toml`` step by step (``cli._app.build_engine``
#: and ``cli._evaluate.evaluate`` spelled out), printing each step's CPU milliseconds.
STAGES = r"""
import gc, sys, time
gc.disable()
sys.path[0] = sys.argv[1]  # as for the console script: its folder, not the working folder
marks = [("start", time.process_time())]
def mark(name):
    marks.append((name, time.process_time()))
import click
import threshold_core.cli
import threshold_core.cli._evaluate as command  # (the group imports the command it runs)
mark("click and the command group")
import contextlib
from pathlib import Path
from threshold_core.cli._codecache import cache_dir, installation, installed
try:  # threshold's own modules' code from the module cache, as the command's main() has it
    from threshold_core.cli._modcache import serving
except ImportError:
    serving = lambda *_: contextlib.nullcontext()
def from_recipes():
    if cache_dir() is not None:  # as the command does with its cache in place (when it can)
        try:
            from threshold_core.load import generate_from_first_use
        except ImportError:
            pass
        else:
            generate_from_first_use()
        try:  # ... made from the recipes the cache keeps, as the command does
            from threshold_core.cli._codecache import use_recipes
        except ImportError:
            pass
        else:
            use_recipes(code_cache)
with serving(cache_dir(), installation()), installed() as code_cache:
    mark("the generated-code cache in place")
    from threshold_core.engine import Engine, create_plugin_manager
    from threshold_core.load import resolve_config
    mark("attrs, cattrs, the model, loader and engine modules")
    first = getattr(command, "RECIPES_BEFORE_ENGINE", False)  # (earlier: after the engine)
    if first:
        from_recipes()
    config = resolve_config(None, collect=True)
    mark("the configuration")
    folder = cache_dir()
    pm = create_plugin_manager(config, defer_problems=True, entry_point_cache=(
        folder / f"entry-points-{installation()}.json" if folder else None))
    mark("the plugin manager (plugins imported, registered)")
    if folder is not None:
        from threshold_core.declarative import use_check_cache
        use_check_cache(folder / f"cel-checks-{installation()}.marshal")
    engine = Engine(config, pm)
    if not first:
        from_recipes()
    mark("the engine (components, declarative pack read)")
    profile = engine.load_profile(Path("examples/companies/zhipu.toml"))
    mark("the profile (TOML, structured)")
    decision = engine.evaluate(profile)
    mark("the first evaluation (CEL, protobuf)")
    from threshold_core.explain import explain_all
    from threshold_core.reports import ReportOptions, render_texts
    mark("the explain and report modules")
    decisions = explain_all([decision], engine)
    mark("the explanation")
    text = render_texts(decisions, lambda t, **_: str(t), ReportOptions(units="bn"))
    mark("the text report")
gc.freeze()
mark("saving the caches")
print(repr([(n, (t - marks[i][1]) * 1000) for i, (n, t) in enumerate(marks[1:])]))
"""


def stages(count: int) -> None:
    """Each step's CPU time, medians of ``count`` fresh processes (see the module docstring)."""
    import ast

    rows: list[list[tuple[str, float]]] = []
    for _ in range(count):
        out = subprocess.run([sys.executable, "-c", STAGES, str(Path(sys.executable).parent)],
                             check=True, capture_output=True, text=True, cwd=REPO,
                             env=ENV).stdout
        rows.append(ast.literal_eval(out.strip().splitlines()[-1]))
    bare = statistics.median(CPU["-c"][-count:]) * 1000 if "-c" in CPU else 0.0
    print(f"where evaluate's time goes (CPU ms, medians of {count} processes):")
    print(f"  {'python -c pass':52s} {bare:6.1f}")
    for i, (name, _) in enumerate(rows[0]):
        print(f"  {name:52s} {statistics.median(r[i][1] for r in rows):6.1f}")
    total = statistics.median(sum(ms for _, ms in r) for r in rows)
    print(f"  {'all steps':52s} {total:6.1f}")


def against(evaluate: list[str], python: str, runs: int) -> None:
    """``evaluate`` of this installation and of the one ``python`` belongs to, alternating;
    CPU medians and the median of the paired differences."""
    other = [str(Path(python).with_name("threshold")), *evaluate[1:]]
    run(other, "other-warm"), run(other, "other-warm")  # its caches filled
    for i in range(runs):
        pair = ((evaluate, "this"), (other, "other"))
        for cmd, key in pair if i % 2 == 0 else pair[::-1]:
            run(cmd, key)
    this, that = CPU["this"], CPU["other"]
    diffs = sorted(a - b for a, b in zip(this, that, strict=True))
    quartiles = statistics.quantiles(diffs, n=4) if len(diffs) > 1 else [diffs[0]] * 3
    print(f"evaluate CPU (medians of {runs}, alternating): this installation "
          f"{statistics.median(this) * 1000:.1f} ms, {python}: "
          f"{statistics.median(that) * 1000:.1f} ms; paired difference (this - that) "
          f"{statistics.median(diffs) * 1000:+.1f} ms (quartiles {quartiles[0] * 1000:+.1f} / "
          f"{quartiles[2] * 1000:+.1f})")


def _served(exe: str, env: dict[str, str]) -> dict[str, object]:
    import json

    out = subprocess.run([exe, "server", "status", "--format", "json"], check=True,
                         capture_output=True, text=True, env={**ENV, **env}).stdout
    found: dict[str, object] = json.loads(out)
    return found


def _memory(pid: int) -> str:
    """The server's resident and proportional set size (``/proc``, Linux)."""
    sizes = {}
    try:
        for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
            name, _, value = line.partition(":")
            if name in ("Rss", "Pss"):
                sizes[name] = int(value.split()[0]) / 1024
    except OSError:
        return "memory not known (no /proc)"
    return f"resident {sizes.get('Rss', 0):.1f} MiB, proportional {sizes.get('Pss', 0):.1f} MiB"


def server(exe: str, evaluate: list[str], help_: list[str], bare: list[str], runs: int) -> None:
    """``evaluate`` and ``--help`` handed to a server against ``python -c pass``."""
    import shutil
    import tempfile

    folder = tempfile.mkdtemp(prefix="tsrv", dir="/tmp")  # (a short socket path)
    env = {"THRESHOLD_SERVER_DIR": folder, "THRESHOLD_NO_SERVER": "0"}
    subprocess.run([exe, "server", "start"], check=True, env={**ENV, **env},
                   stdout=subprocess.DEVNULL)
    try:
        before = int(_served(exe, env)["served"])  # type: ignore[call-overload]
        run(evaluate, "s-warm", env), run(help_, "s-warm", env), run(bare)
        t_eval, t_help, t_bare = [], [], []
        for _ in range(runs):
            t_eval.append(run(evaluate, "s-evaluate", env))
            t_help.append(run(help_, "s-help", env))
            t_bare.append(run(bare, "s-bare"))
        status = _served(exe, env)
        handed = int(status["served"]) - before - 1  # type: ignore[call-overload]
        e, h, b = (statistics.median(t) for t in (t_eval, t_help, t_bare))
        ce, ch, cb = (statistics.median(CPU[k]) for k in ("s-evaluate", "s-help", "s-bare"))
        print(f"through the server ({handed} of {2 * runs + 2} commands handed over; "
              f"server {_memory(int(status['pid']))}):")  # type: ignore[call-overload]
        print(f"python -c pass:                 {b * 1000:6.0f} ms (median of {runs})")
        print(f"threshold --help:               {h * 1000:6.0f} ms (median of {runs})")
        print(f"threshold evaluate zhipu.toml:  {e * 1000:6.0f} ms (median of {runs})")
        print(f"--help difference: {(h - b) * 1000:.0f} ms (goal <= 120 ms: "
              f"{'met' if h - b <= 0.12 else 'NOT met'})")
        print(f"evaluate difference: {(e - b) * 1000:.0f} ms (goal <= 150 ms: "
              f"{'met' if e - b <= 0.15 else 'NOT met'}); ratio {e / b:.1f}x")
        print(f"CPU time of the command's own process (user + system, medians; the server's "
              f"worker is not its child): python -c pass {cb * 1000:.0f} ms, --help "
              f"{ch * 1000:.0f} ms, evaluate {ce * 1000:.0f} ms")
    finally:
        subprocess.run([exe, "server", "stop"], env={**ENV, **env}, stdout=subprocess.DEVNULL)
        shutil.rmtree(folder, ignore_errors=True)
    print("load average: " + " ".join(f"{x:.2f}" for x in os.getloadavg()))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--stages", type=int, default=0, metavar="N",
                        help="also time evaluate's steps in N fresh processes")
    parser.add_argument("--against", metavar="PYTHON",
                        help="also time evaluate of another installation (the python of its "
                             "environment), alternating, and print the paired differences")
    parser.add_argument("--server", action="store_true",
                        help="time the commands handed to a server of this installation")
    args = parser.parse_args()
    exe = str(Path(sys.executable).with_name("threshold"))
    evaluate = [exe, "evaluate", "examples/companies/zhipu.toml"]
    help_ = [exe, "--help"]
    bare = [sys.executable, "-c", "pass"]
    compile_installed()
    if args.server:
        server(exe, evaluate, help_, bare, args.runs)
        return
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
    if editable_install():
        print("note: an editable install: python -c pass loads its finder's modules, which "
              "threshold then finds loaded; install the wheel into a fresh virtual environment "
              "(pip install .) to measure as users run it")
    if args.against:
        against(evaluate, args.against, args.runs)
    if args.stages:
        stages(args.stages)
    print("load average: " + " ".join(f"{x:.2f}" for x in os.getloadavg()))


if __name__ == "__main__":
    main()
