"""Distance to qualify, safety margin and robustness, checked against real evaluations.

Every claim an explanation makes is replayed through the engine: a test scorer
plugin wraps the built-in scorer of one dimension and shifts its score by the
reported points; findings to clear first are switched off with ``[rules]
disable``; weights and cut-offs are set in the configuration.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import attrs
import pytest
from helpers import graded_examples

from threshold_core import Engine, Pack, build_config, create_plugin_manager, hookimpl, rule
from threshold_core.engine import combine
from threshold_core.explain import assessment_from_decision, explain, what_if, with_explanation
from threshold_core.kit import fired
from threshold_core.load import decision_to_dict
from threshold_core.model import Decision, Verdict

# The examples disclose no retention figures; graded verdicts need the fixture NDRs.
COMPANIES = sorted(graded_examples().glob("*.toml"))
RANK = {Verdict.QUALIFIED: 0, Verdict.WATCH: 1, Verdict.NOT_QUALIFIED: 2}


class Shifted:
    """A scorer for ``dimension`` that returns the built-in scorer's score plus ``delta``."""

    def __init__(self, inner: Any, settings: Any, delta: float) -> None:
        self.name = "shifted"
        self.dimension = inner.dimension
        self.inner, self.settings, self.delta = inner, settings, delta

    def score(self, profile: Any, settings: Any, context: Any) -> Any:
        result = self.inner.score(profile, self.settings, context)
        return attrs.evolve(result, score=max(0.0, min(100.0, result.score + self.delta)))


class ShiftedPlugin:
    def __init__(self, scorer: Shifted) -> None:
        self.scorer = scorer

    @hookimpl
    def threshold_register_scorers(self, register: Any) -> None:
        register(self.scorer)


def base_data() -> dict[str, Any]:
    return {"plugins": {"autoload": False}}


@pytest.fixture(scope="module")
def engine() -> Engine:
    return Engine(build_config(base_data()))


#: Grade bands with watch at 45: Zhipu's graded composite (about 43: the figures and the
#: rules its profile lacks count at their worst) sits just below it, so weights, cut-offs
#: and single metrics can move its verdict.
NEAR = [{"name": "Q1", "min_score": 85, "verdict": "qualified"},
        {"name": "Q2", "min_score": 75, "verdict": "qualified"},
        {"name": "Q3", "min_score": 45, "verdict": "watch"},
        {"name": "B", "min_score": 40, "verdict": "not_qualified"},
        {"name": "NQ", "min_score": 0, "verdict": "not_qualified"}]


@pytest.fixture(scope="module")
def near() -> Engine:
    return Engine(build_config(base_data() | {"policy": {"grades": NEAR}}))


def replay(engine: Engine, path: Path, dimension: str | None = None, delta: float = 0.0,
           clear: tuple[str, ...] = (), **config: Any) -> Decision:
    """Evaluate ``path`` with one dimension shifted by ``delta`` and ``clear`` disabled."""
    data = base_data() | config
    if clear:
        data["rules"] = {"disable": [c for c in clear if c != "gate"]}
    if dimension is None:
        return Engine(build_config(data)).evaluate_path(path)
    inner = engine.assignments[dimension].component
    shifted = Shifted(inner, engine.settings.get(inner.name), delta)
    dims = dict(data.get("dimensions", {}))
    dims[dimension] = {**dims.get(dimension, {}), "scorer": "shifted"}
    data["dimensions"] = dims
    cfg = build_config(data)
    pm = create_plugin_manager(cfg, extra=[("shifted", ShiftedPlugin(shifted))])
    return Engine(cfg, pm).evaluate_path(path)


def explained(engine: Engine, path: Path) -> Decision:
    d = engine.evaluate_path(path)
    return with_explanation(d, explain(d, engine))


