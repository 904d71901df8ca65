"""``threshold batch``: mixed input, broken rows, kill and resume, formats."""

from __future__ import annotations

import csv
import io
import json
import os
import re
import signal
import subprocess
import time
from pathlib import Path

import pytest

from threshold_core.portfolio import csv_row_to_document, synthetic_portfolio


def _write_jsonl(path: Path, docs: list[object]) -> None:
    path.write_text("".join(
        (d if isinstance(d, str) else json.dumps(d)) + "\n" for d in docs), encoding="utf-8")


def _ids(path: Path) -> list[str]:
    return [json.loads(line)["company"]["id"] for line in path.read_text().splitlines()]


def test_mixed_input_keeps_every_valid_company_and_reports_every_broken_row(
    run_cli, tmp_path: Path
) -> None:
    good = list(synthetic_portfolio(12, seed=7))
    broken_amount = dict(good[0], id="bad-amount", valuation={"amount": "lots", "currency": "USD",
                                                              "basis": "market_cap"})
    rows: list[object] = [*good[:4], broken_amount, *good[4:8], "{not json", *good[8:],
                          {"id": "no-name"}, ["not", "an", "object"]]
    source = tmp_path / "portfolio.jsonl"
    _write_jsonl(source, rows)
    out = tmp_path / "out.jsonl"
    result = run_cli("batch", str(source), "--output", str(out))
    assert result.returncode == 2, result.stderr
    assert sorted(_ids(out)) == sorted(d["id"] for d in good)
    assert not Path(str(out) + ".partial").exists()
    err = result.stderr
    assert f'{source}:5: $.valuation.amount: expected a number, got "lots"' in err
    assert f"{source}:10: $: invalid JSON" in err
    assert f"{source}:15: $.name: required key missing" in err
    assert f"{source}:16: $: expected a JSON object" in err
    assert "12 written, 0 kept" not in err and "12 written, 4 invalid" in err
    assert "verdicts: " in err and "most frequent findings: " in err


