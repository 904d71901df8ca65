"""``threshold verify``: replay a saved decision and name what changed when it differs."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest
from helpers import graded_examples

# Graded (a fixture NDR), so that the decision has a robustness reason to change.
ZHIPU = graded_examples() / "zhipu.toml"


@pytest.fixture
def saved(run_cli, tmp_path: Path) -> tuple[Path, Path]:
    """A copy of the profile and the decision evaluate wrote for it."""
    profile = tmp_path / "zhipu.toml"
    shutil.copy(ZHIPU, profile)
    decision = tmp_path / "zhipu.json"
    result = run_cli("evaluate", str(profile), "--format", "json", "-o", str(decision))
    assert result.returncode == 0, result.stderr
    return decision, profile


def test_a_fresh_decision_is_reproduced(run_cli, saved: tuple[Path, Path]) -> None:
    decision, profile = saved
    result = run_cli("verify", str(decision), str(profile))
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.startswith("reproduced: zhipu ")
    as_json = json.loads(run_cli("verify", str(decision), str(profile), "--format",
                                 "json").stdout)
    assert as_json["reproduced"] is True and as_json["differences"] == []
    assert as_json["recorded"]["input_sha256"] == as_json["now"]["input_sha256"]


def test_a_profile_edit_is_named(run_cli, saved: tuple[Path, Path]) -> None:
    decision, profile = saved
    text = profile.read_text(encoding="utf-8")
    edited, n = re.subn(r"(?m)^(\s*amount = )([0-9.e+]+)", r"\g<1>9.9e9", text, count=1)
    assert n == 1
    profile.write_text(edited, encoding="utf-8")
    result = run_cli("verify", str(decision), str(profile))
    assert result.returncode == 1
    assert result.stdout.startswith("NOT reproduced: zhipu")
    assert "cause: input_sha256: the profile changed" in result.stdout
    assert "config_sha256" not in result.stdout
    data = json.loads(run_cli("verify", str(decision), str(profile), "--format", "json").stdout)
    assert [c["subject"] for c in data["causes"]] == ["input_sha256"]
    assert any(d["path"] == "receipt.input_sha256" for d in data["differences"])


def test_a_config_edit_is_named(run_cli, saved: tuple[Path, Path], tmp_path: Path) -> None:
    decision, profile = saved
    config = tmp_path / "other.toml"
    config.write_text("[policy]\nmedium_deduction = 7.5\n", encoding="utf-8")
    result = run_cli("verify", str(decision), str(profile), "--config", str(config))
    assert result.returncode == 1
    assert "cause: config_sha256: the configuration changed" in result.stdout
    assert "input_sha256" not in result.stdout.split("field(s) differ")[0]


def test_an_explain_setting_is_part_of_the_config(run_cli, saved: tuple[Path, Path],
                                                  tmp_path: Path) -> None:
    decision, profile = saved
    config = tmp_path / "explain.toml"
    config.write_text("[explain]\nfragile_margin_points = 1000\n", encoding="utf-8")
    result = run_cli("verify", str(decision), str(profile), "--config", str(config),
                     "--format", "json")
    data = json.loads(result.stdout)
    assert result.returncode == 1 and [c["subject"] for c in data["causes"]] == ["config_sha256"]
    assert any(d["path"] == "explain.robustness.reason" and "< 1000" in d["now"]
               for d in data["differences"])


def test_a_plugin_version_is_named(run_cli, saved: tuple[Path, Path]) -> None:
    decision, profile = saved
    data = json.loads(decision.read_text(encoding="utf-8"))
    name = data["receipt"]["plugins"][-1]["name"]
    data["receipt"]["plugins"][-1]["version"] = "0.0.1-old"
    decision.write_text(json.dumps(data), encoding="utf-8")
    result = run_cli("verify", str(decision), str(profile))
    assert result.returncode == 1
    assert f"cause: {name}: plugin 0.0.1-old -> " in result.stdout


def test_verify_rejects_what_is_not_one_decision(run_cli, saved: tuple[Path, Path],
                                                 tmp_path: Path) -> None:
    decision, profile = saved
    two = tmp_path / "two.json"
    one = json.loads(decision.read_text(encoding="utf-8"))
    two.write_text(json.dumps([one, one]), encoding="utf-8")
    result = run_cli("verify", str(two), str(profile))
    assert result.returncode == 2 and "holds 2 decisions" in result.stderr
    broken = tmp_path / "broken.json"
    one["score"] = "high"
    broken.write_text(json.dumps(one), encoding="utf-8")
    result = run_cli("verify", str(broken), str(profile))
    assert result.returncode == 2
    assert f"{broken}: $.score:" in result.stderr and "Traceback" not in result.stderr
    result = run_cli("verify", str(profile), str(profile))
    assert result.returncode == 2 and "invalid JSON" in result.stderr
    profile_json = tmp_path / "profile.json"
    profile_json.write_text(json.dumps({"id": "x", "name": "X"}), encoding="utf-8")
    result = run_cli("verify", str(profile_json), str(profile))
    assert result.returncode == 2 and "not a decision" in result.stderr
