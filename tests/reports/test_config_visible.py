"""The configuration used is visible: in every report, in the JSON, and in ``config show``."""

from __future__ import annotations

import json
from pathlib import Path

from helpers import EXAMPLES

ZHIPU = EXAMPLES / "companies" / "zhipu.toml"


def _stray_pyproject(tmp_path: Path) -> Path:
    """A pyproject.toml up the tree whose [tool.threshold] raises the line above Zhipu."""
    tree = tmp_path / "tree"
    tree.mkdir()
    (tree / "pyproject.toml").write_text(
        '[project]\nname = "unrelated"\n\n[tool.threshold.gate]\nline_cny = 5.0e10\n',
        encoding="utf-8")
    work = tree / "deep" / "folder"
    work.mkdir(parents=True)
    return work


def test_every_report_names_a_stray_configuration(run_cli, tmp_path: Path) -> None:
    """The regression: a pyproject.toml further up changed a verdict and no report said so."""
    work = _stray_pyproject(tmp_path)
    found = str(tmp_path / "tree" / "pyproject.toml")
    data = json.loads(run_cli("evaluate", str(ZHIPU), "--format", "json", cwd=work).stdout)
    assert data["verdict"] == "not_qualified"
    assert data["receipt"]["config_source"] == found
    sha = data["receipt"]["config_sha256"]
    for fmt in ("text", "markdown", "html"):
        out = run_cli("evaluate", str(ZHIPU), "--format", fmt, cwd=work).stdout
        assert found in out and sha in out, fmt
    plain = json.loads(run_cli("evaluate", str(ZHIPU), "--format", "json").stdout)
    assert plain["receipt"]["config_source"] == "defaults"
    assert plain["receipt"]["as_of"] == "2026-06-30"


def test_config_show_says_where_each_value_came_from(run_cli, tmp_path: Path) -> None:
    work = _stray_pyproject(tmp_path)
    found = str(tmp_path / "tree" / "pyproject.toml")
    result = run_cli("config", "show", cwd=work)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].startswith(f"# configuration: {found} (sha256 ")
    by_key = {line.split(" = ")[0].strip(): line for line in lines[1:]}
    assert by_key["gate.line_cny"].endswith(f"= 50000000000.0  # {found}")
    assert by_key["policy.high_cap"].endswith("= 50.0  # default")
    # Plugin settings are part of the effective configuration.
    assert any(k.startswith("settings.institutional_backing.") for k in by_key)
    data = json.loads(run_cli("config", "show", "--format", "json", cwd=work).stdout)
    assert data["source"] == found
    evaluated = json.loads(run_cli("evaluate", str(ZHIPU), "--format", "json", cwd=work).stdout)
    assert data["sha256"] == evaluated["receipt"]["config_sha256"]
    values = {v["key"]: v for v in data["values"]}
    assert values["gate.line_cny"] == {"key": "gate.line_cny", "value": 5.0e10, "origin": found}


def test_config_show_with_defaults_and_a_bad_file(run_cli, tmp_path: Path) -> None:
    result = run_cli("config", "show", "--format", "json")
    assert json.loads(result.stdout)["source"] == "defaults"
    bad = tmp_path / "bad.toml"
    bad.write_text("[gate]\nline = 3\n", encoding="utf-8")
    result = run_cli("config", "show", "--config", str(bad))
    assert result.returncode == 2 and result.stdout == ""
    assert result.stderr.startswith(f"{bad}: $.gate.line")


def test_the_readme_names_only_example_files_that_exist(run_cli) -> None:
    """The regression: the README compared with a strict.toml that did not exist."""
    import re

    from helpers import REPO

    text = (REPO / "README.md").read_text(encoding="utf-8")
    named = set(re.findall(r"\b(examples/[\w./-]+\.(?:toml|json))", text))
    assert "examples/strict.toml" in named
    assert not [p for p in named if not (REPO / p).exists()]
    from helpers import graded_examples

    # Graded copies (fixture NDRs), so that there are graded verdicts to flip.
    result = run_cli("diff", str(graded_examples()), "--config-b",
                     str(EXAMPLES / "strict.toml"), "--fail-on-flip")
    assert result.returncode == 1, result.stderr  # the stricter committee flips verdicts
    assert "with " + str(EXAMPLES / "strict.toml") in result.stdout


def test_config_show_names_the_file_for_what_a_replaced_table_changed(
    run_cli, tmp_path: Path
) -> None:
    """A safety suite's table replaces the default suite whole: its other bars are no longer
    the defaults but what the file's table left out, and say so; a key the table left as it
    was, and every untouched table, are still ``default``."""
    config = tmp_path / "threshold.toml"
    config.write_text("[settings.ethics.refusal_suites.XSTest]\nover_refusal_high_pct = 30\n",
                      encoding="utf-8")
    result = run_cli("config", "show", "--config", str(config), "--format", "json",
                     "--no-plugin-autoload")
    assert result.returncode == 0, result.stderr
    origin = {v["key"]: (v["value"], v["origin"]) for v in json.loads(result.stdout)["values"]}
    suite = "settings.ethics.refusal_suites.XSTest."
    assert origin[suite + "over_refusal_high_pct"] == (30.0, str(config))
    assert origin[suite + "over_refusal_medium_pct"] == (None, str(config))  # was 10
    assert origin[suite + "language"] == ("en", "default")
    assert origin["settings.ethics.refusal_suites.TC260-bank.over_refusal_medium_pct"] == (
        5.0, "default")
    assert origin["settings.ethics.confidence"] == (0.95, "default")
