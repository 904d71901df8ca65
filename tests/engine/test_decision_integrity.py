"""Decision integrity: unrounded comparisons, plugins loaded once, an honest example pack,
a component error that no policy can turn into ``qualified``, bounded configuration."""

from __future__ import annotations

import json
import os
from fractions import Fraction
from pathlib import Path
from typing import Any, ClassVar

import pytest
from click.testing import CliRunner
from helpers import EXAMPLES, bare_config, bare_engine, write_distribution
from hypothesis import given, settings
from hypothesis import strategies as st

from threshold_core import (
    DimensionScore,
    InputError,
    build_config,
    create_plugin_manager,
    hookimpl,
    profile_from_data,
)
from threshold_core.cli import cli
from threshold_core.model import GradeBand, PolicyResult, Verdict

PROFILE = profile_from_data(
    {"id": "acme", "name": "Acme AI", "as_of": "2026-06-30",
     "valuation": {"amount": 5.0e9, "currency": "CNY", "basis": "market_cap",
                   "as_of": "2026-06-01", "source": "company statement"}}
)


class Fixed:
    def __init__(self, dimension: str, value: float, coverage: float = 1.0) -> None:
        self.name, self.dimension = f"{dimension}_scorer", dimension
        self.value, self.coverage = value, coverage

    def score(self, profile: Any, settings: Any, context: Any) -> DimensionScore:
        return DimensionScore(self.dimension, self.value, self.coverage, inputs=("valuation",))


class Scorers:
    def __init__(self, *scorers: Fixed) -> None:
        self.scorers = scorers

    @hookimpl
    def threshold_register_scorers(self, register: Any) -> None:
        for s in self.scorers:
            register(s)


# -- kind 1: a rounded number never decides --------------------------------------------


def test_three_thirds_at_exactly_65_are_watch_not_not_qualified() -> None:
    """Issue 13's input: weights of a third each (0.333333 when rounded) and 65.0 each."""
    engine = bare_engine(
        ("s", Scorers(Fixed("a", 65.0), Fixed("b", 65.0), Fixed("c", 65.0))),
        dimensions={"quality": {"weight": 0}, "a": {"weight": 1}, "b": {"weight": 1},
                    "c": {"weight": 1}},
    )
    d = engine.evaluate(PROFILE)
    assert (d.verdict, d.grade, d.score) == (Verdict.WATCH, "Q3", 65.0)
    (band,) = [f for f in d.determining if f.kind == "band"]
    assert band.detail == "score 65.0 falls in band Q3 (>= 65): watch"
    assert sum(x.weight for x in d.dimensions) == pytest.approx(1.0)


def test_the_regression_through_the_cli_with_the_built_in_scorers(tmp_path: Path) -> None:
    """``[dimensions.institutional_backing] weight = 0``, three built-in dimensions at 65.0."""
    plugin = tmp_path / "plugins"
    plugin.mkdir()
    (plugin / "at65.py").write_text(
        "from threshold_core import DimensionScore, hookimpl\n\n"
        "class S:\n"
        "    def __init__(self, dim):\n"
        "        self.name, self.dimension = dim + '_at65', dim\n"
        "    def score(self, profile, settings, context):\n"
        "        return DimensionScore(self.dimension, 65.0, 1.0)\n\n"
        "@hookimpl\n"
        "def threshold_register_scorers(register):\n"
        "    for d in ('technical_defensibility', 'application_stickiness',\n"
        "              'regulatory_readiness'):\n"
        "        register(S(d))\n",
        encoding="utf-8",
    )
    config = tmp_path / "threshold.toml"
    config.write_text(
        'plugin_dirs = ["plugins"]\n[plugins]\nautoload = false\n'
        'disable = ["threshold_rules.filings", "threshold_rules.chip_supply", '
        '"threshold_rules.ethics", "threshold_rules.declarative_builtin", '
        '"threshold_rules.investment_restrictions"]\n'
        "[dimensions.institutional_backing]\nweight = 0\n"
        + "".join(f'[dimensions.{d}]\nscorer = "{d}_at65"\n' for d in (
            "technical_defensibility", "application_stickiness", "regulatory_readiness")),
        encoding="utf-8",
    )
    profile = tmp_path / "acme.toml"
    profile.write_text('id = "acme"\nname = "Acme"\nas_of = 2026-06-30\n[valuation]\namount = 5e9\n'
                       'currency = "CNY"\nbasis = "market_cap"\nas_of = 2026-06-01\n'
                       'source = "company statement"\n',
                       encoding="utf-8")
    result = CliRunner().invoke(cli, ["evaluate", str(profile), "--config", str(config),
                                      "--format", "json"])
    assert result.exit_code == 0, result.stderr
    decision = json.loads(result.stdout)
    assert (decision["verdict"], decision["grade"], decision["score"]) == ("watch", "Q3", 65.0)
    text = CliRunner().invoke(cli, ["evaluate", str(profile), "--config", str(config)]).stdout
    assert "65.0" in text and "64.9" not in text


