"""structure() tries a converter without detailed validation first and re-runs the
detailed one only when that fails: the profiles built and the problems reported
(paths and messages) are those of the detailed converter alone, for any kind of
fault put anywhere in a profile document.
"""

from __future__ import annotations

import copy
import importlib
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from threshold_core.load import StructureProblems, converter, structure
from threshold_core.model import CompanyProfile
from threshold_core.portfolio import synthetic_portfolio

_converter = importlib.import_module("threshold_core.load._converter")

DOCS = [{k: v for k, v in d.items() if k != "extensions"} for d in synthetic_portfolio(5, seed=3)]


def paths(value: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    out = [prefix] if prefix else []
    if isinstance(value, dict):
        for k, v in value.items():
            out += paths(v, (*prefix, k))
    elif isinstance(value, list):
        for i, v in enumerate(value):
            out += paths(v, (*prefix, i))
    return out


FAULTS = ("text", -1, 1.5, True, None, [], {}, {"unexpected": 1}, [1, "x"], "\ud800",
          float("inf"), "2026-13-45", 10**30)


def outcome(doc: Any) -> Any:
    try:
        return structure(doc, CompanyProfile)
    except StructureProblems as exc:
        return [(p.path, p.message) for p in exc.problems]


@settings(max_examples=150)
@given(st.data())
def test_first_attempt_changes_neither_results_nor_problems(data: st.DataObject) -> None:
    doc = copy.deepcopy(data.draw(st.sampled_from(DOCS)))
    for _ in range(data.draw(st.integers(1, 3))):
        where = data.draw(st.sampled_from(paths(doc)))
        target = doc
        for key in where[:-1]:
            target = target[key]
        if data.draw(st.booleans()) and isinstance(target, dict):
            del target[where[-1]]  # a missing key
        else:
            # a copy: a fault that is an array or a table must not be shared (or mutated)
            target[where[-1]] = copy.deepcopy(data.draw(st.sampled_from(FAULTS)))
    fast = outcome(doc)
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(_converter, "_first_attempt", converter)  # the detailed pass only
        detailed = outcome(doc)
    assert fast == detailed


def test_a_valid_profile_is_the_same_object_either_way() -> None:
    for doc in DOCS:
        assert structure(doc, CompanyProfile) == converter().structure(doc, CompanyProfile)
