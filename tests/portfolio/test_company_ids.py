"""One company id, one company: every command that reads several profiles refuses the
second profile with an id (compared ignoring case and width), naming both places."""

from __future__ import annotations

import io
import json
import re
import shutil
from pathlib import Path
from typing import Any

import pytest
from helpers import EXAMPLES, untimed
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from threshold_core import Engine, InputError
from threshold_core.explain import Evaluation, diff_many
from threshold_core.load import CompanyIds, decisions_json, resolve_config
from threshold_core.model import fold
from threshold_core.portfolio import run_batch, synthetic_portfolio

ZHIPU = EXAMPLES / "companies" / "zhipu.toml"
MINIMAX = EXAMPLES / "companies" / "minimax.toml"
#: ``zhipu`` in full-width capitals, as a Chinese input method types it.
WIDE = "\uff3a\uff28\uff29\uff30\uff35"


def _as(text: str, company_id: str) -> str:
    """A profile's TOML with its ``id`` replaced."""
    line = f"id = {json.dumps(company_id, ensure_ascii=False)}"
    return re.sub(r'(?m)^id = ".*"$', lambda _: line, text, count=1)


@pytest.fixture
def twins(tmp_path: Path) -> Path:
    """A folder of three profiles: zhipu, minimax, and a copy of minimax with the id
    ``ZHIPU`` in full width (the same id folded)."""
    folder = tmp_path / "companies"
    folder.mkdir()
    shutil.copy(ZHIPU, folder / "a-zhipu.toml")
    shutil.copy(MINIMAX, folder / "b-minimax.toml")
    (folder / "c-again.toml").write_text(_as(MINIMAX.read_text(encoding="utf-8"), WIDE),
                                         encoding="utf-8")
    return folder


def _repeat_line(place: str, company_id: str, first: str, first_id: str | None = None) -> str:
    spelt = "" if first_id in (None, company_id) else (
        f" (as {first_id!r}; ids are compared ignoring case and width)")
    return f"{place}: $.id: company id {company_id!r} is already the id of {first}{spelt}"


# ----------------------------------------------------------------- validate, evaluate


def test_validate_refuses_the_second_profile_naming_both_files(run_cli, twins: Path) -> None:
    result = run_cli("validate", str(twins))
    assert result.returncode == 2
    assert result.stderr == _repeat_line(f"{twins / 'c-again.toml'}", WIDE,
                                         str(twins / "a-zhipu.toml"), "zhipu") + "\n"
    assert result.stdout.splitlines() == [f"{twins / 'a-zhipu.toml'}: ok",
                                          f"{twins / 'b-minimax.toml'}: ok"]
    data = json.loads(run_cli("validate", str(twins), "--format", "json").stdout)
    assert [r["valid"] for r in data] == [True, True, False]
    assert data[2]["problems"][0]["path"] == "$.id"


def test_evaluate_keeps_the_first_and_refuses_the_second(run_cli_process, twins: Path) -> None:
    # the installed script, as a user runs it: files and a folder given together
    result = run_cli_process("evaluate", str(twins / "b-minimax.toml"), str(twins / "a-zhipu.toml"),
                             str(twins / "c-again.toml"), "--format", "json")
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr
    assert result.stderr == _repeat_line(str(twins / "c-again.toml"), WIDE,
                                         str(twins / "a-zhipu.toml"), "zhipu") + "\n"
    assert [d["company"]["id"] for d in json.loads(result.stdout)] == ["minimax", "zhipu"]


def test_a_file_given_twice_is_evaluated_once(run_cli, twins: Path) -> None:
    path = twins / "a-zhipu.toml"
    result = run_cli("evaluate", str(twins), str(path), "--format", "json")
    assert result.returncode == 2
    assert f"{path}: $.id: company id 'zhipu': {path} is given twice" in result.stderr
    ids = [d["company"]["id"] for d in json.loads(result.stdout)]
    assert ids == ["zhipu", "minimax"]


