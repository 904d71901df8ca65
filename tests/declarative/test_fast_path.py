"""Declarative conditions run in Python where CEL's result is certain: the same decisions.

:mod:`threshold_core.declarative._fast` turns the checked expression CEL produced into a
Python function for a subset of CEL, and leaves everything else (and every error but an
absent key) to CEL. What a user sees must not move: the decision, its trace and its
messages are the same with the Python path as with CEL alone, and wherever the Python
path gives a value, CEL gives that value.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import attrs
import pytest
from helpers import EXAMPLES
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from threshold_core import Engine, build_config
from threshold_core.declarative import (
    MAX_FAST_ITEMS,
    AbsentKey,
    LeftToCel,
    compile_fast,
    environments,
    load_pack,
    plain_value,
    running_program,
)
from threshold_core.load import load_profile, profile_from_data
from threshold_core.portfolio import synthetic_portfolio

#: Where a pack gets its Python functions: None from it, and every expression runs on CEL.
_NO_PYTHON = "threshold_core.declarative._pack.compile_fast"


def _decisions(engine: Engine, profiles: list[Any]) -> list[str]:
    """Each decision as text, wall times left out (the one field that differs run to run)."""
    return [re.sub(r"'duration_ms': [0-9.e-]+", "", repr(attrs.asdict(engine.evaluate(p))))
            for p in profiles]


def test_every_decision_is_the_same_with_and_without_the_python_path(
        monkeypatch: pytest.MonkeyPatch) -> None:
    docs = [json.loads(json.dumps(d)) for d in synthetic_portfolio(150, seed=42)]
    profiles = [profile_from_data(d) for d in docs]
    profiles += [load_profile(p)
                 for p in sorted((EXAMPLES / "companies").glob("*.toml"))]
    fast = _decisions(Engine(build_config({})), profiles)
    monkeypatch.setattr(_NO_PYTHON, lambda checked: None)
    slow = _decisions(Engine(build_config({})), profiles)
    assert fast == slow


def test_the_built_in_disclosure_pack_runs_in_python() -> None:
    """Every condition and placeholder of ``rules/disclosure.toml`` (the speed this path
    is for is not lost silently when the pack changes)."""
    engine = Engine(build_config({}))
    pack = engine.packs["disclosure"].component
    pack.compile()
    assert all(c.fast is not None for c in pack.conditions)
    assert all(part[2] is not None or part[3] is not None
               for c in pack.conditions for part in c.message if not isinstance(part, str))


def _pack_text(name: str, rules: list[tuple[str, str, str, str, str]]) -> str:
    """A pack file of ``(id, title, severity, when, message)`` rules."""
    return f'''[pack]
name = "{name}"
version = "1.0.0"
''' + "".join(f'''
[[rules]]
id = "{rid}"
title = "{title}"
severity = "{severity}"
when = "{when}"
message = "{message}"
rationale = "r"
source = "house policy (test)"
''' for rid, title, severity, when, message in rules)


def _rule(tmp_path: Path, when: str, message: str = "m") -> Any:
    path = tmp_path / "fastcheck.toml"
    path.write_text(_pack_text("fastcheck", [("FC-1", "absent or thin", "medium", when, message)]),
                    encoding="utf-8")
    return load_pack(path).rules[0]


def _evaluate(rule: Any, data: Any) -> Any:
    """The rule on ``data``: a profile's document, or a profile built in code."""
    from threshold_core.model import Context

    profile = profile_from_data(data) if isinstance(data, dict) else data
    engine = Engine(build_config({}))
    return rule.check(profile, None, Context(fx=engine.fx, as_of=profile.as_of))


def _example() -> dict[str, Any]:
    import tomllib

    with open(EXAMPLES / "companies" / "zhipu.toml", "rb") as f:
        return tomllib.load(f)


