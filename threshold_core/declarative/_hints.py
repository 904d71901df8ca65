"""Hints for CEL's compile messages: the profile model's field names, and a hint for a
field or variable a condition names that the model does not have."""

from __future__ import annotations

import re
from functools import cache

from ..model import CompanyProfile
from ._fields import VARIABLES, _struct_fields
from ._projection import FIGURE_FIELDS


@cache
def model_field_names() -> frozenset[str]:
    """Every field name of the profile's attrs classes."""
    names: set[str] = set()
    seen: set[type] = set()

    def walk(cls: type) -> None:
        if cls in seen:
            return
        seen.add(cls)
        for name, shape in _struct_fields(cls).items():
            names.add(name)
            while shape.item is not None:
                shape = shape.item
            if shape.cls is not None:
                walk(shape.cls)

    walk(CompanyProfile)
    return frozenset(names)


@cache
def _model_classes() -> dict[str, type]:
    out: dict[str, type] = {}

    def walk(cls: type) -> None:
        if cls.__name__ in out:
            return
        out[cls.__name__] = cls
        for shape in _struct_fields(cls).values():
            while shape.item is not None:
                shape = shape.item
            if shape.cls is not None:
                walk(shape.cls)

    walk(CompanyProfile)
    return out


_UNDEFINED_FIELD = re.compile(
    r"undefined field '(\w+)' not found in struct 'threshold\.profile\.(\w+)'")


_UNDECLARED = re.compile(r"undeclared reference to '(\w+)")
_NOT_A_STRUCT = re.compile(r"expression of type '([^']*)' cannot be the operand of a select")


def _explain(message: str) -> str:
    """CEL's compile message, with a hint for a field the model does not have."""
    m = _UNDECLARED.search(message)
    if m and m.group(1) not in VARIABLES:
        return f"unknown variable {m.group(1)!r} (known: {', '.join(VARIABLES)})"
    m = _NOT_A_STRUCT.search(message)
    if m and m.group(1) == "double":
        return (f"{message}: a figure is its number in CEL, it has no fields "
                "(provenance is in `figures`)")
    if m and m.group(1).startswith("list("):
        return f"{message}: a list; use .exists(x, x.field ...) or an index"
    m = _UNDEFINED_FIELD.search(message)
    if m:
        cls = _model_classes().get(m.group(2))
        if cls is not None or m.group(2) == "FigureEntry":
            import difflib  # only on this error path

            fields = list(_struct_fields(cls)) if cls is not None else list(FIGURE_FIELDS)
            name = cls.__name__ if cls is not None else "a figures entry"
            close = difflib.get_close_matches(m.group(1), fields, n=1)
            hint = (f"did you mean {close[0]!r}?" if close
                    else f"{name} has " + ", ".join(sorted(fields)))
            return f"the profile has no field {m.group(1)!r} in {name} ({hint})"
    return message.replace("threshold.profile.", "")
