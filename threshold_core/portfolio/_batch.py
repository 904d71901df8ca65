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

import csv
import itertools
import os
import sys
import time
import typing
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from typing import IO, Any

from attrs import frozen

from ..errors import InputError, Problem, cannot_write
from ..load import decision_line
from ..model import EngineConfig
from ._executor import ordered_map
from ._records import Record, count_records, csv_row_to_document, iter_records, parse_json_line
from ._resume import done_ids

#: CSV output columns, in order (dimension scores follow, one column each).
CSV_COLUMNS = ("id", "name", "verdict", "risk", "grade", "score", "gate_passed",
               "valuation_cny", "findings", "determining")


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
