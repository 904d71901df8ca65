"""The honest baseline's checks of the other built-in packs over the parsed document:
chip_supply, ethics, investment_restrictions, valuation and the declarative disclosure
pack (``benchmarks/honest_rules.py``)."""

from __future__ import annotations

import math
from datetime import date, timedelta
from typing import Any

from honest_common import (
    ASCEND,
    CHINESE,
    CLOSED,
    CONTENT,
    CRIT,
    FINANCE,
    FX,
    HEALTH,
    HIGH,
    INFO,
    IP_WORDS,
    LOW,
    MED,
    NE,
    PASS,
    PRC_LOC,
    SUITES,
    Z95,
    day,
    fold,
    grade,
    months_before,
    norm,
    num,
)


def chip_rules(p: dict[str, Any], as_of: date | None, out: dict[str, str]) -> None:
    compute = p.get("compute")
    accels = (compute or {}).get("accelerators") or ()
    services = p.get("services") or ()
    # CHIP-001 Entity List
    ec = p.get("export_controls")
    if ec is None:
        out["CHIP-001"] = NE
    elif not ec.get("entity_list") and not ec.get("affiliates_listed"):
        # Undated, or dated after the evaluation date: not a screening; affiliates left
        # out: unknown, never "none".
        out["CHIP-001"] = PASS if ec.get("checked_on") and (
            ec.get("affiliates_listed") is not None) and (
            as_of is None or 0 <= (as_of - day(ec["checked_on"])).days <= 90) else NE
    else:
        relies = ec.get("relies_on_new_us_items")  # left out: unknown, it decides the severity
        out["CHIP-001"] = CRIT if relies else NE if relies is None else HIGH
    # CHIP-002 unlicensed or unknown-provenance accelerators
    if not accels:
        out["CHIP-002"] = NE
    else:
        unlicensed = any(a["chip_class"] == "us_3a090a" and a.get("licensed") is False
                         for a in accels)
        unknown = any((a["chip_class"] == "us_3a090a" and a.get("licensed") is None)
                      or a["chip_class"] == "unknown" for a in accels)
        out["CHIP-002"] = CRIT if unlicensed else HIGH if unknown else PASS
    total = sum(a["h100_equiv"] for a in accels)
    if not accels or total <= 0:
        for rid in ("CHIP-003", "CHIP-004", "CHIP-005", "CHIP-007", "CHIP-009"):
            out[rid] = NE
    else:
        def share(keep: Any) -> float:
            return round(100.0 * sum(a["h100_equiv"] for a in accels if keep(a)) / total, 2)
        restricted = share(lambda a: a["chip_class"] in ("us_3a090a", "us_licensed"))
        out["CHIP-003"] = HIGH if restricted > 50.0 else MED if restricted >= 20.0 else PASS
        domestic = share(lambda a: a["chip_class"] == "domestic")
        out["CHIP-004"] = MED if domestic < 20.0 else PASS
        offshore = share(lambda a: a.get("tenure", "owned") == "leased_offshore"
                         and a["chip_class"] != "domestic")
        out["CHIP-005"] = HIGH if offshore > 30.0 else MED if offshore >= 10.0 else PASS
        by_vendor: dict[str, float] = {}
        for a in accels:
            key = fold(a["vendor"])
            by_vendor[key] = by_vendor.get(key, 0.0) + a["h100_equiv"]
        top = max(by_vendor.items(), key=lambda kv: (kv[1], kv[0]))[1]
        out["CHIP-007"] = MED if round(100.0 * top / sum(by_vendor.values()), 2) > 80.0 \
            else PASS
        validated = compute.get("non_cuda_stack_validated") if compute else None
        out["CHIP-009"] = PASS if domestic >= 50.0 else NE if validated is None else \
            PASS if validated else MED
    # CHIP-006 contracted compute against the plan
    plan = (compute or {}).get("capacity_plan")
    if plan is None or num(plan["planned_h100_equiv"]) <= 0:  # type: ignore[operator]
        out["CHIP-006"] = NE
    else:
        coverage = 100.0 * (num(plan["contracted_h100_equiv"]) or 0.0) / (
            num(plan["planned_h100_equiv"]) or 1.0)
        out["CHIP-006"] = HIGH if coverage < 50.0 else MED if coverage < 80.0 else PASS
    # CHIP-008 Ascend used outside the PRC
    if not services and not accels:
        out["CHIP-008"] = NE
    else:
        hit = any(s.get("ascend_outside_prc") for s in services)
        unknown = False
        for a in accels:
            text = fold(f"{a['vendor']} {a['model']}")
            if not any(m in text for m in ASCEND):
                continue
            where, tenure = a.get("location_country"), a.get("tenure", "owned")
            if where is not None:
                hit = hit or fold(where) not in PRC_LOC
            elif tenure == "leased_offshore":
                hit = True
            elif tenure != "leased_domestic":
                unknown = True
        out["CHIP-008"] = HIGH if hit else NE if unknown else PASS
    # CHIP-010 no inventory
    out["CHIP-010"] = INFO if not accels else PASS


