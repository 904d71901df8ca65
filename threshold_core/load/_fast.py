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
import typing
from collections.abc import Callable
from datetime import date
from typing import Any

import attrs
import cattrs

from ..model import INT64_RANGE, Figure, positional_builder
from . import _recipes, _types
from ._scalars import checked_date
from ._types import Warmup, optional_inner

_INT_LOW, _INT_HIGH = INT64_RANGE

#: Documents of a class structured by the converter before its function is generated
#: (about 2 ms to generate and compile the profile's 42 functions, which a single
#: ``threshold evaluate`` never pays).
GENERATE_AFTER = _types.GENERATE_AFTER

#: (class, converter, finishing) -> its function, or None for a class that has none.
_FUNCTIONS: dict[tuple[type, int, bool], Callable[..., Any] | None] = {}
_USES = Warmup(first_use=True)


def fast_function(cls: type, conv: cattrs.Converter, finishing: bool = False
                  ) -> Callable[..., Any] | None:
    """The generated first attempt for ``cls`` (a dict in, the object out), or None while
    the class has been structured fewer than :data:`GENERATE_AFTER` times, or when it has
    no such function.

    ``finishing``: the function also does what :func:`~._finish.finish` does after
    structuring (``f(document, source, as_of)``): it gives bare figures their section's
    ``source`` and ``as_of`` and upper-cases currency codes as it builds them, and fails
    on a number out of its documented range or a currency that is no code (for the long
    way, which names them). A class whose walk copies a shared default has none.
    """
    try:
        return _FUNCTIONS[cls, id(conv), finishing]
    except KeyError:
        pass
    if not _USES.due((cls, finishing), GENERATE_AFTER):
        return None
    return _generate(cls, conv, finishing)


class _Unknown(Exception):
    """A key the class does not have (the detailed converter names it)."""


def _simple(cls: type) -> bool:
    return attrs.has(cls) and all(a.init and a.alias == a.name
                                  for a in attrs.fields(cls))


