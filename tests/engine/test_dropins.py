"""Drop-in rule folders (``--rules-dir``, ``rule_dirs``) and ``threshold test``."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path
from typing import Any

import pytest
from helpers import EXAMPLES, REPO

from threshold_core import Engine, create_plugin_manager, load_config

RULEPACKS = EXAMPLES / "rulepacks"
ZHIPU = EXAMPLES / "companies" / "zhipu.toml"
DATA = REPO / "tests" / "data"


def test_plugins_lists_both_drop_ins_with_their_files(run_cli: Any) -> None:
    result = run_cli("plugins", "--rules-dir", str(RULEPACKS), "--format", "json",
                     "--no-plugin-autoload")
    assert result.returncode == 0, result.stderr
    listing = {p["name"]: p for p in json.loads(result.stdout)}
    credit, exposure = listing["acme_credit"], listing["acme_exposure"]
    assert credit["origin"] == exposure["origin"] == "drop_in"
    assert credit["path"] == str(RULEPACKS / "acme_credit.toml")
    assert exposure["path"] == str(RULEPACKS / "acme_exposure.py")
    assert credit["version"] == "1.2.0" and exposure["version"] == "1.1.0"
    assert credit["components"] == ["rule_pack:acme_credit"]
    assert credit["hooks"] == ["threshold_register_rule_packs"]
    assert exposure["hooks"] == ["threshold_register_rule_packs", "threshold_settings_types"]


def test_both_drop_ins_show_in_the_decision_trace(run_cli: Any) -> None:
    result = run_cli("evaluate", str(ZHIPU), "--rules-dir", str(RULEPACKS), "--format", "json")
    assert result.returncode == 0, result.stderr
    decision = json.loads(result.stdout)
    events = {e["plugin"]: e for e in decision["trace"] if e["kind"] == "rule_pack"}
    assert events["acme_credit"]["component"] == "acme_credit"
    # ACME-003 is not evaluated: Zhipu's safety result does not say whether it was independent.
    assert events["acme_credit"]["contributed"]["fired"] == ["ACME-002"]
    assert "financials.revenue_mix.project_on_prem_pct" in events["acme_credit"]["read"]
    assert events["acme_exposure"]["contributed"]["fired"] == ["ACME-101"]
    findings = {f["rule"]: f for f in decision["findings"]}
    assert findings["ACME-002"]["plugin"] == "acme_credit"
    assert findings["ACME-002"]["message"] == (
        "Zhipu AI earns 84.8% of revenue from on-premise projects (house limit 70%)")
    assert findings["ACME-101"]["plugin"] == "acme_exposure"
    assert {p["name"] for p in decision["receipt"]["plugins"]} >= {"acme_credit", "acme_exposure"}


def test_the_documented_example_run(run_cli: Any) -> None:
    result = run_cli("evaluate", str(EXAMPLES / "companies"), "--rules-dir", str(RULEPACKS))
    assert result.returncode == 0, result.stderr
    # Each finding's row, then its message, source and pack below it.
    for rule, pack in (("ACME-002", "acme_credit"), ("ACME-101", "acme_exposure")):
        assert re.search(rf"\b{rule}\s.*\n(?: {{6}}.*\n)*? {{6}}pack: {pack} \({pack}\)",
                         result.stdout), rule


def test_batch_takes_rules_dir_too(run_cli: Any) -> None:
    result = run_cli("batch", str(EXAMPLES / "companies"), "--rules-dir", str(RULEPACKS),
                     "--jobs", "2")
    assert result.returncode == 0, result.stderr
    rows = {d["company"]["id"]: d for d in map(json.loads, result.stdout.splitlines())}
    assert {"ACME-002", "ACME-101"} <= {f["rule"] for f in rows["zhipu"]["findings"]}


def test_config_rule_dirs_are_relative_to_the_config_file(tmp_path: Path) -> None:
    shutil.copytree(RULEPACKS, tmp_path / "packs")
    (tmp_path / "threshold.toml").write_text('rule_dirs = ["packs"]\n', encoding="utf-8")
    config = load_config(tmp_path / "threshold.toml")
    # The same folder on the command line as well is read once.
    engine = Engine(config, create_plugin_manager(config, rule_dirs=[tmp_path / "packs"]))
    assert {"acme_credit", "acme_exposure"} <= set(engine.packs)
    assert engine.pm.info["acme_credit"].path == str(tmp_path / "packs" / "acme_credit.toml")


def test_a_missing_rules_dir_is_a_usage_error(run_cli: Any, tmp_path: Path) -> None:
    result = run_cli("evaluate", str(ZHIPU), "--rules-dir", str(tmp_path / "nope"))
    assert result.returncode == 2
    assert "$.rule_dirs: no such folder" in result.stderr


def test_a_drop_in_pack_can_be_disabled_by_name_even_when_broken(
    run_cli: Any, tmp_path: Path
) -> None:
    folder = tmp_path / "rules"
    folder.mkdir()
    shutil.copy(DATA / "broken_packs" / "bad_cel.toml", folder)
    assert run_cli("validate", str(ZHIPU), "--rules-dir", str(folder)).returncode == 2
    result = run_cli("validate", str(ZHIPU), "--rules-dir", str(folder),
                     "--disable-plugin", "bad_cel")
    assert result.returncode == 0, result.stderr


def test_a_disabled_plugin_is_not_named_in_the_receipt(run_cli: Any, tmp_path: Path) -> None:
    """A plugin disabled by name decided nothing: the receipt lists only the plugins that
    ran (it once listed a disabled one at version "0")."""
    folder = tmp_path / "rules"
    folder.mkdir()
    shutil.copy(REPO / "examples" / "rulepacks" / "acme_credit.toml", folder)
    result = run_cli("evaluate", str(ZHIPU), "--rules-dir", str(folder), "--format", "json",
                     "--disable-plugin", "acme_credit")
    assert result.returncode == 0, result.stderr
    named = [p["name"] for p in json.loads(result.stdout)["receipt"]["plugins"]]
    assert "acme_credit" not in named and "threshold_core.policy" in named


def test_a_pack_rule_id_clash_names_both_packs(run_cli: Any, tmp_path: Path) -> None:
    folder = tmp_path / "rules"
    folder.mkdir()
    text = (REPO / "rules" / "disclosure.toml").read_text(encoding="utf-8")
    (folder / "copy.toml").write_text(text.replace('name = "disclosure"', 'name = "copy"'),
                                      encoding="utf-8")
    result = run_cli("rules", "--rules-dir", str(folder))
    assert result.returncode == 3
    assert "rule 'DIS-001' of pack" in result.stderr and "'disclosure'" in result.stderr


def test_rules_lists_declarative_rules(run_cli: Any) -> None:
    result = run_cli("rules", "--rules-dir", str(RULEPACKS), "--format", "json")
    assert result.returncode == 0, result.stderr
    rules = {r["id"]: r for r in json.loads(result.stdout)}
    assert rules["ACME-001"]["pack"] == "acme_credit"
    assert rules["ACME-001"]["severity"] == "high"
    assert rules["DIS-004"]["plugin"] == "threshold_rules.declarative_builtin"


# --------------------------------------------------------------------------- threshold test


def test_threshold_test_passes_on_the_example_packs(run_cli: Any) -> None:
    result = run_cli("test", str(RULEPACKS))
    assert result.returncode == 0, result.stdout + result.stderr
    assert f"{RULEPACKS / 'acme_credit.toml'} (acme_credit 1.2.0)" in result.stdout
    assert f"{RULEPACKS / 'acme_exposure.py'} (acme_exposure 1.1.0)" in result.stdout
    assert "  PASS  zhipu without a burn figure: runway not evaluated" in result.stdout
    assert result.stdout.rstrip().endswith("PASS: 9/9")


def test_threshold_test_passes_on_the_built_in_pack(run_cli: Any) -> None:
    result = run_cli("test", str(REPO / "rules" / "disclosure.toml"))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "FAIL" not in result.stdout


def test_a_wrong_expectation_fails_with_the_difference(run_cli: Any) -> None:
    result = run_cli("test", str(DATA / "failing_tests"))
    assert result.returncode == 1
    out = result.stdout
    assert "  PASS  right: an unverified estimate fires both" in out
    assert "  FAIL  wrong: expects WEX-001 at medium and forgets WEX-002" in out
    assert "- WEX-001 (medium): expected to fire; fired at high" in out
    assert "+ WEX-002 (low): fired, not expected" in out
    assert "FAIL: 1/2" in out


def test_threshold_test_json(run_cli: Any) -> None:
    result = run_cli("test", str(DATA / "failing_tests"), "--format", "json")
    assert result.returncode == 1
    [right, wrong] = json.loads(result.stdout)
    assert right["passed"] and not wrong["passed"]
    assert wrong["fired"] == ["WEX-001 (high)", "WEX-002 (low)"]


def test_threshold_test_run_filters_by_name(run_cli: Any) -> None:
    result = run_cli("test", str(DATA / "failing_tests"), "--run", "^right")
    assert result.returncode == 0, result.stdout
    assert "PASS: 1/1" in result.stdout


def test_threshold_test_recurses_into_folders_of_folders(run_cli: Any, tmp_path: Path) -> None:
    """The plugin author's report: a folder of folders ran nothing and still exited 0."""
    (tmp_path / "companies").mkdir()
    shutil.copy(ZHIPU, tmp_path / "companies")
    nested = tmp_path / "packs" / "credit" / "acme"
    nested.mkdir(parents=True)
    shutil.copy(RULEPACKS / "acme_credit.toml", nested)
    (tmp_path / "packs" / "failing").mkdir()
    shutil.copy(DATA / "failing_tests" / "wrong_expectation.toml", tmp_path / "packs" / "failing")
    (tmp_path / "packs" / ".hidden").mkdir()
    (tmp_path / "packs" / ".hidden" / "junk.toml").write_text("not = [valid", encoding="utf-8")
    text = (nested / "acme_credit.toml").read_text(encoding="utf-8")
    (nested / "acme_credit.toml").write_text(
        text.replace('"../companies/zhipu.toml"', '"../../../companies/zhipu.toml"'),
        encoding="utf-8")
    result = run_cli("test", str(tmp_path / "packs"))
    assert result.returncode == 1, result.stdout + result.stderr
    assert f"{nested / 'acme_credit.toml'} (acme_credit 1.2.0)" in result.stdout
    assert "  FAIL  wrong: expects WEX-001 at medium and forgets WEX-002" in result.stdout
    assert "PASS: 7/8" in result.stdout  # 6 of acme_credit, 1 of 2 of the failing file


