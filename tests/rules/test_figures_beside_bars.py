"""A figure a rule compared with a bar is shown on its own side of that bar in the finding's
message, never rounded onto or across it nor to 0, and a configured bar is shown exactly
(a bar of 74.9999999 never reads "75"); the rule decides on the figure itself, never on a
rounded one. Through the real engine, its built-in packs and TOML configuration."""

from __future__ import annotations

import re
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from threshold_core.engine import Engine
from threshold_core.load import load_config
from threshold_core.model import RuleOutcome


def fleet(*accelerators: dict[str, Any]) -> dict[str, Any]:
    return {"compute": {"accelerators": list(accelerators)}}


def foreign(h100: float, vendor: str = "Nvidia", chip_class: str = "us_below") -> dict[str, Any]:
    return {"vendor": vendor, "model": "L20", "h100_equiv": h100, "chip_class": chip_class}


def domestic(h100: float) -> dict[str, Any]:
    return {"vendor": "Huawei", "model": "Ascend 910B", "h100_equiv": h100,
            "chip_class": "domestic"}


def domestic_share(share: float) -> dict[str, Any]:
    """A fleet of 100 H100-equivalents, ``share`` of them domestic."""
    return fleet(foreign(100.0 - share), domestic(share))


def owned(pct: float) -> dict[str, Any]:
    """Owned ``pct``% by listed parties, screened and evaluated while the affiliates rule
    applies (after its suspension)."""
    on = "2026-11-10"
    return {"as_of": on, "investment_screening": {"checked_on": on, "listed_owners_pct": pct}}


# -- the given inputs -------------------------------------------------------------------


def test_a_domestic_share_a_hair_below_the_bar_is_shown_below_it(check) -> None:
    outcome = check("CHIP-004", domestic_share(19.9999999))
    assert outcome.status == "fired"
    assert outcome.message == "domestic accelerators are 19.9999999% of compute (below 20%)"


def test_a_share_is_compared_unrounded(check) -> None:
    """19.996% is below a 20% bar: the share is never rounded before it is compared (it was
    rounded to 20.0 and passed), and the evidence records it as compared."""
    outcome = check("CHIP-004", domestic_share(19.996))
    assert outcome.status == "fired"
    assert outcome.message == "domestic accelerators are 19.996% of compute (below 20%)"
    assert outcome.evidence["compute.accelerators"]["domestic_share_pct"] < 20.0


def test_a_share_exactly_at_the_bar_as_written_is_at_it(check) -> None:
    """0.03 of 0.03 + 0.099 + 0.021 H100-equivalents is exactly 20%, though float arithmetic
    gives 19.999999999999996: not below the bar."""
    outcome = check("CHIP-004", fleet(domestic(0.03), foreign(0.099), foreign(0.021)))
    assert outcome.status == "passed"
    assert outcome.evidence["compute.accelerators"]["domestic_share_pct"] == 20.0


def test_a_configured_bar_is_shown_exactly(check, make_engine) -> None:
    engine = make_engine("[settings.chip_supply]\ndomestic_min_pct = 74.9999999\n")
    outcome = check("CHIP-004", domestic_share(50.0), engine)
    assert outcome.message == "domestic accelerators are 50% of compute (below 74.9999999%)"


def test_a_share_a_hair_above_the_bar_is_not_shown_at_it(check) -> None:
    outcome = check("INV-006", owned(50.0000001))
    assert outcome.status == "fired"
    assert outcome.message == "50.0000001% owned by Entity List or MEU parties (>= 50%)"


def test_a_vendor_share_a_hair_above_its_bar(check) -> None:
    outcome = check("CHIP-007", fleet(foreign(80.0000001), domestic(19.9999999)))
    assert outcome.status == "fired"
    assert outcome.message == "Nvidia supplies 80.0000001% of compute (> 80%)"


def test_shares_far_from_a_bar_read_as_before(check) -> None:
    """Away from a bar, the text is what six significant digits give (``{x:g}``)."""
    assert check("CHIP-004", domestic_share(12.5)).message == (
        "domestic accelerators are 12.5% of compute (below 20%)")
    assert check("CHIP-003", fleet(foreign(60.0, chip_class="us_licensed"),
                                   domestic(40.0))).message == (
        "60% of compute (H100-equivalents) is US-origin and needs a licence to resupply "
        "(threshold 50%)")


