"""The end of an evaluation: the policy and the observers, called through pluggy.

:func:`decide` calls ``threshold_decide`` (wrappers, ``tryfirst``, ``firstresult``
as pluggy documents) and checks what a plugin policy returned; a decision with a
component error fails closed whatever policy is installed. :func:`notify` calls
the ``threshold_evaluation_finished`` observers, each isolated; a failing
observer makes the decision ``error`` (risk unknown). Both add their trace events
naming the plugin behind each result.
"""

from __future__ import annotations

import time
from typing import Any

import attrs

from ..errors import PluginInterrupted
from ..model import (
    RISK_OF_VERDICT,
    Assessment,
    Decision,
    EngineConfig,
    EventKind,
    EventStatus,
    Factor,
    FactorKind,
    PolicyResult,
    Risk,
    TraceEvent,
    Verdict,
    positional_builder,
)
from ._boundary import check_policy_result
from ._hookcalls import Abandoned, Activity, hook_call
from ._plugins import ThresholdPluginManager
from ._policy import combine
from ._run import failure

#: ``TraceEvent(*every field)``, without attrs' generic ``__init__`` (one per evaluation).
_event = positional_builder(TraceEvent)
CORE = "threshold_core"
#: The plugin name of the default policy (a built-in).
_CORE_POLICY = "threshold_core.policy"


def decide(
    pm: ThresholdPluginManager, config: EngineConfig, assessment: Assessment,
    trace: list[TraceEvent], core_only: Activity | None = None,
) -> PolicyResult:
    """Call ``threshold_decide`` through pluggy (wrappers, tryfirst, firstresult).

    With ``core_only`` (the engine's activity, given when the default policy is the one
    implementation and no wrapper is registered: :func:`core_policy_only`), the default
    policy is called directly: what pluggy would call, attributed and timed the same."""
    start = time.perf_counter()
    exc: BaseException | None = None
    result: Any = None
    if core_only is not None:
        core_only.enter(_CORE_POLICY, "policy")
        try:
            result = combine(assessment, config)
        except Abandoned:
            raise
        except KeyboardInterrupt:
            raise PluginInterrupted(_CORE_POLICY, "policy") from None
        except BaseException as err:
            exc = err
        finally:
            core_only.leave()
        ms = round((time.perf_counter() - start) * 1000, 3)
        return _checked(pm, assessment, trace, ms, exc, result, _CORE_POLICY, result, [], None)
    with hook_call("policy") as call:
        try:
            result = pm.hook.threshold_decide(assessment=assessment, config=config)
        except Abandoned:
            raise
        except KeyboardInterrupt as err:
            raise PluginInterrupted(call.culprit(err) or call.current, "policy") from None
        except BaseException as err:
            exc = err
    ms = round((time.perf_counter() - start) * 1000, 3)
    # The plugin behind the result: the first implementation that returned one.
    decider, value = call.results[0] if call.results else (CORE, None)
    wrappers = list(dict.fromkeys(call.wrappers))
    culprit = call.culprit(exc) if exc is not None else None
    return _checked(pm, assessment, trace, ms, exc, result, decider, value, wrappers, culprit)


def core_policy_only(pm: ThresholdPluginManager) -> bool:
    """Whether the default policy is the one ``threshold_decide`` and nothing wraps it."""
    impls = pm.hook.threshold_decide.get_hookimpls()
    return (len(impls) == 1 and impls[0].plugin_name == _CORE_POLICY
            and not impls[0].wrapper and not impls[0].hookwrapper)


#: Enum members the hot path compares with, as module names: on Python 3.11 each
#: ``Enum.MEMBER`` is a lookup through the enum class's ``__getattr__`` hook.
_EVENTKIND_POLICY = EventKind.POLICY
_EVENTSTATUS_ERROR = EventStatus.ERROR
_EVENTSTATUS_OK = EventStatus.OK
_FACTORKIND_ERROR = FactorKind.ERROR
_VERDICT_ERROR = Verdict.ERROR


