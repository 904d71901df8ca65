"""A declarative rule that cannot evaluate fails closed (break report, fault 15): a double
divided by zero or a non-finite quotient is the rule's error, in a condition and in a
message; a read of an extension section no plugin declares is refused at load (exit 2
naming the file and the rule); and DIS-005 counts calendar months (fault 18)."""

from __future__ import annotations

import json
import math
import re
import textwrap
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from threshold_core import Context, Engine, EngineConfig, InputError, create_plugin_manager
from threshold_core.declarative import ConditionError, cel_module, load_pack
from threshold_core.kit import older_than_months
from threshold_core.load import DATE_RANGE, profile_from_data

HOUSE = """\
[pack]
name = "house"
version = "1.0.0"
[[rules]]
id = "HOUSE-001"
title = "Less than 12 months of runway"
severity = "critical"
when = "profile.financials.cash / profile.financials.monthly_net_burn < 12.0"
message = "runway {profile.financials.cash / profile.financials.monthly_net_burn} months"
rationale = "r"
source = "house policy"
[[rules]]
id = "HOUSE-002"
title = "Message that cannot be computed"
severity = "low"
when = "true"
message = "one in {1 / (size(profile.investors) - 1)}"
rationale = "r"
source = "house policy"
[[rules]]
id = "HOUSE-003"
title = "Misspelt extension section"
severity = "high"
when = '''has(profile.extensions.ai_safty_maturity)
  && profile.extensions.ai_safty_maturity.evaluations.size() == 0'''
message = "no safety evaluations"
rationale = "r"
source = "house policy"
"""
BROKE = """\
id = "broke"
name = "Broke Co"
as_of = 2026-06-30
[valuation]
amount = 6e9
currency = "CNY"
basis = "market_cap"
as_of = 2026-06-30
source = "SSE exchange close"
[financials]
currency = "CNY"
as_of = 2026-03-31
source = "annual report filing"
cash = 0
monthly_net_burn = 0
[[investors]]
name = "Only backer"
type = "vc"
"""
MISSPELT = ("packs/house.toml: $.rules[2]: rule HOUSE-003: reads "
            "profile.extensions.ai_safty_maturity, a section no installed plugin declares "
            "(did you mean 'ai_safety_maturity'?)")


def write(tmp_path: Path, pack: str = HOUSE) -> None:
    (tmp_path / "packs").mkdir(exist_ok=True)
    (tmp_path / "packs" / "house.toml").write_text(pack, encoding="utf-8")
    (tmp_path / "broke.toml").write_text(BROKE, encoding="utf-8")


@pytest.mark.parametrize("command", ["validate", "evaluate"])
def test_a_misspelt_extension_section_is_exit_2_naming_file_and_rule(
        run_cli_process: Any, tmp_path: Path, command: str) -> None:
    write(tmp_path)
    result = run_cli_process(command, "broke.toml", "--rules-dir", "packs")
    assert result.returncode == 2, result.stderr
    assert result.stderr.strip() == MISSPELT


def test_a_declared_extension_section_loads(run_cli: Any, tmp_path: Path) -> None:
    write(tmp_path, HOUSE.replace("ai_safty_maturity", "ai_safety_maturity"))
    result = run_cli("validate", "broke.toml", "--rules-dir", "packs")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "broke.toml: ok"


def test_under_keep_any_section_may_be_read(run_cli: Any, tmp_path: Path) -> None:
    write(tmp_path)
    (tmp_path / "keep.toml").write_text('[extensions]\nundeclared = "keep"\n', encoding="utf-8")
    result = run_cli("validate", "broke.toml", "--rules-dir", "packs", "--config", "keep.toml")
    assert result.returncode == 0, result.stderr


def test_division_by_zero_in_a_condition_or_a_message_fails_closed(
        run_cli_process: Any, tmp_path: Path) -> None:
    write(tmp_path, HOUSE.replace("ai_safty_maturity", "ai_safety_maturity"))
    result = run_cli_process("evaluate", "broke.toml", "--rules-dir", "packs", "--format", "json")
    assert result.returncode == 3, result.stderr
    decision = json.loads(result.stdout)
    assert decision["verdict"] == "error"
    rules = {r["rule"]: r for e in decision["trace"] if e.get("plugin") == "house"
             for r in e["rules"]}
    assert rules["HOUSE-001"]["status"] == "error"
    assert rules["HOUSE-001"]["message"].endswith(
        "condition of HOUSE-001 failed: INVALID_ARGUMENT: divide by zero")
    assert rules["HOUSE-002"]["status"] == "error"
    assert rules["HOUSE-002"]["message"].endswith(
        "message of HOUSE-002 failed: INVALID_ARGUMENT: divide by zero")
    assert rules["HOUSE-003"]["status"] == "passed"


# --------------------------------------------------------------------------- the kind

