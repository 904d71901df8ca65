"""A new user's repros, kept: an undated valuation never gets a better FX rate than a dated
one could; the gate's ``illustrative`` and every source grade are matched NFKC-folded; a
cohort figure is graded as one whatever it is called (median, typical, peer group...)."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from subprocess import CompletedProcess

import pytest

from threshold_core.model import fold, grade_source

Run = Callable[..., CompletedProcess[str]]

FX = ('[fx]\nrates = { USD = 7.17 }\nas_of = 2026-06-30\nsource = "PBOC central parity"\n'
      'history = [{ as_of = 2025-06-30, rates = { USD = 6.5 }, '
      'source = "PBOC central parity" }]\n')
COMPANY = ('id = "v"\nname = "V Co"\nas_of = 2026-06-30\n'
           '[listing]\nstatus = "private"\nsource = "company statement"\n')


def test_an_undated_valuation_takes_the_least_favourable_rate(run_cli_process: Run,
                                                               tmp_path: Path) -> None:
    (tmp_path / "fx.toml").write_text(FX, encoding="utf-8")
    valuation = ('[valuation]\namount = 0.85e9\ncurrency = "USD"\n'
                 'basis = "last_round_post_money"\nsource = "Series C term sheet (company '
                 'filing)"\n')
    (tmp_path / "dated.toml").write_text(COMPANY + valuation + "as_of = 2025-06-30\n",
                                         encoding="utf-8")
    (tmp_path / "undated.toml").write_text(COMPANY + valuation, encoding="utf-8")
    for name in ("dated.toml", "undated.toml"):
        done = run_cli_process("evaluate", name, "--config", "fx.toml", "--format", "json")
        assert done.returncode == 0, done.stderr
        gate = json.loads(done.stdout)["gate"]
        assert (gate["passed"], gate["fx_rate"], gate["fx_as_of"]) == (
            False, 6.5, "2025-06-30"), name
    text = run_cli_process("evaluate", "undated.toml", "--config", "fx.toml").stdout
    assert "undated: at the least favourable FX rate of any date it could have" in text


@pytest.mark.parametrize("source", [
    "illustrative", "ILLUSTRATIVE figure",
    "\uff49\uff4c\uff4c\uff55\uff53\uff54\uff52\uff41\uff54\uff49\uff56\uff45",
])
def test_an_illustrative_valuation_cannot_pass_in_any_width(run_cli: Run, tmp_path: Path,
                                                            source: str) -> None:
    valuation = ('[valuation]\namount = 6e9\ncurrency = "CNY"\nbasis = "market_cap"\n'
                 f'as_of = 2026-06-30\nsource = {json.dumps(source, ensure_ascii=False)}\n')
    (tmp_path / "v.toml").write_text(COMPANY + valuation, encoding="utf-8")
    done = run_cli("evaluate", "v.toml", "--format", "json")
    assert done.returncode == 0, done.stderr
    decision = json.loads(done.stdout)
    assert decision["verdict"] == "insufficient_data"
    assert decision["gate"]["passed"] is None
    assert "an illustrative valuation cannot pass the gate" in decision["gate"]["reason"]


def test_sources_are_graded_folded() -> None:
    assert fold("\uff29\uff2c\uff2c\uff35\uff33\uff34\uff32\uff21\uff34\uff29\uff36\uff25 ") \
        == "illustrative"
    assert str(grade_source("\uff49\uff4c\uff4c\uff55\uff53\uff54\uff52\uff41\uff54\uff49"
                            "\uff56\uff45")) == "illustrative"
    assert str(grade_source("\uff28\uff2b\uff25\uff38  prospectus")) == "exchange"


@pytest.mark.parametrize("source", [
    "sector median NDR (seed article)", "peer-group mean, seed article",
    "typical NDR for companies above the line", "peer group average", "cohort proxy",
    "sector benchmark (press)", "industry benchmark", "median of listed peers",
])
def test_cohort_vocabulary(source: str) -> None:
    assert str(grade_source(source)) == "cohort_proxy"


@pytest.mark.parametrize("source", ["annual report 2025", "HKEX prospectus",
                                    "seed article (June 2026), benchmark table",
                                    "the 6-month lock-up is the HKEX norm"])
def test_not_cohort(source: str) -> None:
    assert str(grade_source(source)) != "cohort_proxy"
