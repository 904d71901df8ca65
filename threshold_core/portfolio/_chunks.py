"""What crosses between a batch's worker processes and the process that writes the output.

Under ``--jobs N`` the writing process hands each worker a chunk of records and takes
back, in input order, what it writes. A worker evaluates its chunk and writes the
output lines itself, one after another, to a spool file of the chunk in a folder of the
run (:func:`evaluate_chunk`); what it returns is small: per record a tuple (company id,
size of its line, verdict, findings, plugin error, error lines, notices). The writing
process reads each chunk's spool file in one read, writes the lines in runs (one write
for consecutive lines) and removes the file (:func:`spooled`). So a 40 kB decision line
is neither pickled, piped, unpickled nor copied into a buffer on its way: the writing
process does little more than read, hand over and write in order.

The same shape, ``(data, [meta, ...])``, comes from an iterator of
:class:`~threshold_core.portfolio._evaluate.Outcome` (one process, Dask) through
:func:`as_batches`, so one loop writes every executor's output.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

from ._evaluate import Outcome, evaluate_record
from ._records import Record

__all__ = ["Meta", "as_batches", "evaluate_chunk", "spooled"]

#: ``(company id, size of the line or -1 when none, verdict, findings, plugin error,
#: error lines, notices, where the id stands)``; an invalid record's id is the one it
#: gives, if any.
Meta = tuple[str | None, int, str | None, tuple[str, ...], bool, tuple[str, ...],
             tuple[str, ...], str]


def _meta(o: Outcome) -> Meta:
    return (o.company_id, -1 if o.line is None else len(o.line), o.verdict, o.findings,
            o.plugin_error, o.errors, o.notices, o.place)


def evaluate_chunk(spool: str, n: int, records: Sequence[Record]) -> list[Meta]:
    """In a worker: evaluate ``records`` (the ``n``-th chunk) with this process's engine,
    write their lines in order to the chunk's spool file, and return their metadata."""
    lines = []
    metas = []
    for record in records:
        outcome = evaluate_record(record)
        if outcome.line is not None:
            lines.append(outcome.line)
        metas.append(_meta(outcome))
    with open(os.path.join(spool, str(n)), "wb") as fh:
        fh.writelines(lines)
    return metas


def spooled(spool: str, results: Iterable[list[Meta]]) -> Iterator[tuple[bytes, list[Meta]]]:
    """The chunks' lines (read from their spool files, then removed) with their metadata."""
    for n, metas in enumerate(results):
        path = os.path.join(spool, str(n))
        with open(path, "rb") as fh:
            data = fh.read()
        os.unlink(path)
        yield data, metas


def as_batches(outcomes: Iterable[Outcome]) -> Iterator[tuple[Any, list[Meta]]]:
    """Outcomes one by one, in the shape of :func:`spooled`."""
    for o in outcomes:
        yield (b"" if o.line is None else o.line), [_meta(o)]
