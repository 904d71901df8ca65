"""The ``filings`` pack: each rule fires, misses just across its threshold, and
reports the profile paths it lacks."""

from __future__ import annotations

from datetime import date

import pytest

from threshold_core.errors import InputError
from threshold_core.kit import months_before, working_days_after
from threshold_core.load import profile_from_data
from threshold_core.model import Context, FxTable
from threshold_rules.filings import PACK, FilingsSettings

CHAT = {"name": "Chat", "kind": "generative"}
GENAI_FILING = {
    "regime": "CAC_GENAI_FILING",
    "status": "active",
    "filing_number": "Beijing-Chat-20230821",
    "service": "Chat",
    "displayed_on_product": True,
}
FEED = {"name": "Feed", "kind": "algorithm_recommendation", "public_opinion": True}
ALGO_FILING = {
    "regime": "CAC_ALGORITHM",
    "status": "active",
    "filing_number": "网信算备110108823483901230031号",
    "service": "Feed",
    "displayed_on_product": True,
}


#: Every CAC registry checked at a known date, so the filing statuses below are evidence;
#: a case that sets its own ``registry_checks`` (None: none) overrides it.
CHECKED = {"registry_checks": {
    regime: {"checked_on": "2026-06-01", "source": "beian.cac.gov.cn"}
    for regime in ("CAC_ALGORITHM", "CAC_DEEP_SYNTHESIS", "CAC_GENAI_FILING",
                   "CAC_GENAI_REGISTRATION")}}


@pytest.fixture
def evaluate(evaluate):
    """The rule tests' ``evaluate`` with every CAC registry checked unless a case says not."""

    def run(data, engine=None):
        doc = {**CHECKED, **data}
        if doc["registry_checks"] is None:
            del doc["registry_checks"]
        return evaluate(doc, engine)

    return run


def changed(filed_on: str) -> dict:
    return {"filings": [{**GENAI_FILING, "material_change_date": "2026-01-05",
                         "change_filed_date": filed_on}]}


def health(share: float | None, **extra: object) -> dict:
    return {"verticals": [{"sector": "healthcare", "revenue_share_pct": share,
                           "decision_support": True}], "sector_approvals": [], **extra}


def bank(oversight: bool | None) -> dict:
    return {
        "filings": [GENAI_FILING],
        "verticals": [{"sector": "banking", "nfra_regulated_clients": True,
                       "decision_support": True, "human_oversight": oversight,
                       "personal_data_in_training": False}],
    }


def penalty(on: str, action: str = "penalty", resolved: bool = False) -> dict:
    return {"enforcement": [{"authority": "CAC", "action": action, "action_date": on,
                             "resolved": resolved}]}


def gpai(documented: bool | None, flops: float | None = 1e25, released: str | None = "2025-09-01",
         open_weights: bool = False, **extra: object) -> dict:
    eu = {"serves_eu_users": True, "gpai_provider": True, "gpai_documentation": documented,
          "training_flops": flops}
    model = {"name": "M1", "open_weights": open_weights, "release_date": released}
    return {"eu_exposure": {k: v for k, v in eu.items() if v is not None},
            "technology": {"models": [{k: v for k, v in model.items() if v is not None}]},
            **extra}


def drop_none(data: dict) -> dict:
    """Drop None values from list items so the profile simply omits those keys."""
    out = {}
    for key, value in data.items():
        if isinstance(value, list):
            value = [{k: v for k, v in item.items() if v is not None}
                     if isinstance(item, dict) else item for item in value]
        out[key] = value
    return out


def pi(individuals: float | None = None, audits: list[str] | None = None,
       as_of: str | None = None, **extra: object) -> dict:
    data: dict = {"individuals": individuals, "compliance_audits": audits, **extra}
    out: dict = {"personal_information": {k: v for k, v in data.items() if v is not None}}
    if as_of is not None:
        out["as_of"] = as_of
    return out


