"""The compute mix the chip-supply rules share: the accelerator inventory and its shares
on H100-equivalents."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence

from threshold_core.kit import (
    fold,
    not_evaluated,
)
from threshold_core.model import (
    Accelerator,
    ChipClass,
    CompanyProfile,
    RuleResult,
    Severity,
)
from threshold_rules.chip_supply.settings import ChipSupplySettings

# -- compute mix --------------------------------------------------------------------

_ACCELERATORS = "compute.accelerators"


def _accelerators(profile: CompanyProfile) -> Sequence[Accelerator]:
    return profile.compute.accelerators if profile.compute is not None else ()


def _share(accels: Sequence[Accelerator], keep: Callable[[Accelerator], bool]) -> float:
    total = sum(a.h100_equiv for a in accels)
    return round(100.0 * sum(a.h100_equiv for a in accels if keep(a)) / total, 2)


def _no_inventory(profile: CompanyProfile) -> RuleResult | None:
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
