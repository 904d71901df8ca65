"""The honest baseline's 4 dimension scores over the parsed document: 30 metrics with
their bands, caps, bonuses and coverage (``benchmarks/honest_rules.py``)."""

from __future__ import annotations

import calendar
import datetime as dt
import math
from itertools import pairwise
from typing import Any

from honest_common import FX, IN_FORCE, num

TD_W = {"reproduced_benchmarks": 20.0, "claim_evidence": 10.0, "capability_rank": 25.0,
        "data_moat": 20.0, "cadence": 10.0, "rnd_spend": 15.0}
CLAIM_GRADE = {"press": 1.0, "self": 2.0, "third_party": 3.0}
_RND_LOG = tuple((math.log10(x), y) for x, y in ((0.1, 0), (1, 50), (10, 100)))
AS_W = {"ndr": 30.0, "gdr": 15.0, "logo_churn": 15.0, "enterprise_customers": 5.0,
        "revenue_per_customer": 15.0, "recurring_revenue_share": 15.0,
        "customer_concentration": 10.0, "vertical_concentration": 15.0, "gross_margin": 15.0,
        "rule_of_40": 15.0}
IB_W = {"runway": 35.0, "investor_quality": 25.0, "lockup_remaining": 15.0, "overhang": 10.0,
        "down_round": 10.0, "strategic_dependence": 10.0, "capital_raised": 15.0,
        "listing": 10.0}
SEGMENT_REF = {"enterprise": 1e6, "developer": 1e4, "consumer": 300.0}
MONTH_DAYS = 365.25 / 12
RR_W = {"filed_models": 25.0, "filed_algorithms": 15.0, "sector_approvals": 25.0,
        "security_protection": 10.0, "pi_audits": 10.0, "certifications": 15.0}
EXCL = {"exclusive": 1.0, "licensed": 0.5, "public": 0.0}
#: The tier every investor of a type has at least; a stated tier raises it, never lowers it.
TIERS = {"state_fund": 3.0, "strategic": 1.0, "vc": 1.0, "sovereign": 2.0, "pe": 1.0,
         "cornerstone": 1.0, "university": 1.0, "other": 1.0}
LISTING = {"listed": 100.0, "filed": 60.0, "private": 30.0, "subsidiary": 60.0}
HAIRCUT = {"market_cap": 0.0, "expected_market_value": 0.0, "estimate": 0.25,
           "last_round_post_money": 0.32}
_CAP_LOG = tuple((math.log10(x), y) for x, y in ((0.5, 0), (2, 50), (10, 100)))
_BANDS_TD = {"reproduced_benchmarks": ((0, 0), (50, 50), (80, 100)),
             "capability_rank": ((0, 0), (100, 100)), "data_moat": ((0, 0), (1, 50), (3, 100)),
             "cadence": ((0, 0), (1, 50), (3, 100)),
             "claim_evidence": ((1, 20), (2, 50), (3, 100)),
             "rnd_spend": lambda v: (0.0 if v <= 0 else _band(_RND_LOG, math.log10(v)))}
_BANDS_AS = {"ndr": ((85, 0), (100, 40), (110, 60), (120, 80), (140, 100)),
             "gdr": ((50, 0), (80, 30), (90, 70), (100, 100)),
             "recurring_revenue_share": ((0, 0), (50, 50), (80, 100)),
             "customer_concentration": ((20, 100), (40, 50), (60, 0)),
             "gross_margin": ((0, 0), (30, 40), (50, 70), (70, 100)),
             "rule_of_40": ((0, 0), (40, 60), (60, 90), (80, 100)),
             "logo_churn": ((5, 100), (10, 70), (20, 30), (35, 0)),
             "enterprise_customers": lambda v: _log_band(((10, 0), (100, 50), (1000, 100)), v),
             "revenue_per_customer": lambda v: _log_band(((0.1, 0), (1, 50), (10, 100)), v),
             "vertical_concentration": ((0.2, 100), (0.5, 50), (1, 0))}
