"""What the engine records is what the components returned, however it records it.

The engine records a rule's outcome without copying it (the object the rule returned,
with its id set) and hashes the canonical profile with orjson. These tests run both
paths: each rule called directly, outside the engine, against the outcomes and the
pack events of the decision; the receipt's hash against the documented canonical bytes
computed here; and the same profile read from TOML and from JSON.
"""

from __future__ import annotations

import hashlib
import json
import math
from datetime import date
from pathlib import Path
from typing import Any

import attrs
import orjson
import pytest
from helpers import EXAMPLES
from hypothesis import given, settings
from hypothesis import strategies as st

from threshold_core import Engine, build_config
from threshold_core.engine import check_outcome, create_plugin_manager
from threshold_core.hooks import hookimpl
from threshold_core.kit import Pack, fired, passed, rule
from threshold_core.load import converter, load_profile, profile_from_data
from threshold_core.model import Context, RuleOutcome, RuleStatus, Severity, is_assumed
from threshold_core.portfolio import synthetic_portfolio

ENGINE = Engine(build_config({}))
PROFILES = [profile_from_data(d) for d in synthetic_portfolio(120, seed=11)]
EXAMPLE_FILES = sorted((EXAMPLES / "companies").glob("*.toml"))


def _expected_outcome(rule_obj: Any, profile: Any, settings: Any, ctx: Context) -> RuleOutcome:
    """The rule called on its own, its outcome completed as docs/hooks.md says."""
    if rule_obj.meta.id in ENGINE.disabled_rules:
        return RuleOutcome(status=RuleStatus.DISABLED, rule=rule_obj.meta.id,
                           message="disabled in [rules] disable")
    out = rule_obj.evaluate(profile, settings, ctx)
    severity = out.severity
    if out.status is RuleStatus.FIRED and severity is None:
        severity = rule_obj.meta.severity
    return RuleOutcome(status=out.status, severity=severity, message=out.message,
                       missing=tuple(out.missing), evidence=dict(out.evidence),
                       rule=rule_obj.meta.id)


def test_every_recorded_outcome_equals_the_rule_called_on_its_own() -> None:
    """120 synthetic profiles: each pack event's outcomes, counts, fired rules and the
    paths read equal what the rules return when called directly, and the findings are
    the fired outcomes."""
    for profile in PROFILES:
        decision = ENGINE.evaluate(profile)
        ctx = Context(fx=ENGINE.fx, as_of=profile.as_of or ENGINE.fx.as_of,
                      sources=ENGINE.config.sources)
        events = {e.component: e for e in decision.trace if e.kind == "rule_pack"}
        assert sorted(events) == sorted(ENGINE.packs)
        all_fired: list[tuple[str, str]] = []
        all_assumed: list[tuple[str, str]] = []
        for name, reg in sorted(ENGINE.packs.items()):
            settings = ENGINE.settings.get(name)
            expected = [_expected_outcome(r, profile, settings, ctx)
                        for r in sorted(reg.component.rules, key=lambda r: r.meta.id)]
            event = events[name]
            assert list(event.rules) == expected, (profile.id, name)
            counts = {s.value: sum(o.status is s for o in expected) for s in RuleStatus}
            assert event.contributed["counts"] == counts
            fired_ids = [o.rule for o in expected if o.status is RuleStatus.FIRED]
            assert event.contributed["fired"] == fired_ids
            assert event.read == tuple(sorted({k for o in expected for k in o.evidence}))
            all_fired += [(name, rid) for rid in fired_ids]
            # A rule of severity medium or worse that lacked data is an assumed finding.
            metas = {r.meta.id: r.meta for r in reg.component.rules}
            all_assumed += [(name, o.rule) for o in expected
                            if o.status is RuleStatus.NOT_EVALUATED
                            and metas[o.rule].severity.rank <= Severity.MEDIUM.rank]
        assert sorted((f.pack, f.rule) for f in decision.findings
                      if not is_assumed(f)) == sorted(all_fired)
        assert sorted((f.pack, f.rule) for f in decision.findings
                      if is_assumed(f)) == sorted(all_assumed)