def abroad(people: float, sensitive: float = 0, mechanism: str | None = "none") -> dict:
    return pi(cross_border_individuals=people, cross_border_sensitive_individuals=sensitive,
              cross_border_mechanism=mechanism)


ICP = {"regime": "MIIT_ICP", "status": "active", "filing_number": "京ICP备00000000号"}
SEC_2018 = {"regime": "SEC_ASSESSMENT_2018", "status": "active", "service": "Chat"}
EDITOR = {"name": "FaceSwap", "kind": "deep_synthesis", "face_voice_editing": True}
CONSUMER = {"name": "Assistant", "consumer": True, "companion": False}

# rule id, profile that fires, severity, near miss (passes), profile lacking data, missing paths
CASES = [
    ("FIL-014", abroad(1_000_001, mechanism="standard_contract"), "high",
     abroad(1_000_000, mechanism="standard_contract"), abroad(1_000_001, mechanism=None),
     ("personal_information.cross_border_mechanism",)),
    ("FIL-017", {"services": [CHAT], "filings": [GENAI_FILING],
                 "filings_researched": ["MIIT_ICP"]}, "high",
     {"services": [CHAT], "filings": [GENAI_FILING, ICP]},
     {"services": [CHAT], "filings": [GENAI_FILING]}, ("filings", "filings_researched")),
    ("FIL-018", {"services": [{**CHAT, "public_opinion": True}], "filings": [],
                 "filings_researched": ["SEC_ASSESSMENT_2018"]},
     "high", {"services": [{**CHAT, "public_opinion": True}], "filings": [SEC_2018]},
     {"services": [{**CHAT, "public_opinion": True}], "filings": [GENAI_FILING]},
     ("filings", "filings_researched")),
    ("FIL-019", pi(10_000_001, [], as_of="2027-05-01"), "medium",
     pi(10_000_000, [], as_of="2027-05-01"), pi(10_000_001, as_of="2027-05-01"),
     ("personal_information.compliance_audits",)),
    ("FIL-020", {"services": [{**EDITOR, "separate_consent": False}]}, "high",
     {"services": [{**EDITOR, "separate_consent": True}]}, {"services": [EDITOR]},
     ("services[0].separate_consent",)),
    ("FIL-021", {"services": [{**CONSUMER, "minor_mode": False}]}, "medium",
     {"services": [{**CONSUMER, "minor_mode": True}]}, {"services": [CONSUMER]},
     ("services[0].minor_mode",)),
    ("FIL-001", {"services": [CHAT], "filings": []}, "critical",
     {"services": [CHAT], "filings": [GENAI_FILING]}, {}, ("services",)),
    ("FIL-002", {"services": [FEED], "filings": []}, "critical",
     {"services": [FEED], "filings": [ALGO_FILING]}, {}, ("services",)),
    ("FIL-003", changed("2026-01-20"), "high", changed("2026-01-19"), {}, ("filings",)),
    ("FIL-004", {"filings": [{**GENAI_FILING, "displayed_on_product": False}]}, "medium",
     {"filings": [GENAI_FILING]},
     {"filings": [{**GENAI_FILING, "displayed_on_product": None}]},
     ("filings[0].displayed_on_product",)),
    ("FIL-005",
     {"services": [{"name": "App", "foundation_model": "Base", "foundation_model_filed": False}]},
     "critical",
     {"services": [{"name": "App", "foundation_model": "Base", "foundation_model_filed": True}]},
     {"services": [{"name": "App", "foundation_model": "Base"}]},
     ("services[0].foundation_model_filed",)),
    ("FIL-006",
     {"services": [CHAT], "security_assessment": {"corpus_blacklist": True,
                                                  "keyword_library": True,
                                                  "refusal_test_banks": False}},
     "high",
     {"services": [CHAT], "security_assessment": {"corpus_blacklist": True,
                                                  "keyword_library": True,
                                                  "refusal_test_banks": True}},
     {"services": [CHAT]}, ("security_assessment",)),
    ("FIL-007",
     {"services": [CHAT], "as_of": "2025-09-01",
      "content_labeling": {"explicit": True, "implicit_metadata": False}},
     "high",
     {"services": [CHAT], "as_of": "2025-08-31",
      "content_labeling": {"explicit": True, "implicit_metadata": False}},
     {"services": [CHAT]}, ("content_labeling",)),
    ("FIL-008", {"reported_claims": {"filing_authority": "MIIT"}}, "info",
     {"reported_claims": {"filing_authority": "CAC"}}, {}, ("filings", "reported_claims")),
    ("FIL-009", health(10.0), "high", health(9.9), health(None),
     ("verticals[0].revenue_share_pct",)),
    ("FIL-010", {"services": [{"name": "Doc", "auto_prescription": True}]}, "critical",
     {"services": [{"name": "Doc", "auto_prescription": False}]}, {}, ("services",)),
    ("FIL-011", bank(False), "high", bank(True), bank(None),
     ("verticals[0].human_oversight",)),
    ("FIL-012", penalty("2024-06-30"), "high", penalty("2024-06-29"), None, None),
    ("FIL-013", {"services": [FEED], "ethics_governance": {"committee": False}}, "medium",
     {"services": [FEED], "ethics_governance": {"committee": True, "members": 5}},
     {"services": [FEED]}, ("ethics_governance",)),
    ("FIL-015", gpai(False), "high", gpai(False, as_of="2025-08-01"), gpai(None),
     ("eu_exposure.gpai_documentation",)),
]
IDS = [c[0] for c in CASES]


