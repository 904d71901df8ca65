"""The notebook API: mappings in, a short repr, an HTML card, explain(), a DataFrame."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import tomllib
from html.parser import HTMLParser
from pathlib import Path

import pytest
from helpers import EXAMPLES, REPO, graded_examples

from threshold_core import (
    Engine,
    InputError,
    build_config,
    decision_to_dict,
    decisions_frame,
    explain,
    explain_all,
)
from threshold_core.model import is_assumed

# Graded copies (fixture NDRs): the shipped examples disclose no retention figures.
COMPANIES = graded_examples()


def _doc(name: str) -> dict:
    return tomllib.loads((COMPANIES / name).read_text(encoding="utf-8"))


def test_evaluate_takes_a_mapping() -> None:
    """The regression: engine.evaluate(dict) raised AttributeError."""
    engine = Engine()
    from_dict = decision_to_dict(engine.evaluate(_doc("zhipu.toml")))
    from_file = decision_to_dict(engine.evaluate_path(COMPANIES / "zhipu.toml"))
    from_file.pop("source_path")
    for data in (from_dict, from_file):
        for event in data["trace"]:
            event.pop("duration_ms")
    assert from_dict == from_file
    with pytest.raises(InputError) as caught:
        engine.evaluate({"id": "x", "name": "X", "valuation": {"amount": "a lot"}})
    assert 'x: $.valuation.amount: expected a number, got "a lot"' in caught.value.lines()


def test_a_decision_is_short_in_a_terminal_and_a_card_in_jupyter() -> None:
    """The regression: a decision displayed in a cell was 28 KB of attrs repr."""
    doc = _doc("zhipu.toml")
    doc["name"] = "Zhipu <AI> & Co"
    decision = Engine().evaluate(doc)
    assumed = [f for f in decision.findings if is_assumed(f)]
    assert assumed  # the example lacks data some rules need: those are counted apart
    assert repr(decision) == ("<Decision zhipu: not_qualified, risk medium, grade NQ, score 44.46, "
                              f"{len(decision.findings) - len(assumed)} findings, "
                              f"{len(assumed)} assumed>")
    card = decision._repr_html_()
    assert len(card) < 3000
    assert "Zhipu &lt;AI&gt; &amp; Co" in card and "<AI>" not in card
    assert "not_qualified" in card and "44.5" in card and "band: score 44.5" in card
    parser = HTMLParser()
    parser.feed(card)  # well-formed enough to parse
    assert card.count("<tr>") == 1 + len([d for d in decision.dimensions if d.weight > 0])


def test_explain_is_public_and_matches_the_cli(run_cli) -> None:
    engine = Engine()
    decision = engine.evaluate_path(COMPANIES / "minimax.toml")
    cli = json.loads(run_cli("evaluate", str(COMPANIES / "minimax.toml"), "--format",
                             "json").stdout)
    from threshold_core.load import converter

    assert converter().unstructure(explain(decision)) == cli["explain"]
    assert explain_all([decision], engine)[0].explain == explain(decision, engine)
    strict = Engine(build_config(tomllib.loads(
        (EXAMPLES / "strict.toml").read_text(encoding="utf-8"))))
    with pytest.raises(ValueError, match="pass the engine that made it"):
        explain(strict.evaluate_path(COMPANIES / "minimax.toml"))


def test_decisions_frame_is_one_row_per_company(run_cli, tmp_path: Path) -> None:
    engine = Engine()
    decisions = [engine.evaluate_path(p) for p in sorted(COMPANIES.glob("*.toml"))]
    frame = decisions_frame(decisions)
    assert list(frame["id"]) == [d.company.id for d in decisions]
    assert {"verdict", "risk", "score", "score_technical_defensibility",
            "findings_critical", "findings_high"} <= set(frame.columns)
    row = frame.set_index("id").loc["minimax"]
    assert row["verdict"] == "not_qualified" and row["score"] == pytest.approx(33.5300, abs=1e-4)
    # a finding rules fired and an assumed one (its rule lacked data) are counted apart
    assert row["findings_medium"] == sum(f.severity == "medium" and not is_assumed(f)
                                         for f in decisions[4].findings)
    assert row["assumed_medium"] == sum(f.severity == "medium" and is_assumed(f)
                                        for f in decisions[4].findings)
    assert row["assumed_medium"] > 0
    critical = [d for d in decisions if any(str(f.severity) == "critical" and is_assumed(f)
                                            for f in d.findings)]
    assert critical
    for d in critical:  # a rule that could veto and lacked data is not a veto
        assert frame.set_index("id").loc[d.company.id, "assumed_critical"] > 0
        assert frame.set_index("id").loc[d.company.id, "findings_critical"] == sum(
            str(f.severity) == "critical" and not is_assumed(f) for f in d.findings)
    assert "assumed_low" not in frame.columns  # a low or info rule is never assumed
    assert frame.set_index("id").loc["lingxi", "score"] != frame.set_index("id").loc[
        "lingxi", "score"]  # NaN: no composite
    # From saved decision JSON too.
    saved = json.loads(run_cli("evaluate", str(COMPANIES), "--format", "json").stdout)
    again = decisions_frame(saved)
    assert list(again["verdict"]) == list(frame["verdict"])


def test_the_readme_notebook_lines_run(tmp_path: Path) -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    block = re.search(r"<!-- notebook: .*?-->\n```python\n(.*?)```", readme, re.S)
    assert block, "the README's notebook section is missing"
    lines = block.group(1).strip().splitlines()
    assert len(lines) == 5
    code = block.group(1) + ("import matplotlib.pyplot as plt\n"
                             f"plt.savefig({str(tmp_path / 'chart.png')!r})\n"
                             "print(len(frame), list(frame.verdict))\n")
    result = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True,
                            text=True, timeout=120, env={**os.environ, "MPLBACKEND": "Agg"})
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("6 [")
    assert (tmp_path / "chart.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_the_summary_table_counts_assumed_findings_apart(run_cli_process) -> None:
    """Several companies give a summary table: `findings` counts the findings rules fired,
    `assumed` the rules that lacked data and count at their most severe; never added."""
    out = run_cli_process("evaluate", str(COMPANIES / "zhipu.toml"),
                          str(COMPANIES / "minimax.toml")).stdout
    table = out[out.index("Summary"):].splitlines()
    assert table[1].split()[-3:] in (["findings", "assumed", "robustness"],
                                     ["score", "findings", "assumed"])
    engine = Engine()
    for path in (COMPANIES / "zhipu.toml", COMPANIES / "minimax.toml"):
        d = engine.evaluate_path(path)
        assumed = sum(1 for f in d.findings if is_assumed(f))
        row = next(r.split() for r in table if r.startswith(d.company.id + " "))
        cells = row[row.index(d.grade or "-") + 2:]  # after the grade and the score
        assert cells[:2] == [str(len(d.findings) - assumed), str(assumed)]
