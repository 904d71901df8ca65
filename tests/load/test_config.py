"""Configuration files: discovery, strictness, merging over the defaults."""

from __future__ import annotations

from pathlib import Path

import pytest

from threshold_core import (
    Engine,
    InputError,
    build_config,
    find_config,
    load_config,
    resolve_config,
)
from threshold_core.model import DEFAULT_DIMENSIONS, EngineConfig


def test_defaults_have_four_equal_dimensions_and_the_line() -> None:
    config = EngineConfig()
    assert sorted(config.dimensions) == sorted(DEFAULT_DIMENSIONS)
    assert {d.weight for d in config.dimensions.values()} == {1.0}
    assert config.gate.line_cny == 4.0e9
    assert [g.name for g in config.policy.grades] == ["Q1", "Q2", "Q3", "B", "NQ"]


def test_found_from_the_working_folder_upward(tmp_path: Path, monkeypatch) -> None:
    (tmp_path / "threshold.toml").write_text("[gate]\nline_cny = 5e9\n")
    deep = tmp_path / "a" / "b"
    deep.mkdir(parents=True)
    monkeypatch.chdir(deep)
    assert find_config() == tmp_path / "threshold.toml"
    assert resolve_config().gate.line_cny == 5e9


def test_pyproject_tool_section(tmp_path: Path, monkeypatch) -> None:
    (tmp_path / "pyproject.toml").write_text(
        '[project]\nname = "x"\n\n[tool.threshold.gate]\nline_cny = 6e9\n'
        "[tool.threshold.policy]\ncoverage_flor = 0.5\n")
    monkeypatch.chdir(tmp_path)
    assert find_config() == tmp_path / "pyproject.toml"
    with pytest.raises(InputError) as err:
        resolve_config()
    assert err.value.lines() == [
        f"{tmp_path / 'pyproject.toml'}: $.tool.threshold.policy.coverage_flor: unknown key"]


def test_a_pyproject_without_the_section_is_not_a_config(tmp_path: Path, monkeypatch) -> None:
    (tmp_path / "pyproject.toml").write_text('[project]\nname = "x"\n')
    monkeypatch.chdir(tmp_path)
    assert find_config() is None
    assert resolve_config() == EngineConfig()


def test_explicit_path_wins_and_dimensions_merge(tmp_path: Path) -> None:
    path = tmp_path / "custom.toml"
    path.write_text("[dimensions.ai_safety]\nweight = 2\n[dimensions.regulatory_readiness]\n"
                    "weight = 0.5\n")
    config = load_config(path)
    assert config.dimensions["ai_safety"].weight == 2
    assert config.dimensions["regulatory_readiness"].weight == 0.5
    assert config.dimensions["technical_defensibility"].weight == 1
    assert config.path == str(path)


def test_every_problem_named_with_file_and_key(tmp_path: Path) -> None:
    path = tmp_path / "threshold.toml"
    path.write_text(
        '[gate]\nline_cny = "4bn"\n[policy]\ncoverage_floor = 2\n'
        '[[policy.grades]]\nname = "A"\nmin_score = 10\nverdict = "qualified"\n'
        "[fx.rates]\nUSD = -1\n[colour]\nx = 1\n")
    with pytest.raises(InputError) as err:
        load_config(path)
    # All five at once: a section that does not structure hides nothing of the others.
    assert err.value.lines() == [
        f'{path}: $.gate.line_cny: expected a number, got "4bn"',
        f"{path}: $.colour: unknown key",
        f"{path}: $.policy.coverage_floor: must be between 0 and 1",
        f"{path}: $.policy.grades: the last band must start at 0, not 10",
        f"{path}: $.fx.rates.USD: must be positive",
    ]
    path.write_text(
        '[policy]\ncoverage_floor = 2\n'
        '[[policy.grades]]\nname = "A"\nmin_score = 10\nverdict = "qualified"\n'
        "[fx.rates]\nUSD = -1\n")
    with pytest.raises(InputError) as err:
        load_config(path)
    assert err.value.lines() == [
        f"{path}: $.policy.coverage_floor: must be between 0 and 1",
        f"{path}: $.policy.grades: the last band must start at 0, not 10",
        f"{path}: $.fx.rates.USD: must be positive",
    ]


@pytest.mark.parametrize("lowest", ["-10", "-0.5"])
def test_a_last_band_below_0_is_refused_as_its_message_says(tmp_path: Path,
                                                           lowest: str) -> None:
    # Every score is at least 0: a band starting below it says something the policy never
    # does (and the composite is held on the exact side of the last band's 0).
    path = tmp_path / "threshold.toml"
    path.write_text('[[policy.grades]]\nname = "A"\nmin_score = 70\nverdict = "qualified"\n'
                    f'[[policy.grades]]\nname = "B"\nmin_score = {lowest}\n'
                    'verdict = "not_qualified"\n')
    with pytest.raises(InputError) as err:
        load_config(path)
    assert err.value.lines() == [
        f"{path}: $.policy.grades: the last band must start at 0, not {float(lowest):g}"]


