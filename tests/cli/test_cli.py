"""The installed ``threshold`` console script, run as a subprocess."""

from __future__ import annotations

import json
import os
from pathlib import Path

import click
import pytest
from helpers import EXAMPLES, REPO

from threshold_core.cli import ExitCode, cli

ZHIPU = EXAMPLES / "companies" / "zhipu.toml"
BROKEN = """\
id = "broken"
name = "Broken"

[valuation]
amount = "a lot"
currency = "USD"
basis = "market_cap"

[customers]
ndr_pct = "120"
gdr_pt = 95

[[investors]]
name = "X"
type = "venture"
tier = 2.5
"""


@pytest.fixture
def broken(tmp_path: Path) -> Path:
    path = tmp_path / "broken.toml"
    path.write_text(BROKEN, encoding="utf-8")
    return path


def test_evaluate_one_company_json(run_cli) -> None:
    result = run_cli("evaluate", str(ZHIPU), "--format", "json")
    assert result.returncode == ExitCode.OK, result.stderr
    data = json.loads(result.stdout)
    assert data["company"]["id"] == "zhipu"
    assert data["verdict"] in {"qualified", "watch", "not_qualified", "insufficient_data"}
    assert result.stderr == ""


def test_evaluate_folder_gives_array_and_summary(run_cli) -> None:
    folder = EXAMPLES / "companies"
    result = run_cli("evaluate", str(folder), "--format", "json")
    assert result.returncode == ExitCode.OK, result.stderr
    data = json.loads(result.stdout)
    assert isinstance(data, list) and len(data) == len(list(folder.glob("*.toml")))
    files = sorted(folder.glob("*.toml"))
    assert [Path(d["source_path"]).name for d in data] == [f.name for f in files]
    text = run_cli("evaluate", str(folder))
    assert text.stdout.startswith("Summary")
    assert all(d["company"]["name"] in text.stdout for d in data)


def test_text_report_shows_gate_dimensions_findings_and_trace(run_cli) -> None:
    result = run_cli("evaluate", str(ZHIPU))
    out = result.stdout
    assert out.startswith("Zhipu AI (zhipu): ")
    for heading in ("Gate: ", "Dimensions", "Findings", "Determining factors", "Trace"):
        assert heading in out
    assert "CNY/USD (FX as of 2026-06-30)" in out
    assert "threshold_plugins.technical_defensibility" in out
    assert "\x1b[" not in out  # no colour when not on a terminal


def test_markdown_and_atomic_output_file(run_cli, tmp_path: Path) -> None:
    target = tmp_path / "memo" / "zhipu.md"
    result = run_cli("evaluate", str(ZHIPU), "--format", "markdown", "--output", str(target))
    assert result.returncode == 0 and result.stdout == ""
    text = target.read_text(encoding="utf-8")
    assert text.startswith("## Zhipu AI: ")
    assert ("| dimension | weight | raw | adjustments | score | points | coverage | sourced "
            "| plugin |" in text)
    assert [p.name for p in target.parent.iterdir()] == ["zhipu.md"]  # no temp file left


def test_fail_under_exits_1_when_below_the_bar(run_cli) -> None:
    result = run_cli("evaluate", str(EXAMPLES / "companies"), "--format", "json",
                     "--fail-under", "qualified")
    verdicts = {d["verdict"] for d in json.loads(result.stdout)}
    assert verdicts - {"qualified"}, "the examples include companies below qualified"
    assert result.returncode == ExitCode.BELOW_BAR


def test_broken_profile_exits_2_with_one_line_per_problem(run_cli, broken: Path) -> None:
    result = run_cli("evaluate", str(broken))
    assert result.returncode == ExitCode.INVALID_INPUT
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert lines == [
        f'{broken}: $.valuation.amount: expected a number, got "a lot"',
        f'{broken}: $.customers.ndr_pct: expected a number or a {{ value = ... }} table, got "120"',
        f"{broken}: $.customers.gdr_pt: unknown key",
        f"{broken}: $.investors[0].type: expected one of state_fund, strategic, vc, pe, "
        'sovereign, cornerstone, university, other; got "venture"',
        f"{broken}: $.investors[0].tier: expected a whole number, got 2.5",
    ]
    assert "Traceback" not in result.stderr


def test_valid_profiles_are_still_evaluated_beside_a_broken_one(run_cli, broken: Path) -> None:
    result = run_cli("evaluate", str(ZHIPU), str(broken), "--format", "json")
    assert result.returncode == ExitCode.INVALID_INPUT
    (decision,) = json.loads(result.stdout)
    assert decision["company"]["id"] == "zhipu"
    assert str(broken) in result.stderr


