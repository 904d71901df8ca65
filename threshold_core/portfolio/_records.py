"""A batch's input read record by record: JSON lines, CSV (cells typed by the profile schema)
and Excel, each record with its location for one-line errors.
"""

from __future__ import annotations

import codecs
import csv
import json
import typing
from collections.abc import Iterable, Iterator, Mapping
from datetime import date
from functools import cache
from pathlib import Path
from typing import Any

import attrs
from attrs import frozen

from ..errors import InputError, Problem
from ..load import (
    PROFILE_SUFFIXES,
    SAVE_AS_UTF8,
    expand_paths,
    lone_surrogate,
    not_utf8,
    parse_json,
    without_none,
)
from ..model import CompanyProfile, Figure

#: What a message about a portfolio that is not UTF-8 suggests.
ENCODING_HINT = f"{SAVE_AS_UTF8}, or name its encoding with --encoding (for example gbk)"


@frozen
class Record:
    """One input record, as read: parsing happens in the worker, off the reading process."""

    #: 1-based row (JSONL line, CSV data row) or file position in the folder.
    row: int
    #: Where it came from, for messages: ``file:row`` or the file path.
    label: str
    #: A JSONL line.
    text: str | None = None
    #: A CSV row, column -> cell.
    cells: Mapping[str, str] | None = None
    #: A profile file.
    path: str | None = None
    #: What made the record unreadable (it is reported, never evaluated).
    problem: Problem | None = None
    #: A workbook row: its file and sheet, and the column letter of each header, so that
    #: problems name the cell (``Companies!C3``).
    book: str | None = None
    sheet: str | None = None
    columns: tuple[tuple[str, str], ...] = ()

    def __reduce__(self) -> tuple[Any, tuple[Any, ...]]:
        # Sent to a worker process per record: a tuple of the fields, rebuilt by the class
        # (attrs' slotted pickling goes through a dict per record, three times the work).
        return Record, (self.row, self.label, self.text, self.cells, self.path, self.problem,
                        self.book, self.sheet, self.columns)

    def problem_lines(self, problems: Iterable[Problem]) -> tuple[str, ...]:
        """One line per problem: ``label: path: message``, or for a workbook row
        ``file: Sheet!C3: path: message``."""
        return tuple(f"{self.place(p.path)}: {p.path}: {p.message}" for p in problems)

    def place(self, path: str = "$.id") -> str:
        """Where ``path`` (by default the record's ``id``) stands, as its error lines name
        it: ``file:row``, the profile file, or for a workbook row the cell,
        ``file: Sheet!C3`` (``file: Sheet!3`` when no column gives it)."""
        if self.sheet is None:
            return self.label
        from ._xlsx import cell_of

        letter = cell_of(path, self.columns)
        return f"{self.book}: {self.sheet}!{letter or ''}{self.row}"

    def company_id(self) -> Any:
        """The record's ``id`` without validating it (for ``--resume``, and for the ids
        every record claims, valid or not)."""
        if self.cells is not None:
            return self.cells.get("id")
        if self.text is not None:
            try:
                doc = json.loads(self.text)
            except (ValueError, RecursionError):
                return None
            return doc.get("id") if isinstance(doc, dict) else None
        return None


def parse_json_line(text: str, label: str = "<line>") -> tuple[Mapping[str, Any] | None,
                                                                 list[Problem]]:
    """One JSONL line as a profile document, or the problems with it."""
    try:
        doc = parse_json(text, label)
    except InputError as exc:
        return None, list(exc.problems)
    if not isinstance(doc, dict):
        return None, [Problem("$", "expected a JSON object")]
    return doc, []


@cache
def _field_types(cls: type) -> dict[str, Any]:
    return typing.get_type_hints(cls)


def _plain_number(text: str) -> str:
    """``text`` when it is a number as JSON and TOML write one (ASCII digits, no ``_``
    separators); Python's ``int()`` and ``float()`` would also read ``4_000`` and
    Arabic-Indic or full-width digits."""
    if not text.isascii() or "_" in text:
        raise ValueError(text)
    return text


