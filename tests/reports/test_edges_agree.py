"""No displayed or serialised figure contradicts the decision it belongs to: a valuation a
hair below the line, a breach probability a hair either side of a risk band's edge and a
score a hair below a configured grade cut-off are shown (and written) on their own side."""

from __future__ import annotations

import csv
import io
import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
from helpers import graded_examples
from hypothesis import given, settings
from hypothesis import strategies as st

from threshold_core import Engine, build_config, decision_to_dict
from threshold_core.reports import ReportOptions, render_texts

EDGE = """id = "edge"
name = "Edge Co"
as_of = 2026-06-30
[valuation]
amount = {amount}
currency = "{currency}"
basis = "market_cap"
as_of = 2026-06-30
source = "HKEX exchange close"
[listing]
status = "listed"
source = "HKEX exchange"
"""


def threshold(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "threshold_core", *args], cwd=cwd,
                          capture_output=True, text=True, timeout=120)


def write(tmp_path: Path, amount: str, currency: str = "USD") -> str:
    (tmp_path / "edge.toml").write_text(EDGE.format(amount=amount, currency=currency),
                                        encoding="utf-8")
    return "edge.toml"


def test_a_valuation_a_hair_below_the_line_is_shown_and_written_below_it(
        tmp_path: Path) -> None:
    name = write(tmp_path, "557880055.788")  # x 7.17 = 3,999,999,999.99996 CNY
    text = threshold("evaluate", name, cwd=tmp_path).stdout
    assert "= 3.99999999999996bn CNY (market_cap, 2026-06-30) < line 4.00bn CNY: FAILED" in text
    assert "is below the line of 4.00bn CNY" in text and "1.00x" not in text
    yi = threshold("evaluate", name, "--units", "yi", cwd=tmp_path).stdout
    assert "39.9999999999996亿 CNY (market_cap, 2026-06-30) < line 40.00亿 CNY" in yi
    d = json.loads(threshold("evaluate", name, "--format", "json", cwd=tmp_path).stdout)
    g, h = d["gate"], d["headroom"]
    assert g["passed"] is False and g["tested_cny"] < g["line_cny"]
    assert g["valuation_cny"] == h["valuation_cny"] == 3999999999.99996
    assert h["reasons"] == ["below the line: high"] and h["cushion"] < 1
    assert d["explain"]["distance"]["gate_shortfall_cny"] > 0
    assert "0.00bn CNY" not in json.dumps(d["explain"])
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / name).write_text((tmp_path / name).read_text(), encoding="utf-8")
    run = threshold("batch", "in", "--format", "csv", "--output", "out.csv", cwd=tmp_path)
    assert run.returncode == 0, run.stderr
    (row,) = csv.DictReader(io.StringIO((tmp_path / "out.csv").read_text()))
    assert row["gate_passed"] == "false" and float(row["valuation_cny"]) < 4e9


@pytest.mark.parametrize("amount, shown, risk", [
    ("9899584000", "19.999998%", "low"), ("9899583000", "20%", "medium"),
    ("6657183000", "49.999999%", "medium")])
def test_a_breach_probability_at_a_band_edge_reads_as_its_band(
        tmp_path: Path, amount: str, shown: str, risk: str) -> None:
    name = write(tmp_path, amount, "CNY")
    d = json.loads(threshold("evaluate", name, "--format", "json", cwd=tmp_path).stdout)
    h = d["headroom"]
    assert h["market_risk"] == risk
    assert (h["breach_probability"] < 0.2) == (risk == "low")
    assert (h["breach_probability"] >= 0.5) == (risk == "high")
    assert f"{shown} chance within 12 months" in h["summary"]
    assert f"breach probability {shown} " in h["reasons"][0]