def test_ids_that_differ_in_more_than_case_and_width_are_two_companies(
    run_cli, tmp_path: Path
) -> None:
    for name, company_id in (("a.toml", "zhipu"), ("b.toml", "zhipu-2"), ("c.toml", "zhi pu")):
        (tmp_path / name).write_text(_as(ZHIPU.read_text(encoding="utf-8"), company_id),
                                     encoding="utf-8")
    assert run_cli("validate", str(tmp_path)).returncode == 0


@pytest.mark.parametrize("hidden", ["zhipu\u200b", "zhi\u200dpu", "zhipu\u00ad", "\u202ezhipu",
                                    "zhipu\u0000", "\ufeffzhipu"])
def test_an_id_with_an_invisible_character_is_the_same_id(
    run_cli_process, tmp_path: Path, hidden: str
) -> None:
    """A zero-width space, joiner, soft hyphen, direction override, NUL or byte-order mark
    shows nothing: ``zhipu\u200b`` is the id ``zhipu`` typed again, and refused."""
    (tmp_path / "a.toml").write_text(ZHIPU.read_text(encoding="utf-8"), encoding="utf-8")
    (tmp_path / "b.toml").write_text(_as(ZHIPU.read_text(encoding="utf-8"), hidden),
                                     encoding="utf-8")
    run = run_cli_process("validate", str(tmp_path))
    assert run.returncode == 2 and "Traceback" not in run.stderr
    assert "is already the id of" in run.stdout + run.stderr


@pytest.mark.parametrize("blank", ["\u200b", "\ufeff", "\u00ad\u200b", "\u0000"])
def test_an_id_of_invisible_characters_only_is_empty(run_cli, tmp_path: Path,
                                                    blank: str) -> None:
    (tmp_path / "a.toml").write_text(_as(ZHIPU.read_text(encoding="utf-8"), blank),
                                     encoding="utf-8")
    run = run_cli("validate", str(tmp_path / "a.toml"))
    assert run.returncode == 2 and "$.id: must not be empty" in run.stdout + run.stderr


# ----------------------------------------------------------------- diff


def test_diff_refuses_one_id_twice_on_a_side(run_cli, twins: Path) -> None:
    result = run_cli("diff", str(twins))
    assert result.returncode == 2
    assert result.stderr == _repeat_line(str(twins / "c-again.toml"), WIDE,
                                         str(twins / "a-zhipu.toml"), "zhipu") + "\n"
    assert result.stdout == ""


def test_diff_refuses_a_saved_file_with_one_company_twice(run_cli, tmp_path: Path) -> None:
    engine = Engine()
    a, b = (engine.evaluate_path(p) for p in (ZHIPU, MINIMAX))
    saved = tmp_path / "saved.json"
    saved.write_text(decisions_json([a, b, a]), encoding="utf-8")
    result = run_cli("diff", str(saved), str(ZHIPU))
    assert result.returncode == 2
    assert result.stderr == (f"{saved}: $[2].company.id: company id 'zhipu' is already the id "
                             "of $[0]\n")


def test_diff_pairs_companies_by_their_folded_id(run_cli, tmp_path: Path) -> None:
    a, b = tmp_path / "a", tmp_path / "b"
    a.mkdir()
    b.mkdir()
    shutil.copy(ZHIPU, a / "zhipu.toml")
    shutil.copy(MINIMAX, a / "minimax.toml")
    (b / "zhipu.toml").write_text(_as(ZHIPU.read_text(encoding="utf-8"), "Zhipu"),
                                  encoding="utf-8")
    data = json.loads(run_cli("diff", str(a), str(b), "--format", "json").stdout)
    assert data["summary"]["compared"] == 1
    assert data["summary"]["only_a"] == ["minimax"] and data["summary"]["only_b"] == []


def test_diff_many_refuses_one_id_twice_on_a_side() -> None:
    engine = Engine()
    a = engine.evaluate_path(ZHIPU)
    with pytest.raises(InputError) as caught:
        diff_many([Evaluation(a, "first"), Evaluation(a, "second")], [Evaluation(a, "b")])
    assert caught.value.lines() == ["second: $.id: company id 'zhipu' is already the id of "
                                    "first"]


