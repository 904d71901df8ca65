"""No displayed or serialised figure contradicts the decision it belongs to: a valuation a
hair below the line, a breach probability a hair either side of a risk band's edge and a
score a hair below a configured grade cut-off are shown (and written) on their own side.
Money amounts and multiples of the line follow the rule percentages follow: never shown
rounded onto or across the line they were compared with, never as 0 when they are not 0,
and the line itself exactly, in the gate's reason, every report format, explain, the
batch CSV and the CLI."""

from __future__ import annotations

import csv
import io
import json
import re
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest
from helpers import graded_examples
from hypothesis import given, settings
from hypothesis import strategies as st

from threshold_core import Engine, build_config, decision_to_dict
from threshold_core.model import bn_against, format_against
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
    ("9899584000", "19.999998%", "low"), ("9899583000", "20.000004%", "medium"),
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
        "basis": "market_cap", "as_of": "2026-06-30", "source": "SZSE exchange close"}})
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


def _evaluate(amount: float) -> dict[str, object]:
    d = Engine(build_config({})).evaluate({
        "id": "e", "name": "E", "as_of": "2026-06-30",
        "valuation": {"amount": amount, "currency": "CNY", "basis": "market_cap",
                      "as_of": "2026-06-30", "source": "HKEX exchange close"},
        "listing": {"status": "listed", "source": "HKEX exchange"}})
    return {"decision": d, "data": decision_to_dict(d)}


def test_a_valuation_a_cent_below_the_line_is_never_shown_at_it(tmp_path: Path) -> None:
    write(tmp_path, "3999999999.99", "CNY")
    run = threshold("evaluate", "edge.toml", "--format", "json", cwd=tmp_path)
    reason = json.loads(run.stdout)["gate"]["reason"]
    assert reason.startswith("valuation 3,999,999,999.99 CNY = 3.99999999999bn CNY is below "
                             "the line of 4.00bn CNY"), reason
    assert "4,000,000,000 CNY" not in reason
    for fmt in ("text", "markdown", "html"):
        out = threshold("evaluate", "edge.toml", "--format", fmt, cwd=tmp_path).stdout
        assert "3.99999999999bn CNY" in out and "4.00bn CNY (market_cap" not in out, fmt
        assert "1.00x the line" not in out, fmt


def test_a_valuation_of_almost_nothing_is_never_shown_as_nothing(tmp_path: Path) -> None:
    write(tmp_path, "1e-300", "CNY")
    (tmp_path / "edge.toml").rename(tmp_path / "tiny.toml")
    out = threshold("evaluate", "tiny.toml", cwd=tmp_path).stdout
    assert "valuation 1e-300 CNY" in out or "Gate: 1e-300 CNY" in out, out
    assert not re.search(r"\b0 CNY|\b0\.00x|\b0\.00bn", out), out
    assert "Headroom: 2.5e-310x the line" in out
    md = threshold("evaluate", "tiny.toml", "--format", "markdown", "--explain", cwd=tmp_path)
    assert not re.search(r"\b0 CNY|\b0\.00x|\b0\.00bn", md.stdout), md.stdout
    data = json.loads(threshold("evaluate", "tiny.toml", "--format", "json",
                                cwd=tmp_path).stdout)
    assert "valuation 1e-300 CNY = 1e-309bn CNY is below" in data["gate"]["reason"]
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "tiny.toml").write_text((tmp_path / "tiny.toml").read_text(),
                                               encoding="utf-8")
    run = threshold("batch", "in", "--format", "csv", "--output", "out.csv", cwd=tmp_path)
    assert run.returncode == 0, run.stderr
    assert ",1e-300," in (tmp_path / "out.csv").read_text()


def test_the_line_itself_is_shown_exactly() -> None:
    engine = Engine(build_config({"gate": {"line_cny": 4000000001.0}}))
    d = engine.evaluate({
        "id": "e", "name": "E", "as_of": "2026-06-30",
        "valuation": {"amount": 4e9, "currency": "CNY", "basis": "market_cap",
                      "as_of": "2026-06-30", "source": "HKEX exchange close"}})
    assert "the line of 4.000000001bn CNY" in d.gate.reason
    text = render_texts([d], options=ReportOptions())
    assert "line 4.000000001bn CNY: FAILED" in text and "line 4.00bn" not in text


def _side(shown: str, value: float, edge: float, scale: float = 1.0) -> bool:
    exact = Decimal(repr(value)) / Decimal(repr(scale))
    got = Decimal(shown.replace(",", ""))
    e = Decimal(repr(edge)) / Decimal(repr(scale))
    return (got > e) == (exact > e) and (got < e) == (exact < e)


