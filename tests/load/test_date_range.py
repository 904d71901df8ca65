"""Dates outside the documented range (house policy, 1900-01-01 to 2100-12-31) are exit 2
naming the path, in validate and evaluate, in profiles and configuration; and no date the
model accepts can overflow CEL's timestamps or durations in a declarative rule."""

from __future__ import annotations

import json
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from threshold_core import Context, Engine, InputError
from threshold_core.declarative import load_pack
from threshold_core.load import DATE_RANGE, profile_from_data

EARLIEST, LATEST = DATE_RANGE

TYPO = """\
id = "typo"
name = "Typo Co"
as_of = 2026-06-30
[valuation]
amount = 6e9
currency = "CNY"
basis = "market_cap"
as_of = 2026-06-30
source = "SSE exchange close"
[financials]
as_of = 1026-03-31
source = "annual report filing"
revenue = 1e9
"""
MESSAGE = ("$.financials.as_of: the date 1026-03-31 is outside 1900-01-01 to 2100-12-31 "
           "(house policy: a date outside is a typo)")


def test_the_range_is_the_documented_one() -> None:
    assert (date(1900, 1, 1), date(2100, 12, 31)) == DATE_RANGE


@pytest.mark.parametrize("command", ["validate", "evaluate"])
def test_a_date_typo_is_exit_2_naming_the_path(run_cli_process: Any, tmp_path: Path,
                                                command: str) -> None:
    (tmp_path / "typo.toml").write_text(TYPO, encoding="utf-8")
    result = run_cli_process(command, "typo.toml")
    assert result.returncode == 2, result.stderr
    assert result.stderr.strip() == f"typo.toml: {MESSAGE}"


def test_a_date_typo_in_json_and_in_the_configuration(run_cli: Any, tmp_path: Path) -> None:
    data = {"id": "j", "name": "J Co", "as_of": "2101-01-01"}
    (tmp_path / "j.json").write_text(json.dumps(data), encoding="utf-8")
    result = run_cli("evaluate", "j.json")
    assert result.returncode == 2
    assert "j.json: $.as_of: the date 2101-01-01 is outside" in result.stderr
    (tmp_path / "fx.toml").write_text(
        '[fx]\nrates = { USD = 7.1 }\nas_of = 2226-06-30\nsource = "PBOC"\n', encoding="utf-8")
    (tmp_path / "ok.toml").write_text(TYPO.replace("1026", "2026"), encoding="utf-8")
    result = run_cli("validate", "ok.toml", "--config", "fx.toml")
    assert result.returncode == 2
    assert "fx.toml: $.fx.as_of: the date 2226-06-30 is outside" in result.stderr


@pytest.mark.parametrize("day", [EARLIEST, LATEST])
def test_the_ends_of_the_range_are_accepted(day: date) -> None:
    prof = profile_from_data({"id": "x", "name": "X", "as_of": day.isoformat()})
    assert prof.as_of == day


@pytest.mark.parametrize("day", [EARLIEST - timedelta(days=1), LATEST + timedelta(days=1)])
def test_a_day_outside_is_refused(day: date) -> None:
    with pytest.raises(InputError, match="outside 1900-01-01 to 2100-12-31"):
        profile_from_data({"id": "x", "name": "X", "as_of": day.isoformat()})


PACK = """\
[pack]
name = "dates"
version = "1.0.0"
[[rules]]
id = "D-1"
title = "t"
severity = "critical"
when = '''as_of - profile.financials.as_of > duration('6570h')
  || profile.financials.as_of - as_of > duration('1h')'''
message = '''{as_of - profile.financials.as_of}
{profile.financials.as_of + (as_of - profile.financials.as_of)}'''
rationale = "r"
source = "s"
"""

days = st.dates(min_value=EARLIEST, max_value=LATEST)


@settings(max_examples=60, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(as_of=days, period_end=days)
@example(as_of=EARLIEST, period_end=LATEST)
@example(as_of=LATEST, period_end=EARLIEST)
def test_no_accepted_date_overflows_cel(tmp_path: Path, as_of: date, period_end: date) -> None:
    path = tmp_path / "dates.toml"
    path.write_text(PACK, encoding="utf-8")
    pack = load_pack(path)
    prof = profile_from_data({"id": "x", "name": "X", "as_of": as_of.isoformat(),
                              "financials": {"as_of": period_end.isoformat()}})
    outcome = pack.rules[0].evaluate(prof, None, Context(fx=Engine().fx, as_of=as_of))
    assert outcome.status in ("passed", "fired")
