"""ACME Capital's exposure rules: a firm's proprietary pack as a Python drop-in.

No packaging: put the file in a folder named by ``--rules-dir`` (or
``rule_dirs`` in ``threshold.toml``) and it is loaded as a plugin under its
file name, ``acme_exposure``. Its limits are ACME's own house policy
(illustrative) and can be changed under ``[settings.acme_exposure]``.

``TESTS`` holds the pack's tests in the same shape as a TOML pack's
``[[tests]]``; ``threshold test examples/rulepacks`` runs them.
"""

from __future__ import annotations

from typing import Any

from attrs import frozen

from threshold_core import Context, Pack, fired, hookimpl, not_evaluated, passed, rule
from threshold_core.kit import Parameter, house_policy
from threshold_core.model import CompanyProfile, Tenure

__version__ = "1.1.0"

NAME = "acme_exposure"


@frozen
class ExposureSettings:
    #: Highest share of revenue from the top five customers, percent.
    max_top5_share_pct: float = 40.0


@rule(
    "ACME-101",
    title="Customer concentration above the house limit",
    severity="medium",
    dimension="application_stickiness",
    rationale="Losing one of a handful of customers would break the revenue plan ACME underwrites.",
    source="ACME Capital investment policy §4.3 (illustrative)",
)
def concentration(
    profile: CompanyProfile, settings: ExposureSettings, context: Context
) -> Any:
    fin = profile.financials
    if fin is None or fin.top5_customer_share_pct is None:
        return not_evaluated("financials.top5_customer_share_pct")
    share = fin.top5_customer_share_pct.value
    evidence = {"financials.top5_customer_share_pct": share}
    if share > settings.max_top5_share_pct:
        return fired(
            f"the top five customers bring {share:g}% of revenue "
            f"(house limit {settings.max_top5_share_pct:g}%)",
            evidence=evidence,
        )
    return passed(evidence)


@rule(
    "ACME-102",
    title="Entity-listed and renting compute abroad",
    severity="high",
    dimension="technical_defensibility",
    rationale="An Entity-Listed company that leases accelerators offshore depends on capacity a "
    "single licensing decision can withdraw; ACME's mandate excludes that exposure.",
    source="ACME Capital sanctions policy §2 (illustrative); US EAR Entity List",
)
def offshore_compute(profile: CompanyProfile, settings: Any, context: Context) -> Any:
    if profile.export_controls is None:
        return not_evaluated("export_controls")
    if profile.compute is None:
        return not_evaluated("compute")
    offshore = [a.model for a in profile.compute.accelerators
                if a.tenure is Tenure.LEASED_OFFSHORE]
    tenures = [str(a.tenure or "unknown") for a in profile.compute.accelerators]
    evidence = {"export_controls.entity_list": profile.export_controls.entity_list,
                "compute.accelerators[].tenure": tenures}
    if profile.export_controls.entity_list and offshore:
        return fired(f"on the Entity List and leasing offshore: {', '.join(offshore)}",
                     evidence=evidence)
    # A tenure left out is unknown, never presumed owned: it could be leased offshore.
    unknown = [f"compute.accelerators[{i}].tenure"
               for i, a in enumerate(profile.compute.accelerators) if a.tenure is None]
    if profile.export_controls.entity_list and unknown:
        return not_evaluated(*unknown)
    return passed(evidence)


PACK = Pack(
    name=NAME,
    version=__version__,
    rules=[concentration, offshore_compute],
    # Where each threshold comes from: `threshold rules --parameters --pack acme_exposure`
    # lists it (an undeclared one shows as unsourced).
    parameters=[Parameter("max_top5_share_pct",
                          house_policy("ACME Capital investment policy §4.3 (illustrative)"),
                          "ACME-101: highest top-five customer share, percent")],
)


@hookimpl
def threshold_register_rule_packs(register: Any) -> None:
    register(PACK)


@hookimpl
def threshold_settings_types() -> dict[str, type]:
    return {NAME: ExposureSettings}


ZHIPU = "../companies/zhipu.toml"

TESTS = [
    {
        "name": "zhipu as published",
        "base": ZHIPU,
        "expect": [{"rule": "ACME-101", "severity": "medium"}],
        "not_evaluated": [],
    },
    {
        "name": "zhipu leasing H100s in Malaysia",
        "base": ZHIPU,
        "patch": {"compute": {"accelerators": [
            {"vendor": "Nvidia", "model": "H100 (leased)", "h100_equiv": 800,
             "chip_class": "us_3a090a", "tenure": "leased_offshore", "location_country": "MY"},
        ]}},
        "expect": [
            {"rule": "ACME-101", "severity": "medium"},
            {"rule": "ACME-102", "severity": "high"},
        ],
    },
    {
        "name": "no financials: concentration not evaluated",
        "base": ZHIPU,
        "remove": ["financials"],
        "expect": [],
        "not_evaluated": ["ACME-101"],
    },
]