def _generate(cls: type, conv: cattrs.Converter, finishing: bool = False
              ) -> Callable[..., Any] | None:
    # Imported here: the walk's module reads the configuration's, which needs the converter.
    from ._config import currency_code
    from ._finish import _plan

    key = (cls, id(conv), finishing)

    def namespace() -> dict[str, Any]:
        return {"MISSING": _MISSING, "Unknown": _Unknown, "cls": cls, "figure": _FIGURE,
                "fromisoformat": checked_date, "set": object.__setattr__,
                "code_of": currency_code, "names": frozenset(a.name for a in attrs.fields(cls))}

    # Registered before the body is built, so that a class that holds itself finds it.
    _FUNCTIONS[key] = None
    made = _recipes.replay(  # the threshold command's recipe of it, when it has one
        cls, finishing, namespace, conv,
        lambda tp, walk: _FUNCTIONS.get((tp, id(conv), walk)) if (tp, id(conv), walk)
        in _FUNCTIONS else _generate(tp, conv, walk), lambda: positional_builder(cls))
    if made is not None:
        _FUNCTIONS[key] = made
        return made  # type: ignore[no-any-return]
    plan = {name: (kind, bounds) for name, kind, bounds in _plan(cls)} if finishing else {}
    if not _simple(cls) or (finishing and not _walkable(cls)):
        _FUNCTIONS[key] = None
        return None
    ns = namespace()
    counter = iter(range(1_000_000))

    def name_of(value: Any, prefix: str) -> str:
        key = f"{prefix}{next(counter)}"
        ns[key] = value
        return key

    def lazy_hook(tp: Any) -> str:
        """The name of the converter's hook for ``tp``, looked up on its first call."""
        key = f"h{next(counter)}"
        ns[key] = _LazyHook(conv, tp, ns, key)
        return key

    def hook(tp: Any) -> str:
        return f"{lazy_hook(tp)}(v, {name_of(tp, 't')})"

    def nested(tp: type, walk: bool = False) -> str | None:
        """The name of ``tp``'s generated function (generated now), or None."""
        at = (tp, id(conv), walk)
        fn = _FUNCTIONS[at] if at in _FUNCTIONS else _generate(tp, conv, walk)
        if fn is None and (tp is not cls or walk is not finishing):
            return None
        if tp is cls and walk is finishing:  # itself: looked up when called
            return "self_fn"
        return name_of(fn, "f")

    def convert(tp: Any, pad: str) -> list[str]:
        """Statements that turn ``v`` into what the converter's hook for ``tp`` returns."""
        inner = optional_inner(tp)
        if inner is not None:
            body = convert(inner, pad + "    ")
            return [f"{pad}if v is not None:", *body] if body else []
        if tp is str:
            return [f"{pad}if v.__class__ is not str or not v.isascii():",
                    f"{pad}    v = {hook(tp)}"]
        if tp is float:
            return [f"{pad}if v.__class__ is not float or v - v != 0.0:",
                    f"{pad}    v = {hook(tp)}"]
        if tp is int:  # beyond 64 bits: the hook names it
            return [f"{pad}if v.__class__ is not int or not {_INT_LOW} <= v <= {_INT_HIGH}:",
                    f"{pad}    v = {hook(tp)}"]
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
            item_hook = lazy_hook(args[0])
            item = name_of(args[0], "t")
            return [f"{pad}if v.__class__ is list:",
                    f"{pad}    v = tuple([{fn}(x) if x.__class__ is dict else "
                    f"{item_hook}(x, {item}) for x in v])",
                    f"{pad}else:", f"{pad}    v = {hook(tp)}"]
        return [f"{pad}v = {hook(tp)}"]

    def walked(tp: Any, name: str, pad: str) -> list[str]:
        """:func:`convert`, then what the walk does to the field ``name`` (finishing)."""
        kind, bounds = plan.get(name, (None, None))
        inner = optional_inner(tp)
        if kind is None or (inner is not None and kind in ("node", "nodes", "figure")):
            if kind is None:
                return convert(tp, pad)
            return [f"{pad}if v is not None:", *walked(inner, name, pad + "    ")]
        out = []
        if kind == "figure":
            out = [f"{pad}if v.__class__ is float and v - v == 0.0:",
                   f"{pad}    v = figure(v, source or None, as_of or None, None)",
                   f"{pad}else:", *convert(tp, pad + "    "),
                   f"{pad}    if v.source is None and source:",
                   f"{pad}        set(v, 'source', source)",
                   f"{pad}    if v.as_of is None and as_of:",
                   f"{pad}        set(v, 'as_of', as_of)"]
        elif kind == "node":
            fn = nested(tp, True)
            if fn is None:
                raise _NotWalkable
            out = [f"{pad}if v.__class__ is not dict:", f"{pad}    raise Unknown",
                   f"{pad}v = {fn}(v, source, as_of)"]
        elif kind == "nodes":
            fn = nested(typing.get_args(inner if inner is not None else tp)[0], True)
            if fn is None:
                raise _NotWalkable
            out = [f"{pad}if v.__class__ is not list:", f"{pad}    raise Unknown",
                   f"{pad}v = tuple([{fn}(x, source, as_of) for x in v])"]
        else:
            out = convert(tp, pad)
        if bounds is not None:  # a number out of its range: the long way names it
            low, high = bounds
            number = "v.value" if kind == "figure" else "v"
            test = " and ".join([*([f"n >= {low!r}"] if low is not None else []),
                                 *([f"n <= {high!r}"] if high is not None else [])])
            lines = [f"{pad}n = {number}", f"{pad}if not ({test}):", f"{pad}    raise Unknown"]
            out += ([f"{pad}if v is not None:", *(f"    {x}" for x in lines)]
                    if inner is not None else lines)
        if kind == "currency":  # the walk's check, and its upper-case code
            check = [f"{pad}code = code_of(v)",
                     f"{pad}if len(code) != 3 or not (code.isascii() and code.isalpha()):",
                     f"{pad}    raise Unknown",
                     f"{pad}if code != v:", f"{pad}    v = code"]
            out += ([f"{pad}if v is not None:", *(f"    {x}" for x in check)]
                    if inner is not None else check)
        return out

    fields = attrs.fields(attrs.resolve_types(cls))
    build: Any = positional_builder(cls)
    if build is cls or any(isinstance(a.default, attrs.Factory)  # type: ignore[arg-type]
                           and a.default.takes_self for a in fields):
        if finishing:
            _FUNCTIONS[key] = None
            return None
        body = _keyword_body(fields, convert)
    else:  # every field given, as attrs' __init__ would fill in the missing ones
        ns["build"] = build
        try:
            body = (_positional_body(fields, walked, name_of, first=("source", "as_of"))
                    if finishing else
                    _positional_body(fields, lambda tp, _name, pad: convert(tp, pad), name_of))
        except _NotWalkable:
            _FUNCTIONS[key] = None
            return None
    body = ["    if not o.keys() <= names:", "        raise Unknown", *body]
    signature = "o, source, as_of" if finishing else "o"
    source = f"def structure({signature}):\n" + "\n".join(body) + "\n"
    code = compile(source, f"<threshold first attempt {cls.__qualname__}>", "exec")
    exec(code, ns)
    _recipes.record(cls, finishing, source, code, ns, _FUNCTIONS)
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


