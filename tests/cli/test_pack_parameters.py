"""Where every rule pack's thresholds and the core's own come from: ``threshold rules
--parameters`` lists each number, date and severity of a pack's settings, and of the
configuration's gate, dimensions, policy, risk and explain sections, in force with its basis
and source, a configured one as ``configured``, and an undeclared one as ``unsourced`` (never
left out)."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from helpers import EXAMPLES, REPO
from hypothesis import assume, given
from hypothesis import strategies as st

from threshold_core import Engine, build_config
from threshold_core.errors import InputError
from threshold_core.reports import describe_parameters

RULEPACKS = EXAMPLES / "rulepacks"
BUILTIN_PACKS_WITH_SETTINGS = ("chip_supply", "ethics", "filings", "freshness",
                               "investment_restrictions", "valuation")
SOURCED = ("primary", "secondary", "house policy")


def _listing(run_cli: Any, *args: str) -> list[dict[str, str]]:
    result = run_cli("rules", "--parameters", "--format", "json", "--no-plugin-autoload", *args)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_every_built_in_pack_threshold_is_listed_with_its_source(run_cli: Any) -> None:
    listing = _listing(run_cli)
    packs = [r for r in listing if r["kind"] == "rule_pack"]
    assert {r["pack"] for r in packs} == set(BUILTIN_PACKS_WITH_SETTINGS)
    unsourced = [f"{r['pack']}.{r['parameter']}" for r in packs
                 if r["basis"] not in SOURCED or not r["source"]]
    assert unsourced == []
    rows = {(r["pack"], r["parameter"]): r for r in packs}
    deadline = rows["filings", "change_deadline_working_days"]
    assert (deadline["value"], deadline["basis"], deadline["source"], deadline["doc"]) == (
        "10", "primary", "Algorithm Recommendation Provisions (2022) Art. 24",
        "FIL-003: working days to file a material change")
    assert rows["investment_restrictions", "prohibited_training_flops"]["value"] == "1e+25"
    assert rows["filings", "pi_audit_individuals"]["value"] == "10,000,000"
    assert rows["ethics", "eu_prohibitions_from"]["value"] == "2025-02-02"
    assert rows["chip_supply", "unknown_provenance_severity"]["value"] == "high"
    assert rows["ethics", "refusal_suites.XSTest.over_refusal_high_pct"]["basis"] == (
        "house policy")
    assert rows["chip_supply", "capacity_high_below_pct"]["basis"] == "house policy"
    # Scorer rows keep their shape, with the kind beside it.
    scorer = next(r for r in listing if r["kind"] == "scorer")
    assert "scorer" in scorer and "pack" not in scorer


def test_the_text_listing_names_the_pack_and_counts_every_basis(run_cli: Any) -> None:
    result = run_cli("rules", "--parameters", "--pack", "valuation", "--no-plugin-autoload")
    assert result.returncode == 0, result.stderr
    assert re.search(r"component\s+parameter\s+value\s+basis\s+source", result.stdout)
    assert re.search(r"\nvaluation\s+max_age_months\s+6\s+house policy\s+the line is a market "
                     r"test at a date", result.stdout)
    assert result.stdout.rstrip().endswith("\n1 parameter: 1 house policy")
    # A pack without settings (the declarative disclosure pack) has none to list.
    empty = run_cli("rules", "--parameters", "--pack", "disclosure", "--no-plugin-autoload")
    assert empty.returncode == 0 and empty.stdout.rstrip().endswith("\n0 parameters")


def test_a_pack_threshold_set_in_the_configuration_is_configured(
    run_cli: Any, tmp_path: Path
) -> None:
    config = tmp_path / "threshold.toml"
    config.write_text("[settings.chip_supply]\nrestricted_high_pct = 60\n\n"
                      "[settings.ethics.refusal_suites.House-bench]\nlanguage = 'en'\n"
                      "over_refusal_medium_pct = 12\n", encoding="utf-8")
    listing = _listing(run_cli, "--config", str(config))
    rows = {(r.get("pack"), r["parameter"]): r for r in listing}
    high = rows["chip_supply", "restricted_high_pct"]
    assert (high["value"], high["basis"]) == ("60", "configured")
    assert high["source"] == ("set in the configuration (the default's source: secondary: "
                              "domain-research §7.2, CHIP-003: > 50 high)")
    assert rows["chip_supply", "restricted_medium_pct"]["basis"] == "secondary"
    added = rows["ethics", "refusal_suites.House-bench.over_refusal_medium_pct"]
    assert (added["value"], added["basis"]) == ("12", "configured")
    # (The suite names no source of its own: SuiteBars' default, "house policy".)
    assert added["source"] == "set in the configuration (no default); its source: house policy"


def test_a_plugin_pack_that_names_no_source_is_listed_as_unsourced(
    run_cli: Any, tmp_path: Path
) -> None:
    folder = tmp_path / "packs"
    folder.mkdir()
    (folder / "firm_limits.py").write_text('''
from typing import Any

from attrs import frozen

from threshold_core import Pack, hookimpl, passed, rule

__version__ = "0.1.0"


@frozen
class Limits:
    max_burn_months: int = 18
    min_margin_pct: float = 12.5
    label: str = "not a threshold"


@rule("FIRM-1", title="Burn", severity="low", dimension=None, rationale="r", source="s")
def burn(profile: Any, settings: Limits, context: Any) -> Any:
    return passed({})


@hookimpl
def threshold_register_rule_packs(register: Any) -> None:
    register(Pack(name="firm_limits", version=__version__, rules=[burn]))


@hookimpl
def threshold_settings_types() -> dict[str, type]:
    return {"firm_limits": Limits}
''', encoding="utf-8")
    listing = _listing(run_cli, "--rules-dir", str(folder), "--pack", "firm_limits")
    assert [(r["parameter"], r["value"], r["basis"], r["source"]) for r in listing] == [
        ("max_burn_months", "18", "unsourced", "the pack names no source"),
        ("min_margin_pct", "12.5", "unsourced", "the pack names no source"),
    ]
    # The example drop-in declares its threshold's source.
    acme = _listing(run_cli, "--rules-dir", str(RULEPACKS), "--pack", "acme_exposure")
    assert [(r["parameter"], r["basis"]) for r in acme] == [
        ("max_top5_share_pct", "house policy")]


def test_an_unknown_pack_with_parameters_is_a_usage_error(run_cli: Any) -> None:
    result = run_cli("rules", "--parameters", "--pack", "hype", "--no-plugin-autoload")
    assert result.returncode == 2
    assert "no rule pack 'hype'" in result.stderr and "Traceback" not in result.stderr


def test_pack_parameters_in_the_installed_script(run_cli_process: Any) -> None:
    result = run_cli_process("rules", "--parameters", "--pack", "filings", "--format", "json",
                             "--no-plugin-autoload")
    assert result.returncode == 0, result.stderr
    assert {r["pack"] for r in json.loads(result.stdout)} == {"filings"}


def test_the_core_thresholds_are_listed_with_their_sources(run_cli: Any) -> None:
    policy = [r for r in _listing(run_cli) if r["kind"] == "policy"]
    assert list(dict.fromkeys(r["section"] for r in policy)) == [
        "gate", "fx", "dimensions", "policy", "risk", "explain"]
    assert all(r["basis"] in SOURCED and r["source"] for r in policy), policy
    rows = {(r["section"], r["parameter"]): r for r in policy}
    assert rows["gate", "line_cny"]["value"] == "4,000,000,000"
    assert rows["gate", "line_cny"]["basis"] == "primary"
    assert rows["policy", "grades.Q3.min_score"]["value"] == "65"
    assert rows["policy", "grades.Q3.verdict"]["value"] == "watch"
    assert rows["risk", "haircut.last_round_post_money"]["source"].startswith(
        "Gornall & Strebulaev")
    # Filtered to one scorer or pack, the core's rows are left out.
    assert all(r["kind"] == "rule_pack" for r in _listing(run_cli, "--pack", "ethics"))


def test_the_core_thresholds_a_configuration_changes_are_configured(run_cli: Any) -> None:
    listing = _listing(run_cli, "--config", str(EXAMPLES / "strict.toml"))
    configured = {(r["section"], r["parameter"]): r["value"] for r in listing
                  if r["kind"] == "policy" and r["basis"] == "configured"}
    assert configured[("policy", "grades.Q1.min_score")] == "88"
    assert configured[("policy", "coverage_floor")] == "0.7"
    assert ("gate", "line_cny") not in configured


def _counts(kind: str) -> dict[str, int]:
    engine = Engine(build_config({"plugins": {"autoload": False}}))
    out = dict.fromkeys(SOURCED, 0)
    for r in describe_parameters(engine):
        if r["kind"] == kind:
            out[r["basis"]] += 1
    return out


def test_the_readme_counts_of_pack_and_core_thresholds_are_computed() -> None:
    readme = " ".join((REPO / "README.md").read_text(encoding="utf-8").split())
    for kind, what in (("rule_pack", "Of the built-in rule packs'"),
                       ("policy", "Of the core's own")):
        counts = _counts(kind)
        expected = (f"{what} {sum(counts.values())} thresholds, {counts['primary']} cite a "
                    f"primary source, {counts['secondary']} a secondary source and "
                    f"{counts['house policy']} are house policy.")
        assert expected in readme, expected


_ENGINE = Engine(build_config({"plugins": {"autoload": False}}))
_NUMERIC = sorted((r["pack"], r["parameter"]) for r in describe_parameters(_ENGINE)
                  if r["kind"] == "rule_pack" and re.fullmatch(r"[\d,.]+", r["value"])
                  and "." not in r["parameter"])


@given(st.sampled_from(_NUMERIC),
       st.one_of(st.integers(min_value=1, max_value=99),
                 st.floats(min_value=0.5, max_value=99.0, allow_nan=False)))
def test_any_pack_threshold_changed_in_the_configuration_is_shown_configured(
    which: tuple[str, str], value: float
) -> None:
    """Whatever threshold a configuration changes, the listing shows the value in force,
    exactly (it reads back as the number set), as ``configured`` with the default's source;
    the others keep theirs."""
    pack, name = which
    try:
        engine = Engine(build_config({"plugins": {"autoload": False},
                                      "settings": {pack: {name: value}}}))
    except InputError as exc:  # a pair out of order (medium above high): refused, named
        assert f"$.settings.{pack}" in str(exc)
        assume(False)
    rows = {(r.get("pack"), r["parameter"]): r for r in describe_parameters(engine, pack=pack)}
    default = {(r.get("pack"), r["parameter"]): r
               for r in describe_parameters(_ENGINE, pack=pack)}
    assert set(rows) == set(default)
    row, was = rows[pack, name], default[pack, name]
    if isinstance(value, float) and not value.is_integer():
        assert float(row["value"].replace(",", "")) == value, row["value"]
    if row["value"] == was["value"]:
        assert row == was
    else:
        assert row["basis"] == "configured"
        assert row["source"] == (f"set in the configuration (the default's source: "
                                 f"{was['basis']}: {was['source']})")
    assert all(rows[k] == default[k] for k in rows if k != (pack, name))


_ODD_PACK = """
import math
from datetime import timedelta
from typing import Any

