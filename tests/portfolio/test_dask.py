"""``threshold batch --executor dask``: the same bytes as a local run, resume, refusals.

Most tests share one ``LocalCluster`` of 2 thread workers (``processes=False``),
started by this module; one runs the console script, which starts its own cluster
of 2 worker processes.
"""

from __future__ import annotations

import json
import re
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from helpers import jsonl_portfolio, untimed

from threshold_core.errors import InputError, PluginError
from threshold_core.load import resolve_config
from threshold_core.portfolio import run_batch

distributed = pytest.importorskip("distributed")

ROOT = Path(__file__).resolve().parents[2]
RULEPACKS = ROOT / "examples" / "rulepacks"


@pytest.fixture(scope="module")
def scheduler() -> Iterator[str]:
    # (None would still take 8787: dask/distributed#8136.)
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=False,
                                  dashboard_address="127.0.0.1:0") as cluster:
        yield cluster.scheduler_address


def _run(source: Path, output: Path, **kw: Any) -> Any:
    errors: list[tuple[str, ...]] = []
    kw.setdefault("on_error", errors.append)
    options = kw.pop("options", {"rule_dirs": (RULEPACKS,)})
    return run_batch(source, resolve_config(None), plugin_options=options, output=output,
                     on_notice=lambda _: None, **kw)


def test_the_same_bytes_as_a_local_run(scheduler: str, tmp_path: Path) -> None:
    # 8 partitions, 6 in flight at most (2 workers x 3): order is kept across them.
    source = jsonl_portfolio(tmp_path / "p.jsonl", 120, seed=5, broken_at=70)
    local, remote = tmp_path / "local.jsonl", tmp_path / "dask.jsonl"
    a = _run(source, local)
    b = _run(source, remote, executor="dask", scheduler=scheduler, partition=16)
    assert (a.written, a.invalid, a.verdicts) == (b.written, b.invalid, b.verdicts) == (
        120, 1, a.verdicts)
    assert untimed(remote.read_bytes()) == untimed(local.read_bytes())
    assert b'"acme_exposure"' in remote.read_bytes()  # the drop-in pack ran on the workers


def test_explained_the_same_bytes_as_a_local_run(scheduler: str, tmp_path: Path) -> None:
    source = jsonl_portfolio(tmp_path / "p.jsonl", 40, seed=3)
    for fmt in ("jsonl", "csv"):
        local, remote = tmp_path / f"local.{fmt}", tmp_path / f"dask.{fmt}"
        _run(source, local, fmt=fmt, explain=True)
        _run(source, remote, fmt=fmt, explain=True, executor="dask", scheduler=scheduler,
             partition=8)
        assert untimed(remote.read_bytes()) == untimed(local.read_bytes())
    assert b'"explain":{"verdict"' in local.with_suffix(".jsonl").read_bytes()


def _interrupt(_: tuple[str, ...]) -> None:
    raise KeyboardInterrupt  # Ctrl-C at the first invalid row, partitions in flight


def test_the_portfolio_is_read_as_the_cluster_needs_it(scheduler: str, tmp_path: Path) -> None:
    rules = tmp_path / "rules"
    rules.mkdir()
    text = (RULEPACKS / "acme_exposure.py").read_text(encoding="utf-8")
    # The drop-in pack, counting the companies it sees (the workers are threads here).
    text = text.replace("    fin = profile.financials\n", (
        "    __import__('sys').__dict__.setdefault('_acme_seen', []).append(profile.id)\n"
        "    fin = profile.financials\n"))
    (rules / "acme_exposure.py").write_text(text, encoding="utf-8")
    source = jsonl_portfolio(tmp_path / "p.jsonl", 1000, seed=4, broken_at=20)
    with pytest.raises(KeyboardInterrupt):
        _run(source, tmp_path / "out.jsonl", options={"rule_dirs": (rules,)}, executor="dask",
             scheduler=scheduler, partition=16, on_error=_interrupt)
    seen = sys.__dict__.pop("_acme_seen")
    # 2 workers x 3 partitions of 16 in flight, and the next ones submitted as the first
    # two came back: never the 1,000.
    assert 20 <= len(seen) <= 16 * 9, len(seen)


