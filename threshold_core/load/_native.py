"""A profile decoded natively from a JSON line (msgspec), for ``threshold batch``.

:func:`profile_from_line` gives the profile :func:`profile_from_data` makes of
``parse_json(text)``, the very same objects, or None when it cannot say so for certain;
the caller then goes the usual way, which names every problem. msgspec decodes the
line's bytes in one native pass into structs that mirror the profile's classes (a
figure's field takes a bare number or a table; unknown keys, a wrong type, an enum
value that is none of its members, a date that is not ``YYYY-MM-DD``, a number beyond
the float range: all refused), then a function generated per class builds the attrs
objects from them, doing what the loader's one-pass function does after structuring:
a bare figure's ``source`` and ``as_of`` from its section, currency codes upper-case,
no number outside its documented range and no date outside ``DATE_RANGE`` (else None).

What msgspec would read otherwise than the json module is left to the usual way: a
key given twice (msgspec keeps the last: the structs written back must hold as many
quote characters as the line, as in :func:`~._reading.parse_json`), a quote written
``\\u0022``, a number that may have 19 digits or more, and anything with an
``extensions`` section (the engine's plugins declare its types). A profile with a
problem only the whole profile shows (``_semantic_problems``) goes that way too.
"""

from __future__ import annotations

import enum
import typing
from collections.abc import Callable
from datetime import date
from typing import Any

import attrs

from ..model import CompanyProfile, Figure, builds_positionally
from ._profiles import _semantic_problems
from ._reading import _long_integer_possible
from ._scalars import DATE_RANGE
from ._types import optional_inner

__all__ = ["profile_from_line"]

#: Scalar types whose values msgspec reads as the converter's strict hooks do (a date: only
#: ``YYYY-MM-DD``, a subset of what ``date.fromisoformat`` reads).
_SCALARS = (str, int, float, bool, date)


class _Unsupported(Exception):
    """A field type this module does not mirror: the class has no native decoder."""


class _Refused(Exception):
    """A value the usual way must name (out of range, not a currency code)."""


def profile_from_line(text: str) -> CompanyProfile | None:
    """The validated profile of a JSON line (an object), or None: the usual way decides."""
    decoder = _DECODER[0]
    if decoder is None:
        decoder = _decoder()
    if decoder is False:
        return None
    decode, encode, build = decoder
    raw = text.encode("utf-8", "surrogatepass")
    if b"\\u0022" in raw or _long_integer_possible(raw):
        return None
    try:
        struct = decode(raw)
        if encode(struct).count(b'"') != raw.count(b'"'):  # a key given twice
            return None
        profile: CompanyProfile = build(struct, None, None)
    except Exception:  # msgspec's refusal, or _Refused: the usual way names it
        return None
    return None if _semantic_problems(profile) else profile


#: ``(decode, encode, build)`` once made, False when the profile cannot be mirrored.
_DECODER: list[Any] = [None]


def _decoder() -> Any:
    import msgspec

    try:
        structs: dict[type, Any] = {}
        root = _struct_of(CompanyProfile, structs, msgspec)
        build = _Builds(msgspec.UNSET).compiled(CompanyProfile)
    except _Unsupported:
        _DECODER[0] = False
        return False
    made = (msgspec.json.Decoder(root).decode, msgspec.json.Encoder().encode, build)
    _DECODER[0] = made
    return made


def _fields(cls: type) -> tuple[Any, ...]:
    from ._fast import _simple, _walkable

    if not builds_positionally(cls) or (cls is not Figure and (
            not _simple(cls) or not _walkable(cls))):
        raise _Unsupported(cls.__qualname__)
    fields = attrs.fields(attrs.resolve_types(cls))
    if any(isinstance(a.default, attrs.Factory)  # type: ignore[arg-type]
           for a in fields if not (cls is CompanyProfile and a.name == "extensions")):
        raise _Unsupported(cls.__qualname__)
    return fields  # type: ignore[no-any-return]


