"""The fast JSON writer (orjson) writes a decision byte for byte as the json module does.

``decision_json``, ``decisions_json`` and ``decision_line`` (what ``evaluate --format
json`` and ``batch``'s JSONL write) against ``dumps(decision_to_dict(d))`` and the
compact ``json.dumps``, over every example, a synthetic corpus and decisions carrying
the values orjson writes differently (floats with an exponent, NaN, integers past 64
bits, lone surrogates), which must fall back to the json module.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

from threshold_core import Engine
from threshold_core.explain import explain_all
from threshold_core.load import (
    decision_json,
    decision_line,
    decision_line_utf8,
    decision_to_dict,
    decisions_json,
    dumps,
)
from threshold_core.portfolio import synthetic_portfolio

EXAMPLES = sorted((Path(__file__).resolve().parents[2] / "examples" / "companies").glob("*.toml"))


def compact(decision: object) -> str:
    return json.dumps(decision_to_dict(decision), ensure_ascii=False,  # type: ignore[arg-type]
                      allow_nan=False, separators=(",", ":")) + "\n"


@pytest.fixture(scope="module")
def engine() -> Engine:
    return Engine()


@pytest.fixture(scope="module")
def decisions(engine: Engine) -> list[object]:
    made = [engine.evaluate_path(p) for p in EXAMPLES]
    made += [engine.evaluate(engine.profile_from_data(doc, doc["id"]))
             for doc in synthetic_portfolio(150, seed=11)]
    return explain_all(made, engine, on_error=lambda d, e: None)


def test_examples_and_synthetic_corpus_are_byte_identical(decisions: list[object]) -> None:
    assert len(decisions) > 150
    for d in decisions:
        assert decision_json(d) == dumps(decision_to_dict(d))  # type: ignore[arg-type]
        assert decision_line(d) == compact(d)  # type: ignore[arg-type]
        assert decision_line_utf8(d) == compact(d).encode()  # type: ignore[arg-type]
    assert decisions_json(decisions) == dumps(  # type: ignore[arg-type]
        [decision_to_dict(d) for d in decisions])  # type: ignore[arg-type]
    assert decisions_json(decisions[:1]) == dumps([decision_to_dict(decisions[0])])  # type: ignore[arg-type]
    assert decisions_json([]) == dumps([])


def with_evidence(decision: object, value: object) -> object:
    finding = decision.findings[0]  # type: ignore[attr-defined]
    changed = attrs.evolve(finding, evidence={**finding.evidence, "x": value, "y": [value]})
    return attrs.evolve(decision, findings=(changed, *decision.findings[1:]))  # type: ignore[attr-defined]


@pytest.mark.parametrize("value", [
    1e-05, -2.5e-05, 9.999999999999999e-05, 1e-300, 5e-324, 1e16, -1.5e16, 1.7976931348623157e308,
    0.0001, 9999999999999998.0, -0.0, 2**64, -(2**70), {"1": 1e-7}, "\u2028\u4e2d\x7f\x00",
    [["a", {"b": [1.5, 1e-7]}], (2.5e20,)], {"t": ("x", 3e-9)}, [[[[1e300]]]],
])
def test_values_orjson_writes_otherwise_fall_back(decisions: list[object], value: object) -> None:
    d = next(d for d in decisions if d.findings)  # type: ignore[attr-defined]
    odd = with_evidence(d, value)
    assert decision_json(odd) == dumps(decision_to_dict(odd))  # type: ignore[arg-type]
    assert decision_line(odd) == compact(odd)


@pytest.mark.parametrize("value", [math.nan, math.inf, -math.inf, [["a", [math.nan]]],
                                   {"t": (1.0, -math.inf)}])
def test_non_finite_numbers_are_still_refused(decisions: list[object], value: object) -> None:
    d = next(d for d in decisions if d.findings)  # type: ignore[attr-defined]
    odd = with_evidence(d, value)
    for write in (decision_json, decision_line, lambda x: decisions_json([x])):
        with pytest.raises(ValueError, match="Out of range float"):
            write(odd)


def test_a_lone_surrogate_is_written_as_the_json_module_writes_it(decisions: list[object]) -> None:
    d = next(d for d in decisions if d.findings)  # type: ignore[attr-defined]
    odd = with_evidence(d, "\ud800")
    assert decision_line(odd) == compact(odd)


@given(st.lists(st.floats(allow_nan=False, allow_infinity=False), min_size=1, max_size=8))
def test_any_finite_float_is_written_as_repr_writes_it(decisions: list[object],
                                                       values: list[float]) -> None:
    d = next(d for d in decisions if d.findings)  # type: ignore[attr-defined]
    odd = with_evidence(d, values)
    assert decision_line(odd) == compact(odd)


def test_evaluate_json_is_what_the_json_module_writes(run_cli_process) -> None:  # type: ignore[no-untyped-def]
    result = run_cli_process("evaluate", *map(str, EXAMPLES[:2]), "--format", "json")
    assert result.returncode in (0, 1), result.stderr
    data = json.loads(result.stdout)
    assert result.stdout == json.dumps(data, indent=2, ensure_ascii=False, allow_nan=False) + "\n"


@pytest.mark.parametrize("value", [1e22, -1e-05, 5e-324, 1.7976931348623157e308])
def test_a_finite_float_with_an_exponent_does_not_fall_back(
    decisions: list[object], value: float, monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Synthetic profiles carry 1e22 training FLOPs in a rule's evidence: every batch line
    # fell back to the json module (3x slower) before such floats went to orjson as repr.
    d = next(d for d in decisions if d.findings)  # type: ignore[attr-defined]
    odd = with_evidence(d, value)
    expected = compact(odd)

    def no_fallback(*args: object, **kwargs: object) -> str:
        raise AssertionError("fell back to the json module")

    monkeypatch.setattr(json, "dumps", no_fallback)
    assert decision_line(odd) == expected  # type: ignore[arg-type]


@given(st.floats(allow_nan=False, allow_infinity=False))
def test_a_typed_float_is_written_as_repr_writes_it(decisions: list[object], value: float) -> None:
    d = next(d for d in decisions if d.findings)  # type: ignore[attr-defined]
    odd = attrs.evolve(d, score=value)  # type: ignore[misc]
    assert decision_line(odd) == compact(odd)
    assert decision_json(odd) == dumps(decision_to_dict(odd))  # type: ignore[arg-type]


refs = st.lists(st.tuples(st.text(max_size=6), st.text(max_size=4),
                          st.one_of(st.none(), st.dates().map(str))), max_size=4)


@given(st.lists(st.tuples(refs, st.integers(0, 3)), min_size=1, max_size=24))
def test_receipts_shared_between_lines_are_written_as_the_json_module_writes_them(
    decisions: list[object], lists: list[tuple[list[tuple[str, str, object]], int]],
) -> None:
    """A JSONL line writes an engine's plugin and pack lists (one tuple shared by all its
    decisions) once and reuses the text: lines whose receipts share, repeat or change those
    tuples, more of them than are kept, are still the json module's bytes."""
    from threshold_core.model import PackRef, PluginRef

    made = [(tuple(PluginRef(n, v) for n, v, _ in r),
             tuple(PackRef(n, v, when, n[::-1]) for n, v, when in r))  # type: ignore[arg-type]
            for r, _ in lists]
    d = decisions[0]
    for i, (plugins, packs) in enumerate(made):
        earlier = made[max(0, i - lists[i][1])]
        for receipt_plugins, receipt_packs in ((plugins, packs), (plugins, earlier[1]),
                                               (earlier[0], packs), (plugins, packs)):
            odd = attrs.evolve(d, receipt=attrs.evolve(  # type: ignore[attr-defined]
                d.receipt, plugins=receipt_plugins, packs=receipt_packs))  # type: ignore[attr-defined]
            assert decision_line_utf8(odd) == compact(odd).encode()