def _positional_body(fields: Any, convert: Callable[[Any, str, str], list[str]],
                     name_of: Callable[[Any, str], str], first: tuple[str, ...] = ()
                     ) -> list[str]:
    """``build(...)`` (:func:`~threshold_core.model.positional_builder`) with every field:
    a missing one gets its default, the very object attrs' ``__init__`` would give it
    (or a new one from its factory).

    The fields named in ``first`` are read first, and then become the local of that name
    when they are set (``source = a3 or source``): a section's own ``source`` and
    ``as_of`` are what its figures inherit."""
    names = [a.name for a in fields]
    order = [names.index(n) for n in first if n in names]
    order += [i for i in range(len(fields)) if i not in order]
    body = []
    for i in order:
        a = fields[i]
        if a.default is attrs.NOTHING:
            body.append(f"    v = o[{a.name!r}]")
            body += convert(a.type, a.name, "    ")
            body.append(f"    a{i} = v")
        else:
            default = a.default
            made = (f"{name_of(default.factory, 'd')}()"
                    if isinstance(default, attrs.Factory)  # type: ignore[arg-type]
                    else name_of(default, "d"))
            body.append(f"    v = o.get({a.name!r}, MISSING)")
            body.append("    if v is MISSING:")
            body.append(f"        a{i} = {made}")
            body.append("    else:")
            body += convert(a.type, a.name, "        ")
            body.append(f"        a{i} = v")
        if a.name in first:
            body.append(f"    {a.name} = a{i} or {a.name}")
    args = ", ".join(f"a{i}" for i in range(len(fields)))
    return [*body, f"    return build({args})"]


def _walkable(cls: type) -> bool:
    """Whether the walk of ``cls`` is only what a finishing function does: its ``source``
    and ``as_of``, when it has them, are fields, and it copies no shared default."""
    from ._finish import _plan, _shared_default

    names = {a.name for a in attrs.fields(cls)}
    if any(hasattr(cls, k) and k not in names for k in ("source", "as_of")):
        return False
    by_name = {a.name: a for a in attrs.fields(cls)}
    return all(_shared_default(by_name[name]) is None for name, kind, _ in _plan(cls)
               if kind in ("figure", "node", "nodes"))


class _LazyHook:
    """The converter's hook for a type, looked up when a value first needs it (cattrs
    generates a class's structure function when its hook is first asked for); it then
    takes its own place in the generated function's globals."""

    __slots__ = ("conv", "key", "ns", "tp")

    def __init__(self, conv: cattrs.Converter, tp: Any, ns: dict[str, Any], key: str) -> None:
        self.conv, self.tp, self.ns, self.key = conv, tp, ns, key

    def __call__(self, value: Any, tp: Any) -> Any:
        hook = self.conv.get_structure_hook(self.tp)
        self.ns[self.key] = hook
        return hook(value, tp)


class _NotWalkable(Exception):
    """A class inside has no finishing function."""


_MISSING = object()
#: ``Figure(value, None, None, None)``: what the figure hook builds from a bare number.
_FIGURE = positional_builder(Figure)