def _struct_of(cls: type, structs: dict[type, Any], msgspec: Any) -> Any:
    """The msgspec struct mirroring ``cls``: the same field names and order; a field
    with a default defaults to ``UNSET``, so that written back the struct holds exactly
    the line's keys and strings."""
    if cls in structs:
        return structs[cls]
    fields: list[tuple[Any, ...]] = []
    for a in _fields(cls):
        if a.name == "extensions" and cls is CompanyProfile:
            continue  # a line with extensions is left to the usual way
        tp = _mirror(a.type, structs, msgspec)
        if a.default is attrs.NOTHING:
            fields.append((a.name, tp))
        else:
            fields.append((a.name, tp | msgspec.UnsetType, msgspec.UNSET))
    made = msgspec.defstruct(f"{cls.__name__}Line", fields, forbid_unknown_fields=True)
    structs[cls] = made
    return made


def _mirror(tp: Any, structs: dict[type, Any], msgspec: Any) -> Any:
    inner = optional_inner(tp)
    if inner is not None:
        return _mirror(inner, structs, msgspec) | None
    if tp is Figure:
        return float | _struct_of(Figure, structs, msgspec)
    if tp in _SCALARS or (isinstance(tp, type) and issubclass(tp, enum.Enum)):
        return tp
    if isinstance(tp, type) and attrs.has(tp):
        return _struct_of(tp, structs, msgspec)
    args = typing.get_args(tp)
    if typing.get_origin(tp) is tuple and len(args) == 2 and args[1] is Ellipsis and (
            args[0] in _SCALARS or (isinstance(args[0], type)
                                    and (issubclass(args[0], enum.Enum) or
                                         (attrs.has(args[0]) and args[0] is not Figure)))):
        return tuple[_mirror(args[0], structs, msgspec), ...]  # type: ignore[misc]
    raise _Unsupported(repr(tp))


