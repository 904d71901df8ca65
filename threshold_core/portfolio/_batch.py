"""Portfolio evaluation: streamed, parallel, resumable and lossless.

Input is a folder of profile files, a JSONL file (one profile document per
line) or a CSV file (one profile per row; see :func:`csv_row_to_document`).
Records are read lazily and never all held in memory. Each valid record is
evaluated (in worker processes with ``jobs > 1``) and written as it completes,
in input order, to ``OUTPUT.partial``; the file is renamed to ``OUTPUT`` at the
end. An invalid record is reported (row number, path inside it, message) and
skipped. ``resume=True`` keeps the decisions already in ``OUTPUT.partial`` and
skips their company ids, so a run killed at any point and resumed writes every
company exactly once.
"""

from __future__ import annotations

import codecs
import csv
import itertools
import json
import os
import sys
import time
import types
import typing
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping
from datetime import date
from functools import cache
from pathlib import Path
from typing import IO, Any

import attrs
from attrs import frozen

from ..errors import InputError, Problem, cannot_write
from ..load import (
    PROFILE_SUFFIXES,
    SAVE_AS_UTF8,
    decision_line,
    expand_paths,
    lone_surrogate,
    not_utf8,
    parse_json,
)
from ..model import CompanyProfile, EngineConfig, Figure
from ._executor import ordered_map
from ._resume import done_ids

#: What a message about a portfolio that is not UTF-8 suggests.
ENCODING_HINT = f"{SAVE_AS_UTF8}, or name its encoding with --encoding (for example gbk)"

#: CSV output columns, in order (dimension scores follow, one column each).
CSV_COLUMNS = ("id", "name", "verdict", "risk", "grade", "score", "gate_passed",
               "valuation_cny", "findings", "determining")


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

    def problem_lines(self, problems: Iterable[Problem]) -> tuple[str, ...]:
        """One line per problem: ``label: path: message``, or for a workbook row
        ``file: Sheet!C3: path: message``."""
        if self.sheet is None:
            return tuple(f"{self.label}: {p.path}: {p.message}" for p in problems)
        from ._xlsx import cell_of

        out = []
        for p in problems:
            letter = cell_of(p.path, self.columns)
            where = f"{self.sheet}!{letter}{self.row}" if letter else f"{self.sheet}!{self.row}"
            out.append(f"{self.book}: {where}: {p.path}: {p.message}")
        return tuple(out)

    def company_id(self) -> Any:
        """The record's ``id`` without validating it (for ``--resume``)."""
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


@frozen
class Outcome:
    """What evaluating one record gave (sent back from workers)."""

    row: int
    label: str
    company_id: str | None = None
    #: The output line(s), already serialised.
    line: str | None = None
    verdict: str | None = None
    findings: tuple[str, ...] = ()
    #: Error lines (``label: $.path: message``).
    errors: tuple[str, ...] = ()
    plugin_error: bool = False


@frozen
class BatchSummary:
    written: int
    skipped_resumed: int
    invalid: int
    plugin_errors: int
    verdicts: dict[str, int]
    top_findings: list[tuple[str, int]]
    seconds: float
    output: str | None = None


# -- reading --------------------------------------------------------------------


@cache
def _field_types(cls: type) -> dict[str, Any]:
    return typing.get_type_hints(cls)


def _scalar_from_cell(text: str, tp: Any) -> Any:
    """Turn one CSV cell into the JSON value its profile field expects."""
    origin = typing.get_origin(tp)
    if origin in (typing.Union, types.UnionType):
        options = [a for a in typing.get_args(tp) if a is not type(None)]
        return _scalar_from_cell(text, options[0])
    if tp is bool:
        low = text.strip().lower()
        if low in ("true", "false"):
            return low == "true"
        raise ValueError(f'expected true or false, got "{text}"')
    if tp is int:
        try:
            return int(text)
        except ValueError:
            raise ValueError(f'expected a whole number, got "{text}"') from None
    if tp in (float, Figure):
        try:
            return float(text)
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
        origin = typing.get_origin(tp)
        if origin in (typing.Union, types.UnionType):
            tp = next(a for a in typing.get_args(tp) if a is not type(None))
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
            try:
                row = next(reader)
            except StopIteration:
                return
            except csv.Error as exc:
                yield Record(i, f"{source}:{i}", problem=Problem("$", _csv_error(exc)))
                continue
            yield Record(i, f"{source}:{i}", cells=row)


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


# -- evaluating -----------------------------------------------------------------

_ENGINE: Any = None
_FORMAT = "jsonl"