def test_threshold_test_finding_no_test_fails(run_cli: Any, tmp_path: Path) -> None:
    (tmp_path / "empty" / "sub").mkdir(parents=True)
    result = run_cli("test", str(tmp_path / "empty"))
    assert result.returncode == 1
    assert result.stderr == (
        f"threshold test: no tests found in {tmp_path / 'empty'} ([[tests]] in .toml packs, "
        "TESTS in .py files; folders are searched recursively)\n")
    filtered = run_cli("test", str(DATA / "failing_tests"), "--run", "^nothing-matches")
    assert filtered.returncode == 1
    assert "no tests matching --run '^nothing-matches' found" in filtered.stderr
    assert run_cli("test", str(tmp_path / "empty"), "--allow-empty").returncode == 0


def test_threshold_test_invalid_pack_is_exit_2(run_cli: Any) -> None:
    result = run_cli("test", str(DATA / "broken_packs" / "duplicate_id.toml"))
    assert result.returncode == 2
    assert "duplicate rule id" in result.stderr


@pytest.mark.parametrize(("tests", "message"), [
    ('[{"name": "x", "base": "nope.toml"}]', "$.TESTS[0].base: no such file"),
    ('[{"name": "x", "profile": {"id": "x", "name": "X"}, "expekt": []}]',
     "$.TESTS[0].expekt: unknown key"),
    ('[{"name": "x", "profile": {"id": "x", "name": "X"}, "expect": [{"rule": "NOPE"}]}]',
     "$.TESTS[0].expect[0].rule: no rule 'NOPE' in this pack"),
    ('[{"name": "x", "profile": {"id": "x"}}]',
     "$.TESTS[0]: test 'x': invalid profile: $.name: required key missing"),
])
def test_python_pack_tests_are_checked(
    run_cli: Any, tmp_path: Path, tests: str, message: str
) -> None:
    source = (RULEPACKS / "acme_exposure.py").read_text(encoding="utf-8")
    head = source.split("\nTESTS = [", 1)[0]
    (tmp_path / "acme_exposure.py").write_text(f"{head}\nTESTS = {tests}\n", encoding="utf-8")
    result = run_cli("test", str(tmp_path / "acme_exposure.py"))
    assert result.returncode == 2, result.stdout + result.stderr
    assert message in result.stderr


