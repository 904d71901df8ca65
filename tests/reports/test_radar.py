"""The radar draws a point for each dimension with a score and none for one without.

The regression: a dimension without a score (no data, or below its coverage floor)
was drawn at the centre of the radar, which reads as a score of 0.
"""

from __future__ import annotations

import re

import pytest
from helpers import EXAMPLES

from threshold_core import Engine
from threshold_core.reports import render_html

COMPANIES = sorted((EXAMPLES / "companies").glob("*.toml"))


def _radar(html: str, cid: str) -> str:
    match = re.search(rf'<svg id="radar-{re.escape(cid)}".*?</svg>', html, re.S)
    assert match, cid
    return match.group(0)


@pytest.mark.parametrize("path", COMPANIES, ids=lambda p: p.stem)
def test_every_scored_dimension_has_a_point_and_no_other_does(path) -> None:
    decision = Engine().evaluate_path(path)
    radar = _radar(render_html([decision]), decision.company.id)
    dims = [d for d in decision.dimensions if d.weight > 0]
    scored = [d for d in dims if d.score is not None]
    unscored = [d for d in dims if d.score is None]
    if len(dims) >= 3:
        points = re.findall(r'<circle class="radar-point" cx="([\d.]+)" cy="([\d.]+)"', radar)
        assert len(points) == len(scored)
        titles = re.findall(r'<circle class="radar-point"[^>]*><title>([^:<]+):', radar)
        assert sorted(titles) == sorted(d.name for d in scored)
        assert radar.count('class="radar-unscored"') == len(unscored)
        for d in unscored:
            assert f"{d.name}: no score" in radar
        # a point at the centre would be a score of 0; only a real 0 may sit there
        centre = ("220.0", "220.0")
        assert sum(p == centre for p in points) == sum(d.score == 0 for d in scored)
    else:
        assert radar.count('class="radar-bar"') == len(scored)
        assert radar.count("no score") == len(unscored)


def test_the_examples_include_a_dimension_without_a_score() -> None:
    decisions = [Engine().evaluate_path(p) for p in COMPANIES]
    assert any(d.score is None for dec in decisions for d in dec.dimensions if d.weight > 0)