def test_an_interrupted_run_resumes_with_every_company_exactly_once(
    scheduler: str, tmp_path: Path
) -> None:
    source = jsonl_portfolio(tmp_path / "p.jsonl", 100, seed=8, broken_at=50)
    local, remote = tmp_path / "local.jsonl", tmp_path / "dask.jsonl"
    _run(source, local)
    with pytest.raises(KeyboardInterrupt):
        _run(source, remote, executor="dask", scheduler=scheduler, on_error=_interrupt,
             partition=16)
    partial = Path(f"{remote}.partial")
    kept = partial.read_bytes().count(b"\n")
    assert kept == 50 and not remote.exists()
    with partial.open("ab") as fh:  # and a torn last line, as a kill leaves it
        fh.write(b'{"schema_version": "1.0", "company": {"id": "synth-0')
    summary = _run(source, remote, executor="dask", scheduler=scheduler, resume=True,
                   partition=16)
    assert (summary.skipped_resumed, summary.written) == (50, 50)
    assert untimed(remote.read_bytes()) == untimed(local.read_bytes())


def test_a_worker_with_another_plugin_version_is_refused_before_any_output(
    scheduler: str, tmp_path: Path
) -> None:
    rules = tmp_path / "rules"
    rules.mkdir()
    text = (RULEPACKS / "acme_exposure.py").read_text(encoding="utf-8")
    # The same drop-in file, but loaded a second time (by a worker) it says 1.1.1, as a
    # worker with a newer copy of the file would.
    text = text.replace('__version__ = "1.1.0"', (
        "import sys\n"
        "_loads = sys.__dict__.setdefault('_acme_exposure_loads', [])\n"
        "_loads.append(1)\n"
        '__version__ = "1.1.0" if len(_loads) == 1 else "1.1.1"'))
    (rules / "acme_exposure.py").write_text(text, encoding="utf-8")
    source = jsonl_portfolio(tmp_path / "p.jsonl", 5, seed=1)
    out = tmp_path / "out.jsonl"
    with pytest.raises(PluginError) as caught:
        _run(source, out, options={"rule_dirs": (rules,)}, executor="dask", scheduler=scheduler)
    (line,) = caught.value.lines()
    assert re.fullmatch(
        r"the Dask worker \S+ has a different plugin set: plugin 'acme_exposure' has version "
        r"'1\.1\.1' there, '1\.1\.0' here; every worker needs the client's plugins, and its "
        r"drop-in folders at the same paths \(README, Portfolios\)", line), line
    assert not out.exists() and not Path(f"{out}.partial").exists()


def test_an_unreachable_scheduler_is_one_line_naming_it(tmp_path: Path) -> None:
    import dask

    source = jsonl_portfolio(tmp_path / "p.jsonl", 2, seed=1)
    out = tmp_path / "out.jsonl"
    with dask.config.set({"distributed.comm.timeouts.connect": "0.5s"}), \
            pytest.raises(InputError) as caught:
        _run(source, out, executor="dask", scheduler="tcp://127.0.0.1:9")
    (line,) = caught.value.lines()
    assert line.startswith("--scheduler: cannot reach the Dask scheduler at "
                           "tcp://127.0.0.1:9: "), line
    assert not Path(f"{out}.partial").exists()


def _cli(*args: str) -> Any:
    from click.testing import CliRunner

    from threshold_core.cli import cli

    return CliRunner().invoke(cli, list(args))


def test_without_the_extra_the_error_says_how_to_install_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    source = jsonl_portfolio(tmp_path / "p.jsonl", 2, seed=1)
    monkeypatch.setitem(sys.modules, "distributed", None)  # import distributed fails
    result = _cli("batch", str(source), "--executor", "dask", "-o", str(tmp_path / "o.jsonl"))
    assert result.exit_code == 2
    assert result.stderr == ("--executor dask: needs Dask's distributed, which is not "
                             "installed: pip install 'threshold[dask]'\n")


@pytest.mark.parametrize(("args", "message"), [
    (("--scheduler", "tcp://h:8786"), "--scheduler needs --executor dask"),
    (("--executor", "dask", "--scheduler", "tcp://h:8786", "--jobs", "2"),
     "--jobs sets the workers of a local cluster"),
])
def test_options_that_would_be_ignored_are_usage_errors(
    tmp_path: Path, args: tuple[str, ...], message: str
) -> None:
    source = jsonl_portfolio(tmp_path / "p.jsonl", 1, seed=1)
    result = _cli("batch", str(source), *args)
    assert result.exit_code == 2 and message in result.stderr


