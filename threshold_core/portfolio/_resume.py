"""Checking an ``OUTPUT.partial`` before a resumed batch trusts it.

A run killed at any moment leaves a partial file whose last record may be torn
(a JSONL line without its newline, a CSV row cut inside a quoted cell that
holds a line break). That torn record is dropped. Anything else that is not a
decision of this run's format (a CSV partial resumed as JSONL, a garbage line,
a file of profiles, other CSV columns) is an error naming the partial file and
its line: appending to it would leave a file that is not well-formed.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from pathlib import Path

from ..errors import InputError, Problem
from ..load import parse_json

_VERDICTS = frozenset({"qualified", "watch", "not_qualified", "insufficient_data", "error"})
_START_AGAIN = "delete it to start again"


def _complete_csv(data: bytes) -> int:
    """Where the last complete CSV record ends: after the last line break outside quotes.

    A line break is outside quotes when an even number of ``"`` precede it (a
    doubled quote inside a cell counts twice). Records are written whole, so
    the search from the end stops within the last record.
    """
    pos = data.rfind(b"\n")
    while pos >= 0:
        if data.count(b'"', 0, pos) % 2 == 0:
            return pos + 1
        pos = data.rfind(b"\n", 0, pos)
    return 0


def _fail(where: str, message: str) -> InputError:
    return InputError(where, [Problem("$", message)])


def done_ids(partial: Path, fmt: str, header: Sequence[str]) -> set[str]:
    """The company ids already written to ``partial``; drops a torn last record.

    :raises InputError: when the file is not decisions of format ``fmt`` (with
        ``header``, for CSV) up to its last complete record.
    """
    if partial.is_dir():
        raise _fail(str(partial), "is a folder, not a partial output file")
    if not partial.exists():
        return set()
    with partial.open("rb+") as fh:
        data = fh.read()
        end = _complete_csv(data) if fmt == "csv" else data.rfind(b"\n") + 1
        ids = (
            _csv_ids(partial, data[:end], header)
            if fmt == "csv"
            else _jsonl_ids(partial, data[:end])
        )
        if end != len(data):
            fh.truncate(end)
    return ids


def _text(partial: Path, data: bytes) -> str:
    try:
        # utf-8-sig: a CSV output written with --bom starts with a byte-order mark.
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise _fail(
            f"{partial}:{line}",
            f"not UTF-8 text: not a partial output of threshold batch; {_START_AGAIN}",
        ) from None


def _jsonl_ids(partial: Path, data: bytes) -> set[str]:
    done: set[str] = set()
    # Split on "\n" only: a name may hold U+2028 or U+0085, which str.splitlines() breaks on.
    for n, line in enumerate(_text(partial, data).split("\n")[:-1], 1):
        where = f"{partial}:{n}"
        if n == 1 and not line.startswith("{") and "," in line:
            raise _fail(
                where,
                "a CSV partial output, not JSONL: resume with --format csv, or " + _START_AGAIN,
            )
        try:
            doc = parse_json(line, where)
        except InputError:
            raise _fail(where, f"not a JSON decision: {_START_AGAIN}") from None
        company = doc.get("company") if isinstance(doc, dict) else None
        if not (isinstance(doc, dict) and "receipt" in doc and doc.get("verdict") in _VERDICTS):
            raise _fail(where, f"not a decision (no verdict and receipt): {_START_AGAIN}")
        if not (isinstance(company, dict) and isinstance(company.get("id"), str)):
            raise InputError(where, [Problem("$.company", "a decision without a company id")])
        done.add(company["id"])
    return done


def _csv_ids(partial: Path, data: bytes, header: Sequence[str]) -> set[str]:
    done: set[str] = set()
    reader = csv.reader(io.StringIO(_text(partial, data), newline=""))
    first = next(reader, None)
    if first is None:
        return done
    if first != list(header):
        hint = (
            "a JSONL partial output, not CSV: resume with --format jsonl, or "
            if first and first[0].startswith("{")
            else f"its columns ({', '.join(first)[:120]}) are not this run's: "
        )
        raise _fail(f"{partial}:1", hint + _START_AGAIN)
    verdict = header.index("verdict")
    for row in reader:
        where = f"{partial}:{reader.line_num}"
        if len(row) != len(header):
            raise _fail(
                where, f"{len(row)} cells where the header has {len(header)}: " + _START_AGAIN
            )
        if row[verdict] not in _VERDICTS:
            raise _fail(where, f"not a decision (verdict {row[verdict][:40]!r}): {_START_AGAIN}")
        done.add(row[0])
    return done
