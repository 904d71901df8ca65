"""The ``freshness`` pack: every dated section ages in calendar months.

Each rule passes at exactly its threshold and fires a day later (month ends
clamped: 31 January is one month old on 28 February), is not evaluated naming the
date a present section lacks, and passes when the section is absent. Ageing is
monotone (a hypothesis property), bad settings are one path-named line with exit
status 2, and a stale section shows in ``threshold evaluate`` run as a process.
"""

from __future__ import annotations

import json
from datetime import date, timedelta

import attrs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from threshold_core.kit import add_months, months_elapsed, older_than_months
from threshold_core.load import profile_from_data
from threshold_core.model import Context, FxTable
from threshold_rules.freshness import PACK, FreshnessSettings

AT = date(2026, 6, 30)


def one_date(section: str, key: str = "as_of", **extra: object):
    """A builder of the smallest profile data holding ``section`` dated ``day``."""

    def build(day: date | None) -> dict:
        body = dict(extra)
        if day is not None:
            body[key] = day
        return {section: body}

    return build


def listed(kind: str, **extra: object):
    def build(day: date | None) -> dict:
        run = dict(extra)
        if day is not None:
            run["as_of"] = day
        return {"evaluations": {kind: [run]}}

    return build


def registry(day: date | None) -> dict:
    check = {"source": "beian.cac.gov.cn"} if day is None else {"checked_on": day}
    return {"registry_checks": {"CAC_GENAI_FILING": check}}


# rule id, settings key (its default), builder, the path named when the date is missing
CASES = [
    ("FRS-001", "customers", 12, one_date("customers"), "customers.as_of"),
    ("FRS-002", "technology", 6, one_date("technology"), "technology.as_of"),
    ("FRS-003", "evaluations", 12, listed("safety", suite="XSTest"),
     "evaluations.safety[0].as_of"),
    ("FRS-003", "evaluations", 12,
     listed("hallucination", domain="finance", confabulation_pct=4),
     "evaluations.hallucination[0].as_of"),
    ("FRS-003", "evaluations", 12, listed("bias", suite="CBBQ"), "evaluations.bias[0].as_of"),
    ("FRS-004", "compute", 6, one_date("compute"), "compute.as_of"),
    ("FRS-005", "export_controls", 3,
     one_date("export_controls", "checked_on", entity_list=False), "export_controls.checked_on"),
    ("FRS-006", "registry_checks", 6, registry, "registry_checks.CAC_GENAI_FILING.checked_on"),
    ("FRS-007", "content_labeling", 12,
     one_date("content_labeling", "checked_on", explicit=True, implicit_metadata=True),
     "content_labeling.checked_on"),
    ("FRS-008", "personal_information", 12, one_date("personal_information"),
     "personal_information.as_of"),
    ("FRS-009", "compliance", 12, one_date("compliance"), "compliance.as_of"),
    ("FRS-010", "star_market", 6, one_date("star_market"), "star_market.as_of"),
]
IDS = [f"{c[0]}-{c[4]}" for c in CASES]


def test_the_table_covers_every_rule_and_setting():
    assert {c[0] for c in CASES} == {r.id for r in PACK.rules}
    assert {c[1]: c[2] for c in CASES} == attrs.asdict(FreshnessSettings())


@pytest.mark.parametrize(("rule", "key", "months", "build", "path"), CASES, ids=IDS)
def test_exactly_n_months_passes_and_a_day_more_fires(check, rule, key, months, build, path):
    edge = add_months(AT, -months)
    assert check(rule, build(edge)).status == "passed"
    outcome = check(rule, build(edge - timedelta(days=1)))
    assert (outcome.status, outcome.severity) == ("fired", PACK_SEVERITY[rule]), outcome.message
    assert f"{path} {edge - timedelta(days=1)}" in outcome.message
    assert f"fresh until {AT - timedelta(days=1)}" in outcome.message


@pytest.mark.parametrize(("rule", "key", "months", "build", "path"), CASES, ids=IDS)
def test_a_section_without_its_date_is_not_evaluated(check, rule, key, months, build, path):
    outcome = check(rule, build(None))
    assert outcome.status == "not_evaluated"
    assert outcome.missing == (path,)


@pytest.mark.parametrize("rule", sorted({c[0] for c in CASES}))
def test_an_absent_section_passes(check, rule):
    # Absence is the business of the rules and scorers that read the section.
    assert check(rule, {}).status == "passed"


PACK_SEVERITY = {r.id: str(r.meta.severity) for r in PACK.rules}


def test_only_the_screenings_are_medium_and_nothing_touches_a_dimension():
    assert {k for k, v in PACK_SEVERITY.items() if v == "medium"} == {"FRS-005", "FRS-006"}
    assert set(PACK_SEVERITY.values()) <= {"low", "medium"}
    assert all(r.meta.dimension is None for r in PACK.rules)


@pytest.mark.parametrize(("start", "fresh", "stale"), [
    (date(2026, 1, 31), date(2026, 2, 28), date(2026, 3, 1)),
    (date(2028, 1, 31), date(2028, 2, 29), date(2028, 3, 1)),  # leap year
    (date(2026, 3, 31), date(2026, 4, 30), date(2026, 5, 1)),
])
def test_month_ends_are_clamped(check, make_engine, start, fresh, stale):
    engine = make_engine("[settings.freshness]\ntechnology = 1\n")
    section = {"technology": {"as_of": start}}
    assert check("FRS-002", {**section, "as_of": fresh}, engine).status == "passed"
    outcome = check("FRS-002", {**section, "as_of": stale}, engine)
    assert outcome.status == "fired", outcome.message
    assert months_elapsed(start, fresh) == 1 and months_elapsed(start, stale) == 1


