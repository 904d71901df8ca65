"""The regulatory_readiness scorer: compliance breadth, through a real engine."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scorer_kit import dimension, make_profile, metric, scorer_engine

from threshold_core import Engine, InputError

DIM = "regulatory_readiness"

CHAT = {"name": "Chat", "kind": "generative", "public_prc": True, "public_opinion": True}
OFFSHORE = {"name": "Abroad", "kind": "generative", "public_prc": False}


def filing(regime: str, number: str | None = None, **extra: Any) -> dict[str, Any]:
    data: dict[str, Any] = {"regime": regime, "status": "active", **extra}
    if number is not None:
        data["filing_number"] = number
    return data


def genai(n: int) -> list[dict[str, Any]]:
    return [filing("CAC_GENAI_FILING", f"Beijing-M{i}-20230821") for i in range(n)]


def approvals(*pairs: tuple[str, str]) -> list[dict[str, Any]]:
    return [{"sector": s, "regulator": r, "status": "active"} for r, s in pairs]


@pytest.fixture(scope="module")
def engine() -> Engine:
    return scorer_engine()


def points(engine: Engine, name: str, **data: Any) -> float | None:
    return metric(dimension(engine, make_profile(**data), DIM), name).points


@pytest.mark.parametrize(
    ("count", "expected"), [(0, 0), (1, 60), (2, 70), (3, 80), (6, 100), (12, 100)]
)
def test_filed_models_counts_breadth(engine: Engine, count: int, expected: float) -> None:
    assert points(engine, "filed_models", services=[CHAT], filings=genai(count)) == (
        pytest.approx(expected))


def test_only_records_in_force_count(engine: Engine) -> None:
    filings = [*genai(1), filing("CAC_GENAI_FILING", "X-1", status="cancelled"),
               filing("CAC_GENAI_FILING", "X-2", status="pending"),
               filing("CAC_GENAI_FILING", "X-3", status="changed")]
    assert points(engine, "filed_models", services=[CHAT], filings=filings) == 70


def test_nothing_applies_is_no_data_never_full_marks(engine: Engine) -> None:
    # No public PRC service and nothing filed: the dimension has nothing to measure.
    result = dimension(engine, make_profile(services=[OFFSHORE], filings=[],
                                            sector_approvals=[],
                                            verticals=[{"sector": "enterprise",
                                                        "exemption": "no regime"}]), DIM)
    assert result.score is None
    assert result.coverage == 0
    for m in result.evidence:
        assert m.points is None, m.metric


def test_not_researched_is_no_data(engine: Engine) -> None:
    result = dimension(engine, make_profile(services=[CHAT]), DIM)
    assert metric(result, "filed_models").points is None


def test_a_public_service_with_nothing_filed_scores_zero(engine: Engine) -> None:
    assert points(engine, "filed_models", services=[CHAT], filings=[]) == 0
    assert points(engine, "filed_algorithms", services=[CHAT], filings=[]) == 0


@pytest.mark.parametrize(
    ("held", "expected"),
    [
        ([], 0),
        ([("NMPA", "healthcare")], 50),
        ([("NMPA", "healthcare"), ("NFRA", "banking"), ("NFRA", "insurance"),
          ("NHC", "hospitals")], 75),
        # The same approval twice is one.
        ([("NMPA", "healthcare"), ("NMPA", "Healthcare")], 50),
    ],
)
def test_sector_approvals_by_regulator(engine: Engine, held: list[tuple[str, str]],
                                       expected: float) -> None:
    result = dimension(engine, make_profile(
        sector_approvals=approvals(*held), verticals=[{"sector": "healthcare"}]), DIM)
    got = metric(result, "sector_approvals")
    assert got.points == pytest.approx(expected)
    if held:
        assert "NMPA: " in (got.note or "")


def test_twelve_verticals_beat_two(engine: Engine) -> None:
    def score(n: int) -> float | None:
        held = approvals(*((f"REG{i % 4}", f"sector {i}") for i in range(n)))
        return dimension(engine, make_profile(sector_approvals=held,
                                              verticals=[{"sector": "x"}]), DIM).score

    assert (score(12) or 0) > (score(4) or 0) > (score(2) or 0)


def test_compliance_breadth_metrics(engine: Engine) -> None:
    result = dimension(engine, make_profile(
        compliance={"mlps_level3_systems": 2, "source": "illustrative",
                    "certifications": [{"standard": "ISO/IEC 27001"},
                                       {"standard": "ISO/IEC 42001"},
                                       {"standard": "ISO/IEC 27701",
                                        "valid_until": "2026-06-29"}]},
        personal_information={"compliance_audits": ["2026-01-15"]}), DIM)
    assert metric(result, "security_protection").points == 100
    assert metric(result, "pi_audits").points == 100
    # The lapsed certification (valid until the day before as_of) does not count.
    assert metric(result, "certifications").points == 80
    assert metric(result, "certifications").source == "illustrative"


def test_no_certifications_on_record_scores_zero_absent_is_no_data(engine: Engine) -> None:
    assert points(engine, "certifications", compliance={"certifications": []}) == 0
    assert points(engine, "certifications", compliance={"mlps_level3_systems": 1}) is None


@pytest.mark.parametrize(
    ("key", "replacement"),
    [
        ("change_deadline_working_days = 10", "[settings.filings].change_deadline_working_days"),
        ("enforcement_window_months = 24", "[settings.filings].enforcement_lookback_months"),
        ("sector_revenue_threshold_pct = 10.0", "[settings.filings].sector_revenue_floor_pct"),
        ("ethics_min_members = 5", "[settings.filings].committee_min_members"),
        ("unattributed_filings_cover_all = true",
         "[settings.filings].unattributed_filings_cover_all"),
        ("generative_needs_algorithm_filing = true",
         "[settings.filings].generative_needs_algorithm_filing"),
    ],
)
def test_a_legal_parameter_has_one_key(tmp_path: Any, key: str, replacement: str) -> None:
    from threshold_core import load_config

    path = tmp_path / "threshold.toml"
    path.write_text(f"[settings.regulatory_readiness]\n{key}\n", encoding="utf-8")
    with pytest.raises(InputError) as err:
        Engine(load_config(path))
    assert replacement in str(err.value)
    assert "$.settings.regulatory_readiness" in str(err.value)


def test_weights_and_bands_are_configurable() -> None:
    eng = scorer_engine({DIM: {"bands": {"filed_models": [[0, 0], [2, 100]]}}})
    assert points(eng, "filed_models", services=[CHAT], filings=genai(1)) == 50  # 1 of 2


@settings(max_examples=50, deadline=None)
@given(st.integers(min_value=0, max_value=20), st.integers(min_value=0, max_value=20))
def test_more_filings_never_lower_the_score(n: int, extra: int) -> None:
    eng = scorer_engine()
    low = dimension(eng, make_profile(services=[CHAT], filings=genai(n)), DIM).score
    high = dimension(eng, make_profile(services=[CHAT], filings=genai(n + extra)), DIM).score
    assert (high or 0) >= (low or 0)