def _canonical_sha(profile: Any) -> str:
    """The documented canonical bytes, built the slow way: ``attrs.astuple``."""
    data = attrs.astuple(profile)
    return hashlib.sha256(orjson.dumps(data, option=orjson.OPT_SORT_KEYS)).hexdigest()


def test_the_receipt_hashes_the_documented_canonical_bytes() -> None:
    for profile in PROFILES[:40]:
        assert ENGINE.evaluate(profile).receipt.input_sha256 == _canonical_sha(profile)


@pytest.mark.parametrize("path", EXAMPLE_FILES, ids=lambda p: p.stem)
def test_the_receipt_is_the_same_from_toml_and_json(path: Path, tmp_path: Path) -> None:
    """The same profile as TOML and as JSON (dates as strings, keys in another order)
    has one receipt hash; one changed figure changes it."""
    from threshold_core.load import read_toml

    data = read_toml(path)
    as_json = tmp_path / f"{path.stem}.json"
    reordered = dict(reversed(list(data.items())))
    as_json.write_text(json.dumps(reordered, default=lambda d: d.isoformat()
                                  if isinstance(d, date) else str(d)), encoding="utf-8")
    from_toml = ENGINE.evaluate_path(path).receipt.input_sha256
    assert ENGINE.evaluate_path(as_json).receipt.input_sha256 == from_toml
    changed = dict(data, name=f"{data['name']} (renamed)")
    assert ENGINE.evaluate(changed).receipt.input_sha256 != from_toml


def test_a_profile_with_non_ascii_text_hashes_as_utf8() -> None:
    profile = load_profile(EXAMPLE_FILES[0])
    renamed = profile_from_data({**converter().unstructure(profile), "name": "智谱 AI"})
    digest = ENGINE.evaluate(renamed).receipt.input_sha256
    assert digest == _canonical_sha(renamed)
    assert "智谱 AI".encode() in orjson.dumps(attrs.astuple(renamed))


def test_an_undeclared_extension_hashes_the_same_whatever_its_key_order() -> None:
    keep = Engine(build_config({"extensions": {"undeclared": "keep"}}))
    doc = converter().unstructure(load_profile(EXAMPLE_FILES[0]))
    one = {**doc, "extensions": {"house": {"b": 1, "a": {"y": 2.5, "x": "z"}}}}
    other = {**doc, "extensions": {"house": {"a": {"x": "z", "y": 2.5}, "b": 1}}}
    changed = {**doc, "extensions": {"house": {"a": {"x": "z", "y": 2.5}, "b": 2}}}
    digest = keep.evaluate(one).receipt.input_sha256
    assert keep.evaluate(other).receipt.input_sha256 == digest
    assert keep.evaluate(changed).receipt.input_sha256 != digest
    # An integer orjson cannot encode: the standard library's encoder, still deterministic.
    huge = {**doc, "extensions": {"house": {"n": 10**30}}}
    assert keep.evaluate(huge).receipt.input_sha256 == keep.evaluate(huge).receipt.input_sha256


SHARED_PASS = passed({"shared": 1.0})
SHARED_FIRE = fired("shared finding")


def _shared(rid: str, severity: str, outcome: RuleOutcome) -> Any:
    @rule(rid, title=f"rule {rid}", severity=severity, dimension=None,
          rationale="test", source="house policy")
    def check(profile: Any, settings: Any, ctx: Context) -> RuleOutcome:
        return outcome

    return check


class SharedOutcomes:
    """Rules that return one module-level outcome object between them."""

    @hookimpl
    def threshold_register_rule_packs(self, register: Any) -> None:
        register(Pack(name="shared", version="1", rules=[
            _shared("SH-1", "low", SHARED_PASS), _shared("SH-2", "low", SHARED_PASS),
            _shared("SH-3", "high", SHARED_FIRE), _shared("SH-4", "medium", SHARED_FIRE),
        ]))


