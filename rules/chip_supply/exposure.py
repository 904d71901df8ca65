"""Export-control exposure (CHIP-001 to CHIP-003, CHIP-008): Entity List, unlicensed or
unknown-provenance accelerators, licence-dependent resupply, Ascend abroad."""

from __future__ import annotations

from threshold_core.kit import (
    fired,
    fold,
    not_evaluated,
    rule,
    unreliable_check,
)
from threshold_core.model import (
    ChipClass,
    CompanyProfile,
    Context,
    RuleResult,
    Severity,
    Tenure,
    format_cutoff,
    format_share,
)
from threshold_rules.chip_supply.compute import (
    _ACCELERATORS,
    _accelerators,
    _is_ascend,
    _no_inventory,
    _share,
    _tiered,
)
from threshold_rules.chip_supply.settings import DIMENSION, ChipSupplySettings

# -- rules --------------------------------------------------------------------------


@rule(
    "CHIP-001",
    title="Company or affiliate on the US Entity List",
    severity=Severity.CRITICAL,
    severities=(Severity.CRITICAL, Severity.HIGH),
    dimension=DIMENSION,
    rationale="Listed parties need a licence for all items subject to the EAR, and foreign "
    "direct-product rules reach foreign-made chips; a roadmap that relies on new US-origin "
    "items cannot be executed (critical). A clear result needs the date the lists were "
    "checked (export_controls.checked_on), on or before the evaluation date and no more than "
    "screening_max_age_days (90) before it; a listing the profile reports stands whatever "
    "its date.",
    source="BIS Entity List additions of 15 Jan 2025 (EAR Part 744, Supp. 4); "
    "https://techcentral.co.za/us-blacklists-tencent-backed-ai-start-up/257720 ; "
    "the 90-day age of a clear screening relied on: house policy",
)
def entity_list(
    profile: CompanyProfile, settings: ChipSupplySettings, context: Context
) -> RuleResult:
    ec = profile.export_controls
    if ec is None:
        return not_evaluated("export_controls")
    evidence = {
        "export_controls.entity_list": ec.entity_list,
        "export_controls.affiliates_listed": None if ec.affiliates_listed is None
        else list(ec.affiliates_listed),
        "export_controls.relies_on_new_us_items": ec.relies_on_new_us_items,
        "export_controls.checked_on": ec.checked_on.isoformat() if ec.checked_on else None,
    }
    if not ec.entity_list and not ec.affiliates_listed:
        if ec.checked_on is None:
            # An undated screening is not a screening: it cannot clear the company.
            return not_evaluated(
                "export_controls.checked_on",
                *(() if ec.affiliates_listed is not None
                  else ("export_controls.affiliates_listed",)),
                message="not listed, but the screening has no date "
                "(export_controls.checked_on): not a screening",
            )
        if ec.affiliates_listed is None:
            # Left out: unknown, never "none" (a listed affiliate makes the company listed).
            return not_evaluated(
                "export_controls.affiliates_listed",
                message="the company is not listed, but the screening does not say whether "
                "any affiliate is (export_controls.affiliates_listed)",
            )
        # Nor is one dated after the evaluation date or too old to rely on (listings take
        # effect on publication).
        return unreliable_check("export_controls.checked_on", ec.checked_on, context.as_of,
                                settings.screening_max_age_days) or evidence
    who = [f"affiliate {a}" for a in ec.affiliates_listed or ()]
    if ec.entity_list:
        since = f" (listed {ec.listed_date})" if ec.listed_date else ""
        who.insert(0, "the company" + since)
    if ec.relies_on_new_us_items is None:
        # Left out: unknown, never presumed false (with new US-origin items it is critical).
        return not_evaluated("export_controls.relies_on_new_us_items",
                             message="on the US Entity List (" + ", ".join(who) + "); whether "
                             "the roadmap relies on new US-origin items decides the severity")
    if ec.relies_on_new_us_items:
        return fired(
            "on the US Entity List (" + ", ".join(who) + ") and the roadmap relies on new "
            "US-origin items",
            severity=Severity.CRITICAL,
            evidence=evidence,
        )
    return fired(
        "on the US Entity List: " + ", ".join(who), severity=Severity.HIGH, evidence=evidence
    )