def _wilson_low_high(rate: float, n: int) -> tuple[float, float]:
    if n <= 0:
        return 0.0, 1.0
    z2n = Z95 * Z95 / n
    centre = (rate + z2n / 2.0) / (1.0 + z2n)
    half = Z95 * math.sqrt(rate * (1.0 - rate) / n + z2n / (4.0 * n)) / (1.0 + z2n)
    return max(0.0, centre - half), min(1.0, centre + half)


def _refusals(evals: dict[str, Any] | None, over: bool) -> str:
    """ETH-001 (over-refusal) or ETH-002 (unsafe compliance) over every safety suite."""
    decided: list[str] = []
    inconclusive = measured = missing = unknown = False
    for e in (evals or {}).get("safety") or ():
        rate = e.get("over_refusal_pct" if over else "unsafe_compliance_pct")
        if rate is None:
            continue
        bars = SUITES.get(norm(e["suite"]))
        if bars is None:
            continue
        lang = e.get("language") or bars[4]
        tiers = [(s, b) for s, b in (((HIGH, bars[0]), (MED, bars[1])) if over
                                     else ((CRIT, bars[2]), (HIGH, bars[3]))) if b is not None]
        if not tiers:
            continue
        n = e.get("n_benign" if over else "n_unsafe")
        n = n if n is not None else e.get("n_prompts")
        if n is None:
            missing = True
            continue
        measured = True
        low, _high = _wilson_low_high(rate / 100.0, n)
        for sev, bar in tiers:
            if sev == CRIT and not (e.get("independent") and fold(lang) in CHINESE):
                # left out: unknown; independent, a result over the bar would be a veto
                unknown |= (e.get("independent") is None and fold(lang) in CHINESE
                            and 100.0 * low > bar)
                continue
            if 100.0 * low > bar:
                decided.append(sev)
                break
            if rate > bar:
                inconclusive = True
                break
    if unknown and CRIT not in decided:
        return NE
    if decided:
        return min(decided, key=(CRIT, HIGH, MED, LOW).index)
    return NE if missing else LOW if inconclusive else PASS if measured else NE


