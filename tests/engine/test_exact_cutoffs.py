"""Every comparison with a configured cut-off is exact: weights are relative, so scaling
them never changes a verdict (coverage floors, dimension floors, grade bands)."""

from __future__ import annotations

import json
import subprocess
import sys
from decimal import Decimal
from fractions import Fraction
from pathlib import Path

import pytest
from helpers import graded_examples
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from threshold_core import Engine, build_config

METRICS = ("ndr", "gdr", "logo_churn", "enterprise_customers", "revenue_per_customer",
           "recurring_revenue_share", "customer_concentration", "vertical_concentration",
           "gross_margin", "rule_of_40")
#: The weights of the break report: 3.0 of 5.0 covered for zhipu, exactly the 60% floor.
W1 = dict(zip(METRICS, ("0.15", "0.35", "0.3", "0.9", "0.6", "1.1", "0.2", "0.15", "1.1",
                        "0.15"), strict=True))


def weights_toml(weights: dict[str, str], extra: str = "") -> str:
    body = "".join(f"{k} = {v}\n" for k, v in weights.items())
    return f"{extra}[settings.application_stickiness.weights]\n{body}"


def threshold(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "threshold_core", *args], cwd=cwd,
                          capture_output=True, text=True, timeout=120)


@pytest.mark.parametrize("factor", ["1", "100", "0.01", "7"])
def test_coverage_at_the_floor_is_not_below_it_whatever_the_scale(tmp_path: Path,
                                                                  factor: str) -> None:
    scaled = {k: str(Decimal(v) * Decimal(factor)) for k, v in W1.items()}
    (tmp_path / "w.toml").write_text(weights_toml(scaled), encoding="utf-8")
    zhipu = str(graded_examples() / "zhipu.toml")
    run = threshold("evaluate", zhipu, "--config", "w.toml", cwd=tmp_path)
    assert run.returncode == 0, run.stderr
    assert run.stdout.splitlines()[0].startswith("Zhipu AI (zhipu): NOT QUALIFIED")
    assert "59.99" not in run.stdout and "supply  to" not in run.stdout
    data = json.loads(threshold("evaluate", zhipu, "--config", "w.toml", "--format", "json",
                                cwd=tmp_path).stdout)
    dim = next(d for d in data["dimensions"] if d["name"] == "application_stickiness")
    # The 40% of the weight without data counts at its lowest points: band NQ, not B.
    assert dim["coverage"] == 0.6 and data["grade"] == "NQ"


def test_the_explanation_reads_each_dimensions_own_coverage_floor(tmp_path: Path) -> None:
    (tmp_path / "f.toml").write_text(
        "[dimensions.application_stickiness]\nweight = 1.0\ncoverage_floor = 0.8\n",
        encoding="utf-8")
    run = threshold("evaluate", str(graded_examples() / "zhipu.toml"), "--config", "f.toml",
                    "--format", "json", cwd=tmp_path)
    d = json.loads(run.stdout)
    assert "below the floor 80%" in d["determining"][0]["detail"]
    distance = d["explain"]["distance"]
    assert "application_stickiness 80%" in distance["meaning"]
    (need,) = distance["coverage"]
    assert need["dimension"] == "application_stickiness" and need["floor"] == 0.8
    assert need["supply"] and "< floor 80%: supply " in need["note"]
    assert "supply  to" not in need["note"]


@pytest.fixture(scope="module")
def zhipu() -> tuple[object, list[str], list[str]]:
    engine = Engine(build_config({}))
    profile = engine.load_profile(str(graded_examples() / "zhipu.toml"))
    dim = next(d for d in engine.evaluate(profile).dimensions
               if d.name == "application_stickiness")
    covered = [m.metric for m in dim.evidence if m.points is not None]
    return profile, covered, [m.metric for m in dim.evidence if m.points is None]


FACTORS = st.sampled_from(["0.01", "0.15", "0.3", "1.1", "3", "7", "0.07", "12.5", "1e-3"])


@settings(max_examples=60, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.integers(min_value=0, max_value=12), min_size=10, max_size=10),
       FACTORS, st.sampled_from(["exact", "exact", "0.6"]), st.sampled_from([40.0, 55.0]))
def test_scaling_the_weights_never_changes_the_verdict(
        zhipu: tuple[object, list[str], list[str]], ints: list[int], factor: str, floor: str,
        dim_floor: float) -> None:
    profile, covered, _missing = zhipu
    weights = dict(zip(METRICS, ints, strict=True))
    if not any(weights.values()):
        weights["ndr"] = 1
    share = Fraction(sum(weights[m] for m in covered), sum(weights.values()))
    if floor == "exact":  # the floor exactly at the covered share, when it is a short decimal
        text = str(Decimal(share.numerator) / Decimal(share.denominator))
        floor = text if Fraction(text) == share and len(text) < 12 else "0.6"
    outcomes = []
    for k in ("1", factor):
        scaled = {m: float(Decimal(w) * Decimal(k)) for m, w in weights.items()}
        config = build_config({
            "policy": {"coverage_floor": float(floor), "dimension_floor": dim_floor},
            "settings": {"application_stickiness": {"weights": scaled}}})
        d = Engine(config).evaluate(profile)  # type: ignore[arg-type]
        outcomes.append((d.verdict, d.grade, tuple(f.kind for f in d.determining)))
        below = any("application_stickiness coverage" in f.detail for f in d.determining)
        assert below == (share < Fraction(floor))
    assert outcomes[0] == outcomes[1]


@settings(max_examples=200, deadline=None)
@given(st.sampled_from(["0.25", "0.1", "0.3", "0.333333", "0.05"]),
       st.integers(min_value=-3, max_value=3), st.integers(min_value=1, max_value=10**18))
def test_the_illustrative_share_is_held_on_the_exact_side_of_its_limit(
        limit: str, sign: int, scale: int) -> None:
    from threshold_core.engine import held_share

    exact = Fraction(limit) + Fraction(sign, scale)  # at, or a hair either side of, the limit
    held = held_share(float(exact), lambda: exact, float(limit))
    assert (held > float(limit)) == (exact > Fraction(limit))
    assert abs(held - float(exact)) < 1e-6