def _exact_verdict(weights: list[float], scores: list[float], grades: list[GradeBand]) -> Verdict:
    total = sum(Fraction(w) for w in weights)
    composite = sum(Fraction(w) / total * Fraction(s) for w, s in zip(weights, scores,
                                                                       strict=True))
    return next(g.verdict for g in grades if composite >= Fraction(g.min_score))


DEFAULT_GRADES = list(bare_config().policy.grades)


class Varying:
    """Five scorers whose scores the test sets before each evaluation."""

    values: ClassVar[dict[str, float]] = {}

    class One:
        def __init__(self, dimension: str) -> None:
            self.name, self.dimension = f"{dimension}_scorer", dimension

        def score(self, profile: Any, settings: Any, context: Any) -> DimensionScore:
            return DimensionScore(self.dimension, Varying.values[self.dimension], 1.0)

    @hookimpl
    def threshold_register_scorers(self, register: Any) -> None:
        for i in range(5):
            register(Varying.One(f"d{i}"))


VARYING_PM = create_plugin_manager(bare_config(), extra=[("varying", Varying())])
EDGES = [0.0, 55.0, 65.0, 75.0, 85.0, 100.0, 64.99999999, 65.00000001, 100 / 3, 0.1, 0.7]


@settings(max_examples=400, deadline=None)
@given(
    weights=st.lists(st.one_of(st.integers(0, 7), st.sampled_from([0.1, 0.2, 0.7, 1 / 3])),
                     min_size=1, max_size=5).filter(any),
    scores=st.data(),
)
def test_the_verdict_equals_the_exact_arithmetic_one(weights: list[float], scores: Any) -> None:
    """For random weights and scores (cut-offs and their neighbours included), the verdict
    is the one exact rational arithmetic gives, and the score shown is on the same side
    of every cut-off as the exact composite."""
    from threshold_core import Engine

    values = [scores.draw(st.one_of(st.sampled_from(EDGES), st.floats(0, 100)))
              for _ in weights]
    Varying.values = {f"d{i}": v for i, v in enumerate(values)}
    dims = {f"d{i}": {"weight": w} for i, w in enumerate(weights)}
    # Arithmetic only: the non-compensatory dimension floor (policy.dimension_floor) is off.
    engine = Engine(bare_config(dimensions={"quality": {"weight": 0}, **dims},
                                policy={"dimension_floor": 0}), VARYING_PM)
    d = engine.evaluate(PROFILE)
    expected = _exact_verdict(weights, values, DEFAULT_GRADES)
    assert d.verdict is expected
    assert next(g for g in DEFAULT_GRADES if g.name == d.grade).verdict is expected
    assert d.score is not None
    assert [d.score >= g.min_score for g in DEFAULT_GRADES] == [
        _exact_verdict(weights, values, [g, GradeBand("x", 0.0, Verdict.ERROR)]) is g.verdict
        for g in DEFAULT_GRADES]


@pytest.mark.parametrize("share", [0.6, 0.5999999, 0.59999999999, 0.6000001])
def test_coverage_is_compared_unrounded(share: float) -> None:
    """A scorer's coverage is not rounded before the policy compares it with the floor."""
    from threshold_core import Band, Metric, MetricScorer, Reading

    scorer = MetricScorer(
        name="cov", dimension="quality",
        metrics=(Metric("has", lambda p, c, s: Reading(80.0, ("valuation",))),
                 Metric("lacks", lambda p, c, s: None)),
    )

    class Settings:
        weights: ClassVar[dict[str, float]] = {"has": share, "lacks": 1.0 - share}
        bands: ClassVar[dict[str, Band]] = {"has": Band([[0, 0], [100, 100]]),
                                            "lacks": Band([[0, 0], [100, 100]])}

    exact = Fraction(share) / (Fraction(share) + Fraction(1.0 - share))

    class Wrapped:
        name, dimension = "cov", "quality"

        def score(self, profile: Any, settings: Any, context: Any) -> DimensionScore:
            return scorer.score(profile, Settings(), context)

    d = bare_engine(("s", _Registering(Wrapped()))).evaluate(PROFILE)
    assert (d.verdict is Verdict.INSUFFICIENT_DATA) == (exact < Fraction(0.6))