def test_config_hash_ignores_where_the_file_lives(tmp_path: Path) -> None:
    a, b = tmp_path / "a.toml", tmp_path / "b.toml"
    a.write_text("[gate]\nline_cny = 5e9\n")
    b.write_text("[gate]\nline_cny = 5e9\n")
    assert load_config(a).sha256() == load_config(b).sha256()
    b.write_text("[gate]\nline_cny = 5.1e9\n")
    assert load_config(a).sha256() != load_config(b).sha256()


FIVE_PROBLEMS = """\
[gate]
line_cny = "4bn"

[policy]
coverage_floor = 1.5

[plugins]
disable = ["no_such_plugin"]

[rules]
disable = ["NOPE-001"]

[dimensions.speed]
weight = 1

[settings.nobody]
x = 1
"""


def test_every_configuration_problem_is_reported_at_once(run_cli, tmp_path: Path) -> None:
    """The plugin author's report: a configuration with five problems reported three."""
    (tmp_path / "threshold.toml").write_text(FIVE_PROBLEMS, encoding="utf-8")
    profile = tmp_path / "p.toml"
    profile.write_text('id = "p"\nname = "P"\n', encoding="utf-8")
    result = run_cli("evaluate", str(profile), "--config", "threshold.toml", cwd=tmp_path)
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert result.stderr.splitlines() == [
        'threshold.toml: $.gate.line_cny: expected a number, got "4bn"',
        "threshold.toml: $.policy.coverage_floor: must be between 0 and 1",
        "threshold.toml: $.plugins.disable[0]: plugin 'no_such_plugin' matches no plugin",
        "threshold.toml: $.settings.nobody: no plugin declares settings 'nobody' (known: "
        + result.stderr.split("(known: ", 1)[1].split(")", 1)[0] + ")",
        "threshold.toml: $.dimensions.speed: no plugin scores dimension 'speed'",
        "threshold.toml: $.rules.disable[0]: no rule with id 'NOPE-001'",
    ]


def test_the_api_still_raises_on_a_broken_file_and_collects_on_request() -> None:
    with pytest.raises(InputError) as err:
        build_config({"gate": {"line_cny": "x"}, "policy": {"coverage_floor": 2.0}})
    assert [p.path for p in err.value.problems] == ["$.gate.line_cny", "$.policy.coverage_floor"]
    config = build_config({"gate": {"line_cny": "x"}}, collect=True)
    assert [p.path for p in config.problems] == ["$.gate.line_cny"]
    assert config.gate.line_cny == 4.0e9  # the broken section keeps its defaults
    with pytest.raises(InputError):
        Engine(config)


@pytest.mark.parametrize(("table", "lines"), [
    ("[settings.freshness]\ncustomers = 0\ncompute = -3",
     ["$.settings.freshness.customers: must be a whole number of calendar months, at least 1, "
      "got 0",
      "$.settings.freshness.compute: must be a whole number of calendar months, at least 1, "
      "got -3"]),
    ("[settings.investment_restrictions]\nscreening_max_age_days = -1\n"
     "affiliates_ownership_pct = -5",
     ["$.settings.investment_restrictions.screening_max_age_days: must not be negative, got -1",
      "$.settings.investment_restrictions.affiliates_ownership_pct: must not be negative, "
      "got -5"]),
    ("[settings.valuation]\nmax_age_months = 0",
     ["$.settings.valuation.max_age_months: must be a positive number of months"]),
    # Beside an unknown key and a wrong type, which used to hide the refused value.
    ("[settings.freshness]\ncustomers = 0\nCompute = 3\ntechnology = 2.5",
     ["$.settings.freshness.Compute: unknown key (did you mean compute?)",
      "$.settings.freshness.technology: expected a whole number, got 2.5",
      "$.settings.freshness.customers: must be a whole number of calendar months, at least 1, "
      "got 0"]),
])
def test_every_refused_setting_is_named_at_its_own_path(run_cli, tmp_path, table, lines):
    """A settings class's validators used to stop at the first refusal and name the table
    (``$.settings.freshness: customers: ...``); each refused key now has its own line."""
    (tmp_path / "threshold.toml").write_text(table + "\n", encoding="utf-8")
    (tmp_path / "co.toml").write_text('id = "x"\nname = "X"\n', encoding="utf-8")
    result = run_cli("evaluate", "co.toml")
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        f"{tmp_path / 'threshold.toml'}: {line}" for line in lines]
