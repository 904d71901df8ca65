"""Where decisions go: ``OUTPUT.partial``, resumed or new, renamed at the end; progress."""

from __future__ import annotations

import json
import os
import sys
import time
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import IO, Any

from ..errors import cannot_write, kept_mode, not_written
from ._resume import done_ids, run_record


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



def bytes_writer(stream: IO[str]) -> Callable[[bytes | memoryview], None]:
    """Writes UTF-8 lines to a text stream: straight to its binary buffer when it has one
    (stdout), else decoded; ``b""`` flushes."""
    buffer = getattr(stream, "buffer", None)
    if buffer is None:
        def write_text(data: bytes | memoryview) -> None:
            stream.write(str(data, "utf-8"))
            if not data:
                stream.flush()

        return write_text
    stream.flush()  # what was written as text goes first

    def write(data: bytes | memoryview) -> None:
        buffer.write(data)
        if not data:
            buffer.flush()

    return write


#: The partial output's buffer.
_BLOCK = 1 << 20


def open_partial(partial: Path, output: Path, fmt: str, header: list[str], resume: bool,
                 run: Mapping[str, Any] | None = None) -> tuple[IO[bytes], set[str], bool]:
    """The partial output opened for appending, the ids it holds, and whether it is new.

    ``run`` is this run's record (:func:`~._resume.done_ids`): a resumed partial is held
    to it, and a new one gets it beside it (``OUTPUT.partial.run``) before its first
    decision, so that a later ``--resume`` can be held to it.
    """
    try:
        partial.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise cannot_write(output, exc, f"creating its folder {partial.parent}") from None
    if partial.is_dir():
        raise not_written(partial, "is a folder, not a partial output file: move it away")
    done: set[str] = set()
    record = run_record(partial)
    if record.is_dir():
        raise not_written(record, "is a folder, not the partial output's run record: move it "
                                  "away")
    if resume:
        done = done_ids(partial, fmt, header, run)
    doing = f"removing the partial output {partial} of an earlier run"
    try:
        if not resume and (partial.exists() or partial.is_symlink()):
            partial.unlink()
        new_file = not partial.exists() or partial.stat().st_size == 0
        if run is not None and new_file:
            _write_record(record, run, output)
        doing = f"opening the partial output {partial}"
        # Written in blocks of 1 MiB rather than 8 KiB: a decision line is about 40 kB, and
        # the file system's cost per write halves (what a kill loses, --resume redoes).
        return partial.open("ab", buffering=_BLOCK), done, new_file
    except OSError as exc:
        raise cannot_write(output, exc, doing) from None


def guarded(write: Callable[[bytes | memoryview], object], output: Path,
            doing: str) -> Callable[[bytes | memoryview], object]:
    """``write``, whose failure (a full disk) is :func:`cannot_write` naming ``output``."""
    def write_or_fail(data: bytes | memoryview) -> object:
        try:
            return write(data)
        except OSError as exc:
            raise cannot_write(output, exc, doing) from None

    return write_or_fail


def close_or_fail(sink: IO[bytes], output: Path, doing: str) -> None:
    """Close ``sink`` (its last block written): a failure is :func:`cannot_write`."""
    try:
        sink.close()
    except OSError as exc:
        raise cannot_write(output, exc, doing) from None



def _write_record(record: Path, run: Mapping[str, Any], output: Path) -> None:
    """The run record, written whole (a temporary file renamed) before the first decision.

    :raises InputError: it cannot be written (naming the output and the record).
    """
    tmp = record.with_name(f".{record.name}.tmp")
    try:
        tmp.write_text(json.dumps(dict(run), indent=1) + "\n", encoding="utf-8")
        os.replace(tmp, record)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise cannot_write(output, exc, f"writing its run record {record}") from None


def finish(partial: Path, output: Path, workbook: bool, numeric: tuple[str, ...]) -> None:
    """Turn a complete ``partial`` into ``output`` (a workbook of its CSV rows when asked)."""
    if workbook:
        from ._xlsx import write_workbook

        tmp = output.with_name(f".{output.name}.tmp.xlsx")
        doing = f"writing the workbook to {tmp}"
        try:
            write_workbook(partial, tmp, numeric=numeric)
            doing = f"renaming {tmp} over it"
            os.chmod(tmp, kept_mode(output, os.stat(tmp).st_mode & 0o7777))
            os.replace(tmp, output)
        except OSError as exc:
            tmp.unlink(missing_ok=True)
            raise cannot_write(output, exc, doing) from None
        partial.unlink()
        run_record(partial).unlink(missing_ok=True)
        return
    try:
        os.chmod(partial, kept_mode(output, os.stat(partial).st_mode & 0o7777))
        os.replace(partial, output)
    except OSError as exc:
        raise cannot_write(output, exc, f"renaming the partial output {partial} over it"
                           ) from None
    finally:
        if not partial.exists():
            run_record(partial).unlink(missing_ok=True)