def _init_worker(config: EngineConfig, options: dict[str, Any], fmt: str) -> None:
    global _ENGINE, _FORMAT
    from ..engine import Engine, create_plugin_manager

    _ENGINE = Engine(config, create_plugin_manager(config, **options))
    _FORMAT = fmt


def _evaluate_record(record: Record) -> Outcome:
    engine = _ENGINE
    problems: list[Problem] = [] if record.problem is None else [record.problem]
    document: Mapping[str, Any] | None = None
    if problems:
        pass
    elif record.text is not None:
        document, problems = parse_json_line(record.text, record.label)
    elif record.cells is not None:
        document, problems = csv_row_to_document(record.cells,
                                                 engine.extension_types.types)
    if problems:
        return Outcome(record.row, record.label, errors=record.problem_lines(problems))
    try:
        if record.path is not None:
            profile = engine.load_profile(record.path)
        else:
            profile = engine.profile_from_data(document, record.label)
        decision = engine.evaluate(profile, source_path=record.path)
    except InputError as exc:
        lines = record.problem_lines(exc.problems) if record.sheet else tuple(exc.lines())
        return Outcome(record.row, record.label, errors=lines)
    line = format_decision(decision, _FORMAT)
    return Outcome(
        record.row, record.label, company_id=decision.company.id, line=line,
        verdict=str(decision.verdict), findings=tuple(f.rule for f in decision.findings),
        plugin_error=str(decision.verdict) == "error",
    )


def format_decision(decision: Any, fmt: str) -> str:
    if fmt == "jsonl":
        return decision_line(decision)
    row = [
        decision.company.id, decision.company.name, str(decision.verdict), str(decision.risk),
        decision.grade or "", "" if decision.score is None else f"{decision.score:.4f}",
        str(decision.gate.passed).lower(),
        "" if decision.gate.valuation_cny is None else f"{decision.gate.valuation_cny:.0f}",
        ";".join(f"{f.rule}:{f.severity}" for f in decision.findings),
        ";".join(str(f.kind) for f in decision.determining),
        *("" if d.score is None else f"{d.score:.4f}" for d in decision.dimensions),
    ]
    return _csv_line(row)


def _csv_line(cells: Iterable[str]) -> str:
    import io

    buf = io.StringIO()
    csv.writer(buf, lineterminator="\n").writerow(list(cells))
    return buf.getvalue()


class Progress:
    """A one-line progress bar on stderr when it is a terminal; silent otherwise."""

    def __init__(self, total: int, stream: IO[str] | None = None) -> None:
        self.stream = stream or sys.stderr
        self.enabled = self.stream.isatty()
        self.total = total
        self.start = time.perf_counter()
        self.last = 0.0

    def update(self, done: int, force: bool = False) -> None:
        if not self.enabled:
            return
        now = time.perf_counter()
        if not force and now - self.last < 0.1:
            return
        self.last = now
        elapsed = max(now - self.start, 1e-9)
        rate = done / elapsed
        left = (self.total - done) / rate if rate > 0 and self.total else 0.0
        pct = 100.0 * done / self.total if self.total else 100.0
        width = 30
        filled = int(width * pct / 100)
        bar = "#" * filled + "-" * (width - filled)
        eta = time.strftime("%H:%M:%S", time.gmtime(left))
        self.stream.write(f"\r[{bar}] {done}/{self.total} {pct:5.1f}% {rate:,.0f}/s ETA {eta}")
        self.stream.flush()

    def close(self) -> None:
        if self.enabled:
            self.stream.write("\n")
            self.stream.flush()


def _open_partial(partial: Path, output: Path, fmt: str, header: list[str], resume: bool
                  ) -> tuple[IO[str], set[str], bool]:
    """The partial output opened for appending, the ids it holds, and whether it is new."""
    try:
        partial.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise cannot_write(output, exc) from None
    if partial.is_dir():
        raise InputError(str(partial), [Problem(
            "$", "is a folder, not a partial output file: move it away")])
    done: set[str] = set()
    if resume:
        done = done_ids(partial, fmt, header)
    elif partial.exists() or partial.is_symlink():
        partial.unlink()
    try:
        new_file = not partial.exists() or partial.stat().st_size == 0
        return partial.open("a", encoding="utf-8"), done, new_file
    except OSError as exc:
        raise cannot_write(partial, exc) from None


