"""The profile's CEL types and CEL's type check of each expression, cached for the
command's start-up.

A declarative pack compiles each expression twice (:mod:`._cel`): in the checking
environment, declared with the profile's message types (:mod:`._schema`), and in
the running one. Declaring the types means building protobuf descriptors from the
model in memory (about 4 ms with the import of ``descriptor_pb2``), and checking
costs about as much as compiling (the built-in pack's 17 expressions: about 2 ms).
The types are a function of the model's code; what the check returns (the
serialised checked expression and its type) is a function of the expression, the
types and the CEL library. The ``threshold`` command (:func:`use`, never ``import
threshold_core``) keeps both in one small file in its cache folder, valid for one
key: a digest of the source of the model's modules and of the modules that declare
and check the types, the Python version, protobuf's version and the CEL library's
file (path, size, modification time). Another key, an unreadable or foreign file:
everything is built and checked as before and the file is rewritten (atomically: a
temporary file, then a rename; when two commands write at once one's additions are
lost, which only costs a check next time). An expression CEL refuses is never kept:
its messages come from the check every time. The running environment compiles every
expression as before, and the types reach it and the checking environment the same
way whether built or read (serialised, then added to a descriptor pool).

Each expression's program in the running environment is kept too, as the CEL library
serialises it (``Expression.serialize``, after the checked division of :mod:`._arith`),
and made again by the library's ``Env.deserialize``, which plans the kept program without
parsing its text (about a sixteenth of compiling it: the built-in pack's conditions in
0.15 ms against 2.4 ms). What runs is the library's own program, the round trip every
expression with a ``/`` always took; the key above includes ``_arith.py``. (The library
readies its conversion of Python dates only in ``compile``, so a process compiles one
constant before it deserialises anything: :func:`._cel._kept_running`.)

What threshold reads from a checked expression (:func:`._checked.analyze_checked`: the
paths it reads, its problems) is a function of the checked expression and of the
analysing module's source (part of the key), so it is kept beside the check (about
0.1 ms an expression, 1.5 ms for the built-in pack).
"""

from __future__ import annotations

import contextlib
import marshal
import os
import sys
import zlib
from pathlib import Path
from typing import Any

from ..model import blake2b
from ._checked import Analysis, analyze_checked
from ._fields import Reference

_FORMAT = "threshold-cel-checks-3"
#: The modules whose source the types, checks and running programs follow from, besides the
#: model's (``_arith.py``: the running program's checked division).
_OWN = ("_arith.py", "_cel.py", "_checkcache.py", "_checked.py", "_fields.py", "_schema.py")


class _File:
    """The cache file: read on first use, written by :func:`save` when something was added."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.key = ""
        self.types: bytes | None = None
        self.checked: dict[str, tuple[bytes, str]] = {}
        #: Each checked expression's analysis, as plain tuples (see :func:`analysis`).
        self.analyses: dict[bytes, tuple[Any, ...]] = {}
        #: Each expression's program in the running environment, as the library serialises it.
        self.running: dict[str, bytes] = {}
        self.loaded = False
        self.changed = False

    def load(self) -> _File:
        if not self.loaded:
            self.loaded = True
            self.key = _key()
            with contextlib.suppress(OSError, ValueError, EOFError, TypeError):
                data = _unsealed(self.path.read_bytes())
                if _valid(data, self.key):
                    self.types, self.checked = data[2], dict(data[3])
                    self.analyses, self.running = dict(data[4]), dict(data[5])
        return self


_current: _File | None = None


def use(path: Path | None) -> None:
    """Serve the types and checks from the file ``path`` (None: build and check, keep nothing)."""
    global _current
    _current = _File(path) if path is not None else None


def types() -> bytes | None:
    """The profile's types as a serialised ``FileDescriptorProto``, when the file holds them."""
    return _current.load().types if _current is not None else None


def keep_types(serialized: bytes) -> None:
    if _current is not None and _current.load().types != serialized:
        _current.types, _current.changed = serialized, True


def checked(source: str) -> tuple[bytes, str] | None:
    """``(checked expression, type name)`` of ``source``, when the file holds them."""
    return _current.load().checked.get(source) if _current is not None else None


def keep_checked(source: str, checked_expr: bytes, type_name: str) -> None:
    if _current is not None and _current.load().checked.get(source) != (checked_expr, type_name):
        _current.checked[source] = (checked_expr, type_name)
        _current.changed = True


def keeping() -> bool:
    """Whether the command's cache is in use (what is kept is worth serialising)."""
    return _current is not None


