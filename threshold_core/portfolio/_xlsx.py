"""Excel workbooks for portfolios: profiles in, decisions out (the ``xlsx`` extra).

A workbook's every sheet is read like a CSV file: the first row names the
columns (dotted profile paths), each further row is a company. Problems name
the cell as Excel does: ``portfolio.xlsx: Companies!C3: $.valuation.amount:
expected a number, got "a lot"``. Output is one sheet, ``decisions``, with the
columns of ``--format csv`` (numbers as numbers). openpyxl is imported only
when a workbook is read or written.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator, Sequence
from datetime import date, datetime
from pathlib import Path
from typing import Any

from ..errors import InputError, Problem


def openpyxl() -> Any:
    """The openpyxl module, or an :class:`InputError` saying how to install it."""
    try:
        import openpyxl as module  # type: ignore[import-untyped]
    except ImportError:
        raise InputError("xlsx", [Problem("", "reading and writing .xlsx needs openpyxl: "
                                              "pip install 'threshold[xlsx]'")]) from None
    return module


def cell_text(value: Any) -> str:
    """A cell's value as the CSV reader would see it."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == datetime.min.time() \
            else value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value)) if abs(value) < 1e15 else repr(value)
    return str(value)


def iter_sheet_rows(source: Path) -> Iterator[tuple[str, int, dict[str, str],
                                                    tuple[tuple[str, str], ...]]]:
    """``(sheet, row, cells, columns)`` for every filled row of every sheet."""
    xl = openpyxl()
    from openpyxl.utils import get_column_letter  # type: ignore[import-untyped]

    try:
        book = xl.load_workbook(source, read_only=True, data_only=True)
    except Exception as exc:  # zip, XML or format errors from a broken workbook
        raise InputError(str(source), [Problem("$", f"not a readable .xlsx workbook "
                                                    f"({type(exc).__name__}: {exc})")]) from None
    try:
        for sheet in book.worksheets:
            rows = sheet.iter_rows(values_only=True)
            header = next(rows, None)
            if not header:
                continue
            names = [cell_text(h).strip() for h in header]
            columns = tuple((n, get_column_letter(i + 1)) for i, n in enumerate(names) if n)
            for r, values in enumerate(rows, 2):
                if all(v is None or v == "" for v in values):
                    continue
                cells = {n: cell_text(v) for n, v in zip(names, values, strict=False) if n}
                if len(values) > len(names) and any(v not in (None, "")
                                                    for v in values[len(names):]):
                    cells[None] = ""  # type: ignore[index]  # reported: more cells than columns
                yield sheet.title, r, cells, columns
    finally:
        book.close()


def count_rows(source: Path) -> int:
    """Data rows in every sheet (for the progress bar; 0 for a broken workbook)."""
    xl = openpyxl()
    try:
        book = xl.load_workbook(source, read_only=True)
    except Exception:
        return 0
    try:
        return sum(max(0, (s.max_row or 1) - 1) for s in book.worksheets)
    finally:
        book.close()


def cell_of(problem_path: str, columns: Sequence[tuple[str, str]]) -> str | None:
    """The column letter whose header the problem's path names (or lies under)."""
    best = None
    for name, letter in columns:
        full = "$." + name
        under = problem_path == full or problem_path.startswith((full + ".", full + "["))
        if under and (best is None or len(name) > len(best[0])):
            best = (name, letter)
    return best[1] if best else None


def write_workbook(csv_path: Path, target: Path, numeric: Sequence[str]) -> None:
    """The decisions of a ``--format csv`` file as an .xlsx workbook, numbers as numbers."""
    xl = openpyxl()
    book = xl.Workbook(write_only=True)
    sheet = book.create_sheet("decisions")
    with csv_path.open(encoding="utf-8-sig", newline="") as fh:
        reader = csv.reader(fh)
        header = next(reader, [])
        sheet.append(header)
        numbers = {i for i, h in enumerate(header) if h in numeric}
        for row in reader:
            sheet.append([
                (float(c) if c else None) if i in numbers
                else (c == "true" if c in ("true", "false") else c)
                for i, c in enumerate(row)])
    book.save(target)
