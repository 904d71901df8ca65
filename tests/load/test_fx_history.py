"""FX history rows: one row per date, each older than the main table, whatever the list's order."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from threshold_core import InputError, build_config

COMPANY = """id = "fxco"
name = "FX Co"
as_of = 2026-06-30
[valuation]
amount = 1.0e9
currency = "USD"
basis = "market_cap"
as_of = 2025-06-30
source = "HKEX exchange close"
"""


def fx(*rows: tuple[str, float]) -> str:
    history = ", ".join(f'{{ as_of = {d}, rates = {{ USD = {r} }}, source = "s{i}" }}'
                        for i, (d, r) in enumerate(rows))
    return (f'[fx]\nrates = {{ USD = 8.0 }}\nas_of = 2026-06-30\nsource = "PBOC"\n'
            f"history = [{history}]\n")


def threshold(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "threshold_core", *args], cwd=cwd,
                          capture_output=True, text=True, timeout=120)


@pytest.mark.parametrize("command", ["validate", "evaluate"])
@pytest.mark.parametrize("rows, message", [
    ((("2025-06-30", 2.0), ("2025-06-30", 9.0)),
     "$.fx.history[1].as_of: 2025-06-30 is also the date of $.fx.history[0]: one row per date"),
    ((("2025-06-30", 9.0), ("2026-06-30", 2.0)),
     "$.fx.history[1].as_of: 2026-06-30 is not before $.fx.as_of (2026-06-30): "
     "rates is the newest row"),
    ((("2027-01-01", 2.0),),
     "$.fx.history[0].as_of: 2027-01-01 is not before $.fx.as_of (2026-06-30)"),
])
def test_an_ambiguous_fx_history_is_exit_2_naming_the_row(
        tmp_path: Path, command: str, rows: tuple[tuple[str, float], ...], message: str) -> None:
    (tmp_path / "fxco.toml").write_text(COMPANY, encoding="utf-8")
    (tmp_path / "fx.toml").write_text(fx(*rows), encoding="utf-8")
    run = threshold(command, "fxco.toml", "--config", "fx.toml", cwd=tmp_path)
    assert run.returncode == 2, run.stdout + run.stderr
    assert f"fx.toml: {message}" in run.stderr
    assert "Traceback" not in run.stderr and run.stdout == ""


def test_distinct_older_rows_are_accepted_and_pick_the_valuations_date(tmp_path: Path) -> None:
    (tmp_path / "fxco.toml").write_text(COMPANY, encoding="utf-8")
    (tmp_path / "fx.toml").write_text(fx(("2025-06-30", 9.0), ("2024-06-30", 2.0)),
                                      encoding="utf-8")
    run = threshold("evaluate", "fxco.toml", "--config", "fx.toml", cwd=tmp_path)
    assert run.returncode == 0, run.stderr
    assert "x 9" in run.stdout


DAY = st.integers(min_value=-800, max_value=40).map(
    lambda n: dt.date(2026, 6, 30) + dt.timedelta(days=n))


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(DAY, st.floats(min_value=0.5, max_value=20)), max_size=5),
       st.randoms(use_true_random=False))
def test_the_history_is_accepted_only_when_its_order_cannot_matter(
        rows: list[tuple[dt.date, float]], rnd: object) -> None:
    def table(order: list[tuple[dt.date, float]]) -> dict[str, object]:
        return {"fx": {"rates": {"USD": 8.0}, "as_of": dt.date(2026, 6, 30), "source": "PBOC",
                       "history": [{"as_of": d, "rates": {"USD": r}} for d, r in order]}}

    dates = [d for d, _ in rows]
    ok = len(set(dates)) == len(dates) and all(d < dt.date(2026, 6, 30) for d in dates)
    shuffled = list(rows)
    rnd.shuffle(shuffled)  # type: ignore[attr-defined]
    for order in (rows, shuffled):
        try:
            config = build_config(table(order))
        except InputError as e:
            assert not ok
            assert "$.fx.history[" in str(e) and ".as_of" in str(e)
            continue
        assert ok
        got = {(r.as_of, r.rates["USD"]) for r in config.fx.history}
        assert got == set(rows)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(DAY, st.floats(min_value=0.5, max_value=20)), max_size=5))
def test_a_configuration_built_in_python_is_checked_as_a_file_is(
        rows: list[tuple[dt.date, float]]) -> None:
    """An ``EngineConfig`` built in Python, handed to the engine, gets the checks
    ``build_config`` runs on a file: the same problems, never a silently ambiguous table."""
    from threshold_core import Engine, EngineConfig
    from threshold_core.model import FxConfig, FxRow

    doc = {"fx": {"rates": {"USD": 8.0}, "as_of": dt.date(2026, 6, 30), "source": "PBOC",
                  "history": [{"as_of": d, "rates": {"USD": r}} for d, r in rows]}}
    try:
        build_config(doc)
        from_file = ""
    except InputError as e:
        from_file = str(e)
    config = EngineConfig(fx=FxConfig(
        rates={"USD": 8.0}, as_of=dt.date(2026, 6, 30), source="PBOC",
        history=tuple(FxRow(as_of=d, rates={"USD": r}, source="s") for d, r in rows)))
    try:
        Engine(config)
        in_python = ""
    except InputError as e:
        in_python = str(e)
    assert in_python.replace("(configuration given in Python)", "<config>") == from_file


def test_a_rate_keyed_by_a_code_the_gate_cannot_match_is_refused_in_python() -> None:
    from threshold_core import Engine, EngineConfig
    from threshold_core.model import FxConfig, PolicyConfig

    with pytest.raises(InputError, match=r'\$\.fx\.rates\.usd: write the currency code as "USD"'):
        Engine(EngineConfig(fx=FxConfig(rates={"usd": 7.1})))
    with pytest.raises(InputError, match=r"\$\.policy\.dimension_floors\.nope: no dimension"):
        Engine(EngineConfig(policy=PolicyConfig(dimension_floors={"nope": 30.0})))


@pytest.mark.parametrize(("make", "line"), [
    (lambda m: m.FxConfig(rates={"USD": float("nan")}),
     "$.fx.rates.USD: expected a finite number, got nan"),
    (lambda m: m.FxConfig(rates={"USD": True}), "$.fx.rates.USD: expected a number, got True"),
    (lambda m: m.FxConfig(rates={"USD": "7.1"}), "$.fx.rates.USD: expected a number, got '7.1'"),
    (lambda m: m.FxConfig(rates=[("USD", 7.1)]), "$.fx.rates: expected a table, got list"),
    (lambda m: m.FxConfig(as_of="2026-06-30"), "$.fx.as_of: expected a date, got '2026-06-30'"),
    (lambda m: m.FxConfig(history=({"as_of": "2025-01-01"},)),
     "$.fx.history[0]: expected a FxRow, got dict"),
])
def test_a_python_configuration_of_the_wrong_kind_is_refused_naming_the_path(
        make: object, line: str) -> None:
    """What a file's converter refuses (a string, nan, inf or true for a number; a text
    for a date), a configuration built in Python is refused for too, never a TypeError."""
    import math

    from threshold_core import Engine, EngineConfig, model

    with pytest.raises(InputError) as err:
        Engine(EngineConfig(fx=make(model)))  # type: ignore[operator]
    assert err.value.lines() == [f"(configuration given in Python): {line}"]
    with pytest.raises(InputError, match=r"\$\.policy\.medium_deduction: expected a finite"):
        Engine(EngineConfig(policy=model.PolicyConfig(medium_deduction=math.inf)))
    with pytest.raises(InputError, match=r"\$\.policy\.coverage_floor: expected a number"):
        Engine(EngineConfig(policy=model.PolicyConfig(coverage_floor=True)))


def test_a_built_configuration_changed_with_evolve_is_checked_again() -> None:
    """``build_config`` marks what it checked; a copy changed with ``attrs.evolve`` is not
    marked, so the engine refuses a bad value put in after the build as it refuses one
    built in Python (never a TypeError, never silently accepted)."""
    import math

    import attrs

    from threshold_core import Engine

    built = build_config({"policy": {"coverage_floor": 0.5}})
    assert built.checked
    bad = attrs.evolve(built, policy=attrs.evolve(built.policy, medium_deduction=math.inf))
    assert not bad.checked
    with pytest.raises(InputError, match=r"\$\.policy\.medium_deduction: expected a finite"):
        Engine(bad)
    again = attrs.evolve(built)
    assert not again.checked and again == built
    Engine(again)  # a good copy is checked and runs


def test_policy_problems_name_their_own_key() -> None:
    def problems(policy: dict[str, object]) -> list[str]:
        with pytest.raises(InputError) as err:
            build_config({"policy": policy})
        return err.value.lines()

    assert problems({"medium_max_per_pack": -1.0}) == [
        "<config>: $.policy.medium_max_per_pack: deductions must not be negative"]
    band = {"verdict": "qualified"}
    assert problems({"grades": [{"name": "Q1", "min_score": 150, **band},
                                {"name": "NQ", "min_score": 0, "verdict": "not_qualified"}]}) == [
        "<config>: $.policy.grades[0].min_score: 150 is above 100: no score reaches the band"]
    assert problems({"grades": [{"name": "Q1", "min_score": 80, **band},
                                {"name": "Q1", "min_score": 0, "verdict": "not_qualified"}]}) == [
        "<config>: $.policy.grades[1].name: 'Q1' is also the name of $.policy.grades[0]"]
