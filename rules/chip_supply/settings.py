"""``[settings.chip_supply]``: every threshold of the chip-supply pack."""

from __future__ import annotations

from typing import Any

from attrs import field, frozen

from threshold_core.kit import (
    Parameter,
    house_policy,
    lowered,
    non_negative,
    percent,
    replaced_by,
    secondary,
)
from threshold_core.model import (
    ChipClass,
    Severity,
)

DIMENSION = "technical_defensibility"


@frozen
class ChipSupplySettings:
    """``[settings.chip_supply]``: every threshold of the chip-supply pack."""

    #: A clear Entity List screening older than this many days before the evaluation date
    #: is not relied on (CHIP-001; house policy, as the investment screening's 90 days:
    #: the list grows by additions that take effect on publication, 15 Jan 2025 for one).
    screening_max_age_days: int = field(default=90, validator=non_negative)
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


#: The source of every threshold above (``threshold rules --parameters --pack chip_supply``).
PARAMETERS = (
    Parameter("screening_max_age_days", house_policy(
        "as the investment screening's 90 days: Entity List additions take effect on "
        "publication (15 Jan 2025 for one)"), "CHIP-001: age of a clear screening relied on"),
    Parameter("restricted_classes", secondary(
        "domain-research §7.2, CHIP-003: US-origin chips whose resupply needs a licence "
        "(H20, H200, B-series)"), "CHIP-003: the classes counted as restricted"),
    Parameter("restricted_high_pct", secondary(
        "domain-research §7.2, CHIP-003: > 50 high"), "CHIP-003 high above, percent"),
    Parameter("restricted_medium_pct", secondary(
        "domain-research §7.2, CHIP-003: 20-50 medium"), "CHIP-003 medium from, percent"),
    Parameter("domestic_min_pct", secondary(
        "domain-research §7.2, CHIP-004: < 20 medium"), "CHIP-004 below, percent"),
    Parameter("offshore_high_pct", secondary(
        "domain-research §7.2, CHIP-005: > 30 high"), "CHIP-005 high above, percent"),
    Parameter("offshore_medium_pct", secondary(
        "domain-research §7.2, CHIP-005: 10-30 medium"), "CHIP-005 medium from, percent"),
    Parameter("capacity_high_below_pct", house_policy(
        "coverage of the plan's peak (the research's runway bars, §7.2, are its own inference)"),
        "CHIP-006 high below, percent"),
    Parameter("capacity_medium_below_pct", house_policy(
        "coverage of the plan's peak (the research's runway bars, §7.2, are its own inference)"),
        "CHIP-006 medium below, percent"),
    Parameter("top_vendor_max_pct", secondary(
        "domain-research §7.2, CHIP-007: > 80 medium"), "CHIP-007 above, percent"),
    Parameter("non_cuda_domestic_below_pct", secondary(
        "domain-research §7.2, CHIP-009: < 50 with no validated non-CUDA stack"),
        "CHIP-009 below, percent"),
    Parameter("unknown_provenance_severity", house_policy(
        "unknown provenance is a diligence gap, not a proven breach: below the research's "
        "critical (§7.2, CHIP-002)"), "CHIP-002 severity for unknown provenance"),
)