def test_rules_sharing_one_outcome_object_each_keep_their_id_and_severity() -> None:
    config = build_config({})
    pm = create_plugin_manager(config, extra=[("shared_outcomes", SharedOutcomes())])
    engine = Engine(config, pm)
    for _ in range(2):  # the second evaluation sees the objects the first recorded
        decision = engine.evaluate(PROFILES[0])
        event = next(e for e in decision.trace if e.component == "shared")
        assert [(o.rule, o.status, o.severity) for o in event.rules] == [
            ("SH-1", RuleStatus.PASSED, None), ("SH-2", RuleStatus.PASSED, None),
            ("SH-3", RuleStatus.FIRED, Severity.HIGH), ("SH-4", RuleStatus.FIRED, Severity.MEDIUM),
        ]
        assert sorted((f.rule, f.severity) for f in decision.findings
                      if f.pack == "shared") == [
            ("SH-3", Severity.HIGH), ("SH-4", Severity.MEDIUM)]
    # The shared fired outcome itself still has no severity of its own.
    assert SHARED_FIRE.severity is None


# -- the boundary check of a rule's outcome: its fast path agrees with the contract ------

LONG = "x" * 100_001  # beyond the longest text a plugin may hand back (100,000 characters)
GOOD_VALUES = [1.0, -2.5, "text", True, None, 3, [1.0, "a"], (2.0,), {"n": 1.0}, []]
BAD_VALUES = [math.nan, math.inf, -math.inf, 2**70, object(), [math.nan], {"n": math.inf},
              LONG, [LONG]]


@settings(max_examples=300, deadline=None)
@given(
    status=st.sampled_from([*RuleStatus, "fired", "passed", None]),
    severity=st.sampled_from([None, *Severity, "high"]),
    message=st.sampled_from([None, "why", 5, LONG]),
    missing=st.sampled_from([(), ("compute.chips",), ["compute.chips"], (5,), (LONG,)]),
    evidence=st.one_of(
        st.dictionaries(st.sampled_from(["a", "b", "c"]),
                        st.sampled_from(range(len(GOOD_VALUES) + len(BAD_VALUES))), max_size=3),
        st.sampled_from([None, [("a", 1.0)], {1: 1.0}])),
    declared=st.sampled_from(list(Severity)),
)
def test_an_outcome_is_refused_exactly_when_it_breaks_the_contract(
    status: Any, severity: Any, message: Any, missing: Any, evidence: Any, declared: Severity,
) -> None:
    pool = [*GOOD_VALUES, *BAD_VALUES]
    ev = ({k: pool[i] for k, i in evidence.items()} if isinstance(evidence, dict)
          and all(isinstance(k, str) for k in evidence) else evidence)
    outcome = RuleOutcome(status=status, severity=severity, message=message, missing=missing,
                          evidence=ev)
    ok = (
        any(status is s for s in (RuleStatus.FIRED, RuleStatus.PASSED, RuleStatus.NOT_EVALUATED))
        and (severity is None or (isinstance(severity, Severity)
                                  and severity.rank >= declared.rank))
        and (message is None or (isinstance(message, str) and len(message) <= 100_000))
        and isinstance(missing, tuple)
        and all(isinstance(m, str) and len(m) <= 100_000 for m in missing)
        and isinstance(ev, dict) and all(isinstance(k, str) for k in ev)
        and all(not any(v is b for b in BAD_VALUES) for v in ev.values())
    )
    problem = check_outcome(outcome, declared)
    assert (problem is None) == ok, (outcome, problem)


