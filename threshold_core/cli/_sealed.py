"""The command's start-up cache files, written atomically and read back only whole and
intact (:mod:`._codecache`, :mod:`._classcache`, :mod:`._modcache`)."""

from __future__ import annotations

import contextlib
import marshal
import os
import zlib
from pathlib import Path
from typing import Any

__all__ = ["read_file", "write_file", "write_sealed"]


def write_file(path: Path, data: bytes) -> None:
    """Write a cache file atomically (a temporary file, then a rename, so concurrent
    commands never read half a file). :raises OSError: it cannot be written."""
    import tempfile

    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.replace(tmp, path)
    finally:
        with contextlib.suppress(OSError):
            os.unlink(tmp)


#: The start of a sealed cache file, before the CRC-32 of the rest (:func:`write_sealed`).
_SEAL = b"threshold-sealed-1"


def write_sealed(path: Path, data: bytes) -> None:
    """Write ``data`` as a cache file :func:`read_file` reads back only whole and intact: a
    tag and the CRC-32 of the data before it, so a damaged file (a disk error, a bit
    flipped) is ignored, never unmarshalled into code that runs. :raises OSError: it
    cannot be written."""
    write_file(path, _SEAL + zlib.crc32(data).to_bytes(4, "big") + data)


def read_file(path: Path, tag: object) -> dict[Any, Any]:
    """A sealed cache file's entries (``marshal`` of ``(tag, entries)``, written by
    :func:`write_sealed`); empty when it is missing, unreadable, damaged (its CRC-32 differs)
    or not written with ``tag``."""
    try:
        raw = path.read_bytes()
        head = len(_SEAL) + 4
        if not raw.startswith(_SEAL) or zlib.crc32(memoryview(raw)[head:]) != \
                int.from_bytes(raw[len(_SEAL):head], "big"):
            return {}
        data = marshal.loads(memoryview(raw)[head:])
    except (OSError, ValueError, EOFError, TypeError):
        return {}
    if not (isinstance(data, tuple) and len(data) == 2 and data[0] == tag
            and isinstance(data[1], dict)):
        return {}
    return data[1]
