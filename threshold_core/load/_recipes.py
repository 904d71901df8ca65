"""Recipes of the loader's generated first-attempt functions (:mod:`._fast`), kept by the
``threshold`` command between processes.

Generating the function that structures a profile in one pass reads each of its 42
classes' fields, resolves their annotations, plans the walk and writes the source: about
5 ms of a ``threshold evaluate``, although the compiled code already comes from the cache
of generated code. A recipe keeps, for one class, the compiled code and where each name
the code reads comes from: a field's default or factory (by the field's position), an
enum's members (by the enum's module and name), another class's generated function (by
the class, made the same way) or the converter's hook for a field's type. A hook is
looked up, as before, only when a value first needs it; its type is then read from the
class's resolved fields along the recorded path (which field, then a union's member or
a type argument), the very object generation handed it.

A recipe is valid while the source files of the class's module, of every class and enum
it names and of the generator's own modules have the size and modification time (ns)
they had when it was recorded; otherwise the function is generated as before (and
recorded again). Only the ``threshold`` command uses recipes (:func:`use_recipes`, with
its other start-up caches, which keep them in a file); a library caller generates as
always. The functions made either way return the same objects or fail on the same
documents: any failure sends a document the long way, which names every problem.
"""

from __future__ import annotations

import marshal
import os
import re
import sys
import typing
from collections.abc import Callable
from types import CodeType
from typing import Any

import attrs

from ._types import optional_inner

#: The modules whose code decides what is generated.
GENERATORS = ("threshold_core.load._fast", "threshold_core.load._finish",
              "threshold_core.load._types", "threshold_core.load._recipes",
              "threshold_core.load._config", "threshold_core.model._builders")
#: Names of the generated code's namespace that are made as generation makes them.
BASE = frozenset({"MISSING", "Unknown", "cls", "figure", "fromisoformat", "set", "code_of",
                  "names", "build", "self_fn", "structure"})
_PAIR = re.compile(r"\b(h\d+)\([vx], (t\d+)\)")

#: The recipes in use, by :func:`key_of`, and those recorded by this process.
_IN_USE: list[dict[str, Any]] = []
_ADDED: dict[str, Any] = {}
_STATS: dict[str, tuple[str, int, int] | None] = {}

Recipe = tuple[tuple[tuple[str, int, int], ...], bytes, bool, tuple[tuple[Any, ...], ...]]


def use_recipes(recipes: dict[str, Any] | None) -> None:
    """Structure with these recipes and record new ones (None: neither, the default)."""
    _IN_USE.clear()
    _ADDED.clear()
    _STATS.clear()
    if recipes is not None:
        _IN_USE.append(recipes)


def recorded_recipes() -> dict[str, Any]:
    """The recipes recorded since :func:`use_recipes` (for the command to save)."""
    return dict(_ADDED)


def key_of(cls: type, finishing: bool) -> str | None:
    if "<locals>" in cls.__qualname__:
        return None
    return f"{cls.__module__}:{cls.__qualname__}:{int(finishing)}"


def _stat(module: str) -> tuple[str, int, int] | None:
    if module in sys.builtin_module_names:
        return (module, 0, 0)
    if module not in _STATS:
        path = getattr(sys.modules.get(module), "__file__", None)
        try:
            st = os.stat(path) if path else None
        except OSError:
            st = None
        _STATS[module] = (module, st.st_size, st.st_mtime_ns) if st is not None else None
    return _STATS[module]


def kept_source(key: str) -> Any:
    """What :func:`keep_source` kept under ``key`` (a generated function's source and
    whatever its generator needs besides), while the source files of the modules it was
    kept with are unchanged; None otherwise, or when recipes are not in use."""
    entry = _IN_USE[0].get(key) if _IN_USE else None
    try:
        tag, stamps, kept = entry  # type: ignore[misc]
        if tag == "source" and all(_stat(s[0]) == tuple(s) for s in stamps):
            return kept
    except Exception:  # no entry, or one of another shape: generated as before
        pass
    return None


