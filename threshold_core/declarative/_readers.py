"""Reading paths of the converted profile in Python, without a CEL call.

The evidence values of a rule, the paths it found absent (for a
``not_evaluated`` outcome) and plain ``{profile.a.b}`` placeholders.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import datetime
from typing import Any

from ._fields import Path_, _label


def _missing_finder(path: Path_) -> Callable[[Any], list[tuple[str, str]]]:
    """A function giving ``(path, key)`` for every place ``path`` is absent in the
    converted profile (through ``[]``, in every element)."""
    if "[]" not in path:
        labels = [_label(path[: i + 1]) for i in range(len(path))]

        def find(data: Any) -> list[tuple[str, str]]:
            for i, key in enumerate(path):
                if type(data) is not dict:
                    return []
                if key not in data:
                    return [(labels[i], key)]
                data = data[key]
            return []

        return find
    i = path.index("[]")
    head = _missing_finder(path[:i])
    get_list = _raw_getter(path[:i])
    inner = _missing_finder(path[i + 1 :])
    prefix = _label(path[:i])

    def find_each(data: Any) -> list[tuple[str, str]]:
        found = head(data)
        items = get_list(data)
        if found or type(items) is not list:
            return found
        return [(f"{prefix}[{k}].{label}", key)
                for k, item in enumerate(items) for label, key in inner(item)]

    return find_each


_SCALARS = frozenset({str, int, float, bool})
#: A placeholder that is a plain field path: read in Python, no CEL call.
_PLAIN_PATH = re.compile(r"\s*profile\.([A-Za-z_]\w*(?:\.[A-Za-z_]\w*)*)\s*")


def _evidence_getter(path: Path_) -> Callable[[Any], Any]:
    """A function giving the evidence value at ``path`` of the converted profile.

    A scalar (dates as ISO strings), or through ``[]`` the list of every
    element's scalar; None when absent or not a scalar (a table is not evidence).
    """
    if "[]" not in path:

        def get(data: Any) -> Any:
            for key in path:
                if type(data) is not dict:
                    return None
                data = data.get(key)
            return data if type(data) in _SCALARS else _scalar(data)

        return get
    i = path.index("[]")
    head = _raw_getter(path[:i])
    inner = _evidence_getter(path[i + 1 :])

    def get_each(data: Any) -> Any:
        items = head(data)
        if type(items) is not list:
            return None
        out = []
        for item in items:
            v = inner(item)
            if v is not None and type(v) is not list:
                out.append(v)
        return out

    return get_each


def _raw_getter(path: Path_) -> Callable[[Any], Any]:
    def get(data: Any) -> Any:
        try:
            for key in path:
                data = data[key]
        except (KeyError, TypeError, IndexError):
            return None
        return data

    return get


def _scalar(value: Any) -> Any:
    t = type(value)
    if t in _SCALARS:
        return value
    if t is datetime:
        return value.date().isoformat()
    if t.__name__ == "Timestamp":  # a date as CEL sees it (protobuf)
        return value.ToDatetime().date().isoformat()
    if t is list:
        out = [_scalar(v) for v in value]
        return out if all(v is not None and type(v) is not list for v in out) else None
    return None


