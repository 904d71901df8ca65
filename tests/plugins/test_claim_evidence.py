"""Benchmark claims in technical_defensibility (issue 16): third-party reproduction, and
press < self < independent claims. Through a real engine and real TOML profiles."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scorer_kit import dimension, make_profile, metric

from threshold_core import Engine, InputError, load_profile

DIM = "technical_defensibility"
ORDER = ("press", "self", "third_party")


def claim(score: float = 80.0, by: str = "self", **extra: Any) -> dict[str, Any]:
    return {"benchmark": "C-Eval", "score": score, "claimed_by": by, **extra}


def reproduced_points(engine: Engine, *claims: dict[str, Any]) -> float | None:
    profile = make_profile(technology={"benchmark_claims": list(claims)})
    return metric(dimension(engine, profile, DIM), "reproduced_benchmarks").points


# -- third-party reproduction ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("run", "expected"),
    [(80.0, 100), (78.0, 100), (82.0, 100), (77.99, 0), (82.01, 0), (60.0, 0)],
)
def test_a_reproduction_within_two_points_reproduces_the_claim(
    engine: Engine, run: float, expected: float
) -> None:
    rep = {"by": "OpenCompass", "score": run, "source": "https://opencompass.org.cn"}
    assert reproduced_points(engine, claim(reproduction=rep)) == expected


def test_reproduction_share_goes_through_the_research_band(engine: Engine) -> None:
    hit = {"by": "OpenCompass", "score": 80.0}
    miss = {"by": "OpenCompass", "score": 70.0}
    # 2 of 3 reproduced: 66.7% on the band 0->0, 50->50, 80->100.
    got = reproduced_points(engine, claim(reproduction=hit), claim(reproduction=hit),
                            claim(reproduction=miss))
    assert got == pytest.approx(50 + 50 * (200 / 3 - 50) / 30)


def test_the_record_decides_over_the_flag_and_the_trace_names_the_runner(engine: Engine) -> None:
    rep = {"by": "OpenCompass", "score": 79.0, "source": "OpenCompass leaderboard (research)"}
    profile = make_profile(technology={"benchmark_claims": [
        claim(independently_reproduced=False, reproduction=rep)]})
    got = metric(dimension(engine, profile, DIM), "reproduced_benchmarks")
    assert got.points == 100
    assert "runs by OpenCompass" in (got.note or "")
    assert "OpenCompass leaderboard (research)" in got.sources


def test_the_tolerance_is_a_setting(write_config, engine_from_file) -> None:
    path = write_config("[settings.technical_defensibility]\nreproduction_tolerance_pts = 0.5\n")
    rep = {"by": "OpenCompass", "score": 79.0}
    assert reproduced_points(engine_from_file(path), claim(reproduction=rep)) == 0


def test_claims_nobody_checked_give_no_reproduction_data(engine: Engine) -> None:
    """Missing is no data, never a better score: an unchecked claim is not a reproduced one."""
    profile = make_profile(technology={"benchmark_claims": [claim(), claim(by="press")]})
    result = dimension(engine, profile, DIM)
    rep = metric(result, "reproduced_benchmarks")
    assert rep.points is None
    assert rep.note == "no data: counted at 0 points until researched"
    assert rep.assumed_points == 0
    assert metric(result, "claim_evidence").points is not None
    checked = make_profile(technology={"benchmark_claims": [
        claim(reproduction={"by": "OpenCompass", "score": 50.0}), claim(by="press")]})
    assert metric(dimension(engine, checked, DIM), "reproduced_benchmarks").points == 0


# -- press < self < independent -------------------------------------------------------------


@pytest.mark.parametrize(("by", "expected"), [("press", 20), ("self", 50), ("third_party", 100)])
def test_claim_evidence_grades_who_stands_behind_the_claim(
    engine: Engine, by: str, expected: float
) -> None:
    profile = make_profile(technology={"benchmark_claims": [claim(by=by)]})
    assert metric(dimension(engine, profile, DIM), "claim_evidence").points == expected


def test_no_claims_is_no_claim_evidence(engine: Engine) -> None:
    profile = make_profile(technology={"capability_percentile": 50})
    assert metric(dimension(engine, profile, DIM), "claim_evidence").points is None


@settings(max_examples=40, deadline=None)
@given(kinds=st.lists(st.sampled_from(ORDER[:2]), min_size=1, max_size=5), data=st.data())
def test_upgrading_a_claim_raises_its_evidence_and_never_the_reverse(
    engine: Engine, kinds: list[str], data: st.DataObject
) -> None:
    """press < self < independent: moving one claim up the order strictly raises
    claim_evidence and never lowers the dimension."""
    i = data.draw(st.integers(0, len(kinds) - 1))
    up = data.draw(st.sampled_from([k for k in ORDER if ORDER.index(k) > ORDER.index(kinds[i])]))
    moved = [*kinds[:i], up, *kinds[i + 1:]]

    def result(ks: list[str]) -> Any:
        return dimension(engine, make_profile(technology={
            "benchmark_claims": [claim(by=k) for k in ks], "capability_percentile": 40}), DIM)

    before, after = result(kinds), result(moved)
    assert metric(after, "claim_evidence").points > metric(before, "claim_evidence").points
    assert after.score >= before.score


# -- the profile fields: validation and schema -----------------------------------------------

TOML = """\
id = "t"
name = "T"

