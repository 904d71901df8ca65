"""The honest baseline the throughput goal is measured against computes what the engine
computes: the same scores, rule results and verdicts, on synthetic profiles and on
profiles that leave out what the engine reads as unknown (a valuation's source, filing
and approval statuses, service kinds, investor tiers, safety independence, the
financials' currency, the export screening's affiliates and reliance on new US items,
the AI end uses, the EU prohibited uses: the last four leave a rule that can veto
unchecked, which caps and deducts its dimension) or grade a source as the sourcing
figures do."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_the_honest_baseline_agrees_with_the_engine_on_crafted_profiles() -> None:
    run = subprocess.run([sys.executable, "honest_rules.py", "--count", "12", "--check"],
                         cwd=ROOT / "benchmarks", capture_output=True, text=True, timeout=600)
    assert run.returncode == 0, run.stdout + run.stderr
    crafted = re.findall(r"crafted \((.+)\): differ on (\d+) of (\d+)", run.stdout)
    assert len(crafted) == 15, run.stdout
    assert all(n == "0" and int(total) > 0 for _, n, total in crafted), run.stdout
    assert "12 synthetic profiles (seed 42): 0 differ" in run.stdout


def test_the_honest_pipeline_decides_a_portfolio_as_threshold_batch_does(
    tmp_path: Path, run_cli_process: Callable[..., subprocess.CompletedProcess[str]],
) -> None:
    """``benchmarks/honest_batch.py`` (goal 3's baseline) writes one line per company with
    the verdict ``threshold batch`` gives it."""
    generated = run_cli_process("generate", "40", "--seed", "3")
    assert generated.returncode == 0, generated.stderr
    portfolio = tmp_path / "p.jsonl"
    portfolio.write_text(generated.stdout, encoding="utf-8")
    batch = run_cli_process("batch", str(portfolio), "--output", str(tmp_path / "ours.jsonl"))
    assert batch.returncode == 0, batch.stderr
    honest = subprocess.run([sys.executable, "honest_batch.py", str(portfolio),
                             str(tmp_path / "honest.jsonl")],
                            cwd=ROOT / "benchmarks", capture_output=True, text=True, timeout=120)
    assert honest.returncode == 0, honest.stdout + honest.stderr
    ours = [json.loads(line) for line in (tmp_path / "ours.jsonl").read_text().splitlines()]
    theirs = [json.loads(line) for line in (tmp_path / "honest.jsonl").read_text().splitlines()]
    assert len(ours) == len(theirs) == 40
    assert [(row["company"]["id"], row["verdict"]) for row in ours] == \
        [(row["id"], row["verdict"]) for row in theirs]
    assert {row["verdict"] for row in ours} >= {"not_qualified", "insufficient_data"}
