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
          BIS Entity List additions of 15 Jan 2025. A screening without
          ``export_controls.checked_on``, with one after the evaluation date, or with
          one more than ``screening_max_age_days`` (90; house policy) before it is
          not relied on: a clear result is then not_evaluated (naming it); a
          reported listing fires whatever its date.
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

from datetime import date
from typing import Any

from threshold_core import hookimpl
from threshold_core.kit import Pack
from threshold_rules.chip_supply.exposure import (
    ascend_abroad,
    entity_list,
    restricted_share,
    unlicensed_chips,
)
from threshold_rules.chip_supply.resilience import (
    domestic_share,
    no_inventory,
    non_cuda_stack,
    offshore_rental,
    runway,
    vendor_concentration,
)
from threshold_rules.chip_supply.settings import DIMENSION, PARAMETERS, ChipSupplySettings

__all__ = ["DIMENSION", "PACK", "ChipSupplySettings"]

NAME = "chip_supply"
VERSION = "1.3.0"
#: The date of the law and practice these rules encode: BIS Entity List and 3A090 guidance as of
#: May 2025; H20/H200 licensing as reported to mid-2026 (domain-research §2).
LAW_AS_OF = date(2026, 6, 17)


PACK = Pack(
    name=NAME,
    version=VERSION,
    law_as_of=LAW_AS_OF,
    parameters=PARAMETERS,
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
