"""Portfolio evaluation: streamed, parallel, resumable and lossless.

Input is a folder of profile files, a JSONL file (one profile document per
line) or a CSV file (one profile per row; see :func:`csv_row_to_document`).
Records are read lazily and never all held in memory. Each valid record is
evaluated (in worker processes with ``jobs > 1``) and written as it completes,
in input order, to ``OUTPUT.partial``; the file is renamed to ``OUTPUT`` at the
end. An invalid record is reported (row number, path inside it, message) and
skipped, and so is a record whose company id an earlier record has (compared
in :func:`threshold_core.model.fold`'s form), naming both. ``resume=True`` keeps the
decisions already in ``OUTPUT.partial`` and skips their company ids, so a run killed
at any point and resumed writes every company exactly once and refuses the same
records.

The parts: reading (``_records``), evaluating one record
(``_evaluate``), running records in processes (``_executor``), the output and
its resume journal (``_output``, ``_resume``).
"""

from __future__ import annotations

import contextlib
import functools
import itertools
import sys
import tempfile
import time
import typing
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

from attrs import frozen

from ..errors import cannot_write, not_written, output_target
from ..load import CompanyIds
from ..model import EngineConfig
from ._chunks import Meta, as_batches, evaluate_chunk, spooled
from ._evaluate import (
    CSV_COLUMNS,
    EXPLAIN_COLUMNS,
    csv_line,
    current_engine,
    evaluate_record,
    init_forked_worker,
    init_worker,
)
from ._executor import ordered_chunks
from ._fingerprint import plugin_set_fingerprint
from ._output import Progress, bytes_writer, close_or_fail, finish, guarded, open_partial
from ._records import Record, count_records, iter_records