def test_the_table_covers_every_rule_of_the_pack():
    assert sorted(IDS) == sorted(r.meta.id for r in PACK.rules)


@pytest.mark.parametrize(("rule", "fires", "severity", "near", "lacking", "paths"), CASES, ids=IDS)
def test_fires(check, rule, fires, severity, near, lacking, paths):
    outcome = check(rule, drop_none(fires))
    assert (outcome.status, outcome.severity) == ("fired", severity), outcome.message


@pytest.mark.parametrize(("rule", "fires", "severity", "near", "lacking", "paths"), CASES, ids=IDS)
def test_near_miss_passes(check, rule, fires, severity, near, lacking, paths):
    outcome = check(rule, drop_none(near))
    assert outcome.status == "passed", outcome.message


@pytest.mark.parametrize(("rule", "fires", "severity", "near", "lacking", "paths"),
                         [c for c in CASES if c[4] is not None],
                         ids=[c[0] for c in CASES if c[4] is not None])
def test_missing_data_is_not_evaluated(check, rule, fires, severity, near, lacking, paths):
    outcome = check(rule, drop_none(lacking))
    assert outcome.status == "not_evaluated"
    assert outcome.missing == paths


def test_enforcement_without_an_evaluation_date_is_not_evaluated():
    # The engine always supplies a date (the profile's, else the FX table's); a
    # rule called directly without one must not pass silently.
    rule = next(r for r in PACK.rules if r.id == "FIL-012")
    profile = profile_from_data({"id": "x", "name": "X", **penalty("2026-01-01")})
    outcome = rule.evaluate(profile, FilingsSettings(), Context(fx=FxTable(rates={})))
    assert outcome.status == "not_evaluated"
    assert outcome.missing == ("as_of",)


