"""The first attempt at structuring, generated per class once a process has structured a
class's documents a few times (used by :func:`threshold_core.load.structure`).

cattrs' generated structure function calls a hook for every value, and the converter's
hooks for an optional value, a table and an array wrap the inner hook in one more call.
Most values of a valid document are a plain string, number, boolean, enum value or table
that the hook would return unchanged (or, for a figure written as a bare number, wrap in
a :class:`~threshold_core.model.Figure`). The function generated here tests for those
inline and calls the converter's own hook (the first attempt's, see
:func:`~threshold_core.load._converter.make_converter`) for anything else, so it returns
what that converter returns, built by the same ``__init__`` call with the same keyword
arguments, and fails wherever it fails. Any failure sends the document to the detailed
converter, which names every problem.

Only attrs classes whose fields are all set by ``__init__`` under their own names get a
function; another class is structured by the converter as before.
"""

from __future__ import annotations

import enum
import types
import typing
from collections.abc import Callable
from datetime import date
from typing import Any

import attrs
import cattrs

from ..model import Figure, positional_builder

#: Documents of a class structured by the converter before its function is generated
#: (about 2 ms to generate and compile the profile's 42 functions, which a single
#: ``threshold evaluate`` never pays).
GENERATE_AFTER = 32

#: (class, converter) -> its function, or None for a class that has none.
_FUNCTIONS: dict[tuple[type, int], Callable[[Any], Any] | None] = {}
_SEEN: dict[type, int] = {}


def fast_function(cls: type, conv: cattrs.Converter) -> Callable[[Any], Any] | None:
    """The generated first attempt for ``cls`` (a dict in, the object out), or None while
    the class has been structured fewer than :data:`GENERATE_AFTER` times, or when it has
    no such function."""
    try:
        return _FUNCTIONS[cls, id(conv)]
    except KeyError:
        pass
    seen = _SEEN.get(cls, 0)
    if seen < GENERATE_AFTER:
        _SEEN[cls] = seen + 1
        return None
    return _generate(cls, conv)


class _Unknown(Exception):
    """A key the class does not have (the detailed converter names it)."""


def _simple(cls: type) -> bool:
    return attrs.has(cls) and all(a.init and a.alias == a.name
                                  for a in attrs.fields(cls))


def _optional_inner(tp: Any) -> Any:
    """``X`` for ``X | None``, else None."""
    if typing.get_origin(tp) in (typing.Union, types.UnionType):
        args = typing.get_args(tp)
        if len(args) == 2 and type(None) in args:
            return args[0] if args[1] is type(None) else args[1]
    return None