def test_a_pack_message_never_shows_a_figure_as_nothing() -> None:
    from threshold_core.declarative import render_value

    assert [render_value(x) for x in (0.001, 1e-300, 2.5, 1234.5)] == [
        "0.001", "1e-300", "2.5", "1,234.5"]


_amounts = st.floats(min_value=-1e15, max_value=1e15, allow_nan=False)


@settings(max_examples=300, deadline=None)
@given(_amounts, _amounts, st.sampled_from([0, 1, 2]), st.sampled_from([1.0, 1e6, 1e8, 1e9]))
def test_an_amount_is_never_shown_onto_across_a_cut_off_or_at_zero(
        value: float, edge: float, digits: int, scale: float) -> None:
    shown = format_against(value, (edge,), digits, scale=scale)
    assert _side(shown, value, edge, scale) and _side(shown, value, 0.0, scale), shown
    if scale == 1e9 and digits == 2:
        assert bn_against(value, edge) == shown


@settings(max_examples=60, deadline=None)
@given(st.floats(min_value=1e-300, max_value=1e13))
def test_every_amount_in_the_reason_and_report_sits_on_its_side(amount: float) -> None:
    got = _evaluate(amount)
    data = got["data"]
    assert isinstance(data, dict)
    g = data["gate"]
    reason = g["reason"]
    m = re.match(r"valuation (\S+) CNY = (\S+)bn CNY is (below|at or above) the line of "
                 r"(\S+)bn CNY", reason)
    assert m is not None, reason
    assert _side(m.group(1), amount, 4e9) and _side(m.group(1), amount, 0.0)
    assert _side(m.group(2), amount, 4e9, 1e9) and _side(m.group(2), amount, 0.0, 1e9)
    assert m.group(4) == "4.00"
    cushion = data["headroom"]["cushion"]
    text = render_texts([got["decision"]], options=ReportOptions())  # type: ignore[list-item]
    shown = re.search(r"Headroom: (\S+)x the line", text)
    assert shown is not None
    assert _side(shown.group(1), cushion, 1.0) and _side(shown.group(1), cushion, 0.0)


TINY = """id = "tiny"
name = "Tiny Co"
as_of = 2026-06-30
[valuation]
amount = {amount}
currency = "CNY"
basis = "estimate"
as_of = 2026-06-30
[star_market]
expected_market_value = {{ amount = {amount}, currency = "CNY" }}
"""


@pytest.mark.parametrize("amount, shown",
                         [("1000", "0.000001"), ("3999999999.99", "3.99999999999")])
def test_a_valuation_in_a_pack_message_keeps_its_side_of_zero_and_the_line(
        tmp_path: Path, amount: str, shown: str) -> None:
    """DIS-002, DIS-003 and STAR-001 show the valuation in billions: never "0.00bn" for an
    amount that is not 0, nor "4.00bn" for one a cent below the RMB 4bn line."""
    (tmp_path / "tiny.toml").write_text(TINY.format(amount=amount), encoding="utf-8")
    run = threshold("evaluate", "tiny.toml", "--format", "json", cwd=tmp_path)
    data = json.loads(run.stdout)
    messages = {f["rule"]: f["message"] for f in data["findings"]}
    for rule in ("DIS-002", "DIS-003"):
        assert messages[rule].startswith(f"The valuation of {shown}bn CNY "), messages[rule]
    if "STAR-001" in messages:
        assert messages["STAR-001"].startswith(f"Expected market value of {shown}bn CNY")
    assert not re.search(r"\b0\.00bn|\b4\.00bn", " ".join(messages.values()))


@settings(max_examples=200, deadline=None)
@given(st.floats(min_value=-1e13, max_value=1e13, allow_nan=False),
       st.sampled_from([".2f", ",.2f", ".0f", ",.1f"]))
def test_a_fixed_point_figure_in_a_message_keeps_off_0_and_whole_numbers(
        value: float, spec: str) -> None:
    """A message's ``{x:,.2f}`` never shows a figure at 0, or onto or across a whole number
    (the lines messages name, RMB 4bn in billions), it is not equal to."""
    import math

    from threshold_core.declarative import render_value

    shown = render_value(value, spec)
    for edge in (0.0, float(math.floor(value)), float(math.floor(value)) + 1.0):
        assert _side(shown, value, edge), (value, spec, shown)