def pack_of(tmp_path: Path, when: str, message: str = "fired") -> Any:
    path = tmp_path / "arith.toml"
    path.write_text(textwrap.dedent(f"""\
        [pack]
        name = "arith"
        version = "1.0.0"
        [[rules]]
        id = "A-1"
        title = "t"
        severity = "critical"
        when = {json.dumps(when)}
        message = {json.dumps(message)}
        rationale = "r"
        source = "s"
        """), encoding="utf-8")
    return load_pack(path)


def outcome(pack: Any, data: dict[str, Any]) -> Any:
    prof = profile_from_data({"id": "x", "name": "X", "as_of": "2026-06-30", **data})
    return pack.rules[0].evaluate(prof, None, Context(fx=Engine().fx, as_of=prof.as_of))


finite = st.floats(allow_nan=False, allow_infinity=False, min_value=-1e300, max_value=1e300)


@settings(max_examples=150, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(burn=finite, cash=finite.filter(lambda v: v >= 0))
@example(burn=0.0, cash=0.0)
@example(burn=-0.0, cash=5.0)
@example(burn=1e-300, cash=1e300)
def test_a_double_quotient_is_ieee_when_finite_else_the_rules_error(
        tmp_path: Path, burn: float, cash: float) -> None:
    pack = pack_of(tmp_path, "profile.financials.cash / profile.financials.monthly_net_burn"
                   " < 12.0", "{profile.financials.cash / profile.financials.monthly_net_burn}")
    data = {"financials": {"currency": "CNY", "cash": cash, "monthly_net_burn": burn}}
    quotient = cash / burn if burn != 0.0 else math.inf
    if not math.isfinite(quotient):
        with pytest.raises(ConditionError, match=r"divide by zero|not a finite number"):
            outcome(pack, data)
        return
    result = outcome(pack, data)
    assert result.status == ("fired" if quotient < 12.0 else "passed")


int64 = st.integers(min_value=-(2**63), max_value=2**63 - 1)


@settings(max_examples=100, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(a=int64, b=int64)
@example(a=-(2**63), b=-1)
@example(a=-7, b=2)
@example(a=7, b=0)
def test_integer_division_is_cels_own(tmp_path: Path, a: int, b: int) -> None:
    """Conformance: the checked division gives CEL's results and errors for integers."""
    want = cel_module().NewEnv().compile(f"{a} / {b}").eval()
    pack = pack_of(tmp_path, "true", f"{{{a} / {b}}}")
    if want.type().name() == "ERROR":
        with pytest.raises(ConditionError, match=re.escape(str(want.value()))):
            outcome(pack, {})
    else:
        assert outcome(pack, {}).message == f"{want.value():,}"


def test_a_non_finite_message_value_fails_closed(tmp_path: Path) -> None:
    pack = pack_of(tmp_path, "true", "{profile.financials.cash * 1e300}")
    with pytest.raises(ConditionError, match="message of A-1 failed: the value is inf"):
        outcome(pack, {"financials": {"currency": "CNY", "cash": 1e15}})


def test_an_absent_field_in_a_message_is_still_n_a(tmp_path: Path) -> None:
    pack = pack_of(tmp_path, "true", "cash {profile.financials.cash / 2.0}")
    assert outcome(pack, {}).message == "cash n/a"


def test_the_library_refuses_the_pack_when_the_engine_is_built(tmp_path: Path) -> None:
    write(tmp_path)
    with pytest.raises(InputError, match=r"HOUSE-003: reads profile\.extensions\.ai_safty"):
        Engine(EngineConfig(), create_plugin_manager(EngineConfig(),
                                                     rule_dirs=[tmp_path / "packs"]))


# --------------------------------------------------------------------------- fault 18

days = st.dates(min_value=date(2000, 1, 1), max_value=date(2040, 12, 31))


@settings(max_examples=200, deadline=None)
@given(period_end=days, as_of=days)
@example(period_end=date(2025, 3, 31), as_of=date(2025, 12, 31))
@example(period_end=date(2025, 6, 30), as_of=date(2026, 3, 30))
@example(period_end=date(2025, 6, 30), as_of=date(2026, 3, 31))
@example(period_end=date(2025, 5, 31), as_of=date(2026, 2, 28))
def test_dis_005_counts_calendar_months_as_the_freshness_pack(period_end: date,
                                                               as_of: date) -> None:
    engine = Engine()
    prof = engine.profile_from_data({"id": "x", "name": "X", "as_of": as_of.isoformat(),
                                     "financials": {"as_of": period_end.isoformat()}})
    fired = "DIS-005" in {f.rule for f in engine.evaluate(prof).findings}
    assert fired == older_than_months(period_end, as_of, 9)
    assert DATE_RANGE[0] <= period_end <= DATE_RANGE[1]