def test_decisions_frame_refuses_one_company_twice() -> None:
    pytest.importorskip("pandas")
    from threshold_core import decisions_frame

    engine = Engine()
    a, b = (engine.evaluate_path(p) for p in (ZHIPU, MINIMAX))
    assert len(decisions_frame([a, b])) == 2
    with pytest.raises(InputError) as caught:
        decisions_frame([a, b, a])
    assert caught.value.lines() == [f"{ZHIPU}: $.id: company id 'zhipu': {ZHIPU} is given "
                                    "twice"]


# ----------------------------------------------------------------- batch


def _portfolio(tmp_path: Path) -> tuple[Path, list[dict[str, Any]]]:
    """Eight synthetic companies as JSONL; row 6 repeats row 2's id in upper case, row 9
    repeats it exactly, and row 10 is invalid with row 3's id."""
    docs = list(synthetic_portfolio(8, seed=3))
    rows: list[Any] = [*docs[:5], dict(docs[6], id=docs[1]["id"].upper()), docs[5], docs[7],
                       docs[1], {"id": docs[2]["id"], "name": "Broken", "valuation": "lots"}]
    source = tmp_path / "p.jsonl"
    source.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows),
                      encoding="utf-8")
    return source, docs


def _expected_errors(source: Path, docs: list[dict[str, Any]]) -> list[str]:
    first = docs[1]["id"]
    return [
        _repeat_line(f"{source}:6", first.upper(), f"{source}:2", first),
        _repeat_line(f"{source}:9", first, f"{source}:2"),
        f'{source}:10: $.valuation: expected a table, got "lots"',
        _repeat_line(f"{source}:10", docs[2]["id"], f"{source}:3"),
    ]


def _batch(source: Path, output: Path | None, **kw: Any) -> tuple[Any, list[str], bytes]:
    errors: list[tuple[str, ...]] = []
    out = io.StringIO()
    summary = run_batch(source, resolve_config(None), output=output, stdout=out,
                        on_error=errors.append, on_notice=lambda _: None, **kw)
    data = output.read_bytes() if output is not None else out.getvalue().encode()
    return summary, [e for lines in errors for e in lines], data


def _written_ids(data: bytes) -> list[str]:
    return [json.loads(line)["company"]["id"] for line in data.splitlines()]


@pytest.mark.parametrize("jobs", [1, 2])
def test_batch_writes_the_first_and_refuses_every_repeat(tmp_path: Path, jobs: int) -> None:
    source, docs = _portfolio(tmp_path)
    summary, errors, data = _batch(source, tmp_path / "out.jsonl", jobs=jobs)
    assert _written_ids(data) == [d["id"] for d in (*docs[:5], docs[5], docs[7])]
    assert errors == _expected_errors(source, docs)
    assert (summary.written, summary.invalid) == (7, 3)


def test_a_resumed_batch_refuses_exactly_what_a_whole_run_refuses(tmp_path: Path) -> None:
    source, _ = _portfolio(tmp_path)
    whole, whole_errors, whole_data = _batch(source, tmp_path / "whole.jsonl")
    lines = whole_data.splitlines(keepends=True)
    for kept in range(len(lines) + 1):  # killed after every decision in turn
        out = tmp_path / f"resumed-{kept}.jsonl"
        Path(str(out) + ".partial").write_bytes(b"".join(lines[:kept]))
        summary, errors, data = _batch(source, out, resume=True)
        assert untimed(data) == untimed(whole_data), kept
        assert errors == whole_errors, kept
        assert summary.invalid == whole.invalid and summary.skipped_resumed == kept


def test_resume_refuses_a_partial_with_one_company_twice(tmp_path: Path) -> None:
    source, _ = _portfolio(tmp_path)
    _, _, data = _batch(source, tmp_path / "whole.jsonl")
    lines = data.splitlines(keepends=True)
    out = tmp_path / "out.jsonl"
    partial = Path(str(out) + ".partial")
    partial.write_bytes(lines[0] + lines[1] + lines[0])
    first = json.loads(lines[0])["company"]["id"]
    with pytest.raises(InputError) as caught:
        _batch(source, out, resume=True)
    assert caught.value.lines() == [
        f"{partial}:3: $.company.id: company id {first!r} is already the id of {partial}:1: "
        "delete it to start again"]
    assert partial.read_bytes() == lines[0] + lines[1] + lines[0]  # nothing appended


