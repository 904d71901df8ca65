"""Every command once through the installed ``threshold`` console script, in a subprocess.

The other CLI tests run the same command group in-process (``run_cli``); these
prove the script, its entry point and a fresh interpreter give the same.
"""

from __future__ import annotations

import json
import subprocess
from collections.abc import Callable
from pathlib import Path

from helpers import EXAMPLES, REPO

Run = Callable[..., subprocess.CompletedProcess[str]]
ZHIPU = EXAMPLES / "companies" / "zhipu.toml"
MINIMAX = EXAMPLES / "companies" / "minimax.toml"


def test_evaluate(run_cli_process: Run) -> None:
    result = run_cli_process("evaluate", str(ZHIPU), "--format", "json")
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["company"]["id"] == "zhipu"


def test_validate(run_cli_process: Run) -> None:
    result = run_cli_process("validate", str(ZHIPU))
    assert result.returncode == 0 and result.stdout.strip().endswith(": ok")


def test_plugins_rules_and_schema(run_cli_process: Run) -> None:
    plugins = run_cli_process("plugins", "--all", "--format", "json")
    assert plugins.returncode == 0
    assert "threshold_core.policy" in {p["name"] for p in json.loads(plugins.stdout)}
    rules = run_cli_process("rules", "--format", "json")
    assert rules.returncode == 0 and json.loads(rules.stdout)
    schema = run_cli_process("schema", "decision")
    assert schema.returncode == 0 and "$schema" in json.loads(schema.stdout)


def test_generate_and_batch(run_cli_process: Run, tmp_path: Path) -> None:
    folder = tmp_path / "portfolio"
    assert run_cli_process("generate", "3", "--output", str(folder)).returncode == 0
    result = run_cli_process("batch", str(folder))
    assert result.returncode == 0, result.stderr
    assert len(result.stdout.splitlines()) == 3


def test_diff_and_verify(run_cli_process: Run, tmp_path: Path) -> None:
    diff = run_cli_process("diff", str(ZHIPU), str(MINIMAX), "--format", "json")
    assert diff.returncode == 0, diff.stderr
    saved = tmp_path / "zhipu.json"
    saved.write_text(run_cli_process("evaluate", str(ZHIPU), "--format", "json").stdout)
    verify = run_cli_process("verify", str(saved), str(ZHIPU))
    assert verify.returncode == 0 and verify.stdout.startswith("reproduced: zhipu")


def test_pack_tests(run_cli_process: Run) -> None:
    result = run_cli_process("test", str(REPO / "rules"))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "PASS:" in result.stdout


def test_new_plugin(run_cli_process: Run, tmp_path: Path) -> None:
    result = run_cli_process("new", "plugin", "speed", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "threshold-speed" / "pyproject.toml").is_file()


def test_help_lists_every_command(run_cli_process: Run) -> None:
    from threshold_core.cli import COMMANDS

    result = run_cli_process("--help")
    assert result.returncode == 0
    listed = {line.split()[0] for line in result.stdout.split("Commands:")[1].splitlines()
              if line.strip()}
    assert listed == set(COMMANDS)
