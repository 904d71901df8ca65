"""The explanation shows every figure it compared with a cut-off on its own side of it
(never rounded onto or across it), and every configured cut-off exactly: "needs a score
of 100.04, above 100", never "100.0, above 100"; a band starting at 74.9999999 reads
"74.9999999", never "75". Through the public API (a scorer plugin, the engine, explain) and
the CLI."""

from __future__ import annotations

import functools
import re
from decimal import Decimal
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from threshold_core import DimensionScore, hookimpl, profile_from_data
from threshold_core.engine import Engine
from threshold_core.explain import explain
from threshold_core.model import Decision, Explanation, Verdict
from threshold_core.testing import bare_engine


class _Named:
    """A scorer whose score is written in the company's name (``"79.96 60"``: quality,
    then speed), so one engine scores any pair exactly."""

    def __init__(self, dimension: str, index: int) -> None:
        self.name = self.dimension = dimension
        self.index = index

    def score(self, profile: Any, settings: Any, context: Any) -> Any:
        return DimensionScore(self.dimension, float(profile.name.split()[self.index]), 1.0)


class _Plugin:
    @hookimpl
    def threshold_register_scorers(self, register: Any) -> None:
        register(_Named("quality", 0))
        register(_Named("speed", 1))


@functools.cache
def _engine(cut: float, floor: float = 40.0, fragile: float = 3.0) -> Engine:
    grades = [{"name": "Q", "min_score": cut, "verdict": "qualified"},
              {"name": "W", "min_score": 50.0, "verdict": "watch"},
              {"name": "N", "min_score": 0.0, "verdict": "not_qualified"}]
    return bare_engine(("named", _Plugin()), dimensions={"speed": {"weight": 1}},
                       policy={"grades": grades, "dimension_floor": floor},
                       explain={"fragile_margin_points": fragile})


def _decide(engine: Engine, quality: float, speed: float) -> tuple[Decision, Explanation]:
    profile = profile_from_data({
        "id": "co", "name": f"{quality!r} {speed!r}", "as_of": "2026-06-30",
        "valuation": {"amount": 9e9, "currency": "CNY", "basis": "market_cap",
                      "as_of": "2026-06-30", "source": "company statement"}})
    decision = engine.evaluate(profile)
    return decision, explain(decision, engine)


def test_a_score_needed_a_hair_above_100_is_shown_above_it() -> None:
    # the qualified cut-off of 90 needs speed at (90 - 0.5 x 79.96) / 0.5 = 100.04
    decision, x = _decide(_engine(90.0), 79.96, 60.0)
    assert decision.verdict is Verdict.WATCH
    notes = {d.dimension: d.note for d in x.distance.dimensions}
    assert notes["speed"] == "needs a score of 100.04, above 100"
    assert notes["quality"] == "needs a score of 120.0, above 100"  # far from it: as before


def test_a_configured_cut_off_is_shown_exactly() -> None:
    engine = _engine(74.9999999, fragile=2.9999999)
    decision, x = _decide(engine, 76.0, 76.0)
    assert decision.verdict is Verdict.QUALIFIED
    (band,) = [f.detail for f in decision.determining if f.kind == "band"]
    assert band == "score 76.0 falls in band Q (>= 74.9999999): qualified"
    assert x.margin is not None
    assert x.margin.meaning == ("the next worse verdict is watch: the composite falling below "
                                "74.9999999")
    assert x.robustness.reason.startswith(
        "1.00 points from a cut-off that changes the verdict (< 2.9999999)")


def test_a_configured_floor_is_shown_exactly() -> None:
    decision, x = _decide(_engine(60.0, floor=74.9999999), 90.0, 74.99999985)
    assert decision.verdict is Verdict.WATCH
    assert [f.detail for f in decision.determining if f.kind == "floor"] == [
        "speed scores 74.9999998, below its floor 74.9999999: at most watch"]
    assert [b.detail for b in x.distance.blockers if b.kind == "floor"] == [
        "speed scores 74.9999998, below its floor 74.9999999: raise it to 74.9999999"]