TIERS = [
    ("FIL-004", {"filings": [{**GENAI_FILING, "filing_number": "Beijing-Chat-2023082"}]}, "low"),
    ("FIL-004", {"filings": [{**ALGO_FILING, "filing_number": "网信算备11010882348390123003号"}]},
     "low"),
    ("FIL-004", {"filings": [{**GENAI_FILING, "filing_number": "MIIT-12",
                              "displayed_on_product": False}]}, "medium"),
    ("FIL-009", health(50.0), "critical"),
    ("FIL-009", health(49.9), "high"),
    ("FIL-012", penalty("2025-01-01", resolved=True), "medium"),
    ("FIL-012", penalty("2025-01-01", action="summons"), "low"),
    ("FIL-012", penalty("2025-01-01", action="rectification"), "low"),
    ("FIL-012", {"enforcement": [
        {"authority": "CAC", "action": "summons", "action_date": "2025-01-01"},
        {"authority": "MIIT", "action": "app_removal", "action_date": "2025-03-01"},
    ]}, "high"),
    ("FIL-013", {"services": [FEED], "ethics_governance": {"committee": True, "members": 4}},
     "low"),
    ("FIL-013", {"services": [FEED], "ethics_governance": {"committee": True,
                                                           "expert_rereview_done": False}},
     "low"),
    ("FIL-015", gpai(False, flops=9.9e24), "medium"),
    ("FIL-015", gpai(False, flops=None), "medium"),
]


@pytest.mark.parametrize(("rule", "data", "severity"), TIERS,
                         ids=[f"{r}-{s}-{i}" for i, (r, _, s) in enumerate(TIERS)])
def test_tiered_rules_fire_at_the_right_tier(check, rule, data, severity):
    outcome = check(rule, data)
    assert (outcome.status, outcome.severity) == ("fired", severity), outcome.message


# -- FIL-001 / FIL-002: which record covers which service -----------------------------

API_APP = {"name": "Helper", "kind": "generative", "api_based": True,
           "foundation_model": "ERNIE", "foundation_model_filed": True}
REGISTRATION = {"regime": "CAC_GENAI_REGISTRATION", "status": "active", "service": "Helper"}


@pytest.mark.parametrize(
    ("data", "status"),
    [
        ({"services": [API_APP], "filings": []}, "fired"),
        ({"services": [API_APP], "filings": [REGISTRATION]}, "passed"),
        # A registration is for API-based apps; an own model needs a filing.
        ({"services": [CHAT], "filings": [{**REGISTRATION, "service": "Chat"}]}, "fired"),
        ({"services": [CHAT], "filings": [{**GENAI_FILING, "status": "cancelled"}]}, "fired"),
        ({"services": [CHAT], "filings": [{**GENAI_FILING, "status": "pending"}]}, "fired"),
        ({"services": [CHAT], "filings": [{**GENAI_FILING, "status": "changed"}]}, "passed"),
        ({"services": [CHAT], "filings": [{**GENAI_FILING, "service": "Other"}]}, "fired"),
        ({"services": [CHAT], "filings": [{**GENAI_FILING, "service": "chat app"}]}, "passed"),
        ({"services": [CHAT], "filings": [{k: v for k, v in GENAI_FILING.items()
                                           if k != "service"}]}, "passed"),
        ({"services": [{**CHAT, "public_prc": False}]}, "passed"),
        # A filing for the model covers the app that runs it (services[].model).
        ({"services": [{**CHAT, "name": "Qingyan", "model": "Other"}],
          "filings": [{**GENAI_FILING, "service": "Other"}]}, "passed"),
        ({"services": [{**CHAT, "name": "Qingyan", "model": "Zeta"}],
          "filings": [{**GENAI_FILING, "service": "Other"}]}, "fired"),
    ],
)
def test_genai_filing_coverage(check, data, status):
    assert check("FIL-001", data).status == status


def test_unattributed_filings_can_be_made_strict(check, make_engine):
    data = {"services": [CHAT],
            "filings": [{k: v for k, v in GENAI_FILING.items() if k != "service"}]}
    engine = make_engine("[settings.filings]\nunattributed_filings_cover_all = false\n")
    assert check("FIL-001", data, engine).status == "fired"


def test_public_opinion_generative_service_needs_an_algorithm_filing(check, make_engine):
    data = {"services": [{**CHAT, "public_opinion": True}], "filings": [GENAI_FILING]}
    assert check("FIL-002", data).status == "fired"
    engine = make_engine("[settings.filings]\ngenerative_needs_algorithm_filing = false\n")
    assert check("FIL-002", data, engine).status == "passed"


