"""Portfolios for spreadsheets: CSV Excel opens with Chinese names, .xlsx in and out."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import openpyxl
from helpers import EXAMPLES

COMPANIES = EXAMPLES / "companies"


def _portfolio(tmp_path: Path) -> Path:
    """Two companies with Chinese names, one bad cell, as a workbook with two sheets."""
    book = openpyxl.Workbook()
    first = book.active
    first.title = "Companies"
    first.append(["id", "name", "valuation.amount", "valuation.currency", "valuation.basis",
                  "valuation.as_of", "customers.ndr_pct"])
    first.append(["zhipu", "智谱AI", 2.5e9, "USD", "market_cap", "2026-06-01", 120])
    first.append(["bad", "坏公司", "a lot", "USD", "market_cap", "2026-06-01", 100])
    second = book.create_sheet("More")
    second.append(["id", "name", "valuation.amount", "valuation.currency", "valuation.basis",
                   "valuation.as_of", "listing.status"])
    second.append(["minimax", "稀宇科技", 1.2e9, "USD", "market_cap", "2026-06-01", "listed"])
    second.append(["worse", "更坏", 3e9, "USD", "market_cap", "2026-06-01", "on the moon"])
    path = tmp_path / "portfolio.xlsx"
    book.save(path)
    return path


def test_xlsx_in_and_out_with_bad_cells_by_sheet_row_and_column(run_cli, tmp_path) -> None:
    source = _portfolio(tmp_path)
    out = tmp_path / "screen.xlsx"
    result = run_cli("batch", str(source), "--format", "xlsx", "--output", str(out))
    assert result.returncode == 2, result.stderr  # some rows were invalid
    errors = [ln for ln in result.stderr.splitlines() if ln.startswith(str(source))]
    assert f'{source}: Companies!C3: $.valuation.amount: expected a number, got "a lot"' \
        in errors
    assert any(ln.startswith(f"{source}: More!G3: $.listing.status: ") for ln in errors), errors
    book = openpyxl.load_workbook(out)
    sheet = book["decisions"]
    rows = list(sheet.iter_rows(values_only=True))
    header = rows[0]
    assert header[:6] == ("id", "name", "verdict", "risk", "grade", "score")
    by_id = {r[0]: dict(zip(header, r, strict=True)) for r in rows[1:]}
    assert set(by_id) == {"zhipu", "minimax"}
    assert by_id["zhipu"]["name"] == "智谱AI"
    assert by_id["minimax"]["valuation_cny"] == 8.604e9  # a number, not text
    assert not (tmp_path / "screen.xlsx.partial").exists()


def test_xlsx_output_needs_a_file(run_cli, tmp_path) -> None:
    result = run_cli("batch", str(COMPANIES), "--format", "xlsx")
    assert result.returncode == 2 and "--format xlsx needs --output" in result.stderr


def test_csv_with_a_bom_for_excel(run_cli, tmp_path) -> None:
    """Excel reads a UTF-8 CSV as the local code page unless it starts with a BOM."""
    folder = tmp_path / "in"
    folder.mkdir()
    text = (COMPANIES / "zhipu.toml").read_text(encoding="utf-8")
    (folder / "zhipu.toml").write_text(text.replace('name = "Zhipu AI"', 'name = "智谱AI"', 1),
                                       encoding="utf-8")
    out = tmp_path / "screen.csv"
    result = run_cli("batch", str(folder), "--format", "csv", "--bom", "--output", str(out))
    assert result.returncode == 0, result.stderr
    data = out.read_bytes()
    assert data.startswith(b"\xef\xbb\xbfid,name,")
    rows = list(csv.DictReader(out.open(encoding="utf-8-sig", newline="")))
    assert rows[0]["name"] == "智谱AI"
    # Without --bom nothing changes; and a CSV input saved by Excel (with a BOM) reads.
    plain = run_cli("batch", str(folder), "--format", "csv")
    assert plain.stdout.startswith("id,name,")
    sheet = tmp_path / "input.csv"
    sheet.write_bytes(b"\xef\xbb\xbfid,name,valuation.amount,valuation.currency,"
                      b"valuation.basis,valuation.as_of\n"
                      + "x,某公司,5000000000,CNY,market_cap,2026-06-01\n".encode())
    result = run_cli("batch", str(sheet))
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["company"]["name"] == "某公司"


def test_a_broken_workbook_is_one_line(run_cli, tmp_path) -> None:
    bad = tmp_path / "bad.xlsx"
    bad.write_bytes(b"this is no workbook")
    result = run_cli("batch", str(bad))
    assert result.returncode == 2
    assert result.stderr.startswith(f"{bad}: $: not a readable .xlsx workbook")
    assert "Traceback" not in result.stderr