def _checked(
    pm: ThresholdPluginManager, assessment: Assessment, trace: list[TraceEvent], ms: float,
    exc: BaseException | None, result: Any, decider: str, value: Any, wrappers: list[str],
    culprit: str | None,
) -> PolicyResult:
    """The policy's result checked, failed closed on a component error, and traced."""
    if exc is not None:
        plugin = culprit or decider
        problem: str | None = failure(exc)
    elif decider == _CORE_POLICY and not wrappers:
        # The engine's own default policy, unwrapped: part of the engine, not a
        # plugin result to distrust (tests/test_engine.py covers it).
        problem, plugin = None, decider
    else:
        problem = check_policy_result(result)
        wrapped = result is not value and wrappers
        plugin = wrappers[0] if problem and wrapped else decider
    if problem is not None:
        trace.append(
            TraceEvent(plugin=plugin, version=pm.version_of(plugin), component="policy",
                       kind=_EVENTKIND_POLICY, status=_EVENTSTATUS_ERROR, duration_ms=ms,
                       contributed={"wrappers": wrappers} if wrappers else {},
                       message=problem)
        )
        return PolicyResult(
            verdict=_VERDICT_ERROR, grade=None, score=None, dimensions=(),
            findings=assessment.findings,
            determining=(Factor(_FACTORKIND_ERROR, f"policy ({plugin}) failed: {problem}",
                                "policy"),),
        )
    assert isinstance(result, PolicyResult)
    note = None
    if assessment.errors and result.verdict is not _VERDICT_ERROR:
        # Fail closed whatever policy is installed: a decision with a component
        # error is never qualified (nor anything else but error).
        note = (f"returned {result.verdict} despite {len(assessment.errors)} component "
                "error(s); the decision fails closed")
        result = attrs.evolve(
            result, verdict=_VERDICT_ERROR, risk=None,
            determining=(*error_factors(assessment), *result.determining),
        )
    weights = {}  # a loop, not a comprehension (a function made per call)
    for d in result.dimensions:
        weights[d.name] = d.weight
    contributed: dict[str, Any] = {"verdict": str(result.verdict), "grade": result.grade,
                                   "score": result.score, "weights": weights}
    if wrappers:
        contributed["wrappers"] = wrappers
    trace.append(_event(decider, pm.version_of(decider), "policy", _EVENTKIND_POLICY,
                        _EVENTSTATUS_OK, ms, (), contributed, note, ()))
    note_left_out(trace, result)
    return result  # type: ignore[no-any-return]


def notify(
    activity: Activity, pm: ThresholdPluginManager, config: EngineConfig, decision: Decision
) -> Decision:
    """Call ``threshold_evaluation_finished`` through pluggy, each observer isolated."""
    start = time.perf_counter()
    escaped: BaseException | None = None
    with hook_call("evaluation_finished", isolate=True) as call:
        try:
            pm.hook.threshold_evaluation_finished(decision=decision, config=config)
        except Abandoned:
            raise
        except KeyboardInterrupt as err:
            raise PluginInterrupted(call.culprit(err) or call.current,
                                    "evaluation_finished") from None
        except BaseException as err:  # raised by a wrapper (the others are isolated)
            escaped = err
    ms = round((time.perf_counter() - start) * 1000, 3)
    problems: dict[str, str] = {}
    for plugin, exc in call.errors:
        problems.setdefault(plugin, failure(exc))
    if escaped is not None:
        culprit = call.culprit(escaped) or (call.wrappers or ["?"])[0]
        problems.setdefault(culprit, failure(escaped))
    for plugin, value in call.results:
        problems.setdefault(plugin, f"returned {type(value).__name__}; observers return None")
    ran = sorted(set(call.ran))
    if not ran:
        return decision
    events = tuple(
        TraceEvent(plugin=p, version=pm.version_of(p), component="evaluation_finished",
                   kind=EventKind.HOOK,
                   status=EventStatus.ERROR if p in problems else EventStatus.OK,
                   duration_ms=ms, message=problems.get(p))
        for p in ran
    )
    if not problems:
        return attrs.evolve(decision, trace=decision.trace + events)
    failed = tuple(Factor(FactorKind.ERROR, f"observer {p} failed: {m}", p)
                   for p, m in sorted(problems.items()))
    return fail_closed(decision, failed, events, "an observer failed: risk unknown")


def note_left_out(trace: list[TraceEvent], result: PolicyResult) -> None:
    """Say on each left-out optional dimension's scorer event that it did not count."""
    left_out = {}  # a loop, not a comprehension (a function made per call)
    for dim in result.dimensions:
        if dim.left_out:
            left_out[dim.component] = dim
    if not left_out:
        return
    for i, event in enumerate(trace):
        d = left_out.get(event.component)
        if d is not None and event.kind is EventKind.SCORER and event.status is EventStatus.OK:
            trace[i] = attrs.evolve(
                event, contributed={**event.contributed, "weight": 0.0, "left_out": d.left_out},
                message=f"{d.name} left out ({d.left_out}): the other weights are renormalised")


def fail_closed(
    decision: Decision, factors: tuple[Factor, ...], events: tuple[TraceEvent, ...], why: str
) -> Decision:
    """``decision`` made ``error`` (risk unknown), with the factors and events that say why."""
    headroom = (
        attrs.evolve(decision.headroom, risk=Risk.UNKNOWN,
                     reasons=(*decision.headroom.reasons, why))
        if decision.headroom is not None else None
    )
    return attrs.evolve(
        decision, verdict=Verdict.ERROR, risk=Risk.UNKNOWN, headroom=headroom,
        scorecard_risk=RISK_OF_VERDICT[Verdict.ERROR],
        determining=(*factors, *decision.determining), trace=(*decision.trace, *events),
    )


def error_factors(assessment: Assessment) -> tuple[Factor, ...]:
    return tuple(
        Factor(FactorKind.ERROR, f"{e.component} ({e.plugin}) failed: {e.message}", e.component)
        for e in assessment.errors
    )