def test_the_console_script_on_a_local_cluster_of_worker_processes(
    run_cli_process: Any, tmp_path: Path
) -> None:
    # A drop-in folder named relative to the working folder reaches the workers too.
    (tmp_path / "rules").mkdir()
    (tmp_path / "rules" / "acme_exposure.py").write_bytes(
        (RULEPACKS / "acme_exposure.py").read_bytes())
    source = jsonl_portfolio(tmp_path / "p.jsonl", 20, seed=2)
    local, remote = tmp_path / "local.csv", tmp_path / "dask.csv"
    _run(source, local, fmt="csv", options={"rule_dirs": (tmp_path / "rules",)})
    result = run_cli_process("batch", "p.jsonl", "--executor", "dask", "--jobs", "2",
                             "--rules-dir", "rules", "--format", "csv", "--output", "dask.csv",
                             cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "threshold batch: 20 written" in result.stderr
    assert remote.read_bytes() == local.read_bytes()
    assert b"ACME-101" in remote.read_bytes()


def test_a_local_batch_does_not_import_distributed(tmp_path: Path) -> None:
    # The extra costs start-up (about 0.5-1.5 s to import): only --executor dask pays it.
    import subprocess

    source = jsonl_portfolio(tmp_path / "p.jsonl", 3, seed=4)
    code = ("import sys; from click.testing import CliRunner; from threshold_core.cli import cli; "
            f"r = CliRunner().invoke(cli, ['batch', {str(source)!r}, '--format', 'csv']); "
            "assert r.exit_code == 0, r.output; "
            "assert 'distributed' not in sys.modules, 'a local batch imported distributed'")
    subprocess.run([sys.executable, "-c", code], check=True, timeout=120, cwd=tmp_path)


def test_a_local_cluster_prints_nothing_when_the_dashboard_port_is_taken(
    run_cli_process: Any, tmp_path: Path
) -> None:
    """The local cluster's dashboard takes a free port of this machine: with 8787 busy (a
    second run, a notebook's cluster), nothing but threshold's own summary reaches stderr."""
    import socket

    busy = socket.socket()
    try:
        busy.bind(("127.0.0.1", 8787))
        busy.listen()
    except OSError:
        pass  # taken already: the case itself
    try:
        source = jsonl_portfolio(tmp_path / "p.jsonl", 20, seed=3)
        result = run_cli_process("batch", str(source), "--executor", "dask", "--jobs", "2",
                                 "--no-plugin-autoload", "--output", str(tmp_path / "o.jsonl"))
    finally:
        busy.close()
    assert result.returncode == 0, result.stderr
    assert result.stderr.startswith("threshold batch: 20 written"), result.stderr
    assert "Port" not in result.stderr and "warn" not in result.stderr


def test_repeated_company_ids_are_refused_as_a_local_run_refuses_them(
    scheduler: str, tmp_path: Path
) -> None:
    source = jsonl_portfolio(tmp_path / "p.jsonl", 40, seed=9)
    lines = source.read_text(encoding="utf-8").splitlines(keepends=True)
    lines.insert(30, lines[3])  # row 31 repeats row 4's company, in another partition
    source.write_text("".join(lines), encoding="utf-8")
    local, remote = tmp_path / "local.jsonl", tmp_path / "dask.jsonl"
    local_errors: list[tuple[str, ...]] = []
    remote_errors: list[tuple[str, ...]] = []
    a = _run(source, local, on_error=local_errors.append)
    b = _run(source, remote, executor="dask", scheduler=scheduler, partition=8,
             on_error=remote_errors.append)
    assert untimed(local.read_bytes()) == untimed(remote.read_bytes())
    assert remote_errors == local_errors
    company = json.loads(lines[3])["id"]
    assert local_errors == [(f"{source}:31: $.id: company id {company!r} is already the id of "
                             f"{source}:4",)]
    assert (a.written, a.invalid) == (b.written, b.invalid) == (40, 1)
