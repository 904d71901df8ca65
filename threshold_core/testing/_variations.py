"""Single-change variations of a profile: the spread the contract checks probe with.

:func:`profile_variants` perturbs one value under the given profile paths at a
time (numbers and figures up and down, booleans flipped, enums cycled, dates
moved, list items dropped or repeated) and keeps the variations that still
validate as profiles.
"""

from __future__ import annotations

import datetime as dt
import enum
import functools
import math
import re
import types
import typing
from collections.abc import Iterable, Iterator
from typing import Any

import attrs

from ..errors import InputError
from ..load import ExtensionTypes, converter, profile_from_data
from ..model import CompanyProfile, Figure

__all__ = ["MAX_VARIANTS", "profile_variants", "withheld"]

#: At most this many variations of one profile under one path (keeps the checks fast).
MAX_VARIANTS = 400

_EPS = 1e-9


def _revalidate(profile: CompanyProfile) -> CompanyProfile | None:
    """The profile as the loader would produce it, or None when it is not valid."""
    try:
        return profile_from_data(converter().unstructure(profile), profile.id,
                                 ExtensionTypes.of(profile))
    except InputError:
        return None


def _numbers(x: float) -> list[float]:
    candidates = [x * 0.5, x * 0.9, x * 1.1, x * 2.0, x + 1.0, x - 1.0, x + 10.0, x - 10.0, 0.0]
    out: list[float] = []
    for c in candidates:
        if math.isfinite(c) and abs(c - x) > _EPS and all(abs(c - o) > _EPS for o in out):
            out.append(c)
    return out


@typing.no_type_check
def _field_types(cls: type) -> dict[str, Any]:
    try:
        return typing.get_type_hints(cls)
    except Exception:  # pragma: no cover - unresolvable annotations: no typed probes
        return {}


def _is_optional_bool(tp: Any) -> bool:
    return typing.get_origin(tp) in (typing.Union, types.UnionType) and set(
        typing.get_args(tp)
    ) == {bool, type(None)}


def _leaf_variants(obj: Any, tp: Any = None) -> Iterator[tuple[str, Any]]:
    """Perturbations of ``obj`` and of everything inside it, one change at a time."""
    if obj is None:
        if tp is not None and _is_optional_bool(tp):
            yield " = true", True
            yield " = false", False
        return
    if isinstance(obj, Figure):
        for v in _numbers(obj.value):
            yield f" = {v:g}", attrs.evolve(obj, value=v)
    elif isinstance(obj, bool):
        yield f" = {str(not obj).lower()}", not obj
    elif isinstance(obj, enum.Enum):
        for member in type(obj):
            if member is not obj:
                yield f" = {member.value}", member
    elif isinstance(obj, int):
        for v in sorted({obj + 1, obj - 1, obj * 2, 0} - {obj}):
            yield f" = {v}", v
    elif isinstance(obj, float):
        for v in _numbers(obj):
            yield f" = {v:g}", v
    elif isinstance(obj, dt.date):
        for days in (-400, -31, 31, 400):
            yield f" {days:+d} days", obj + dt.timedelta(days=days)
    elif isinstance(obj, tuple):
        yield from _sequence_variants(obj, ())
    elif isinstance(obj, dict):  # profile.extensions: section name -> its attrs instance
        for key, value in obj.items():
            for desc, new in _leaf_variants(value):
                yield f".{key}{desc}", {**obj, key: new}
    elif attrs.has(type(obj)):
        types = _field_types(type(obj))
        for a in attrs.fields(type(obj)):
            for desc, new in _leaf_variants(getattr(obj, a.name), types.get(a.name)):
                changed = _evolve(obj, a.name, new)
                if changed is not None:
                    yield f".{a.name}{desc}", changed


def _evolve(obj: Any, name: str, value: Any) -> Any:
    """``obj`` with one field changed, or None when the class's own validators refuse it."""
    try:
        return attrs.evolve(obj, **{name: value})
    except (TypeError, ValueError):
        return None


