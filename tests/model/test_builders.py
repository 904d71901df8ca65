"""The positional builders make the same objects attrs' ``__init__`` makes."""

from __future__ import annotations

import pickle
import weakref
from typing import Any

import attrs
import pytest
from attrs import field, frozen

from threshold_core.kit import Reading
from threshold_core.model import (
    Assessment,
    CompanyRef,
    Context,
    Decision,
    DimensionScore,
    Effect,
    EventKind,
    EventStatus,
    Finding,
    FxTable,
    MetricScore,
    PolicyResult,
    Receipt,
    Risk,
    RuleOutcome,
    RuleStatus,
    ScoredDimension,
    Severity,
    Sourcing,
    TraceEvent,
    Verdict,
    positional_builder,
)

CASES: list[tuple[type, tuple[Any, ...]]] = [
    (MetricScore, ("ndr", 0.3, 120.0, 80.0, ("ndr_pct",), "filing", "band 0→0", "listed",
                   {"listed": 100.0}, ("filing",), "filing", "house policy: x", None)),
    (MetricScore, ("moat", 0.2, None, None, ("data",), None, "no data", None, {}, (), None,
                   "house policy: x", 0.0)),
    (RuleOutcome, (RuleStatus.PASSED, None, None, (), {"a": 1.0}, "")),
    (RuleOutcome, (RuleStatus.FIRED, Severity.HIGH, "why", ("x.y",), {}, "R-1")),
    (Finding, ("R-1", "pack", Severity.MEDIUM, Effect.REPORTED, "dim", "title", "message",
               "plugin", {"a": [1.0, "b"]}, None)),
    # One of each per evaluation (engine/_engine.py, _run.py, _policy.py, kit/_scoring.py).
    (Context, (FxTable(rates={"USD": 7.2}), None, None)),
    (TraceEvent, ("core", "1", "gate", EventKind.GATE, EventStatus.OK, 0.0, ("valuation",),
                  {"passed": True}, "why", ())),
    (ScoredDimension, ("quality", 1.0, "q", "plugin", None)),
    (DimensionScore, ("quality", 80.0, 1.0, ("a.b",), (), ())),
    (Assessment, ("profile", "gate", (), (), (), ())),
    (Sourcing, (0.5, None, 0.25, {"filing": 2}, {"primary": 2})),
    (PolicyResult, (Verdict.WATCH, "B", 70.0, (), (), (), None, None)),
    (CompanyRef, ("acme", "Acme AI")),
    (Receipt, ("1.0", "ab" * 32, "cd" * 32, (), "defaults", "2026-06-30", ())),
    (Decision, (CompanyRef("acme", "Acme AI"), Verdict.WATCH, Risk.MEDIUM, "B", 70.0, "gate",
                (), (), (), (), "receipt", "1.0", None, Risk.MEDIUM, None, None, None)),
    # What a metric's adjustment is handed (kit/_scoring.py).
    (Reading, (0.5, ("a.b",), "filing", "note", "listed", {"listed": 1.0}, ("registry",))),
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
    assert pickle.loads(pickle.dumps(made)) == expected
    assert weakref.ref(made)() is made
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