def test_a_rate_interval_names_its_confidence_as_configured(check, make_engine) -> None:
    """The interval a suite's rate is tested with is the configured confidence's, and the
    message says so ("90% interval", never "95%")."""
    run = {"evaluations": {"safety": [{"suite": "XSTest", "over_refusal_pct": 12.0,
                                       "n_prompts": 450}]}}
    assert "(n=450, 95% interval " in check("ETH-001", run).message
    engine = make_engine("[settings.ethics]\nconfidence = 0.9\n")
    message = check("ETH-001", run, engine).message
    assert "(n=450, 90% interval " in message and "bar 10%)" in message, message
    assert message.endswith(": the 90% interval includes the bar, so the sample cannot show "
                            "the rate exceeds it"), message


# -- the kind: every share beside every bar ---------------------------------------------

#: Bars written with more digits than six significant ones show, and defaults.
ODD_BARS = """\
[settings.chip_supply]
domestic_min_pct = 74.9999999
top_vendor_max_pct = 33.3333333
restricted_medium_pct = 25.0000001
restricted_high_pct = 50.0000001
[settings.investment_restrictions]
affiliates_ownership_pct = 49.9999999
"""

# rule, profile of a share, (bar setting, pack), the message's pattern: figure, bar
RULES: list[tuple[str, Callable[[float], dict[str, Any]], str, str]] = [
    ("CHIP-004", domestic_share, "domestic_min_pct",
     r"are (\S+)% of compute \(below (\S+)%\)$"),
    ("CHIP-007", lambda s: fleet(foreign(s), domestic(100.0 - s)), "top_vendor_max_pct",
     r"supplies (\S+)% of compute \(> (\S+)%\)$"),
    ("CHIP-003", lambda s: fleet(foreign(s, chip_class="us_licensed"), domestic(100.0 - s)),
     "restricted_*_pct", r"^(\S+)% of compute .*\(threshold (\S+)%\)$"),
    ("INV-006", owned, "affiliates_ownership_pct", r"^(\S+)% owned .*\(>= (\S+)%\)"),
]

_BARS = {"default": {"domestic_min_pct": 20.0, "top_vendor_max_pct": 80.0,
                     "restricted_medium_pct": 25.0, "restricted_high_pct": 50.0,
                     "affiliates_ownership_pct": 50.0},
         "odd": {"domestic_min_pct": 74.9999999, "top_vendor_max_pct": 33.3333333,
                 "restricted_medium_pct": 25.0000001, "restricted_high_pct": 50.0000001,
                 "affiliates_ownership_pct": 49.9999999}}


@pytest.fixture(scope="module")
def engines(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Engine]:
    from conftest import BASE_CONFIG  # the pack tests' base configuration

    out = {}
    for name, extra in (("default", ""), ("odd", ODD_BARS)):
        path = Path(tmp_path_factory.mktemp(name)) / "threshold.toml"
        path.write_text(BASE_CONFIG + extra, encoding="utf-8")
        out[name] = Engine(load_config(path))
    return out


def _side(x: Decimal, bar: Decimal) -> int:
    return (x > bar) - (x < bar)


def _figure(outcome: RuleOutcome, rule: str) -> float:
    """The figure the rule compared, as its evidence records it."""
    if rule == "INV-006":
        return float(outcome.evidence["investment_screening.listed_owners_pct"])
    (value,) = (v for k, v in outcome.evidence["compute.accelerators"].items()
                if k.endswith("share_pct"))
    return float(value)


@settings(max_examples=150, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(which=st.integers(0, len(RULES) - 1), config=st.sampled_from(["default", "odd"]),
       offset=st.one_of(st.just(0.0), st.floats(-1e-6, 1e-6), st.floats(-0.01, 0.01),
                        st.sampled_from([5e-8, -5e-8, 4e-3, -4e-3, 1e-12, -1e-12])),
       tier=st.sampled_from(["restricted_high_pct", "restricted_medium_pct"]))
def test_a_share_is_shown_on_its_side_of_the_bar_it_was_compared_with(
        check, engines: dict[str, Engine], which: int, config: str, offset: float,
        tier: str) -> None:
    rule, profile, setting, pattern = RULES[which]
    bars = _BARS[config]
    bar = bars[tier if setting == "restricted_*_pct" else setting]
    outcome = check(rule, profile(bar + offset), engines[config])
    if outcome.status != "fired":
        return
    match = re.search(pattern, outcome.message)
    assert match is not None, outcome.message
    shown, shown_bar = Decimal(match[1]), Decimal(match[2])
    compared = Decimal(repr(float(shown_bar)))
    assert shown_bar == compared and float(shown_bar) in bars.values(), outcome.message
    figure = _figure(outcome, rule)
    assert _side(shown, compared) == _side(Decimal(repr(figure)), compared), outcome.message
    assert shown != 0 or figure == 0