__all__ = ["BatchSummary", "run_batch"]


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
    executor: str = "local",
    scheduler: str | None = None,
    partition: int = 128,
    explain: bool = False,
) -> BatchSummary:
    """Evaluate every record of ``source``; see the module docstring.

    ``fmt`` ``xlsx`` writes the rows of ``csv`` to ``OUTPUT.partial`` (so ``resume``
    works the same) and the workbook at the end; ``bom`` starts a CSV output with a
    UTF-8 byte-order mark, which Excel needs to read Chinese names.

    ``encoding`` names the encoding of a ``.jsonl`` or ``.csv`` source (UTF-8
    by default); ``on_notice`` receives notices such as a skipped folder entry
    (default: stderr).

    ``executor`` ``dask`` evaluates on a Dask cluster (``_dask``): the scheduler at
    ``scheduler``, or a local cluster of ``jobs`` worker processes, ``partition``
    records per task; the output is the same, byte for byte apart from timings.

    ``explain`` attaches to each decision the explanation ``threshold evaluate`` gives
    (JSONL: its ``explain``; CSV and xlsx: :data:`EXPLAIN_COLUMNS` after the dimensions).

    :raises InputError: the source cannot be read, or ``xlsx`` without ``output``; the
        dask extra is missing or the scheduler cannot be reached.
    :raises PluginError: a worker died, or a Dask worker's plugin set differs.
    """
    options = plugin_options or {}
    workbook = fmt == "xlsx"
    direct = False  # a device or FIFO: written in place, not through OUTPUT.partial
    named = output
    if output is not None:
        output, atomic = output_target(output)
        direct = not atomic
        if direct and (resume or workbook):
            raise not_written(str(named), "is not a regular file: --resume and --format xlsx "
                                     "need one")
    if workbook:
        if output is None:
            raise not_written("--output", "--format xlsx needs --output FILE")
        from ._xlsx import openpyxl

        openpyxl()  # fail before any work when the extra is missing
        fmt = "csv"
    started = time.perf_counter()
    # Build once here so that configuration and plugin problems stop the batch
    # before any work (and in the parent, with the parent's error handling).
    init_worker(config, options, fmt, explain)
    dims = sorted(d for d, c in config.dimensions.items() if c.weight > 0)
    header = [*CSV_COLUMNS, *dims, *(EXPLAIN_COLUMNS if explain else ())]
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
    with contextlib.ExitStack() as cleanup:
        cluster = None
        if executor == "dask":
            # Connected, and every worker's plugin set checked, before the output is touched.
            from ._dask import make_setup, open_cluster

            cluster = open_cluster(make_setup(config, options, fmt, current_engine().pm,
                                              explain), scheduler, jobs)
            cleanup.callback(cluster.close)
        partial = Path(str(output) + ".partial") if output is not None and not direct else None
        done: set[str] = set()
        sink: IO[bytes] | None = None
        write: typing.Callable[[bytes | memoryview], object]
        if partial is not None and output is not None:
            engine = current_engine()
            run = {"format": fmt, "explain": explain, **engine.receipt_basis(),
                   "plugin_files": [list(e) for e in plugin_set_fingerprint(engine.pm).entries]}
            sink, done, new_file = open_partial(partial, output, fmt, header, resume, run)
            writing = f"writing the partial output {partial}"
            write = guarded(sink.write, output, writing)
        elif output is not None:
            new_file = True
            try:
                sink = output.open("wb", buffering=1 << 20)
            except OSError as exc:
                raise cannot_write(output, exc, "opening it") from None
            writing = "writing to it"
            write = guarded(sink.write, output, writing)
        else:
            new_file = True
            write = bytes_writer(stdout or sys.stdout)
        resumed = len(done)
        if fmt == "csv" and new_file:
            if bom and not workbook:
                write("\ufeff".encode())
            write(csv_line(header).encode("utf-8"))

        # The count (a pass over the whole input) only for a bar that is shown.
        progress = Progress(count_records(source) if sys.stderr.isatty() else 0)
        verdicts: Counter[str] = Counter()
        findings: Counter[str] = Counter()
        written = invalid = plugin_errors = 0
        processed = 0
        skipped_lines = 0

        # The first record with a company id has it; a later one is refused (README,
        # Portfolios). A resumed run claims the ids it skips here, in input order, so that
        # it refuses exactly the records an uninterrupted run refuses.
        ids = CompanyIds()

        def wanted(r: Record) -> bool:
            nonlocal skipped_lines
            if done and r.path is None:
                company_id = r.company_id()
                if (isinstance(company_id, str) and company_id in done
                        and ids.claim(company_id, r.place()) is None):
                    skipped_lines += 1
                    return False
            return True

        pending = (r for r in records if wanted(r))
        batches: Iterator[tuple[Any, list[Meta]]]
        results: Any
        if cluster is not None:
            results = cluster.map(pending, lambda r: r.label,
                                  str(partial) if partial is not None else None, partition)
            batches = as_batches(results)
        elif jobs > 1:
            # Workers write their lines to spool files here; only metadata crosses back.
            spool = cleanup.enter_context(tempfile.TemporaryDirectory(prefix="threshold-"))
            results = ordered_chunks(
                functools.partial(evaluate_chunk, spool), pending, jobs=jobs,
                initializer=init_forked_worker, initargs=(config, options, fmt, explain),
                label=lambda r: r.label, partial=str(partial) if partial is not None else None,
            )
            batches = spooled(spool, results)
        else:
            results = None
            batches = as_batches(map(evaluate_record, pending))
        try:
            for data, metas in batches:
                view = memoryview(data)
                start = end = 0  # the run of lines not yet written: view[start:end]
                for company_id, size, verdict, found, failed, errors, notes, place in metas:
                    processed += 1
                    repeat = ids.claim(company_id, place)
                    if repeat is not None:  # evaluated, and not written
                        errors = (*errors, f"{place}: {repeat.path}: {repeat.message}")
                        if size >= 0:
                            if end > start:
                                write(view[start:end])
                            start = end = end + size
                            size = -1
                    if size < 0:
                        if end > start:
                            write(view[start:end])
                        start = end
                        invalid += 1
                        if on_error is not None:
                            on_error(errors)
                        else:
                            sys.stderr.write("".join(f"{e}\n" for e in errors))
                    elif company_id in done:
                        # a file record whose id was already written before the resume
                        if end > start:
                            write(view[start:end])
                        start = end = end + size
                    else:
                        if notes:
                            if end > start:
                                write(view[start:end])
                            start = end
                            for line in notes:
                                notice(line)
                        end += size
                        written += 1
                        verdicts[verdict or ""] += 1
                        findings.update(found)
                        plugin_errors += failed
                if end > start:
                    write(view[start:end])
                progress.update(processed + skipped_lines)
            progress.update(processed + skipped_lines, force=True)
        finally:
            progress.close()
            close = getattr(batches, "close", None)
            if close is not None:
                close()
            close = getattr(results, "close", None)
            if close is not None:
                close()  # stops the worker processes
            if sink is not None and output is not None:
                close_or_fail(sink, output, writing)
            else:
                write(b"")  # flushes stdout
    if partial is not None and output is not None:
        finish(partial, output, workbook, ("score", "valuation_cny", *dims,
                                           *(("gap", "margin") if explain else ())))
    return BatchSummary(
        written=written, skipped_resumed=resumed, invalid=invalid, plugin_errors=plugin_errors,
        verdicts=dict(sorted(verdicts.items())), top_findings=findings.most_common(5),
        seconds=round(time.perf_counter() - started, 3),
        output=str(named) if named is not None else None,
    )

