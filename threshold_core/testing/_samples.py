"""Sample profiles the contract checks run components on, and the context they run in.

A spread of fixed profiles (an empty one, a minimal one that passes the gate, a
rich one with every section filled, the rich one scaled), the example companies
when they can be found, and helpers to build more (:func:`deep_merge`).
"""

from __future__ import annotations

import contextlib
import copy
import datetime as dt
import re
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from ..errors import InputError
from ..load import profile_from_data
from ..model import CompanyProfile, Context, FxConfig, FxTable

__all__ = [
    "CONTEXT",
    "EMPTY_PROFILE",
    "MINIMAL_PROFILE",
    "RICH_PROFILE",
    "deep_merge",
    "example_profile_paths",
    "examples_dir",
    "sample_profiles",
]

#: A profile with nothing but its identity: no component may find data in it.
EMPTY_PROFILE: dict[str, Any] = {"id": "empty", "name": "Empty profile"}

#: The smallest profile that passes the gate (RMB 5bn market value).
MINIMAL_PROFILE: dict[str, Any] = {
    "id": "acme",
    "name": "Acme AI",
    "verified": True,
    "as_of": dt.date(2026, 6, 30),
    # a source the gate accepts (one matching no pattern is graded unsourced and refused)
    "valuation": {"amount": 5.0e9, "currency": "CNY", "basis": "market_cap",
                  "source": "test: stock exchange close"},
}

#: The service flags the rules read, stated false where a sample service does not say.
_STATED: dict[str, Any] = {
    "public_opinion": False, "companion": False, "consumer": False, "eu_users": False,
    "face_voice_editing": False, "auto_prescription": False, "ascend_outside_prc": False,
}