def test_the_cli_shows_a_share_beside_its_bar(tmp_path, run_cli_process) -> None:
    """``threshold evaluate`` (a process of its own): shares a hair from their bars, one of
    them configured with more digits than six significant ones show, in the text report."""
    (tmp_path / "threshold.toml").write_text(
        "[settings.chip_supply]\ntop_vendor_max_pct = 79.9999999\n", encoding="utf-8")
    (tmp_path / "co.toml").write_text(
        'id = "co"\nname = "Co"\nas_of = 2026-06-30\n'
        '[[compute.accelerators]]\nvendor = "Nvidia"\nmodel = "L20"\n'
        'h100_equiv = 80.0000001\nchip_class = "us_below"\n'
        '[[compute.accelerators]]\nvendor = "Huawei"\nmodel = "Ascend 910B"\n'
        'h100_equiv = 19.9999999\nchip_class = "domestic"\n', encoding="utf-8")
    result = run_cli_process("evaluate", "co.toml", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "domestic accelerators are 19.9999999% of compute (below 20%)" in result.stdout
    assert "Nvidia supplies 80% of compute (> 79.9999999%)" in result.stdout


def test_the_reports_show_a_configured_cut_off_exactly() -> None:
    """Markdown and HTML: the cut-off a composite needs, its interval and the chart's band
    label read 74.9999999, never 75."""
    from threshold_core.explain import with_explanation
    from threshold_core.reports import render_html, render_markdowns

    engine = _engine(74.9999999)
    decision, x = _decide(engine, 70.0, 70.0)
    assert decision.verdict is Verdict.WATCH
    explained = [with_explanation(decision, x)]
    md = render_markdowns(explained)
    assert "qualified needs a composite of 74.9999999: 5.00 points short." in md
    assert "Q 74.9999999 holds for" in md
    html = render_html(explained, engine.config.policy.grades)
    assert ">Q 74.9999999</text>" in html and ">Q 75</text>" not in html


def test_diff_keeps_the_two_runs_figures_apart() -> None:
    """A cut-off set from 75 to 74.9999999 reads "75 -> 74.9999999" (a setting, as written),
    a scorer score of 64.99996 beside 65 "64.99996 -> 65", never "65 -> 65"."""
    from threshold_core.explain import Evaluation, diff_decisions

    a, b = _engine(75.0), _engine(74.9999999)
    da, _ = _decide(a, 64.99996, 90.0)
    db, _ = _decide(b, 65.0, 90.0)
    d = diff_decisions(Evaluation(da, "a", a.config), Evaluation(db, "b", b.config))
    details = {(c.kind, c.subject): c.detail for c in d.causes}
    assert details[("setting", "policy.grades[0].min_score")] == "75 -> 74.9999999"
    assert details[("scorer", "quality")].startswith("scorer score 64.99996 -> 65 (")


# -- the kind ---------------------------------------------------------------------------


def _side(x: Decimal, cut: Decimal) -> int:
    return (x > cut) - (x < cut)


def _number(pattern: str, text: str) -> Decimal | None:
    match = re.search(pattern, text)
    return None if match is None else Decimal(match[1])


scores = st.one_of(st.floats(0.0, 100.0), st.sampled_from([79.96, 79.9999, 80.0, 80.04,
                                                          40.0, 39.9999999, 64.996]))


@settings(max_examples=200, deadline=None)
@given(cut=st.sampled_from([90.0, 74.9999999, 89.99999995, 65.0]),
       floor=st.sampled_from([40.0, 39.9999999]), quality=scores, speed=scores)
def test_every_figure_explained_beside_a_cut_off_is_on_its_side(
        cut: float, floor: float, quality: float, speed: float) -> None:
    decision, x = _decide(_engine(cut, floor), quality, speed)
    exact = {"quality": quality, "speed": speed}
    for d in x.distance.dimensions:
        shown = _number(r"needs a score of (\S+), above 100", d.note)
        if shown is not None:
            assert shown > 100, d.note
        raised = re.search(r"from (\S+) to (\S+) \(", d.note)
        if raised is not None and d.raw_score is not None and d.target_raw_score is not None:
            assert Decimal(raised[1]) < Decimal(raised[2]), d.note
    for b in x.distance.blockers:
        if b.kind == "floor":
            ends = re.search(r"below its floor (\S+): raise it to (\S+)$", b.detail)
            assert ends is not None and Decimal(ends[1]) == Decimal(ends[2]) == Decimal(
                repr(floor)), b.detail  # exactly as configured
            shown = _number(r"scores (\S+),", b.detail)
            assert shown is not None and shown < Decimal(repr(floor)), b.detail
            (dim,) = [d for d in decision.dimensions if d.name == b.subject]
            assert dim.score is not None and dim.score < floor  # as the policy held it
    if x.margin is not None and x.margin.cutoff is not None:
        low = x.margin.cutoff
        assert _number(r"falling below (\S+)$", x.margin.meaning) == Decimal(repr(low))
        for m in x.margin.dimensions:
            lose = re.search(r"can lose (\S+) of (\S+)", m.note)
            if lose is not None and m.points is not None:
                raw = exact[m.dimension]
                assert _side(Decimal(lose[1]), Decimal(lose[2])) == _side(
                    Decimal(repr(m.points)), Decimal(repr(raw))), m.note
    for f in decision.determining:
        if f.kind == "band":
            shown = _number(r"\(>= (\S+)\)", f.detail)
            assert shown in {Decimal(repr(cut)), 50, 0}, f.detail