def ethics_rules(p: dict[str, Any], as_of: date | None, out: dict[str, str]) -> None:
    evals = p.get("evaluations")
    services = p.get("services") or ()
    verticals = p.get("verticals") or ()
    out["ETH-001"] = _refusals(evals, over=True)
    out["ETH-002"] = _refusals(evals, over=False)
    # ETH-004 canned refusals while selling abroad
    canned = evals.get("benign_canned_refusal_pct") if evals else None
    overseas = num((p.get("financials") or {}).get("overseas_revenue_pct"))
    c_hit = None if canned is None else canned > 10.0
    o_hit = None if overseas is None else overseas >= 30.0
    out["ETH-004"] = MED if c_hit and o_hit else PASS if c_hit is False or o_hit is False \
        else NE

    def group(name: str) -> str | None:
        n = norm(name)
        if any(a in n for a in FINANCE):
            return "finance"
        if any(a in n for a in HEALTH):
            return "healthcare"
        return None

    # ETH-005 regulated vertical without a passing hallucination evaluation
    regulated = {g for v in verticals if (g := group(v["sector"])) is not None}
    if not verticals:
        out["ETH-005"] = NE
    elif not regulated:
        out["ETH-005"] = PASS
    elif evals is None:
        out["ETH-005"] = NE
    else:
        worst: dict[str, float] = {}
        for e in evals.get("hallucination") or ():
            if (g := group(e["domain"])) is not None:
                worst[g] = max(worst.get(g, -math.inf), e["confabulation_pct"])
        out["ETH-005"] = HIGH if any(g not in worst or worst[g] > 5.0 for g in regulated) \
            else PASS
    # ETH-006 AI-content disclosure
    content = [s for s in services if s.get("kind", "generative") in CONTENT]
    eu_wide = bool((p.get("eu_exposure") or {}).get("serves_eu_users"))
    if not services or as_of is None:
        out["ETH-006"] = NE
    else:
        prc = as_of >= date(2025, 9, 1) and any(s.get("public_prc", True) for s in content)
        eu = as_of >= date(2026, 8, 2) and any(s.get("eu_users") or eu_wide for s in content)
        cl = p.get("content_labeling")
        if not (prc or eu):
            out["ETH-006"] = PASS
        elif cl is None:
            out["ETH-006"] = NE
        else:
            out["ETH-006"] = HIGH if (prc and not cl["explicit"]) or (
                eu and not (cl["explicit"] and cl["implicit_metadata"])) else PASS
    # ETH-007 bias evaluation
    out["ETH-007"] = NE if evals is None else PASS if evals.get("bias") else MED
    # ETH-008 companion without a minor mode
    companions = [s for s in services if s.get("companion")]
    if not services:
        out["ETH-008"] = NE
    elif not companions:
        out["ETH-008"] = PASS
    else:
        modes = [s.get("minor_mode") for s in companions]
        out["ETH-008"] = HIGH if False in modes else NE if None in modes else PASS
    # ETH-009 open IP litigation >= 5% of revenue
    out["ETH-009"] = _ip_litigation(p)
    # ETH-010 EU prohibited practices
    eu_x = p.get("eu_exposure")
    if eu_x is None:
        out["ETH-010"] = NE
    else:
        serves = eu_x.get("serves_eu_users") or any(s.get("eu_users") for s in services)
        uses = eu_x.get("prohibited_uses")  # left out: unknown, never "none"
        # A service's eu_users left out is unknown too, where nothing else says EU users.
        unknown = not serves and any(s.get("eu_users") is None for s in services)
        if (uses is not None and not uses) or (as_of is not None and as_of < date(2025, 2, 2)) \
                or not (serves or unknown):
            out["ETH-010"] = PASS
        else:
            out["ETH-010"] = NE if uses is None or unknown else CRIT
    # ETH-011 no principles and no committee
    eg = p.get("ethics_governance")
    if eg is None:
        out["ETH-011"] = NE
    elif eg.get("committee") or eg.get("published_principles"):
        out["ETH-011"] = PASS
    else:
        out["ETH-011"] = NE if eg.get("published_principles") is None else LOW


def _ip_litigation(p: dict[str, Any]) -> str:
    lits = p.get("litigation")
    if lits is None:
        return NE
    cases = [x for x in lits if any(r.search(fold(x["subject"])) for r in IP_WORDS)
             and fold(x.get("status", "open")) not in CLOSED]
    if not cases:
        return PASS
    missing = any(x.get("claim") is None for x in cases)
    claims = sum(x["claim"]["amount"] * FX[x["claim"]["currency"].upper()]
                 for x in cases if x.get("claim") is not None)
    fin = p.get("financials") or {}
    if fin.get("revenue") is None:
        return NE
    revenue = num(fin["revenue"]) * FX[fin["currency"].upper()]  # type: ignore[operator]
    share = 100.0 * claims / revenue if revenue > 0 else math.inf
    if claims > 0 and share >= 5.0:
        return MED
    return NE if missing else PASS


