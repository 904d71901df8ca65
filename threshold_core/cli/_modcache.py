"""The bytecode of the modules the command imports in one file, for its start-up.

``threshold evaluate`` imports about 120 modules of threshold and its built-in plugins and
about 150 submodules of its libraries and the standard library (attrs, cattrs, pluggy,
protobuf, tomllib, json...) once the command has started. For each, Python's path finder
looks the name up in its folder, the loader checks the source file's time and size, then
opens and reads the module's ``__pycache__`` file and unmarshals its code: about 10 ms of
the command for threshold's own, of which the unmarshalling is a third, and 5-6 ms of
CPU (much of it in the kernel: opening and reading 150 files) for the others. The
``threshold`` command (never ``import threshold_core``) keeps the marshalled code of every
submodule it imported from source through the path finder (threshold's, its plugins',
its libraries', the standard library's) in one file per installation, beside its other
start-up caches (``modules-<python>-<installation>.marshal``), read once per command.
Top-level modules (``typing``, ``click``), and what the console script imports before
the command starts (click and what it needs), are imported as always.

A module is served from that file only as a submodule of a package imported from the
folder it was recorded in, and only while its source file has the size and modification
time (in nanoseconds) it had when its code was recorded, the check Python's bytecode cache
makes (in whole seconds). The module is then made as the path finder makes it (the same
file location, loader class and attributes, ``__file__``, ``__cached__``, ``__path__``);
only its code comes from the file, the very code object its ``__pycache__`` file holds
(recorded from the standard loader's own ``get_code``). Anything else, a new or edited
module, a top-level package, an unreadable or foreign file: the path finder imports it
as always, and the command records its code for the next one (the file is rewritten
atomically, only when a command recorded something). ``THRESHOLD_NO_CACHE=1`` turns it
off with the other caches.
"""

from __future__ import annotations

import contextlib
import marshal
import mmap
import os
import sys
import zlib
from collections.abc import Iterator
from importlib.machinery import PathFinder, SourceFileLoader
from importlib.util import MAGIC_NUMBER, spec_from_file_location
from pathlib import Path
from types import CodeType
from typing import Any

from ._metapath import on_meta_path
from ._sealed import write_file

_FORMAT = "threshold-modcache-3"
#: An entry: the source file, whether it is a package's ``__init__``, the folder of the
#: package it was imported from, the source's modification time (ns) and size, the code
#: (marshalled; from the file, a view of it, unmarshalled only when the module is imported)
#: and its CRC-32 (a damaged file's code is never run: the module is imported as always).
_Entry = tuple[str, bool, str, int, int, "bytes | memoryview", int]
#: The file: this tag, the length of the index (8 bytes), the index (``marshal`` of
#: ``(_FORMAT, {name: (origin, is_package, parent, mtime, size, offset, length, crc)})``),
#: then the modules' code one after the other (offsets from the end of the index). The file
#: is mapped, not read: a command touches only the pages of the modules it imports.
_MAGIC = b"thresholdmodules"


