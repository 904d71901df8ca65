"""The receipt's canonical arrays of a profile, by a function generated per class.

``profile_sha256`` hashes the profile as nested arrays, each attrs object the array
of its fields in the model's order (``attrs.astuple``), encoded by orjson. orjson
asks its ``default`` hook for every attrs object, about 64 Python calls per profile
that each look the class up; here each class of the profile model gets a function
that returns that array directly, with its nested objects' arrays in it (a leaf
class, one with no nested attrs object, such as ``Figure``, written inline), so
orjson sees lists and scalars only: about 10 us less per profile. The arrays are
the hook's, so the bytes are the same: anything the generated code was not written
for (another class than the field's declared one, a mapping's values, an extension)
is left as it is, for the hook to encode as before.

Like the generated walk of ``_finish.py``, the functions are made only from the
33rd profile a process hashes (compiling them takes about 2 ms, which a single
``threshold evaluate`` never pays).
"""

from __future__ import annotations

import typing
from collections.abc import Callable
from typing import Any

import attrs

from . import _types
from ._types import Warmup, is_union, optional_inner

#: Profiles hashed through orjson's hook alone before the functions are generated.
GENERATE_AFTER = _types.GENERATE_AFTER

_ARRAYS: dict[type, Callable[[Any], Any]] = {}
_USES = Warmup()


def canonical(profile: Any) -> Any:
    """``profile`` as the receipt's nested arrays, or as it is (orjson's hook then does
    the work), for the first :data:`GENERATE_AFTER` profiles of its class."""
    cls = profile.__class__
    arrays = _ARRAYS.get(cls)
    if arrays is None:
        if not _USES.due(cls, GENERATE_AFTER):
            return profile
        try:
            arrays = _generate(cls)
        except Exception:  # a class whose annotations do not resolve: the hook does it all
            arrays = _as_is
        _ARRAYS[cls] = arrays
    return arrays(profile)


def _as_is(value: Any) -> Any:
    return value


def _fields(cls: type) -> list[tuple[str, str | None, type | None]]:
    """``(name, kind, class)`` of each field of ``cls``: kind ``one`` (an attrs object or
    None), ``many`` (a tuple or list of attrs objects) or None (anything else)."""
    out: list[tuple[str, str | None, type | None]] = []
    for a in attrs.fields(attrs.resolve_types(cls)):
        tp = _optional(a.type)
        if _is_attrs(tp):
            out.append((a.name, "one", tp))
            continue
        if typing.get_origin(tp) in (tuple, list):
            args = typing.get_args(tp)
            item = _optional(args[0]) if args else None
            if _is_attrs(item):
                out.append((a.name, "many", item))
                continue
        out.append((a.name, None, None))
    return out


def _optional(tp: Any) -> Any:
    """``T`` of ``T | None``; None for another union."""
    inner = optional_inner(tp)
    if inner is not None:
        return inner
    return None if is_union(tp) else tp


def _is_attrs(tp: Any) -> bool:
    return isinstance(tp, type) and attrs.has(tp)


def _generate(root: type) -> Callable[[Any], Any]:
    """The function of ``root``, with those of the classes it holds (source: field names
    of attrs classes only)."""
    # A nested tuple's arrays by ``list(map(...))``, not a comprehension (a function made
    # per call); an empty one as a new empty list, as the comprehension gave.
    namespace: dict[str, Any] = {"_list": list, "_map": map}
    names: dict[type, str] = {}
    sources: list[str] = []

    def class_ref(cls: type) -> str:
        ref = f"_C{len(namespace)}"
        namespace[ref] = cls
        return ref

    def function(cls: type) -> str:
        if cls in names:
            return names[cls]
        name = names[cls] = f"_array{len(names)}_{cls.__name__}"
        parts = []
        for field, kind, item in _fields(cls):
            if item is None:
                parts.append(f"o.{field}")
            elif kind == "many":  # a tuple or a list, else left as it is
                parts.append(f"(v if (v := o.{field}).__class__ is not tuple and v.__class__ "
                             f"is not list else _list(_map({function(item)}, v)) if v else [])")
            elif all(k is None for _, k, _ in _fields(item)):
                inner = ", ".join(f"v.{f}" for f, _, _ in _fields(item))
                parts.append(f"(None if (v := o.{field}) is None else [{inner}] "
                             f"if v.__class__ is {class_ref(item)} else v)")
            else:
                parts.append(f"(None if (v := o.{field}) is None else {function(item)}(v))")
        sources.append(f"def {name}(o):\n    if o.__class__ is not {class_ref(cls)}:\n"
                       f"        return o\n    return [{', '.join(parts)}]\n")
        return name

    top = function(root)
    exec(compile("\n".join(sources), "<canonical arrays>", "exec"), namespace)
    made: Callable[[Any], Any] = namespace[top]
    return made
