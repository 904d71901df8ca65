"""Plugins installed as real distributions are discovered through the entry-point group."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from helpers import BUILTIN_DIMENSIONS, OPTIONAL_BUILTINS, bare_config, write_distribution

from threshold_core import PluginError, create_plugin_manager, profile_from_data
from threshold_core.engine import Engine

SPEED_PLUGIN = """
from threshold_core import DimensionScore, hookimpl

__version__ = "2.3.4"

class SpeedScorer:
    name = "speed_scorer"
    dimension = "speed"

    def score(self, profile, settings, context):
        return DimensionScore("speed", 77.0, 1.0, inputs=("name",))

@hookimpl
def threshold_register_scorers(register):
    register(SpeedScorer())
"""

PROFILE = profile_from_data({"id": "acme", "name": "Acme", "valuation": {
    "amount": 9e9, "currency": "CNY", "basis": "market_cap"}})


def speed_config(autoload: bool = True):
    return bare_config(
        plugins={"autoload": autoload},
        dimensions={"quality": {"weight": 0}, "speed": {"weight": 1}},
    )


@pytest.fixture
def speed_site(site_dir: Path) -> Path:
    return write_distribution(site_dir, "threshold-speed", "2.3.4", "threshold_speed",
                              SPEED_PLUGIN, {"speed": "threshold_speed"})


def test_installed_plugin_contributes_to_decision_and_trace(speed_site: Path) -> None:
    config = speed_config()
    engine = Engine(config, create_plugin_manager(config))
    info = engine.pm.info["speed"]
    assert (info.origin, info.distribution, info.version) == (
        "entry_point", "threshold-speed", "2.3.4")
    d = engine.evaluate(PROFILE)
    (dim,) = d.dimensions
    assert (dim.name, dim.score, dim.plugin) == ("speed", 77.0, "speed")
    event = next(e for e in d.trace if e.component == "speed_scorer")
    assert (event.plugin, event.version, event.status) == ("speed", "2.3.4", "ok")
    assert {"name": "speed", "version": "2.3.4"} in [
        {"name": p.name, "version": p.version} for p in d.receipt.plugins]


def test_autoload_off_by_config_flag_or_environment(
    speed_site: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert create_plugin_manager(speed_config(autoload=False)).get_plugin("speed") is None
    assert create_plugin_manager(speed_config(), autoload=False).get_plugin("speed") is None
    monkeypatch.setenv("THRESHOLD_DISABLE_PLUGIN_AUTOLOAD", "1")
    assert create_plugin_manager(speed_config()).get_plugin("speed") is None
    monkeypatch.delenv("THRESHOLD_DISABLE_PLUGIN_AUTOLOAD")
    assert create_plugin_manager(speed_config()).get_plugin("speed") is not None


def test_config_can_block_an_installed_plugin(speed_site: Path) -> None:
    config = bare_config(plugins={"autoload": True,
                                  "disable": [*OPTIONAL_BUILTINS, "speed"]})
    assert create_plugin_manager(config).get_plugin("speed") is None


def test_plugin_that_fails_to_import_names_plugin_and_distribution(site_dir: Path) -> None:
    write_distribution(site_dir, "threshold-broken", "0.1", "threshold_broken",
                       "raise ImportError('needs numpy')\n", {"broken": "threshold_broken"})
    with pytest.raises(PluginError) as err:
        create_plugin_manager(speed_config())
    message = str(err.value)
    assert "plugin 'broken'" in message and "threshold-broken" in message
    assert "needs numpy" in message


def _env(site: Path) -> dict[str, str]:
    return {"PYTHONPATH": str(site)}


def test_cli_lists_and_uses_the_installed_plugin(speed_site: Path, run_cli, tmp_path: Path) -> None:
    result = run_cli("plugins", "--format", "json", env=_env(speed_site))
    assert result.returncode == 0, result.stderr
    (entry,) = [p for p in json.loads(result.stdout) if p["name"] == "speed"]
    assert entry["name"] == "speed" and entry["distribution"] == "threshold-speed"
    assert entry["components"] == ["scorer:speed_scorer"]
    assert entry["hooks"] == ["threshold_register_scorers"]

    result = run_cli("plugins", "--format", "json", "--no-plugin-autoload", env=_env(speed_site))
    assert json.loads(result.stdout) == []
    result = run_cli("plugins", "--format", "json",
                     env={**_env(speed_site), "THRESHOLD_DISABLE_PLUGIN_AUTOLOAD": "1"})
    assert json.loads(result.stdout) == []

    config = tmp_path / "threshold.toml"
    weights = "\n".join(f"{d} = {{ weight = 0 }}" for d in BUILTIN_DIMENSIONS)
    config.write_text(f"[dimensions]\n{weights}\nspeed = {{ weight = 1 }}\n", encoding="utf-8")
    profile = tmp_path / "acme.json"
    profile.write_text(json.dumps({"id": "acme", "name": "Acme", "valuation": {
        "amount": 9e9, "currency": "CNY", "basis": "market_cap"}}), encoding="utf-8")
    result = run_cli("evaluate", str(profile), "--format", "json", env=_env(speed_site))
    assert result.returncode in (0, 3), result.stderr
    decision = json.loads(result.stdout)
    assert [d["name"] for d in decision["dimensions"]] == ["speed"]
    assert decision["dimensions"][0]["plugin"] == "speed"


def test_cli_exits_3_when_a_plugin_fails_to_load(site_dir: Path, run_cli) -> None:
    write_distribution(site_dir, "threshold-broken", "0.1", "threshold_broken",
                       "raise ImportError('needs numpy')\n", {"broken": "threshold_broken"})
    result = run_cli("plugins", env=_env(site_dir))
    assert result.returncode == 3
    assert result.stderr.count("\n") == 1 and "Traceback" not in result.stderr
    assert "broken" in result.stderr and "threshold-broken" in result.stderr


def test_installed_plugin_with_a_misspelled_hook_names_plugin_and_distribution(
    site_dir: Path,
) -> None:
    write_distribution(site_dir, "threshold-typo", "0.2", "threshold_typo",
                       "from threshold_core import hookimpl\n\n"
                       "@hookimpl\ndef threshold_register_scorer(register):\n    pass\n",
                       {"typo": "threshold_typo"})
    with pytest.raises(PluginError) as err:
        create_plugin_manager(speed_config())
    message = str(err.value)
    assert "plugin 'typo'" in message and "threshold-typo" in message
    assert "threshold_register_scorer" in message