def _sequence_variants(seq: tuple[Any, ...], parts: tuple[str, ...]) -> Iterator[tuple[str, Any]]:
    for i, item in enumerate(seq):
        inner = _path_variants(item, parts) if parts else _leaf_variants(item)
        for desc, new in inner:
            yield f"[{i}]{desc}", (*seq[:i], new, *seq[i + 1:])
    if not parts:
        for i in range(len(seq)):
            yield f"[{i}] removed", (*seq[:i], *seq[i + 1:])
        if seq:
            yield "[0] repeated", (*seq, seq[0])


def _path_variants(obj: Any, parts: tuple[str, ...]) -> Iterator[tuple[str, Any]]:
    """Perturbations of what lies at ``parts`` (a dotted path; lists apply to each item)."""
    if not parts:
        yield from _leaf_variants(obj)
        return
    if isinstance(obj, tuple):
        yield from _sequence_variants(obj, parts)
        return
    if isinstance(obj, dict):  # profile.extensions: the next part is a section name
        key, rest = parts[0], parts[1:]
        if key in obj:
            for desc, new in _path_variants(obj[key], rest):
                yield f".{key}{desc}", {**obj, key: new}
        return
    if obj is None or not attrs.has(type(obj)):
        return
    name, rest = parts[0], parts[1:]
    if name not in attrs.fields_dict(type(obj)):
        return
    value = getattr(obj, name)
    inner = _path_variants(value, rest) if rest or value is not None else _leaf_variants(
        value, _field_types(type(obj)).get(name)
    )
    for desc, new in inner:
        changed = _evolve(obj, name, new)
        if changed is not None:
            yield f".{name}{desc}", changed


@functools.lru_cache(maxsize=512)
def _variants_at(profile: CompanyProfile, path: str, limit: int) -> tuple[
        tuple[str, CompanyProfile], ...]:
    """The valid variations under one path (cached: every check reuses the same samples)."""
    parts = tuple(p for p in re.sub(r"\[\d*\]", "", path).split(".") if p)
    out: list[tuple[str, CompanyProfile]] = []
    for desc, new in _path_variants(profile, parts):
        valid = _revalidate(new)
        if valid is not None:
            out.append((desc, valid))
            if len(out) >= limit:
                break
    return tuple(out)


def profile_variants(
    profile: CompanyProfile, paths: Iterable[str] = ("",), *, limit: int = MAX_VARIANTS
) -> Iterator[tuple[str, CompanyProfile]]:
    """Valid single-change variations of ``profile`` under ``paths`` (``""``: anywhere).

    Yields ``(description, profile)``; the description names the change, for
    example ``.customers.ndr_pct = 132``. A variation is kept only when it still
    validates as a profile (a share stays within 0-100, and so on).
    """
    seen: set[str] = set()
    count = 0
    for path in dict.fromkeys(paths):
        for desc, variant in _variants_at(profile, path, limit):
            if desc in seen:
                continue
            seen.add(desc)
            yield desc, variant
            count += 1
            if count >= limit:
                return


def withheld(profile: CompanyProfile, path: str) -> CompanyProfile | None:
    """``profile`` with what lies at the dotted ``path`` left out (set to None, or to an
    empty list), or None when the path crosses a list, is already empty, or the profile
    would not validate without it (a required field)."""
    parts = [p for p in path.split(".") if p]
    if not parts or any("[" in p for p in parts):
        return None

    def drop(obj: Any, rest: list[str]) -> Any:
        if isinstance(obj, dict):  # profile.extensions: section name -> its attrs instance
            if rest[0] not in obj:
                return None
            if len(rest) == 1:
                return {k: v for k, v in obj.items() if k != rest[0]}
            inner = drop(obj[rest[0]], rest[1:])
            return None if inner is None else {**obj, rest[0]: inner}
        if obj is None or not attrs.has(type(obj)) or rest[0] not in attrs.fields_dict(
                type(obj)):
            return None
        value = getattr(obj, rest[0])
        if len(rest) == 1:
            if value is None or value == ():
                return None
            return _evolve(obj, rest[0], () if isinstance(value, tuple) else None)
        inner = None if isinstance(value, tuple) else drop(value, rest[1:])
        return None if inner is None else _evolve(obj, rest[0], inner)

    changed = drop(profile, parts)
    return None if changed is None else _revalidate(changed)
