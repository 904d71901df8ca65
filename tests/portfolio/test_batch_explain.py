"""``threshold batch --explain``: each decision with the explanation ``threshold evaluate``
gives it, in JSONL and as CSV columns, under ``--jobs`` and ``--resume``."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any

import pytest
from helpers import jsonl_portfolio, untimed

from threshold_core.errors import InputError
from threshold_core.load import resolve_config
from threshold_core.portfolio import run_batch

ROOT = Path(__file__).resolve().parents[2]


def test_each_line_carries_the_explanation_evaluate_gives(run_cli, tmp_path: Path) -> None:
    folder = tmp_path / "profiles"
    assert run_cli("generate", "8", "--seed", "4", "--output", str(folder)).returncode == 0
    for path in (ROOT / "examples" / "companies").glob("*.toml"):
        (folder / path.name).write_bytes(path.read_bytes())
    out = tmp_path / "out.jsonl"
    result = run_cli("batch", str(folder), "--explain", "--output", str(out))  # a process
    assert result.returncode == 0, result.stderr
    lines = [json.loads(x) for x in out.read_text(encoding="utf-8").splitlines()]
    evaluated = run_cli("evaluate", str(folder), "--format", "json")
    assert evaluated.returncode == 0, evaluated.stderr
    expected = {d["company"]["id"]: d["explain"] for d in json.loads(evaluated.stdout)}
    assert len(lines) == len(expected) == 14
    for line in lines:
        assert line["explain"] is not None
        assert line["explain"] == expected[line["company"]["id"]]

    plain = run_cli("batch", str(folder))
    assert [json.loads(x)["explain"] for x in plain.stdout.splitlines()] == [None] * 14


def test_csv_rows_end_with_the_explanation_s_summary(run_cli, tmp_path: Path) -> None:
    source = jsonl_portfolio(tmp_path / "p.jsonl", 40, seed=9)
    jsonl = run_cli("batch", str(source), "--explain")
    table = run_cli("batch", str(source), "--explain", "--format", "csv")
    assert jsonl.returncode == table.returncode == 0, table.stderr
    rows = list(csv.DictReader(io.StringIO(table.stdout)))
    header = table.stdout.splitlines()[0].split(",")
    assert header[-5:] == ["next_verdict", "gap", "blockers", "margin", "robustness"]
    assert header[:-5] == run_cli("batch", str(source), "--format", "csv"
                                  ).stdout.splitlines()[0].split(",")
    for row, line in zip(rows, jsonl.stdout.splitlines(), strict=True):
        x = json.loads(line)["explain"]
        distance, margin = x["distance"], x["margin"]
        assert row["next_verdict"] == (distance["target"] or "")
        assert row["gap"] == ("" if distance["gap"] is None else f"{distance['gap']:.4f}")
        assert row["blockers"] == ";".join(f"{b['kind']}:{b['subject']}"
                                           for b in distance["blockers"])
        assert row["margin"] == ("" if margin is None or margin["points"] is None
                                 else f"{margin['points']:.4f}")
        assert row["robustness"] == x["robustness"]["label"]
    assert {r["robustness"] for r in rows} <= {"robust", "fragile"}
    assert any(r["gap"] for r in rows) and any(r["blockers"] for r in rows)


@pytest.mark.parametrize("fmt", ["jsonl", "csv"])
def test_jobs_and_resume_give_the_same_explained_bytes(tmp_path: Path, fmt: str) -> None:
    source = jsonl_portfolio(tmp_path / "p.jsonl", 90, seed=6, broken_at=45)
    config = resolve_config(None)

    def run(output: Path, **kw: Any) -> Any:
        kw.setdefault("on_error", lambda _: None)
        return run_batch(source, config, plugin_options={"autoload": False}, output=output,
                         fmt=fmt, explain=True, on_notice=lambda _: None, **kw)

    one, two, resumed = tmp_path / "one", tmp_path / "two", tmp_path / "resumed"
    run(one)
    run(two, jobs=2)
    assert untimed(two.read_bytes()) == untimed(one.read_bytes())

    def interrupt(_: tuple[str, ...]) -> None:
        raise KeyboardInterrupt  # at the broken row: 45 companies written

    with pytest.raises(KeyboardInterrupt):
        run(resumed, on_error=interrupt)
    summary = run(resumed, resume=True, jobs=2)
    assert (summary.skipped_resumed, summary.written) == (45, 45)
    assert untimed(resumed.read_bytes()) == untimed(one.read_bytes())


def test_a_csv_partial_without_the_explanation_is_not_resumed_with_it(tmp_path: Path) -> None:
    source = jsonl_portfolio(tmp_path / "p.jsonl", 10, seed=2)
    out = tmp_path / "out.csv"
    partial = Path(f"{out}.partial")
    config = resolve_config(None)
    run_batch(source, config, plugin_options={"autoload": False}, output=partial, fmt="csv",
              on_notice=lambda _: None)
    with pytest.raises(InputError) as caught:
        run_batch(source, config, plugin_options={"autoload": False}, output=out, fmt="csv",
                  resume=True, explain=True, on_notice=lambda _: None)
    assert "are not this run's" in caught.value.lines()[0]
