"""An explanation of a decision the engine has just made reads the policy's result off
the decision instead of replaying the policy (``explain(..., made_here=True)``, what
``threshold batch --explain`` asks): the explanation is the same as the full replay's,
on generated profiles under three configurations and on the examples, and a decision the
engine did not make with its own default policy and configuration is still replayed.
"""

from __future__ import annotations

import functools
from pathlib import Path

import attrs
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from threshold_core import Engine, build_config, create_plugin_manager
from threshold_core.explain import explain
from threshold_core.load import resolve_config
from threshold_core.model import Decision, Verdict
from threshold_core.portfolio import synthetic_portfolio

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


@functools.cache
def engine(which: str) -> Engine:
    if which == "third":
        config = build_config({"plugins": {"autoload": False}, "policy": {
            "missing_compliance_data": "block", "medium_deduction": 6.0,
            "medium_max_per_pack": 8.0, "high_cap": 55.0, "max_illustrative_share": 0.1}})
    else:
        config = resolve_config(EXAMPLES / f"{which}.toml")
    return Engine(config, create_plugin_manager(config))


@functools.cache
def decision(which: str, seed: int) -> Decision:
    e = engine(which)
    (doc,) = synthetic_portfolio(1, seed=seed)
    return e.evaluate(e.profile_from_data(doc, f"seed {seed}"))


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(which=st.sampled_from(["threshold", "strict", "third"]), seed=st.integers(0, 2000))
def test_a_decision_made_here_is_explained_as_its_replay(which: str, seed: int) -> None:
    d, e = decision(which, seed), engine(which)
    assert explain(d, e, made_here=True) == explain(d, e)


def test_the_examples_made_here_are_explained_as_their_replays() -> None:
    for which in ("threshold", "strict", "third"):
        e = engine(which)
        for path in sorted((EXAMPLES / "companies").glob("*.toml")):
            d = e.evaluate_path(path)
            assert explain(d, e, made_here=True) == explain(d, e), (which, path.name)


def test_a_decision_made_elsewhere_is_replayed() -> None:
    """Made under another configuration, or altered after the engine made it: replayed
    (the note says where the replay disagrees), whatever ``made_here`` says."""
    d = decision("strict", 7)
    e = engine("threshold")
    assert explain(d, e, made_here=True) == explain(d, e)
    here = engine("strict")
    altered = attrs.evolve(d, verdict=Verdict.WATCH if d.verdict is not Verdict.WATCH
                           else Verdict.NOT_QUALIFIED)
    explained = explain(altered, here, made_here=False)
    assert any(n.startswith("replaying the default policy gives") for n in explained.notes)