def test_killed_run_resumes_with_every_company_exactly_once(run_cli, threshold_exe: str,
                                                            tmp_path: Path) -> None:
    source = tmp_path / "big.jsonl"
    n = 300  # each decision line is about 30 KB; the run is killed after a few of them
    _write_jsonl(source, list(synthetic_portfolio(n, seed=11)))
    out = tmp_path / "out.jsonl"
    partial = Path(str(out) + ".partial")
    env = {**os.environ, "NO_COLOR": "1"}
    proc = subprocess.Popen([threshold_exe, "batch", str(source), "--output", str(out)],
                            cwd=tmp_path, env=env, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if partial.exists() and partial.stat().st_size > 200_000:
            break
        time.sleep(0.005)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    assert partial.exists() and not out.exists(), "the run finished before it could be killed"
    killed_at = len(partial.read_bytes().splitlines())
    assert 0 < killed_at < n
    result = run_cli("batch", str(source), "--output", str(out), "--resume")
    assert result.returncode == 0, result.stderr
    ids = _ids(out)
    assert len(ids) == n and len(set(ids)) == n
    assert "kept from the earlier run" in result.stderr


def test_folder_and_csv_inputs_and_csv_output(run_cli, tmp_path: Path) -> None:
    folder = tmp_path / "profiles"
    assert run_cli("generate", "5", "--seed", "2", "--output", str(folder)).returncode == 0
    assert len(list(folder.glob("*.json"))) == 5
    result = run_cli("batch", str(folder), "--format", "csv")
    assert result.returncode == 0, result.stderr
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert [r["id"] for r in rows] == [f"synth-{i:06d}" for i in range(5)]
    assert {"verdict", "score", "technical_defensibility"} <= set(rows[0])

    table = tmp_path / "portfolio.csv"
    table.write_text(
        "id,name,valuation.amount,valuation.currency,valuation.basis,customers.ndr_pct,"
        "filings\n"
        'a,Alpha,9e9,CNY,market_cap,118,"[{""regime"": ""CAC_GENAI_FILING""}]"\n'
        "b,Beta,lots,CNY,market_cap,,\n"
        "c,Gamma,5e9,CNY,market_cap,101,\n", encoding="utf-8")
    result = run_cli("batch", str(table))
    assert result.returncode == 2
    assert [json.loads(x)["company"]["id"] for x in result.stdout.splitlines()] == ["a", "c"]
    assert f'{table}:3: $.valuation.amount: expected a number, got "lots"' in result.stderr


def test_csv_cells_are_typed_by_the_profile_schema() -> None:
    doc, problems = csv_row_to_document({
        "id": "a", "name": "A", "verified": "false", "investors": '[{"name": "X", "type": "vc"}]',
        "customers.ndr_pct": "120", "as_of": "2026-06-30", "colour": "red",
        "ethics_governance.members": "five",
    })
    assert doc == {"id": "a", "name": "A", "verified": False,
                   "investors": [{"name": "X", "type": "vc"}], "customers": {"ndr_pct": 120.0},
                   "as_of": "2026-06-30"}
    assert [(p.path, p.message) for p in problems] == [
        ("$.colour", "unknown column (not a profile field)"),
        ("$.ethics_governance.members", 'expected a whole number, got "five"'),
    ]


def test_jobs_two_gives_the_same_output_as_one(run_cli, tmp_path: Path) -> None:
    source = tmp_path / "p.jsonl"
    _write_jsonl(source, list(synthetic_portfolio(200, seed=5)))
    one, two = tmp_path / "one.jsonl", tmp_path / "two.jsonl"
    assert run_cli("batch", str(source), "-o", str(one), "--format", "csv").returncode == 0
    assert run_cli("batch", str(source), "-o", str(two), "--format", "csv",
                   "--jobs", "2").returncode == 0
    assert one.read_text() == two.read_text()


def test_jobs_two_loads_plugins_once_and_writes_the_same_decisions(run_cli,
                                                                  tmp_path: Path) -> None:
    # The workers are forked from the process that loaded the plugins and keep them: a
    # drop-in's import runs once, and the decisions are the same bytes (timings apart).
    plugins = tmp_path / "plugins"
    plugins.mkdir()
    loads = tmp_path / "loads.txt"
    (plugins / "counted.py").write_text(
        "import os\n"
        f"with open({str(loads)!r}, 'a') as fh:\n"
        "    fh.write(f'{os.getpid()}\\n')\n", encoding="utf-8")
    source = tmp_path / "p.jsonl"
    _write_jsonl(source, list(synthetic_portfolio(80, seed=5)))
    one, two = tmp_path / "one.jsonl", tmp_path / "two.jsonl"
    assert run_cli("batch", str(source), "-o", str(one), "--plugins-dir",
                   str(plugins)).returncode == 0
    loads.unlink()
    assert run_cli("batch", str(source), "-o", str(two), "--plugins-dir", str(plugins),
                   "--jobs", "2").returncode == 0
    assert len(loads.read_text().splitlines()) == 1
    timing = re.compile(r'"duration_ms":[0-9.e+-]+')
    assert timing.sub("", one.read_text()) == timing.sub("", two.read_text())


def test_run_batch_writes_the_same_lines_to_a_text_stream_and_to_a_file(tmp_path: Path) -> None:
    from threshold_core.load import resolve_config
    from threshold_core.portfolio import run_batch

    source = tmp_path / "p.jsonl"
    _write_jsonl(source, list(synthetic_portfolio(5, seed=5)))
    stream = io.StringIO()
    config = resolve_config(None)
    run_batch(source, config, stdout=stream)
    run_batch(source, config, output=tmp_path / "out.jsonl")
    timing = re.compile(r'"duration_ms":[0-9.e+-]+')
    written = (tmp_path / "out.jsonl").read_text(encoding="utf-8")
    assert timing.sub("", stream.getvalue()) == timing.sub("", written)
    assert len(written.splitlines()) == 5


def test_resume_needs_output(run_cli, tmp_path: Path) -> None:
    source = tmp_path / "p.jsonl"
    _write_jsonl(source, list(synthetic_portfolio(1)))
    result = run_cli("batch", str(source), "--resume")
    assert result.returncode == 2 and "--resume needs --output" in result.stderr


@pytest.mark.parametrize("count", [0, 3])
def test_generate_is_seeded(run_cli, count: int) -> None:
    a = run_cli("generate", str(count), "--seed", "9").stdout
    b = run_cli("generate", str(count), "--seed", "9").stdout
    c = run_cli("generate", str(count), "--seed", "10").stdout
    assert a == b and len(a.splitlines()) == count
    assert count == 0 or a != c


def test_progress_bar_only_on_a_terminal(threshold_exe: str, run_cli, tmp_path: Path) -> None:
    import pty

    source = tmp_path / "p.jsonl"
    _write_jsonl(source, list(synthetic_portfolio(100, seed=8)))
    quiet = run_cli("batch", str(source), "-o", str(tmp_path / "a.csv"), "--format", "csv")
    assert quiet.returncode == 0 and "ETA" not in quiet.stderr

    leader, follower = pty.openpty()
    proc = subprocess.Popen(
        [threshold_exe, "batch", str(source), "-o", str(tmp_path / "b.csv"), "--format", "csv"],
        stdout=follower, stderr=follower, env={**os.environ, "NO_COLOR": "1"}, cwd=tmp_path)
    os.close(follower)
    chunks = []
    while True:
        try:
            chunk = os.read(leader, 65536)
        except OSError:
            break
        if not chunk:
            break
        chunks.append(chunk)
    assert proc.wait(timeout=120) == 0
    os.close(leader)
    shown = b"".join(chunks).decode("utf-8", "replace")
    assert "100/100 100.0%" in shown and "/s ETA " in shown