_BANDS_IB = {"runway": ((5, 0), (6, 20), (12, 50), (24, 100)),
             "investor_quality": ((1, 0), (2, 60), (3, 100)),
             "lockup_remaining": ((0, 0), (6, 50), (18, 100)),
             "overhang": ((0, 100), (5, 70), (15, 20), (25, 0)),
             "down_round": ((0, 100), (20, 60), (40, 20), (60, 0)),
             "strategic_dependence": ((20, 100), (40, 60), (70, 0)),
             "capital_raised": lambda v: (0.0 if v <= 0 else _band(_CAP_LOG, math.log10(v))),
             "listing": ((0, 0), (100, 100))}
_BANDS_RR = {"filed_models": ((0, 0), (1, 60), (3, 80), (6, 100)),
             "filed_algorithms": ((0, 0), (1, 60), (3, 80), (6, 100)),
             "sector_approvals": ((0, 0), (1, 50), (4, 75), (12, 100)),
             "security_protection": ((0, 0), (1, 100)), "pi_audits": ((0, 0), (1, 100)),
             "certifications": ((0, 0), (1, 60), (2, 80), (3, 100))}


def _log_band(pts: tuple[tuple[float, float], ...], v: float) -> float:
    if v <= 0:
        return pts[0][1]
    return _band(tuple((math.log10(x), y) for x, y in pts), math.log10(v))


def _day(x: Any) -> dt.date:
    return x if isinstance(x, dt.date) else dt.date.fromisoformat(x)


def _months_after(start: dt.date, months: float) -> dt.date:
    whole = math.floor(months)
    year, m0 = divmod(start.year * 12 + start.month - 1 + whole, 12)
    last = calendar.monthrange(year, m0 + 1)[1]
    end = dt.date(year, m0 + 1, min(start.day, last))
    return end + dt.timedelta(days=round((months - whole) * MONTH_DAYS))


def _lockup_end(inv: dict[str, Any]) -> dt.date | None:
    if inv.get("lockup_expiry") is not None:
        return _day(inv["lockup_expiry"])
    if inv.get("investment_date") is None or inv.get("lockup_months") is None:
        return None
    return _months_after(_day(inv["investment_date"]), float(inv["lockup_months"]))


def _band(pts: Any, x: float) -> float:
    if x <= pts[0][0]:
        return float(pts[0][1])
    if x >= pts[-1][0]:
        return float(pts[-1][1])
    for (x0, y0), (x1, y1) in pairwise(pts):
        if x <= x1:
            return float(y0 + (y1 - y0) * (x - x0) / (x1 - x0))
    return float(pts[-1][1])


def _dim(weights: dict[str, float], bands: dict[str, Any], got: dict[str, float | None],
         ) -> tuple[float | None, float]:
    """Weighted mean of every metric, one without data at its band's lowest points (omission
    never helps), and the coverage (share of weight with data)."""
    total = sum(weights.values())
    gw = aw = ws = 0.0
    for name, w in weights.items():
        raw = got.get(name)
        band = bands[name]
        if raw is None or not math.isfinite(raw):
            # Every band given as a function here (log scales, data_moat, cadence) starts at 0.
            lowest = 0.0 if callable(band) else min(float(y) for _x, y in band)
            aw += w
            ws += w * lowest
            continue
        pts = band(raw) if callable(band) else _band(band, raw)
        pts = min(100.0, max(0.0, pts))
        gw += w
        ws += w * pts
    return (ws / (gw + aw) if gw else None), (gw / total if total else 0.0)


