"""The positional builders make the same objects attrs' ``__init__`` makes."""

from __future__ import annotations

from typing import Any

import attrs
import pytest
from attrs import field, frozen

from threshold_core.model import (
    Effect,
    Finding,
    MetricScore,
    RuleOutcome,
    RuleStatus,
    Severity,
    positional_builder,
)

CASES: list[tuple[type, tuple[Any, ...]]] = [
    (MetricScore, ("ndr", 0.3, 120.0, 80.0, ("ndr_pct",), "filing", "band 0→0", "listed",
                   {"listed": 100.0}, ("filing",), "filing", "house policy: x")),
    (RuleOutcome, (RuleStatus.PASSED, None, None, (), {"a": 1.0}, "")),
    (RuleOutcome, (RuleStatus.FIRED, Severity.HIGH, "why", ("x.y",), {}, "R-1")),
    (Finding, ("R-1", "pack", Severity.MEDIUM, Effect.REPORTED, "dim", "title", "message",
               "plugin", {"a": [1.0, "b"]}, None)),
]


@pytest.mark.parametrize(("cls", "values"), CASES)
def test_a_built_object_equals_the_one_attrs_builds(cls: type, values: tuple[Any, ...]) -> None:
    build = positional_builder(cls)
    assert build is not cls  # these classes take the fast path
    made, expected = build(*values), cls(*values)
    assert type(made) is cls
    assert made == expected
    assert repr(made) == repr(expected)
    assert attrs.astuple(made, recurse=False) == values
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        made.__setattr__(attrs.fields(cls)[0].name, None)


def test_a_class_whose_init_does_more_is_built_by_the_class_itself() -> None:
    @frozen
    class Checked:
        x: int = field(validator=attrs.validators.instance_of(int))

    @frozen
    class Converted:
        x: int = field(converter=int)

    @frozen
    class Keyword:
        x: int = field(kw_only=True)

    @attrs.define
    class Hooked:
        x: int

        def __attrs_post_init__(self) -> None:
            self.x += 1

    for cls in (Checked, Converted, Keyword, Hooked):
        assert positional_builder(cls) is cls
    assert positional_builder(Converted)("3") == Converted(3)