from attrs import frozen

from threshold_core import Pack, hookimpl, passed, rule
from threshold_core.kit import Parameter, primary

__version__ = "0.1.0"


@frozen
class Odd:
    limit_pct: float
    other_pct: float = 10.0
    bars: tuple = (10.0, 20.0)
    pairs: tuple = ((85.0, 0.0), (100.0, 40.0))
    grace: Any = timedelta(days=30)
    nan_bar: float = math.nan
    names: tuple = ("a", "b")


@rule("ODD-1", title="Odd", severity="low", dimension=None, rationale="r", source="s")
def odd(profile: Any, settings: Odd, context: Any) -> Any:
    return passed({})


PARAMETERS = PARAMETERS_HERE


@hookimpl
def threshold_register_rule_packs(register: Any) -> None:
    register(Pack(name="odd", version=__version__, rules=[odd], parameters=PARAMETERS))


@hookimpl
def threshold_settings_types() -> dict[str, type]:
    return {"odd": Odd}
"""


def _odd_pack(tmp_path: Path, parameters: str) -> Path:
    folder = tmp_path / "packs"
    folder.mkdir(exist_ok=True)
    (folder / "odd.py").write_text(_ODD_PACK.replace("PARAMETERS_HERE", parameters),
                                   encoding="utf-8")
    return folder


def test_every_kind_of_setting_is_listed_exactly(run_cli: Any, tmp_path: Path) -> None:
    folder = _odd_pack(tmp_path, '[Parameter("bars", primary("Some Act art. 2"), "bars")]')
    config = tmp_path / "threshold.toml"
    config.write_text("[settings.odd]\nlimit_pct = 49.99999\nother_pct = 0.123456789\n",
                      encoding="utf-8")
    listing = _listing(run_cli, "--rules-dir", str(folder), "--pack", "odd",
                       "--config", str(config))
    rows = {r["parameter"]: (r["value"], r["basis"]) for r in listing}
    assert rows == {
        # A required field has no default: what is in force was configured.
        "limit_pct": ("49.99999", "configured"),
        "other_pct": ("0.123456789", "configured"),
        "bars": ("10, 20", "primary"),
        "pairs": ("(85, 0), (100, 40)", "unsourced"),
        "grace": ("30 days, 0:00:00", "unsourced"),
        # NaN is NaN's own default: not configured.
        "nan_bar": ("nan", "unsourced"),
    }


def test_a_source_for_a_setting_the_pack_does_not_have_is_an_error(
    run_cli: Any, tmp_path: Path
) -> None:
    folder = _odd_pack(tmp_path, '[Parameter("no_such_pct", primary("Imaginary Act"))]')
    config = tmp_path / "threshold.toml"
    config.write_text("[settings.odd]\nlimit_pct = 40\n", encoding="utf-8")
    result = run_cli("rules", "--parameters", "--rules-dir", str(folder), "--pack", "odd",
                     "--no-plugin-autoload", "--config", str(config))
    assert result.returncode == 3, result.stderr
    assert result.stderr.strip().splitlines() == [
        "threshold: plugin 'odd': rule pack 'odd': its parameter sources failed: "
        "SourcesError: odd: declares a source for no_such_pct, which its settings do not "
        "have"]
    assert "Traceback" not in result.stderr


def test_a_malformed_parameters_list_fails_the_plugin_at_load(run_cli: Any,
                                                             tmp_path: Path) -> None:
    for bad in ('[Parameter("limit_pct", "Some Act art. 1", "limit")]', '["limit_pct"]'):
        folder = _odd_pack(tmp_path, bad)
        for args in (("rules", "--parameters"), ("evaluate", str(EXAMPLES / "companies"
                                                                  / "zhipu.toml"))):
            result = run_cli(*args, "--rules-dir", str(folder), "--no-plugin-autoload")
            assert result.returncode == 3, (bad, args, result.stderr)
            assert "Pack(parameters=...) takes Parameter" in result.stderr
            assert "Traceback" not in result.stderr and "internal error" not in result.stderr


def test_a_pack_whose_own_parameter_sources_fail_is_named(run_cli: Any,
                                                          tmp_path: Path) -> None:
    folder = tmp_path / "packs"
    folder.mkdir()
    (folder / "custom.py").write_text("""
