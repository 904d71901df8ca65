"""Loading profiles: strict validation, every problem at once, provenance."""

from __future__ import annotations

import json
from pathlib import Path

import attrs
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from threshold_core import InputError, load_profile, profile_from_data
from threshold_core.model import (
    Compute,
    Customers,
    ExportControls,
    Listing,
    RegistryCheck,
    RegistryChecks,
    Valuation,
)

FIVE_MISTAKES = """\
id = "zhipu"
name = "Zhipu AI"
as_of = 2026-06-30

[valuation]
amount = "a lot"
currency = "USD"
basis = "market_cap"

[customers]
ndr_pct = "120"
gdr_pt = 95

[[investors]]
name = "Sequoia China"
type = "venture"
tier = 2.5

[[filings]]
regime = "CAC_GENAI_FILING"
filing_date = 2023-02-30
"""


def test_five_mistakes_are_all_reported_with_file_and_path(tmp_path: Path) -> None:
    path = tmp_path / "zhipu.toml"
    path.write_text(FIVE_MISTAKES.replace("2023-02-30", '"2023-02-30"'), encoding="utf-8")
    with pytest.raises(InputError) as err:
        load_profile(path)
    assert err.value.lines() == [
        f'{path}: $.valuation.amount: expected a number, got "a lot"',
        f'{path}: $.customers.ndr_pct: expected a number or a {{ value = ... }} table, got "120"',
        f"{path}: $.customers.gdr_pt: unknown key",
        f"{path}: $.investors[0].type: expected one of state_fund, strategic, vc, pe, sovereign, "
        'cornerstone, university, other; got "venture"',
        f"{path}: $.investors[0].tier: expected a whole number, got 2.5",
        f'{path}: $.filings[0].filing_date: expected a date (YYYY-MM-DD), got "2023-02-30"',
    ]


def test_toml_syntax_error_gives_line_and_column(tmp_path: Path) -> None:
    path = tmp_path / "broken.toml"
    path.write_text('id = "x"\nname = \n', encoding="utf-8")
    with pytest.raises(InputError) as err:
        load_profile(path)
    (line,) = err.value.lines()
    assert line.startswith(f"{path}: $: invalid TOML:") and "line 2" in line


def test_json_profiles_load_like_toml(tmp_path: Path) -> None:
    path = tmp_path / "a.json"
    path.write_text(json.dumps({"id": "a", "name": "A", "as_of": "2026-06-30",
                                "customers": {"ndr_pct": {"value": 120, "source": "memo"}}}))
    profile = load_profile(path)
    assert profile.customers is not None and profile.customers.ndr_pct is not None
    assert profile.customers.ndr_pct.value == 120.0
    assert profile.customers.ndr_pct.source == "memo"
    bad = tmp_path / "b.json"
    bad.write_text('{"id": "a",}')
    with pytest.raises(InputError, match=r"b.json: \$: invalid JSON: .*line 1, column 12\)"):
        load_profile(bad)


def test_unknown_format_and_missing_file(tmp_path: Path) -> None:
    (tmp_path / "a.yaml").write_text("id: a")
    with pytest.raises(InputError, match=r"unknown profile format '.yaml'"):
        load_profile(tmp_path / "a.yaml")
    with pytest.raises(InputError, match=r"no such file"):
        load_profile(tmp_path / "nope.toml")


def test_bare_figures_inherit_section_provenance() -> None:
    profile = profile_from_data({
        "id": "a", "name": "A",
        "financials": {"currency": "CNY",
                "source": "prospectus", "as_of": "2025-12-31", "revenue": 312e6,
                       "gross_margin_pct": {"value": 56.3, "source": "annual report"}},
    })
    fin = profile.financials
    assert fin is not None and fin.revenue is not None and fin.gross_margin_pct is not None
    assert (fin.revenue.source, str(fin.revenue.as_of)) == ("prospectus", "2025-12-31")
    assert fin.gross_margin_pct.source == "annual report"


def test_shares_must_be_percentages() -> None:
    with pytest.raises(InputError) as err:
        profile_from_data({"id": "a", "name": "A",
                           "financials": {"top5_customer_share_pct": 145,
                                          "gross_margin_pct": -8.1}})
    assert err.value.lines() == [
        "<profile>: $.financials.top5_customer_share_pct: a share must be within 0-100, got 145"]


@pytest.mark.parametrize(("given", "shown"), [
    (100.0000001, "a share must be within 0-100, got 100.0000001"),
    (-1e-9, "a share must be within 0-100, got -1e-09"),
    (100.00000000000001, "a share must be within 0-100, got 100.00000000000001"),
])
def test_a_rejected_figure_is_never_shown_on_the_bound_it_is_outside(given: float,
                                                                      shown: str) -> None:
    with pytest.raises(InputError) as err:
        profile_from_data({"id": "a", "name": "A",
                           "financials": {"top5_customer_share_pct": given}})
    assert err.value.lines() == [f"<profile>: $.financials.top5_customer_share_pct: {shown}"]