[[technology.benchmark_claims]]
benchmark = "C-Eval"
score = 88.3
claimed_by = "press"
source = "seed article (June 2026)"
{extra}
"""


def write(tmp_path: Path, extra: str) -> Path:
    path = tmp_path / "t.toml"
    path.write_text(TOML.format(extra=extra), encoding="utf-8")
    return path


def test_a_reproduction_in_toml_is_read(tmp_path: Path, engine: Engine) -> None:
    path = write(tmp_path, '[technology.benchmark_claims.reproduction]\nby = "OpenCompass"\n'
                           'score = 87.0\nas_of = 2026-05-01\nsource = "illustrative"\n')
    (c,) = load_profile(path).technology.benchmark_claims
    assert c.reproduction is not None and c.reproduction.by == "OpenCompass"
    assert str(c.claimed_by) == "press"


@pytest.mark.parametrize(
    ("extra", "where", "message"),
    [
        ('[technology.benchmark_claims.reproduction]\nby = " "\nscore = 1.0\n',
         "$.technology.benchmark_claims[0].reproduction.by", "must name who ran"),
        ('[technology.benchmark_claims.reproduction]\nscore = 1.0\n',
         "$.technology.benchmark_claims[0].reproduction.by", ""),
        ('[technology.benchmark_claims.reproduction]\nby = "X"\nscore = "high"\n',
         "$.technology.benchmark_claims[0].reproduction.score", "expected a number"),
        ('[technology.benchmark_claims.reproduction]\nby = "X"\nscore = 1.0\nran = true\n',
         "$.technology.benchmark_claims[0].reproduction", "ran"),
    ],
)
def test_bad_reproduction_names_the_file_and_path(
    tmp_path: Path, extra: str, where: str, message: str
) -> None:
    path = write(tmp_path, extra)
    with pytest.raises(InputError) as info:
        load_profile(path)
    (line,) = info.value.lines()
    assert line.startswith(f"{path}: {where}")
    assert message in line


def test_a_claimant_outside_the_order_is_an_input_error_exit_2(tmp_path: Path, run_cli) -> None:
    path = write(tmp_path, "")
    path.write_text(path.read_text().replace('"press"', '"rumour"'), encoding="utf-8")
    result = run_cli("validate", str(path))
    assert result.returncode == 2
    assert "$.technology.benchmark_claims[0].claimed_by" in result.stderr
    assert "press" in result.stderr and "Traceback" not in result.stderr


def test_the_profile_schema_has_the_reproduction_and_the_press_claimant(run_cli) -> None:
    schema = json.loads(run_cli("schema", "profile").stdout)
    text = json.dumps(schema)
    assert '"press"' in text and '"third_party"' in text
    assert "reproduction" in text