from typing import Any

from attrs import frozen

from threshold_core import Pack, hookimpl, passed, rule


@frozen
class Limits:
    cap_pct: float = 5.0


@rule("CUS-1", title="C", severity="low", dimension=None, rationale="r", source="s")
def check(profile: Any, settings: Limits, context: Any) -> Any:
    return passed({})


class Custom:
    name, version, rules = "custom", "1.0", (check,)

    def parameter_sources(self, settings: Any) -> Any:
        return MODE


@hookimpl
def threshold_register_rule_packs(register: Any) -> None:
    register(Custom())


@hookimpl
def threshold_settings_types() -> dict[str, type]:
    return {"custom": Limits}
""", encoding="utf-8")
    for mode, expected in (("1 / 0", "ZeroDivisionError"),
                           ("['garbage']", "are not ParameterSource rows")):
        text = (folder / "custom.py").read_text(encoding="utf-8")
        (folder / "custom.py").write_text(
            re.sub(r"return (MODE|1 / 0|\['garbage'\])\n", f"return {mode}\n", text),
            encoding="utf-8")
        result = run_cli("rules", "--parameters", "--rules-dir", str(folder),
                         "--no-plugin-autoload")
        assert result.returncode == 3, result.stderr
        assert "plugin 'custom'" in result.stderr and expected in result.stderr
        assert "Traceback" not in result.stderr


def test_the_fx_table_is_listed_and_a_table_of_ones_own_names_its_source(
    run_cli: Any, tmp_path: Path
) -> None:
    config = tmp_path / "own.toml"
    config.write_text('[fx]\nrates = { USD = 0.5, HKD = 0.915, EUR = 7.8 }\nas_of = 2026-06-30\n'
                      'source = "treasury desk, 30 Jun 2026"\n', encoding="utf-8")
    rows = {(r.get("section"), r["parameter"]): r
            for r in _listing(run_cli, "--config", str(config))}
    usd = rows["fx", "rates.USD"]
    assert (usd["value"], usd["raw"], usd["basis"]) == ("0.5", 0.5, "configured")
    assert usd["source"].endswith("; its source: treasury desk, 30 Jun 2026")
    assert rows["fx", "as_of"]["raw"] == "2026-06-30"
    default = {(r.get("section"), r["parameter"]): r for r in _listing(run_cli)}
    assert default["fx", "rates.USD"]["basis"] == "house policy"
    assert default["fx", "rates.USD"]["source"].startswith("illustrative")


def test_json_rows_carry_the_value_as_data(run_cli: Any, tmp_path: Path) -> None:
    folder = _odd_pack(tmp_path, "[]")
    config = tmp_path / "own.toml"
    config.write_text("[settings.odd]\nlimit_pct = -0.0\n", encoding="utf-8")
    rows = {r["parameter"]: r for r in _listing(run_cli, "--rules-dir", str(folder),
                                                 "--pack", "odd", "--config", str(config))}
    assert (rows["limit_pct"]["value"], rows["limit_pct"]["raw"]) == ("-0.0", -0.0)
    assert rows["bars"]["raw"] == [10.0, 20.0]
    assert rows["pairs"]["raw"] == [[85.0, 0.0], [100.0, 40.0]]
    assert rows["grace"]["raw"] == 30 * 86400.0
    assert rows["nan_bar"]["raw"] is None and rows["nan_bar"]["value"] == "nan"
    line = {r["parameter"]: r for r in _listing(run_cli)}["line_cny"]
    assert (line["value"], line["raw"]) == ("4,000,000,000", 4e9)