def app_on(model: str, **extra: object) -> dict:
    return {"services": [{"name": "App", "foundation_model": model, **extra}]}


@pytest.mark.parametrize(
    ("data", "status", "severity"),
    [
        # The case that exposed the substring match: a domestic model named "SageGPT".
        (app_on("SageGPT", foundation_model_filed=True), "passed", None),
        (app_on("SageGPT"), "not_evaluated", None),
        # The same name in full-width letters.
        (app_on("\uff33\uff41\uff47\uff45\uff27\uff30\uff34-4o", foundation_model_filed=True),
         "passed", None),
        # Boundary: the listed name as a whole word fires, high while unconfirmed.
        (app_on("GPT-4o", foundation_model_filed=True), "fired", "high"),
        (app_on("gpt-4o-mini", foundation_model_filed=True), "fired", "high"),
        (app_on("Sage GPT-4", foundation_model_filed=True), "fired", "high"),
        (app_on("Claude 3.5 Sonnet"), "fired", "high"),
        # Confirmed by the profile: critical.
        (app_on("GPT-4o", foundation_model_provider="OpenAI",
                foundation_model_jurisdiction="US"), "fired", "critical"),
        (app_on("SageGPT", foundation_model_jurisdiction="us"), "fired", "critical"),
        (app_on("SageGPT", foundation_model_filed=False), "fired", "critical"),
        # A source confirming a domestic maker settles a look-alike name.
        (app_on("GPT-4o", foundation_model_jurisdiction="CN", foundation_model_filed=True),
         "passed", None),
    ],
)
def test_foundation_model_identity(check, data, status, severity):
    outcome = check("FIL-005", data)
    assert (outcome.status, outcome.severity) == (status, severity), outcome.message


def test_sagegpt_domestic_does_not_veto(evaluate):
    decision = evaluate(app_on("SageGPT", foundation_model_filed=True))
    assert not [f for f in decision.findings if f.rule == "FIL-005"]


def test_foreign_model_list_is_configurable(check, make_engine):
    engine = make_engine('[settings.filings]\nforeign_models = [{ name = "SageGPT", '
                         'provider = "Sage Inc", jurisdiction = "US" }]\n')
    data = app_on("SageGPT", foundation_model_filed=True)
    outcome = check("FIL-005", data, engine)
    assert (outcome.status, outcome.severity) == ("fired", "high")
    assert "Sage Inc" in outcome.message
    assert check("FIL-005", app_on("GPT-4o", foundation_model_filed=True), engine).status == (
        "passed")


@pytest.mark.parametrize(
    ("data", "status", "severity"),
    [
        # A pre-August-2025 open model: in the transition until 2027-08-02.
        (gpai(False, released="2025-08-01", open_weights=True), "passed", None),
        (gpai(False, released="2025-08-01", as_of="2027-08-01"), "passed", None),
        (gpai(False, released="2025-08-01", as_of="2027-08-02"), "fired", "high"),
        # Released from 2025-08-02: due at once.
        (gpai(False, released="2025-08-02", flops=9.9e24), "fired", "medium"),
        # Open weights without systemic risk: exempt (Art. 53(2)); with it, not exempt.
        (gpai(False, released="2025-08-02", flops=9.9e24, open_weights=True), "passed", None),
        (gpai(False, released="2025-08-02", flops=1e25, open_weights=True), "fired", "high"),
        (gpai(False, released=None), "not_evaluated", None),
    ],
)
def test_gpai_transition_and_open_source_exemption(check, data, status, severity):
    outcome = check("FIL-015", data)
    assert (outcome.status, outcome.severity) == (status, severity), outcome.message


def test_unfiled_change_is_late_once_overdue(check):
    data = {"filings": [{**GENAI_FILING, "material_change_date": "2026-06-01"}]}
    assert check("FIL-003", data).status == "fired"  # 21 working days before 2026-06-30
    data["as_of"] = "2026-06-15"  # exactly 10 working days later
    assert check("FIL-003", data).status == "passed"


