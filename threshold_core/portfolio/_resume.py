"""Checking an ``OUTPUT.partial`` before a resumed batch trusts it.

A run killed at any moment leaves a partial file whose last record may be torn
(a JSONL line without its newline, a CSV row cut inside a quoted cell that
holds a line break). That torn record is dropped. Anything else that is not a
decision of this run's format (a CSV partial resumed as JSONL, a garbage line,
a file of profiles, other CSV columns) is an error naming the partial file and
its line: appending to it would leave a file that is not well-formed.

Nor is a partial resumed under another run's terms. Its run record
(``OUTPUT.partial.run``, written before the first decision: format, ``--explain``,
and what every receipt shares, :meth:`~threshold_core.engine.Engine.receipt_basis`)
must match this run's, and so must every JSONL decision's receipt: a resume from
another folder (another ``threshold.toml`` found), with a plugin added or upgraded,
or with ``--explain`` flipped would otherwise mix two runs' decisions in one
output. A partial without a record (written by an earlier threshold) is held to
its receipts alone.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from ..errors import InputError, Problem
from ..load import CompanyIds, parse_json

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


def _once(ids: CompanyIds, company_id: str, where: str, path: str) -> None:
    """A partial holds each company once (a repeat is the output of a run that did not
    refuse repeated ids: resuming it would keep both)."""
    repeat = ids.claim(company_id, where)
    if repeat is not None:
        raise InputError(where, [Problem(path, f"{repeat.message}: {_START_AGAIN}")])


def run_record(partial: Path) -> Path:
    """Where the run record of ``partial`` lives: beside it, ``OUTPUT.partial.run``."""
    return partial.with_name(partial.name + ".run")


def done_ids(partial: Path, fmt: str, header: Sequence[str],
             run: Mapping[str, Any] | None = None) -> set[str]:
    """The company ids already written to ``partial``; drops a torn last record.

    ``run`` is this run's record (``format``, ``explain`` and the
    :meth:`~threshold_core.engine.Engine.receipt_basis` keys): the partial's run
    record and, for JSONL, every decision's receipt must agree with it.

    :raises InputError: when the file is not decisions of format ``fmt`` (with
        ``header``, for CSV) up to its last complete record, or was written under
        other terms than ``run`` (the record's path, or the line, and the key).
    """
    if partial.is_dir():
        raise _fail(str(partial), "is a folder, not a partial output file")
    if not partial.exists():
        return set()
    with partial.open("rb+") as fh:
        data = fh.read()
        end = _complete_csv(data) if fmt == "csv" else data.rfind(b"\n") + 1
        if run is not None and data:
            _check_record(partial, run)
        ids = (
            _csv_ids(partial, data[:end], header)
            if fmt == "csv"
            else _jsonl_ids(partial, data[:end], run)
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


def _jsonl_ids(partial: Path, data: bytes, run: Mapping[str, Any] | None) -> set[str]:
    done: set[str] = set()
    ids = CompanyIds()
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
        if run is not None:
            _check_decision(where, doc, run)
        _once(ids, company["id"], where, "$.company.id")
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
    ids = CompanyIds()
    for row in reader:
        where = f"{partial}:{reader.line_num}"
        if len(row) != len(header):
            raise _fail(
                where, f"{len(row)} cells where the header has {len(header)}: " + _START_AGAIN
            )
        if row[verdict] not in _VERDICTS:
            raise _fail(where, f"not a decision (verdict {row[verdict][:40]!r}): {_START_AGAIN}")
        _once(ids, row[0], where, "$.id")
        done.add(row[0])
    return done


#: The keys of a run record held against this run's, in the order they are checked
#: (``plugin_files``: :func:`~._fingerprint.plugin_set_fingerprint`'s entries, so that a
#: drop-in pack edited without a new version is another plugin set), and their types.
_TERMS = ("format", "explain", "engine_version", "config_sha256", "plugins", "packs",
          "plugin_files")
_TYPES = {"format": str, "explain": bool, "engine_version": str, "config_sha256": str,
          "plugins": list, "packs": list, "plugin_files": list}
#: The receipt's keys of those: a decision carries them in ``receipt``.
_RECEIPT_TERMS = ("engine_version", "config_sha256", "plugins", "packs")


def _receipt_terms(receipt: Mapping[str, Any]) -> dict[str, Any]:
    """A decision receipt's run terms, shaped as :meth:`Engine.receipt_basis` gives them."""
    def pairs(key: str, fields: tuple[str, ...]) -> Any:
        items = receipt.get(key)
        if not isinstance(items, list) or not all(isinstance(i, dict) for i in items):
            return items
        return [[i.get(f, "") for f in fields] for i in items]

    return {"engine_version": receipt.get("engine_version"),
            "config_sha256": receipt.get("config_sha256"),
            "plugins": pairs("plugins", ("name", "version")),
            "packs": pairs("packs", ("name", "version", "plugin"))}


def _differs(key: str, theirs: Any, ours: Any) -> str:
    """Why a partial written under ``theirs`` is not resumed under ``ours``."""
    if key == "format":
        return f"written as {theirs}: resume with --format {theirs}"
    if key == "explain":
        return ("written with --explain: resume with it" if theirs
                else "written without --explain: resume without it")
    if key == "engine_version":
        return f"decided by threshold {theirs}, this is {ours}: finish it with {theirs}"
    if key == "config_sha256":
        return (f"decided under another configuration ({str(theirs)[:12]}, this run's is "
                f"{str(ours)[:12]}): resume with the configuration the run started with "
                "(--config, or the same working folder)")
    try:
        was = {" ".join(map(str, i)) for i in theirs}
        now = {" ".join(map(str, i)) for i in ours}
        change = ", ".join([*(f"-{x}" for x in sorted(was - now)),
                            *(f"+{x}" for x in sorted(now - was))])
    except TypeError:
        change = "unreadable"
    if key == "plugin_files":
        was_by = {str(e[0]): e for e in theirs if isinstance(e, list) and e}
        now_by = {str(e[0]): e for e in ours if isinstance(e, list) and e}
        changed = sorted(n for n in was_by.keys() | now_by.keys()
                         if was_by.get(n) != now_by.get(n))
        return (f"decided with other plugin files ({', '.join(changed) or 'unreadable'}: "
                "a file changed since the run started, its version did not): resume with "
                "the files the run started with")
    what = "plugin set" if key == "plugins" else "rule packs"
    return f"decided with another {what} ({change}): resume with the ones the run started with"


def _check_decision(where: str, doc: Mapping[str, Any], run: Mapping[str, Any]) -> None:
    """A kept JSONL decision was made under this run's terms."""
    receipt = doc.get("receipt")
    if not isinstance(receipt, dict):
        raise _fail(where, f"not a decision (its receipt is not an object): {_START_AGAIN}")
    terms = _receipt_terms(receipt)
    for key in _RECEIPT_TERMS:
        if terms[key] != run[key]:
            raise InputError(where, [Problem(
                f"$.receipt.{key}", f"{_differs(key, terms[key], run[key])}, or {_START_AGAIN}")])
    if doc.get("explain") is not None and not run["explain"]:
        raise InputError(where, [Problem(
            "$.explain", f"{_differs('explain', True, False)}, or {_START_AGAIN}")])


def _check_record(partial: Path, run: Mapping[str, Any]) -> None:
    """The partial's run record, when it has one, holds this run's terms."""
    record = run_record(partial)
    again = f"delete {partial.name} and {record.name} to start again"
    try:
        text = record.read_text(encoding="utf-8")
    except FileNotFoundError:
        return  # written by an earlier threshold: its receipts were checked
    except (OSError, UnicodeDecodeError) as exc:
        raise _fail(str(record), f"cannot be read ({exc}): {again}") from None
    try:
        kept = json.loads(text)
    except ValueError:
        kept = None
    if not (isinstance(kept, dict)
            and all(type(kept.get(k)) is t for k, t in _TYPES.items())
            and all(isinstance(i, list) for k in ("plugins", "packs", "plugin_files")
                    for i in kept[k])):
        raise _fail(str(record), f"not a run record of threshold batch: {again}")
    for key in _TERMS:
        if kept[key] != run[key]:
            raise InputError(str(record), [Problem(
                f"$.{key}", f"{_differs(key, kept[key], run[key])}, or {again}")])
