"""What a rule id may hold: no spaces, ';' or ':' (they separate ids in the CSV
``findings`` and ``blockers`` cells), and an id quoted in a problem never splits its line."""

from __future__ import annotations

from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
ZHIPU = ROOT / "examples" / "companies" / "zhipu.toml"


def _validate_pack(run_cli: Any, folder: Path, rule_id: str, rationale: bool) -> Any:
    """``threshold validate`` with a one-rule pack ``odd.toml`` whose id is ``rule_id``
    (a TOML basic string's body)."""
    folder.mkdir()
    (folder / "odd.toml").write_text(
        f'[pack]\nname = "odd"\nversion = "1.0.0"\n\n[[rules]]\nid = "{rule_id}"\n'
        'title = "t"\nseverity = "high"\ndimension = "institutional_backing"\n'
        'when = "true"\nmessage = "odd"\nsource = "x"\n'
        + ('rationale = "r"\n' if rationale else ""), encoding="utf-8")
    return run_cli("validate", str(ZHIPU), "--rules-dir", str(folder))


def test_a_rule_id_holding_a_csv_separator_is_refused(run_cli: Any, tmp_path: Path) -> None:
    """The CSV findings and blockers cells join ``id:severity`` with ``;``: an id holding
    either could not be read back, so no pack may declare one."""
    rules = tmp_path / "rules"
    result = _validate_pack(run_cli, rules, "ODD-1;中", rationale=True)
    assert result.returncode == 2
    assert (f"{rules / 'odd.toml'}: $.rules[0].id: must be a non-empty id without spaces, "
            "';' or ':' (they separate ids in CSV cells)") in result.stderr


def test_a_line_break_in_a_rule_id_never_splits_a_problem_line(run_cli: Any,
                                                               tmp_path: Path) -> None:
    rules = tmp_path / "rules"
    result = _validate_pack(run_cli, rules, "中文\\nY", rationale=False)
    assert result.returncode == 2
    assert result.stderr == (f"{rules / 'odd.toml'}: $.rules[0].rationale: rule 中文\\nY: "
                             "required key missing\n")


def test_a_plugin_rule_id_holding_a_csv_separator_fails_the_plugin(run_cli: Any,
                                                                   tmp_path: Path) -> None:
    """The same for a Python pack: the plugin is invalid (exit 3), named with its rule."""
    plugins = tmp_path / "plugins"
    plugins.mkdir()
    text = (ROOT / "examples" / "rulepacks" / "acme_exposure.py").read_text(encoding="utf-8")
    assert '"ACME-101",' in text
    (plugins / "acme_exposure.py").write_text(text.replace('"ACME-101",', '"ACME:101",'),
                                              encoding="utf-8")
    result = run_cli("validate", str(ZHIPU), "--plugins-dir", str(plugins))
    assert result.returncode == 3
    assert "rule 'ACME:101' of pack" in result.stderr
    assert "without spaces, ';' or ':'" in result.stderr
    assert len(result.stderr.splitlines()) == 1 and "Traceback" not in result.stderr