def investment_rules(p: dict[str, Any], as_of: date | None, out: dict[str, str]) -> None:
    sc = p.get("investment_screening")
    ids = ("INV-001", "INV-002", "INV-003", "INV-004", "INV-005", "INV-006")
    if sc is None or (as_of is not None and not 0 <= (as_of - day(sc["checked_on"])).days <= 90):
        if as_of is not None and as_of < date(2021, 8, 2):
            out["INV-003"] = PASS
        for rid in ids:
            out.setdefault(rid, NE)
        return
    # INV-001 / INV-002 outbound investment (31 CFR 850)
    if as_of is not None and as_of < date(2025, 1, 2):
        out["INV-001"] = out["INV-002"] = PASS
    elif sc.get("covered_foreign_person") is None:
        out["INV-001"] = out["INV-002"] = NE
    elif not sc["covered_foreign_person"]:
        out["INV-001"] = out["INV-002"] = PASS
    else:
        flops = num(sc.get("max_training_flops"))
        listed_uses = sc.get("ai_end_uses")  # left out: unknown, never "none"
        uses = [norm(u) for u in listed_uses or ()]
        bio = sc.get("biological_sequence_data")  # left out: the lower bar may apply
        bar = 1e24 if bio else 1e25
        prohibited = (flops is not None and flops > bar) or any(
            w in u for u in uses for w in ("military", "governmentintelligence",
                                           "masssurveillance"))
        notifiable = (flops is not None and flops > 1e23) or any(
            w in u for u in uses for w in ("cybersecurity", "digitalforensics",
                                           "penetrationtesting", "roboticcontrol"))
        out["INV-001"] = CRIT if prohibited else NE if (
            flops is None or listed_uses is None or (bio is None and flops > 1e24)) else PASS
        out["INV-002"] = MED if notifiable else NE if (
            flops is None or listed_uses is None) else PASS
    # INV-003 NS-CMIC, INV-004 Section 1260H, INV-005 SDN
    for rid, key, sev in (("INV-003", "ns_cmic_listed", CRIT),
                          ("INV-004", "section_1260h_listed", HIGH),
                          ("INV-005", "sdn_listed", CRIT)):
        if rid == "INV-003" and as_of is not None and as_of < date(2021, 8, 2):
            out[rid] = PASS
            continue
        listed = sc.get(key)
        out[rid] = NE if listed is None else sev if listed else PASS
    # INV-006 the BIS affiliates rule
    share = sc.get("listed_owners_pct")
    if share is None:
        out["INV-006"] = NE
    elif share < 50.0:
        out["INV-006"] = PASS
    elif as_of is None:
        out["INV-006"] = NE
    elif as_of < date(2025, 9, 29):
        out["INV-006"] = PASS
    else:
        out["INV-006"] = LOW if date(2025, 11, 10) <= as_of <= date(2026, 11, 9) else HIGH


def valuation_rules(p: dict[str, Any], as_of: date | None, out: dict[str, str]) -> None:
    v, listing = p.get("valuation"), p.get("listing")
    out["VAL-001"] = NE if v is None else LOW if v["basis"] in (
        "estimate", "last_round_post_money") else PASS
    out["VAL-002"] = NE if v is None or listing is None else MED if (
        listing["status"] == "listed" and v["basis"] != "market_cap") else PASS
    if v is None or v.get("as_of") is None or as_of is None:
        out["VAL-003"] = NE
    else:
        on = day(v["as_of"])  # stale, or after the evaluation date
        out["VAL-003"] = MED if as_of > months_before(on, -6) or on > as_of else PASS


def _illustrative(p: dict[str, Any]) -> tuple[int, int]:
    """(figures marked illustrative, all figures): every ``{value, source}`` table."""
    marked = total = 0
    stack: list[Any] = [p]
    while stack:
        x = stack.pop()
        if isinstance(x, dict):
            if "value" in x and "source" in x:
                total += 1
                marked += grade(x["source"]) == "illustrative"
            stack.extend(v for v in x.values() if isinstance(v, dict | list))
        elif isinstance(x, list):
            stack.extend(v for v in x if isinstance(v, dict | list))
    return marked, total


def disclosure_rules(p: dict[str, Any], as_of: date | None, out: dict[str, str]) -> None:
    v = p.get("valuation")
    out["DIS-001"] = PASS if p.get("verified", True) else HIGH
    out["DIS-002"] = NE if v is None else LOW if v["basis"] in (
        "estimate", "last_round_post_money") else PASS
    out["DIS-003"] = NE if v is None else PASS if v.get("source") is not None else LOW
    out["DIS-004"] = INFO if _illustrative(p)[0] else PASS
    fin_as_of = (p.get("financials") or {}).get("as_of")
    out["DIS-005"] = NE if fin_as_of is None or as_of is None else LOW if (
        as_of - day(fin_as_of)) > timedelta(hours=6570) else PASS


