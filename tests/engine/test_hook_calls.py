"""Hooks are called through pluggy: wrappers, old-style hookwrappers, tryfirst/trylast
and firstresult behave as pluggy documents, and the trace still names the plugin
behind each result."""

from __future__ import annotations

from collections.abc import Generator
from typing import Any

import attrs
from helpers import bare_engine

from threshold_core import Decision, DimensionScore, hookimpl, profile_from_data
from threshold_core.model import PolicyResult, Verdict

PROFILE = profile_from_data(
    {"id": "acme", "name": "Acme AI", "as_of": "2026-06-30",
     "valuation": {"amount": 1.0e9, "currency": "USD", "basis": "last_round_post_money",
                   "as_of": "2026-06-01", "source": "company statement"}}
)


class Fixed:
    name, dimension = "quality_scorer", "quality"

    def __init__(self, value: float = 70.0) -> None:
        self.value = value

    def score(self, profile: Any, settings: Any, context: Any) -> DimensionScore:
        return DimensionScore("quality", self.value, 1.0, inputs=("valuation",))


class Scorers:
    def __init__(self, value: float = 70.0) -> None:
        self.value = value

    @hookimpl
    def threshold_register_scorers(self, register: Any) -> None:
        register(Fixed(self.value))


def _policy_event(d: Decision) -> Any:
    (event,) = [e for e in d.trace if e.kind == "policy"]
    return event


def test_a_wrapper_policy_adjusts_the_default_policys_result() -> None:
    class Downgrade:
        """A firm's wrapper: keeps the default policy but never says better than watch."""

        @hookimpl(wrapper=True)
        def threshold_decide(self) -> Generator[None, PolicyResult, PolicyResult]:
            result = yield
            if result.verdict is Verdict.QUALIFIED:
                return attrs.evolve(result, verdict=Verdict.WATCH)
            return result

    d = bare_engine(("s", Scorers(90)), ("downgrade", Downgrade())).evaluate(PROFILE)
    assert d.verdict is Verdict.WATCH and d.scorecard_risk == "medium"
    assert d.score == 90 and d.grade == "Q1"  # the default policy's own work is kept
    event = _policy_event(d)
    # The plugin behind the result is the default policy; the wrapper that changed it is named.
    assert event.status == "ok" and event.plugin == "threshold_core.policy"
    assert event.contributed["wrappers"] == ["downgrade"]
    assert event.contributed["verdict"] == "watch"


def test_an_old_style_hookwrapper_policy_sees_and_replaces_the_result() -> None:
    seen: list[str] = []

    class Old:
        @hookimpl(hookwrapper=True)
        def threshold_decide(self) -> Generator[None, Any, None]:
            outcome = yield
            result = outcome.get_result()
            seen.append(str(result.verdict))
            outcome.force_result(attrs.evolve(result, grade="HW"))

    d = bare_engine(("s", Scorers(90)), ("old", Old())).evaluate(PROFILE)
    assert seen == ["qualified"]
    assert (d.verdict, d.grade) == (Verdict.QUALIFIED, "HW")
    event = _policy_event(d)
    assert event.plugin == "threshold_core.policy" and event.contributed["wrappers"] == ["old"]


def test_a_wrapper_that_raises_fails_the_decision_closed_and_is_named() -> None:
    class Broken:
        @hookimpl(wrapper=True)
        def threshold_decide(self) -> Generator[None, PolicyResult, PolicyResult]:
            yield
            raise RuntimeError("wrapper broke")

    d = bare_engine(("s", Scorers(90)), ("broken", Broken())).evaluate(PROFILE)
    assert d.verdict is Verdict.ERROR
    event = _policy_event(d)
    assert event.status == "error" and event.plugin == "broken"
    assert "wrapper broke" in (event.message or "")