@pytest.mark.parametrize("path", COMPANIES, ids=lambda p: p.stem)
def test_the_reported_distance_is_exactly_enough(engine: Engine, path: Path) -> None:
    d = explained(engine, path)
    x = d.explain
    assert x is not None and x.verdict is d.verdict
    dist = x.distance
    if d.verdict is Verdict.QUALIFIED:
        assert dist.target is None and "best verdict" in dist.meaning
        return
    if d.verdict is Verdict.INSUFFICIENT_DATA:
        # Either data a dimension needs, or a valuation the gate can test.
        assert dist.target is None
        assert dist.coverage or any(b.kind == "valuation" for b in dist.blockers)
        return
    target = dist.target
    assert target is not None and RANK[target] == RANK[d.verdict] - 1
    assert str(target) in dist.meaning
    checked = 0
    for row in dist.dimensions:
        clear = row.clear_first
        if "gate" in clear:
            continue  # the gate is the profile's valuation: see the gate test below
        if row.points is None:
            # Out of reach: even a scorer score of 100 (blockers cleared) is not enough.
            top = replay(engine, path, row.dimension, 100.0, clear)
            assert RANK[top.verdict] > RANK[target], row
            continue
        if row.points == 0:
            assert RANK[replay(engine, path, clear=clear).verdict] <= RANK[target]
            continue
        enough = replay(engine, path, row.dimension, row.points, clear)
        assert RANK[enough.verdict] <= RANK[target], (row, enough.verdict, enough.score)
        short = replay(engine, path, row.dimension, row.points - 0.1, clear)
        assert RANK[short.verdict] > RANK[target], (row, short.verdict, short.score)
        if clear:
            # Raising it without clearing the blockers first is not enough.
            alone = replay(engine, path, row.dimension, row.points)
            assert RANK[alone.verdict] > RANK[target]
            assert not row.alone
        checked += 1
    assert checked or all(r.points is None or "gate" in r.clear_first for r in dist.dimensions)


@pytest.mark.parametrize("path", COMPANIES, ids=lambda p: p.stem)
def test_the_reported_margin_is_exactly_safe(engine: Engine, path: Path) -> None:
    d = explained(engine, path)
    m = d.explain.margin if d.explain else None
    if str(d.verdict) in ("not_qualified", "insufficient_data", "error"):
        # Nothing worse is reachable by score alone: no margin is reported.
        assert m is None or m.worse is None
        return
    assert m is not None and m.worse is not None
    for row in m.dimensions:
        if row.points is None:
            assert RANK[replay(engine, path, row.dimension, -100.0).verdict] == RANK[d.verdict]
            continue
        kept = replay(engine, path, row.dimension, -row.points)
        assert kept.verdict is d.verdict, row
        dropped = replay(engine, path, row.dimension, -(row.points + 0.1))
        assert dropped.verdict is m.worse, (row, dropped.verdict, dropped.score)


def test_distances_replay_through_the_policy_too(engine: Engine) -> None:
    for path in COMPANIES:
        d = explained(engine, path)
        assert d.explain is not None and not d.explain.notes, d.explain.notes
        assessment = assessment_from_decision(d)
        assert combine(assessment, engine.config).score == d.score
        for row in d.explain.distance.dimensions:
            if row.points and row.raw_score is not None and "gate" not in row.clear_first:
                res = what_if(assessment, engine.config, clear=row.clear_first,
                              raw_scores={row.dimension: row.raw_score + row.points})
                assert RANK[res.verdict] <= RANK[d.explain.distance.target]  # type: ignore