#: A profile with every section filled, so that every built-in metric and rule has data.
RICH_PROFILE: dict[str, Any] = {
    **MINIMAL_PROFILE,
    "id": "rich",
    "name": "Rich Example AI",
    "hq_province": "Beijing",
    "listing": {"status": "filed", "exchange": "STAR"},
    "financials": {
        "currency": "CNY", "period": "FY2025", "source": "test",
        "revenue": 800e6, "revenue_growth_pct": 60.0, "gross_margin_pct": 45.0,
        "fcf_margin_pct": -30.0, "rnd_expense": 240e6, "cash": 3.0e9,
        "monthly_net_burn": 150e6, "overseas_revenue_pct": 20.0,
        "top5_customer_share_pct": 35.0,
        "revenue_mix": {"subscription_pct": 30.0, "usage_api_pct": 25.0,
                        "project_on_prem_pct": 40.0, "consumer_app_pct": 5.0},
    },
    "customers": {"ndr_pct": 112.0, "gdr_pct": 88.0, "enterprise_customers": 400,
                  "logo_churn_pct": 8.0,
                  "segments": [{"segment": "enterprise", "revenue_share_pct": 70.0,
                                "customers": 400},
                               {"segment": "developer", "revenue_share_pct": 30.0,
                                "customers": 6000}]},
    "technology": {
        "capability_percentile": 70.0, "capability_leaderboard": "SuperCLUE",
        "releases_12m": 2,
        "benchmark_claims": [
            {"benchmark": "C-Eval", "score": 80.0, "independently_reproduced": True,
             "claimed_by": "self"},
            {"benchmark": "MMLU", "score": 75.0, "independently_reproduced": False,
             "claimed_by": "self"},
            {"benchmark": "GSM8K", "score": 70.0, "independently_reproduced": True,
             "claimed_by": "self"},
        ],
        "data_assets": [
            {"description": "hospital records", "exclusivity": "licensed", "self_reported": False},
            {"description": "own app logs", "exclusivity": "exclusive"},
        ],
        "models": [{"name": "Rich-1", "open_weights": False, "params_b": 70.0}],
    },
    # Every flag a rule reads stated (left out, each is unknown and its rule not evaluated).
    "services": [
        {**_STATED, "name": "RichChat", "kind": "generative", "public_prc": True,
         "public_opinion": True},
        {**_STATED, "name": "RichAPI", "kind": "generative", "api_based": True,
         "foundation_model": "Rich-1", "foundation_model_filed": True},
        {**_STATED, "name": "RichRec", "kind": "algorithm_recommendation"},
    ],
    "filings": [
        {"regime": "CAC_GENAI_FILING", "service": "RichChat", "status": "active",
         "filing_number": "Beijing-RichChat-20240101", "filing_date": dt.date(2024, 1, 1),
         "displayed_on_product": True},
        {"regime": "CAC_DEEP_SYNTHESIS", "service": "RichChat", "status": "active",
         "displayed_on_product": False},
        {"regime": "CAC_ALGORITHM", "service": "RichRec", "status": "active",
         "material_change_date": dt.date(2026, 1, 5), "change_filed_date": dt.date(2026, 1, 30)},
    ],
    "sector_approvals": [{"sector": "healthcare", "regulator": "NMPA", "status": "active"}],
    "verticals": [
        {"sector": "healthcare", "revenue_share_pct": 30.0, "decision_support": True,
         "human_oversight": True, "personal_data_in_training": False,
         "nfra_regulated_clients": False},
        {"sector": "finance", "revenue_share_pct": 25.0, "nfra_regulated_clients": True,
         "decision_support": False},
        {"sector": "retail", "revenue_share_pct": 5.0, "decision_support": False,
         "nfra_regulated_clients": False},
    ],
    "content_labeling": {"explicit": True, "implicit_metadata": False},
    "security_assessment": {"corpus_blacklist": True, "keyword_library": True,
                            "refusal_test_banks": False},
    "evaluations": {
        "benign_canned_refusal_pct": 8.0,
        "safety": [
            {"suite": "XSTest", "over_refusal_pct": 9.0, "unsafe_compliance_pct": 4.0,
             "language": "en", "independent": True},
            {"suite": "CHiSafetyBench", "over_refusal_pct": 6.0, "unsafe_compliance_pct": 3.0,
             "language": "zh"},
        ],
        "hallucination": [{"domain": "medical", "confabulation_pct": 6.0}],
        "bias": [{"suite": "CBBQ"}],
    },
    "compute": {
        "runway_months": 10,
        "non_cuda_stack_validated": False,
        "accelerators": [
            {"vendor": "Nvidia", "model": "H800", "h100_equiv": 800, "chip_class": "us_3a090a",
             "licensed": True, "tenure": "owned"},
            {"vendor": "Huawei", "model": "Ascend 910B", "h100_equiv": 600,
             "chip_class": "domestic", "tenure": "owned"},
            {"vendor": "Nvidia", "model": "H20", "h100_equiv": 300, "chip_class": "us_licensed",
             "tenure": "leased_offshore", "location_country": "SG", "licensed": True},
        ],
    },
    "export_controls": {"entity_list": False, "checked_on": dt.date(2026, 6, 1)},
    "registry_checks": {regime: {"checked_on": dt.date(2026, 6, 1)}
                        for regime in ("CAC_ALGORITHM", "CAC_DEEP_SYNTHESIS", "CAC_GENAI_FILING",
                                       "CAC_GENAI_REGISTRATION")},
    # One investor with an amount, and one whose lock-up is the shortest and ends within the
    # overhang window: moving its months, its stake or the amount moves exactly one metric of
    # institutional_backing, which the monotonicity check needs (a lock-up without an amount
    # could weigh any amount: the shortest sets the mean).
    "investors": [
        {"name": "City AI Fund", "type": "state_fund",
         "amount": {"amount": 2.0e9, "currency": "CNY"}, "lockup_months": 36,
         "investment_date": dt.date(2026, 6, 30)},
        {"name": "Top VC", "type": "vc", "tier": 2, "lockup_months": 12,
         "investment_date": dt.date(2026, 6, 30)},
        {"name": "Angel", "type": "other", "tier": 1, "lockup_months": 3,
         "investment_date": dt.date(2026, 6, 30), "stake_pct": 3.0},
    ],
    "enforcement": [
        {"authority": "CAC", "action": "summons", "action_date": dt.date(2025, 11, 1)},
        {"authority": "CAC", "action": "penalty", "action_date": dt.date(2023, 3, 1),
         "resolved": True},
    ],
    "ethics_governance": {"committee": True, "members": 4, "expert_rereview_done": False,
                          "published_principles": True},
    "litigation": [{"counterparty": "A Publisher", "subject": "copyright",
                    "claim": {"amount": 5e6, "currency": "CNY"}}],
    "eu_exposure": {"serves_eu_users": True, "gpai_provider": True,
                    "gpai_documentation": False, "training_flops": 2e24},
    # Compliance breadth (regulatory_readiness) and the sections the PRC, investor-side
    # and listing rules read.
    "compliance": {"mlps_level3_systems": 1,
                   "certifications": [{"standard": "ISO/IEC 27001"}]},
    "personal_information": {"individuals": 20e6, "compliance_audits": [dt.date(2025, 12, 1)],
                             "cross_border_individuals": 50_000,
                             "cross_border_mechanism": "standard_contract"},
    "investment_screening": {"checked_on": dt.date(2026, 6, 1), "covered_foreign_person": True,
                             "max_training_flops": 2e24, "ns_cmic_listed": False,
                             "section_1260h_listed": False, "sdn_listed": False,
                             "listed_owners_pct": 0.0, "biological_sequence_data": False},
}