# -- kind 5: the same plugin twice -------------------------------------------------------


def _drop_in(tmp_path: Path, name: str, hook: str) -> Path:
    """A folder ``plugins`` holding ``<name>.py``, a plugin with one hook implementation."""
    folder = tmp_path / "plugins"
    folder.mkdir()
    (folder / f"{name}.py").write_text(
        f"from threshold_core import hookimpl\n\n@hookimpl\n{hook}\n", encoding="utf-8")
    return folder


def _plugin_folder(tmp_path: Path) -> Path:
    return _drop_in(tmp_path, "audit", "def threshold_evaluation_finished(decision):\n    pass")


def test_the_same_folder_in_config_and_on_the_command_line_loads_once(tmp_path: Path) -> None:
    folder = _plugin_folder(tmp_path)
    config = tmp_path / "threshold.toml"
    config.write_text('plugin_dirs = ["plugins"]\n', encoding="utf-8")
    result = CliRunner().invoke(cli, ["plugins", "--config", str(config), "--plugins-dir",
                                      str(folder), "--no-plugin-autoload", "--format", "json"])
    assert result.exit_code == 0, result.stderr
    assert [p["name"] for p in json.loads(result.stdout)] == ["audit"]


@pytest.mark.skipif(not hasattr(os, "symlink"), reason="needs symlinks")
def test_a_symlinked_folder_loads_the_plugin_once(tmp_path: Path) -> None:
    folder = _plugin_folder(tmp_path)
    link = tmp_path / "linked"
    link.symlink_to(folder, target_is_directory=True)
    config = bare_config(plugin_dirs=[str(folder)])
    pm = create_plugin_manager(config, plugin_dirs=[link])
    assert [n for n, _ in pm.list_name_plugin()].count("audit") == 1


def test_two_different_files_with_one_name_name_both_files(tmp_path: Path) -> None:
    one = _plugin_folder(tmp_path)
    two = tmp_path / "other"
    two.mkdir()
    (two / "audit.py").write_text("", encoding="utf-8")
    with pytest.raises(Exception) as err:
        create_plugin_manager(bare_config(), plugin_dirs=[one, two])
    message = str(err.value)
    assert "\n" not in message
    assert str(one / "audit.py") in message and str(two / "audit.py") in message


def test_one_module_under_two_entry_point_names_loads_once_with_a_warning(
    site_dir: Path, run_cli: Any,
) -> None:
    write_distribution(site_dir, "threshold-audit", "1.0", "threshold_audit",
                       "from threshold_core import hookimpl\n\n"
                       "@hookimpl\ndef threshold_evaluation_finished(decision):\n    pass\n",
                       {"audit": "threshold_audit", "audit_old": "threshold_audit"})
    pm = create_plugin_manager(bare_config(plugins={"autoload": True}))
    names = [n for n, _ in pm.list_name_plugin()]
    assert "audit" in names and "audit_old" not in names
    assert pm.notices == [
        "plugin 'audit_old' (distribution threshold-audit): entry point 'audit_old' "
        "loads the same module as 'audit' (threshold_audit); loaded once as 'audit'"]

    result = run_cli("plugins", "--format", "json", env={"PYTHONPATH": str(site_dir)})
    assert result.returncode == 0, result.stderr
    listed = [p["name"] for p in json.loads(result.stdout)]
    assert "audit" in listed and "audit_old" not in listed
    assert result.stderr.strip() == "threshold: warning: " + pm.notices[0]


def test_a_plugin_error_is_one_line_without_pluggys_registry(site_dir: Path) -> None:
    write_distribution(site_dir, "threshold-typo", "0.2", "threshold_typo",
                       "from threshold_core import hookimpl\n\n"
                       "@hookimpl\ndef threshold_evaluation_finished(decisoin):\n    pass\n",
                       {"typo": "threshold_typo"})
    result = CliRunner().invoke(cli, ["plugins"], env={"PYTHONPATH": str(site_dir)})
    with pytest.raises(Exception) as err:
        create_plugin_manager(bare_config(plugins={"autoload": True}))
    message = str(err.value)
    assert "\n" not in message and "typo" in message and "threshold-typo" in message
    assert "decisoin" in message
    del result


