"""A disk cache of the code attrs and cattrs generate, for the command's start-up.

attrs writes the methods of every class it builds (``__init__``, ``__eq__``,
``__hash__``, ``__repr__``, ...) as Python source and compiles it; cattrs does
the same for its structure and unstructure functions. For ``threshold evaluate``
that is about 230 compilations of 390,000 characters, 60 ms of a cold start,
repeated by every process for the same source. Python caches the bytecode of
modules in ``__pycache__``; this caches the bytecode of the generated source the
same way: keyed by the source itself, so a cached code object is exactly what
``compile`` would return for it.

What it costs and where it lives: one file of about 0.6 MB per Python version and
installation (:func:`installation`) in the user's cache folder
(``$THRESHOLD_CACHE_DIR``, else ``$XDG_CACHE_HOME/threshold`` or
``~/.cache/threshold``; ``%LOCALAPPDATA%\\threshold\\Cache`` on Windows,
``~/Library/Caches/threshold`` on macOS), read once per command and written only
when a command generated source it did not hold (atomically: a temporary file,
then a rename, so concurrent commands never read half a file; when two write at
once one's additions are lost, which only costs a compile next time). Each entry
is kept as its own marshalled bytes and turned into a code object only when a
command asks for it, so entries other commands wrote cost next to nothing.
``THRESHOLD_NO_CACHE=1`` turns it off. Decisions never depend on it: the code
objects are the compiler's own output for the same text, file name, mode and
flags, and an unreadable or foreign file is ignored.

The one part of attrs' source that differs between processes is the constant
that ``__hash__`` mixes in (the hash of a name, which changes with the
interpreter's hash seed). It is left out of the key and the cached code gets
this process's constant back, so hashes are what attrs would compute.

Type annotations: the model's modules use postponed annotations (strings), and
every ``typing.get_type_hints`` (cattrs and the loader resolve each class's
fields) compiles each string again: about 850 compilations of 156 distinct
strings (``str | None``...) in ``threshold evaluate``, 7 ms. The hook serves
``typing``'s ``compile`` (a ``ForwardRef``'s code) from the same cache, and the
cache keeps every code object it has served in memory by its arguments, so a
string compiles at most once per process (a code object is immutable: sharing
it changes nothing).

Only the ``threshold`` command installs it (:func:`installed`), never ``import
threshold_core``: the hook is the ``compile`` name in the code generators'
modules (:data:`SERVED`: the two libraries', ``typing``'s and threshold's own),
which resolves through their module globals before the builtins. A generator
module the command has not imported yet gets it before its own code runs (a
``sys.meta_path`` entry that only watches those names), so attrs' own classes,
built while the command imports attrs, come from the cache too (about 5 ms).
"""

from __future__ import annotations

import builtins
import contextlib
import marshal
import os
import re
import sys
from collections.abc import Callable, Iterator
from importlib.util import MAGIC_NUMBER
from pathlib import Path
from types import CodeType, ModuleType
from typing import Any

from ._client import installation
from ._metapath import on_meta_path
from ._sealed import read_file, write_sealed

try:  # (hashlib's blake2b is this one; importing hashlib would load OpenSSL: model/_digest.py)
    from _blake2 import blake2b
except ImportError:  # pragma: no cover - a Python built without it
    from hashlib import blake2b

__all__ = ["CodeCache", "cache_dir", "installation", "installed"]

#: The future-statement flags ``compile`` inherits from its caller.
_FUTURE_FLAGS = 0x3FE0000
#: attrs' ``__hash__`` constant: ``hash((`` then the number on the next line.
_TYPE_HASH = re.compile(r"(hash\(\(\n[ \t]*)(-?\d+),")
#: Past this many entries a write keeps only what the writing command used.
MAX_ENTRIES = 1500
_FORMAT = "threshold-codecache-3"
#: An entry: the marshalled code object, attrs' hash constant in its source (or None) and
#: where that constant sits in the code (:func:`_places`).
_Entry = tuple[bytes, int | None, tuple[tuple[int, ...], ...]]


def cache_dir() -> Path | None:
    """Where the cache lives (None when ``THRESHOLD_NO_CACHE`` is set to anything but ``0``
    or nothing, as ``THRESHOLD_DISABLE_PLUGIN_AUTOLOAD`` is read)."""
    if os.environ.get("THRESHOLD_NO_CACHE", "").strip() not in ("", "0"):
        return None
    if os.environ.get("THRESHOLD_CACHE_DIR"):
        return Path(os.environ["THRESHOLD_CACHE_DIR"])
    if sys.platform == "win32" and os.environ.get("LOCALAPPDATA"):
        return Path(os.environ["LOCALAPPDATA"]) / "threshold" / "Cache"
    if sys.platform == "darwin":
        return Path.home() / "Library" / "Caches" / "threshold"
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "threshold"


