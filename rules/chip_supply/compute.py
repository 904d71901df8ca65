"""The compute mix the chip-supply rules share: the accelerator inventory and its shares
on H100-equivalents."""

from __future__ import annotations

import math
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
    written,
)
from threshold_rules.chip_supply.settings import ChipSupplySettings

# -- compute mix --------------------------------------------------------------------

_ACCELERATORS = "compute.accelerators"


def _accelerators(profile: CompanyProfile) -> Sequence[Accelerator]:
    return profile.compute.accelerators if profile.compute is not None else ()


def _share(accels: Sequence[Accelerator], keep: Callable[[Accelerator], bool],
           bars: Iterable[float] = ()) -> float:
    """The share (percent, 0-100) of the H100-equivalents that ``keep`` keeps, unrounded,
    on the exact side of each of ``bars`` (:func:`_percent_of`)."""
    return _percent_of([a.h100_equiv for a in accels if keep(a)],
                       [a.h100_equiv for a in accels], bars)


def _percent_of(part: Sequence[float], whole: Sequence[float], bars: Iterable[float]) -> float:
    """``100 * sum(part) / sum(whole)`` (percent), unrounded: the rules compare it with
    their bars as it is (never rounded first: 19.996 is below a 20% bar). Within 1e-9
    (relative) of a bar it is worked out exactly from the figures as written (``0.1`` is
    1/10) and held on the side of the bar the exact share is on, so float noise never
    moves it across: 1 of 5 H100-equivalents is 20%, at a 20% bar, never just below."""
    share = 100.0 * sum(part) / sum(whole)
    near = [b for b in bars if abs(share - b) <= 1e-9 * max(1.0, abs(b))]
    if not near:
        return share
    from fractions import Fraction

    exact = 100 * sum(map(written, part), Fraction(0)) / sum(map(written, whole), Fraction(0))
    for bar in near:
        as_written = written(bar)
        if exact == as_written:
            share = bar
        elif exact > as_written and share <= bar:
            share = math.nextafter(bar, math.inf)
        elif exact < as_written and share >= bar:
            share = math.nextafter(bar, -math.inf)
    return share


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