def run_batch(
    source: Path,
    config: EngineConfig,
    *,
    plugin_options: dict[str, Any] | None = None,
    output: Path | None = None,
    fmt: str = "jsonl",
    jobs: int = 1,
    resume: bool = False,
    bom: bool = False,
    stdout: IO[str] | None = None,
    on_error: typing.Callable[[tuple[str, ...]], None] | None = None,
    encoding: str | None = None,
    on_notice: typing.Callable[[str], None] | None = None,
) -> BatchSummary:
    """Evaluate every record of ``source``; see the module docstring.

    ``fmt`` ``xlsx`` writes the rows of ``csv`` to ``OUTPUT.partial`` (so ``resume``
    works the same) and the workbook at the end; ``bom`` starts a CSV output with a
    UTF-8 byte-order mark, which Excel needs to read Chinese names.

    ``encoding`` names the encoding of a ``.jsonl`` or ``.csv`` source (UTF-8
    by default); ``on_notice`` receives notices such as a skipped folder entry
    (default: stderr).

    :raises InputError: the source cannot be read, or ``xlsx`` without ``output``.
    """
    options = plugin_options or {}
    workbook = fmt == "xlsx"
    if workbook:
        if output is None:
            raise InputError("--output", [Problem("$", "--format xlsx needs --output FILE")])
        from ._xlsx import openpyxl

        openpyxl()  # fail before any work when the extra is missing
        fmt = "csv"
    started = time.perf_counter()
    # Build once here so that configuration and plugin problems stop the batch
    # before any work (and in the parent, with the parent's error handling).
    _init_worker(config, options, fmt)
    dims = sorted(d for d, c in config.dimensions.items() if c.weight > 0)
    header = [*CSV_COLUMNS, *dims]
    def notice(line: str) -> None:
        if on_notice is not None:
            on_notice(line)
        else:
            sys.stderr.write(line + "\n")

    def skipped(path: Path, why: str) -> None:
        notice(f"threshold: {path}: {why}")

    reading = iter_records(source, encoding, on_skip=skipped)
    # The first record read checks a CSV header: a broken one stops the batch before the
    # output is touched.
    records = itertools.chain(list(itertools.islice(reading, 1)), reading)
    partial = Path(str(output) + ".partial") if output is not None else None
    done: set[str] = set()
    sink: IO[str]
    if partial is not None and output is not None:
        sink, done, new_file = _open_partial(partial, output, fmt, header, resume)
    else:
        new_file = True
        sink = stdout or sys.stdout
    resumed = len(done)
    if fmt == "csv" and new_file:
        if bom and not workbook:
            sink.write("\ufeff")
        sink.write(_csv_line(header))

    progress = Progress(count_records(source))
    verdicts: Counter[str] = Counter()
    findings: Counter[str] = Counter()
    written = invalid = plugin_errors = 0
    processed = 0
    skipped_lines = 0

    def wanted(r: Record) -> bool:
        nonlocal skipped_lines
        if done and r.path is None and r.company_id() in done:
            skipped_lines += 1
            return False
        return True

    pending = (r for r in records if wanted(r))
    results: Iterator[Outcome]
    if jobs > 1:
        results = ordered_map(
            _evaluate_record, pending, jobs=jobs, initializer=_init_worker,
            initargs=(config, options, fmt), label=lambda r: r.label,
            partial=str(partial) if partial is not None else None,
        )
    else:
        results = map(_evaluate_record, pending)
    try:
        for outcome in results:
            processed += 1
            if outcome.errors and outcome.line is None:
                invalid += 1
                if on_error is not None:
                    on_error(outcome.errors)
                else:
                    sys.stderr.write("".join(f"{e}\n" for e in outcome.errors))
            elif outcome.company_id in done:
                pass  # a file record whose id was already written before the resume
            else:
                assert outcome.line is not None
                sink.write(outcome.line)
                written += 1
                verdicts[outcome.verdict or ""] += 1
                findings.update(outcome.findings)
                plugin_errors += outcome.plugin_error
            progress.update(processed + skipped_lines)
        progress.update(processed + skipped_lines, force=True)
    finally:
        progress.close()
        close = getattr(results, "close", None)
        if close is not None:
            close()  # stops the worker processes
        if partial is not None:
            sink.close()
    if partial is not None and output is not None and workbook:
        from ._xlsx import write_workbook

        tmp = output.with_name(f".{output.name}.tmp.xlsx")
        write_workbook(partial, tmp, numeric=("score", "valuation_cny", *dims))
        os.replace(tmp, output)
        partial.unlink()
    elif partial is not None and output is not None:
        try:
            os.replace(partial, output)
        except OSError as exc:
            raise cannot_write(output, exc) from None
    return BatchSummary(
        written=written, skipped_resumed=resumed, invalid=invalid, plugin_errors=plugin_errors,
        verdicts=dict(sorted(verdicts.items())), top_findings=findings.most_common(5),
        seconds=round(time.perf_counter() - started, 3),
        output=str(output) if output is not None else None,
    )