def test_revenue_shares_over_100_by_a_hair_are_not_shown_as_100() -> None:
    segments = [{"segment": "enterprise", "revenue_share_pct": 60.000002, "customers": 10},
                {"segment": "developer", "revenue_share_pct": 40.0, "customers": 900}]
    with pytest.raises(InputError) as err:
        profile_from_data({"id": "a", "name": "A", "customers": {"segments": segments}})
    assert err.value.lines() == [
        "<profile>: $.customers.segments: revenue shares add up to 100.000002%, more than "
        "100%"]


def test_strict_scalars_never_coerce() -> None:
    with pytest.raises(InputError) as err:
        profile_from_data({"id": 5, "name": "A", "verified": "yes",
                           "ethics_governance": {"committee": True, "members": 5.0}})
    assert err.value.lines() == [
        "<profile>: $.id: expected a string, got 5",
        '<profile>: $.verified: expected true or false, got "yes"',
        "<profile>: $.ethics_governance.members: expected a whole number, got 5.0",
    ]


def test_wrong_container_types_are_named() -> None:
    with pytest.raises(InputError) as err:
        profile_from_data({"id": "a", "name": "A", "filings": {"regime": "CAC_ALGORITHM"},
                           "valuation": 5})
    assert sorted(err.value.lines()) == [
        "<profile>: $.filings: expected an array, got a table",
        "<profile>: $.valuation: expected a table, got 5",
    ]



# TOML's own date and time values where a string, number, choice, date or table belongs:
# the error shows them as TOML writes them (``got datetime.time(10, 0)`` before).
TOML_TIMES = {"2026-06-01": "a date 2026-06-01", "10:00:00": "a time 10:00:00",
              "2026-06-01T10:00:00": "a date-time 2026-06-01T10:00:00",
              "2026-06-01T10:00:00+08:00": "a date-time 2026-06-01T10:00:00+08:00"}
PLACES = [  # what comes before "= value", the path named, what was expected
    ("hq_province", "$.hq_province", "a string"),
    ('[valuation]\ncurrency = "CNY"\nbasis = "market_cap"\namount', "$.valuation.amount",
     "a number"),
    ("[listing]\nstatus", "$.listing.status", "one of"),
    ("[export_controls]\nentity_list = false\nchecked_on", "$.export_controls.checked_on",
     "a date"),
    ("[registry_checks]\nCAC_ALGORITHM", "$.registry_checks.CAC_ALGORITHM", "a table"),
]


@given(place=st.sampled_from(PLACES), value=st.sampled_from(sorted(TOML_TIMES)))
@settings(max_examples=30)
def test_toml_dates_and_times_read_as_toml_in_errors(tmp_path_factory, place, value) -> None:
    key, where, expected = place
    assume(not (expected == "a date" and value == "2026-06-01"))  # that one is right
    path = tmp_path_factory.mktemp("p") / "p.toml"
    path.write_text(f'id = "x"\nname = "X"\n{key} = {value}\n', encoding="utf-8")
    with pytest.raises(InputError) as err:
        load_profile(path)
    (line,) = err.value.lines()
    assert line.startswith(f"{path}: {where}: expected {expected}"), line
    assert line.endswith("got " + TOML_TIMES[value]), line


@pytest.mark.parametrize(("table", "message"), [
    ("cac_genai_filing", "unknown key (did you mean CAC_GENAI_FILING?)"),
    ("CAC-Algorithm", "unknown key (did you mean CAC_ALGORITHM?)"),
    ("MIIT_ICP", "unknown key (known: CAC_ALGORITHM, CAC_DEEP_SYNTHESIS, CAC_GENAI_FILING, "
                 "CAC_GENAI_REGISTRATION)"),
])
def test_a_registry_name_in_the_wrong_case_says_which_one(tmp_path, table, message) -> None:
    path = tmp_path / "p.toml"
    path.write_text(f'id = "x"\nname = "X"\n[registry_checks.{table}]\nchecked_on = 2026-06-01\n',
                    encoding="utf-8")
    with pytest.raises(InputError) as err:
        load_profile(path)
    assert err.value.lines() == [f"{path}: $.registry_checks.{table}: {message}"]


@given(st.data())
@settings(max_examples=40)
def test_any_key_in_another_case_names_the_key_meant(tmp_path_factory, data) -> None:
    """The kind: a key that differs from a field only in case or separators is named."""
    section, cls = data.draw(st.sampled_from([
        ("valuation", Valuation), ("export_controls", ExportControls),
        ("registry_checks", RegistryChecks), ("listing", Listing), ("customers", Customers),
        ("registry_checks.CAC_ALGORITHM", RegistryCheck), ("compute", Compute)]))
    name = data.draw(st.sampled_from([a.name for a in attrs.fields(cls)]))
    flips = data.draw(st.lists(st.booleans(), min_size=len(name), max_size=len(name)))
    typo = "".join(c.swapcase() if f else c for c, f in zip(name, flips, strict=True))
    typo = typo.replace("_", "-") if data.draw(st.booleans()) else typo
    assume(typo != name)
    path = tmp_path_factory.mktemp("p") / "p.toml"
    path.write_text(f'id = "x"\nname = "X"\n[{section}]\n"{typo}" = 1\n', encoding="utf-8")
    with pytest.raises(InputError) as err:
        load_profile(path)
    assert f"{path}: $.{section}.{typo}: unknown key (did you mean {name}?)" in err.value.lines()
