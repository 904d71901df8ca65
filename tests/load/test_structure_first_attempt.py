"""structure() tries a converter without detailed validation first (from a process's
33rd document of a class, the function generated from that converter's hooks) and re-runs
the detailed one only when that fails: the profiles built and the problems reported
(paths and messages) are those of the detailed converter alone, for any kind of fault put
anywhere in a profile document, whichever first attempt ran.
"""

from __future__ import annotations

import importlib
from typing import Any

import pytest
from helpers import deep, with_faults
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from threshold_core.load import StructureProblems, converter, structure
from threshold_core.model import CompanyProfile
from threshold_core.portfolio import synthetic_portfolio

_converter = importlib.import_module("threshold_core.load._converter")
_fast = importlib.import_module("threshold_core.load._fast")

DOCS = [{k: v for k, v in d.items() if k != "extensions"} for d in synthetic_portfolio(5, seed=3)]




FAULTS = ("text", -1, 1.5, True, None, [], {}, {"unexpected": 1}, [1, "x"], "\ud800",
          float("inf"), "2026-13-45", 10**30)


def outcome(doc: Any) -> Any:
    try:
        return structure(doc, CompanyProfile)
    except StructureProblems as exc:
        return [(p.path, p.message) for p in exc.problems]


@pytest.fixture(params=["generated", "cattrs"])
def first_attempt(request: pytest.FixtureRequest) -> Any:
    """The generated first attempt from the first document on, or cattrs' alone."""
    with pytest.MonkeyPatch.context() as mp:
        if request.param == "generated":
            mp.setattr(_fast, "GENERATE_AFTER", 0)
        else:
            mp.setattr(_converter, "fast_function", lambda cls, conv: None)
        yield request.param




# The fixture sets which first attempt runs: the same for every input, on purpose.
@settings(max_examples=150, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.data())
def test_first_attempt_changes_neither_results_nor_problems(first_attempt: str,
                                                            data: st.DataObject) -> None:
    doc = with_faults(data, DOCS, FAULTS)
    fast = outcome(doc)
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(_converter, "_first_attempt", converter)  # the detailed pass only
        mp.setattr(_converter, "fast_function", lambda cls, conv: None)
        detailed = outcome(doc)
    assert deep(fast) == deep(detailed)


def example_documents() -> list[Any]:
    from pathlib import Path

    from threshold_core.load import read_toml

    root = Path(__file__).parents[2] / "examples" / "companies"
    return [{k: v for k, v in read_toml(p).items() if k != "extensions"}
            for p in sorted(root.glob("*.toml"))]


def test_a_valid_profile_is_the_same_object_either_way(first_attempt: str) -> None:
    docs = [*DOCS, *example_documents(),
            *({k: v for k, v in d.items() if k != "extensions"}
              for d in synthetic_portfolio(200, seed=11))]
    for doc in docs:
        assert deep(structure(doc, CompanyProfile)) == deep(
            converter().structure(doc, CompanyProfile))


def test_the_generated_first_attempt_is_what_structures_a_valid_profile() -> None:
    """Not a detailed pass after a failed first attempt: the generated function itself
    builds each valid profile (here, of the examples and 50 synthetic ones)."""
    function = _fast._generate(CompanyProfile, _converter._first_attempt())
    assert function is not None
    docs = [*example_documents(), *({k: v for k, v in d.items() if k != "extensions"}
                                    for d in synthetic_portfolio(50, seed=12))]
    for doc in docs:
        assert deep(function(doc)) == deep(converter().structure(doc, CompanyProfile))