def test_debug_shows_the_traceback(run_cli, tmp_path: Path) -> None:
    bad = tmp_path / "threshold.toml"
    bad.write_text("[gate]\nline_cny = 'x'\n")
    plain = run_cli("plugins")
    assert plain.returncode == 2 and "Traceback" not in plain.stderr
    assert plain.stderr.strip() == f"{bad}: $.gate.line_cny: expected a number, got \"x\""
    debug = run_cli("--debug", "plugins")
    assert debug.returncode == 2 and "Traceback" in debug.stderr


def test_validate(run_cli, broken: Path) -> None:
    ok = run_cli("validate", str(ZHIPU))
    assert ok.returncode == 0 and ok.stdout.strip() == f"{ZHIPU}: ok"
    bad = run_cli("validate", str(ZHIPU), str(broken), "--format", "json")
    assert bad.returncode == ExitCode.INVALID_INPUT
    results = json.loads(bad.stdout)
    assert [r["valid"] for r in results] == [True, False]
    assert len(results[1]["problems"]) == 5
    assert len(bad.stderr.splitlines()) == 5


def test_plugins_lists_builtins_with_all(run_cli) -> None:
    plain = run_cli("plugins", "--format", "json", "--no-plugin-autoload")
    assert json.loads(plain.stdout) == []
    result = run_cli("plugins", "--all", "--format", "json", "--no-plugin-autoload")
    listing = {p["name"]: p for p in json.loads(result.stdout)}
    td = listing["threshold_plugins.technical_defensibility"]
    assert td["origin"] == "builtin" and td["components"] == ["scorer:technical_defensibility"]
    assert "threshold_register_scorers" in td["hooks"]
    text = run_cli("plugins", "--all", "--no-plugin-autoload")
    assert "threshold_core.policy" in text.stdout and "hooks: threshold_decide" in text.stdout


def test_rules_listing(run_cli) -> None:
    result = run_cli("rules", "--format", "json")
    assert result.returncode == 0, result.stderr
    rules = json.loads(result.stdout)
    assert {r["pack"] for r in rules} >= {"filings", "chip_supply", "ethics"}
    for r in rules:
        assert set(r) >= {"id", "pack", "severity", "dimension", "title", "source"}
    one = run_cli("rules", "--pack", "chip_supply")
    assert one.returncode == 0 and "CHIP-001" in one.stdout and "FIL-001" not in one.stdout
    unknown = run_cli("rules", "--pack", "nope")
    assert unknown.returncode == 2 and "no rule pack 'nope'" in unknown.stderr


@pytest.mark.parametrize("name", ["decision", "profile", "config"])
def test_schema(run_cli, name: str) -> None:
    result = run_cli("schema", name)
    assert result.returncode == 0
    schema = json.loads(result.stdout)
    assert schema["$schema"].startswith("https://json-schema.org/")
    assert schema["type"] == "object"
    if name == "config":
        assert "technical_defensibility" in schema["properties"]["settings"]["properties"]


def test_python_m_works(tmp_path: Path) -> None:
    import subprocess
    import sys

    result = subprocess.run([sys.executable, "-m", "threshold_core", "--version"],
                            capture_output=True, text=True, cwd=tmp_path)
    assert result.returncode == 0 and result.stdout.startswith("threshold, version ")


def _commands() -> list[click.Command]:
    return list(cli.commands.values())  # type: ignore[attr-defined]


def test_every_command_and_option_has_help() -> None:
    for command in [cli, *_commands()]:
        assert command.help, f"{command.name} has no help"
        for param in command.params:
            if isinstance(param, click.Option):
                assert param.help, f"{command.name} {param.opts} has no help"


def test_every_command_is_in_the_readme() -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    for command in _commands():
        assert f"threshold {command.name}" in readme, f"{command.name} missing from README"


def _run_on_terminal(exe: str, args: list[str], env: dict[str, str]) -> str:
    import pty
    import subprocess

    leader, follower = pty.openpty()
    proc = subprocess.Popen([exe, *args], stdout=follower, stderr=follower, env=env)
    os.close(follower)
    chunks = []
    while True:
        try:
            chunk = os.read(leader, 65536)
        except OSError:
            break
        if not chunk:
            break
        chunks.append(chunk)
    proc.wait(timeout=60)
    os.close(leader)
    return b"".join(chunks).decode("utf-8", "replace")


def test_colour_only_on_a_terminal_and_no_color_honoured(threshold_exe: str) -> None:
    env = {k: v for k, v in os.environ.items() if k != "NO_COLOR"}
    coloured = _run_on_terminal(threshold_exe, ["evaluate", str(ZHIPU)], env)
    assert "\x1b[" in coloured
    plain = _run_on_terminal(threshold_exe, ["evaluate", str(ZHIPU)], {**env, "NO_COLOR": "1"})
    assert "\x1b[" not in plain and "Zhipu AI (zhipu)" in plain
