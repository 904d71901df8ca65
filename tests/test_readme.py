"""The README's quickstart commands run exactly as written."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from helpers import REPO

README = (REPO / "README.md").read_text(encoding="utf-8")


def quickstart_lines() -> list[str]:
    block = README.split("<!-- quickstart", 1)[1]
    body = re.search(r"```sh\n(.*?)```", block, flags=re.S)
    assert body, "no quickstart block in README.md"
    return [line for line in body.group(1).splitlines() if line.strip()]


@pytest.mark.parametrize("line", quickstart_lines())
def test_quickstart_line_runs(line: str, tmp_path: Path) -> None:
    (tmp_path / "examples").symlink_to(REPO / "examples")
    bindir = str(Path(sys.executable).parent)
    env = {**os.environ, "PATH": bindir + os.pathsep + os.environ["PATH"], "NO_COLOR": "1"}
    env.pop("THRESHOLD_DISABLE_PLUGIN_AUTOLOAD", None)
    result = subprocess.run(line, shell=True, cwd=tmp_path, env=env, capture_output=True,
                            text=True, timeout=120)
    assert result.returncode == 0, f"{line!r} exited {result.returncode}: {result.stderr}"
    assert result.stdout or list(tmp_path.iterdir()) != [tmp_path / "examples"]


def test_set_up_and_test_commands_are_what_ci_runs() -> None:
    ci = (REPO / ".ci" / "run").read_text(encoding="utf-8")
    setup = re.search(r"## Set up, test, run\n.*?```sh\n(.*?)```", README, flags=re.S)
    assert setup
    lines = setup.group(1).strip().splitlines()
    assert len(lines) == 3
    for line in lines:
        assert line in ci, f"README line not run by .ci/run: {line}"


def test_the_sample_report_is_what_threshold_prints() -> None:
    """Every line of the README's sample report (``...`` marks a cut) is in the output of
    ``threshold evaluate examples/companies/zhipu.toml``: the sample cannot drift."""
    from click.testing import CliRunner

    from threshold_core.cli import cli

    block = re.search(r"```text\n(Zhipu AI \(zhipu\).*?)```", README, flags=re.S)
    assert block, "no sample report in README.md"
    result = CliRunner().invoke(cli, ["evaluate", str(REPO / "examples/companies/zhipu.toml")],
                                env={"NO_COLOR": "1"})
    assert result.exit_code == 0, result.output
    printed = set(result.stdout.splitlines())
    stale = [line for line in block.group(1).splitlines()
             if line.strip() and line != "..." and line not in printed]
    assert stale == []
