"""A number beyond what a float holds is named in the user's terms (kind 13.4): never
Python's own wording ("int too large to convert to float") or an "inf CNY" amount."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from threshold_core import InputError, profile_from_data


def _doc(amount: Any, company_id: str = "a") -> dict[str, Any]:
    return {"id": company_id, "name": "A",
            "valuation": {"amount": amount, "currency": "USD", "basis": "estimate"}}


def test_a_batch_names_each_overflow_plainly(run_cli_process: Any, tmp_path: Path) -> None:
    source = tmp_path / "n.jsonl"
    source.write_text("".join(json.dumps(_doc(a, f"a{n}")) + "\n"
                              for n, a in enumerate((1e308, 10 ** 400)))
                      + json.dumps(_doc(1.0)).replace("1.0", "1e999") + "\n", encoding="utf-8")
    result = run_cli_process("batch", str(source), "--output", str(tmp_path / "out.jsonl"))
    assert result.returncode == 2
    assert result.stderr.splitlines()[:3] == [
        f"{source}:1: $.valuation.amount: 1e+308 USD, beyond the largest amount threshold "
        "reads (1e+15 CNY)",
        f"{source}:2: $.valuation.amount: expected a number within about ±1.8e308, got an "
        "integer beyond it",
        f"{source}:3: $.valuation.amount: expected a finite number, got inf (a number beyond "
        "about ±1.8e308 reads as infinity)",
    ]


@settings(max_examples=30, deadline=None)
@given(digits=st.integers(310, 6000), sign=st.sampled_from([1, -1]))
def test_an_integer_beyond_the_float_range_is_an_error_in_plain_words(digits: int,
                                                                      sign: int) -> None:
    try:
        profile_from_data(_doc(sign * 10 ** (digits - 1)), "p.json")
    except InputError as exc:
        (line,) = exc.lines()
        assert line == ("p.json: $.valuation.amount: expected a number within about "
                        "±1.8e308, got an integer beyond it")
    else:
        raise AssertionError("accepted")
