"""The reports are written from the decision's JSON document (``decision_data``): the same
text, Markdown and HTML as from the converter's unstructured decision, for the examples
and a synthetic corpus, and the same when the writer falls back."""

from __future__ import annotations

import json
import math

import attrs
import pytest
from helpers import explained_corpus

import threshold_core.reports._charts as charts
import threshold_core.reports._html as html
import threshold_core.reports._text as text
from threshold_core import Engine
from threshold_core.load import decision_data, decision_json, decision_to_dict
from threshold_core.reports import ReportOptions, render_html, render_markdowns, render_texts


@pytest.fixture(scope="module")
def engine() -> Engine:
    return Engine()


@pytest.fixture(scope="module")
def decisions(engine: Engine) -> list[object]:
    return explained_corpus(engine, 40, seed=5)


def _reports(engine: Engine, decisions: list[object]) -> list[str]:
    out = []
    for units in ("bn", "yi"):
        shown = ReportOptions(units=units)
        out += [render_texts(decisions, text._plain, shown),  # type: ignore[arg-type]
                render_texts(decisions, lambda t, **k: f"<{sorted(k)}>{t}</>", shown),  # type: ignore[arg-type]
                render_markdowns(decisions, shown),  # type: ignore[arg-type]
                render_html(decisions, engine.config.policy.grades, shown)]  # type: ignore[arg-type]
    return out


def _from_converter(monkeypatch: pytest.MonkeyPatch) -> None:
    for module in (text, html, charts):
        monkeypatch.setattr(module, "decision_data", decision_to_dict)


def test_the_data_is_the_json_document_read_back(decisions: list[object]) -> None:
    for d in decisions:
        assert decision_data(d) == json.loads(decision_json(d))  # type: ignore[arg-type]


def test_reports_equal_those_from_the_converters_data(
        engine: Engine, decisions: list[object], monkeypatch: pytest.MonkeyPatch) -> None:
    groups = [[d] for d in decisions] + [decisions[:6]]
    new = [_reports(engine, g) for g in groups]
    _from_converter(monkeypatch)
    assert new == [_reports(engine, g) for g in groups]


@pytest.mark.parametrize("value", [math.nan, 2**70, {"1": 1e-7}])
def test_a_decision_the_writer_leaves_to_the_json_module_reports_as_before(
        engine: Engine, decisions: list[object], value: object,
        monkeypatch: pytest.MonkeyPatch) -> None:
    d = next(d for d in decisions if d.findings)  # type: ignore[attr-defined]
    finding = d.findings[0]  # type: ignore[attr-defined]
    changed = attrs.evolve(finding, evidence={**finding.evidence, "x": value})
    odd = attrs.evolve(d, findings=(changed, *d.findings[1:]))  # type: ignore[misc]
    new = _reports(engine, [odd])
    _from_converter(monkeypatch)
    assert new == _reports(engine, [odd])
