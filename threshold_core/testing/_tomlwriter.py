"""A small TOML writer for plain data; the standard library only reads TOML.

The contract checks use it to write a component's settings the way a user
would, then load them back as the engine does.
"""

from __future__ import annotations

import datetime as dt
import enum
import json
import math
import re
from collections.abc import Mapping
from typing import Any

__all__ = ["toml_dumps"]

_BARE_KEY = re.compile(r"^[A-Za-z0-9_-]+$")


def _toml_key(key: str) -> str:
    return key if _BARE_KEY.match(key) else json.dumps(key, ensure_ascii=False)


def _toml_value(value: Any) -> str:
    if isinstance(value, enum.Enum):
        return _toml_value(value.value)
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if math.isnan(value):
            return "nan"
        if math.isinf(value):
            return "inf" if value > 0 else "-inf"
        return repr(value)
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, (dt.datetime, dt.date)):
        return value.isoformat()
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(_toml_value(v) for v in value if v is not None) + "]"
    if isinstance(value, Mapping):
        items = ", ".join(
            f"{_toml_key(str(k))} = {_toml_value(v)}" for k, v in value.items() if v is not None
        )
        return "{ " + items + " }" if items else "{}"
    raise TypeError(f"cannot write {type(value).__name__} as TOML: {value!r}")


def toml_dumps(data: Mapping[str, Any], *, _prefix: str = "") -> str:
    """A small TOML writer for plain data (tables, arrays, strings, numbers, booleans, dates).

    Nested tables become ``[a.b]`` sections; tables inside arrays are written
    inline. None values are left out: TOML has no null.
    """
    lines: list[str] = []
    tables: list[tuple[str, Mapping[str, Any]]] = []
    for key, value in data.items():
        if value is None:
            continue
        if isinstance(value, Mapping):
            tables.append((str(key), value))
        else:
            lines.append(f"{_toml_key(str(key))} = {_toml_value(value)}")
    chunks = ["\n".join(lines)] if lines else []
    for key, table in tables:
        name = f"{_prefix}.{_toml_key(key)}" if _prefix else _toml_key(key)
        body = toml_dumps(table, _prefix=name)
        has_own_keys = any(not isinstance(v, Mapping) and v is not None for v in table.values())
        if has_own_keys or not table:
            chunks.append(f"[{name}]" + ("\n" + body if body else ""))
        else:  # only sub-tables: their headers define this table implicitly
            chunks.append(body)
    return "\n\n".join(chunks)