class _Builds:
    """The generated ``b<n>(struct, source, as_of)`` of each class: the attrs object, as
    the loader's one-pass function builds it from the same document (its slots set as
    :func:`~threshold_core.model.positional_builder` sets them), all compiled at once."""

    def __init__(self, unset: Any) -> None:
        from ._config import currency_code

        self.ns: dict[str, Any] = {"UNSET": unset, "Refused": _Refused, "new": object.__new__,
                                   "code_of": currency_code, "Date": date,
                                   "EARLIEST": DATE_RANGE[0], "LATEST": DATE_RANGE[1]}
        self.names: dict[type, str] = {}
        self.source: list[str] = []

    def compiled(self, root: type) -> Callable[..., Any]:
        self.name_of(root)
        code = compile("\n".join(self.source), "<threshold line decoder>", "exec")
        exec(code, self.ns)
        return self.ns[self.names[root]]  # type: ignore[no-any-return]

    def put(self, value: Any, prefix: str) -> str:
        key = f"{prefix}{len(self.ns)}"
        self.ns[key] = value
        return key

    def name_of(self, cls: type) -> str:
        if cls not in self.names:
            self.names[cls] = f"b{len(self.names)}"
            self.source.append(self.function(cls))
        return self.names[cls]

    def convert(self, tp: Any, kind: str | None, bounds: Any, pad: str) -> list[str]:
        """Statements turning the struct's value ``v`` of type ``tp`` into the field's."""
        inner = optional_inner(tp)
        check = [] if inner is None else [f"{pad}if v is not None:"]
        deeper = pad if inner is None else pad + "    "
        base = tp if inner is None else inner
        test = None
        if bounds is not None:
            low, high = bounds
            test = " and ".join([*([f"n >= {low!r}"] if low is not None else []),
                                 *([f"n <= {high!r}"] if high is not None else [])])
        ranged = [f"{pad}    if not ({test}):", f"{pad}        raise Refused"] if test else []
        figure = self.name_of(Figure) if kind == "figure" else ""
        if kind == "figure":  # a bare number, or a table (its own provenance first)
            return [f"{pad}if v.__class__ is float:",
                    *([f"{pad}    n = v", *ranged] if test else []),
                    f"{pad}    v = {figure}(v, fs, fa, None)",
                    f"{pad}elif v is not None:",
                    *([f"{pad}    n = v.value", *ranged] if test else []),
                    f"{pad}    s, d, t = v.source, v.as_of, v.note",  # UNSET: not given
                    f"{pad}    if d.__class__ is Date and not (EARLIEST <= d <= LATEST):",
                    f"{pad}        raise Refused",
                    f"{pad}    v = {figure}(v.value, fs if s is None or s is UNSET else s, "
                    "fa if d is None or d is UNSET else d, None if t is UNSET else t)"]
        if kind == "node":
            return [*check, f"{deeper}v = {self.name_of(base)}(v, source, as_of)"]
        if kind == "nodes":
            item = self.name_of(typing.get_args(base)[0])
            return [*check, f"{deeper}v = tuple([{item}(x, source, as_of) for x in v])"]
        if kind == "currency":
            return [*check, f"{deeper}code = code_of(v)",
                    f"{deeper}if len(code) != 3 or not (code.isascii() and code.isalpha()):",
                    f"{deeper}    raise Refused", f"{deeper}v = code"]
        if test:
            return [*check, f"{deeper}n = v", f"{deeper}if not ({test}):",
                    f"{deeper}    raise Refused"]
        if base is date:  # within the dates a profile may hold (house policy)
            return [*check, f"{deeper}if not (EARLIEST <= v <= LATEST):",
                    f"{deeper}    raise Refused"]
        if typing.get_origin(base) is tuple and typing.get_args(base)[0] is date:
            return [*check, f"{deeper}for x in v:",
                    f"{deeper}    if not (EARLIEST <= x <= LATEST):",
                    f"{deeper}        raise Refused"]
        return []

    def function(self, cls: type) -> str:
        from ._finish import _plan

        fields = _fields(cls)
        name = self.names[cls]
        if cls is Figure:  # built from its values: Figure(value, source, as_of, note)
            fields_ = [a.name for a in fields]
            setters = [self.put(getattr(cls, f).__set__, "s") for f in fields_]
            return (f"def {name}(a0, a1, a2, a3):\n    o = new({self.put(cls, 'c')})\n"
                    + "".join(f"    {s}(o, a{i})\n" for i, s in enumerate(setters))
                    + "    return o\n")
        plan = {n: (kind, bounds) for n, kind, bounds in _plan(cls)}
        names = [a.name for a in fields]
        first = [names.index(n) for n in ("source", "as_of") if n in names]
        body = [f"def {name}(o, source, as_of):"]
        for i in [*first, -1, *(i for i in range(len(fields)) if i not in first)]:
            if i < 0:  # what a bare figure inherits, once the section's own is read
                if any(kind == "figure" for kind, _ in plan.values()):
                    body += ["    fs = source or None", "    fa = as_of or None"]
                continue
            a = fields[i]
            if a.name == "extensions" and cls is CompanyProfile:
                body.append(f"    a{i} = {{}}")
                continue
            body.append(f"    v = o.{a.name}")
            kind, bounds = plan.get(a.name, (None, None))
            steps = self.convert(a.type, kind, bounds, "    ")
            if a.default is not attrs.NOTHING:  # the default object itself, as attrs's
                body += ["    if v is UNSET:", f"        a{i} = {self.put(a.default, 'd')}",
                         "    else:", *(f"    {line}" for line in steps), f"        a{i} = v"]
            else:
                body += [*steps, f"    a{i} = v"]
            if a.name in ("source", "as_of"):
                body.append(f"    {a.name} = a{i} or {a.name}")
        body.append(f"    o = new({self.put(cls, 'c')})")
        body += [f"    {self.put(getattr(cls, a.name).__set__, 's')}(o, a{i})"
                 for i, a in enumerate(fields)]
        return "\n".join([*body, "    return o", ""])