def test_batch_of_a_folder_and_a_csv_file(tmp_path: Path, twins: Path) -> None:
    summary, errors, data = _batch(twins, None)
    assert _written_ids(data) == ["zhipu", "minimax"]
    assert errors == [_repeat_line(str(twins / "c-again.toml"), WIDE,
                                   str(twins / "a-zhipu.toml"), "zhipu")]
    csv_source = tmp_path / "p.csv"
    csv_source.write_text("id,name\nacme,Acme\nbeta,Beta\nACME,Acme again\n", encoding="utf-8")
    summary, errors, data = _batch(csv_source, None, fmt="csv")
    assert [row.split(",")[0] for row in data.decode().splitlines()[1:]] == ["acme", "beta"]
    assert errors == [_repeat_line(f"{csv_source}:4", "ACME", f"{csv_source}:2", "acme")]
    assert summary.invalid == 1


def test_batch_of_a_workbook_names_the_cells(tmp_path: Path) -> None:
    openpyxl = pytest.importorskip("openpyxl")
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Companies"
    for row in (("name", "id"), ("Acme", "acme"), ("Beta", "beta"), ("Acme again", "acme")):
        sheet.append(row)
    source = tmp_path / "p.xlsx"
    book.save(source)
    _, errors, _ = _batch(source, None, fmt="jsonl")
    assert errors == [f"{source}: Companies!B4: $.id: company id 'acme' is already the id of "
                      "Companies!B2"]


def test_batch_command_exits_2_naming_both_rows(run_cli, tmp_path: Path) -> None:
    source, docs = _portfolio(tmp_path)
    out = tmp_path / "out.jsonl"
    result = run_cli("batch", str(source), "--output", str(out), "--jobs", "2")
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    for line in _expected_errors(source, docs):
        assert line + "\n" in result.stderr
    assert "7 written, 3 invalid" in result.stderr
    assert len(out.read_bytes().splitlines()) == 7


# ----------------------------------------------------------------- the property


_IDS = st.lists(st.sampled_from(["acme", "Acme", "\uff21\uff23\uff2d\uff25", "acme ", "beta",
                                 "Beta", "gamma", "acme-2"]), min_size=1, max_size=6)


@given(ids=_IDS)
@settings(max_examples=25, suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_a_repeated_id_is_refused_naming_both_and_nothing_else_is(
    tmp_path: Path, ids: list[str]
) -> None:
    source = tmp_path / "p.jsonl"
    source.write_text("".join(json.dumps({"id": i, "name": f"Company {n}"}) + "\n"
                              for n, i in enumerate(ids, 1)), encoding="utf-8")
    _, errors, data = _batch(source, None)
    first: dict[str, int] = {}
    expected_errors, expected_ids = [], []
    for n, company_id in enumerate(ids, 1):
        key = fold(company_id)
        if key in first:
            m = first[key]
            expected_errors.append(_repeat_line(f"{source}:{n}", company_id, f"{source}:{m}",
                                                ids[m - 1]))
        else:
            first[key] = n
            expected_ids.append(company_id)
    assert errors == expected_errors
    assert _written_ids(data) == expected_ids


@given(ids=_IDS)
def test_company_ids_claim_the_first_place_of_each_folded_id(ids: list[str]) -> None:
    claimed = CompanyIds()
    seen: dict[str, str] = {}
    for n, company_id in enumerate(ids):
        problem = claimed.claim(company_id, f"row {n}")
        key = fold(company_id)
        if key in seen:
            assert problem is not None and problem.path == "$.id"
            assert f"{company_id!r}" in problem.message and seen[key] in problem.message
        else:
            assert problem is None
            seen[key] = f"row {n}"
