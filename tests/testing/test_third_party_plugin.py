"""The example third-party plugin, threshold-ai-safety, as a user meets it; and the
pytest fixtures (``threshold_core.testing``) that its tests and any plugin's tests use."""

from __future__ import annotations

import importlib.metadata
import json
from pathlib import Path
from typing import Any

import pytest
from helpers import EXAMPLES, REPO

from threshold_core import DimensionScore, Engine, hookimpl
from threshold_core.reports import describe_plugins
from threshold_core.testing import PluginRegistrar, make_profile, plugin_registered, profile_data

ZHIPU = EXAMPLES / "companies" / "zhipu.toml"
DIMENSION = "ai_safety_maturity"
SET_UP = "pip install -e '.[test]' -e examples/plugins/threshold-ai-safety (README, 'Set up')"


@pytest.fixture(autouse=True, scope="module")
def _installed() -> None:
    try:
        importlib.metadata.distribution("threshold-ai-safety")
    except importlib.metadata.PackageNotFoundError:
        pytest.fail(f"threshold-ai-safety is not installed: {SET_UP}")


def _trace_event(decision: dict[str, Any]) -> dict[str, Any]:
    (event,) = [e for e in decision["trace"] if e["component"] == DIMENSION]
    return event


def test_threshold_plugins_lists_it_with_distribution_version_components_and_hooks(
    run_cli,
) -> None:
    result = run_cli("plugins", "--format", "json")
    assert result.returncode == 0, result.stderr
    listing = {p["name"]: p for p in json.loads(result.stdout)}
    entry = listing["ai_safety"]
    assert entry["origin"] == "entry_point"
    assert (entry["distribution"], entry["version"]) == ("threshold-ai-safety", "0.1.0")
    assert entry["path"].endswith("threshold_ai_safety/__init__.py")
    assert entry["components"] == [f"scorer:{DIMENSION}"]
    assert entry["hooks"] == ["threshold_profile_extensions", "threshold_register_scorers",
                              "threshold_settings_types"]

    text = run_cli("plugins").stdout
    assert "ai_safety 0.1.0 [entry_point] threshold-ai-safety\n" in text
    assert f"  components: scorer:{DIMENSION}\n" in text
    assert ("  hooks: threshold_profile_extensions, threshold_register_scorers, "
            "threshold_settings_types\n") in text


def test_threshold_plugins_shows_the_file_of_a_drop_in(run_cli, tmp_path: Path) -> None:
    folder = tmp_path / "dropins"
    folder.mkdir()
    plugin = folder / "acme_audit.py"
    plugin.write_text(
        "from threshold_core import hookimpl\n__version__ = '1.2'\n\n"
        "@hookimpl\ndef threshold_evaluation_finished(decision):\n    pass\n",
        encoding="utf-8",
    )
    result = run_cli("plugins", "--plugins-dir", str(folder), "--format", "json")
    entry = {p["name"]: p for p in json.loads(result.stdout)}["acme_audit"]
    assert (entry["origin"], entry["version"], entry["path"]) == ("drop_in", "1.2", str(plugin))
    assert entry["hooks"] == ["threshold_evaluation_finished"]
    text = run_cli("plugins", "--plugins-dir", str(folder)).stdout
    assert f"acme_audit 1.2 [drop_in] {plugin}\n  file: {plugin}\n" in text


def test_installed_but_skipped_until_configured_and_the_readme_says_how(run_cli) -> None:
    result = run_cli("evaluate", str(ZHIPU), "--format", "json")
    assert result.returncode == 0, result.stderr
    decision = json.loads(result.stdout)
    assert DIMENSION not in [d["name"] for d in decision["dimensions"]]
    event = _trace_event(decision)
    assert (event["plugin"], event["status"]) == ("ai_safety", "skipped")
    assert event["message"] == f"dimension '{DIMENSION}' is not configured in [dimensions]"
    text = run_cli("evaluate", str(ZHIPU)).stdout
    assert f"dimension '{DIMENSION}' is not configured in [dimensions]" in text

    readme = (REPO / "README.md").read_text(encoding="utf-8")
    assert f"[dimensions.{DIMENSION}]\nweight = 0.5" in readme


SAFETY_SECTION = f"""
[extensions.{DIMENSION}]
source = "illustrative"

[[extensions.{DIMENSION}.evaluations]]
suite = "XSTest"
independent = true
n_prompts = 450
over_refusal_pct = 12
unsafe_compliance_pct = 2
"""