@rule(
    "CHIP-002",
    title="3A090.a accelerators without a licence, or of unknown provenance",
    severity=Severity.CRITICAL,
    severities=(Severity.CRITICAL, Severity.HIGH),
    dimension=DIMENSION,
    rationale="Controlled accelerators held without the required licence expose the company "
    "to diversion and GP10 enforcement. Unknown provenance is a diligence gap rather than a "
    "proven breach, so it fires at a configurable lower tier (high by default).",
    source="EAR ECCN 3A090.a (BIS IFR of 17 Oct 2023); BIS guidance of 13 May 2025; "
    "https://blog.freshfields.us/post/102ksla/bis-guidance-targets-prc-advanced-computing-"
    "integrated-circuits-in-high-probabil ; https://www.crowell.com/en/insights/client-alerts/"
    "us-department-of-commerce-rescinds-biden-administrations-ai-diffusion-export-control-rule-"
    "and-issues-new-guidance-on-huawei-chips-for-ai-purposes-and-diligence-expectations ; "
    "unknown provenance at high: house policy",
)
def unlicensed_chips(
    profile: CompanyProfile, settings: ChipSupplySettings, context: Context
) -> RuleResult:
    accels = _accelerators(profile)
    if not accels:
        return not_evaluated(_ACCELERATORS)
    unlicensed, unknown = [], []
    for i, a in enumerate(accels):
        label = f"{_ACCELERATORS}[{i}]"
        if a.chip_class is ChipClass.US_3A090A and a.licensed is False:
            unlicensed.append(f"{a.vendor} {a.model} ({a.h100_equiv:g} H100e)")
        elif a.chip_class is ChipClass.US_3A090A and a.licensed is None:
            unknown.append(f"{a.vendor} {a.model}: licence status unknown ({label}.licensed)")
        elif a.chip_class is ChipClass.UNKNOWN:
            unknown.append(f"{a.vendor} {a.model}: chip class unknown ({label}.chip_class)")
    if unlicensed:
        return fired(
            "3A090.a accelerators held without a licence: " + ", ".join(unlicensed),
            severity=Severity.CRITICAL,
            evidence={_ACCELERATORS: unlicensed + unknown},
        )
    if unknown:
        return fired(
            "accelerators of unknown provenance: " + "; ".join(unknown),
            severity=settings.unknown_provenance_severity,
            evidence={_ACCELERATORS: unknown},
        )
    return {_ACCELERATORS: f"{len(accels)} accelerator line(s), provenance documented"}


@rule(
    "CHIP-003",
    title="High share of compute needs US licences to resupply",
    severity=Severity.HIGH,
    severities=(Severity.HIGH, Severity.MEDIUM),
    dimension=DIMENSION,
    rationale="H20 and H200 licensing swung between banned, a 15% and a 25% revenue share, and "
    "Beijing discouragement within twelve months; compute that depends on such licences "
    "cannot be planned on.",
    source="H20 licence requirement (Apr 2025) and reversal (Aug 2025); H200 rule (Dec "
    "2025-Jan 2026); https://www.nbcsandiego.com/news/business/money-report/nvidia-says-it-"
    "will-record-5-5-billion-quarterly-charge-tied-to-h20-processors-exported-to-china/"
    "3804789/ ; https://gmt8press.com/content/detail/352159 ; https://www.techspot.com/"
    "community/topics/china-bans-nvidia-amd-and-intel-ai-chips-from-state-funded-data-"
    "centers.295333/",
)
def restricted_share(
    profile: CompanyProfile, settings: ChipSupplySettings, context: Context
) -> RuleResult:
    if (missing := _no_inventory(profile)) is not None:
        return missing
    accels = _accelerators(profile)
    classes = frozenset(settings.restricted_classes)
    bars = (settings.restricted_high_pct, settings.restricted_medium_pct)
    share = _share(accels, lambda a: a.chip_class in classes, bars)
    evidence = {_ACCELERATORS: {"restricted_share_pct": share}}
    severity = _tiered((
        (share > settings.restricted_high_pct, Severity.HIGH),
        (share >= settings.restricted_medium_pct, Severity.MEDIUM),
    ))
    if severity is None:
        return evidence
    bar = (settings.restricted_high_pct if severity is Severity.HIGH
           else settings.restricted_medium_pct)
    return fired(
        f"{format_share(share, bars)}% of compute (H100-equivalents) is US-origin and needs a "
        f"licence to resupply (threshold {format_cutoff(bar)}%)",
        severity=severity,
        evidence=evidence,
    )


@rule(
    "CHIP-008",
    title="Huawei Ascend used outside the PRC",
    severity=Severity.HIGH,
    dimension=DIMENSION,
    rationale="BIS GP10 guidance presumes Ascend 910B/910C/910D were produced in violation of "
    "US controls; using them abroad (for example overseas inference for foreign users) risks "
    "enforcement.",
    source="BIS General Prohibition 10 guidance (13 May 2025); "
    "https://exportcompliancedaily.com/article/2025/05/20/bis-eliminates-language-saying-use-"
    "of-huawei-ascend-chips-anywhere-violates-export-controls-2505190030",
)
def ascend_abroad(
    profile: CompanyProfile, settings: ChipSupplySettings, context: Context
) -> RuleResult:
    accels = _accelerators(profile)
    if not profile.services and not accels:
        return not_evaluated("services", _ACCELERATORS)
    hits = [f"service {s.name}" for s in profile.services if s.ascend_outside_prc]
    # A service's ascend_outside_prc left out is unknown, never presumed false.
    unknown: list[str] = [f"services[{i}].ascend_outside_prc"
                          for i, s in enumerate(profile.services) if s.ascend_outside_prc is None]
    for i, a in enumerate(accels):
        if not _is_ascend(a, settings):
            continue
        if a.location_country is not None:
            abroad = fold(a.location_country) not in settings.prc_locations
        elif a.tenure is Tenure.LEASED_OFFSHORE:
            abroad = True
        elif a.tenure is Tenure.LEASED_DOMESTIC:
            abroad = False
        else:
            unknown.append(f"{_ACCELERATORS}[{i}].location_country")
            continue
        if abroad:
            where = a.location_country or "offshore"
            hits.append(f"{a.vendor} {a.model} in {where}")
    if hits:
        return fired("Huawei Ascend used outside the PRC: " + ", ".join(hits),
                     evidence={"services": hits})
    if unknown:
        return not_evaluated(*unknown)
    return {"services": "no Ascend use outside the PRC"}
