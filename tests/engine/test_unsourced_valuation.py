"""A valuation without a source is graded illustrative at the gate, as in the sourcing
figures: leaving the source out never gets a valuation through that one sourced
``illustrative`` would not (README "Source grades"). What the sourcing figures call
unsourced (a source matching no pattern) or proxy (a cohort figure) cannot carry the gate
either: the gate and the figures grade a source with the same function."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from subprocess import CompletedProcess
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from threshold_core import Engine
from threshold_core.portfolio import synthetic_portfolio

Run = Callable[..., CompletedProcess[str]]

COMPANY = ('id = "v"\nname = "V Co"\nas_of = 2026-06-30\n'
           '[listing]\nstatus = "private"\nsource = "company statement"\n'
           '[valuation]\namount = 6e9\ncurrency = "CNY"\nbasis = "market_cap"\n'
           'as_of = 2026-06-30\n')
NO_SOURCE = ("an illustrative valuation cannot pass the gate: it names no source "
             "(valuation.source), and an unsourced figure is graded illustrative")


def test_a_valuation_without_a_source_cannot_pass(run_cli_process: Run, tmp_path: Path) -> None:
    # the new user's repro: the same profile, sourced "illustrative" and not sourced at all
    (tmp_path / "none.toml").write_text(COMPANY, encoding="utf-8")
    (tmp_path / "illustrative.toml").write_text(COMPANY + 'source = "illustrative"\n',
                                                encoding="utf-8")
    decisions = {}
    for name in ("none", "illustrative"):
        done = run_cli_process("evaluate", f"{name}.toml", "--format", "json")
        assert done.returncode == 0, done.stderr
        decisions[name] = json.loads(done.stdout)
    none, made_up = decisions["none"], decisions["illustrative"]
    assert none["gate"]["passed"] is None and none["verdict"] == "insufficient_data"
    assert none["gate"]["reason"] == NO_SOURCE
    assert made_up["gate"]["reason"] == ("an illustrative valuation cannot pass the gate: the "
                                         "source says it is made up")
    assert none["verdict"] == made_up["verdict"] and none["risk"] == made_up["risk"]
    text = run_cli_process("evaluate", "none.toml").stdout
    assert "it names no source (valuation.source)" in text


@pytest.mark.parametrize("source", ["", "   ", "hypothetical round", "Made up for the demo",
                                    # invisible: a zero-width space, a byte-order mark, NUL;
                                    # and "illustrative" with one hidden inside
                                    "\u200b", "\ufeff\u200b", "\u0000",
                                    "illus\u200btrative", "illus\u00adtrative"])
def test_a_blank_or_made_up_source_is_illustrative_too(tmp_path: Path, source: str) -> None:
    path = tmp_path / "v.toml"
    path.write_text(COMPANY + f"source = {json.dumps(source)}\n", encoding="utf-8")
    gate = Engine().evaluate_path(path).gate
    assert gate.passed is None
    assert gate.reason is not None and gate.reason.startswith(
        "an illustrative valuation cannot pass the gate")


def test_a_configured_illustrative_pattern_is_refused_and_the_setting_turns_it_off(
    tmp_path: Path
) -> None:
    from threshold_core.load import load_config

    path = tmp_path / "v.toml"
    path.write_text(COMPANY + 'source = "back-of-envelope"\n', encoding="utf-8")
    (tmp_path / "patterns.toml").write_text(
        '[sources.patterns]\nillustrative = ["back-of-envelope"]\n', encoding="utf-8")
    (tmp_path / "estimate.toml").write_text(
        '[sources.patterns]\nestimate = ["back-of-envelope"]\n', encoding="utf-8")
    (tmp_path / "off.toml").write_text("[gate]\nrefuse_illustrative = false\n",
                                       encoding="utf-8")
    # matching no pattern, it is unsourced, as the sourcing figures grade it
    unsourced = Engine().evaluate_path(path).gate
    assert unsourced.passed is None and unsourced.reason is not None
    assert unsourced.reason.startswith("an unsourced valuation cannot pass the gate")
    refused = Engine(load_config(tmp_path / "patterns.toml")).evaluate_path(path).gate
    assert refused.passed is None and refused.reason is not None
    assert refused.reason.startswith("an illustrative valuation cannot pass the gate")
    assert Engine(load_config(tmp_path / "estimate.toml")).evaluate_path(path).gate.passed
    (tmp_path / "none.toml").write_text(COMPANY, encoding="utf-8")
    assert Engine(load_config(tmp_path / "off.toml")).evaluate_path(
        tmp_path / "none.toml").gate.passed is True


def test_the_parameters_say_so(run_cli: Run) -> None:
    done = run_cli("rules", "--parameters", "--format", "json")
    assert done.returncode == 0, done.stderr
    assert ("an illustrative, unsourced (no source, or one matching no pattern) or proxy "
            "valuation cannot pass") in done.stdout


@pytest.mark.parametrize(("source", "start"), [
    ("exchange close, 2026-06-30", "an unsourced valuation cannot pass the gate: its source "
                                   "'exchange close, 2026-06-30' matches no recognised source"),
    ("synthetic", "an unsourced valuation cannot pass the gate: its source 'synthetic'"),
    ("cohort average of listed peers", "a proxy valuation cannot pass the gate: its source "
                                       "'cohort average of listed peers' is a cohort figure"),
    ("peer-group median", "a proxy valuation cannot pass the gate"),
])
def test_an_unsourced_or_proxy_valuation_cannot_pass(run_cli_process: Run, tmp_path: Path,
                                                     source: str, start: str) -> None:
    (tmp_path / "v.toml").write_text(COMPANY + f"source = {json.dumps(source)}\n",
                                     encoding="utf-8")
    done = run_cli_process("evaluate", "v.toml", "--format", "json")
    assert done.returncode == 0, done.stderr
    d = json.loads(done.stdout)
    assert d["gate"]["passed"] is None and d["verdict"] == "insufficient_data"
    assert d["gate"]["reason"].startswith(start), d["gate"]["reason"]
    text = run_cli_process("evaluate", "v.toml").stdout
    assert start.split(": ")[0] in text


def _without(doc: dict[str, Any], source: object) -> dict[str, Any]:
    valuation = {k: v for k, v in doc["valuation"].items() if k != "source"}
    if source is not None:
        valuation["source"] = source
    return {**doc, "valuation": valuation}


@pytest.fixture(scope="module")
def engine() -> Engine:
    return Engine()


#: ``ILLUSTRATIVE`` in full width, as a Chinese input method types it.
WIDE = "\uff29\uff2c\uff2c\uff35\uff33\uff34\uff32\uff21\uff34\uff29\uff36\uff25"


@given(seed=st.integers(0, 10_000),
       missing=st.sampled_from([None, "", " ", "hypothetical", WIDE]))
@settings(max_examples=30)
def test_a_missing_source_is_decided_as_an_illustrative_one(
    engine: Engine, seed: int, missing: str | None
) -> None:
    doc = next(iter(synthetic_portfolio(1, seed=seed)))
    sourced = engine.evaluate(doc)
    unsourced = engine.evaluate(_without(doc, missing))
    made_up = engine.evaluate(_without(doc, "illustrative"))
    assert unsourced.gate.passed is None is made_up.gate.passed
    assert (unsourced.verdict, unsourced.risk) == (made_up.verdict, made_up.risk)
    # the gate cannot pass, so nothing better than not_qualified: removing the source of
    # a sourced valuation never helps
    assert str(unsourced.verdict) not in ("qualified", "watch")
    if sourced.gate.passed is None:
        assert unsourced.verdict == sourced.verdict


#: Sources of every grade, and texts matching none.
_SOURCES = st.one_of(
    st.sampled_from(["HKEX close", "prospectus", "Reuters", "press estimate", "the article",
                     "cac.gov.cn", "model card", "domain-research", "illustrative",
                     "hypothetical", "cohort average", "sector median", "proxy", "synthetic",
                     "exchange close", "SSE close", "", "back-of-envelope"]),
    st.text(max_size=30))


@given(seed=st.integers(0, 10_000), source=_SOURCES)
@settings(max_examples=60)
def test_the_gate_refuses_what_the_sourcing_figures_call_unsourced_or_proxy(
    engine: Engine, seed: int, source: str
) -> None:
    from threshold_core.model import TIER, SourceTier, grade_source

    doc = next(iter(synthetic_portfolio(1, seed=seed)))
    d = engine.evaluate(_without(doc, source))
    tier = TIER[grade_source(source)]
    carries = tier in (SourceTier.PRIMARY, SourceTier.SECONDARY)
    if not carries:
        assert d.gate.passed is None, (source, d.gate.reason)
        assert str(d.verdict) not in ("qualified", "watch")
    else:
        sourced = engine.evaluate(doc)  # the synthetic valuation's own, a recognised source
        assert d.gate.passed == sourced.gate.passed, (source, d.gate.reason)