class CodeCache:
    """Code objects of generated source, by a digest of the source, file name and flags."""

    def __init__(self, path: Path) -> None:
        self.path = path
        #: Each entry as it is in the file: the code object marshalled, its constant and
        #: where the constant sits in it (:func:`_places`).
        self._entries: dict[str, _Entry] | None = None
        self.used: dict[str, _Entry] = {}
        self.added = 0
        #: What :meth:`compile` returned, by its arguments (this process only).
        self._served: dict[tuple[str, str, str, int, int], CodeType] = {}
        #: The attrs classes rebuilt while the command runs (:mod:`._classcache`).
        self.classes: list[Any] = []
        #: The file of the loader's recipes (:func:`use_recipes`), beside this one.
        self.recipes: Path | None = None
        self.recipes_used = False

    def _load(self) -> dict[str, _Entry]:
        if self._entries is None:
            self._entries = _read(self.path)
        return self._entries

    def compile(self, source: Any, filename: Any, mode: str, flags: int = 0,
                dont_inherit: bool = False, optimize: int = -1) -> Any:
        """``compile`` for the code generators: from the cache when it holds the source."""
        if not dont_inherit:
            flags |= sys._getframe(1).f_code.co_flags & _FUTURE_FLAGS
        if not isinstance(source, str) or not isinstance(filename, str):
            return builtins.compile(source, filename, mode, flags, True, optimize)
        served = self._served.get((source, filename, mode, flags, optimize))
        if served is not None:
            return served
        # Only attrs' __hash__ has the constant (a substring test first: the regular
        # expression scans the whole text, and most sources are cattrs' functions).
        found = _TYPE_HASH.search(source) if "hash((" in source else None
        keyed = f"{source[:found.start(2)]}#{source[found.end(2):]}" if found else source
        key = blake2b(
            "\0".join((keyed, filename, mode, str(flags), str(optimize))).encode(),
            digest_size=20).hexdigest()
        constant = int(found.group(2)) if found else None
        entry = self._load().get(key)
        code = _code(entry[0]) if entry is not None else None
        if code is None:
            code = builtins.compile(source, filename, mode, flags, True, optimize)
            places = _places(code, constant) if constant is not None else ()
            entry = (marshal.dumps(code), constant, places)
            self._load()[key] = entry
            self.added += 1
        assert entry is not None
        self.used[key] = entry
        if constant is not None and entry[1] is not None and constant != entry[1] and entry[2]:
            code = _swap_constant(code, entry[2], constant)
        self._served[source, filename, mode, flags, optimize] = code
        return code

    def eval(self, source: Any, globals: Any = None, locals: Any = None) -> Any:
        """``eval`` for :data:`EVAL_SERVED` (``collections.namedtuple`` compiles a lambda
        for each named tuple: about 30 us of its 45, 34 times a command): a string compiled
        as ``eval`` compiles it (leading blanks stripped, the caller's future flags, file
        name ``<string>``), from the cache."""
        if type(source) is str and globals is not None:
            flags = sys._getframe(1).f_code.co_flags & _FUTURE_FLAGS
            source = self.compile(source.lstrip(" \t"), "<string>", "eval", flags, True)
        return builtins.eval(source, globals, locals)

    def save(self) -> None:
        """Write what this command added (merged with the file as it is now); never raises."""
        if not self.added:
            return
        with contextlib.suppress(OSError, ValueError):
            merged = _read(self.path)
            merged.update(self.used)
            if len(merged) > MAX_ENTRIES:
                merged = dict(self.used)
            write_sealed(self.path, marshal.dumps((_FORMAT, merged)))


_RECIPES = "threshold-first-attempt-1"


def use_recipes(cache: CodeCache) -> None:
    """The loader's first-profile function made from its recipes in the cache (README,
    Performance: ``load/_recipes.py``), and new ones recorded, saved when the command ends."""
    from ..load import use_recipes as use

    if cache.recipes is not None:
        use(read_file(cache.recipes, _RECIPES))
        cache.recipes_used = True


def save_recipes(cache: CodeCache) -> None:
    """Write the recipes the command recorded (merged with the file as it is now)."""
    load = sys.modules.get("threshold_core.load")
    if not cache.recipes_used or cache.recipes is None or load is None:
        return
    added = load.recorded_recipes()
    load.use_recipes(None)
    if added:
        with contextlib.suppress(OSError, ValueError):
            merged = read_file(cache.recipes, _RECIPES)
            merged.update(added)
            write_sealed(cache.recipes, marshal.dumps((_RECIPES, merged)))


def _read(path: Path) -> dict[str, _Entry]:
    """The file's entries; empty when it is missing, unreadable or not ours."""
    entries = read_file(path, _FORMAT)
    if not all(isinstance(k, str) and isinstance(v, tuple) and len(v) == 3
               and isinstance(v[0], bytes) and isinstance(v[2], tuple)
               for k, v in entries.items()):
        return {}
    return entries


def _code(data: bytes) -> CodeType | None:
    """An entry's code object; None when its bytes are not one (the entry is replaced)."""
    try:
        code = marshal.loads(data)
    except (ValueError, EOFError, TypeError):
        return None
    return code if isinstance(code, CodeType) else None


def _places(code: CodeType, constant: int) -> tuple[tuple[int, ...], ...]:
    """Where the integer ``constant`` sits in ``code`` and its nested code: each place the
    indices into ``co_consts`` leading to it."""
    found: list[tuple[int, ...]] = []
    for i, c in enumerate(code.co_consts):
        if type(c) is int and c == constant:
            found.append((i,))
        elif type(c) is CodeType:
            found += [(i, *inner) for inner in _places(c, constant)]
    return tuple(found)