def running(source: str) -> bytes | None:
    """``source``'s program in the running environment as the CEL library serialised it
    (``Expression.serialize``), when the file holds it."""
    return _current.load().running.get(source) if _current is not None else None


def keep_running(source: str, wire: bytes) -> None:
    if _current is not None and _current.load().running.get(source) != wire:
        _current.running[source] = wire
        _current.changed = True


def analysed(checked_expr: bytes) -> Analysis:
    """:func:`._checked.analyze_checked` of ``checked_expr``: from the file when it holds
    it, else analysed (and kept when the expression has no problem)."""
    found = analysis(checked_expr)
    if found is None:
        found = analyze_checked(checked_expr)
        keep_analysis(checked_expr, found)
    return found


def analysis(checked_expr: bytes) -> Analysis | None:
    """The analysis of ``checked_expr`` (:func:`._checked.analyze_checked`), when the file
    holds it."""
    if _current is None:
        return None
    kept = _current.load().analyses.get(checked_expr)
    if kept is None:
        return None
    problems, references, whole, variables, fields, figure_fields = kept
    return Analysis(problems, tuple(Reference(*r) for r in references), whole, variables,
                    fields, figure_fields)


def keep_analysis(checked_expr: bytes, found: Analysis) -> None:
    if _current is not None and not found.problems:
        plain = (found.problems, tuple(tuple(r) for r in found.references), found.whole,
                 found.variables, found.fields, found.figure_fields)
        if _current.load().analyses.get(checked_expr) != plain:
            _current.analyses[checked_expr] = plain
            _current.changed = True


def _unsealed(raw: bytes) -> Any:
    """The file's data: its CRC-32 (the first 4 bytes) checked first, so a damaged file is
    ignored (None) rather than unmarshalled into checks the CEL library refuses."""
    if zlib.crc32(memoryview(raw)[4:]) != int.from_bytes(raw[:4], "big"):
        return None
    return marshal.loads(memoryview(raw)[4:])


def save() -> None:
    """Write what was added (merged with the file as it is now), then stop; never raises."""
    global _current
    file, _current = _current, None
    if file is None or not file.changed:
        return
    import tempfile

    with contextlib.suppress(OSError, ValueError):
        checked_now, analyses_now = dict(file.checked), dict(file.analyses)
        running_now = dict(file.running)
        with contextlib.suppress(OSError, ValueError, EOFError, TypeError):
            data = _unsealed(file.path.read_bytes())
            if _valid(data, file.key):
                checked_now = {**data[3], **checked_now}
                analyses_now = {**data[4], **analyses_now}
                running_now = {**data[5], **running_now}
        file.path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{file.path.name}.", dir=file.path.parent)
        try:
            body = marshal.dumps((_FORMAT, file.key, file.types, checked_now, analyses_now,
                                  running_now))
            with os.fdopen(fd, "wb") as fh:
                fh.write(zlib.crc32(body).to_bytes(4, "big") + body)
            os.replace(tmp, file.path)
        finally:
            with contextlib.suppress(OSError):
                os.unlink(tmp)


def _valid(data: object, key: str) -> bool:
    if not (isinstance(data, tuple) and len(data) == 6 and data[0] == _FORMAT
            and data[1] == key and (data[2] is None or isinstance(data[2], bytes))
            and isinstance(data[3], dict) and isinstance(data[4], dict)
            and isinstance(data[5], dict)):
        return False
    if not all(isinstance(k, str) and isinstance(v, bytes) for k, v in data[5].items()):
        return False
    return all(isinstance(k, str) and isinstance(v, tuple) and len(v) == 2
               and isinstance(v[0], bytes) and isinstance(v[1], str)
               for k, v in data[3].items()) and all(
        isinstance(k, bytes) and isinstance(v, tuple) and len(v) == 6
        for k, v in data[4].items())


def _key() -> str:
    """The digest the file is valid for (see the module docstring)."""
    import google.protobuf  # type: ignore[import-untyped]

    from ._cel import cel_module

    library = cel_module().__file__ or ""
    st = os.stat(library)
    digest = blake2b(digest_size=20)
    digest.update("\0".join((_FORMAT, sys.version, google.protobuf.__version__, library,
                             str(st.st_size), str(st.st_mtime_ns), "")).encode())
    here = Path(__file__).parent
    model = here.parent / "model"
    for path in [*sorted(model.glob("*.py")), here.parent / "errors.py",
                 *(here / name for name in _OWN)]:
        digest.update(f"{path.name}\0".encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()