def test_data_quality_notes(check):
    miit = check("FIL-008", {"filings": [{**GENAI_FILING, "authority": "MIIT"}]})
    assert miit.status == "fired" and "MIIT" in miit.message
    count = check("FIL-008", {"reported_claims": {"verticals_approved": 12}})
    assert count.status == "fired" and "12 verticals approved" in count.message
    clean = check("FIL-008", {"filings": [GENAI_FILING]})
    assert clean.status == "passed"


def test_nmpa_class_iii_registration_or_exemption_satisfies_fil_009(check):
    approval = {"sector": "healthcare", "regulator": "NMPA", "status": "active",
                "instrument": "Class III registration 国械注准20233210001"}
    assert check("FIL-009", health(60.0, sector_approvals=[approval])).status == "passed"
    class_ii = {**approval, "instrument": "Class II registration"}
    assert check("FIL-009", health(60.0, sector_approvals=[class_ii])).severity == "critical"
    exempt = {"verticals": [{"sector": "healthcare", "revenue_share_pct": 60.0,
                             "decision_support": True, "exemption": "research use only"}]}
    assert check("FIL-009", exempt).status == "passed"


def test_threshold_override_changes_fil_009(check, make_engine):
    engine = make_engine("[settings.filings]\nsector_revenue_floor_pct = 20.0\n")
    assert check("FIL-009", health(15.0)).status == "fired"
    assert check("FIL-009", health(15.0), engine).status == "passed"


def test_finding_reaches_the_decision(evaluate):
    decision = evaluate({"services": [CHAT], "filings": []})
    finding = next(f for f in decision.findings if f.rule == "FIL-001")
    assert (finding.pack, finding.severity, finding.dimension) == (
        "filings", "critical", "regulatory_readiness")
    assert finding.effect == "veto"
    assert finding.plugin == "threshold_rules.filings"
    assert decision.verdict == "not_qualified"


@pytest.mark.parametrize("rule", ["FIL-001", "FIL-002", "FIL-003", "FIL-004", "FIL-011"])
def test_filings_not_researched_are_not_evaluated_never_a_veto(check, rule):
    # Absent ``filings`` means nobody looked; ``filings = []`` means none on record.
    data = {"services": [CHAT, FEED], "verticals": bank(True)["verticals"]}
    outcome = check(rule, data)
    assert outcome.status == "not_evaluated" and outcome.missing == ("filings",)


def test_healthcare_approvals_not_researched_are_not_evaluated(check):
    outcome = check("FIL-009", {"verticals": health(40.0)["verticals"]})
    assert outcome.status == "not_evaluated" and "sector_approvals" in outcome.missing


def test_invalid_settings_name_the_key(make_engine):
    with pytest.raises(InputError) as err:
        make_engine('[settings.filings]\nalgorithm_number_pattern = "(["\n')
    assert [p.path for p in err.value.problems] == ["$.settings.filings.algorithm_number_pattern"]
    assert "invalid regular expression" in err.value.problems[0].message


@pytest.mark.parametrize(
    ("start", "end", "days"),
    [
        (date(2026, 1, 5), date(2026, 1, 5), 0),
        (date(2026, 1, 9), date(2026, 1, 12), 1),  # Friday to Monday
        (date(2026, 1, 5), date(2026, 1, 19), 10),
        (date(2026, 1, 10), date(2026, 1, 11), 0),  # Saturday to Sunday
        # Sunday 4 Jan 2026 is a make-up working day for the New Year holiday.
        (date(2026, 1, 3), date(2026, 1, 4), 1),
    ],
)
def test_working_days_after(start, end, days):
    assert working_days_after(start, end) == days