def _generate(cls: type, conv: cattrs.Converter) -> Callable[[Any], Any] | None:
    key = (cls, id(conv))
    if not _simple(cls):
        _FUNCTIONS[key] = None
        return None
    ns: dict[str, Any] = {"MISSING": _MISSING, "Unknown": _Unknown, "cls": cls,
                          "figure": _FIGURE, "fromisoformat": date.fromisoformat,
                          "names": frozenset(a.name for a in attrs.fields(cls))}
    # Registered before the body is built, so that a class that holds itself finds it.
    _FUNCTIONS[key] = None
    counter = iter(range(1_000_000))

    def name_of(value: Any, prefix: str) -> str:
        key = f"{prefix}{next(counter)}"
        ns[key] = value
        return key

    def hook(tp: Any) -> str:
        return f"{name_of(conv.get_structure_hook(tp), 'h')}(v, {name_of(tp, 't')})"

    def nested(tp: type) -> str | None:
        """The name of ``tp``'s generated function (generated now), or None."""
        fn = _FUNCTIONS[tp, id(conv)] if (tp, id(conv)) in _FUNCTIONS else _generate(tp, conv)
        if fn is None and tp is not cls:
            return None
        if tp is cls:  # itself: looked up when called
            return "self_fn"
        return name_of(fn, "f")

    def convert(tp: Any, pad: str) -> list[str]:
        """Statements that turn ``v`` into what the converter's hook for ``tp`` returns."""
        inner = _optional_inner(tp)
        if inner is not None:
            body = convert(inner, pad + "    ")
            return [f"{pad}if v is not None:", *body] if body else []
        if tp is str:
            return [f"{pad}if v.__class__ is not str or not v.isascii():",
                    f"{pad}    v = {hook(tp)}"]
        if tp is float:
            return [f"{pad}if v.__class__ is not float or v - v != 0.0:",
                    f"{pad}    v = {hook(tp)}"]
        if tp is int:
            return [f"{pad}if v.__class__ is not int:", f"{pad}    v = {hook(tp)}"]
        if tp is bool:
            return [f"{pad}if v is not True and v is not False:", f"{pad}    v = {hook(tp)}"]
        if isinstance(tp, type) and issubclass(tp, enum.Enum):
            members = name_of(tp._value2member_map_, "m")
            return [f"{pad}m = {members}.get(v) if v.__class__ is str else None",
                    f"{pad}v = {hook(tp)} if m is None else m"]
        if tp is date:  # the hook's own reading of a string (it refuses a date-time)
            return [f"{pad}v = fromisoformat(v) if v.__class__ is str else {hook(tp)}"]
        if tp is Figure:
            table = nested(Figure)
            return [f"{pad}if v.__class__ is float and v - v == 0.0:",
                    f"{pad}    v = figure(v, None, None, None)",
                    *([f"{pad}elif v.__class__ is dict:", f"{pad}    v = {table}(v)"]
                      if table else []),
                    f"{pad}else:", f"{pad}    v = {hook(tp)}"]
        if isinstance(tp, type) and attrs.has(tp) and (fn := nested(tp)) is not None:
            return [f"{pad}v = {fn}(v) if v.__class__ is dict else {hook(tp)}"]
        args = typing.get_args(tp)
        if (typing.get_origin(tp) is tuple and len(args) == 2 and args[1] is Ellipsis
                and isinstance(args[0], type) and attrs.has(args[0])
                and (fn := nested(args[0])) is not None):
            item_hook = name_of(conv.get_structure_hook(args[0]), "h")
            item = name_of(args[0], "t")
            return [f"{pad}if v.__class__ is list:",
                    f"{pad}    v = tuple([{fn}(x) if x.__class__ is dict else "
                    f"{item_hook}(x, {item}) for x in v])",
                    f"{pad}else:", f"{pad}    v = {hook(tp)}"]
        return [f"{pad}v = {hook(tp)}"]

    fields = attrs.fields(attrs.resolve_types(cls))
    build: Any = positional_builder(cls)
    if build is cls or any(isinstance(a.default, attrs.Factory)  # type: ignore[arg-type]
                           and a.default.takes_self for a in fields):
        body = _keyword_body(fields, convert)
    else:  # every field given, as attrs' __init__ would fill in the missing ones
        ns["build"] = build
        body = _positional_body(fields, convert, name_of)
    body = ["    if not o.keys() <= names:", "        raise Unknown", *body]
    source = "def structure(o):\n" + "\n".join(body) + "\n"
    exec(compile(source, f"<threshold first attempt {cls.__qualname__}>", "exec"), ns)
    fn = ns["structure"]
    ns["self_fn"] = fn
    _FUNCTIONS[key] = fn
    return fn  # type: ignore[no-any-return]


def _keyword_body(fields: Any, convert: Callable[[Any, str], list[str]]) -> list[str]:
    """``cls(**res)`` with a keyword for each key of the document, as cattrs calls it."""
    body = ["    res = {}"]
    for a in fields:
        if a.default is attrs.NOTHING:
            body.append(f"    v = o[{a.name!r}]")
            body += convert(a.type, "    ")
            body.append(f"    res[{a.name!r}] = v")
        else:
            body.append(f"    v = o.get({a.name!r}, MISSING)")
            body.append("    if v is not MISSING:")
            body += convert(a.type, "        ")
            body.append(f"        res[{a.name!r}] = v")
    return [*body, "    return cls(**res)"]


def _positional_body(fields: Any, convert: Callable[[Any, str], list[str]],
                     name_of: Callable[[Any, str], str]) -> list[str]:
    """``build(...)`` (:func:`~threshold_core.model.positional_builder`) with every field:
    a missing one gets its default, the very object attrs' ``__init__`` would give it
    (or a new one from its factory)."""
    body = []
    for i, a in enumerate(fields):
        if a.default is attrs.NOTHING:
            body.append(f"    v = o[{a.name!r}]")
            body += convert(a.type, "    ")
            body.append(f"    a{i} = v")
            continue
        default = a.default
        made = (f"{name_of(default.factory, 'd')}()"
                if isinstance(default, attrs.Factory)  # type: ignore[arg-type]
                else name_of(default, "d"))
        body.append(f"    v = o.get({a.name!r}, MISSING)")
        body.append("    if v is MISSING:")
        body.append(f"        a{i} = {made}")
        body.append("    else:")
        body += convert(a.type, "        ")
        body.append(f"        a{i} = v")
    args = ", ".join(f"a{i}" for i in range(len(fields)))
    return [*body, f"    return build({args})"]


_MISSING = object()
#: ``Figure(value, None, None, None)``: what the figure hook builds from a bare number.
_FIGURE = positional_builder(Figure)
