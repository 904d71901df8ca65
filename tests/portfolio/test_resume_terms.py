"""``threshold batch --resume`` keeps a partial output only when this run has its terms.

A partial written under one configuration, plugin set or ``--explain`` and resumed
under another would mix two runs' decisions in one output; the resume refuses it,
naming the run record (``OUTPUT.partial.run``) or the decision's line and the key.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from threshold_core.errors import InputError
from threshold_core.load import resolve_config
from threshold_core.portfolio import run_batch, synthetic_portfolio

ROOT = Path(__file__).resolve().parents[2]
STRICT = ROOT / "examples" / "strict.toml"


def _portfolio(path: Path, n: int = 8, broken_at: int = 4) -> Path:
    lines = [json.dumps(d, ensure_ascii=False) for d in synthetic_portfolio(n, seed=3)]
    lines.insert(broken_at, '{"id": "broken", "name": "Broken", "valuation": "lots"}')
    path.write_text("".join(line + "\n" for line in lines), encoding="utf-8")
    return path


def _interrupt(_: tuple[str, ...]) -> None:
    raise KeyboardInterrupt  # at the broken row: the companies before it are written


def _run(source: Path, out: Path, *, strict: bool = False, explain: bool = False,
         fmt: str = "jsonl", **kw: Any) -> Any:
    config = resolve_config(STRICT if strict else None)
    kw.setdefault("on_error", lambda _: None)
    return run_batch(source, config, plugin_options={"autoload": False}, output=out,
                     fmt=fmt, explain=explain, on_notice=lambda _: None, **kw)


def _interrupted(source: Path, out: Path, **terms: Any) -> Path:
    with pytest.raises(KeyboardInterrupt):
        _run(source, out, on_error=_interrupt, **terms)
    partial = Path(f"{out}.partial")
    assert partial.stat().st_size > 0
    return partial


def _refusal(source: Path, out: Path, **terms: Any) -> str:
    partial = Path(f"{out}.partial")
    before = partial.read_bytes()
    with pytest.raises(InputError) as caught:
        _run(source, out, resume=True, **terms)
    assert partial.read_bytes() == before, "nothing is appended to a refused partial"
    (line,) = caught.value.lines()
    return line


@pytest.mark.parametrize("fmt", ["jsonl", "csv"])
def test_a_partial_resumed_under_another_configuration_is_refused(tmp_path: Path,
                                                                  fmt: str) -> None:
    source = _portfolio(tmp_path / "p.jsonl")
    out = tmp_path / f"out.{fmt}"
    partial = _interrupted(source, out, fmt=fmt)
    record = Path(f"{partial}.run")
    assert json.loads(record.read_text(encoding="utf-8"))["format"] == fmt
    line = _refusal(source, out, fmt=fmt, strict=True)
    assert line.startswith(f"{record}: $.config_sha256: decided under another configuration (")
    assert line.endswith(f"or delete {partial.name} and {record.name} to start again")
    # The same terms resume it, and the finished output leaves no record behind.
    summary = _run(source, out, fmt=fmt, resume=True)
    assert (summary.skipped_resumed, summary.written) == (4, 4)
    assert out.exists() and not partial.exists() and not record.exists()


def test_a_partial_written_with_explain_is_not_resumed_without_it(tmp_path: Path) -> None:
    source = _portfolio(tmp_path / "p.jsonl")
    out = tmp_path / "out.jsonl"
    partial = _interrupted(source, out, explain=True)
    assert _refusal(source, out) == (
        f"{partial}.run: $.explain: written with --explain: resume with it, "
        f"or delete {partial.name} and {partial.name}.run to start again")
    # Without the record, the first kept decision shows its explanation.
    Path(f"{partial}.run").unlink()
    assert _refusal(source, out) == (
        f"{partial}:1: $.explain: written with --explain: resume with it, "
        "or delete it to start again")
    # And the other way round: the run record says the partial was not explained.
    out2 = tmp_path / "out2.jsonl"
    partial2 = _interrupted(source, out2)
    assert _refusal(source, out2, explain=True) == (
        f"{partial2}.run: $.explain: written without --explain: resume without it, "
        f"or delete {partial2.name} and {partial2.name}.run to start again")


def test_a_partial_without_a_record_is_held_to_its_receipts(tmp_path: Path) -> None:
    """A partial written before run records existed: each decision's receipt decides."""
    source = _portfolio(tmp_path / "p.jsonl")
    out = tmp_path / "out.jsonl"
    partial = _interrupted(source, out, strict=True)
    Path(f"{partial}.run").unlink()
    line = _refusal(source, out)
    assert line.startswith(f"{partial}:1: $.receipt.config_sha256: decided under another "
                           "configuration (")
    summary = _run(source, out, strict=True, resume=True)
    assert (summary.skipped_resumed, summary.written) == (4, 4)


