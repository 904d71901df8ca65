"""One set of settings validators (threshold_core.kit) for every built-in pack and scorer."""

from __future__ import annotations

import math
from typing import Any

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

from threshold_core import Engine, InputError, build_config
from threshold_core.kit import fold, lowered, non_negative, percent, uppered
from threshold_core.testing import deep_merge

#: (settings section, a percentage key in it), one per built-in pack that has one.
PERCENT_KEYS = [
    ("chip_supply", "restricted_high_pct"),
    ("ethics", "over_refusal_medium_pct"),
]

outside_0_100 = st.one_of(
    st.floats(max_value=-1e-9, allow_nan=False, allow_infinity=False),
    st.floats(min_value=100.000001, allow_nan=False, allow_infinity=False),
)


@pytest.mark.parametrize(("section", "key"), PERCENT_KEYS)
@given(value=outside_0_100)
def test_a_percentage_outside_0_100_is_an_error_naming_the_key(
    section: str, key: str, value: float
) -> None:
    config = build_config({"settings": {section: {key: value}}}, source="threshold.toml")
    with pytest.raises(InputError) as err:
        Engine(config)
    assert any(f"settings.{section}" in line and key in line for line in err.value.lines())


@given(names=st.lists(st.text(max_size=12), max_size=5))
def test_names_to_match_are_stripped_and_case_folded_once(names: list[str]) -> None:
    once = lowered(names)
    assert lowered(once) == once
    # The one compared form (NFKC, then case folded: 'ᾶ' stays composed), trimmed.
    assert all(n == n.strip() and n == fold(n) for n in once)
    assert uppered(uppered(names)) == uppered(names)


def _converted_by(cls: type, converter: Any) -> list[str]:
    return [a.name for a in attrs.fields(cls) if a.converter is converter]


def test_every_pack_normalises_its_name_lists_the_same_way() -> None:
    # The three packs used to disagree: only one stripped surrounding spaces.
    from threshold_rules.chip_supply import ChipSupplySettings
    from threshold_rules.ethics import EthicsSettings
    from threshold_rules.filings.settings import FilingsSettings

    for cls in (ChipSupplySettings, EthicsSettings, FilingsSettings):
        fields = _converted_by(cls, lowered)
        assert fields, cls
        for name in fields:
            assert getattr(cls(**{name: [" Mixed Case "]}), name) == ("mixed case",)


@pytest.mark.parametrize("bad", [math.nan, -1.0])
def test_nan_and_negatives_are_refused(bad: float) -> None:
    @attrs.frozen
    class Settings:
        count: float = attrs.field(default=0.0, validator=non_negative)
        share: float = attrs.field(default=0.0, validator=percent)

    with pytest.raises(ValueError, match="count: must not be negative"):
        Settings(count=bad)
    with pytest.raises(ValueError, match="share: must be within 0-100"):
        Settings(share=bad)


def test_the_one_deep_merge_removes_on_none_and_copies_what_it_puts() -> None:
    patch = {"financials": {"monthly_net_burn": None}, "tags": ["a"]}
    merged = deep_merge({"financials": {"cash": 1.0, "monthly_net_burn": 2.0}}, patch)
    assert merged == {"financials": {"cash": 1.0}, "tags": ["a"]}
    merged["tags"].append("b")
    assert patch["tags"] == ["a"]
