"""``unreadable_fields``: which fields of a plugin's class the loader cannot read.

A property over generated field types (scalars the loader reads, types it cannot, inside
arrays, tables, optionals and nested classes): a class is refused exactly when one of
its types cannot be read; a class it accepts is read from a file's values; a type it
refuses is one the loader fails on when a file gives it a value.
"""

from __future__ import annotations

import datetime
import enum
import re
from typing import Any, Literal

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

from threshold_core.load import structure, unreadable_fields
from threshold_core.model import Figure, Severity


class Window:
    """A class of a plugin's own: no hook builds it."""


#: (type, a value a file could give for it, readable?)
READABLE_LEAVES: list[tuple[Any, Any]] = [
    (int, 3), (float, 1.5), (str, "text"), (bool, True), (datetime.date, "2026-06-30"),
    (Figure, 2.5), (Severity, "low"), (Any, "anything"), (Literal["a", "b"], "a"),
]
UNREADABLE_LEAVES: list[tuple[Any, Any]] = [
    (datetime.timedelta, 30), (object, 1), (Window, {}), (complex, 1.0), (int | str, 1),
    (tuple[int, str], [1, "a"]),
]
#: Read as something else (a date): refused, though structuring does not fail.
MISREAD_LEAVES: list[tuple[Any, Any]] = [(datetime.datetime, "2026-06-30")]


@st.composite
def field_types(draw: st.DrawFn, depth: int = 0) -> tuple[Any, Any, str]:
    """(type, value, "ok" | "fails" | "misread")."""
    kind = draw(st.sampled_from(["leaf", "leaf", "list", "tuple", "table", "optional",
                                 "nested"] if depth < 3 else ["leaf"]))
    if kind == "leaf":
        tp, value, verdict = draw(st.sampled_from(
            [(t, v, "ok") for t, v in READABLE_LEAVES]
            + [(t, v, "fails") for t, v in UNREADABLE_LEAVES]
            + [(t, v, "misread") for t, v in MISREAD_LEAVES]))
        return tp, value, verdict
    inner, value, verdict = draw(field_types(depth + 1))
    if kind == "list":
        return list[inner], [value], verdict
    if kind == "tuple":
        return tuple[inner, ...], [value], verdict
    if kind == "table":
        return dict[str, inner], {"key": value}, verdict
    if kind == "optional":
        return inner | None, value, verdict
    nested = attrs.make_class("Nested", {"inner": attrs.field(type=inner)}, frozen=True)
    return nested, {"inner": value}, verdict


def _settings(types: list[Any]) -> type[Any]:
    return attrs.make_class("Settings", {f"f{i}": attrs.field(type=tp)
                                         for i, tp in enumerate(types)}, frozen=True)


@given(st.lists(field_types(), min_size=1, max_size=4))
def test_refused_exactly_when_a_type_cannot_be_read(fields: list[tuple[Any, Any, str]]) -> None:
    cls = _settings([tp for tp, _, _ in fields])
    data = {f"f{i}": value for i, (_, value, _) in enumerate(fields)}
    found = unreadable_fields(cls)
    bad = {f"f{i}" for i, (_, _, verdict) in enumerate(fields) if verdict != "ok"}
    assert {re.split(r"[.[]", u.field)[0] for u in found} == bad
    if not bad:
        assert attrs.asdict(structure(data, cls)) is not None
    for tp, value, verdict in fields:
        if verdict == "fails":  # the loader fails on it, whatever the file says
            one = _settings([tp])
            with pytest.raises(Exception):  # noqa: B017 - cattrs' own, or ours
                structure({"f0": value}, one)


class Colour(enum.Enum):
    RED = "red"


@attrs.frozen
class Limits:
    window: datetime.timedelta = datetime.timedelta(days=1)


@attrs.frozen
class Deep:
    rows: list[Limits] = attrs.Factory(list)
    by_name: dict[str, Limits] = attrs.Factory(dict)
    colour: Colour = Colour.RED
    limits: Limits = Limits()
    itself: Deep | None = None


def test_nested_paths_name_the_field_inside() -> None:
    assert [(u.field, u.type) for u in unreadable_fields(Deep)] == [
        ("rows[].window", "datetime.timedelta"),
        ("by_name.*.window", "datetime.timedelta"),
        ("limits.window", "datetime.timedelta"),
    ]