def keep_source(key: str, kept: Any, classes: Any, generators: tuple[str, ...]) -> None:
    """Keep ``kept`` (marshallable) for :func:`kept_source` when recipes are in use: valid
    while the source files of the ``generators`` modules, of each class's module and its
    bases' and of every other module of their packages (so a type alias one of them
    defines for another's annotations) are unchanged."""
    if not _IN_USE:
        return
    modules: set[str] = set()
    for cls in classes:
        if "<locals>" in cls.__qualname__:
            return
        modules.update(k.__module__ for k in cls.__mro__[:-1])
    for package in {m.rpartition(".")[0] for m in modules} - {""}:
        modules.update(m for m in list(sys.modules) if m.startswith(f"{package}."))
    modules.update(generators)
    stamps = [_stat(m) for m in sorted(modules)]
    if all(s is not None for s in stamps):
        _ADDED[key] = ("source", tuple(stamps), kept)


def _class(module: str, qualname: str) -> Any:
    value: Any = sys.modules[module]
    for part in qualname.split("."):
        value = getattr(value, part)
    return value


def _candidates(fields: Any) -> list[tuple[tuple[Any, ...], Any]]:
    """Each field's type, a union's member of it and their type arguments, with their paths."""
    out: list[tuple[tuple[Any, ...], Any]] = []
    for a in fields:
        tops: list[tuple[tuple[Any, ...], Any]] = [((a.name,), a.type)]
        inner = optional_inner(a.type)
        if inner is not None:
            tops.append(((a.name, "inner"), inner))
        for path, tp in tops:
            out.append((path, tp))
            out += [((*path, i), arg) for i, arg in enumerate(typing.get_args(tp))]
    return out


def _walk(cls: type, path: tuple[Any, ...]) -> Any:
    fields = {a.name: a for a in attrs.fields(attrs.resolve_types(cls))}
    tp = fields[path[0]].type
    for step in path[1:]:
        tp = optional_inner(tp) if step == "inner" else typing.get_args(tp)[step]
    return tp


def record(cls: type, finishing: bool, source: str, code: CodeType, ns: dict[str, Any],
           functions: dict[tuple[type, int, bool], Any]) -> None:
    """Keep the recipe of ``cls``'s function just generated (when recipes are in use and
    every name of its namespace is one a recipe can say)."""
    key = key_of(cls, finishing)
    if not _IN_USE or key is None:
        return
    try:
        recipe = _recipe(cls, source, code, ns, functions)
    except Exception:  # a shape not foreseen: generated each time
        recipe = None
    if recipe is not None:
        _ADDED[key] = recipe


def _recipe(cls: type, source: str, code: CodeType, ns: dict[str, Any],
            functions: dict[tuple[type, int, bool], Any]) -> Recipe | None:
    fields = attrs.fields(cls)
    candidates = _candidates(fields)
    pairs = dict(_PAIR.findall(source))
    modules = {cls.__module__, *GENERATORS}
    entries: list[tuple[Any, ...]] = []
    for name, value in ns.items():
        if name in BASE or name.startswith("__") or name in pairs.values():
            continue
        entry = _entry(name, value, pairs, fields, candidates, functions, modules)
        if entry is None:
            return None
        entries.append(entry)
    stamps = [_stat(m) for m in sorted(modules)]
    if any(s is None for s in stamps):
        return None
    return (tuple(s for s in stamps if s is not None), marshal.dumps(code), "build" in ns,
            tuple(entries))


