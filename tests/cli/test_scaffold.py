"""``threshold new plugin NAME`` makes a package that installs and passes its own tests.

The scaffold is built into a wheel and installed for real (``pip install
--no-deps --target``), next to the threshold under test, and its test suite
then runs in a subprocess with only that install on ``PYTHONPATH``: entry-point
discovery, the ``pytest11`` fixtures and the contract checks all work as they
would for a plugin author.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from threshold_core.cli import plugin_names


def _env(site: Path | None = None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items()
           if k not in ("THRESHOLD_DISABLE_PLUGIN_AUTOLOAD", "PYTEST_DISABLE_PLUGIN_AUTOLOAD",
                        "PYTEST_ADDOPTS", "PYTHONPATH")}
    if site is not None:
        env["PYTHONPATH"] = str(site)
    return {**env, "NO_COLOR": "1"}


def test_scaffold_installs_and_passes_its_own_tests(run_cli, tmp_path: Path) -> None:
    result = run_cli("new", "plugin", "speed", "--directory", str(tmp_path))
    assert result.returncode == 0, result.stderr
    project = tmp_path / "threshold-speed"
    files = sorted(str(p.relative_to(project)) for p in project.rglob("*") if p.is_file())
    assert files == ["README.md", "pyproject.toml", "src/threshold_speed/__init__.py",
                     "src/threshold_speed/scorer.py", "tests/test_threshold_speed.py"]
    assert "cd " in result.stdout and "[dimensions.speed] weight = 1" in result.stdout
    assert 'speed = "threshold_speed"' in (project / "pyproject.toml").read_text()

    site = tmp_path / "site"
    install = subprocess.run(
        [sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--target", str(site),
         str(project)],
        capture_output=True, text=True, timeout=300, env=_env(),
    )
    assert install.returncode == 0, install.stdout + install.stderr
    assert (site / "threshold_speed" / "scorer.py").is_file()

    tests = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider"],
        cwd=project, capture_output=True, text=True, timeout=300, env=_env(site),
    )
    assert tests.returncode == 0, tests.stdout + tests.stderr
    assert "5 passed" in tests.stdout

    listing = run_cli("plugins", "--format", "json", env={"PYTHONPATH": str(site)})
    (entry,) = [p for p in json.loads(listing.stdout) if p["name"] == "speed"]
    assert (entry["distribution"], entry["version"]) == ("threshold-speed", "0.1.0")
    assert entry["components"] == ["scorer:speed"]
    assert "threshold_profile_extensions" in entry["hooks"]

    # The section it declares is in the profile schema, and a profile using it evaluates.
    schema = json.loads(run_cli("schema", "profile", env={"PYTHONPATH": str(site)}).stdout)
    assert "speed" in schema["properties"]["extensions"]["properties"]
    (tmp_path / "threshold.toml").write_text(
        "[dimensions.speed]\nweight = 1\nrequired = false\n", encoding="utf-8")
    (tmp_path / "acme.toml").write_text(
        'id = "acme"\nname = "Acme"\n[extensions.speed]\ncustomer_adoption_pct = 50\n',
        encoding="utf-8")
    decision = json.loads(run_cli("evaluate", "acme.toml", "--format", "json",
                                  env={"PYTHONPATH": str(site)}).stdout)
    (speed,) = [d for d in decision["dimensions"] if d["name"] == "speed"]
    assert {m["metric"]: m["points"] for m in speed["evidence"]}["customer_adoption"] == 70.0


def test_names_and_the_dimension_option(run_cli, tmp_path: Path) -> None:
    assert plugin_names("threshold-esg-risk") == plugin_names("esg_risk")
    names = plugin_names("esg-risk", "esg")
    assert (names["dist"], names["module"], names["name"], names["dimension"],
            names["class_name"]) == ("threshold-esg-risk", "threshold_esg_risk", "esg_risk",
                                     "esg", "EsgRisk")
    result = run_cli("new", "plugin", "esg-risk", "--dimension", "esg", "-d", str(tmp_path))
    assert result.returncode == 0, result.stderr
    scorer = (tmp_path / "threshold-esg-risk" / "src" / "threshold_esg_risk" / "scorer.py")
    assert 'DIMENSION = "esg"' in scorer.read_text() and "class EsgRiskSettings" in (
        scorer.read_text())


def test_bad_names_and_existing_folders_are_usage_errors(run_cli, tmp_path: Path) -> None:
    bad = run_cli("new", "plugin", "Speed Plugin", "-d", str(tmp_path))
    assert bad.returncode == 2 and "is not a plugin name" in bad.stderr
    assert bad.stdout == "" and "Traceback" not in bad.stderr
    (tmp_path / "threshold-speed").mkdir()
    taken = run_cli("new", "plugin", "speed", "-d", str(tmp_path))
    assert taken.returncode == 2 and "exists already" in taken.stderr
