"""Source grades that count: sourced coverage, illustrative share, cohort proxies."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from helpers import EXAMPLES

from threshold_core.cli import cli
from threshold_core.model import SourceGrade, SourcesConfig, grade_source, weakest

COMPANIES = EXAMPLES / "companies"

#: The readings that used to drop the sources of the records they read.
RECORD_READINGS = ("genai_filing", "algorithm_filing", "disclosure", "sector_approvals",
                   "enforcement", "investor_quality", "lockup_remaining", "capital_raised")


@pytest.mark.parametrize("text, grade", [
    ("illustrative: the number is not in the sources", "illustrative"),
    ("seed article (June 2026): average NDR of companies above the 4bn line is 120%",
     "cohort_proxy"),
    ("inferred: the TC260 self-assessment is filed with the CAC model filing", "estimate"),
    ("seed article (June 2026), benchmark table (GLM-130B)", "seed_article"),
    ("beian.cac.gov.cn, record 110108", "registry"),
    ("HKEX listing announcement", "exchange"),
    ("Zhipu prospectus, 30 Dec 2025", "filing"),
    ("MiniMax-01 model card", "company"),
    ("https://www.scmp.com/tech/article/1", "press"),
    ("domain-research §5", "research"),
    ("", "unsourced"),
    (None, "unsourced"),
    ("my notes", "unsourced"),
])
def test_every_kind_of_source_has_a_grade(text: str | None, grade: str) -> None:
    assert grade_source(text) == grade


def test_the_weakest_source_grades_a_reading_and_patterns_are_configurable() -> None:
    assert weakest(["HKEX prospectus", "illustrative"]) is SourceGrade.ILLUSTRATIVE
    assert weakest(["HKEX prospectus", None]) is SourceGrade.UNSOURCED
    config = SourcesConfig(patterns={"registry": ("my registry",)})
    assert grade_source("my registry extract", config) is SourceGrade.REGISTRY


def evaluate_json(*args: str) -> list[dict]:
    res = CliRunner().invoke(cli, ["evaluate", "--no-plugin-autoload", *args,
                                   "--format", "json"])
    assert res.exit_code == 0, res.stderr
    data = json.loads(res.stdout)
    return data if isinstance(data, list) else [data]


def test_every_reading_carries_the_sources_of_the_records_it_read() -> None:
    seen: set[str] = set()
    for d in evaluate_json(str(COMPANIES)):
        for dim in d["dimensions"]:
            for m in dim["evidence"]:
                if m["raw"] is None:
                    continue
                assert m["grade"] is not None, (d["company"]["id"], m["metric"])
                if m["metric"] in RECORD_READINGS and m["sources"]:
                    seen.add(m["metric"])
    # The investor readings name the sources of every investor record they read.
    zhipu = evaluate_json(str(COMPANIES / "zhipu.toml"))[0]
    metrics = {m["metric"]: m for dim in zhipu["dimensions"] for m in dim["evidence"]}
    assert metrics["investor_quality"]["sources"]
    assert {"investor_quality", "lockup_remaining", "capital_raised"} <= seen


def test_sourced_coverage_is_reported_beside_coverage(tmp_path: Path) -> None:
    d = evaluate_json(str(COMPANIES / "zhipu.toml"))[0]
    for dim in d["dimensions"]:
        assert 0.0 <= dim["sourced_coverage"] <= dim["coverage"] + 1e-9
    s = d["sourcing"]
    assert 0 <= s["sourced_coverage"] <= 1 and s["limit"] == 0.25
    assert set(s["tiers"]) == {"primary", "secondary", "illustrative", "proxy"}
    res = CliRunner().invoke(cli, ["evaluate", "--no-plugin-autoload",
                                   str(COMPANIES / "zhipu.toml")])
    assert "sourced coverage" in res.stdout and "coverage  sourced" in res.stdout


PLUGIN = '''
from attrs import field, frozen
from threshold_core import hookimpl
from threshold_core.kit import Band, Metric, MetricScorer, Reading

DIMS = ("technical_defensibility", "application_stickiness", "regulatory_readiness",
        "institutional_backing")

def read(profile, context, settings):
    return Reading(100.0, ("description",), profile.description)

@frozen
class Settings:
    weights: dict = field(factory=lambda: {"m": 1.0})
    bands: dict = field(factory=lambda: {"m": Band([[0, 0], [100, 100]])})

@hookimpl
def threshold_register_scorers(register):
    for d in DIMS:
        register(MetricScorer("src_" + d, d, (Metric("m", read, ("description",)),)))

@hookimpl
def threshold_settings_types():
    return {"src_" + d: Settings for d in DIMS}
'''


def _setup(tmp_path: Path, description: str) -> tuple[Path, Path]:
    (tmp_path / "plugins").mkdir(exist_ok=True)
    (tmp_path / "plugins" / "src.py").write_text(PLUGIN, encoding="utf-8")
    dims = "".join(f'[dimensions.{d}]\nscorer = "src_{d}"\n' for d in (
        "technical_defensibility", "application_stickiness", "regulatory_readiness",
        "institutional_backing"))
    config = tmp_path / "threshold.toml"
    config.write_text('plugin_dirs = ["plugins"]\n[plugins]\ndisable = ["threshold_rules.'
                      'filings", "threshold_rules.chip_supply", "threshold_rules.ethics", '
                      '"threshold_rules.valuation", "threshold_rules.declarative_builtin", '
                      '"threshold_rules.investment_restrictions", "threshold_rules.freshness"]\n'
                      + dims, encoding="utf-8")
    profile = tmp_path / "p.toml"
    profile.write_text(f'id = "p"\nname = "P"\ndescription = "{description}"\nas_of = 2026-06-30\n'
                       '[valuation]\namount = 40e9\ncurrency = "CNY"\nbasis = "market_cap"\n'
                       'as_of = 2026-06-30\nsource = "HKEX"\n', encoding="utf-8")
    return profile, config


def test_illustrative_figures_hold_qualified_at_watch(tmp_path: Path) -> None:
    profile, config = _setup(tmp_path, "HKEX annual report")
    d = evaluate_json(str(profile), "--config", str(config))[0]
    assert d["verdict"] == "qualified" and d["sourcing"]["illustrative_share"] == 0
    profile, config = _setup(tmp_path, "illustrative")
    d = evaluate_json(str(profile), "--config", str(config))[0]
    assert d["grade"] == "Q1" and d["verdict"] == "watch"
    assert d["sourcing"]["illustrative_share"] == 1.0
    sources = [f for f in d["determining"] if f["kind"] == "sources"]
    assert sources and "100% of the composite rests on illustrative" in sources[0]["detail"]


def test_a_cohort_average_is_reported_not_scored(tmp_path: Path) -> None:
    profile, config = _setup(tmp_path, "the article's average for companies above the line")
    d = evaluate_json(str(profile), "--config", str(config))[0]
    m = d["dimensions"][0]["evidence"][0]
    assert m["raw"] == 100.0 and m["points"] is None and m["grade"] == "cohort_proxy"
    assert "reported, not scored" in m["note"]
    assert d["verdict"] == "insufficient_data"


def test_bad_source_configuration_is_a_path_named_error(tmp_path: Path) -> None:
    config = tmp_path / "threshold.toml"
    config.write_text('[sources]\npatterns = { gossip = ["heard"] }\n'
                      '[policy]\nmax_illustrative_share = 2\n', encoding="utf-8")
    res = CliRunner().invoke(cli, ["evaluate", "--no-plugin-autoload", "--config", str(config),
                                   str(COMPANIES / "zhipu.toml")])
    assert res.exit_code == 2
    assert f"{config}: $.sources.patterns.gossip: not a source grade" in res.stderr
    assert f"{config}: $.policy.max_illustrative_share: must be between 0 and 1" in res.stderr