def _scalar_from_cell(text: str, tp: Any) -> Any:
    """Turn one CSV cell into the JSON value its profile field expects."""
    if without_none(tp) is not tp:
        return _scalar_from_cell(text, without_none(tp))
    if tp is bool:
        low = text.strip().lower()
        if low in ("true", "false"):
            return low == "true"
        raise ValueError(f'expected true or false, got "{text}"')
    if tp is int:
        try:
            return int(_plain_number(text))
        except ValueError:
            raise ValueError(f'expected a whole number, got "{text}"') from None
    if tp in (float, Figure):
        try:
            return float(_plain_number(text))
        except ValueError:
            raise ValueError(f'expected a number, got "{text}"') from None
    if tp in (str, date) or (isinstance(tp, type) and issubclass(tp, str)):
        return text
    try:  # arrays and tables are written as JSON inside the cell
        return parse_json(text, "<cell>")
    except InputError as exc:
        p = exc.problems[0]
        where = "" if p.path == "$" else f" at {p.path}"
        raise ValueError(f"expected JSON in this cell{where}: {p.message}") from None


def _type_at(path: list[str], extensions: Mapping[str, type] | None = None) -> Any:
    tp: Any = CompanyProfile
    if path[0] == "extensions":
        # extensions.<name>.<field>...: the section's declared class
        if len(path) < 3 or path[1] not in (extensions or {}):
            raise KeyError(path[1] if len(path) > 1 else path[0])
        tp, path = (extensions or {})[path[1]], path[2:]
    for part in path:
        tp = without_none(tp)
        if not (isinstance(tp, type) and attrs.has(tp)):
            raise KeyError(part)
        hints = _field_types(tp)
        if part not in hints:
            raise KeyError(part)
        tp = hints[part]
    return tp


def csv_row_to_document(
    row: Mapping[str, str], extensions: Mapping[str, type] | None = None,
) -> tuple[dict[str, Any], list[Problem]]:
    """A CSV row as a profile document.

    Columns are dotted profile paths (``valuation.amount``, ``customers.ndr_pct``);
    an empty cell means "not given". Numbers, booleans (``true``/``false``) and
    dates (``YYYY-MM-DD``) are written plainly; arrays and tables of the
    profile (``filings``, ``investors``...) are written as JSON in their cell.
    A plugin's extension section is addressed as ``extensions.<name>.<field>``
    (``extensions`` maps the declared section names to their classes).
    """
    doc: dict[str, Any] = {}
    problems: list[Problem] = []
    for column, cell in row.items():
        if column is None:
            problems.append(Problem("$", "more cells than columns"))
            continue
        if cell is None or cell == "":
            continue
        if isinstance(cell, list):  # DictReader's extra cells
            problems.append(Problem("$", "more cells than columns"))
            continue
        if not cell.isascii() and (msg := lone_surrogate(cell)) is not None:
            problems.append(Problem("$." + column, msg.replace(SAVE_AS_UTF8, ENCODING_HINT)))
            continue
        parts = column.strip().split(".")
        try:
            tp = _type_at(parts, extensions)
        except KeyError:
            what = ("an extension field some installed plugin declares"
                    if parts[0] == "extensions" else "a profile field")
            problems.append(Problem("$." + column, f"unknown column (not {what})"))
            continue
        try:
            value = _scalar_from_cell(cell, tp)
        except ValueError as exc:
            problems.append(Problem("$." + column, str(exc)))
            continue
        target = doc
        for part in parts[:-1]:
            target = target.setdefault(part, {})
        target[parts[-1]] = value
    return doc, problems


def csv_header_problems(columns: Iterable[str]) -> list[Problem]:
    """Columns that cannot all be read: two giving the same field, or a table and a field
    inside it (each would silently overwrite the other)."""
    problems = []
    seen: dict[str, int] = {}
    for n, raw in enumerate(columns, 1):
        name = raw.strip()
        if not name.isascii() and (msg := lone_surrogate(name)) is not None:
            problems.append(Problem("$", f"column {n}: {msg.replace(SAVE_AS_UTF8, ENCODING_HINT)}"))
            continue
        if name in seen:
            problems.append(Problem(f"$.{name}", f"columns {seen[name]} and {n} both give this "
                                    "field"))
            continue
        for other, m in seen.items():
            inner, outer = (name, other) if name.startswith(other + ".") else (other, name)
            if inner.startswith(outer + "."):
                problems.append(Problem(f"$.{inner}", f"column {max(m, n)} gives a field inside "
                                        f"the table {outer} of column {min(m, n)}"))
        seen[name] = n
    return problems