def test_a_python_pack_that_fails_to_import_is_exit_3(run_cli: Any, tmp_path: Path) -> None:
    (tmp_path / "broken.py").write_text("import nonexistent_module_xyz\n", encoding="utf-8")
    result = run_cli("test", str(tmp_path / "broken.py"))
    assert result.returncode == 3
    assert "failed to import" in result.stderr


def test_a_patch_that_removes_a_missing_path_is_reported(run_cli: Any, tmp_path: Path) -> None:
    text = (RULEPACKS / "acme_credit.toml").read_text(encoding="utf-8")
    text = text.replace('remove = ["financials.monthly_net_burn"]',
                        'remove = ["financials.no_such_field"]')
    (tmp_path / "companies").mkdir()
    shutil.copy(ZHIPU, tmp_path / "companies")
    (tmp_path / "packs").mkdir()
    (tmp_path / "packs" / "acme_credit.toml").write_text(text, encoding="utf-8")
    result = run_cli("test", str(tmp_path / "packs"))
    assert result.returncode == 2
    assert "$.tests[2].remove[0]: test 'zhipu without a burn figure: runway not evaluated': " \
           "zhipu.toml has no 'financials.no_such_field'" in result.stderr


def test_an_unversioned_drop_in_is_versioned_by_its_content(run_cli: Any, tmp_path: Path) -> None:
    """The plugin author's report: a Python drop-in's version showed as 0."""
    import hashlib

    folder = tmp_path / "dropins"
    folder.mkdir()
    plugin = folder / "audit.py"
    plugin.write_text("from threshold_core import hookimpl\n\n@hookimpl\n"
                      "def threshold_evaluation_finished(decision):\n    pass\n",
                      encoding="utf-8")
    expected = "file-" + hashlib.sha256(plugin.read_bytes()).hexdigest()[:12]
    result = run_cli("plugins", "--plugins-dir", str(folder), "--format", "json")
    (entry,) = [p for p in json.loads(result.stdout) if p["name"] == "audit"]
    assert entry["version"] == expected
    decision = json.loads(run_cli("evaluate", str(ZHIPU), "--plugins-dir", str(folder),
                                  "--format", "json").stdout)
    assert {"name": "audit", "version": expected} in decision["receipt"]["plugins"]