def test_tryfirst_policy_runs_before_a_plain_one_and_decides() -> None:
    calls: list[str] = []

    def policy(name: str, verdict: Verdict | None, **opts: Any) -> object:
        class P:
            @hookimpl(**opts)
            def threshold_decide(self) -> PolicyResult | None:
                calls.append(name)
                if verdict is None:
                    return None
                return PolicyResult(verdict=verdict, grade=name, score=1.0, dimensions=(),
                                    findings=(), determining=())
        return P()

    d = bare_engine(("s", Scorers()), ("plain", policy("plain", Verdict.WATCH)),
                    ("first", policy("first", Verdict.NOT_QUALIFIED, tryfirst=True))
                    ).evaluate(PROFILE)
    assert calls == ["first"]  # firstresult: the plain one never ran
    assert d.grade == "first" and _policy_event(d).plugin == "first"

    calls.clear()
    d = bare_engine(("s", Scorers()), ("plain", policy("plain", Verdict.WATCH)),
                    ("first", policy("first", None, tryfirst=True))).evaluate(PROFILE)
    assert calls == ["first", "plain"]
    assert d.grade == "plain" and _policy_event(d).plugin == "plain"


def test_a_wrapper_observer_runs_around_the_observers_and_is_traced() -> None:
    order: list[str] = []

    class Timing:
        @hookimpl(wrapper=True)
        def threshold_evaluation_finished(self, decision: Decision) -> Generator[None, Any, Any]:
            order.append("wrapper before")
            result = yield
            order.append("wrapper after")
            return result

    class Audit:
        @hookimpl
        def threshold_evaluation_finished(self, decision: Decision) -> None:
            order.append(f"audit {decision.company.id}")

    d = bare_engine(("s", Scorers(90)), ("timing", Timing()), ("audit", Audit())).evaluate(PROFILE)
    assert order == ["wrapper before", "audit acme", "wrapper after"]
    events = {e.plugin: e for e in d.trace if e.component == "evaluation_finished"}
    assert set(events) == {"timing", "audit"}
    assert all(e.status == "ok" for e in events.values())
    assert d.verdict is Verdict.QUALIFIED


def test_a_wrapper_observer_that_raises_fails_closed_and_others_still_run() -> None:
    ran: list[str] = []

    class Broken:
        @hookimpl(wrapper=True)
        def threshold_evaluation_finished(self) -> Generator[None, Any, Any]:
            yield
            raise OSError("sink offline")

    class Audit:
        @hookimpl
        def threshold_evaluation_finished(self, decision: Decision) -> None:
            ran.append(decision.company.id)

    d = bare_engine(("s", Scorers()), ("broken", Broken()), ("audit", Audit())).evaluate(PROFILE)
    assert ran == ["acme"]
    assert d.verdict is Verdict.ERROR
    bad = next(e for e in d.trace if e.component == "evaluation_finished" and e.plugin == "broken")
    assert bad.status == "error" and "sink offline" in (bad.message or "")


def test_an_old_style_hookwrapper_observer_runs() -> None:
    seen: list[str] = []

    class Old:
        @hookimpl(hookwrapper=True)
        def threshold_evaluation_finished(self, decision: Decision) -> Generator[None, Any, None]:
            seen.append("before")
            yield
            seen.append("after")

    d = bare_engine(("s", Scorers(90)), ("old", Old())).evaluate(PROFILE)
    assert seen == ["before", "after"] and d.verdict is Verdict.QUALIFIED
    (event,) = [e for e in d.trace if e.component == "evaluation_finished"]
    assert event.plugin == "old" and event.status == "ok"


def test_registration_through_a_wrapper_is_attributed_to_the_registering_plugin() -> None:
    class Around:
        @hookimpl(wrapper=True)
        def threshold_register_scorers(self) -> Generator[None, Any, Any]:
            return (yield)

    engine = bare_engine(("s", Scorers()), ("around", Around()))
    assert engine.scorers["quality_scorer"].plugin == "s"
    assert engine.evaluate(PROFILE).verdict is Verdict.WATCH
