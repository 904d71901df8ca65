"""A profile's technology sections: models and benchmark claims, data, evaluations, compute
and export controls.
"""

from __future__ import annotations

from datetime import date

from attrs import field, frozen

from ._figures import AMOUNT, RANGE, SHARE, Figure, StrEnum


class ClaimedBy(StrEnum):
    """Who stands behind a benchmark claim, weakest first."""

    #: Only a press report (an article's table): not the company's own statement.
    PRESS = "press"
    #: The company itself: its model card, technical report or results release.
    SELF = "self"
    #: An independent evaluator (a public leaderboard, an evaluation lab).
    THIRD_PARTY = "third_party"


@frozen
class Reproduction:
    """An independent party's own run of a claimed benchmark."""

    #: Who ran it (OpenCompass, a public leaderboard, an evaluation lab).
    by: str
    #: The score that run obtained, on the claim's scale.
    score: float
    harness: str | None = None
    source: str | None = None
    as_of: date | None = None


@frozen
class BenchmarkClaim:
    benchmark: str
    score: float
    #: Who makes the claim. Left out: unknown, counted as the least credible claimant (a
    #: press report) by the technical-defensibility scorer, never as the company's own.
    claimed_by: ClaimedBy | None = None
    #: Whether an independent harness reproduced it within tolerance (when no
    #: ``reproduction`` record says so).
    independently_reproduced: bool | None = None
    #: A third party's run of the same benchmark; decides ``independently_reproduced``.
    reproduction: Reproduction | None = None
    harness: str | None = None
    source: str | None = None
    as_of: date | None = None


class Exclusivity(StrEnum):
    EXCLUSIVE = "exclusive"
    LICENSED = "licensed"
    PUBLIC = "public"


@frozen
class DataAsset:
    description: str
    exclusivity: Exclusivity
    #: True when the only evidence is the company's own statement; true when left out, the
    #: stricter value (a self-reported asset is capped).
    self_reported: bool = True
    source: str | None = None


@frozen
class Model:
    name: str
    release_date: date | None = None
    #: False when left out, the stricter value: open weights only earn a bonus
    #: (``open_weights_bonus``) or exempt a model from the EU GPAI documentation (FIL-015).
    open_weights: bool = False
    params_b: float | None = field(default=None, metadata=AMOUNT)
    #: Training compute of this model, FLOP (EU AI Act systemic-risk presumption at 1e25).
    training_flops: float | None = field(default=None, metadata=AMOUNT)
    source: str | None = None


@frozen
class Technology:
    source: str | None = None
    as_of: date | None = None
    benchmark_claims: tuple[BenchmarkClaim, ...] = ()
    #: Percentile among Chinese model vendors on a named leaderboard (0-100).
    capability_percentile: Figure | None = field(default=None, metadata=SHARE)
    capability_leaderboard: str | None = None
    data_assets: tuple[DataAsset, ...] = ()
    models: tuple[Model, ...] = ()
    #: Major model releases in the trailing twelve months.
    releases_12m: Figure | None = field(default=None, metadata=AMOUNT)


@frozen
class SafetyEval:
    suite: str
    over_refusal_pct: float | None = field(default=None, metadata=SHARE)
    unsafe_compliance_pct: float | None = field(default=None, metadata=SHARE)
    language: str | None = None
    #: Prompts behind the rates, when one count serves both.
    n_prompts: int | None = field(default=None, metadata=AMOUNT)
    #: Benign prompts behind ``over_refusal_pct`` (XSTest: 250 of its 450).
    n_benign: int | None = field(default=None, metadata=AMOUNT)
    #: Unsafe prompts behind ``unsafe_compliance_pct`` (XSTest: 200 of its 450).
    n_unsafe: int | None = field(default=None, metadata=AMOUNT)
    #: Run by a party independent of the company (not self-run, not press). Left out: unknown,
    #: never presumed false: where an independent result would make ETH-001 or ETH-002
    #: critical (a veto), the rule is not evaluated, naming it.
    independent: bool | None = None
    as_of: date | None = None
    source: str | None = None


@frozen
class DomainEval:
    """Hallucination (confabulation) evaluation on a domain QA set."""

    domain: str
    confabulation_pct: float = field(metadata=SHARE)
    #: The date of the run.
    as_of: date | None = None
    source: str | None = None


