"""Optional dimensions: ``[dimensions.<name>] required = false``.

A company without enough of an optional dimension's data is scored on the
others, their weights renormalised, and the decision says so. Run with the
installed example plugin (``ai_safety_maturity``) through the ``threshold`` script.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from helpers import graded_examples

from threshold_core import DimensionScore, hookimpl
from threshold_core.testing import bare_engine, make_profile

DIM = "ai_safety_maturity"
# A company with a graded verdict and no data for the optional dimension: 01.AI without
# the two sections the AI-safety plugin reads. (4Paradigm was the case; its
# regulatory readiness now has no data either, so it is insufficient_data anyway.)
_01AI = (graded_examples() / "01ai.toml").read_text(encoding="utf-8")
NO_SAFETY_DATA_TEXT = re.sub(
    r"\n\[(security_assessment|ethics_governance)\]\n(?:[^\[\n].*\n)*", "\n", _01AI)
# Graded copies (fixture NDRs): the shipped examples disclose no retention figures.
ZHIPU = graded_examples() / "zhipu.toml"

OPTIONAL = f"[dimensions.{DIM}]\nweight = 1\nrequired = false\n"

SAFETY_SECTION = f"""
[extensions.{DIM}]
source = "illustrative"

[[extensions.{DIM}.evaluations]]
suite = "XSTest"
independent = true
n_prompts = 450
over_refusal_pct = 4
unsafe_compliance_pct = 2
"""


@pytest.fixture
def NO_SAFETY_DATA(tmp_path: Path) -> Path:
    path = tmp_path / "profiles" / "01ai.toml"
    path.parent.mkdir()
    path.write_text(NO_SAFETY_DATA_TEXT, encoding="utf-8")
    return path


def evaluate(run_cli, cwd: Path, *paths: Path | str) -> Any:
    result = run_cli("evaluate", *map(str, paths), "--format", "json", cwd=cwd)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def dims(decision: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {d["name"]: d for d in decision["dimensions"]}


def test_no_data_scores_on_the_others_with_weights_renormalised(
    run_cli, tmp_path, NO_SAFETY_DATA
) -> None:
    before = evaluate(run_cli, tmp_path, NO_SAFETY_DATA)
    (tmp_path / "threshold.toml").write_text(OPTIONAL, encoding="utf-8")
    decision = evaluate(run_cli, tmp_path, NO_SAFETY_DATA)
    # The issue: the company keeps its verdict (it became insufficient_data when the
    # dimension was required), with exactly the score it had on the four built-in ones.
    assert (decision["verdict"], decision["score"]) == (before["verdict"], before["score"])
    assert before["verdict"] in ("qualified", "watch", "not_qualified")
    safety = dims(decision)[DIM]
    assert (safety["weight"], safety["configured_weight"], safety["contribution"]) == (
        0.0, 1.0, None)
    assert safety["required"] is False
    assert safety["left_out"] == "optional; no data"
    assert all(d["weight"] == 0.25 for n, d in dims(decision).items() if n != DIM)
    (factor,) = [f for f in decision["determining"] if f["kind"] == "left_out"]
    assert factor["subject"] == DIM
    assert factor["detail"] == (f"{DIM} left out (optional; no data): the other dimensions' "
                                "weights are renormalised to sum to 1")
    (event,) = [e for e in decision["trace"] if e["component"] == DIM]
    assert event["contributed"]["left_out"] == "optional; no data"
    (policy,) = [e for e in decision["trace"] if e["component"] == "policy"]
    assert policy["contributed"]["weights"] == {
        n: (0.0 if n == DIM else 0.25) for n in dims(decision)}

    text = run_cli("evaluate", str(NO_SAFETY_DATA), cwd=tmp_path).stdout
    assert f"{DIM} left out (optional; no data)" in text


def test_required_by_default_so_no_data_is_insufficient(
    run_cli, tmp_path, NO_SAFETY_DATA
) -> None:
    (tmp_path / "threshold.toml").write_text(f"[dimensions.{DIM}]\nweight = 1\n",
                                             encoding="utf-8")
    decision = evaluate(run_cli, tmp_path, NO_SAFETY_DATA)
    assert decision["verdict"] == "insufficient_data"
    assert dims(decision)[DIM]["required"] is True


def test_full_data_counts_like_any_dimension(run_cli, tmp_path) -> None:
    (tmp_path / "threshold.toml").write_text(OPTIONAL, encoding="utf-8")
    profile = tmp_path / "zhipu.toml"
    profile.write_text(ZHIPU.read_text(encoding="utf-8") + SAFETY_SECTION, encoding="utf-8")
    decision = evaluate(run_cli, tmp_path, profile)
    safety = dims(decision)[DIM]
    assert safety["coverage"] == 1.0 and safety["left_out"] is None
    assert all(d["weight"] == 0.2 for d in decision["dimensions"])
    assert not [f for f in decision["determining"] if f["kind"] == "left_out"]
    expected = sum(d["score"] for d in decision["dimensions"]) / 5
    assert decision["score"] == pytest.approx(expected, abs=1e-4)


def test_partial_data_below_the_dimensions_floor_is_left_out_above_it_counts(
    run_cli, tmp_path,
) -> None:
    # Zhipu's profile alone gives the plugin two of its five metrics (25% of the weight):
    # canned refusals and safety practice. Below the floor it is left out, like no data.
    (tmp_path / "threshold.toml").write_text(OPTIONAL, encoding="utf-8")
    decision = evaluate(run_cli, tmp_path, ZHIPU)
    safety = dims(decision)[DIM]
    assert safety["coverage"] == 0.25
    assert safety["left_out"] == "optional; coverage 25% is below its floor 60%"
    assert safety["weight"] == 0.0 and safety["raw_score"] is not None
    assert decision["verdict"] == evaluate(run_cli, tmp_path / "..", ZHIPU)["verdict"]

    # The floor is per dimension: at 0.2 the same data counts.
    (tmp_path / "threshold.toml").write_text(OPTIONAL + "coverage_floor = 0.2\n",
                                             encoding="utf-8")
    decision = evaluate(run_cli, tmp_path, ZHIPU)
    safety = dims(decision)[DIM]
    assert safety["left_out"] is None and safety["weight"] == 0.2


def test_explanations_say_the_dimension_was_left_out(run_cli, tmp_path, NO_SAFETY_DATA) -> None:
    (tmp_path / "threshold.toml").write_text(OPTIONAL, encoding="utf-8")
    decision = evaluate(run_cli, tmp_path, NO_SAFETY_DATA)
    explain = decision["explain"]
    assert DIM not in [w["dimension"] for w in explain["robustness"]["weights"]]
    assert f"{DIM} left out" in explain["robustness"]["reason"]
    (distance,) = [d for d in explain["distance"]["dimensions"] if d["dimension"] == DIM]
    assert "left out" in distance["note"]


class _Fixed:
    """Scorers with fixed scores, one per dimension named in ``scores``."""

    def __init__(self, scores: dict[str, float | None]) -> None:
        self.scores = scores

    @hookimpl
    def threshold_register_scorers(self, register: Any) -> None:
        for name, value in self.scores.items():
            register(_Scorer(name, value))


class _Scorer:
    def __init__(self, name: str, value: float | None) -> None:
        self.name = self.dimension = name
        self.value = value

    def score(self, profile: Any, settings: Any, context: Any) -> DimensionScore:
        return DimensionScore(self.name, self.value, 0.0 if self.value is None else 1.0)


def test_renormalised_weights_bring_no_rounding_into_the_verdict() -> None:
    # Three dimensions at exactly 75 (the Q2 cut-off) and a fourth, optional, without
    # data: thirds rounded to 0.333333 would give 74.99993 and the wrong grade.
    scores = {"a": 75.0, "b": 75.0, "c": 75.0, "d": None}
    engine = bare_engine(
        ("fixed", _Fixed(scores)),
        dimensions={"quality": {"weight": 0}, "a": {}, "b": {}, "c": {},
                    "d": {"required": False}},
    )
    decision = engine.evaluate(make_profile())
    assert decision.score == 75.0
    assert (decision.grade, str(decision.verdict)) == ("Q2", "qualified")


from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

_SCORE = st.floats(min_value=0.0, max_value=100.0, allow_nan=False)
_WEIGHT = st.floats(min_value=0.01, max_value=10.0, allow_nan=False)


@settings(max_examples=60, deadline=None)
@given(scores=st.lists(_SCORE, min_size=1, max_size=4), weights=st.lists(_WEIGHT, min_size=4,
                                                                          max_size=4),
       optional_weight=_WEIGHT)
def test_an_optional_dimension_without_data_changes_nothing(
    scores: list[float], weights: list[float], optional_weight: float,
) -> None:
    """The kind of fault: an added optional dimension that has no data for a company must
    leave its score, grade and verdict exactly as they were without the dimension."""
    names = [f"d{i}" for i in range(len(scores))]
    dimensions: dict[str, Any] = {"quality": {"weight": 0}}
    dimensions |= {n: {"weight": w} for n, w in zip(names, weights, strict=False)}
    without = bare_engine(("fixed", _Fixed(dict(zip(names, scores, strict=True)))),
                          dimensions=dimensions)
    with_optional = bare_engine(
        ("fixed", _Fixed({**dict(zip(names, scores, strict=True)), "extra": None})),
        dimensions={**dimensions, "extra": {"weight": optional_weight, "required": False}},
    )
    a = without.evaluate(make_profile())
    b = with_optional.evaluate(make_profile())
    assert (a.score, a.grade, a.verdict) == (b.score, b.grade, b.verdict)
    assert [d.weight for d in a.dimensions] == [d.weight for d in b.dimensions if d.name != "extra"]
