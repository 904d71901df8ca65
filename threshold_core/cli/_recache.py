"""The regular expressions the command compiles, kept compiled, for its start-up.

``threshold evaluate`` compiles about 60 regular expressions as it starts, most of them
while the standard library's and its libraries' modules are imported (``platform``'s nine,
through ``uuid``, which click imports; ``json``'s, ``tomllib``'s, ``gettext``'s,
``string``'s, ``tokenize``'s, protobuf's) and the rest threshold's own: about 8 to 10 ms of
``re``'s compiler, which is pure Python (parsing the pattern, then generating the engine's
code), the same work in every process. What the compiler hands the regular-expression
engine is a list of integers and the pattern's groups; ``_sre.compile`` makes the pattern
object from them in a few microseconds.

The ``threshold`` command (never ``import threshold_core``) keeps that output for each
pattern and flags it compiled, in one file per Python and installation beside its other
start-up caches (``regex-<python>-<installation>.marshal``), and makes those patterns from
it from then on, from its first import (click's are compiled when the console script
imports the command group). A pattern is kept only when the one made from the kept output
equals the one ``re``'s compiler made (the same pattern, flags, engine code, groups and
group names); the file is read only for the same Python version and engine
(``_sre.MAGIC``, ``_sre.CODESIZE``) and only whole and intact (a sealed file: its CRC-32);
an entry the engine refuses, a ``DEBUG`` pattern, a pattern that is not exactly a
``str`` or ``bytes``: ``re`` compiles it as always. ``THRESHOLD_NO_CACHE=1`` turns it off
with the other caches.
"""

from __future__ import annotations

import contextlib
import marshal
import re
import sys
from pathlib import Path
from typing import Any

from ._sealed import read_file, write_sealed

#: ``re``'s compiler (``re._compiler``, Python 3.11 and later): its ``compile`` is served.
_COMPILER: Any = sys.modules[re.__name__ + "._compiler"]
#: Past this many entries a write keeps only what the writing command used.
MAX_ENTRIES = 1000
_FORMAT = "threshold-regex-1"
#: An entry: the pattern's flags, the engine's code, the number of groups (less one), the
#: group names' numbers and each group's name (as ``re._compiler.compile`` hands them on).
_Entry = tuple[int, list[int], int, dict[str, int], tuple[str | None, ...]]


def _tag() -> tuple[str, str, int, int]:
    """What a file must have been written for: this format, Python and engine."""
    engine = _COMPILER._sre
    return (_FORMAT, sys.version, engine.MAGIC, engine.CODESIZE)


class RegexCache:
    """``re._compiler.compile`` served from the file's kept compiler output."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.entries: dict[tuple[str | bytes, int], _Entry] = read_file(path, _tag())
        #: Entries this command used or added (what a write keeps when the file is full).
        self.used: dict[tuple[str | bytes, int], _Entry] = {}
        self.added = 0
        #: ``re``'s own compiler function.
        self.compile = _COMPILER.compile

    def serve(self, pattern: Any, flags: Any = 0) -> Any:
        """``re._compiler.compile``: the pattern made from its kept output when there is one."""
        if (type(pattern) is not str and type(pattern) is not bytes) or type(flags) is not int \
                or flags & re.DEBUG:
            return self.compile(pattern, flags)
        key = (pattern, flags)
        entry = self.entries.get(key)
        if entry is not None:
            with contextlib.suppress(Exception):  # (an entry the engine refuses: compiled)
                made = _COMPILER._sre.compile(pattern, *entry)
                self.used[key] = entry
                return made
        made = self.compile(pattern, flags)
        entry = _output(pattern, flags)
        if entry is not None and _same(made, pattern, entry):
            self.entries[key] = self.used[key] = entry
            self.added += 1
        return made

    def save(self) -> None:
        """Write what this command added (merged with the file as it is now); never raises."""
        if not self.added:
            return
        with contextlib.suppress(OSError, ValueError):
            merged = read_file(self.path, _tag())
            merged.update(self.used)
            if len(merged) > MAX_ENTRIES:
                merged = dict(self.used)
            write_sealed(self.path, marshal.dumps((_tag(), merged)))


def _output(pattern: str | bytes, flags: int) -> _Entry | None:
    """What ``re._compiler.compile`` hands the engine for ``pattern``, as plain values."""
    try:
        parsed = _COMPILER._parser.parse(pattern, flags)
        code = [int(op) for op in _COMPILER._code(parsed, flags)]
        state = parsed.state
        names: list[str | None] = [None] * state.groups
        for name, number in state.groupdict.items():
            names[number] = name
        return (flags | state.flags, code, state.groups - 1, dict(state.groupdict),
                tuple(names))
    except Exception:  # (another Python's compiler: nothing is kept)
        return None


def _same(made: Any, pattern: str | bytes, entry: _Entry) -> bool:
    """Whether the pattern made from ``entry`` is ``made``: the pattern, flags and engine
    code (the engine's own comparison), the groups and their names."""
    try:
        again = _COMPILER._sre.compile(pattern, *entry)
    except Exception:
        return False
    return bool(again == made and again.groups == made.groups
                and dict(again.groupindex) == dict(made.groupindex))


_ACTIVE: list[RegexCache] = []


def install() -> None:
    """Serve ``re``'s compiler from the cache until :func:`finish` (nothing when the caches
    are off or it is in place already)."""
    from ._codecache import cache_dir, installation

    folder = cache_dir()
    if folder is None or _ACTIVE:
        return
    from importlib.util import MAGIC_NUMBER

    tag = f"{sys.implementation.cache_tag}-{MAGIC_NUMBER.hex()}-{installation()}"
    cache = RegexCache(folder / f"regex-{tag}.marshal")
    _COMPILER.compile = cache.serve
    _ACTIVE.append(cache)


def finish() -> None:
    """``re``'s compiler as it was, and what the command added written to the file."""
    while _ACTIVE:
        cache = _ACTIVE.pop()
        if _COMPILER.compile == cache.serve:
            _COMPILER.compile = cache.compile
        cache.save()
