"""Modules the ``threshold`` command imports but seldom uses, run only if something uses them.

protobuf imports ``google.protobuf.internal.python_message`` from ``descriptor_pool`` and
from the builder every generated ``_pb2`` module calls, whichever implementation of
messages it uses. With its default one, upb (C), nothing reads that module: its functions
serve messages of the pure-Python implementation only. Importing it imports
``text_format``, the wire format's decoder and encoder, the repeated-field containers
(and ``pickle`` for them), ``type_checkers`` and more: about 19 modules, about 10 ms of
``threshold evaluate``, whose declarative pack hands CEL protobuf values.

While the ``threshold`` command runs (never ``import threshold_core``), and only when
protobuf's implementation is upb (``api_implementation.Type()``, which protobuf has decided
by then), that module is found, made and put in place as always, but its code runs when
something first reads an attribute it does not have yet: then it runs in the same module
object, which is an ordinary module from then on, as if it had been imported then. (The
import system's own reads, ``__file__``, ``__cached__``, ``__path__``, do not run it.) An
error its code raises is raised to that first reader, as an import would have raised it.
The modules protobuf's upb messages need (``well_known_types``, ``text_format`` to print a
message) they import themselves when they need them.

The same holds, with any implementation, for four standard modules that the command's
libraries import by name (``import x``) and read only inside functions that an evaluation
never calls (:data:`ALWAYS`): ``tokenize`` and ``token`` (``inspect`` and ``linecache``,
which click and attrs import: ``tokenize.open`` reads a source file for a traceback),
``ipaddress`` (``urllib.parse``, which ``pathlib`` imports: a bracketed host in a URL) and
``copy`` (attrs, ``dataclasses``: a deep copy). Their module code builds patterns, tables
and classes, about 2.5 ms of every start; none registers anything elsewhere. For these the
deferring starts at the command's first import (:mod:`._startup`, before the console
script imports click) and :func:`deferring` keeps it first on ``sys.meta_path`` while the
command runs.
"""

from __future__ import annotations

import contextlib
import sys
import threading
from collections.abc import Iterator
from types import ModuleType
from typing import Any

#: protobuf's module whose code runs on first use when its implementation is upb.
PROTOBUF = "google.protobuf.internal.python_message"
#: Standard modules whose code runs on first use, whatever the implementation of protobuf.
ALWAYS = frozenset({"tokenize", "token", "ipaddress", "copy"})
#: The modules whose code runs on first use.
DEFERRED = ALWAYS | {PROTOBUF}
#: What the import system reads of a module it makes: never a use.
_IMPORT_NAMES = frozenset({"__file__", "__cached__", "__path__"})
_LOCK = threading.RLock()


class _Deferred(ModuleType):
    """A module whose code has not run yet: the first read of a name it lacks runs it."""

    def __getattr__(self, name: str) -> Any:
        if name in _IMPORT_NAMES:
            raise AttributeError(name)
        with _LOCK:
            if type(self) is _Deferred:
                self.__class__ = ModuleType  # type: ignore[assignment]
                self.__spec__.loader.exec_module(self)  # type: ignore[union-attr]
        return getattr(self, name)


class _Loader:
    """The module's own loader, its code not run until first use."""

    def __init__(self, loader: Any) -> None:
        self.loader = loader

    def create_module(self, spec: Any) -> ModuleType:
        return _Deferred(spec.name)

    def exec_module(self, module: ModuleType) -> None:
        module.__loader__ = self.loader
        if module.__spec__ is not None:
            module.__spec__.loader = self.loader


class _Finder:
    """A ``sys.meta_path`` entry: :data:`DEFERRED` modules, as the entries after it find
    them, with their code run on first use (protobuf's: upb only)."""

    def find_spec(self, name: str, path: Any = None, target: Any = None) -> Any:
        if name not in DEFERRED or target is not None:
            return None
        if name == PROTOBUF:
            api = sys.modules.get("google.protobuf.internal.api_implementation")
            try:
                if api is None or api.Type() != "upb":
                    return None
            except Exception:
                return None
        finders = sys.meta_path[sys.meta_path.index(self) + 1:] if self in sys.meta_path else []
        for finder in finders:
            find = getattr(finder, "find_spec", None)
            spec = find(name, path, target) if find is not None else None
            if spec is not None:
                if spec.loader is None or not hasattr(spec.loader, "exec_module"):
                    return None
                spec.loader = _Loader(spec.loader)
                return spec
        return None


#: The command's finder, from its first import (:func:`start`) to the end of :func:`deferring`.
_STARTED: list[_Finder] = []


def start() -> None:
    """Defer from now on (the ``threshold`` command's first import, :mod:`._startup`); the
    command's :func:`deferring` block takes the finder over and removes it at its end."""
    if not _STARTED:
        _STARTED.append(_Finder())
        sys.meta_path.insert(0, _STARTED[0])


@contextlib.contextmanager
def deferring() -> Iterator[None]:
    """:data:`DEFERRED` modules imported while the block runs run their code on first use
    (the finder first on ``sys.meta_path``, before the finders the block's caches put there)."""
    finder = _STARTED.pop() if _STARTED else _Finder()
    with contextlib.suppress(ValueError):
        sys.meta_path.remove(finder)
    sys.meta_path.insert(0, finder)
    try:
        yield
    finally:
        with contextlib.suppress(ValueError):
            sys.meta_path.remove(finder)