def test_the_header_score_respects_a_configured_cut_off(tmp_path: Path) -> None:
    (tmp_path / "cut.toml").write_text(
        '[[policy.grades]]\nname="Q2"\nmin_score=75.0\nverdict="qualified"\n'
        '[[policy.grades]]\nname="Q3"\nmin_score=44.5\nverdict="watch"\n'
        '[[policy.grades]]\nname="NQ"\nmin_score=0.0\nverdict="not_qualified"\n',
        encoding="utf-8")
    # Zhipu's graded composite, 44.4552, rounds to the cut-off of 44.5 it is below.
    zhipu = str(graded_examples() / "zhipu.toml")
    for fmt in ("text", "markdown", "html"):
        out = threshold("evaluate", zhipu, "--config", "cut.toml", "--format", fmt,
                        cwd=tmp_path).stdout
        assert "grade NQ  score 44.46/100" in out, fmt
        assert "score 44.5/100" not in out and ">44.5<" not in out, fmt


LINE = 4e9


@settings(max_examples=60, deadline=None)
@given(st.floats(min_value=-1e-3, max_value=1e-3), st.sampled_from([1.0, 7.17, 0.915]))
def test_the_gate_and_its_figures_agree_near_the_line(offset: float, rate: float) -> None:
    engine = _engine(rate)
    amount = (LINE + offset * 1e3) / rate
    d = engine.evaluate({"id": "e", "name": "E", "as_of": "2026-06-30", "valuation": {
        "amount": amount, "currency": "CNY" if rate == 1.0 else "USD",
        "basis": "market_cap", "as_of": "2026-06-30", "source": "SSE exchange close"}})
    data = decision_to_dict(d)
    g = data["gate"]
    assert g["passed"] == (g["tested_cny"] >= g["line_cny"])
    assert (data["headroom"]["cushion"] >= 1) == g["passed"]
    text = render_texts([d], options=ReportOptions())
    figure = re.search(r"(?:= |Gate: )([0-9.,]+)bn CNY \(market_cap", text)
    assert figure is not None
    assert (float(figure.group(1).replace(",", "")) * 1e9 >= LINE) == g["passed"]


_ENGINES: dict[float, Engine] = {}


def _engine(rate: float) -> Engine:
    if rate not in _ENGINES:
        _ENGINES[rate] = Engine(build_config({"fx": {"rates": {"USD": rate}}}))
    return _ENGINES[rate]


def test_an_assumed_finding_is_marked_assumed_in_every_format(tmp_path: Path) -> None:
    (tmp_path / "dup").mkdir()
    (tmp_path / "dup" / "a.toml").write_text(
        'id = "same"\nname = "Alpha AI"\nas_of = 2026-06-30\nvaluation = { amount = 5e9, '
        'currency = "CNY", basis = "market_cap", as_of = 2026-06-30, '
        'source = "SSE exchange close" }\n', encoding="utf-8")
    d = json.loads(threshold("evaluate", "dup/a.toml", "--format", "json", cwd=tmp_path).stdout)
    assumed = {f["rule"] for f in d["findings"] if f["evidence"].get("assumed")}
    assert "CHIP-001" in assumed and d["verdict"] == "insufficient_data"
    sarif = json.loads(threshold("evaluate", "dup/a.toml", "--format", "sarif",
                                 cwd=tmp_path).stdout)["runs"][0]["results"]
    assert len(sarif) == len(d["findings"])
    for r in sarif:
        marked = r["ruleId"] in assumed
        assert (r.get("kind") == "open") is marked and (r["level"] == "none") is marked
        assert r["properties"].get("assumed", False) is marked
        assert ("assumed (not evaluated)" in r["message"]["text"]) is marked
    junit = threshold("evaluate", "dup/a.toml", "--format", "junit", cwd=tmp_path).stdout
    assert junit.count('<failure type="assumed"') == len(assumed)
    assert f'failures="{len(d["findings"]) + 1}"' in junit
    run = threshold("batch", "dup", "--format", "csv", "--output", "out.csv", cwd=tmp_path)
    assert run.returncode == 0, run.stderr
    (row,) = csv.DictReader(io.StringIO((tmp_path / "out.csv").read_text()))
    cells = row["findings"].split(";")
    assert len(cells) == len(d["findings"])
    assert {c.split(":")[0] for c in cells if c.endswith(":assumed")} == assumed
    assert "CHIP-001:critical:assumed" in cells