def scores(p: dict[str, Any]) -> dict[str, tuple[float | None, float]]:
    """The four dimension scores (score, coverage) from the parsed document."""
    fin = p.get("financials") or {}
    tech = p.get("technology")
    g: dict[str, float | None] = {}
    # technical_defensibility
    moat_pts: float | None = None
    cad_pts: float | None = None
    if tech:
        claims = tech.get("benchmark_claims") or ()
        known = []
        for c in claims:
            rep = c.get("reproduction")
            flag = (abs(rep["score"] - c["score"]) <= 2.0 if rep is not None
                    else c.get("independently_reproduced"))
            if flag is not None:
                known.append(flag)
        g["reproduced_benchmarks"] = 100.0 * sum(map(bool, known)) / len(known) if known else None
        g["claim_evidence"] = (sum(CLAIM_GRADE[c.get("claimed_by", "self")] for c in claims)
                               / len(claims) if claims else None)
        g["capability_rank"] = num(tech.get("capability_percentile"))
        assets = tech.get("data_assets") or ()
        if assets:
            moat_pts = _band(_BANDS_TD["data_moat"], sum(EXCL[a["exclusivity"]] for a in assets))
            if all(a.get("self_reported", True) for a in assets):
                moat_pts = min(moat_pts, 60.0)
        rel = num(tech.get("releases_12m"))
        if rel is not None:
            cad_pts = _band(_BANDS_TD["cadence"], rel)  # no open-weights bonus by default
    rnd = num(fin.get("rnd_expense"))
    g["rnd_spend"] = (None if rnd is None
                      else rnd * FX[fin["currency"].upper()] / 1e9)
    td = dict(_BANDS_TD, data_moat=lambda _v: moat_pts, cadence=lambda _v: cad_pts)
    g["data_moat"] = 0.0 if moat_pts is not None else None
    g["cadence"] = 0.0 if cad_pts is not None else None
    s_td = _dim(TD_W, td, g)

    # application_stickiness
    cust = p.get("customers") or {}
    a: dict[str, float | None] = {"ndr": num(cust.get("ndr_pct")),
                                  "gdr": num(cust.get("gdr_pct"))}
    mix = fin.get("revenue_mix")
    if mix and any(mix.get(k) is not None for k in ("subscription_pct", "usage_api_pct",
                                                   "project_on_prem_pct", "consumer_app_pct",
                                                   "other_pct")):
        a["recurring_revenue_share"] = sum(num(mix.get(k)) or 0.0
                                           for k in ("subscription_pct", "usage_api_pct"))
    a["customer_concentration"] = num(fin.get("top5_customer_share_pct"))
    a["gross_margin"] = num(fin.get("gross_margin_pct"))
    a["logo_churn"] = num(cust.get("logo_churn_pct"))
    a["enterprise_customers"] = num(cust.get("enterprise_customers"))
    rev = num(fin.get("revenue"))
    rate = FX[fin["currency"].upper()] if rev else 0.0
    parts = [(math.log10(rev * rate * sg["revenue_share_pct"] / 100 / sg["customers"]
                         / SEGMENT_REF[sg["segment"]]) if rev else -math.inf,
              sg["revenue_share_pct"])
             for sg in cust.get("segments") or () if sg["revenue_share_pct"] > 0
             and sg["customers"] > 0] if rev is not None else []
    if parts:
        mean = sum(x * w for x, w in parts) / sum(w for _, w in parts)
        a["revenue_per_customer"] = 10 ** mean if math.isfinite(mean) else 0.0
    shares = [v.get("revenue_share_pct") for v in p.get("verticals") or ()]
    if shares and None not in shares and sum(shares) > 0:
        a["vertical_concentration"] = sum((x / sum(shares)) ** 2 for x in shares)
    gr, ocf = num(fin.get("revenue_growth_pct")), num(fin.get("operating_cash_flow"))
    if gr is not None and ocf is not None and rev is not None and rev > 0 \
            and rev * rate >= 10e6 * FX["USD"]:
        a["rule_of_40"] = gr + 100.0 * ocf / rev
    s_as = _dim(AS_W, _BANDS_AS, a)

    # institutional_backing
    b: dict[str, float | None] = {}
    cash, burn = num(fin.get("cash")), num(fin.get("monthly_net_burn"))
    if cash is not None and burn is not None:
        b["runway"] = 24.0 if burn <= 0 else max(0.0, cash / burn)
    invs = p.get("investors") or ()
    amts = [FX[i["amount"]["currency"]] * i["amount"]["amount"] if i.get("amount") else None
            for i in invs]

    def wmean(items: list[tuple[float, float | None]]) -> float:
        # an investor without an amount could weigh any amount: at the least favourable
        wa = [(v, w) for v, w in items if w is not None and w > 0]
        lowest = min((v for v, w in items if w is None), default=math.inf)
        if wa:
            return min(sum(v * w for v, w in wa) / sum(w for _, w in wa), lowest)
        if lowest < math.inf:
            return lowest
        return sum(v for v, _ in items) / len(items)

    if invs:
        b["investor_quality"] = wmean([(max(float(i["tier"]), TIERS[i["type"]])
                                        if i.get("tier") is not None else TIERS[i["type"]], w)
                                       for i, w in zip(invs, amts, strict=True)])
        as_of = _day(p["as_of"]) if p.get("as_of") is not None else None
        if as_of is not None and any(i.get("lockup_months") is not None
                                     or i.get("lockup_expiry") is not None for i in invs):
            ends = [_lockup_end(i) for i in invs]  # unknown: 0 months left, may unlock
            b["lockup_remaining"] = wmean([
                (max(0.0, (e - as_of).days / MONTH_DAYS) if e is not None else 0.0, w)
                for e, w in zip(ends, amts, strict=True)])
            horizon = _months_after(as_of, 6.0)
            unlocking = [i for i, e in zip(invs, ends, strict=True)
                         if (as_of < e <= horizon if e is not None else
                             not (i.get("lockup_expiry") is None
                                  and i.get("lockup_months") == 0))]
            if all(i.get("stake_pct") is not None for i in unlocking):
                b["overhang"] = sum(i["stake_pct"] for i in unlocking)
        known_amts = [x for x in amts if x is not None]
        b["capital_raised"] = sum(known_amts) / 1e9 if known_amts else None
        total = sum(known_amts)
        b["strategic_dependence"] = max(
            (max(100.0 if w is None else 100.0 * w / total if total > 0 else 0.0,
                 100.0 if i.get("revenue_share_pct") is None else i["revenue_share_pct"])
             for i, w in zip(invs, amts, strict=True) if i["type"] == "strategic"),
            default=0.0)
    marks = sorted(p.get("valuation_history") or (), key=lambda m: _day(m["as_of"]))
    if len(marks) >= 2:
        peak, worst = FX[marks[0]["currency"]] * marks[0]["amount"], 0.0
        for m in marks[1:]:
            v = FX[m["currency"]] * m["amount"]
            worst, peak = max(worst, 100.0 * (1 - v / peak)), max(peak, v)
        b["down_round"] = worst
    lst = p.get("listing")
    b["listing"] = LISTING[lst["status"]] if lst else None
    s_ib = _dim(IB_W, _BANDS_IB, b)

    # regulatory_readiness: counts of records in force, banded
    r: dict[str, float | None] = {}
    services = p.get("services") or ()
    filings = p.get("filings")
    if filings is not None:
        def records(regimes: tuple[str, ...]) -> int:
            return len({f.get("filing_number") or f.get("service")
                        or f"{f['regime']} (company-level)" for f in filings
                        if f["regime"] in regimes and f.get("status") in IN_FORCE})
        n = records(("CAC_GENAI_FILING", "CAC_GENAI_REGISTRATION"))
        if n or any(s.get("public_prc", True) and s.get("kind", "generative") == "generative"
                    for s in services):
            r["filed_models"] = float(n)
        n = records(("CAC_ALGORITHM", "CAC_DEEP_SYNTHESIS"))
        if n or any(s.get("public_prc", True) and (s.get("public_opinion")
                                                   or s.get("kind", "generative") != "generative")
                    for s in services):
            r["filed_algorithms"] = float(n)
    appr = p.get("sector_approvals")
    if appr is not None:
        held = {(x["regulator"].strip(), x["sector"].strip().casefold()) for x in appr
                if x.get("status") in IN_FORCE}
        if held or any(v.get("exemption") is None for v in p.get("verticals") or ()):
            r["sector_approvals"] = float(len(held))
    comp = p.get("compliance") or {}
    if comp.get("mlps_level3_systems") is not None:
        r["security_protection"] = float(comp["mlps_level3_systems"])
    pi = p.get("personal_information") or {}
    if pi.get("compliance_audits") is not None:
        r["pi_audits"] = float(len(pi["compliance_audits"]))
    if comp.get("certifications") is not None:
        as_of = p.get("as_of")
        r["certifications"] = float(sum(
            1 for c in comp["certifications"] if c.get("valid_until") is None or as_of is None
            or str(c["valid_until"]) >= as_of))
    s_rr = _dim(RR_W, _BANDS_RR, r)
    return {"application_stickiness": s_as, "institutional_backing": s_ib,
            "regulatory_readiness": s_rr, "technical_defensibility": s_td}