def _jsonl_records(source: Path, encoding: str | None) -> Iterator[Record]:
    # Binary lines: split on "\n" only (a name may hold U+2028), decoded one at a time so
    # that a line that is not UTF-8 is that row's error, not the file's.
    with source.open("rb") as fh:
        for i, raw in enumerate(fh, 1):
            label = f"{source}:{i}"
            if i == 1 and encoding is None and raw.startswith(codecs.BOM_UTF8):
                raw = raw[len(codecs.BOM_UTF8):]
            try:
                line = raw.decode(encoding or "utf-8")
            except UnicodeDecodeError as exc:
                msg = not_utf8(raw, exc.start).replace("line 1, ", "")
                yield Record(i, label, problem=Problem("$", f"{msg}; {ENCODING_HINT}"))
                continue
            if line.strip():
                yield Record(i, label, text=line)


def _csv_records(source: Path, encoding: str | None) -> Iterator[Record]:
    # Undecodable bytes are kept as surrogates ("surrogateescape") and reported per cell.
    with source.open(encoding=encoding or "utf-8-sig", errors="surrogateescape",
                     newline="") as fh:
        reader = csv.DictReader(fh)
        try:
            columns = reader.fieldnames or []
        except csv.Error as exc:
            raise InputError(f"{source}:header", [Problem("$", f"invalid CSV: {exc}")]) from None
        if problems := csv_header_problems(columns):
            raise InputError(str(source), problems)
        i = 0
        while True:
            i += 1
            line = reader.line_num + 1  # the row's first line, as an editor numbers it
            try:
                row = next(reader)
            except StopIteration:
                return
            except csv.Error as exc:
                yield Record(i, f"{source}:{line}", problem=Problem("$", _csv_error(exc)))
                continue
            yield Record(i, f"{source}:{line}", cells=row)


def _csv_error(exc: csv.Error) -> str:
    if "field limit" in str(exc):
        return (f"a cell is longer than {csv.field_size_limit():,} characters (the limit), "
                "or a quote is never closed")
    return f"invalid CSV: {exc}"


def iter_records(source: Path, encoding: str | None = None,
                 on_skip: typing.Callable[[Path, str], None] | None = None) -> Iterator[Record]:
    """Read records lazily from a folder, a ``.jsonl`` file or a ``.csv`` file.

    Files are UTF-8 (a byte-order mark is accepted) unless ``encoding`` names
    another encoding. Entries of a folder that are not profiles go to ``on_skip``.
    """
    if source.is_dir():
        for i, path in enumerate(expand_paths([source], on_skip), 1):
            yield Record(row=i, label=str(path), path=str(path))
        return
    suffix = source.suffix.lower()
    if suffix == ".jsonl":
        yield from _jsonl_records(source, encoding)
        return
    if suffix == ".xlsx":
        from ._xlsx import iter_sheet_rows

        for sheet, number, cells, columns in iter_sheet_rows(source):
            yield Record(number, f"{source}: {sheet}!{number}", cells=cells,
                         book=str(source), sheet=sheet, columns=columns)
        return
    if suffix == ".csv":
        yield from _csv_records(source, encoding)
        return
    raise InputError(
        str(source), [Problem("$", "batch input must be a folder, a .jsonl, a .csv or an "
                                   ".xlsx file")]
    )


def count_records(source: Path) -> int:
    """How many records ``source`` holds (a cheap pass, for the progress bar)."""
    if source.is_dir():
        return sum(1 for p in source.iterdir() if p.suffix.lower() in PROFILE_SUFFIXES)
    if source.suffix.lower() == ".xlsx":
        from ._xlsx import count_rows

        return count_rows(source)
    with source.open("rb") as fh:
        lines = sum(1 for line in fh if line.strip())
    return max(0, lines - 1) if source.suffix.lower() == ".csv" else lines