def test_a_failed_gate_says_no_dimension_alone_helps(engine: Engine, tmp_path: Path) -> None:
    text = (graded_examples() / "zhipu.toml").read_text(encoding="utf-8")
    start = text.index("[valuation]")
    end = text.index("\n[", start + 1)
    section = text[start:end]
    import re

    small = re.sub(r"(?m)^amount = .*$", "amount = 1.0e8", section, count=1)
    path = tmp_path / "small.toml"
    path.write_text(text[:start] + small + text[end:], encoding="utf-8")
    d = explained(engine, path)
    assert d.verdict is Verdict.NOT_QUALIFIED and d.gate.passed is False
    dist = d.explain.distance  # type: ignore[union-attr]
    assert dist.blockers[0].kind == "gate"
    # The shortfall is measured on the tested valuation (after the estimate haircut).
    assert dist.gate_shortfall_cny == pytest.approx(d.gate.line_cny - d.gate.tested_cny)
    assert dist.dimensions and all("gate" in r.clear_first and not r.alone
                                   for r in dist.dimensions)
    for dim in d.dimensions:  # raising any one dimension to 100 changes nothing
        assert replay(engine, path, dim.name, 100.0).verdict is Verdict.NOT_QUALIFIED
    assert d.explain.robustness.label == "robust"  # type: ignore[union-attr]
    assert "gate" in d.explain.robustness.reason  # type: ignore[union-attr]


@rule("VETO-1", title="Always vetoes", severity="critical", dimension="regulatory_readiness",
      rationale="test", source="test")
def _veto(profile: Any, settings: Any, context: Any) -> Any:
    return fired("vetoed for the test")


class VetoPlugin:
    @hookimpl
    def threshold_register_rule_packs(self, register: Any) -> None:
        register(Pack("vetoes", version="1", rules=(_veto,)))


def test_a_veto_says_it_must_be_cleared_first(engine: Engine) -> None:
    cfg = build_config(base_data())
    vetoing = Engine(cfg, create_plugin_manager(cfg, extra=[("vetoer", VetoPlugin())]))
    path = graded_examples() / "zhipu.toml"
    d = vetoing.evaluate_path(path)
    x = explain(d, vetoing)
    assert d.verdict is Verdict.NOT_QUALIFIED
    assert [(b.kind, b.subject) for b in x.distance.blockers][:1] == [("veto", "VETO-1")]
    assert all("VETO-1" in r.clear_first and not r.alone for r in x.distance.dimensions)
    lever = next(f for f in x.distance.findings if f.rule == "VETO-1")
    assert lever.verdict_if_cleared is engine.evaluate_path(path).verdict
    assert x.margin is None and x.robustness.label == "robust"


def test_insufficient_data_names_the_data_each_dimension_needs(engine: Engine,
                                                               tmp_path: Path) -> None:
    path = tmp_path / "thin.toml"
    path.write_text('id = "thin"\nname = "Thin AI"\n[valuation]\namount = 9e9\n'
                    'currency = "CNY"\nbasis = "market_cap"\n', encoding="utf-8")
    d = explained(engine, path)
    assert d.verdict is Verdict.INSUFFICIENT_DATA
    dist = d.explain.distance  # type: ignore[union-attr]
    assert "coverage floor" in dist.meaning
    needs = {c.dimension: c for c in dist.coverage}
    low = {dim.name for dim in d.dimensions if dim.coverage < 0.6}
    assert set(needs) == low
    for c in needs.values():
        assert c.supply and c.paths and f"{c.floor:.0%}" in c.note
        dim = next(x for x in d.dimensions if x.name == c.dimension)
        weights = {m.metric: m.weight for m in dim.evidence}
        got = sum(m.weight for m in dim.evidence if m.points is not None)
        reached = (got + sum(weights[s] for s in c.supply)) / sum(weights.values())
        assert reached >= c.floor  # the listed metrics are enough...
        fewer = reached - weights[c.supply[-1]] / sum(weights.values())
        assert fewer < c.floor  # ...and none of them is superfluous


