"""Resilience of the compute base (CHIP-004 to CHIP-007, CHIP-009, CHIP-010): domestic share,
offshore rental, contracted capacity, vendor concentration, the non-CUDA stack, the inventory."""

from __future__ import annotations

from collections import defaultdict

from threshold_core.kit import (
    fired,
    fold,
    not_evaluated,
    rule,
)
from threshold_core.model import (
    CompanyProfile,
    Context,
    RuleResult,
    Severity,
    Tenure,
    format_against,
    format_cutoff,
    format_share,
)
from threshold_rules.chip_supply.compute import (
    _ACCELERATORS,
    _accelerators,
    _is_domestic,
    _no_inventory,
    _percent_of,
    _share,
    _tiered,
)
from threshold_rules.chip_supply.settings import DIMENSION, ChipSupplySettings


@rule(
    "CHIP-004",
    title="Low domestic accelerator share",
    severity=Severity.MEDIUM,
    dimension=DIMENSION,
    rationale="State-funded data centres must use domestic AI chips (Nov 2025) and cities "
    "target 70-100% domestic chips by 2027; a mostly foreign fleet faces both US and PRC "
    "pressure.",
    source="PRC rule for state-funded data centres (Nov 2025); municipal targets; "
    "https://stratnewsglobal.com/?p=123161 ; https://www.jonpeddie.com/?p=50058",
)
def domestic_share(
    profile: CompanyProfile, settings: ChipSupplySettings, context: Context
) -> RuleResult:
    if (missing := _no_inventory(profile)) is not None:
        return missing
    bar = settings.domestic_min_pct
    share = _share(_accelerators(profile), _is_domestic, (bar,))
    evidence = {_ACCELERATORS: {"domestic_share_pct": share}}
    if share < bar:
        return fired(
            f"domestic accelerators are {format_share(share, (bar,))}% of compute "
            f"(below {format_cutoff(bar)}%)",
            evidence=evidence,
        )
    return evidence


@rule(
    "CHIP-005",
    title="Compute rented offshore",
    severity=Severity.HIGH,
    severities=(Severity.HIGH, Severity.MEDIUM),
    dimension=DIMENSION,
    rationale="Renting foreign chips abroad is the target of BIS guidance on US IaaS used to "
    "train Chinese models and of the Remote Access Security Act; that capacity can be cut off.",
    source="BIS guidance of 13 May 2025; Remote Access Security Act (House, 2025-26); "
    "https://www.crowell.com/en/insights/client-alerts/us-department-of-commerce-rescinds-"
    "biden-administrations-ai-diffusion-export-control-rule-and-issues-new-guidance-on-huawei-"
    "chips-for-ai-purposes-and-diligence-expectations ; https://theoutpost.ai/news-story/u-s-"
    "house-passes-bill-to-close-cloud-chip-export-loophole-used-by-chinese-companies-22950",
)
def offshore_rental(
    profile: CompanyProfile, settings: ChipSupplySettings, context: Context
) -> RuleResult:
    if (missing := _no_inventory(profile)) is not None:
        return missing
    accels = _accelerators(profile)
    bars = (settings.offshore_high_pct, settings.offshore_medium_pct)
    share = _share(accels, lambda a: a.tenure is Tenure.LEASED_OFFSHORE and not _is_domestic(a),
                   bars)
    # A line whose tenure is left out could be rented offshore: unknown, never owned.
    could = _share(accels, lambda a: a.tenure in (Tenure.LEASED_OFFSHORE, None)
                   and not _is_domestic(a), bars)
    evidence = {_ACCELERATORS: {"offshore_rental_share_pct": share}}

    def tier(pct: float) -> Severity | None:
        return _tiered(((pct > settings.offshore_high_pct, Severity.HIGH),
                        (pct >= settings.offshore_medium_pct, Severity.MEDIUM)))

    severity = tier(share)
    if tier(could) != severity:
        return not_evaluated(*(f"{_ACCELERATORS}[{i}].tenure" for i, a in enumerate(accels)
                               if a.tenure is None and not _is_domestic(a)),
                             message=f"{format_share(share, bars)}% of compute is rented "
                             f"offshore, up to {format_share(could, (*bars, share))}% with "
                             "the accelerators of unknown tenure")
    if severity is None:
        return evidence
    return fired(
        f"{format_share(share, bars)}% of compute is foreign accelerators rented offshore",
        severity=severity,
        evidence=evidence,
    )


