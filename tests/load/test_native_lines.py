"""A JSON line decoded natively (msgspec, what ``threshold batch`` reads lines with): the
very profile the usual way gives (parse, structure, finish), down to each value's type and
the receipt's canonical bytes, or nothing, so that the usual way names every problem.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest
from helpers import deep, with_faults
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from threshold_core.errors import InputError
from threshold_core.load import (
    parse_json,
    profile_from_data,
    profile_from_line,
    profile_sha256,
    read_toml,
)
from threshold_core.portfolio import synthetic_portfolio

EXAMPLES = sorted((Path(__file__).parents[2] / "examples" / "companies").glob("*.toml"))
DOCS = [{k: v for k, v in d.items() if k != "extensions"} for d in synthetic_portfolio(6, seed=5)]
#: Values put anywhere: out of range, not a code, figure tables, wrong types, odd strings.
FAULTS = (-1, -0.5, 150.0, 1e300, 0, 7, "usd", "\uff35\uff33\uff24", " eur ", "", "text",
          {"value": 5.0}, {"value": 250.0, "source": "own"}, {"value": 1.0, "as_of": "2025-01-01"},
          {"value": 3, "note": "n", "source": None}, {"source": "x"}, True, False, None, [], {},
          [{}], "2026-02-30", "2026-01-15", "20260115", "2026-01-15T00:00:00", "1026-03-31",
          "2101-01-01", "1900-01-01", "2100-12-31", {"value": 1.0, "as_of": "1899-12-31"},
          12.5, 2**40,
          "智谱 \"q\" \u2028", "CAC_ALGORITHM", "enterprise", "market_cap", ["a", "b"])


def line(doc: Any) -> str:
    return json.dumps(doc, ensure_ascii=False, separators=(",", ":"))


def usual(text: str) -> Any:
    """The profile the usual way makes of a line (deep), or its problems."""
    try:
        doc = parse_json(text, "x")
        if not isinstance(doc, dict):
            return "not an object"
        return deep(profile_from_data(doc, "x"))
    except InputError as exc:
        return [(p.path, p.message) for p in exc.problems]


def same_or_left(text: str) -> None:
    """Natively: the usual way's very profile, or None (never a profile the usual way
    refuses, never another one)."""
    native = profile_from_line(text)
    if native is None:
        return
    expected = usual(text)
    assert deep(native) == expected
    assert profile_sha256(native) == profile_sha256(profile_from_data(parse_json(text, "x")))


def examples_as_json() -> list[dict[str, Any]]:
    docs = [{k: v for k, v in read_toml(p).items() if k != "extensions"} for p in EXAMPLES]
    return json.loads(json.dumps(docs, default=str))  # TOML dates as JSON strings


def test_examples_and_synthetic_profiles_are_decoded_natively_and_the_same() -> None:
    docs = [*examples_as_json(),
            *({k: v for k, v in d.items() if k != "extensions"}
              for seed in (1, 2, 3) for d in synthetic_portfolio(220, seed=seed))]
    assert len(docs) > 600
    for doc in docs:
        text = line(doc)
        native = profile_from_line(text)
        assert native is not None, doc["id"]
        assert deep(native) == usual(text)
        assert profile_sha256(native) == profile_sha256(profile_from_data(doc))


def test_bare_figures_take_their_sections_provenance() -> None:
    doc = copy.deepcopy(DOCS[0])
    doc["financials"] = {**doc["financials"], "source": "annual report", "as_of": "2025-12-31",
                         "revenue": 5e8, "cash": {"value": 1e8, "source": "bank"},
                         "rnd_expense": 3, "currency": "usd"}
    native = profile_from_line(line(doc))
    assert native is not None and deep(native) == usual(line(doc))
    fin = native.financials
    assert fin is not None and fin.revenue is not None and fin.cash is not None
    assert (fin.revenue.source, str(fin.revenue.as_of)) == ("annual report", "2025-12-31")
    assert (fin.cash.source, str(fin.cash.as_of)) == ("bank", "2025-12-31")
    assert fin.rnd_expense is not None and fin.rnd_expense.value.__class__ is float
    assert fin.currency == "USD"


def spliced(doc: Any, before: str, after: str) -> str:
    text = line(doc)
    assert before in text
    return text.replace(before, after, 1)


@pytest.mark.parametrize("make", [
    # a key given twice (msgspec would keep the last), at the top and inside
    lambda d: line(d)[:-1] + ',"id":"again"}',
    lambda d: spliced(d, '"financials":{', '"financials":{"period":"X",'),
    lambda d: spliced(d, '"name":"', '"name":"\\u0022x'),  # a quote the count cannot see
    lambda d: spliced(d, '"name":"', '"name":"\\ud800'),  # a lone surrogate
    lambda d: line(d)[:-1] + ',"x":12345678901234567890123}',  # 19 digits and more
    lambda d: line(d)[:-1] + ',"verified":NaN}',
    lambda d: line({**d, "extensions": {"ai_safety": {}}}),
    lambda d: line({**d, "id": "  "}),  # the whole profile's checks
    lambda d: line({**d, "customers": {"segments": [
        {"segment": "enterprise", "revenue_share_pct": 60, "customers": 1},
        {"segment": "consumer", "revenue_share_pct": 50, "customers": 1}]}}),
    lambda d: line({**d, "financials": {"overseas_revenue_pct": 100.5}}),
    lambda d: line({**d, "financials": {"currency": "US"}}),
    lambda d: line({**d, "as_of": "20260630"}),
    lambda d: line({**d, "as_of": "1026-06-30"}),  # outside the dates a profile may hold
    lambda d: line({**d, "financials": {"currency": "CNY",
            "revenue": {"value": 1.0, "as_of": "2101-01-01"}}}),
    lambda d: line({**d, "personal_information": {"compliance_audits": ["1899-12-31"]}}),
    lambda d: line({**d, "unknown": 1}),
    lambda d: "[1, 2]",
    lambda d: line(d) + " x",
])
def test_what_the_usual_way_must_name_is_left_to_it(make: Any) -> None:
    text = make(copy.deepcopy(DOCS[1]))
    assert profile_from_line(text) is None
    # refused, except two valid lines only the usual way reads as the json module does: a
    # quote written \u0022, and a date in ISO 8601's basic form (YYYYMMDD)
    valid = "\\u0022" in text or '"20260630"' in text
    assert isinstance(usual(text), (list, str)) is not valid


@pytest.mark.parametrize("make", [
    lambda d: spliced(d, '":', '" :'),  # spaces, escapes, key order
    lambda d: json.dumps(d, ensure_ascii=True, indent=1),
    lambda d: line({"name": d["name"], **{k: v for k, v in d.items() if k != "name"}}),
    lambda d: line({**d, "name": "智谱 \u2028 \"q\" \\ /"}),
])
def test_any_spelling_of_a_valid_line_is_decoded_natively(make: Any) -> None:
    text = make(copy.deepcopy(DOCS[2]))
    native = profile_from_line(text)
    assert native is not None
    assert deep(native) == usual(text)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_any_fault_anywhere_gives_the_usual_profile_or_nothing(data: st.DataObject) -> None:
    same_or_left(line(with_faults(data, DOCS, FAULTS)))


@settings(max_examples=100, deadline=None)  # the first example makes the decoder
@given(st.data(), st.floats(allow_nan=False, allow_infinity=False)
       | st.integers(-(2**70), 2**70))
def test_any_number_reads_as_the_json_module_reads_it(data: st.DataObject, x: Any) -> None:
    doc = copy.deepcopy(DOCS[3])
    key = data.draw(st.sampled_from(["revenue", "cash", "revenue_growth_pct", "fcf_margin_pct"]))
    doc["financials"] = {**doc["financials"], key: x}
    same_or_left(line(doc))
