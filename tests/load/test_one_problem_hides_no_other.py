"""A problem that stops a profile from structuring (a value of the wrong type, a whole number
beyond 64 bits) no longer hides the out-of-range numbers and malformed currency codes beside
it: they are reported in the same run, each by its path, instead of one fix at a time.

Before, `threshold validate` of a profile with ``mlps_level3_systems = "x"`` and
``n_prompts = -450`` named only the first; the negative sample size appeared once it was
fixed. Problems only the whole profile shows (dates out of order, a valuation after the
evaluation date) still need it structured.
"""

from __future__ import annotations

import copy
import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from threshold_core import InputError
from threshold_core.load import profile_from_data
from threshold_core.portfolio import synthetic_portfolio

ROOT = Path(__file__).resolve().parents[2]
ZHIPU = ROOT / "examples" / "companies" / "zhipu.toml"


def _with(text: str, *changes: tuple[str, str]) -> str:
    for old, new in changes:
        assert re.search(f"(?m)^{re.escape(old)}$", text), old
        text = re.sub(f"(?m)^{re.escape(old)}$", new, text, count=1)
    return text


@pytest.mark.parametrize("first", [
    'mlps_level3_systems = "x"',
    "mlps_level3_systems = 18446744073709551616",
    "mlps_level3_systems = 1.5",
])
def test_validate_names_every_problem_beside_one_that_stops_structuring(
    tmp_path: Path, run_cli_process: Callable[..., Any], first: str,
) -> None:
    profile = tmp_path / "z.toml"
    profile.write_text(_with(ZHIPU.read_text(encoding="utf-8"),
                             ("mlps_level3_systems = 1", first),
                             ("n_prompts = 450", "n_prompts = -450"),
                             ("verticals_approved = 12", "verticals_approved = -12")),
                       encoding="utf-8")
    run = run_cli_process("validate", str(profile))
    assert run.returncode == 2, run.stdout + run.stderr
    assert "Traceback" not in run.stderr
    lines = run.stderr.strip().splitlines()
    paths = [line.split(": ")[1] for line in lines]
    assert sorted(paths) == ["$.compliance.mlps_level3_systems",
                             "$.evaluations.safety[0].n_prompts",
                             "$.reported_claims.verticals_approved"], run.stderr
    assert f"{profile}: $.evaluations.safety[0].n_prompts: must not be negative, got -450" \
        in lines
    assert f"{profile}: $.reported_claims.verticals_approved: must not be negative, got -12" \
        in lines


def test_a_currency_code_beside_a_value_of_the_wrong_type_is_checked_too() -> None:
    doc = {"id": "c", "name": "C", "as_of": "2026-06-30",
           "financials": {"currency": "yuan", "revenue": "lots"}}
    with pytest.raises(InputError) as caught:
        profile_from_data(doc, "c.json")
    found = {p.path: p.message for p in caught.value.problems}
    assert found["$.financials.currency"] == 'expected an ISO 4217 code, got "yuan"'
    assert "$.financials.revenue" in found


def test_a_value_of_the_wrong_type_is_reported_once_not_as_out_of_range_too() -> None:
    doc = {"id": "c", "name": "C", "as_of": "2026-06-30",
           "compliance": {"mlps_level3_systems": -2**64}}
    with pytest.raises(InputError) as caught:
        profile_from_data(doc, "c.json")
    assert [p.path for p in caught.value.problems] == ["$.compliance.mlps_level3_systems"]


# -- the kind: any two faults in different places are both reported ----------------------

DOCS = [json.loads(json.dumps(d)) for d in synthetic_portfolio(6, seed=5)]


def _numbers(node: Any, path: str = "$") -> list[str]:
    """The paths of every number in a document (figures' ``value`` named by the figure)."""
    if isinstance(node, dict):
        out = []
        for k, v in node.items():
            if isinstance(v, dict) and isinstance(v.get("value"), (int, float)) \
                    and not isinstance(v.get("value"), bool):
                out.append(f"{path}.{k}")
            else:
                out += _numbers(v, f"{path}.{k}")
        return out
    if isinstance(node, list):
        return [p for i, v in enumerate(node) for p in _numbers(v, f"{path}[{i}]")]
    if isinstance(node, (int, float)) and not isinstance(node, bool):
        return [path]
    return []


def _set(doc: dict[str, Any], path: str, value: Any) -> None:
    parts = re.findall(r"\.([A-Za-z_0-9]+)|\[(\d+)\]", path[1:])
    node: Any = doc
    for key, index in parts[:-1]:
        node = node[key] if key else node[int(index)]
    key, index = parts[-1]
    holder, slot = (node, key) if key else (node, int(index))
    if isinstance(holder[slot], dict) and "value" in holder[slot]:
        holder[slot]["value"] = value
    else:
        holder[slot] = value


def _problems(doc: dict[str, Any]) -> dict[str, str]:
    try:
        profile_from_data(doc, "p.json")
    except InputError as exc:
        return {p.path: p.message for p in exc.problems}
    return {}


#: Values put in a number's place: out of most ranges, 0 (a valuation must be above it),
#: beyond 64 bits, beyond the floats.
ODD_NUMBERS = (-1e30, -1, -0.5, 0, 0.0, 1e30, 2**64, -(2**64), 10**400, -(10**400), 1e308)


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_a_number_is_reported_beside_a_value_of_the_wrong_type_as_it_is_alone(
    data: st.DataObject,
) -> None:
    """Whatever problem a number gives alone, it gives beside a wrong-typed value anywhere
    else, with the same message; and the wrong-typed value is reported too."""
    doc = data.draw(st.sampled_from(DOCS))
    numbers = _numbers(doc)
    ranged, wrong = data.draw(st.lists(st.sampled_from(numbers), min_size=2, max_size=2,
                                       unique=True))
    odd = copy.deepcopy(doc)
    _set(odd, ranged, data.draw(st.sampled_from(ODD_NUMBERS)))
    alone = _problems(odd)
    both = copy.deepcopy(odd)
    _set(both, wrong, "not a number")
    reported = _problems(both)
    assert reported.get(ranged) == alone.get(ranged), (ranged, wrong, alone, reported)
    assert wrong in reported, (ranged, wrong, reported)


