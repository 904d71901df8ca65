"""Explanations no peer engine gives: distance to qualify, safety margin, robustness.

:func:`explain` reads a finished :class:`~threshold_core.model.Decision` and the
:class:`~threshold_core.engine.Engine` that made it (for the policy numbers and
the scorers' bands) and answers three questions:

* **Distance to qualify.** The smallest change that moves the decision to the
  next better verdict (``not_qualified`` -> ``watch`` -> ``qualified``; from
  ``insufficient_data`` or ``error``, to any graded verdict). First the
  blockers the score cannot overcome: a failed gate (with the shortfall in
  CNY), critical findings (vetoes) and, on the way to ``qualified``, high
  findings (each forces at most ``watch``). Then, per dimension with the others
  fixed and the blockers cleared, the points its scorer's score must rise and
  the caps on it that must be cleared first, and per metric the raw figure
  that would give those points, where the scorer's band can be inverted.
  The default policy is monotone in every dimension score, so this is closed
  form, not a search; every figure is checked by re-running the policy.
* **Safety margin.** For a score-decided verdict, the composite points above
  the cut-off below it and how many points each dimension can lose.
* **Robustness.** For each weight (the others renormalised) and each grade
  cut-off, the interval over which the verdict holds; optionally a seeded Monte
  Carlo over weights drawn from Dirichlet(concentration x weights). A label,
  ``robust`` or ``fragile``, by the rule in ``[explain]``.

The engine is not involved: :func:`with_explanation` attaches the result to a
decision with ``attrs.evolve``, and the reporters show it when present.

The parts live in their own modules: :mod:`threshold_core.explain._replay` (the policy
replayed on a decision), :mod:`threshold_core.explain._distance` and
:mod:`threshold_core.explain._robustness`; the margin is computed here.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any

from ..engine import combine
from ..model import (
    Assessment,
    Decision,
    DimensionMargin,
    EngineConfig,
    EventStatus,
    Explanation,
    Margin,
    PolicyResult,
    TraceEvent,
    Verdict,
    format_cutoff,
    format_score,
)
from ._distance import _distance
from ._evolve import builder, replacer
from ._incremental import Replayer
from ._replay import (
    _EPS,
    _assessment_of_precise,
    _capped,
    _floor_step,
    _holding_interval,
    _precise,
    _r,
    _score_decided,
    _shape,
    assessment_from_decision,
    scorer_scores,
    trace_facts,
    what_if,
)
from ._robustness import _robustness

if TYPE_CHECKING:
    from ..engine import Engine

__all__ = [
    "assessment_from_decision",
    "explain",
    "explain_all",
    "scorer_scores",
    "what_if",
    "with_explanation",
]

#: The policy plugin whose semantics the explanations' closed forms follow.
DEFAULT_POLICY = "threshold_core.policy"


# -- margin to the next worse verdict -----------------------------------------------------


def _margin(decision: Decision, config: EngineConfig) -> Margin | None:
    if not _score_decided(decision):
        return None
    assert decision.score is not None
    low, _high, worse, _better = _holding_interval(decision.score, config.policy.grades,
                                                   _capped(decision))
    if worse is None:
        return Margin(worse=None, meaning=f"{decision.verdict} is the worst verdict a score "
                      "gives: nothing worse to fall to")
    points = decision.score - low
    dims = []
    for d in decision.dimensions:
        if d.weight <= 0 or d.score is None or d.raw_score is None:
            continue
        loss = points / d.weight  # of the dimension's final score
        if loss > d.score + _EPS:
            dims.append(DimensionMargin(d.name, None, "even a scorer score of 0 keeps "
                                        f"{decision.verdict}"))
            continue
        # A capped dimension's scorer score can first fall to the cap for free.
        total, cap = _shape(d.adjustments)
        slack = max(0.0, d.raw_score + total - cap)
        safe = round(max(0.0, _floor_step(loss + slack)), 2)  # a whole number of steps
        extra = f" ({format_score(slack, (), 2)} of it above the cap)" if slack > 0 else ""
        dims.append(DimensionMargin(
            d.name, safe,
            f"its scorer score can lose {format_score(safe, (d.raw_score,), 2)} of "
            f"{format_score(d.raw_score, (safe,), 2)}{extra} and stay {decision.verdict}"))
    return Margin(
        worse=worse,
        meaning=f"the next worse verdict is {worse}: the composite falling below "
        f"{format_cutoff(low)}",
        cutoff=low, points=_r(points), dimensions=tuple(dims),
    )


# -- public API ---------------------------------------------------------------------------


def explain(decision: Decision, engine: Engine | None = None, *,
            made_here: bool = False) -> Explanation:
    """Distance to the next better verdict, margin to the next worse one, and robustness.

    What ``threshold evaluate`` attaches to every decision (the ``explain`` section
    of its JSON); :func:`with_explanation` attaches it to a decision too.
    ``engine`` is the engine that made the decision: it supplies the configuration
    (policy numbers, ``[explain]``) and the scorers' settings (bands, for turning
    points back into raw figures). Without it, an engine with the default
    configuration is used, and the decision must have been made with that.

    ``made_here`` says that ``engine`` has just made the decision (it was not read back
    from a file): when its default policy decided it, under this configuration, the
    policy's result is the decision's own (verdict, score, dimensions, findings) and is
    not worked out again. Any other decision (and any decision without ``made_here``)
    is replayed through the default policy, and a replay that disagrees with it adds a
    note. The explanation is the same either way.

    :raises ValueError: no ``engine`` was given and the decision's receipt names
        another configuration than the defaults.
    """
    if engine is None:
        from ..engine import Engine

        engine = Engine()
        if engine.config.sha256() != decision.receipt.config_sha256:
            raise ValueError(
                f"{decision.company.id} was decided with the configuration "
                f"{decision.receipt.config_source} (sha256 "
                f"{decision.receipt.config_sha256[:12]}), not the defaults: "
                "pass the engine that made it, explain(decision, engine)")
    config: EngineConfig = engine.config
    exact, policy_events, failed = trace_facts(decision)
    precise = _precise(decision, exact)
    rebuilt: list[Assessment] = []

    def assessment() -> Assessment:
        """The assessment the policy saw, rebuilt from the decision once, when needed."""
        if not rebuilt:
            rebuilt.append(_assessment_of_precise(precise, reported=False))
        return rebuilt[0]

    notes = []
    policy_plugin = policy_events[0].plugin if policy_events else None
    if policy_plugin not in (None, DEFAULT_POLICY):
        notes.append(f"the decision was made by the policy of {policy_plugin}; the distances "
                     "follow the default policy")
    replay = replayer = None
    if decision.verdict is not Verdict.ERROR:
        # Replayed in full once (unless the decision is that replay already); every
        # what-if after it is worked out from it (Replayer).
        replay = _own_result(decision, engine, policy_events) if made_here else None
        if replay is None:
            replay = combine(assessment(), config)
            replayer = Replayer(assessment(), config, replay)
        else:
            # The policy's own figures, as it worked them out: each finding's effect,
            # each dimension's weight, coverage, adjustments and sourcing.
            replayer = Replayer.of_decision(precise, config, scored=exact, errors=failed)
        if replay.verdict is not decision.verdict or (
            replay.score is not None and decision.score is not None
            and abs(replay.score - decision.score) > 1e-3
        ):
            notes.append(f"replaying the default policy gives {replay.verdict} "
                         f"({replay.score}), not {decision.verdict}: figures are approximate")
    return Explanation(
        verdict=decision.verdict,
        distance=_distance(precise, engine, config, assessment, replay, replayer),
        margin=_margin(precise, config),
        robustness=_robustness(decision, config),
        notes=tuple(notes),
    )


def _own_result(decision: Decision, engine: Engine,
                policy: list[TraceEvent]) -> PolicyResult | None:
    """What ``combine`` gives on the decision's assessment, read off a decision that
    ``engine`` has just made with its own default policy, unwrapped and under its
    configuration (the policy is a pure function of both: replaying it gives these very
    figures); None for any other decision. ``policy``: the decision's policy events."""
    if decision.receipt.config_sha256 != _config_sha256(engine):
        return None
    if (len(policy) != 1 or policy[0].plugin != DEFAULT_POLICY
            or policy[0].status is not EventStatus.OK or "wrappers" in policy[0].contributed
            or policy[0].message is not None):
        return None
    return builder(PolicyResult)(decision.verdict, decision.grade, decision.score,
                                 decision.dimensions, decision.findings,
                                 decision.determining, None, decision.sourcing)


#: The last engine asked about and its configuration's digest (an engine's configuration
#: never changes; a batch asks about one engine thousands of times).
_LAST_ENGINE: list[Any] = [None, None]


def _config_sha256(engine: Engine) -> str:
    if _LAST_ENGINE[0] is not engine:
        _LAST_ENGINE[:] = [engine, engine.receipt_basis()["config_sha256"]]
    sha: str = _LAST_ENGINE[1]
    return sha


def with_explanation(decision: Decision, explanation: Explanation | None) -> Decision:
    """The decision with ``explain`` set (nothing else changes)."""
    return replacer(Decision, "explain")(decision, explanation)


def explain_all(
    decisions: Iterable[Decision], engine: Engine,
    on_error: Callable[[Decision, Exception], None] | None = None,
) -> list[Decision]:
    """Every decision with its explanation attached.

    With ``on_error``, a decision that cannot be explained (a policy plugin's
    decision the default policy cannot follow) is passed to it and kept
    without an explanation; without it, the exception propagates.
    """
    out = []
    for d in decisions:
        try:
            out.append(with_explanation(d, explain(d, engine)))
        except Exception as exc:
            if on_error is None:
                raise
            on_error(d, exc)
            out.append(d)
    return out
