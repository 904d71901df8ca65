"""A score whose exact value is 100 is shown and kept as 100, never as the float noise of the
weighted mean that reached it: weights of 0.1 and 0.2 on two metrics at 100 points give
99.99999999999999 in floats (30.0 / 0.30000000000000004). The policy holds a dimension's
score on the exact side of 100 as of 0 and its floor, so the decision, its text and its
JSON say 100.0 (the scorer's own raw score is shown as it returned it)."""

from __future__ import annotations

import json
from fractions import Fraction
from pathlib import Path
from typing import Any

from helpers import ONLY_REGULATORY_READINESS, VALUED_PROFILE
from hypothesis import given, settings
from hypothesis import strategies as st

from threshold_core.engine import held_final
from threshold_core.model import MetricScore

PROFILE = VALUED_PROFILE + """\
certifications = [{ standard = "ISO/IEC 27001" }, { standard = "ISO/IEC 27701" },
                  { standard = "ISO/IEC 42001" }]
"""

CONFIG = ONLY_REGULATORY_READINESS + """\
[policy]
coverage_floor = 0.05
[settings.regulatory_readiness.weights]
filed_models = 0.0
filed_algorithms = 0.0
sector_approvals = 0.0
security_protection = 0.1
pi_audits = 0.0
certifications = 0.2
[plugins]
disable = ["threshold_rules.filings", "threshold_rules.ethics"]
"""


def test_an_exact_100_reached_through_float_noise_is_shown_as_100(
        run_cli_process: Any, tmp_path: Path) -> None:
    (tmp_path / "n.toml").write_text(PROFILE, encoding="utf-8")
    (tmp_path / "c.toml").write_text(CONFIG, encoding="utf-8")
    text = run_cli_process("evaluate", "n.toml", "--config", "c.toml")
    assert "score 100.0/100" in text.stdout, text.stdout + text.stderr
    # The scorer's trace event keeps the raw score it returned (99.99999999999999).
    assert "score 99.99999999999999/100" not in text.stdout
    out = run_cli_process("evaluate", "n.toml", "--config", "c.toml", "--format", "json")
    decision = json.loads(out.stdout)
    assert decision["score"] == 100.0
    dim = {d["name"]: d for d in decision["dimensions"]}["regulatory_readiness"]
    assert dim["score"] == 100.0 and dim["raw_score"] == 99.99999999999999  # exactly 100


@settings(max_examples=300)
@given(st.lists(st.sampled_from([0.1, 0.2, 0.3, 0.15, 0.35, 0.7, 1 / 3, 1.0, 2.0]),
                min_size=1, max_size=6),
       st.sampled_from([0.0, 40.0, 99.99999999999999, 100.0]),
       st.lists(st.sampled_from([100.0]), max_size=1))
def test_every_point_at_100_is_held_at_100(weights: list[float], floor: float,
                                           caps: list[float]) -> None:
    # As the kit's scorers work the raw score out: weights and weighted points summed in
    # floats, then divided; the policy clamps to 0-100, then holds.
    got = weighted = 0.0
    for w in weights:
        got += w
        weighted += w * 100.0
    raw = weighted / got
    metrics = tuple(MetricScore(metric=f"m{i}", weight=w, raw=1.0, points=100.0,
                                grade="filing") for i, w in enumerate(weights))

    class Result:
        coverage = 1.0

    Result.metrics = metrics  # type: ignore[attr-defined]
    score = max(0.0, min(100.0, raw))
    held, exact = held_final(score, raw, Result(), [], caps, floor)
    assert held == 100.0
    assert exact() == Fraction(100) or abs(raw - 100.0) > 1e-9
