"""Chip supply: export-control exposure and the resilience of the compute base.

A built-in rule pack (``chip_supply``). Every threshold is a field of
:class:`ChipSupplySettings`, overridable under ``[settings.chip_supply]``.
Findings affect ``technical_defensibility``: without compute the roadmap, and so
the technical edge, cannot be defended. Shares are computed on
``compute.accelerators[].h100_equiv``. A rule without the data it needs returns
``not_evaluated`` naming the missing profile paths.

Rules (id, severity: fires when; source):

CHIP-001  high / critical: the company or an affiliate is on the US Entity List
          (critical when the roadmap relies on new US-origin items).
          BIS Entity List additions of 15 Jan 2025.
CHIP-002  critical / high: a 3A090.a accelerator acquired without a licence
          (critical); one whose licence status is unknown, or an accelerator of
          unknown class (unknown provenance; high by default).
          ECCN 3A090.a; BIS guidance of 13 May 2025.
CHIP-003  high / medium: share of US chips whose resupply needs a licence
          (classes us_3a090a and us_licensed) > 50% (high) or >= 20% (medium).
          H20 / H200 licensing swings, 2025-26.
CHIP-004  medium: domestic share < 20%. PRC state-funded data-centre rule (2025);
          municipal self-sufficiency targets.
CHIP-005  high / medium: non-domestic chips rented offshore > 30% (high) or
          >= 10% (medium). BIS IaaS guidance (May 2025); Remote Access Security Act.
CHIP-006  high / medium: owned plus contracted compute (leased and reserved cloud
          capacity count) covers < 50% (high) or < 80% (medium) of the plan's
          peak. House policy; never a veto.
CHIP-007  medium: the largest accelerator vendor has > 80%. NFRA guidance on
          single-provider reliance; Ascend yield limits.
CHIP-008  high: Huawei Ascend used outside the PRC (a service flag, or an Ascend
          accelerator located or rented abroad). BIS GP10 guidance, May 2025.
CHIP-009  medium: no validated non-CUDA stack and domestic share < 50%.
          IDC China accelerator shipments 2025.
CHIP-010  info: no compute inventory disclosed (CHIP-002 to CHIP-009 then cannot
          be assessed). Research §7.2.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from datetime import date
from typing import Any

from attrs import field, frozen

from threshold_core import hookimpl
from threshold_core.kit import (
    Pack,
    fired,
    fold,
    lowered,
    not_evaluated,
    passed,
    percent,
    replaced_by,
    rule,
)
from threshold_core.model import (
    Accelerator,
    ChipClass,
    CompanyProfile,
    Context,
    RuleOutcome,
    Severity,
    Tenure,
)

NAME = "chip_supply"
VERSION = "1.0.0"
#: The date of the law and practice these rules encode: BIS Entity List and 3A090 guidance as of
#: May 2025; H20/H200 licensing as reported to mid-2026 (domain-research §2).
LAW_AS_OF = date(2026, 6, 17)
DIMENSION = "technical_defensibility"


@frozen
class ChipSupplySettings:
    """``[settings.chip_supply]``: every threshold of the chip-supply pack."""

    #: Chip classes whose resupply depends on a US licence (CHIP-003).
    restricted_classes: tuple[ChipClass, ...] = (ChipClass.US_3A090A, ChipClass.US_LICENSED)
    #: Restricted share above which CHIP-003 is high, percent.
    restricted_high_pct: float = field(default=50.0, validator=percent)
    #: Restricted share from which CHIP-003 is medium, percent.
    restricted_medium_pct: float = field(default=20.0, validator=percent)
    #: Domestic share below which CHIP-004 fires, percent.
    domestic_min_pct: float = field(default=20.0, validator=percent)
    #: Offshore-rented share above which CHIP-005 is high, percent.
    offshore_high_pct: float = field(default=30.0, validator=percent)
    #: Offshore-rented share from which CHIP-005 is medium, percent.
    offshore_medium_pct: float = field(default=10.0, validator=percent)
    #: Contracted share of the compute plan below which CHIP-006 is high, percent.
    capacity_high_below_pct: float = field(default=50.0, validator=percent)
    #: ... and below which it is medium, percent.
    capacity_medium_below_pct: float = field(default=80.0, validator=percent)
    #: Removed: CHIP-006 compares contracted capacity with the plan.
    runway_critical_months: Any = replaced_by("capacity_high_below_pct")
    runway_high_months: Any = replaced_by("capacity_medium_below_pct")
    #: Largest vendor's share above which CHIP-007 fires, percent.
    top_vendor_max_pct: float = field(default=80.0, validator=percent)
    #: Domestic share below which an unvalidated non-CUDA stack fires CHIP-009, percent.
    non_cuda_domestic_below_pct: float = field(default=50.0, validator=percent)
    #: Severity of CHIP-002 for unknown provenance (licence unknown, or class unknown).
    unknown_provenance_severity: Severity = Severity.HIGH
    #: How an accelerator's vendor or model names Huawei Ascend (substrings).
    ascend_markers: tuple[str, ...] = field(
        default=("ascend", "910b", "910c", "910d", "昇腾"), converter=lowered
    )
    #: ``location_country`` values inside the PRC (mainland, Hong Kong, Macao).
    prc_locations: tuple[str, ...] = field(
        default=("CN", "CHN", "CHINA", "PRC", "HK", "HKG", "MO", "MAC"), converter=lowered
    )

    def __attrs_post_init__(self) -> None:
        pairs = (
            ("restricted_medium_pct", "restricted_high_pct"),
            ("offshore_medium_pct", "offshore_high_pct"),
            ("capacity_high_below_pct", "capacity_medium_below_pct"),
        )
        for low, high in pairs:
            if getattr(self, low) > getattr(self, high):
                raise ValueError(f"{low} must not be above {high}")


# -- compute mix --------------------------------------------------------------------

_ACCELERATORS = "compute.accelerators"


def _accelerators(profile: CompanyProfile) -> Sequence[Accelerator]:
    return profile.compute.accelerators if profile.compute is not None else ()


def _share(accels: Sequence[Accelerator], keep: Callable[[Accelerator], bool]) -> float:
    total = sum(a.h100_equiv for a in accels)
    return round(100.0 * sum(a.h100_equiv for a in accels if keep(a)) / total, 2)


def _no_inventory(profile: CompanyProfile) -> RuleOutcome | None:
    """``not_evaluated`` when the shares cannot be computed, else None."""
    accels = _accelerators(profile)
    if not accels:
        return not_evaluated(_ACCELERATORS, message="no compute inventory in the profile")
    if sum(a.h100_equiv for a in accels) <= 0:
        return not_evaluated(
            f"{_ACCELERATORS}[].h100_equiv", message="accelerators total 0 H100-equivalents"
        )
    return None


def _is_domestic(a: Accelerator) -> bool:
    return a.chip_class is ChipClass.DOMESTIC


def _is_ascend(a: Accelerator, settings: ChipSupplySettings) -> bool:
    text = fold(f"{a.vendor} {a.model}")
    return any(m in text for m in settings.ascend_markers)


def _tiered(tiers: Iterable[tuple[bool, Severity]]) -> Severity | None:
    """The severity of the first tier that holds, most severe first."""
    for hit, severity in tiers:
        if hit:
            return severity
    return None


# -- rules --------------------------------------------------------------------------


@rule(
    "CHIP-001",
    title="Company or affiliate on the US Entity List",
    severity=Severity.CRITICAL,
    severities=(Severity.CRITICAL, Severity.HIGH),
    dimension=DIMENSION,
    rationale="Listed parties need a licence for all items subject to the EAR, and foreign "
    "direct-product rules reach foreign-made chips; a roadmap that relies on new US-origin "
    "items cannot be executed (critical).",
    source="BIS Entity List additions of 15 Jan 2025 (EAR Part 744, Supp. 4); "
    "https://techcentral.co.za/us-blacklists-tencent-backed-ai-start-up/257720",
)
def entity_list(
    profile: CompanyProfile, settings: ChipSupplySettings, context: Context
) -> RuleOutcome:
    ec = profile.export_controls
    if ec is None:
        return not_evaluated("export_controls")
    evidence = {
        "export_controls.entity_list": ec.entity_list,
        "export_controls.affiliates_listed": list(ec.affiliates_listed),
        "export_controls.relies_on_new_us_items": ec.relies_on_new_us_items,
    }
    if not ec.entity_list and not ec.affiliates_listed:
        return passed(evidence)
    who = [f"affiliate {a}" for a in ec.affiliates_listed]
    if ec.entity_list:
        since = f" (listed {ec.listed_date})" if ec.listed_date else ""
        who.insert(0, "the company" + since)
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
    "and-issues-new-guidance-on-huawei-chips-for-ai-purposes-and-diligence-expectations",
)
def unlicensed_chips(
    profile: CompanyProfile, settings: ChipSupplySettings, context: Context
) -> RuleOutcome:
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
    return passed({_ACCELERATORS: f"{len(accels)} accelerator line(s), provenance documented"})


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
) -> RuleOutcome:
    if (missing := _no_inventory(profile)) is not None:
        return missing
    accels = _accelerators(profile)
    classes = frozenset(settings.restricted_classes)
    share = _share(accels, lambda a: a.chip_class in classes)
    evidence = {_ACCELERATORS: {"restricted_share_pct": share}}
    severity = _tiered((
        (share > settings.restricted_high_pct, Severity.HIGH),
        (share >= settings.restricted_medium_pct, Severity.MEDIUM),
    ))
    if severity is None:
        return passed(evidence)
    bar = (settings.restricted_high_pct if severity is Severity.HIGH
           else settings.restricted_medium_pct)
    return fired(
        f"{share:g}% of compute (H100-equivalents) is US-origin and needs a licence to resupply "
        f"(threshold {bar:g}%)",
        severity=severity,
        evidence=evidence,
    )


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
) -> RuleOutcome:
    if (missing := _no_inventory(profile)) is not None:
        return missing
    share = _share(_accelerators(profile), _is_domestic)
    evidence = {_ACCELERATORS: {"domestic_share_pct": share}}
    if share < settings.domestic_min_pct:
        return fired(
            f"domestic accelerators are {share:g}% of compute "
            f"(below {settings.domestic_min_pct:g}%)",
            evidence=evidence,
        )
    return passed(evidence)


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
) -> RuleOutcome:
    if (missing := _no_inventory(profile)) is not None:
        return missing
    share = _share(
        _accelerators(profile),
        lambda a: a.tenure is Tenure.LEASED_OFFSHORE and not _is_domestic(a),
    )
    evidence = {_ACCELERATORS: {"offshore_rental_share_pct": share}}
    severity = _tiered((
        (share > settings.offshore_high_pct, Severity.HIGH),
        (share >= settings.offshore_medium_pct, Severity.MEDIUM),
    ))
    if severity is None:
        return passed(evidence)
    return fired(
        f"{share:g}% of compute is foreign accelerators rented offshore",
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
) -> RuleOutcome:
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
                "coverage_pct": round(coverage, 2),
                "source": plan.planned_h100_equiv.source or plan.source}
    for severity, bar in ((Severity.HIGH, settings.capacity_high_below_pct),
                          (Severity.MEDIUM, settings.capacity_medium_below_pct)):
        if coverage < bar:
            return fired(
                f"contracted compute covers {coverage:.1f}% of the plan's "
                f"{planned:g} H100-equivalents (< {bar:g}%)",
                severity=severity, evidence=evidence,
            )
    return passed(evidence)


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
) -> RuleOutcome:
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
    share = round(100.0 * by_vendor[top] / sum(by_vendor.values()), 2)
    evidence = {_ACCELERATORS: {"top_vendor": names[top], "top_vendor_share_pct": share}}
    if share > settings.top_vendor_max_pct:
        return fired(
            f"{names[top]} supplies {share:g}% of compute (> {settings.top_vendor_max_pct:g}%)",
            evidence=evidence,
        )
    return passed(evidence)


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
) -> RuleOutcome:
    accels = _accelerators(profile)
    if not profile.services and not accels:
        return not_evaluated("services", _ACCELERATORS)
    hits = [f"service {s.name}" for s in profile.services if s.ascend_outside_prc]
    unknown: list[str] = []
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
    return passed({"services": "no Ascend use outside the PRC"})


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
) -> RuleOutcome:
    if (missing := _no_inventory(profile)) is not None:
        return missing
    share = _share(_accelerators(profile), _is_domestic)
    validated = profile.compute.non_cuda_stack_validated if profile.compute else None
    evidence = {_ACCELERATORS: {"domestic_share_pct": share},
                "compute.non_cuda_stack_validated": validated}
    if share >= settings.non_cuda_domestic_below_pct:
        return passed(evidence)
    if validated is None:
        return not_evaluated("compute.non_cuda_stack_validated")
    if not validated:
        return fired(
            f"no validated non-CUDA stack and domestic share {share:g}% "
            f"(< {settings.non_cuda_domestic_below_pct:g}%)",
            evidence=evidence,
        )
    return passed(evidence)


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
) -> RuleOutcome:
    accels = _accelerators(profile)
    if not accels:
        return fired(
            "no compute inventory disclosed: chip-supply risk cannot be assessed",
            evidence={_ACCELERATORS: 0},
        )
    return passed({_ACCELERATORS: len(accels)})


PACK = Pack(
    name=NAME,
    version=VERSION,
    law_as_of=LAW_AS_OF,
    rules=(
        entity_list,
        unlicensed_chips,
        restricted_share,
        domestic_share,
        offshore_rental,
        runway,
        vendor_concentration,
        ascend_abroad,
        non_cuda_stack,
        no_inventory,
    ),
    description="US export-control exposure and the resilience of the compute base "
    "(shares on H100-equivalents).",
)


@hookimpl
def threshold_register_rule_packs(register: Any) -> None:
    register(PACK)


@hookimpl
def threshold_settings_types() -> dict[str, type]:
    return {NAME: ChipSupplySettings}