def _entry(name: str, value: Any, pairs: dict[str, str], fields: Any,
           candidates: list[tuple[tuple[Any, ...], Any]],
           functions: dict[tuple[type, int, bool], Any], modules: set[str]
           ) -> tuple[Any, ...] | None:
    kind = name[0]
    if kind == "h" and name in pairs:
        tp = value.tp
        if (isinstance(tp, type) and typing.get_origin(tp) is None
                and "<locals>" not in tp.__qualname__
                and _class(tp.__module__, tp.__qualname__) is tp):
            modules.add(tp.__module__)
            return (name, "hook", pairs[name], ("class", tp.__module__, tp.__qualname__))
        path = next((p for p, found in candidates if found is tp), None)
        return None if path is None else (name, "hook", pairs[name], ("path", *path))
    if kind == "m":
        enum = next((tp for _, tp in candidates if isinstance(tp, type)
                     and getattr(tp, "_value2member_map_", None) is value), None)
        if enum is None or "<locals>" in enum.__qualname__:
            return None
        modules.add(enum.__module__)
        return (name, "members", enum.__module__, enum.__qualname__)
    if kind == "d":
        for i, a in enumerate(fields):
            if a.default is value:
                return (name, "default", i)
            if isinstance(a.default, attrs.Factory) and a.default.factory is value:  # type: ignore[arg-type]
                return (name, "factory", i)
        return None
    if kind == "f":
        found = next((k for k, fn in functions.items() if fn is value), None)
        if found is None or "<locals>" in found[0].__qualname__:
            return None
        modules.add(found[0].__module__)
        return (name, "fn", found[0].__module__, found[0].__qualname__, found[2])
    return None


def replay(cls: type, finishing: bool, namespace: Callable[[], dict[str, Any]], conv: Any,
           nested: Callable[[type, bool], Any], build: Callable[[], Any]) -> Any:
    """``cls``'s function made from its recipe (``namespace``: the one generation starts
    with; ``nested``: another class's function), or None: no valid recipe."""
    key = key_of(cls, finishing)
    recipe = _IN_USE[0].get(key) if _IN_USE and key is not None else None
    if recipe is None:
        return None
    try:
        stamps, code_bytes, with_build, entries = recipe
        if any(_stat(s[0]) != tuple(s) for s in stamps):
            return None
        code = marshal.loads(code_bytes)
        if not isinstance(code, CodeType):
            return None
        fields = attrs.fields(cls)
        ns = namespace()
        if with_build:
            ns["build"] = build()
        for name, kind, *data in entries:
            if kind == "hook":
                ns[data[0]] = None  # the type, with the hook, when a value first needs it
                ns[name] = _DeferredHook(conv, cls, tuple(data[1]), ns, name, data[0])
            elif kind == "members":
                ns[name] = _class(data[0], data[1])._value2member_map_
            elif kind == "default":
                ns[name] = fields[data[0]].default
            elif kind == "factory":
                ns[name] = fields[data[0]].default.factory
            elif kind == "fn":
                fn = nested(_class(data[0], data[1]), data[2])
                if fn is None:
                    return None
                ns[name] = fn
            else:
                return None
    except Exception:  # a recipe of another shape: generated as before
        return None
    exec(code, ns)  # the generated function's own code, as generation runs it
    fn = ns["structure"]
    ns["self_fn"] = fn
    return fn


class _DeferredHook:
    """The converter's hook for a field's type, both looked up when a value first needs
    them; they then take their places in the function's globals."""

    __slots__ = ("cls", "conv", "key", "ns", "path", "type_key")

    def __init__(self, conv: Any, cls: type, path: tuple[Any, ...], ns: dict[str, Any],
                 key: str, type_key: str) -> None:
        self.conv, self.cls, self.path, self.ns = conv, cls, path, ns
        self.key, self.type_key = key, type_key

    def __call__(self, value: Any, _tp: Any) -> Any:
        how = self.path
        tp = _class(how[1], how[2]) if how[0] == "class" else _walk(self.cls, how[1:])
        hook = self.conv.get_structure_hook(tp)
        self.ns[self.type_key] = tp
        self.ns[self.key] = hook
        return hook(value, tp)