# -- kind 7: the example pack tells the truth -------------------------------------------


def test_acme_runway_rule_does_not_fire_on_a_cash_generative_company() -> None:
    from threshold_core import Engine

    config = build_config({"plugins": {"autoload": False}})
    engine = Engine(config, create_plugin_manager(config, rule_dirs=[EXAMPLES / "rulepacks"]))
    base = {"id": "gen", "name": "Cash Gen",
            "valuation": {"amount": 5.0e9, "currency": "CNY", "basis": "market_cap",
                          "as_of": "2026-06-01", "source": "company statement"},
            "financials": {"currency": "CNY", "cash": 6.0e8, "monthly_net_burn": -1.0e7}}
    d = engine.evaluate(profile_from_data(base))
    outcome = {o.rule: o for e in d.trace if e.component == "acme_credit" for o in e.rules}
    assert outcome["ACME-001"].status == "passed"
    assert "ACME-001" not in {f.rule for f in d.findings}
    base["financials"]["monthly_net_burn"] = 1.0e8  # six months of cash: fires
    d = engine.evaluate(profile_from_data(base))
    assert "ACME-001" in {f.rule for f in d.findings}


def test_threshold_test_covers_both_signs_of_burn(run_cli: Any) -> None:
    result = run_cli("test", str(EXAMPLES / "rulepacks"))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "cash-generative" in result.stdout
    assert "months of cash" in result.stdout or "five months" in result.stdout


# -- fail closed whatever the policy ---------------------------------------------------


def test_a_policy_that_ignores_a_component_error_cannot_qualify() -> None:
    class Broken:
        name, dimension = "broken_scorer", "quality"

        def score(self, profile: Any, settings: Any, context: Any) -> Any:
            raise RuntimeError("scorer down")

    class Lenient:
        @hookimpl
        def threshold_decide(self, assessment: Any) -> PolicyResult:
            return PolicyResult(verdict=Verdict.QUALIFIED, grade="Q1", score=99.0,
                                dimensions=(), findings=(), determining=())

    d = bare_engine(("s", Scorers()), ("b", _Registering(Broken())),
                    ("lenient", Lenient())).evaluate(PROFILE)
    assert d.verdict is Verdict.ERROR and d.risk == "unknown"
    assert any("broken_scorer" in f.detail for f in d.determining if f.kind == "error")
    policy = next(e for e in d.trace if e.kind == "policy")
    assert policy.plugin == "lenient"
    assert "component error" in (policy.message or "")


class _Registering:
    def __init__(self, scorer: Any) -> None:
        self.scorer = scorer

    @hookimpl
    def threshold_register_scorers(self, register: Any) -> None:
        register(self.scorer)


# -- a profile reader that raises ------------------------------------------------------


def test_a_raising_profile_reader_is_that_plugins_error(tmp_path: Path) -> None:
    plugins = _drop_in(tmp_path, "reader",
                       "def threshold_load_profile(path):\n    raise ValueError('bad sheet')")
    profile = tmp_path / "acme.toml"
    profile.write_text('id = "acme"\nname = "Acme"\n', encoding="utf-8")
    result = CliRunner().invoke(cli, ["evaluate", str(profile), "--plugins-dir", str(plugins),
                                      "--no-plugin-autoload"])
    assert result.exit_code == 3, (result.exit_code, result.stderr)
    assert result.stderr.strip().splitlines() == [
        f"{profile}: plugin 'reader': threshold_load_profile raised ValueError: bad sheet"]


# -- bounded configuration -------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "path"),
    [
        ({"explain": {"monte_carlo_draws": 100_000_000}}, "$.explain.monte_carlo_draws"),
        ({"limits": {"component_seconds": 0}}, "$.limits.component_seconds"),
        ({"limits": {"component_seconds": 1e9}}, "$.limits.component_seconds"),
        ({"limits": {"decision_seconds": -1}}, "$.limits.decision_seconds"),
    ],
)
def test_configuration_values_that_cost_time_are_bounded(data: dict[str, Any], path: str) -> None:
    with pytest.raises(InputError) as err:
        build_config(data, source="t.toml")
    assert any(p.path == path for p in err.value.problems), err.value.problems
