"""Which fields of a plugin's class the loader cannot read from a file.

A plugin declares a class for its ``[settings.<name>]`` table or its profile's
``[extensions.<name>]`` section; the strict converter builds it from what ``tomllib`` (or a
JSON profile) gives. A field whose type the converter has no hook for (``timedelta``, a
class of the plugin's own, ``object``, a ``int | str`` union), or whose annotation names
something that does not exist, can never be read: that is the plugin's fault, found when
the class is declared rather than blamed on the user's file when it is configured.

The walk looks a hook up only for the leaf types (``int``, ``date``, an enum: a dispatch
lookup each) and goes into attrs classes and the standard containers itself, so that no
structuring function is generated for a class that is never configured.
"""

from __future__ import annotations

import collections.abc
import sys
import typing
from datetime import datetime
from typing import Any

import attrs
from cattrs.errors import StructureHandlerNotFoundError

from ._types import is_union

__all__ = ["Unreadable", "unreadable_fields", "unreadable_message"]

#: Containers whose item types are walked (``list[int]``, ``tuple[str, ...]``).
_CONTAINERS = frozenset({
    list, tuple, set, frozenset, collections.abc.Sequence, collections.abc.MutableSequence,
    collections.abc.Set, collections.abc.MutableSet,
})
#: Tables whose key and value types are walked (``dict[str, float]``).
_MAPPINGS = frozenset({dict, collections.abc.Mapping, collections.abc.MutableMapping})


@attrs.frozen
class Unreadable:
    """A field the loader cannot read: its dotted path in the table, its type, and a note."""

    #: ``window``; ``limits.window`` in a nested table; ``rows[].window`` in an array of
    #: tables; ``by_name.*.window`` in a table's values.
    field: str
    #: The field's type as written (``datetime.timedelta | None``), or its annotation.
    type: str
    #: What about it cannot be read (``no way to build a datetime.timedelta``), or ``""``.
    note: str = ""

    def describe(self, source: str) -> str:
        """``field 'window' has type datetime.timedelta, which cannot be read from TOML``."""
        note = f" ({self.note})" if self.note else ""
        return (f"field {self.field!r} has type {self.type}, which cannot be read from "
                f"{source}{note}")


def type_name(tp: Any) -> str:
    """``datetime.timedelta``, ``int``, ``dict[str, datetime.timedelta] | None``, and a
    class of a plugin's own by its name alone (``Window``: a drop-in's module name is
    made up)."""
    if isinstance(tp, str):
        return repr(tp)
    if tp is type(None):
        return "None"
    if is_union(tp):
        return " | ".join(type_name(a) for a in typing.get_args(tp))
    origin = typing.get_origin(tp)
    if origin is not None:
        args = typing.get_args(tp)
        if origin is typing.Literal:
            return f"Literal[{', '.join(repr(a) for a in args)}]"
        shown = ", ".join("..." if a is Ellipsis else type_name(a) for a in args)
        return f"{type_name(origin)}[{shown}]" if args else type_name(origin)
    if isinstance(tp, type):
        module = getattr(tp, "__module__", "builtins")
        if module == "builtins":
            return tp.__qualname__
        if module.partition(".")[0] in sys.stdlib_module_names:
            return f"{module}.{tp.__qualname__}"
        return tp.__qualname__
    return repr(tp).replace("typing.", "")


def unreadable_fields(cls: type[Any]) -> list[Unreadable]:
    """Every field of the attrs class ``cls`` (nested classes and containers included)
    that the loader's converter cannot build from a file's value; empty when all can be."""
    from ._converter import first_attempt

    found: list[Unreadable] = []
    _walk_class(cls, "", first_attempt(), found, set())
    return found


def unreadable_message(section: str, cls: type[Any], source: str = "TOML") -> str | None:
    """``[settings.td] (class TdSettings): field 'window' has type datetime.timedelta,
    which cannot be read from TOML``, every such field in one line; None when every field
    can be read."""
    found = unreadable_fields(cls)
    if not found:
        return None
    return f"{section} (class {cls.__qualname__}): " + "; ".join(u.describe(source)
                                                                 for u in found)