def test_metric_moves_invert_the_band(near: Engine, tmp_path: Path) -> None:
    engine = near
    from threshold_core.portfolio import synthetic_portfolio

    # The examples and some synthetic companies: which of them a single metric can move
    # to the next verdict depends on the scorers and rules in force.
    paths = list(COMPANIES)
    for doc in synthetic_portfolio(40, seed=8):
        path = tmp_path / f"{doc['id']}.json"
        path.write_text(json.dumps(doc, default=str), encoding="utf-8")
        paths.append(path)
    found = 0
    for path in paths:
        d = explained(engine, path)
        for row in d.explain.distance.dimensions:  # type: ignore[union-attr]
            for m in row.metrics:
                if m.action in ("raise", "lower") and m.target_raw is not None:
                    scorer = engine.assignments[row.dimension].component.name
                    band = engine.settings[scorer].bands[m.metric]
                    assert band(m.target_raw) >= (m.target_points or 0) - 1e-4  # 4 decimals
                    assert (m.target_raw > (m.raw or 0)) == (m.action == "raise")
                    found += 1
    assert found


def test_weight_intervals_are_where_the_verdict_flips(near: Engine) -> None:
    path = graded_examples() / "zhipu.toml"
    d = explained(near, path)
    r = d.explain.robustness  # type: ignore[union-attr]
    tested = 0
    for w in r.weights:
        for bound, inside, outside in ((w.configured_high, 0.98, 1.02),
                                       (w.configured_low, 1.02, 0.98)):
            if not bound:
                continue
            keep = replay(near, path, dimensions={w.dimension: {"weight": bound * inside}},
                          policy={"grades": NEAR})
            flip = replay(near, path, dimensions={w.dimension: {"weight": bound * outside}},
                          policy={"grades": NEAR})
            assert keep.verdict is d.verdict
            assert flip.verdict is not d.verdict
            tested += 1
    assert tested


def test_cutoff_intervals_are_where_the_verdict_flips(near: Engine) -> None:
    engine = near
    for path in COMPANIES:
        d = explained(engine, path)
        r = d.explain.robustness  # type: ignore[union-attr]
        for c in r.cutoffs:
            if not c.binding:
                continue
            grades = [attrs.asdict(g) for g in engine.config.policy.grades]
            for g in grades:
                g["verdict"] = str(g["verdict"])
            idx = next(i for i, g in enumerate(grades) if g["name"] == c.grade)
            inside = c.high - 0.01 if c.min_score <= d.score else c.low + 0.01  # type: ignore
            outside = c.high + 0.01 if c.min_score <= d.score else c.low - 0.01  # type: ignore
            for value, same in ((inside, True), (outside, False)):
                grades[idx]["min_score"] = value
                other = replay(engine, path, policy={"grades": grades})
                assert (other.verdict is d.verdict) is same, (c, value, other.verdict)
            return
    pytest.fail("no example has a binding cut-off")


def test_fragile_rule_and_seeded_monte_carlo(engine: Engine) -> None:
    path = graded_examples() / "zhipu.toml"

    # Zhipu's graded composite (about 43: the figures and rules its profile lacks count at
    # their worst) sits between B and a watch band moved to 45, so weights can flip it.
    grades = NEAR

    def robustness(**explain_cfg: Any) -> Any:
        e = Engine(build_config(base_data() | {"explain": explain_cfg,
                                               "policy": {"grades": grades}}))
        return explain(e.evaluate_path(path), e).robustness

    plain = robustness()
    assert plain.monte_carlo is None  # off by default
    assert plain.band_edge_distance is not None
    edge = plain.band_edge_distance
    assert robustness(fragile_margin_points=edge + 0.01).label == "fragile"
    assert robustness(fragile_margin_points=edge - 0.01).label == "robust"
    mc = robustness(monte_carlo_draws=300, seed=7, fragile_margin_points=0)
    again = robustness(monte_carlo_draws=300, seed=7, fragile_margin_points=0)
    assert mc.monte_carlo == again.monte_carlo  # seeded: reproducible
    assert mc.monte_carlo.draws == 300 and sum(mc.monte_carlo.verdicts.values()) == \
        pytest.approx(1.0)
    p = mc.monte_carlo.flip_probability
    assert 0 < p < 1
    assert robustness(monte_carlo_draws=300, seed=7, fragile_margin_points=0,
                      fragile_flip_probability=p - 0.01).label == "fragile"
    assert robustness(monte_carlo_draws=300, seed=7, fragile_margin_points=0,
                      fragile_flip_probability=min(1.0, p + 0.01)).label == "robust"
    # A tighter Dirichlet keeps the weights closer to the configured ones: fewer flips.
    tight = robustness(monte_carlo_draws=300, seed=7, fragile_margin_points=0,
                       dirichlet_concentration=2000)
    assert tight.monte_carlo.flip_probability < p