@rule(
    "CHIP-006",
    title="Contracted compute short of the plan",
    severity=Severity.HIGH,
    severities=(Severity.HIGH, Severity.MEDIUM),
    dimension=DIMENSION,
    rationale="Capacity secured (owned, or leased and cloud capacity under contract) that "
    "covers less than the roadmap's planned peak leaves the plan exposed to the next licensing "
    "swing: under 50% of plan high, under 80% medium. Never a veto: a shortfall can be bought "
    "or rented, so it caps rather than disqualifies.",
    source="house policy (50% / 80% coverage bars); supply swings that make uncontracted "
    "capacity uncertain: H20 licence requirement of April 2025 "
    "(https://www.nbcsandiego.com/news/business/money-report/nvidia-says-it-will-record-5-5-"
    "billion-quarterly-charge-tied-to-h20-processors-exported-to-china/3804789/), domestic chips "
    "for state-funded data centres, Nov 2025 (https://www.techspot.com/community/topics/china-"
    "bans-nvidia-amd-and-intel-ai-chips-from-state-funded-data-centers.295333/)",
)
def runway(
    profile: CompanyProfile, settings: ChipSupplySettings, context: Context
) -> RuleResult:
    plan = profile.compute.capacity_plan if profile.compute is not None else None
    if plan is None:
        return not_evaluated("compute.capacity_plan")
    planned = plan.planned_h100_equiv.value
    contracted = plan.contracted_h100_equiv.value
    if planned <= 0:
        return not_evaluated("compute.capacity_plan.planned_h100_equiv",
                             message="the plan needs no compute: coverage undefined")
    coverage = 100.0 * contracted / planned
    evidence = {"compute.capacity_plan.planned_h100_equiv": planned,
                "compute.capacity_plan.contracted_h100_equiv": contracted,
                "compute.capacity_plan.source": plan.planned_h100_equiv.source or plan.source}
    for severity, bar in ((Severity.HIGH, settings.capacity_high_below_pct),
                          (Severity.MEDIUM, settings.capacity_medium_below_pct)):
        if coverage < bar:
            return fired(
                f"contracted compute covers "
                f"{format_against(coverage, (bar,), 1, grouping=False)}% of the plan's "
                f"{planned:g} H100-equivalents (< {format_cutoff(bar)}%)",
                severity=severity, evidence=evidence,
            )
    return evidence


@rule(
    "CHIP-007",
    title="Single accelerator vendor dominates",
    severity=Severity.MEDIUM,
    dimension=DIMENSION,
    rationale="Dependence on one vendor concentrates supply, licensing and yield risk (Ascend "
    "yield about 40% in early 2025); NFRA warns against over-reliance on a single compute "
    "provider.",
    source="https://laotiantimes.com/2025/02/26/digitimes-asia-huawei-ascend-910c-reportedly-"
    "hits-40-yield-turns-profitable-aims-for-60-industry-standard/ ; "
    "https://pulseaugur.com/cluster/98616-china-s-financial-regulators-issue-ai-safety-"
    "guidelines-for-banking-and",
)
def vendor_concentration(
    profile: CompanyProfile, settings: ChipSupplySettings, context: Context
) -> RuleResult:
    if (missing := _no_inventory(profile)) is not None:
        return missing
    accels = _accelerators(profile)
    by_vendor: dict[str, float] = defaultdict(float)
    names: dict[str, str] = {}
    for a in accels:
        key = fold(a.vendor)
        by_vendor[key] += a.h100_equiv
        names.setdefault(key, a.vendor.strip())
    top = max(by_vendor, key=lambda k: (by_vendor[k], k))
    bar = settings.top_vendor_max_pct
    share = _percent_of([a.h100_equiv for a in accels if fold(a.vendor) == top],
                        [a.h100_equiv for a in accels], (bar,))
    evidence = {_ACCELERATORS: {"top_vendor": names[top], "top_vendor_share_pct": share}}
    if share > bar:
        return fired(
            f"{names[top]} supplies {format_share(share, (bar,))}% of compute "
            f"(> {format_cutoff(bar)}%)",
            evidence=evidence,
        )
    return evidence


@rule(
    "CHIP-009",
    title="No validated non-CUDA stack while mostly on foreign chips",
    severity=Severity.MEDIUM,
    dimension=DIMENSION,
    rationale="Domestic vendors reached 41% of China's 2025 accelerator shipments; a model "
    "stack that only runs on CUDA cannot follow the supply.",
    source="IDC China accelerator shipments 2025 (via Reuters); "
    "https://www.htx.com/zh-cn/news/nvidias-market-share-in-china-drops-below-60-domestic-ai-"
    "chi-qNFBdQB1/",
)
def non_cuda_stack(
    profile: CompanyProfile, settings: ChipSupplySettings, context: Context
) -> RuleResult:
    if (missing := _no_inventory(profile)) is not None:
        return missing
    bar = settings.non_cuda_domestic_below_pct
    share = _share(_accelerators(profile), _is_domestic, (bar,))
    validated = profile.compute.non_cuda_stack_validated if profile.compute else None
    evidence = {_ACCELERATORS: {"domestic_share_pct": share},
                "compute.non_cuda_stack_validated": validated}
    if share >= bar:
        return evidence
    if validated is None:
        return not_evaluated("compute.non_cuda_stack_validated")
    if not validated:
        return fired(
            f"no validated non-CUDA stack and domestic share {format_share(share, (bar,))}% "
            f"(< {format_cutoff(bar)}%)",
            evidence=evidence,
        )
    return evidence


@rule(
    "CHIP-010",
    title="No compute inventory disclosed",
    severity=Severity.INFO,
    dimension=DIMENSION,
    rationale="Chip-supply risk cannot be assessed without an accelerator inventory; the "
    "other rules of this pack report not_evaluated.",
    source="research §7.2 (CHIP-010)",
)
def no_inventory(
    profile: CompanyProfile, settings: ChipSupplySettings, context: Context
) -> RuleResult:
    accels = _accelerators(profile)
    if not accels:
        return fired(
            "no compute inventory disclosed: chip-supply risk cannot be assessed",
            evidence={_ACCELERATORS: 0},
        )
    return {_ACCELERATORS: len(accels)}
