"""The ``figures`` variable: every figure of a profile with its path and provenance.

``figures_of`` is generated per class (straight attribute reads); these tests hold it
to the plain recursive reading of the model it replaced, on the example companies and
on a synthetic portfolio, for every attribute and for a subset of them.
"""

from __future__ import annotations

from typing import Any

import attrs
import pytest

from threshold_core.declarative import FIGURE_FIELDS, figures_of, to_cel
from threshold_core.load import profile_from_data
from threshold_core.model import CompanyProfile, Figure, grade_source
from threshold_core.portfolio import synthetic_portfolio


def reference(obj: Any, fields: frozenset[str], prefix: str = "") -> list[dict[str, Any]]:
    """Every figure reachable from ``obj``, in field order, read field by field."""
    out: list[dict[str, Any]] = []
    for a in attrs.fields(type(obj)):
        value = getattr(obj, a.name)
        path = prefix + a.name
        if isinstance(value, Figure):
            entry = {"path": path, "value": float(value.value), "source": value.source or "",
                     "note": value.note or ""}
            if value.as_of is not None:
                entry["as_of"] = to_cel(value.as_of)
            entry["grade"] = str(grade_source(value.source))
            out.append({k: v for k, v in entry.items() if k in fields})
        elif attrs.has(type(value)):
            out += reference(value, fields, path + ".")
        elif isinstance(value, tuple):
            for i, item in enumerate(value):
                if attrs.has(type(item)):
                    out += reference(item, fields, f"{path}[{i}].")
    return out


def _profiles(example_profiles: dict[str, CompanyProfile]) -> list[CompanyProfile]:
    return [*example_profiles.values(),
            *(profile_from_data(d) for d in synthetic_portfolio(60, seed=7))]


@pytest.mark.parametrize("fields", [frozenset(FIGURE_FIELDS), frozenset({"path", "source"}),
                                    frozenset({"value", "as_of"}),
                                    frozenset({"path", "grade"})])
def test_figures_are_every_figure_in_field_order(
    example_profiles: dict[str, CompanyProfile], fields: frozenset[str]
) -> None:
    for profile in _profiles(example_profiles):
        assert figures_of(profile, fields) == reference(profile, fields), profile.id


def test_a_profile_without_figures_has_none() -> None:
    assert figures_of(profile_from_data({"id": "x", "name": "X"})) == []


@pytest.mark.parametrize(("expression", "read"), [
    ("figures.exists(f, f.source.startsWith('illustrative'))", {"source"}),
    ("figures.filter(f, f.source == 'x').map(f, f.path)", {"path", "source"}),
    ("size(figures) > 1 && figures.size() > 1", set()),
    ("figures.exists(f, has(f.as_of)) && figures[0].note == ''", {"as_of", "note"}),
    ("size(figures.filter(f, f.value > 1.0)) > 0", {"value"}),
    # entries used whole (kept in a list, indexed, compared, mapped to themselves): all
    ("figures.filter(f, f.value > 1.0) == []", None),
    ("figures.map(f, f) == []", None),
    ("figures[0] == figures[1]", None),
    ("figures == []", None),
])
def test_a_pack_converts_only_the_figure_attributes_it_reads(
    expression: str, read: set[str] | None
) -> None:
    from threshold_core.declarative import analyze_checked, compile_checked

    _, checked, _ = compile_checked(expression)
    fields = analyze_checked(checked).figure_fields
    assert fields == (None if read is None else frozenset(read))


def test_the_disclosure_pack_names_illustrative_figures() -> None:
    from threshold_core import Context, Engine, build_config

    engine = Engine(build_config({}))
    pack = engine.packs["disclosure"].component
    profile = profile_from_data({
        "id": "x", "name": "X", "as_of": "2026-06-30",
        "financials": {"currency": "CNY", "revenue": {"value": 1.0, "source": "illustrative"},
                       "cash": {"value": 2.0, "source": "filing", "note": "n"}},
    })
    context = Context(fx=engine.fx, as_of=profile.as_of)
    outcome = next(r for r in pack.rules if r.meta.id == "DIS-004").check(profile, None, context)
    assert str(outcome.status) == "fired"
    assert outcome.message == "1 of 2 figures are marked illustrative: financials.revenue"
