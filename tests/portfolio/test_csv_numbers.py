"""A number in a CSV cell is written as JSON and TOML write one (break report, fault 17):
``4_0_0_0_000_000`` and Arabic-Indic or full-width digits are refused, as ``4,000,000,000``
is; and a bad row is named by its line in the file, as an editor numbers it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from threshold_core.portfolio import csv_row_to_document

HEAD = "id,name,valuation.amount,valuation.currency,valuation.basis,customers.ndr_pct\n"
ROWS = ("a,A,4_0_0_0_000_000,CNY,market_cap,\n"
        "b,B,5e9,CNY,market_cap,\u0661\u0662\u0660\n"
        'c,"C\nCo",abc,CNY,market_cap,\n'
        "d,D,5e9,CNY,market_cap,\uff11\uff12\uff10\n")


def test_loose_numbers_are_refused_naming_the_line_and_column(run_cli_process: Any,
                                                              tmp_path: Path) -> None:
    (tmp_path / "q.csv").write_text(HEAD + ROWS, encoding="utf-8")
    result = run_cli_process("batch", "q.csv", "--output", "q.jsonl")
    assert result.returncode == 2, result.stderr
    assert result.stderr.splitlines()[:4] == [
        'q.csv:2: $.valuation.amount: expected a number, got "4_0_0_0_000_000"',
        'q.csv:3: $.customers.ndr_pct: expected a number, got "\u0661\u0662\u0660"',
        'q.csv:4: $.valuation.amount: expected a number, got "abc"',  # a two-line row
        'q.csv:6: $.customers.ndr_pct: expected a number, got "\uff11\uff12\uff10"',
    ]


def cell(text: str) -> list[Any]:
    _, problems = csv_row_to_document({"id": "x", "name": "X", "customers.ndr_pct": text,
                                       "customers.enterprise_customers": "1"})
    return problems


digits = st.text(alphabet=st.characters(categories=["Nd"]), min_size=1, max_size=6)


@given(digits)
def test_only_ascii_digits_make_a_number(text: str) -> None:
    assert (cell(text) == []) == text.isascii()


@given(st.integers(min_value=0, max_value=10**9), st.integers(min_value=1, max_value=8))
def test_an_underscore_is_never_a_separator(value: int, at: int) -> None:
    plain = str(value)
    assert cell(plain) == []
    if at < len(plain):
        assert cell(plain[:at] + "_" + plain[at:]) != []