def test_months_before_clamps_to_month_end():
    assert months_before(date(2026, 6, 30), 24) == date(2024, 6, 30)
    assert months_before(date(2026, 3, 31), 1) == date(2026, 2, 28)


@pytest.mark.parametrize(
    ("data", "status", "severity"),
    [
        # Under 100,000 people: exempt; from 100,000 a contract or certification will do.
        (abroad(99_999), "passed", None),
        (abroad(100_000), "fired", "medium"),
        (abroad(100_000, mechanism="certification"), "passed", None),
        (abroad(1_000_000, mechanism="standard_contract"), "passed", None),
        # Sensitive information: any amount needs a contract; over 10,000 an assessment.
        (abroad(0, sensitive=1), "fired", "medium"),
        (abroad(0, sensitive=10_000, mechanism="standard_contract"), "passed", None),
        (abroad(0, sensitive=10_001, mechanism="standard_contract"), "fired", "high"),
        (abroad(5_000_000, mechanism="security_assessment"), "passed", None),
        ({"personal_information": {"individuals": 5}}, "not_evaluated", None),
    ],
)
def test_cross_border_transfer_mechanism(check, data, status, severity):
    outcome = check("FIL-014", data)
    assert (outcome.status, outcome.severity) == (status, severity), outcome.message


@pytest.mark.parametrize(
    ("audits", "as_of", "status"),
    [
        # Before the first two-year cycle ends nothing is late yet.
        ([], "2027-04-30", "passed"),
        ([], "2027-05-01", "fired"),
        # An audit within 24 calendar months counts; one a day older does not.
        (["2025-06-30"], "2027-06-30", "passed"),
        (["2025-06-29"], "2027-06-30", "fired"),
    ],
)
def test_pi_compliance_audit_every_two_years(check, audits, as_of, status):
    outcome = check("FIL-019", pi(20_000_000, audits, as_of=as_of))
    assert outcome.status == status, outcome.message


def test_icp_filing_covers_every_service_when_it_names_none(check):
    data = {"services": [CHAT, {**CHAT, "name": "Other"}], "filings": [ICP]}
    assert check("FIL-017", data).status == "passed"
    offshore = {"services": [{**CHAT, "public_prc": False}], "filings": []}
    assert check("FIL-017", offshore).status == "passed"
    # A cancelled record proves the registry was searched: none in force fires.
    cancelled = {"services": [CHAT], "filings": [{**ICP, "status": "cancelled"}]}
    assert check("FIL-017", cancelled).status == "fired"


def test_a_change_across_national_day_is_filed_in_time(check):
    # The regression: 2026-09-28 to 2026-10-13 is 11 weekdays but 7 working days
    # (1-7 Oct off, Saturday 10 Oct worked), so FIL-003 must not fire.
    def filed(on: str) -> dict:
        return {"filings": [{**GENAI_FILING, "material_change_date": "2026-09-28",
                             "change_filed_date": on}]}

    assert check("FIL-003", filed("2026-10-13")).status == "passed"
    assert check("FIL-003", filed("2026-10-16")).status == "passed"  # 10 working days
    assert check("FIL-003", filed("2026-10-19")).status == "fired"   # 11


def test_a_change_beyond_the_holiday_schedule_is_not_evaluated_and_says_why(check):
    data = {"filings": [{**GENAI_FILING, "material_change_date": "2026-12-28",
                         "change_filed_date": "2027-01-08"}]}
    outcome = check("FIL-003", data)
    assert (outcome.status, outcome.missing) == ("not_evaluated", ("filings[0]",))
    assert "outside the PRC holiday schedule" in outcome.message


def test_zhipu_with_a_national_day_change_has_no_fil_003(evaluate):
    import tomllib

    from helpers import EXAMPLES

    doc = tomllib.loads((EXAMPLES / "companies" / "zhipu.toml").read_text(encoding="utf-8"))
    doc["filings"][0]["material_change_date"] = "2026-09-28"
    doc["filings"][0]["change_filed_date"] = "2026-10-13"
    doc["as_of"] = "2026-10-31"
    decision = evaluate(doc)
    assert "FIL-003" not in {f.rule for f in decision.findings}