class ModuleCache:
    """A ``sys.meta_path`` entry serving the command's submodules' code from one file."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.entries = _read(path)
        #: Entries recorded by this command (new or changed modules).
        self.added: dict[str, _Entry] = {}

    def find_spec(self, name: str, path: Any = None, target: Any = None) -> Any:
        if path is None or target is not None:  # a top-level module, or a reload
            return None
        entry = self.entries.get(name)
        if entry is not None:
            origin, is_package, parent, mtime, size, code, crc = entry
            if list(path) == [parent] and zlib.crc32(code) == crc:
                try:
                    st = os.stat(origin)
                except (OSError, ValueError):
                    st = None
                if st is not None and (st.st_mtime_ns, st.st_size) == (mtime, size):
                    return spec_from_file_location(
                        name, origin, loader=_Loader(name, origin, code),
                        submodule_search_locations=[os.path.dirname(origin)]
                        if is_package else None)
        # Found as always; its code is recorded when the standard loader has made it.
        spec = PathFinder.find_spec(name, path)
        if (spec is not None and type(spec.loader) is SourceFileLoader
                and spec.origin and len(list(path)) == 1):
            spec.loader = _Recorder(name, spec.origin, self, str(next(iter(path))))
        return spec

    def record(self, name: str, origin: str, parent: str, code: CodeType) -> None:
        with contextlib.suppress(OSError, ValueError):
            st = os.stat(origin)
            data = marshal.dumps(code)
            self.added[name] = (origin, os.path.basename(origin) == "__init__.py", parent,
                                st.st_mtime_ns, st.st_size, data, zlib.crc32(data))

    def save(self) -> None:
        """Write what this command recorded (merged with the file as it is now); never raises."""
        if not self.added:
            return
        with contextlib.suppress(OSError, ValueError):
            merged = _read(self.path)
            merged.update(self.added)
            index, blobs, offset = {}, [], 0
            for name, (origin, is_package, parent, mtime, size, code, crc) in merged.items():
                index[name] = (origin, is_package, parent, mtime, size, offset, len(code), crc)
                blobs.append(bytes(code))
                offset += len(code)
            head = marshal.dumps((_FORMAT, index))
            write_file(self.path, b"".join(
                [_MAGIC, len(head).to_bytes(8, "big"), head, *blobs]))


class _Loader(SourceFileLoader):
    """The standard loader, with the module's code from the file."""

    def __init__(self, fullname: str, path: str, code: bytes | memoryview) -> None:
        super().__init__(fullname, path)
        self._code = code

    def get_code(self, fullname: str) -> Any:
        if fullname == self.name:
            with contextlib.suppress(ValueError, EOFError, TypeError):
                code = marshal.loads(self._code)
                if isinstance(code, CodeType):
                    return code
        return super().get_code(fullname)


class _Recorder(SourceFileLoader):
    """The standard loader; the code it makes is recorded for the next command."""

    def __init__(self, fullname: str, path: str, cache: ModuleCache, parent: str) -> None:
        super().__init__(fullname, path)
        self._cache = cache
        self._parent = parent

    def get_code(self, fullname: str) -> Any:
        code = super().get_code(fullname)
        if fullname == self.name and isinstance(code, CodeType):
            self._cache.record(fullname, self.path, self._parent, code)
        return code


def _read(path: Path) -> dict[str, _Entry]:
    """The file's entries; empty when it is missing, unreadable or not ours."""
    try:
        with open(path, "rb") as fh:
            data = memoryview(mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ))
        start = len(_MAGIC) + 8
        if bytes(data[:len(_MAGIC)]) != _MAGIC:
            return {}
        end = start + int.from_bytes(data[len(_MAGIC):start], "big")
        found = marshal.loads(data[start:end])
    except (OSError, ValueError, EOFError, TypeError):
        return {}
    if not (isinstance(found, tuple) and len(found) == 2 and found[0] == _FORMAT
            and isinstance(found[1], dict)):
        return {}
    entries: dict[str, _Entry] = {}
    for name, entry in found[1].items():
        if not (isinstance(name, str) and isinstance(entry, tuple) and len(entry) == 8
                and isinstance(entry[0], str) and isinstance(entry[2], str)
                and all(type(x) is int for x in entry[3:])
                and end + entry[5] + entry[6] <= len(data)):
            return {}
        origin, is_package, parent, mtime, size, offset, length, crc = entry
        entries[name] = (origin, is_package, parent, mtime, size,
                         data[end + offset:end + offset + length], crc)
    return entries


_ACTIVE: list[ModuleCache] = []


def active() -> ModuleCache | None:
    """The module cache in place now (:func:`serving`), or None."""
    return _ACTIVE[-1] if _ACTIVE else None


@contextlib.contextmanager
def serving(folder: Path | None, installation: str) -> Iterator[ModuleCache | None]:
    """Serve the command's submodules from the cache in ``folder`` while the block runs, then
    save what was recorded. ``folder`` None (the caches are off): nothing is served."""
    if folder is None:
        yield None
        return
    # (``python -O`` compiles other code: its own file, as its own ``.opt-1.pyc``.)
    kind = f"modules-opt{sys.flags.optimize}" if sys.flags.optimize else "modules"
    tag = f"{sys.implementation.cache_tag}-{MAGIC_NUMBER.hex()}-{installation}"
    cache = ModuleCache(folder / f"{kind}-{tag}.marshal")
    try:
        with on_meta_path(cache, _ACTIVE, cache):
            yield cache
    finally:
        cache.save()