def _swap_constant(code: CodeType, places: tuple[tuple[int, ...], ...], new: int) -> CodeType:
    """``code`` with the constant at each of ``places`` (:func:`_places`) replaced by ``new``."""
    consts = list(code.co_consts)
    for first in dict.fromkeys(place[0] for place in places):
        inner = tuple(place[1:] for place in places if place[0] == first and len(place) > 1)
        consts[first] = _swap_constant(consts[first], inner, new) if inner else new
    return code.replace(co_consts=tuple(consts))


#: The code generators served: attrs' and cattrs' (and ``typing``'s, for string
#: annotations), and threshold's own (the model's positional builders, the loader's first
#: attempt and finishing walk, the receipt's canonical arrays, the decision writer, the
#: declarative packs' CEL view of a profile and its figures).
#: The modules whose ``eval`` of a string is served likewise (imported before any command).
EVAL_SERVED = ("collections",)
SERVED = ("typing", "attr._make", "cattrs.gen", "threshold_core.model._builders",
          "threshold_core.load._fast", "threshold_core.load._finish",
          "threshold_core.load._canonical", "threshold_core.load._writer",
          "threshold_core.load._native",
          "threshold_core.declarative._projection")


class _ServeOnImport:
    """A ``sys.meta_path`` entry that finds nothing itself: when one of :data:`SERVED` is
    imported, its module gets the cache's ``compile`` before its code runs (attrs builds
    its own classes, ``Attribute``, the validators, while it is imported)."""

    def __init__(self, cache: CodeCache, modules: list[ModuleType],
                 classes: Callable[[ModuleType], None]) -> None:
        self.cache = cache
        self.modules = modules
        self.classes = classes

    def find_spec(self, name: str, path: Any = None, target: Any = None) -> Any:
        if name not in SERVED:
            return None
        from importlib.machinery import PathFinder

        from ._modcache import active

        modules = active()  # threshold's own modules' code, kept by the module cache
        spec = modules.find_spec(name, path, target) if modules is not None else None
        if spec is None:
            spec = PathFinder.find_spec(name, path, target)
        loader = spec.loader if spec is not None else None
        if loader is None or not hasattr(loader, "exec_module"):
            return None
        run = loader.exec_module

        def exec_module(module: ModuleType) -> None:
            module.compile = self.cache.compile  # type: ignore[attr-defined]
            self.modules.append(module)
            run(module)
            if name == "attr._make":
                self.classes(module)

        loader.exec_module = exec_module  # type: ignore[method-assign]
        return spec


_ACTIVE: list[CodeCache] = []


def active() -> CodeCache | None:
    """The cache serving the command's code generators now (:func:`installed`), or None."""
    return _ACTIVE[-1] if _ACTIVE else None


@contextlib.contextmanager
def installed() -> Iterator[CodeCache | None]:
    """Serve the code generators' ``compile`` (:data:`SERVED`) from the cache while the
    block runs, then save. A generator already imported is served from now on; one
    imported later, from before its module's code runs."""
    folder = cache_dir()
    if folder is None:
        yield None
        return
    tag = f"{sys.implementation.cache_tag}-{MAGIC_NUMBER.hex()}-{installation()}"
    cache = CodeCache(folder / f"generated-code-{tag}.marshal")
    cache.recipes = folder / f"first-attempt-{tag}.marshal"
    modules = [sys.modules[name] for name in SERVED if name in sys.modules]
    for module in modules:
        module.compile = cache.compile  # type: ignore[attr-defined]
    evaluating = [sys.modules[name] for name in EVAL_SERVED if name in sys.modules]
    for module in evaluating:
        module.eval = cache.eval  # type: ignore[attr-defined]
    # attrs' classes, rebuilt from what attrs made of them before (._classcache).
    classes = cache.classes

    def replay_classes(make: ModuleType) -> None:
        from ._classcache import ClassCache

        with contextlib.suppress(AttributeError, OSError, TypeError):
            recorder = ClassCache(folder / f"classes-{tag}.marshal", make)
            recorder.install()
            classes.append(recorder)

    if "attr._make" in sys.modules:
        replay_classes(sys.modules["attr._make"])
    try:
        with on_meta_path(_ServeOnImport(cache, modules, replay_classes), _ACTIVE, cache):
            yield cache
    finally:
        for module in modules:
            if getattr(module, "compile", None) == cache.compile:
                del module.compile
        for module in evaluating:
            if getattr(module, "eval", None) == cache.eval:
                del module.eval
        for recorder in classes:
            recorder.uninstall()
            recorder.save()
        cache.save()
        save_recipes(cache)
        # The CEL types and checks, when the command's engine used their cache.
        declarative = sys.modules.get("threshold_core.declarative")
        if declarative is not None:
            declarative.save_check_cache()
        # Other installations' stale files (at most once a day: one stat otherwise).
        from ._cacheprune import prune

        prune(folder, installation())