def test_an_absent_field_is_not_evaluated_and_an_error_absorbed_as_cel_absorbs_it(
        tmp_path: Path) -> None:
    data = _example()
    data["valuation"].pop("source", None)
    # the absent source: not evaluated, naming it
    rule = _rule(tmp_path, "profile.valuation.source == 'x'")
    assert rule.check is not None
    out = _evaluate(rule, data)
    assert str(out.status) == "not_evaluated"
    assert out.missing == ("valuation.source",)
    # || with a side that decides: CEL's commutative logic ignores the error
    out = _evaluate(_rule(tmp_path, "profile.valuation.source == 'x' || true"), data)
    assert str(out.status) == "fired"
    out = _evaluate(_rule(tmp_path, "profile.valuation.source == 'x' && false"), data)
    assert out == {} or str(getattr(out, "status", "passed")) == "passed"


def test_division_by_zero_is_the_rules_error_in_ceLs_own_words(tmp_path: Path) -> None:
    from threshold_core.declarative import ConditionError

    data = _example()
    rule = _rule(tmp_path, "profile.valuation.amount / 0.0 > 1.0")
    with pytest.raises(ConditionError, match="divide by zero"):
        _evaluate(rule, data)


def test_a_message_reads_the_same_through_python_and_cel(tmp_path: Path,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    data = _example()
    message = ("{profile.valuation.amount / 1e9:,.2f}bn; {size(figures)} figures; "
               "{figures.filter(f, f.grade == 'illustrative').map(f, f.path)}; {as_of}; "
               "{profile.valuation.basis == 'estimate' ? 'est' : 'other'}")
    fast = _evaluate(_rule(tmp_path, "true", message), data)
    monkeypatch.setattr(_NO_PYTHON, lambda checked: None)
    slow = _evaluate(_rule(tmp_path, "true", message), data)
    assert fast.message == slow.message
    assert "bn; " in fast.message and "n/a" not in fast.message


def _outcome_both_ways(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, data: Any,
                       when: str, message: str = "m") -> tuple[str, str]:
    """The rule's outcome (or its error) with the Python path, then with CEL alone."""
    from threshold_core.declarative import ConditionError

    def run() -> str:
        try:
            out = _evaluate(_rule(tmp_path, when, message), data)
        except ConditionError as exc:
            return f"error: {exc}"
        return repr(out) if isinstance(out, dict) else repr((str(out.status), out.message,
                                                              out.missing))
    fast = run()
    with monkeypatch.context() as m:
        m.setattr(_NO_PYTHON, lambda checked: None)
        slow = run()
    return fast, slow


@pytest.mark.parametrize("when, message", [
    # addMonths clamped to the calendar's first day: CEL refuses that timestamp
    ("addMonths(as_of, -30000) < as_of", "m"),
    ("true", "{addMonths(as_of, -30000)}"),
    ("addMonths(as_of, 100000) > as_of", "m"),
])
def test_dates_beyond_the_calendar_are_cels(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                            when: str, message: str) -> None:
    fast, slow = _outcome_both_ways(tmp_path, monkeypatch, _example(), when, message)
    assert fast == slow


@pytest.mark.parametrize("count", [2**63, 2**64, -(2**63) - 1, 2**63 - 1])
@pytest.mark.parametrize("when", [
    "profile.compliance.mlps_level3_systems - 1 > 0",
    "-profile.compliance.mlps_level3_systems < 0",
    "profile.compliance.mlps_level3_systems > 0",
    "has(profile.valuation.as_of)",  # reads another field of the same profile
])
def test_an_int_outside_int64_is_cels_for_every_rule(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, count: int, when: str) -> None:
    fast, slow = _outcome_both_ways(tmp_path, monkeypatch, _with_count(count), when)
    assert fast == slow


def _with_count(count: int) -> Any:
    """The example profile with ``compliance.mlps_level3_systems = count``, built in code:
    the loader refuses a whole number beyond 64 bits by path, a profile made in Python is
    not loaded."""
    import attrs

    from threshold_core.model import Compliance

    profile = profile_from_data(_example())
    compliance = profile.compliance or Compliance()
    return attrs.evolve(profile, compliance=attrs.evolve(compliance,
                                                         mlps_level3_systems=count))


MANY = _pack_text("wide", [(f"W-{i}", "t", "low", when, message)
                           for i, (when, message) in enumerate([
    ("has(profile.compliance.mlps_level3_systems)", "a"),
    ("has(profile.valuation.as_of)", "b {profile.valuation.amount / 1e9:,.2f}"),
    ("profile.valuation.amount > 1.0", "c {profile.valuation.amount / 1e9:,.2f}"),
    ("profile.compliance.mlps_level3_systems - 1 > 0", "d {profile.name}"),
])])


@pytest.mark.parametrize("count", [2**63, 2**64])
def test_a_pack_with_a_wide_int_is_cels_for_every_rule_every_time(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, count: int) -> None:
    # Found by trying to break it: a rule needing CEL replaced the pack's view with a copy
    # holding the activation, and the rules after it ran in Python on the wide int.
    from threshold_core.declarative import ConditionError
    from threshold_core.model import Context

    profile = _with_count(count)
    context = Context(fx=Engine(build_config({})).fx, as_of=profile.as_of)
    path = tmp_path / "wide.toml"
    path.write_text(MANY, encoding="utf-8")

    def outcomes() -> list[str]:
        rules = load_pack(path).rules
        out = []
        for _ in range(2):  # the same profile and context again: the pack's cached view
            for rule in rules:
                try:
                    got = rule.check(profile, None, context)
                    out.append(repr(got))
                except ConditionError as exc:
                    out.append(f"error: {exc}")
        return out
    fast = outcomes()
    monkeypatch.setattr(_NO_PYTHON, lambda checked: None)
    assert fast == outcomes()


def test_a_map_in_a_message_shows_its_keys_in_order(tmp_path: Path,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    data = _example()
    message = "{fx} / {[profile.valuation]}"
    fast = _evaluate(_rule(tmp_path, "true", message), data)
    monkeypatch.setattr(_NO_PYTHON, lambda checked: None)
    slow = _evaluate(_rule(tmp_path, "true", message), data)
    assert fast.message == slow.message
    assert "{'CNY': 1.0" in fast.message and "'amount'" in fast.message


def test_a_timestamp_finer_than_a_datetime_or_beyond_it_is_cels() -> None:
    from google.protobuf.timestamp_pb2 import Timestamp

    env = environments().run
    fast = compile_fast(env.compile("profile.a < profile.b").serialize())
    assert fast is not None
    with pytest.raises(LeftToCel):
        fast({"profile": {"a": Timestamp(seconds=100, nanos=1),
                          "b": Timestamp(seconds=100, nanos=2)}})
    with pytest.raises(LeftToCel):
        fast({"profile": {"a": Timestamp(seconds=253402300800), "b": Timestamp(seconds=0)}})


def test_a_macro_over_a_long_list_is_left_to_cel_and_its_budget() -> None:
    env = environments().run
    program = env.compile("figures.exists(f, f == 'x')")
    fast = compile_fast(program.serialize())
    assert fast is not None
    with pytest.raises(LeftToCel):
        fast({"figures": ["a"] * (MAX_FAST_ITEMS + 1)})
    assert fast({"figures": ["a"] * MAX_FAST_ITEMS}) is False
    # more macros than the budget allows at MAX_FAST_ITEMS steps each: CEL's alone
    many = " || ".join(["figures.exists(f, f == 'x')"] * 10)
    assert compile_fast(env.compile(many).serialize()) is None


# --------------------------------------------------------------------------- property

_FIELDS = ("a", "b", "c")
_LITERALS = ("1.0", "2.5", "0.0", "-3.0", "1", "2", "'s'", "'t'", "true", "false", "null")


def _atoms() -> st.SearchStrategy[str]:
    return st.one_of(
        st.sampled_from([f"profile.{f}" for f in _FIELDS] + ["profile.n.x", "profile.n.y"]),
        st.sampled_from([f"has(profile.{f})" for f in _FIELDS] + ["has(profile.n.x)"]),
        st.sampled_from(_LITERALS),
        st.sampled_from(["size(profile.l)", "profile.l.exists(x, x > 1.0)",
                         "profile.l.all(x, x < 2.0)", "profile.l.exists_one(x, x == 1.0)",
                         "size(profile.l.filter(x, x > 0.5))",
                         "profile.l.map(x, x * 2.0)", "as_of > timestamp('2020-01-01T00:00:00Z')",
                         "addMonths(as_of, 3) > as_of",
                         # macros whose body may be an error (an absent field)
                         "profile.l.exists(x, profile.n.x == x)",
                         "profile.l.all(x, profile.n.y > x)",
                         "profile.l.filter(x, profile.n.x > x)",
                         "profile.l.map(x, profile.n.x * x)"]),
    )


def _extend(inner: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    binary = st.sampled_from(["&&", "||", "==", "!=", "<", "<=", ">", ">=", "+", "-", "*", "/"])
    return st.one_of(
        st.builds(lambda a, op, b: f"({a}) {op} ({b})", inner, binary, inner),
        st.builds(lambda a: f"!({a})", inner),
        st.builds(lambda a: f"-({a})", inner),
        st.builds(lambda a, b, c: f"({a}) ? ({b}) : ({c})", inner, inner, inner),
        st.builds(lambda a: f"({a}) in [1.0, 's', 2.5]", inner),
    )


_EXPRESSIONS = st.recursive(_atoms(), _extend, max_leaves=6)
_VALUES = st.one_of(st.floats(allow_nan=True, allow_infinity=False, width=64), st.integers(-5, 5),
                   st.sampled_from([2**63 - 1, -(2**63), 2**62]),  # int64's edges
                    st.sampled_from(["s", "t", ""]), st.booleans())


@st.composite
def _data(draw: st.DrawFn) -> dict[str, Any]:
    from datetime import UTC, datetime

    profile: dict[str, Any] = {}
    for f in _FIELDS:
        if draw(st.booleans()):
            profile[f] = draw(_VALUES)
    if draw(st.booleans()):
        profile["n"] = {k: draw(_VALUES) for k in ("x", "y") if draw(st.booleans())}
    if draw(st.booleans()):
        profile["l"] = draw(st.lists(st.sampled_from([0.5, 1.0, 1.5, 3.0]), max_size=4))
    return {"profile": profile, "figures": [],
            "as_of": datetime(2025, 6, 30, tzinfo=UTC), "fx": {"CNY": 1.0}}


_SEEN = {"value": 0, "missing": 0, "fallback": 0}


@settings(max_examples=400, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
@given(expression=_EXPRESSIONS, data=_data())
def test_wherever_python_gives_a_value_cel_gives_that_value(expression: str,
                                                            data: dict[str, Any]) -> None:
    env = environments().run
    try:
        checked = env.compile(expression).serialize()
    except RuntimeError:
        return  # CEL's checker refuses it: so does a pack
    fast = compile_fast(checked)
    if fast is None:
        return
    program = running_program(expression)  # as a pack runs it: the checked division
    result = program.eval(env.Activation(data))
    try:
        got = fast(data)
    except LeftToCel:
        _SEEN["fallback"] += 1
        return
    if got.__class__ is AbsentKey:
        _SEEN["missing"] += 1
        assert str(result.type()) == str(environments().error_type), (expression, data)
        assert str(result.plain_value()) == got.message, (expression, data)
        return
    _SEEN["value"] += 1
    want = result.plain_value()
    assert str(result.type()) != str(environments().error_type), (expression, data, got)
    got = plain_value(got)
    assert type(got) is type(want), (expression, data, got, want)
    assert repr(got) == repr(want), (expression, data, got, want)