def test_explain_config_is_validated() -> None:
    from threshold_core import InputError

    with pytest.raises(InputError) as err:
        build_config({"explain": {"monte_carlo_draws": -1, "fragile_flip_probability": 2,
                                  "colour": "red"}})
    assert "$.explain.colour: unknown key" in str(err.value)


def test_decision_json_carries_the_explanation(run_cli) -> None:
    path = graded_examples() / "zhipu.toml"
    result = run_cli("evaluate", str(path), "--format", "json")
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    keys = list(data)
    assert keys.index("determining") < keys.index("explain") < keys.index("trace")
    x = data["explain"]
    assert set(x) == {"verdict", "distance", "margin", "robustness", "notes"}
    assert x["robustness"]["label"] in ("robust", "fragile")
    assert x["distance"]["meaning"].startswith("the next better verdict")
    # The library's decisions carry no explanation unless asked.
    assert decision_to_dict(Engine().evaluate_path(path))["explain"] is None


def test_text_and_markdown_show_the_explanation(run_cli) -> None:
    path = graded_examples()
    text = run_cli("evaluate", str(path)).stdout
    for heading in ("Distance to the next better verdict", "Safety margin", "Robustness"):
        assert f"\n{heading}\n" in text
    assert "robustness" in text.splitlines()[1]  # the summary table has the label
    md = run_cli("evaluate", str(path), "--format", "markdown").stdout
    for heading in ("### Distance to the next better verdict", "### Safety margin",
                    "### Robustness"):
        assert heading in md


class Fixed:
    name = "fixed"
    dimension = "quality"

    def __init__(self, value: float) -> None:
        self.value = value

    def score(self, profile: Any, settings: Any, context: Any) -> Any:
        from threshold_core import DimensionScore

        return DimensionScore("quality", self.value, 1.0)


class FixedPlugin:
    def __init__(self, value: float) -> None:
        self.scorer = Fixed(value)

    @hookimpl
    def threshold_register_scorers(self, register: Any) -> None:
        register(self.scorer)


@pytest.mark.parametrize(("score", "verdict", "distance", "margin"), [
    (70.0, Verdict.WATCH, 5.0, 5.0),           # 75 qualifies; 65 keeps watch
    (40.0, Verdict.NOT_QUALIFIED, 25.0, None),  # 65 gives watch; nothing worse
    (90.0, Verdict.QUALIFIED, None, 15.0),      # nothing better; 75 keeps qualified
])
def test_one_dimension_distances_are_exact(score: float, verdict: Verdict,
                                           distance: float | None,
                                           margin: float | None) -> None:
    from helpers import bare_engine

    from threshold_core import profile_from_data

    engine = bare_engine(("fixed", FixedPlugin(score)))
    profile = profile_from_data({"id": "one", "name": "One", "as_of": "2026-06-30", "valuation": {
        "amount": 9e9, "currency": "CNY", "basis": "market_cap", "as_of": "2026-06-30",
        "source": "company statement"}})
    d = engine.evaluate(profile)
    x = explain(d, engine)
    assert d.verdict is verdict
    assert [r.points for r in x.distance.dimensions] == ([distance] if distance else [])
    got = [m.points for m in x.margin.dimensions] if x.margin else []
    assert got == ([margin] if margin else [])
    assert x.robustness.weights == ()  # one dimension: no weight to move