def test_a_broken_run_record_is_named(tmp_path: Path) -> None:
    source = _portfolio(tmp_path / "p.jsonl")
    out = tmp_path / "out.jsonl"
    partial = _interrupted(source, out)
    Path(f"{partial}.run").write_text("[1, 2]", encoding="utf-8")
    again = f"delete {partial.name} and {partial.name}.run to start again"
    assert _refusal(source, out) == (f"{partial}.run: $: not a run record of threshold batch: "
                                     + again)
    # Every key there, of the wrong type: not a record either (not "written with --explain").
    record = json.loads(json.dumps({"format": "jsonl", "explain": "no",
                                    "engine_version": "0.1.0", "config_sha256": "x",
                                    "plugins": None, "packs": [], "plugin_files": []}))
    Path(f"{partial}.run").write_text(json.dumps(record), encoding="utf-8")
    assert _refusal(source, out) == (f"{partial}.run: $: not a run record of threshold batch: "
                                     + again)


def test_a_run_record_in_the_way_is_named(tmp_path: Path) -> None:
    source = _portfolio(tmp_path / "p.jsonl")
    out = tmp_path / "out.jsonl"
    Path(f"{out}.partial.run").mkdir()
    for resume in (False, True):
        with pytest.raises(InputError) as caught:
            _run(source, out, resume=resume)
        assert caught.value.lines() == [
            f"{out}.partial.run: is a folder, not the partial output's run record: "
            "move it away"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.jsonl.partial.run", "p.jsonl"]


def test_a_drop_in_pack_edited_under_the_same_version_is_another_plugin_set(
        tmp_path: Path) -> None:
    source = _portfolio(tmp_path / "p.jsonl")
    rules = tmp_path / "rules"
    rules.mkdir()
    pack = rules / "acme_credit.toml"
    pack.write_bytes((ROOT / "examples" / "rulepacks" / "acme_credit.toml").read_bytes())
    out = tmp_path / "out.jsonl"
    options = {"autoload": False, "rule_dirs": (rules,)}
    config = resolve_config(None)
    with pytest.raises(KeyboardInterrupt):
        run_batch(source, config, plugin_options=options, output=out, on_error=_interrupt,
                  on_notice=lambda _: None)
    text = pack.read_text(encoding="utf-8")
    assert 'severity = "high"' in text
    pack.write_text(text.replace('severity = "high"', 'severity = "critical"'), "utf-8")
    with pytest.raises(InputError) as caught:
        run_batch(source, config, plugin_options=options, output=out, resume=True,
                  on_error=lambda _: None, on_notice=lambda _: None)
    (line,) = caught.value.lines()
    assert line.startswith(f"{out}.partial.run: $.plugin_files: decided with other plugin "
                           "files (")
    assert "a file changed since the run started, its version did not" in line


def test_the_command_refuses_another_plugin_set_in_one_line(
        run_cli_process: Any, tmp_path: Path) -> None:
    source = _portfolio(tmp_path / "p.jsonl")
    out = tmp_path / "out.jsonl"
    partial = _interrupted(source, out)
    record = json.loads(Path(f"{partial}.run").read_text(encoding="utf-8"))
    record["plugins"].append(["acme_rules", "2.0.0"])
    Path(f"{partial}.run").write_text(json.dumps(record), encoding="utf-8")
    result = run_cli_process("batch", str(source), "--output", str(out), "--resume",
                             "--no-plugin-autoload")
    assert result.returncode == 2
    assert result.stderr == (
        f"{partial}.run: $.plugins: decided with another plugin set (-acme_rules 2.0.0): "
        f"resume with the ones the run started with, or delete {partial.name} and "
        f"{partial.name}.run to start again\n")


@settings(max_examples=10, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(first=st.tuples(st.booleans(), st.booleans()),
       then=st.tuples(st.booleans(), st.booleans()),
       fmt=st.sampled_from(["jsonl", "csv"]))
def test_a_resume_succeeds_exactly_when_its_terms_are_the_partials(
        tmp_path_factory: pytest.TempPathFactory, first: tuple[bool, bool],
        then: tuple[bool, bool], fmt: str) -> None:
    folder = tmp_path_factory.mktemp("terms")
    source = _portfolio(folder / "p.jsonl")
    out = folder / f"out.{fmt}"
    _interrupted(source, out, strict=first[0], explain=first[1], fmt=fmt)
    if then == first:
        summary = _run(source, out, strict=then[0], explain=then[1], fmt=fmt, resume=True)
        assert (summary.skipped_resumed, summary.written) == (4, 4)
    else:
        with pytest.raises(InputError):
            _run(source, out, strict=then[0], explain=then[1], fmt=fmt, resume=True)