def test_an_export_control_screening_ages_with_its_configured_threshold(check, make_engine):
    data = {"export_controls": {"entity_list": False, "checked_on": date(2026, 1, 30)}}
    assert check("FRS-005", data).status == "fired"
    engine = make_engine("[settings.freshness]\nexport_controls = 5\n")
    assert check("FRS-005", data, engine).status == "passed"


# -- the kind of fault: ageing is monotone ------------------------------------------------

DATES = st.dates(min_value=date(2020, 1, 1), max_value=date(2030, 12, 31))
RULES = {r.id: r for r in PACK.rules}
STALE = {"passed": 0, "fired": 1}


def status(case: tuple, day: date, at: date, months: int) -> int:
    rid, key, _default, build, _path = case
    doc = {"id": "x", "name": "X", **build(day)}
    context = Context(fx=FxTable(rates={}), as_of=at)
    outcome = RULES[rid].evaluate(profile_from_data(doc), FreshnessSettings(**{key: months}),
                                  context)
    return STALE[str(outcome.status)]


@settings(max_examples=80, deadline=None)
@given(case=st.sampled_from(CASES), day=DATES, at=DATES, later=st.integers(0, 800),
       earlier=st.integers(0, 800), months=st.integers(1, 36))
def test_ageing_is_monotone(case, day, at, later, earlier, months):
    """For every kind of dated section: a later evaluation date never makes a date on or
    before it fresher, nor does an earlier date of its own; it fires exactly when more than
    ``months`` months old or after the evaluation date; and no date is fresher than the
    evaluation date itself (a mistyped future year does not keep a section fresh)."""
    now = status(case, day, at, months)
    assert bool(now) == (older_than_months(day, at, months) or day > at)
    assert status(case, at, at, months) == 0
    if day <= at:
        assert status(case, day, at + timedelta(days=later), months) >= now
        assert status(case, day - timedelta(days=earlier), at, months) >= now


@pytest.mark.parametrize(("rule", "key", "months", "build", "path"), CASES, ids=IDS)
def test_a_date_after_the_evaluation_date_fires(check, rule, key, months, build, path):
    assert check(rule, build(AT)).status == "passed"
    for day in (AT + timedelta(days=1), date(2062, 6, 1)):  # a day later; a mistyped year
        outcome = check(rule, build(day))
        assert (outcome.status, outcome.severity) == ("fired", PACK_SEVERITY[rule])
        assert f"{path} {day} is after the evaluation date {AT}" in outcome.message


@settings(max_examples=60, deadline=None)
@given(months=st.integers(1, 10**30), day=DATES)
def test_a_threshold_longer_than_the_calendar_never_fails_the_rule(months, day):
    """Month arithmetic saturates at the calendar's ends: a huge threshold means never
    stale, not a plugin failure (exit 3)."""
    day = min(day, AT)
    for case in CASES:
        assert status(case, day, AT, months) == older_than_months(day, AT, months)
        assert status(case, day, AT, months + 12 * 10_000) == 0


# -- through the CLI -----------------------------------------------------------------------

PROFILE = """\
id = "stale-co"
name = "Stale Co"
as_of = 2026-06-30

[customers]
as_of = 2025-06-29
ndr_pct = 110

[export_controls]
entity_list = false
affiliates_listed = []
checked_on = 2026-06-01
"""


def test_a_stale_section_shows_in_threshold_evaluate(run_cli_process, tmp_path):
    (tmp_path / "stale.toml").write_text(PROFILE, encoding="utf-8")
    result = run_cli_process("evaluate", "stale.toml", "--format", "json")
    assert result.returncode == 0, result.stderr
    findings = {f["rule"]: f for f in json.loads(result.stdout)["findings"]}
    assert findings["FRS-001"]["severity"] == "low"
    assert "customers.as_of 2025-06-29 is 12 months old (fresh until 2026-06-29)" in \
        findings["FRS-001"]["message"]
    assert "FRS-005" not in findings and "CHIP-001" not in findings


@pytest.mark.parametrize(("setting", "message"), [
    ("customers = 0", "$.settings.freshness.customers: must be a whole number of calendar "
                      "months, at least 1, got 0"),
    ("compute = -3", "$.settings.freshness.compute: must be a whole number of calendar "
                     "months, at least 1, got -3"),
    ("technology = 2.5", "$.settings.freshness.technology: expected a whole number, got 2.5"),
    ("valuation = 6", "$.settings.freshness.valuation: unknown key"),
])
def test_bad_settings_are_one_path_named_line_and_exit_2(run_cli, tmp_path, setting, message):
    (tmp_path / "stale.toml").write_text(PROFILE, encoding="utf-8")
    (tmp_path / "threshold.toml").write_text(f"[settings.freshness]\n{setting}\n",
                                             encoding="utf-8")
    result = run_cli("evaluate", "stale.toml")
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [f"{tmp_path / 'threshold.toml'}: {message}"]