def _walk_class(cls: type[Any], prefix: str, conv: Any, found: list[Unreadable],
                seen: set[type[Any]]) -> None:
    if cls in seen:  # a class inside itself: its fields are being walked already
        return
    seen.add(cls)
    try:
        _walk_fields(cls, prefix, conv, found, seen)
    finally:
        seen.discard(cls)


def _walk_fields(cls: type[Any], prefix: str, conv: Any, found: list[Unreadable],
                 seen: set[type[Any]]) -> None:
    try:
        hints = typing.get_type_hints(cls)
    except NameError as exc:  # an annotation naming nothing: the fields that use the name
        missing = getattr(exc, "name", None) or ""
        for a in attrs.fields(cls):
            text = a.type if isinstance(a.type, str) else type_name(a.type)
            if not missing or _names(text, missing):
                found.append(Unreadable(prefix + a.name, repr(text), str(exc)))
        return
    except Exception as exc:  # any other failure to evaluate an annotation
        found.append(Unreadable(prefix.rstrip(".") or "*", type_name(cls),
                                f"its annotations fail: {type(exc).__name__}: {exc}"))
        return
    for a in attrs.fields(cls):
        tp = hints.get(a.name, a.type)  # attrs.make_class(...) sets types, not annotations
        if tp is None:  # no type: the value is taken as it is
            continue
        if isinstance(tp, str):  # attrs.field(type="Name"), which nothing resolves
            found.append(Unreadable(prefix + a.name, repr(tp), "its type is a name only"))
            continue
        before = len(found)
        _walk_type(tp, prefix + a.name, conv, found, seen)
        whole = type_name(tp)
        for i in range(before, len(found)):
            leaf = found[i]
            if leaf.field == prefix + a.name and leaf.type != whole:
                # The field's own type, with the part that cannot be read in the note.
                found[i] = Unreadable(leaf.field, whole,
                                      leaf.note or f"no way to build a {leaf.type}")


def _walk_type(tp: Any, path: str, conv: Any, found: list[Unreadable],
               seen: set[type[Any]], within: str = "") -> None:
    """``within``: the containers between the field and ``tp`` (``[]``, ``.*``), named in
    the path of a nested class's field only."""
    origin = typing.get_origin(tp)
    args = typing.get_args(tp)
    if origin is typing.Annotated:
        _walk_type(args[0], path, conv, found, seen, within)
        return
    if tp is Any or origin is typing.Literal:
        return
    if is_union(tp):
        members = [a for a in args if a is not type(None)]
        if len(members) > 1 and not _has_hook(tp, conv):
            found.append(Unreadable(path, type_name(tp), "a value could be any of them, and "
                                    "the loader cannot tell which"))
            return
        for member in members:
            _walk_type(member, path, conv, found, seen, within)
        return
    if origin in _MAPPINGS:
        if len(args) == 2:
            _walk_type(args[0], path, conv, found, seen, within)
            _walk_type(args[1], path, conv, found, seen, within + ".*")
        return
    if origin is tuple and len(args) > 1 and args[-1] is not Ellipsis and len(set(args)) > 1:
        # tuple[int, str]: the loader reads every item as the first type, so no value fits.
        found.append(Unreadable(path, type_name(tp), "the loader reads every item of a "
                                "tuple as its first type: use tuple[X, ...] or a table"))
        return
    if origin in _CONTAINERS:
        for arg in args:
            if arg is not Ellipsis:
                _walk_type(arg, path, conv, found, seen, within + "[]")
        return
    if isinstance(tp, type) and attrs.has(tp):
        _walk_class(tp, path + within + ".", conv, found, seen)
        return
    if isinstance(tp, type) and issubclass(tp, datetime):
        # The date hook would take it and make a date of it (and refuses a TOML datetime).
        found.append(Unreadable(path, type_name(tp), "dates are read, not times"))
        return
    if not _has_hook(tp, conv):
        found.append(Unreadable(path, type_name(tp)))


def _has_hook(tp: Any, conv: Any) -> bool:
    try:
        conv.get_structure_hook(tp)
    except StructureHandlerNotFoundError:
        return False
    except Exception:  # a hook factory that fails on the type: not readable either
        return False
    return True


def _names(text: str, name: str) -> bool:
    import re

    return re.search(rf"(?<![\w.]){re.escape(name)}(?!\w)", text) is not None