@frozen
class BiasEval:
    suite: str
    #: The date of the run.
    as_of: date | None = None
    source: str | None = None


@frozen
class Evaluations:
    safety: tuple[SafetyEval, ...] = ()
    hallucination: tuple[DomainEval, ...] = ()
    bias: tuple[BiasEval, ...] = ()
    #: Canned refusals on benign history, geography and medical prompts, percent.
    benign_canned_refusal_pct: float | None = field(default=None, metadata=SHARE)


class Tenure(StrEnum):
    OWNED = "owned"
    LEASED_DOMESTIC = "leased_domestic"
    LEASED_OFFSHORE = "leased_offshore"


class ChipClass(StrEnum):
    #: US-origin, controlled under ECCN 3A090.a (H100, H800, A100...).
    US_3A090A = "us_3a090a"
    #: US-origin, needs a licence to resupply (H20, H200 under the 2025-26 regime).
    US_LICENSED = "us_licensed"
    #: US-origin, below the control thresholds.
    US_BELOW = "us_below"
    DOMESTIC = "domestic"
    UNKNOWN = "unknown"


#: One accelerator line's H100-equivalents: at least 0 and at most a billion (house
#: policy: more than every data-centre accelerator made to date, so a typo; the chip-supply
#: rules sum these figures into shares, which larger ones overflow).
H100_EQUIV = {RANGE: (0.0, 1e9)}


@frozen
class Accelerator:
    vendor: str
    model: str
    #: Compute in H100-equivalents (at most 1e9, house policy).
    h100_equiv: float = field(metadata=H100_EQUIV)
    chip_class: ChipClass = field()
    #: Owned or leased, and where. Left out: unknown, never presumed owned (CHIP-005 is not
    #: evaluated while an unknown line could be rented offshore and change its severity).
    tenure: Tenure | None = None
    location_country: str | None = None
    #: Acquired with a licence where one was needed; None when unknown.
    licensed: bool | None = None
    source: str | None = None


@frozen
class CapacityPlan:
    """Compute the roadmap needs against what is secured for the same period (CHIP-006).

    Secured capacity counts owned accelerators and leased or cloud capacity under a
    signed contract alike, so a cloud renter is judged on its contracts, not its
    hardware.
    """

    #: Compute the plan needs at its peak, H100-equivalents.
    planned_h100_equiv: Figure
    #: Owned plus contracted (leased, reserved cloud) capacity for the plan, H100-equivalents.
    contracted_h100_equiv: Figure
    #: The plan's horizon, months.
    horizon_months: float | None = None
    source: str | None = None
    as_of: date | None = None


@frozen
class Compute:
    source: str | None = None
    as_of: date | None = None
    accelerators: tuple[Accelerator, ...] = ()
    #: Months of planned demand covered by owned or contracted capacity (descriptive;
    #: CHIP-006 reads ``capacity_plan``).
    runway_months: Figure | None = field(default=None, metadata=AMOUNT)
    #: Planned against contracted capacity (CHIP-006).
    capacity_plan: CapacityPlan | None = None
    #: The model stack is validated on a non-CUDA stack (CANN/MindSpore...).
    non_cuda_stack_validated: bool | None = None


@frozen
class ExportControls:
    """The company's screening against the US export-control lists (Entity List).

    ``checked_on`` is when the lists were checked. It is optional so that profiles
    written before it existed still load, but a clear result without it (or with one
    after the evaluation date) is not a screening: CHIP-001 returns ``not_evaluated``
    naming ``export_controls.checked_on`` (a listing the profile reports stands whatever
    its date), and the freshness pack ages it.
    """

    entity_list: bool
    listed_date: date | None = None
    #: Affiliates on the Entity List; ``[]`` means "checked, none", absent means unknown
    #: (CHIP-001 is not evaluated for a company not itself listed).
    affiliates_listed: tuple[str, ...] | None = None
    #: The roadmap relies on new US-origin items. Left out: unknown, never presumed false
    #: (a listed company's CHIP-001 is not evaluated: it would be critical with them).
    relies_on_new_us_items: bool | None = None
    #: The date the Entity List (and its affiliates) was checked for the company.
    checked_on: date | None = None
    source: str | None = None
