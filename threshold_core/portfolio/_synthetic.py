"""Seeded synthetic portfolios: realistic profiles for tests and benchmarks.

Every profile is a raw document in the profile schema (the same shape as a
profile file), generated from one ``random.Random(seed)``: the same seed and
count always give the same portfolio. The distributions are loose fits to the
public figures of Chinese model companies (see ``examples/companies``):
valuations from a few hundred million to tens of billions of yuan, loss-making
labs with high R&D intensity, mixed filing and chip-supply pictures. Every
figure carries ``source = "synthetic"``, the valuation ``"synthetic: "`` and the kind of
source it stands for (graded as that kind, so that the gate tests it).
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from typing import Any

SOURCE = "synthetic"

_PROVINCES = ("Beijing", "Shanghai", "ZheJiang", "Guangdong", "Jiangsu", "Sichuan")
_SECTORS = ("finance", "healthcare", "manufacturing", "education", "entertainment", "retail")
_REGULATORS = {"finance": "NFRA", "healthcare": "NMPA", "education": "MoE"}
_CAC_REGISTRIES = ("CAC_ALGORITHM", "CAC_DEEP_SYNTHESIS", "CAC_GENAI_FILING",
                   "CAC_GENAI_REGISTRATION")
_INVESTOR_TYPES = ("state_fund", "strategic", "vc", "pe", "sovereign", "cornerstone", "other")
#: The tier each synthetic investor states, by type: a synthetic strategic is a hyperscaler,
#: a synthetic vc, pe or cornerstone a top-tier fund (left out, a tier is the least its
#: type has: 1 for each of them).
_STATED_TIERS = {"state_fund": 3, "strategic": 3, "vc": 2, "pe": 2, "sovereign": 2,
                 "cornerstone": 2, "other": 1}


def _pct(rng: random.Random, lo: float, hi: float) -> float:
    return round(rng.uniform(lo, hi), 1)


def synthetic_profile(rng: random.Random, index: int) -> dict[str, Any]:
    """One synthetic profile document."""
    cid = f"synth-{index:06d}"
    province = rng.choice(_PROVINCES)
    model = f"Model{index}"
    valuation_cny = 10 ** rng.uniform(8.5, 10.8)
    revenue = 10 ** rng.uniform(7.0, 9.6)
    listed = rng.random() < 0.25
    currency = "USD" if rng.random() < 0.5 else "CNY"
    profile: dict[str, Any] = {
        "id": cid,
        "name": f"Synthetic AI {index}",
        # Made up like every other figure, and taken as confirmed so that the profiles reach
        # every verdict (left out, DIS-001 would count as an assumed high finding).
        "verified": True,
        "as_of": "2026-06-30",
        "hq_province": province,
        "valuation": {
            "amount": round(valuation_cny / (7.17 if currency == "USD" else 1.0), -3),
            "currency": currency,
            "basis": "market_cap" if listed else "last_round_post_money",
            # Made up like every other figure, and named as the kind of source such a
            # valuation has (an exchange close, a press report of the round) so that the
            # gate tests it: a valuation graded unsourced (plain "synthetic") cannot pass.
            "source": f"{SOURCE}: {'stock exchange close' if listed else 'news of the round'}",
            "as_of": "2026-03-31",
        },
        "listing": {"status": "listed" if listed else rng.choice(("private", "filed"))},
        "financials": {
            "currency": "CNY",
            "period": "FY2025",
            "source": SOURCE,
            "revenue": round(revenue, -3),
            "revenue_growth_pct": _pct(rng, -20, 150),
            "gross_margin_pct": _pct(rng, -20, 75),
            "fcf_margin_pct": _pct(rng, -300, 20),
            "rnd_expense": round(revenue * rng.uniform(0.2, 4.0), -3),
            "cash": round(10 ** rng.uniform(8.0, 10.3), -3),
            "monthly_net_burn": round(10 ** rng.uniform(6.5, 8.7), -3),
            "overseas_revenue_pct": _pct(rng, 0, 80),
            "top5_customer_share_pct": _pct(rng, 5, 80),
            "revenue_mix": {
                "subscription_pct": _pct(rng, 0, 50),
                "usage_api_pct": _pct(rng, 0, 40),
                "project_on_prem_pct": _pct(rng, 0, 10),
            },
        },
        "customers": {
            "source": SOURCE,
            "ndr_pct": _pct(rng, 70, 150),
            "gdr_pct": _pct(rng, 65, 99),
        },
        "technology": {
            "source": SOURCE,
            "capability_percentile": _pct(rng, 5, 99),
            "capability_leaderboard": "SuperCLUE",
            "releases_12m": rng.randint(0, 5),
            "benchmark_claims": [
                {"benchmark": b, "score": _pct(rng, 50, 95),
                 "independently_reproduced": rng.random() < 0.6, "claimed_by": "self"}
                for b in ("C-Eval", "MMLU-Pro", "CMMLU")[: rng.randint(1, 3)]
            ],
            "data_assets": [
                {"description": f"dataset {k}",
                 "exclusivity": rng.choice(("exclusive", "licensed", "public")),
                 "self_reported": rng.random() < 0.5}
                for k in range(rng.randint(0, 3))
            ],
            "models": [{"name": model, "open_weights": rng.random() < 0.4}],
        },
        "services": [
            {"name": f"{model} Chat", "kind": "generative", "public_prc": True,
             "public_opinion": rng.random() < 0.5, "eu_users": rng.random() < 0.2,
             "companion": rng.random() < 0.1, "minor_mode": rng.random() < 0.5,
             # Stated, like every flag a rule reads (left out, each is unknown).
             "consumer": False, "face_voice_editing": False, "auto_prescription": False,
             "ascend_outside_prc": False},
        ],
        "filings": [],
        "sector_approvals": [],
        "verticals": [],
        "investors": [],
    }
    if rng.random() < 0.8:
        profile["filings"].append({
            "regime": "CAC_GENAI_FILING", "authority": "CAC",
            "filing_number": f"{province}-{model}-2024"
            f"{rng.randint(1, 12):02d}{rng.randint(1, 28):02d}",
            "service": f"{model} Chat", "status": "active",
            "displayed_on_product": rng.random() < 0.8,
        })
    if rng.random() < 0.7:
        digits = "".join(str(rng.randint(0, 9)) for _ in range(21))
        profile["filings"].append({
            "regime": "CAC_ALGORITHM", "authority": "CAC",
            "filing_number": f"网信算备{digits}号", "service": f"{model} Chat", "status": "active",
            "displayed_on_product": True,
        })
    for sector in rng.sample(_SECTORS, rng.randint(0, 3)):
        share = _pct(rng, 2, 40)
        profile["verticals"].append({
            "sector": sector, "revenue_share_pct": share,
            "decision_support": rng.random() < 0.4,
            "nfra_regulated_clients": sector == "finance",
            "human_oversight": rng.random() < 0.7,
        })
        if sector in _REGULATORS and rng.random() < 0.5:
            profile["sector_approvals"].append({
                "sector": sector, "regulator": _REGULATORS[sector], "status": "active"})
    for k in range(rng.randint(1, 5)):
        profile["investors"].append({
            "name": f"Investor {k}", "type": rng.choice(_INVESTOR_TYPES),
            "amount": {"amount": round(10 ** rng.uniform(7.5, 9.5), -3), "currency": "CNY"},
            "lockup_months": float(rng.choice((0, 6, 12, 18, 24))),
        })
    # Dated lock-ups, tiers and a strategic backer's revenue share, stated like every other
    # figure (left out, each counts at its least favourable; no random draws, so earlier
    # figures keep their values).
    for investor in profile["investors"]:
        investor["investment_date"] = "2026-03-31"
        investor["tier"] = _STATED_TIERS[investor["type"]]
        if investor["type"] == "strategic":
            investor["revenue_share_pct"] = 5.0
    if rng.random() < 0.85:
        profile["content_labeling"] = {"explicit": rng.random() < 0.9,
                                       "implicit_metadata": rng.random() < 0.8}
    if rng.random() < 0.7:
        profile["security_assessment"] = {"corpus_blacklist": True, "keyword_library": True,
                                          "refusal_test_banks": rng.random() < 0.8}
    if rng.random() < 0.75:
        profile["evaluations"] = {
            # XSTest's own sizes: 250 benign and 200 unsafe prompts.
            "safety": [{"suite": "XSTest", "over_refusal_pct": _pct(rng, 0, 25),
                        "unsafe_compliance_pct": _pct(rng, 0, 25), "independent": True,
                        "n_benign": 250, "n_unsafe": 200}],
            "hallucination": [{"domain": "finance", "confabulation_pct": _pct(rng, 1, 12)}]
            if rng.random() < 0.5 else [],
            "bias": [{"suite": "CBBQ"}] if rng.random() < 0.6 else [],
            "benign_canned_refusal_pct": 3.0,
        }
    if rng.random() < 0.8:
        total = rng.uniform(500, 20000)
        us = rng.uniform(0, 0.8)
        offshore = rng.uniform(0, 0.3) * us
        profile["compute"] = {
            "source": SOURCE,
            "runway_months": _pct(rng, 2, 36),
            "non_cuda_stack_validated": rng.random() < 0.5,
            "accelerators": [
                {"vendor": "NVIDIA", "model": "H20",
                 "h100_equiv": round(total * (us - offshore), 1),
                 "chip_class": "us_licensed", "tenure": "owned", "location_country": "CN"},
                {"vendor": "NVIDIA", "model": "H100", "h100_equiv": round(total * offshore, 1),
                 "chip_class": "us_3a090a", "tenure": "leased_offshore",
                 "location_country": "MY", "licensed": True},
                {"vendor": "Huawei", "model": "Ascend 910B",
                 "h100_equiv": round(total * (1 - us), 1), "chip_class": "domestic",
                 "tenure": "owned", "location_country": "CN"},
            ],
            "capacity_plan": {"planned_h100_equiv": round(total * 1.1, 1),
                              "contracted_h100_equiv": round(total, 1), "horizon_months": 12},
        }
    profile["export_controls"] = {"entity_list": rng.random() < 0.1,
                                  "relies_on_new_us_items": False}
    # Researched, as a committee would have it (no random draws: earlier figures keep
    # their values): dated export-control, CAC registry and sanctions screenings and the
    # EU exposure the services imply.
    profile["export_controls"]["checked_on"] = "2026-06-15"
    profile["export_controls"]["affiliates_listed"] = []
    profile["registry_checks"] = {regime: {"checked_on": "2026-06-15", "source": SOURCE}
                                  for regime in _CAC_REGISTRIES}
    profile["investment_screening"] = {
        "checked_on": "2026-06-15", "source": SOURCE, "covered_foreign_person": True,
        "max_training_flops": 1e22, "ns_cmic_listed": False, "section_1260h_listed": False,
        "sdn_listed": False, "listed_owners_pct": 0.0, "biological_sequence_data": False,
        "ai_end_uses": [],
    }
    # The MIIT and 2018-assessment registries searched: an ICP record for the service, and
    # the assessment for a public-opinion service that also holds its CAC filing.
    filed = any(f["regime"] == "CAC_GENAI_FILING" for f in profile["filings"])
    profile["filings_researched"] = ["MIIT_ICP", "SEC_ASSESSMENT_2018"]
    profile["filings"].append({"regime": "MIIT_ICP", "authority": "MIIT",
                               "service": f"{model} Chat", "status": "active"})
    if filed and profile["services"][0]["public_opinion"]:
        profile["filings"].append({"regime": "SEC_ASSESSMENT_2018", "authority": "CAC",
                                   "service": f"{model} Chat", "status": "active"})
    profile["personal_information"] = {
        "source": SOURCE, "individuals": 2e6, "compliance_audits": ["2025-10-15"],
        "cross_border_individuals": 0, "cross_border_sensitive_individuals": 0,
    }
    profile["litigation"] = []
    profile["eu_exposure"] = {"serves_eu_users": any(s["eu_users"] for s in profile["services"]),
                              "gpai_provider": False, "prohibited_uses": [], "source": SOURCE}
    profile["ethics_governance"] = {"committee": rng.random() < 0.6,
                                    "published_principles": rng.random() < 0.6}
    profile["enforcement"] = []
    if rng.random() < 0.15:
        profile["enforcement"] = [{"authority": "CAC", "action": rng.choice(("summons", "penalty")),
                                   "action_date": "2025-11-01", "resolved": rng.random() < 0.5}]
    return profile


def synthetic_portfolio(count: int, seed: int = 0) -> Iterator[dict[str, Any]]:
    """``count`` profile documents, generated lazily from ``seed``."""
    rng = random.Random(seed)
    for i in range(count):
        yield synthetic_profile(rng, i)