def test_each_dimensions_sourcing_equals_the_sums_written_out() -> None:
    """The policy's one-pass sourcing against the three sums it replaced, on every
    dimension of 120 synthetic profiles; each finding keeps its fields, effect aside."""
    from threshold_core.model import SourceTier, tier_of

    for profile in PROFILES:
        decision = ENGINE.evaluate(profile)
        for d in decision.dimensions:
            metrics = d.evidence
            total = sum(m.weight for m in metrics if m.weight > 0)
            if not metrics or total <= 0:
                assert (d.sourced_coverage, d.illustrative_share) == (None, None)
                continue
            scored = [m for m in metrics if m.points is not None and m.weight > 0]
            sourced = sum(m.weight for m in scored
                          if tier_of(m.grade) in (SourceTier.PRIMARY, SourceTier.SECONDARY))
            weak = sum(m.weight for m in scored
                       if tier_of(m.grade) in (SourceTier.ILLUSTRATIVE, None))
            got = sum(m.weight for m in scored)
            assert d.sourced_coverage == round(sourced / total, 6)
            assert d.illustrative_share == (round(weak / got, 6) if got > 0 else None)
        traced = {(f.pack, f.rule): f for f in decision.findings}
        for e in decision.trace:
            for o in e.rules:
                if o.status is RuleStatus.FIRED:
                    f = traced[(e.component, o.rule)]
                    assert (f.severity, f.evidence, f.plugin) == (o.severity, o.evidence, e.plugin)


def test_the_default_policy_called_directly_decides_as_through_pluggy() -> None:
    """With the default policy alone, the engine calls it without pluggy: the decisions
    (trace included, timings aside) equal those of the call through the hook."""
    from threshold_core.load import decision_to_dict, strip_timings

    through_hook = Engine(build_config({}))
    assert ENGINE._core_policy
    through_hook._core_policy = False
    for profile in PROFILES[:40]:
        direct, hooked = ENGINE.evaluate(profile), through_hook.evaluate(profile)
        assert strip_timings(decision_to_dict(direct)) == strip_timings(decision_to_dict(hooked))


_RETURNED: list[Any] = [None]


class _Returns:
    """A plugin pack (not built in) whose one rule returns what a test puts in _RETURNED."""

    @hookimpl
    def threshold_register_rule_packs(self, register: Any) -> None:
        @rule("returns.it", title="returns what it is given", severity="medium", dimension=None,
              rationale="a test", source="house policy")
        def check(profile: Any, settings: Any, context: Any) -> Any:
            return _RETURNED[0]

        register(Pack(name="returns", version="1", rules=[check]))


def _returning_engine() -> Engine:
    pm = create_plugin_manager(build_config({}))
    pm.register_plugin(_Returns(), "returns")
    return Engine(build_config({}), pm)


RETURNING = _returning_engine()


@settings(max_examples=150, deadline=None)
@given(
    status=st.sampled_from([*RuleStatus, "fired", None]),
    severity=st.sampled_from([None, *Severity, "medium"]),
    message=st.sampled_from([None, "why", 5, LONG]),
    missing=st.sampled_from([(), ("compute.chips",), ["compute.chips"], (5,)]),
    evidence=st.dictionaries(st.sampled_from(["a", "b"]),
                             st.sampled_from(range(len(GOOD_VALUES) + len(BAD_VALUES))),
                             max_size=2),
)
def test_the_engine_refuses_an_outcome_exactly_when_the_full_check_does(
    status: Any, severity: Any, message: Any, missing: Any, evidence: Any,
) -> None:
    """The pack loop checks the usual outcome inline: what it refuses (the rule recorded
    as an error, the decision failed closed) is what ``check_outcome`` refuses."""
    pool = [*GOOD_VALUES, *BAD_VALUES]
    outcome = RuleOutcome(status=status, severity=severity, message=message, missing=missing,
                          evidence={k: pool[i] for k, i in evidence.items()})
    _RETURNED[0] = outcome
    decision = RETURNING.evaluate(PROFILES[0])
    recorded = next(o for p in decision.trace if p.component == "returns" for o in p.rules)
    refused = check_outcome(outcome, Severity.MEDIUM) is not None
    assert (recorded.status is RuleStatus.ERROR) == refused, (outcome, recorded)
    assert (str(decision.verdict) == "error") == refused
