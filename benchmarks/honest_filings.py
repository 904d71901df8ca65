"""The honest baseline's filings checks (FIL-001 to FIL-021) over the parsed document
(``benchmarks/honest_rules.py``)."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from honest_common import (
    ALGO,
    ALGO_NO,
    CAC,
    CLASS_III,
    CONTENT,
    CRIT,
    DOMESTIC_JUR,
    FOREIGN_RE,
    GENAI_ANY,
    GENAI_NO,
    HEALTH,
    HIGH,
    IN_FORCE,
    INFO,
    LOW,
    MED,
    NE,
    PASS,
    covers,
    day,
    fold,
    in_force,
    months_before,
    num,
    sector_in,
    unsure,
)


def filings_rules(p: dict[str, Any], as_of: date | None, out: dict[str, str]) -> None:
    services = p.get("services") or ()
    filings = p.get("filings")
    verticals = p.get("verticals") or ()
    public = [s for s in services if s.get("public_prc", True)]
    genai = [s for s in public if s.get("kind", "generative") == "generative"]
    # Only registries checked at a known date, not after the evaluation date, are evidence
    # (registry_checks.<R>.checked_on).
    checks = p.get("registry_checks") or {}
    dated = {r for r, c in checks.items() if c and c.get("checked_on") and (
        as_of is None or 0 <= (as_of - day(c["checked_on"])).days <= 180)}
    # FIL-001 a public generative service without a generative-AI filing in force
    if not services or (filings is None and genai):
        out["FIL-001"] = NE
    else:
        filed = in_force(p, {"CAC_GENAI_FILING"} & dated)
        reg = in_force(p, {"CAC_GENAI_REGISTRATION"} & dated)
        uncovered = unknown = False
        for s in genai:
            if any(covers(f, s) for f in filed) or (
                    s.get("api_based") and any(covers(f, s) for f in reg)):
                continue
            read = GENAI_ANY if s.get("api_based") else {"CAC_GENAI_FILING"}
            if read <= dated and not any(covers(f, s) for f in unsure(p, read)):
                uncovered = True
            else:  # a registry not checked, or a record without a status that would cover it
                unknown = True
        out["FIL-001"] = CRIT if uncovered else NE if unknown else PASS
    # FIL-002 public-opinion service without an algorithm filing
    # (a public_opinion left out may be one, a kind left out generative: in scope)
    scope = [s for s in public if s.get("public_opinion") is not False
             and s.get("kind", "generative") in (
                 "algorithm_recommendation", "deep_synthesis", "generative")]
    if not services or (scope and filings is None):
        out["FIL-002"] = NE
    else:
        algo = in_force(p, ALGO & dated)
        bare = [s for s in scope if not any(covers(f, s) for f in algo)]
        certain = [s for s in bare if s.get("public_opinion")
                   and not any(covers(f, s) for f in unsure(p, ALGO & dated))]
        out["FIL-002"] = (PASS if not bare else NE if not dated >= ALGO else CRIT if certain
                          else NE)
    # FIL-003 material change filed late (10 working days)
    if filings is None:
        out["FIL-003"] = NE
    else:
        out["FIL-003"] = _change_deadline(filings, as_of)
    # FIL-004 filing not displayed (medium) or a malformed number (low)
    if filings is None:
        out["FIL-004"] = NE
    else:
        hidden = malformed = missing = statusless = statusless_hidden = False
        for f in filings:
            status = f.get("status")  # left out: may be in force, read and never fired on
            if f["regime"] not in CAC or (status is not None and status not in IN_FORCE):
                continue
            bad_shown = bad_number = False
            shown = f.get("displayed_on_product")
            if shown is None:
                missing = True
            elif not shown:
                bad_shown = True
            pattern = (GENAI_NO if f["regime"] == "CAC_GENAI_FILING" else ALGO_NO
                       if f["regime"] in ALGO else None)
            if pattern is not None:
                if f.get("filing_number") is None:
                    missing = True
                elif not pattern.fullmatch(f["filing_number"].strip()):
                    bad_number = True
            if status is None:
                statusless |= bad_shown or bad_number
                statusless_hidden |= bad_shown
            else:
                hidden |= bad_shown
                malformed |= bad_number
        out["FIL-004"] = MED if hidden else LOW if malformed and not statusless_hidden else (
            NE if missing or statusless else PASS)
    # FIL-005 foundation model that cannot pass filing
    if not services:
        out["FIL-005"] = NE
    else:
        sev = None
        missing = False
        for s in public:
            base = s.get("foundation_model")
            if not base:
                continue
            where = s.get("foundation_model_jurisdiction")
            filed_fm = s.get("foundation_model_filed")
            if (where is not None and where.strip().upper() not in DOMESTIC_JUR) \
                    or filed_fm is False:
                sev = CRIT
            elif where is None and any(r.search(fold(base)) for r in FOREIGN_RE):
                sev = sev or HIGH
            elif filed_fm is None and where is None:
                missing = True
        out["FIL-005"] = sev or (NE if missing else PASS)
    # FIL-006 security self-assessment artefacts
    if not services:
        out["FIL-006"] = NE
    elif not genai:
        out["FIL-006"] = PASS
    elif (sa := p.get("security_assessment")) is None:
        out["FIL-006"] = NE
    else:
        vals = [sa.get(k) for k in ("corpus_blacklist", "keyword_library", "refusal_test_banks")]
        out["FIL-006"] = HIGH if False in vals else NE if None in vals else PASS
    # FIL-007 content labeling from 2025-09-01
    if not services or as_of is None:
        out["FIL-007"] = NE
    elif as_of < date(2025, 9, 1) or not any(
            s.get("kind", "generative") in CONTENT for s in public):
        out["FIL-007"] = PASS
    elif (cl := p.get("content_labeling")) is None:
        out["FIL-007"] = NE
    else:
        out["FIL-007"] = PASS if cl["explicit"] and cl["implicit_metadata"] else HIGH
    # FIL-008 data quality: MIIT-attributed filings, counts, summary statuses
    claims = p.get("reported_claims")
    if filings is None and claims is None:
        out["FIL-008"] = NE
    else:
        def miit(a: str | None) -> bool:
            return a is not None and fold(a).startswith("miit")
        note = any(f["regime"] in CAC and miit(f.get("authority", "CAC")) for f in filings or ())
        if claims is not None:
            note = note or miit(claims.get("filing_authority")) or claims.get(
                "verticals_approved") is not None or claims.get("compliance_status") is not None
        out["FIL-008"] = INFO if note else PASS
    # FIL-009 healthcare decision support without NMPA Class III
    approvals = p.get("sector_approvals")
    if not verticals:
        out["FIL-009"] = NE
    else:
        targets, missing = [], False
        for v in verticals:
            if not (v.get("decision_support") and sector_in(v["sector"], HEALTH)) \
                    or v.get("exemption"):
                continue
            share = v.get("revenue_share_pct")
            if share is None:
                missing = True
            elif share >= 10.0:
                targets.append(share)
        nmpa = [a for a in approvals or () if fold(a["regulator"]) == "nmpa"
                and a.get("status") in IN_FORCE]
        class_iii = [a for a in nmpa if a.get("instrument")
                     and CLASS_III.search(a["instrument"])]
        if targets and approvals is None:
            out["FIL-009"] = NE
        elif targets and not class_iii:
            maybe = any(fold(a["regulator"]) == "nmpa" and a.get("status") is None and (
                a.get("instrument") is None or CLASS_III.search(a["instrument"]))
                for a in approvals or ())  # left without a status: may be the one in force
            out["FIL-009"] = NE if maybe or any(a.get("instrument") is None for a in nmpa) else (
                CRIT if max(targets) >= 50.0 else HIGH)
        else:
            out["FIL-009"] = NE if missing and not class_iii else PASS
    # FIL-010 auto-prescription
    out["FIL-010"] = NE if not services else CRIT if any(
        s.get("auto_prescription") for s in services) else PASS
    # FIL-011 NFRA safeguards
    nfra = [v for v in verticals if v.get("nfra_regulated_clients")]
    if not verticals:
        out["FIL-011"] = NE
    elif not nfra:
        out["FIL-011"] = PASS
    else:
        problem = missing = False
        if filings is None:
            missing = True
        elif not in_force(p, GENAI_ANY & dated):
            if dated >= GENAI_ANY and not unsure(p, GENAI_ANY):
                problem = True
            else:
                missing = True
        if any(s.get("foundation_model_filed") is False for s in services):
            problem = True
        for v in nfra:
            if v.get("decision_support"):
                if v.get("human_oversight") is False:
                    problem = True
                elif v.get("human_oversight") is None:
                    missing = True
            if v.get("personal_data_in_training"):
                problem = True
            elif v.get("personal_data_in_training") is None:
                missing = True
        out["FIL-011"] = HIGH if problem else NE if missing else PASS
    # FIL-012 enforcement in the last 24 months
    enf = p.get("enforcement")
    if enf is None or as_of is None:
        out["FIL-012"] = NE
    else:
        since = months_before(as_of, 24)
        recent = [e for e in enf if since <= day(e["action_date"]) <= as_of]
        severe = [e for e in recent if e["action"] in ("penalty", "app_removal")]
        out["FIL-012"] = PASS if not recent else HIGH if any(
            not e.get("resolved", False) for e in severe) else MED if severe else LOW
    # FIL-013 ethics review on the expert re-review list
    if not services and not verticals:
        out["FIL-013"] = NE
    elif not (any(s.get("public_opinion") for s in services) or any(
            v.get("decision_support") and v.get("human_oversight") is False for v in verticals)):
        out["FIL-013"] = PASS
    elif (eg := p.get("ethics_governance")) is None:
        out["FIL-013"] = NE
    elif not eg.get("committee"):
        out["FIL-013"] = MED
    else:
        members = eg.get("members")
        out["FIL-013"] = LOW if (members is not None and members < 5) or eg.get(
            "expert_rereview_done") is False else PASS
    # FIL-015 EU GPAI documentation
    out["FIL-015"] = _gpai(p, as_of)
    # FIL-014 personal information sent abroad
    pi = p.get("personal_information")
    if pi is None:
        out["FIL-014"] = NE
    else:
        people_f, sens_f = pi.get("cross_border_individuals"), pi.get(
            "cross_border_sensitive_individuals")
        if people_f is None and sens_f is None:
            out["FIL-014"] = NE
        else:
            people, sensitive = num(people_f) or 0.0, num(sens_f) or 0.0
            mech = pi.get("cross_border_mechanism")
            if people > 1_000_000 or sensitive > 10_000:
                ok, sev = ("security_assessment",), HIGH
            elif people >= 100_000 or sensitive > 0:
                ok, sev = ("security_assessment", "standard_contract", "certification"), MED
            else:
                ok, sev = (), PASS
            out["FIL-014"] = sev if sev == PASS else NE if mech is None else \
                PASS if mech in ok else sev
    # FIL-017 / FIL-018 MIIT ICP and the 2018 security assessment
    researched = p.get("filings_researched") or ()
    for rid, regime, opinion in (("FIL-017", "MIIT_ICP", False),
                                 ("FIL-018", "SEC_ASSESSMENT_2018", True)):
        scope = [s for s in public if s.get("public_opinion") or not opinion]
        if not services:
            out[rid] = NE
        elif not scope:
            out[rid] = PASS
        elif filings is None or (regime not in researched
                                 and not any(f["regime"] == regime for f in filings)):
            out[rid] = NE
        else:
            recs = in_force(p, (regime,))
            bare = [s for s in scope if not any(covers(f, s) for f in recs)]
            maybe = [s for s in bare if any(covers(f, s) for f in unsure(p, (regime,)))]
            out[rid] = HIGH if len(maybe) < len(bare) else NE if maybe else PASS
    # FIL-019 PI compliance audit every 24 months (> 10m people)
    if pi is None or pi.get("individuals") is None:
        out["FIL-019"] = NE
    elif (num(pi["individuals"]) or 0.0) <= 10_000_000:
        out["FIL-019"] = PASS
    elif as_of is None or pi.get("compliance_audits") is None:
        out["FIL-019"] = NE
    else:
        since = months_before(as_of, 24)
        recent = any(since <= day(x) <= as_of for x in pi["compliance_audits"])
        out["FIL-019"] = PASS if recent or as_of < date(2027, 5, 1) else MED
    # FIL-020 face or voice editing without separate consent; FIL-021 minors' mode
    for rid, want, flag, sev in (("FIL-020", "face_voice_editing", "separate_consent", HIGH),
                                 ("FIL-021", "consumer", "minor_mode", MED)):
        scope = [s for s in public if s.get(want)
                 and not (rid == "FIL-021" and s.get("companion"))]
        if not services:
            out[rid] = NE
        elif not scope:
            out[rid] = PASS
        else:
            vals = [s.get(flag) for s in scope]
            out[rid] = sev if False in vals else NE if None in vals else PASS


def _change_deadline(filings: list[dict[str, Any]], as_of: date | None) -> str:
    if not filings:
        return PASS
    late = unknown = False
    for f in filings:
        if f.get("material_change_date") is None or f["regime"] not in CAC:
            continue
        end = f.get("change_filed_date")
        if end is None and as_of is None:
            unknown = True
            continue
        start, stop = day(f["material_change_date"]), day(end) if end is not None else as_of
        assert stop is not None
        days = _working_days(start, stop)
        if days is None:
            unknown = True
        elif days > 10:
            late = True
    return HIGH if late else NE if unknown else PASS


def _working_days(start: date, end: date) -> int | None:
    """PRC working days in (start, end] on the official schedule, None outside it."""
    if end <= start:
        return 0
    import chinese_calendar  # type: ignore[import-untyped]

    years = {d.year for d in chinese_calendar.holidays}
    first = start + timedelta(days=1)
    if not (min(years) <= first.year <= max(years) and min(years) <= end.year <= max(years)):
        return None
    return len(chinese_calendar.get_workdays(first, end, include_weekends=True))


def _gpai(p: dict[str, Any], as_of: date | None) -> str:
    eu = p.get("eu_exposure")
    if eu is None:
        return NE
    if not eu.get("gpai_provider"):
        return PASS
    if as_of is None:
        return NE
    if as_of < date(2025, 8, 2):
        return PASS
    models = (p.get("technology") or {}).get("models") or ()
    if not models:
        return NE
    due, missing = [], False
    for m in models:
        flops = m.get("training_flops", eu.get("training_flops"))
        systemic = flops is not None and flops >= 1e25
        if m.get("release_date") is None:
            missing = True
            continue
        if day(m["release_date"]) < date(2025, 8, 2) and as_of < date(2027, 8, 2):
            continue
        if m.get("open_weights") and not systemic:
            continue
        due.append(systemic)
    doc = eu.get("gpai_documentation")
    if due and doc is None:
        return NE
    if due and not doc:
        return HIGH if any(due) else MED
    return NE if missing else PASS


