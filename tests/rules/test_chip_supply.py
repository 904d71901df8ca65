"""The ``chip_supply`` pack, and configuring packs from TOML: overriding a
threshold, disabling a rule, rejecting an unknown rule id."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from threshold_core.errors import InputError
from threshold_rules.chip_supply import PACK


def acc(h100: float, chip_class: str, vendor: str = "Nvidia", model: str = "H20",
        **extra: object) -> dict:
    return {"vendor": vendor, "model": model, "h100_equiv": h100, "chip_class": chip_class,
            **extra}


def fleet(*accelerators: dict, **compute: object) -> dict:
    return {"compute": {"accelerators": list(accelerators), **compute}}


def domestic(h100: float, **extra: object) -> dict:
    return acc(h100, "domestic", vendor="Huawei", model="Ascend 910B", **extra)


def restricted(share: float) -> dict:
    return fleet(acc(share, "us_licensed"), domestic(100.0 - share))


def domestic_share(share: float, **compute: object) -> dict:
    return fleet(acc(100.0 - share, "us_below", model="L20"), domestic(share), **compute)


def offshore(share: float) -> dict:
    return fleet(acc(share, "us_below", tenure="leased_offshore"), domestic(100.0 - share))


def runway(coverage_pct: float, planned: float = 1000.0, **compute: object) -> dict:
    """A compute plan of ``planned`` H100-equivalents, ``coverage_pct`` of it contracted."""
    return {"compute": {"capacity_plan": {"planned_h100_equiv": planned,
                                          "contracted_h100_equiv": planned * coverage_pct / 100,
                                          "source": "illustrative"}, **compute}}


def vendor(share: float) -> dict:
    return fleet(acc(share, "us_below"), domestic(100.0 - share))


def ascend(**where: object) -> dict:
    return fleet(domestic(100.0, **where))


# rule id, profile that fires, severity, near miss (passes), profile lacking data, missing paths
CASES = [
    ("CHIP-001", {"export_controls": {"entity_list": True, "relies_on_new_us_items": False}},
     "high",
     {"export_controls": {"entity_list": False, "affiliates_listed": [],
                          "checked_on": "2026-06-01"}}, {},
     ("export_controls",)),
    ("CHIP-002", fleet(acc(10.0, "us_3a090a", model="H100", licensed=False)), "critical",
     fleet(acc(10.0, "us_3a090a", model="H100", licensed=True)), {},
     ("compute.accelerators",)),
    ("CHIP-003", restricted(20.0), "medium", restricted(19.9), {}, ("compute.accelerators",)),
    ("CHIP-004", domestic_share(19.9), "medium", domestic_share(20.0), {},
     ("compute.accelerators",)),
    ("CHIP-005", offshore(10.0), "medium", offshore(9.9), {}, ("compute.accelerators",)),
    ("CHIP-006", runway(79.9), "medium", runway(80.0), {}, ("compute.capacity_plan",)),
    ("CHIP-007", vendor(80.1), "medium", vendor(80.0), {}, ("compute.accelerators",)),
    ("CHIP-008", ascend(location_country="MY"), "high", ascend(location_country="CN"),
     ascend(), ("compute.accelerators[0].location_country",)),
    ("CHIP-009", domestic_share(49.9, non_cuda_stack_validated=False), "medium",
     domestic_share(50.0, non_cuda_stack_validated=False), domestic_share(49.9),
     ("compute.non_cuda_stack_validated",)),
    # CHIP-010 reports the missing inventory itself: it fires on the bare profile.
    ("CHIP-010", {}, "info", fleet(domestic(1.0)), None, None),
]
IDS = [c[0] for c in CASES]


def test_the_table_covers_every_rule_of_the_pack():
    assert sorted(IDS) == sorted(r.meta.id for r in PACK.rules)


@pytest.mark.parametrize(("rule", "fires", "severity", "near", "lacking", "paths"), CASES, ids=IDS)
def test_fires(check, rule, fires, severity, near, lacking, paths):
    outcome = check(rule, fires)
    assert (outcome.status, outcome.severity) == ("fired", severity), outcome.message


@pytest.mark.parametrize(("rule", "fires", "severity", "near", "lacking", "paths"), CASES, ids=IDS)
def test_near_miss_passes(check, rule, fires, severity, near, lacking, paths):
    outcome = check(rule, near)
    assert outcome.status == "passed", outcome.message


@pytest.mark.parametrize(("rule", "fires", "severity", "near", "lacking", "paths"),
                         [c for c in CASES if c[4] is not None],
                         ids=[c[0] for c in CASES if c[4] is not None])
def test_missing_data_is_not_evaluated(check, rule, fires, severity, near, lacking, paths):
    outcome = check(rule, lacking)
    assert outcome.status == "not_evaluated"
    assert outcome.missing == paths


@pytest.mark.parametrize("rule", [r.meta.id for r in PACK.rules if r.meta.id != "CHIP-010"])
def test_a_bare_profile_leaves_every_other_rule_not_evaluated(check, rule):
    assert check(rule, {}).status == "not_evaluated"


def test_zero_compute_is_not_evaluated(check):
    outcome = check("CHIP-004", fleet(domestic(0.0)))
    assert outcome.missing == ("compute.accelerators[].h100_equiv",)


TIERS = [
    ("CHIP-001", {"export_controls": {"entity_list": True, "relies_on_new_us_items": True}},
     "critical"),
    ("CHIP-001", {"export_controls": {"entity_list": False, "relies_on_new_us_items": False,
                                      "affiliates_listed": ["Zhipu Linghang"]}}, "high"),
    ("CHIP-002", fleet(acc(10.0, "us_3a090a", model="H800")), "high"),
    ("CHIP-002", fleet(acc(10.0, "unknown", vendor="?", model="?")), "high"),
    ("CHIP-003", restricted(50.1), "high"),
    ("CHIP-003", restricted(50.0), "medium"),
    ("CHIP-005", offshore(30.1), "high"),
    ("CHIP-005", offshore(30.0), "medium"),
    ("CHIP-006", runway(49.9), "high"),
    ("CHIP-006", runway(50.0), "medium"),
    # Never a veto, however short.
    ("CHIP-006", runway(0.0), "high"),
]


@pytest.mark.parametrize(("rule", "data", "severity"), TIERS,
                         ids=[f"{r}-{s}-{i}" for i, (r, _, s) in enumerate(TIERS)])
def test_tiered_rules_fire_at_the_right_tier(check, rule, data, severity):
    outcome = check(rule, data)
    assert (outcome.status, outcome.severity) == ("fired", severity), outcome.message


def test_shares_are_weighted_by_h100_equivalents(check):
    # One large domestic line outweighs three small foreign ones.
    data = fleet(acc(5.0, "us_licensed"), acc(5.0, "us_licensed"), acc(5.0, "us_licensed"),
                 domestic(85.0))
    assert check("CHIP-003", data).status == "passed"
    assert check("CHIP-004", data).evidence["compute.accelerators"] == {
        "domestic_share_pct": 85.0}


def test_domestic_chips_rented_offshore_are_not_offshore_rental_risk(check):
    data = fleet(domestic(50.0, tenure="leased_offshore"), domestic(50.0))
    assert check("CHIP-005", data).status == "passed"


@pytest.mark.parametrize(
    ("data", "status"),
    [
        (ascend(tenure="leased_offshore"), "fired"),
        (ascend(tenure="leased_domestic"), "passed"),
        (ascend(location_country="HK"), "passed"),
        ({"services": [{"name": "Talkie", "ascend_outside_prc": True}]}, "fired"),
        ({"services": [{"name": "Talkie", "ascend_outside_prc": False}]}, "passed"),
        # Left out, the flag is unknown: never presumed false.
        ({"services": [{"name": "Talkie"}]}, "not_evaluated"),
        (fleet(acc(10.0, "us_below", location_country="SG")), "passed"),
    ],
)
def test_ascend_outside_the_prc(check, data, status):
    assert check("CHIP-008", data).status == status


def test_vendor_names_are_grouped_case_insensitively(check):
    data = fleet(acc(50.0, "us_below", vendor="NVIDIA"), acc(40.0, "us_below", vendor="nvidia "),
                 domestic(10.0))
    outcome = check("CHIP-007", data)
    assert outcome.status == "fired"
    assert outcome.evidence["compute.accelerators"]["top_vendor_share_pct"] == 90.0


# -- configuration from TOML ----------------------------------------------------------


def test_overriding_a_threshold_in_toml_changes_the_outcome(check, make_engine):
    data = domestic_share(15.0)
    assert check("CHIP-004", data).status == "fired"
    engine = make_engine("[settings.chip_supply]\ndomestic_min_pct = 10.0\n")
    assert check("CHIP-004", data, engine).status == "passed"


def test_overriding_a_tier_threshold(check, make_engine):
    engine = make_engine("[settings.chip_supply]\ncapacity_high_below_pct = 70\n")
    assert check("CHIP-006", runway(60.0)).severity == "medium"
    assert check("CHIP-006", runway(60.0), engine).severity == "high"


def test_a_cloud_renter_is_judged_on_its_contracts(check):
    # No owned accelerators at all: every H100-equivalent is reserved cloud capacity.
    renter = runway(
        100.0, accelerators=[{"vendor": "Nvidia", "model": "H20 (cloud)", "h100_equiv": 1000.0,
                              "chip_class": "us_licensed", "tenure": "leased_domestic",
                              "location_country": "CN", "licensed": True}])
    assert check("CHIP-006", renter).status == "passed"


def test_old_runway_keys_name_their_replacement(make_engine):
    with pytest.raises(InputError) as err:
        make_engine("[settings.chip_supply]\nrunway_critical_months = 6\n")
    assert "capacity_high_below_pct" in err.value.problems[0].message


def test_unknown_provenance_severity_is_configurable(check, make_engine):
    data = fleet(acc(10.0, "us_3a090a", model="H800"))
    engine = make_engine('[settings.chip_supply]\nunknown_provenance_severity = "critical"\n')
    assert check("CHIP-002", data, engine).severity == "critical"


def test_restricted_classes_are_configurable(check, make_engine):
    data = fleet(acc(60.0, "us_3a090a", model="H100", licensed=True), domestic(40.0))
    assert check("CHIP-003", data).severity == "high"
    engine = make_engine('[settings.chip_supply]\nrestricted_classes = ["us_licensed"]\n')
    assert check("CHIP-003", data, engine).status == "passed"


def test_disabling_a_rule_removes_its_finding_and_traces_it_disabled(
    evaluate, check, make_engine
):
    data = domestic_share(15.0)
    assert "CHIP-004" in {f.rule for f in evaluate(data).findings}
    engine = make_engine('[rules]\ndisable = ["CHIP-004"]\n')
    decision = evaluate(data, engine)
    assert "CHIP-004" not in {f.rule for f in decision.findings}
    assert check("CHIP-004", data, engine).status == "disabled"
    # The other rules of the pack still run.
    assert check("CHIP-009", data, engine).status != "disabled"


def test_unknown_rule_id_in_disable_is_an_input_error(make_engine, tmp_path):
    with pytest.raises(InputError) as err:
        make_engine('[rules]\ndisable = ["CHIP-999"]\n')
    assert err.value.source == str(tmp_path / "threshold.toml")
    assert [p.path for p in err.value.problems] == ["$.rules.disable[0]"]
    assert "CHIP-999" in err.value.problems[0].message


@pytest.mark.parametrize(
    ("toml", "path"),
    [
        ("bogus = 1\n", "$.settings.chip_supply.bogus"),
        ('domestic_min_pct = "20"\n', "$.settings.chip_supply.domestic_min_pct"),
        ('restricted_classes = ["h100"]\n', "$.settings.chip_supply.restricted_classes[0]"),
        ("domestic_min_pct = 120.0\n", "$.settings.chip_supply.domestic_min_pct"),
        ("restricted_medium_pct = 60.0\n", "$.settings.chip_supply"),
    ],
)
def test_invalid_settings_are_input_errors_with_a_path(make_engine, toml, path):
    with pytest.raises(InputError) as err:
        make_engine("[settings.chip_supply]\n" + toml)
    assert [p.path for p in err.value.problems] == [path]


def test_findings_affect_technical_defensibility(evaluate):
    decision = evaluate(runway(3.0))
    finding = next(f for f in decision.findings if f.rule == "CHIP-006")
    assert (finding.pack, finding.dimension, finding.effect) == (
        "chip_supply", "technical_defensibility", "cap")


def test_an_undated_clear_screening_is_not_a_screening(check):
    outcome = check("CHIP-001", {"export_controls": {"entity_list": False,
                                                     "affiliates_listed": []}})
    assert outcome.status == "not_evaluated"
    assert outcome.missing == ("export_controls.checked_on",)
    assert "not a screening" in outcome.message


def test_a_reported_listing_fires_whatever_its_date(check):
    # Adverse evidence stands without the check date: withholding the date cannot help.
    outcome = check("CHIP-001", {"export_controls": {"entity_list": True,
                                                     "relies_on_new_us_items": False,
                                                     "listed_date": "2025-01-15"}})
    assert (outcome.status, outcome.severity) == ("fired", "high")
    dated = check("CHIP-001", {"export_controls": {"entity_list": False, "affiliates_listed": [],
                                                   "checked_on": "2026-06-01"}})
    assert dated.status == "passed"
    assert dated.evidence["export_controls.checked_on"] == "2026-06-01"


def test_a_clear_screening_too_old_to_rely_on_is_not_evaluated(check, make_engine):
    # Entity List additions take effect on publication: a stale clear result clears nothing.
    def clear(day: str) -> dict:
        return {"export_controls": {"entity_list": False, "affiliates_listed": [],
                                    "checked_on": day}}

    assert check("CHIP-001", clear("2026-04-01")).status == "passed"  # 90 days before 30 Jun
    stale = check("CHIP-001", clear("2026-03-31"))  # 91 days
    assert stale.status == "not_evaluated"
    assert stale.missing == ("export_controls.checked_on",)
    assert "91 days before 2026-06-30 (more than 90): too old to rely on" in stale.message
    engine = make_engine("[settings.chip_supply]\nscreening_max_age_days = 365\n")
    assert check("CHIP-001", clear("2026-03-31"), engine).status == "passed"
    bad = "[settings.chip_supply]\nscreening_max_age_days = -1\n"
    with pytest.raises(InputError, match="screening_max_age_days: must not be negative"):
        make_engine(bad)


@settings(max_examples=40, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(older=st.integers(min_value=0, max_value=3000), newer=st.integers(min_value=0,
                                                                      max_value=3000))
def test_an_older_clear_screening_never_clears_more(check, older, newer):
    """Ageing is monotone: if the older screening is relied on, so is the newer."""
    older, newer = max(older, newer), min(older, newer)
    end = date(2026, 6, 30)

    def status(days: int) -> str:
        day = (end - timedelta(days=days)).isoformat()
        return check("CHIP-001", {"export_controls": {"entity_list": False, "affiliates_listed": [],
                                                      "checked_on": day}}).status

    old, new = status(older), status(newer)
    assert old in ("passed", "not_evaluated") and new in ("passed", "not_evaluated")
    assert not (old == "passed" and new != "passed")
    assert (old == "passed") == (older <= 90)
