"""The receipt's hash is that of the documented canonical bytes, for every profile of a
process: the first ones (orjson's hook) and those from the 33rd on (functions generated
per class)."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

import attrs
import orjson

from threshold_core.load import load_profile, profile_from_data, profile_sha256
from threshold_core.model import Figure
from threshold_core.portfolio import synthetic_portfolio

EXAMPLES = sorted(Path(__file__).parents[2].glob("examples/companies/*.toml"))


def _documented(profile: Any) -> str:
    """README's Receipt: each attrs object the array of its fields in the model's order,
    mappings with their keys sorted, compact orjson."""

    def fields(value: Any) -> list[Any]:
        return [getattr(value, a.name) for a in attrs.fields(type(value))]

    text = orjson.dumps(profile, default=fields, option=orjson.OPT_SORT_KEYS)
    return hashlib.sha256(text).hexdigest()


class _OddFigure(Figure):
    """A subclass where the model declares Figure."""


def test_receipt_hash_is_the_documented_one_from_the_first_profile_on() -> None:
    profiles = [load_profile(p) for p in EXAMPLES]
    profiles += [profile_from_data(d) for d in synthetic_portfolio(60, seed=11)]
    first = profiles[0]
    assert first.financials is not None and first.financials.revenue is not None
    revenue = first.financials.revenue
    odd = _OddFigure(revenue.value, revenue.source, revenue.as_of, revenue.note)
    profiles.append(attrs.evolve(first, financials=attrs.evolve(first.financials, revenue=odd)))
    expected = [_documented(p) for p in profiles]
    for _ in range(2):  # more than 32 profiles each time: both ways of making the arrays
        assert [profile_sha256(p) for p in profiles] == expected
    assert expected[-1] == expected[0]  # the subclassed figure hashes as the plain one