UNDATED = [
    ("FIL-001", {"services": [CHAT], "filings": [GENAI_FILING]},
     ("registry_checks.CAC_GENAI_FILING.checked_on",)),
    ("FIL-001", {"services": [{**CHAT, "api_based": True}], "filings": []},
     ("registry_checks.CAC_GENAI_FILING.checked_on",
      "registry_checks.CAC_GENAI_REGISTRATION.checked_on")),
    ("FIL-002", {"services": [FEED], "filings": [ALGO_FILING]},
     ("registry_checks.CAC_ALGORITHM.checked_on",
      "registry_checks.CAC_DEEP_SYNTHESIS.checked_on")),
    ("FIL-011", bank(True), ("registry_checks.CAC_GENAI_FILING.checked_on",
                             "registry_checks.CAC_GENAI_REGISTRATION.checked_on")),
]


@pytest.mark.parametrize(("rule", "data", "paths"), UNDATED,
                         ids=[f"{r}-{i}" for i, (r, _, _) in enumerate(UNDATED)])
@pytest.mark.parametrize("checks", [None, {"CAC_GENAI_FILING": {"source": "beian"},
                                           "CAC_ALGORITHM": {"source": "beian"}}],
                         ids=["no-registry-checks", "checks-without-dates"])
def test_a_status_from_an_undated_registry_is_not_evidence(check, rule, data, paths, checks):
    """Filings (or none) read from a registry without a check date neither clear nor condemn:
    the rule is not evaluated and names each registry's ``checked_on``."""
    outcome = check(rule, {**data, "registry_checks": checks})
    assert outcome.status == "not_evaluated", outcome.message
    assert outcome.missing == paths


def test_one_dated_registry_is_enough_when_its_records_cover_the_service(check):
    # The algorithm registry checked at a date covers the feed; the deep-synthesis
    # registry's date is then not needed.
    dated = {"CAC_ALGORITHM": {"checked_on": "2026-06-01"}}
    data = {"services": [FEED], "filings": [ALGO_FILING], "registry_checks": dated}
    assert check("FIL-002", data).status == "passed"
    # Covered only by a record from an undated registry: not evidence.
    deep = {**ALGO_FILING, "regime": "CAC_DEEP_SYNTHESIS"}
    outcome = check("FIL-002", {**data, "filings": [deep]})
    assert outcome.missing == ("registry_checks.CAC_DEEP_SYNTHESIS.checked_on",)


def _checked(day: str) -> dict:
    return {regime: {"checked_on": day, "source": "beian.cac.gov.cn"}
            for regime in ("CAC_ALGORITHM", "CAC_DEEP_SYNTHESIS", "CAC_GENAI_FILING",
                           "CAC_GENAI_REGISTRATION")}


@pytest.mark.parametrize(("rule", "data", "paths"), UNDATED,
                         ids=[f"{r}-{i}" for i, (r, _, _) in enumerate(UNDATED)])
def test_a_registry_check_too_old_to_rely_on_is_not_evidence(check, make_engine, rule, data,
                                                             paths):
    """A check more than registry_max_age_days (180) before the evaluation date clears
    nothing and condemns nothing, like an undated one; the limit is configurable."""
    recent = check(rule, {**data, "registry_checks": _checked("2026-01-01")})  # 180 days
    assert recent.status != "not_evaluated", recent.message
    stale = check(rule, {**data, "registry_checks": _checked("2025-12-31")})  # 181 days
    assert stale.status == "not_evaluated"
    assert stale.missing == paths
    assert "within registry_max_age_days before the evaluation date" in stale.message
    engine = make_engine("[settings.filings]\nregistry_max_age_days = 365\n")
    again = check(rule, {**data, "registry_checks": _checked("2025-12-31")}, engine)
    assert again.status == recent.status
