"""The reports are written from the decision's JSON document (``decision_data``): the same
blocks (text, Markdown and the HTML page's body) and chart data as from the converter's
unstructured decision, for the examples and a synthetic corpus, and the same when the
writer falls back."""

from __future__ import annotations

import json
import math

import attrs
import pytest
from helpers import explained_corpus

from threshold_core import Engine
from threshold_core.load import decision_data, decision_json, decision_to_dict
from threshold_core.reports import ReportOptions, blocks, coverage_rows, waterfall_steps


@pytest.fixture(scope="module")
def engine() -> Engine:
    return Engine()


@pytest.fixture(scope="module")
def decisions(engine: Engine) -> list[object]:
    return explained_corpus(engine, 40, seed=5)


def _read(data: dict[str, object]) -> list[object]:
    """What the reports make of one decision's data."""
    return [*(blocks(data, ReportOptions(units=units)) for units in ("bn", "yi")),
            waterfall_steps(data), coverage_rows(data)]


def test_the_data_is_the_json_document_read_back(decisions: list[object]) -> None:
    for d in decisions:
        assert decision_data(d) == json.loads(decision_json(d))  # type: ignore[arg-type]


def test_reports_read_the_same_as_from_the_converters_data(decisions: list[object]) -> None:
    for d in decisions:
        assert _read(decision_data(d)) == _read(decision_to_dict(d))  # type: ignore[arg-type]


@pytest.mark.parametrize("value", [math.nan, 2**70, {"1": 1e-7}])
def test_a_decision_the_writer_leaves_to_the_json_module_reads_as_before(
        decisions: list[object], value: object) -> None:
    d = next(d for d in decisions if d.findings)  # type: ignore[attr-defined]
    finding = d.findings[0]  # type: ignore[attr-defined]
    changed = attrs.evolve(finding, evidence={**finding.evidence, "x": value})
    odd = attrs.evolve(d, findings=(changed, *d.findings[1:]))  # type: ignore[misc]
    assert _read(decision_data(odd)) == _read(decision_to_dict(odd))
