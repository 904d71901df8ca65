"""A metric without data counts in its dimension's score at its band's lowest points until
researched; the metric table shows those points, marked assumed, in every format (text,
Markdown, HTML; the JSON carries them as ``assumed_points``), never "-" beside a score
that counted them."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from typing import Any

from helpers import EXAMPLES
from hypothesis import given, settings
from hypothesis import strategies as st

from threshold_core import Engine, decision_to_dict
from threshold_core.portfolio import synthetic_portfolio
from threshold_core.reports import render_html, render_markdowns, render_texts

ZHIPU = EXAMPLES / "companies" / "zhipu.toml"


def threshold(*args: str) -> str:
    done = subprocess.run([sys.executable, "-m", "threshold_core", *args], capture_output=True,
                          text=True, timeout=120)
    assert done.returncode in (0, 1), done.stderr
    return done.stdout


def _assumed(data: dict[str, Any]) -> list[tuple[str, str, float]]:
    return [(d["name"], m["metric"], float(m["assumed_points"]))
            for d in data["dimensions"] for m in d.get("evidence", ())
            if m.get("points") is None and m.get("assumed_points") is not None]


def test_every_format_shows_the_points_a_metric_without_data_counted_at() -> None:
    data = json.loads(threshold("evaluate", str(ZHIPU), "--format", "json"))
    assumed = _assumed(data)
    assert assumed, "the example has metrics without data"
    md = threshold("evaluate", str(ZHIPU), "--format", "markdown")
    text = threshold("evaluate", str(ZHIPU))
    html = threshold("evaluate", str(ZHIPU), "--format", "html")
    for dim, metric, points in assumed:
        shown = f"{points:.1f} (assumed)"
        assert f"| {dim} | {metric} | " in md
        row = next(r for r in md.splitlines() if r.startswith(f"| {dim} | {metric} | "))
        assert row.split(" | ")[4] == shown, row
        assert re.search(rf"{re.escape(metric)}\b.*{re.escape(shown)}", text), metric
        assert f">{shown}<" in html, metric
    assert "| - | - | - | no data: counted at" not in md


@settings(max_examples=15, deadline=None)
@given(st.integers(0, 10_000))
def test_no_row_shows_a_dash_for_points_its_score_counted(seed: int) -> None:
    doc = next(iter(synthetic_portfolio(1, seed=seed)))
    decision = Engine().evaluate(doc)
    data = decision_to_dict(decision)
    md = render_markdowns([decision])
    for dim, metric, points in _assumed(data):
        row = next(r for r in md.splitlines() if r.startswith(f"| {dim} | {metric} | "))
        assert row.split(" | ")[4] == f"{points:.1f} (assumed)", row
    for name in ("text", "html"):
        out = render_texts([decision]) if name == "text" else render_html([decision])
        assert out.count("(assumed)") >= len(_assumed(data)), name