#: Default FX table for the checks: the configuration's defaults.
_FX = FxConfig()
CONTEXT = Context(fx=FxTable(rates=_FX.rates, as_of=_FX.as_of, source=_FX.source),
                  as_of=dt.date(2026, 6, 30))


def deep_merge(base: Mapping[str, Any], overrides: Mapping[str, Any]) -> dict[str, Any]:
    """``base`` with ``overrides`` merged in: tables merge key by key, anything else
    (numbers, strings, lists) replaces, and None removes the key.

    The one merge of the test kit: ``make_profile(**overrides)`` and the ``patch`` of
    a rule pack's ``[[tests]]`` both use it. Replacing values are copied, so the
    result never shares a list or a table with ``overrides``.
    """
    out = dict(base)
    for key, value in overrides.items():
        if value is None:
            out.pop(key, None)
        elif isinstance(value, Mapping) and isinstance(out.get(key), Mapping):
            out[key] = deep_merge(out[key], value)
        else:
            out[key] = copy.deepcopy(value)
    return out


def examples_dir() -> Path | None:
    """The folder of example company profiles, or None when it cannot be found.

    A wheel ships them as package data (``threshold_core/examples``); a source
    checkout or an editable install has them at ``examples/companies`` next to
    the package.
    """
    package = Path(__file__).resolve().parent.parent  # threshold_core/
    for candidate in (package / "examples", package.parent / "examples" / "companies"):
        if candidate.is_dir() and any(candidate.glob("*.toml")):
            return candidate
    return None


def example_profile_paths() -> list[Path]:
    """Every example profile file, sorted by name (empty when none can be found)."""
    folder = examples_dir()
    return sorted(folder.glob("*.toml")) if folder is not None else []


def sample_profiles(extra: Iterable[CompanyProfile] = ()) -> list[tuple[str, CompanyProfile]]:
    """Labelled profiles the checks run on: the examples, minimal, rich, and ``extra``."""
    from ..load import load_profile

    out: list[tuple[str, CompanyProfile]] = []
    for path in example_profile_paths():
        out.append((f"example {path.name}", load_profile(path)))
    out.append(("minimal profile", profile_from_data(MINIMAL_PROFILE, "minimal")))
    out.append(("rich profile", profile_from_data(RICH_PROFILE, "rich")))
    for factor in (0.0, 3.0):
        scaled = _scaled(RICH_PROFILE, factor)
        with contextlib.suppress(InputError):  # the scaling keeps shares in range
            out.append((f"rich profile x{factor:g}", profile_from_data(scaled, "scaled")))
    out.extend((f"profile {p.id!r}", p) for p in extra)
    return out


_BOUNDED = re.compile(r"_pct$")


def _scaled(data: Any, factor: float, key: str = "") -> Any:
    """Every number times ``factor`` (shares clamped to 0-100; the valuation kept)."""
    if isinstance(data, Mapping):
        return {k: v if k == "valuation" else _scaled(v, factor, k) for k, v in data.items()}
    if isinstance(data, list):
        return [_scaled(v, factor, key) for v in data]
    if isinstance(data, bool) or not isinstance(data, (int, float)):
        return data
    value = data * factor
    if _BOUNDED.search(key) and key not in ("ndr_pct", "gdr_pct", "revenue_growth_pct",
                                            "gross_margin_pct", "fcf_margin_pct"):
        value = min(100.0, max(0.0, value))
    return int(value) if isinstance(data, int) else float(value)