def test_a_configured_weight_puts_it_in_the_decision_and_the_trace(run_cli, tmp_path) -> None:
    # threshold.toml in the working folder is found without --config.
    (tmp_path / "threshold.toml").write_text(
        f"[dimensions.{DIMENSION}]\nweight = 0.5\n", encoding="utf-8")
    # The plugin's evidence lives in its own section of the profile.
    profile = tmp_path / "zhipu.toml"
    profile.write_text(ZHIPU.read_text(encoding="utf-8") + SAFETY_SECTION, encoding="utf-8")
    result = run_cli("evaluate", str(profile), "--format", "json")
    assert result.returncode == 0, result.stderr
    decision = json.loads(result.stdout)
    dims = {d["name"]: d for d in decision["dimensions"]}
    assert len(dims) == 5
    dim = dims[DIMENSION]
    assert (dim["plugin"], dim["component"], dim["configured_weight"]) == (
        "ai_safety", DIMENSION, 0.5)
    assert dim["weight"] == pytest.approx(0.5 / 4.5, abs=1e-6)
    assert dim["contribution"] == pytest.approx(dim["weight"] * dim["score"], abs=1e-3)
    assert {m["metric"] for m in dim["evidence"]} == {
        "independent_evaluation", "unsafe_compliance", "over_refusal", "benign_refusal",
        "safety_practice"}
    event = _trace_event(decision)
    assert (event["plugin"], event["version"], event["status"]) == ("ai_safety", "0.1.0", "ok")
    assert event["contributed"]["weight"] == 0.5
    assert event["contributed"]["score"] == dim["raw_score"]
    assert f"extensions.{DIMENSION}.evaluations.unsafe_compliance_pct" in event["read"]
    points = {m["metric"]: m for m in dim["evidence"]}
    assert points["independent_evaluation"]["raw"] == 1.0
    assert points["unsafe_compliance"]["source"] == "illustrative"
    assert {"name": "ai_safety", "version": "0.1.0"} in decision["receipt"]["plugins"]


# -- the fixtures, as a plugin's tests use them -----------------------------------------


class Fixed:
    """A plugin with one scorer for the ``speed`` dimension."""

    class Scorer:
        name = dimension = "speed"

        def score(self, profile: Any, settings: Any, context: Any) -> DimensionScore:
            return DimensionScore("speed", 70.0, 1.0, inputs=("name",))

    @hookimpl
    def threshold_register_scorers(self, register: Any) -> None:
        register(self.Scorer())


SPEED = {"dimensions": {"speed": {"weight": 1}}}


def test_threshold_engine_has_the_builtins_and_no_entry_points(threshold_engine: Engine) -> None:
    names = {p["name"] for p in describe_plugins(threshold_engine, include_builtin=True)}
    assert "threshold_plugins.technical_defensibility" in names
    assert "ai_safety" not in names  # installed, but autoload is off unless asked
    assert threshold_engine.pm is not None


@pytest.mark.threshold(autoload=True, config={"dimensions": {DIMENSION: {"weight": 2}}})
def test_the_marker_turns_on_autoload_and_sets_the_configuration(
    threshold_engine: Engine, threshold_config: Any
) -> None:
    assert "ai_safety" in threshold_engine.scorers[DIMENSION].plugin
    assert threshold_config.dimensions[DIMENSION].weight == 2


@pytest.mark.threshold(config=SPEED, plugins=[("fixed", Fixed())])
def test_the_marker_registers_plugins(threshold_engine: Engine) -> None:
    decision = threshold_engine.evaluate(make_profile())
    assert {d.name: d.score for d in decision.dimensions}["speed"] == 70.0


@pytest.mark.threshold(config=SPEED)
def test_register_plugin_gives_an_engine_that_sees_it_then_unregisters(
    register_plugin: PluginRegistrar, threshold_pm: Any,
) -> None:
    with register_plugin(Fixed(), "fixed") as engine:
        assert engine.scorers["speed"].plugin == "fixed"
        assert threshold_pm.get_plugin("fixed") is not None
    assert threshold_pm.get_plugin("fixed") is None

    kept = register_plugin(Fixed())
    assert kept.name == "Fixed" and kept.registered
    register_plugin.undo()  # what the fixture does when the test ends
    assert not kept.registered


def test_make_threshold_engine_and_plugin_registered(make_threshold_engine: Any) -> None:
    engine = make_threshold_engine(SPEED, plugins=[("fixed", Fixed())])
    assert "speed" in engine.scorers
    with plugin_registered(engine.pm, object(), "empty") as name:
        assert engine.pm.get_plugin(name) is not None
    assert engine.pm.get_plugin("empty") is None


def test_make_profile_deep_merges_overrides(make_profile: Any) -> None:
    profile = make_profile(customers={"ndr_pct": 130}, valuation={"amount": 9e9})
    assert profile.customers.ndr_pct.value == 130
    assert (profile.valuation.amount, profile.valuation.currency) == (9e9, "CNY")
    assert make_profile(valuation=None).valuation is None
    assert profile_data(id="x")["id"] == "x"


def test_example_profiles(example_profiles: dict[str, Any], example_profiles_dir: Path) -> None:
    assert {"zhipu", "minimax"} <= set(example_profiles)
    assert example_profiles["zhipu"].name == "Zhipu AI"
    assert example_profiles_dir == (EXAMPLES / "companies").resolve()