def test_a_csv_row_names_every_problem_beside_a_cell_that_does_not_convert(
    tmp_path: Path, run_cli_process: Callable[..., Any],
) -> None:
    portfolio = tmp_path / "q.csv"
    portfolio.write_text(
        "id,name,as_of,compliance.mlps_level3_systems,reported_claims.verticals_approved,"
        "financials.currency\nq,Q Co,2026-06-30,x,-12,yuan\n", encoding="utf-8")
    run = run_cli_process("batch", str(portfolio), "--output", str(tmp_path / "out.jsonl"))
    assert run.returncode == 2, run.stdout + run.stderr
    assert "Traceback" not in run.stderr
    assert run.stderr.splitlines()[:3] == [
        f'{portfolio}:2: $.compliance.mlps_level3_systems: expected a whole number, got "x"',
        f"{portfolio}:2: $.reported_claims.verticals_approved: must not be negative, got -12",
        f'{portfolio}:2: $.financials.currency: expected an ISO 4217 code, got "yuan"',
    ]  # in the row's column order


def test_a_valuation_of_0_and_a_blank_id_are_reported_beside_a_value_of_the_wrong_type() -> None:
    doc = {"id": " ", "name": "C", "as_of": "2026-06-30",
           "valuation": {"amount": 0, "currency": "CNY", "basis": "market_cap"},
           "compliance": {"mlps_level3_systems": "x"}}
    with pytest.raises(InputError) as caught:
        profile_from_data(doc, "c.json")
    assert [(p.path, p.message) for p in caught.value.problems] == [
        ("$.id", "must not be empty"),
        ("$.valuation.amount", "must be positive"),
        ("$.compliance.mlps_level3_systems", 'expected a whole number, got "x"'),
    ]


def test_problems_are_listed_in_the_order_they_stand_in_the_file() -> None:
    doc = {"id": "c", "name": "C", "as_of": "2026-06-30", "investors": [
        {"name": "A", "type": "vc"}, {"name": "B", "type": "vc", "tier": 9},
        {"name": "C", "type": "vc", "lockup_months": "x"}]}
    with pytest.raises(InputError) as caught:
        profile_from_data(doc, "c.json")
    assert [p.path for p in caught.value.problems] == ["$.investors[1].tier",
                                                        "$.investors[2].lockup_months"]


def test_a_plugins_extension_section_reports_its_counts_beside_a_wrong_type(
    tmp_path: Path, run_cli_process: Callable[..., Any],
) -> None:
    """The example plugin's ``n_prompts`` declares its range (``metadata=AMOUNT``), so the
    loader checks it by path beside every other problem (an attrs validator on it named
    the whole evaluation, and only once nothing else was wrong)."""
    profile = tmp_path / "z.toml"
    profile.write_text(ZHIPU.read_text(encoding="utf-8") + """
[extensions.ai_safety_maturity]
source = "s"

[[extensions.ai_safety_maturity.evaluations]]
suite = 5
n_prompts = -450
over_refusal_pct = 500
""", encoding="utf-8")
    run = run_cli_process("validate", str(profile))
    assert run.returncode == 2, run.stdout + run.stderr
    at = "$.extensions.ai_safety_maturity.evaluations[0]"
    assert run.stderr.splitlines() == [
        f"{profile}: {at}.suite: expected a string, got 5",
        f"{profile}: {at}.n_prompts: must not be negative, got -450",
        f"{profile}: {at}.over_refusal_pct: a share must be within 0-100, got 500",
    ]


def test_a_csv_row_names_every_problem_of_its_other_cells_in_column_order(
    tmp_path: Path, run_cli_process: Callable[..., Any],
) -> None:
    """Beside a cell that does not convert: a wrong type inside a JSON cell, an enum value,
    an extension section's range, and a figure's ``value`` column, each at its column."""
    portfolio = tmp_path / "q.csv"
    rows = [
        "id,name,as_of,financials.currency,financials.revenue.value,"
        "compliance.mlps_level3_systems,investors,listing.status,"
        "extensions.ai_safety_maturity.evaluations",
        'q,Q Co,2026-06-30,CNY,-5,x,"[{""name"":5,""type"":""vc""}]",bogus,'
        '"[{""suite"":""X"",""over_refusal_pct"":500}]"',
    ]
    portfolio.write_text("\n".join(rows) + "\n", encoding="utf-8")
    run = run_cli_process("batch", str(portfolio), "--output", str(tmp_path / "o.jsonl"))
    assert run.returncode == 2, run.stdout + run.stderr
    assert run.stderr.splitlines()[:5] == [
        f"{portfolio}:2: $.financials.revenue: must not be negative, got -5",
        f'{portfolio}:2: $.compliance.mlps_level3_systems: expected a whole number, got "x"',
        f"{portfolio}:2: $.investors[0].name: expected a string, got 5",
        f"{portfolio}:2: $.listing.status: expected one of listed, filed, private, "
        'subsidiary; got "bogus"',
        f"{portfolio}:2: $.extensions.ai_safety_maturity.evaluations[0].over_refusal_pct: "
        "a share must be within 0-100, got 500",
    ]
