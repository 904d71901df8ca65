"""AI safety maturity: does the company show, with evidence others produced, that its
models refuse what they should and answer what they should?

Each metric maps a raw figure to 0-100 points through a fixed band (interpolated
between anchors, clamped outside). Every weight, band and tunable is
overridable under ``[settings.ai_safety_maturity]``; every band and weight names its
basis (``source=``), which ``threshold rules --parameters`` and each decision's
evidence show.

======================  ======  ==========================================  ==================
metric                  weight  band (raw -> points)                        why
======================  ======  ==========================================  ==================
independent_evaluation  25      safety evaluations run by an independent    self-run suites
                                party: 0->0, 1->60, 2->85, 3->100           are the vendor's
unsafe_compliance       30      worst unsafe-compliance rate, % (lower is   TC260 should-
                                better): 0->100, 5->60, 20->0               refuse >= 95%
over_refusal            20      worst over-refusal rate on safe prompts, %  TC260 non-refusal
                                (lower is better): 0->100, 5->80, 15->30,   bank <= 5%;
                                30->0                                       XSTest, OR-Bench
benign_refusal          10      canned refusals on benign history,          scope creep of
                                geography and medical prompts, % (lower is  content controls
                                better): 0->100, 10->50, 30->0              (R1dacted)
safety_practice         15      published principles 50 + refusal test      GB/T 45654-2025
                                banks 50 (checklist points): 0->0,          artefacts
                                100->100
======================  ======  ==========================================  ==================

Where the figures come from: the safety evaluations this plugin scores live in
the plugin's own profile section, ``[extensions.ai_safety_maturity]``
(:class:`AiSafetyEvidence`), which the core profile knows nothing about;
``benign_refusal`` and ``safety_practice`` read facts the core profile holds for
its own rule packs (``evaluations.benign_canned_refusal_pct``,
``ethics_governance.published_principles``,
``security_assessment.refusal_test_banks``).

What counts as data: an evaluation on fewer than ``min_prompts`` prompts is set
aside (too small to trust). One whose ``n_prompts`` is left out could be of
any size, so it counts where that is the least favourable: its rates count
(rates take the *worst* counted evaluation), its independence does not
(``independent_evaluation`` counts the independent evaluations known to have
at least ``min_prompts`` prompts). ``independent_evaluation`` needs at least
one safety evaluation on record (then none independent scores 0);
``safety_practice`` needs either fact to be known. Missing data lowers
coverage; it never scores 0.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date

from attrs import field, frozen
from attrs.validators import ge

from threshold_core import Metric, MetricScorer, Reading
from threshold_core.kit import house_policy, merged_bands, merged_weights
from threshold_core.model import AMOUNT, CompanyProfile, Context

NAME = DIMENSION = "ai_safety_maturity"

WEIGHTS: Mapping[str, float] = {
    "independent_evaluation": 25.0,
    "unsafe_compliance": 30.0,
    "over_refusal": 20.0,
    "benign_refusal": 10.0,
    "safety_practice": 15.0,
}

BANDS: Mapping[str, list[list[float]]] = {
    "independent_evaluation": [[0, 0], [1, 60], [2, 85], [3, 100]],
    "unsafe_compliance": [[0, 100], [5, 60], [20, 0]],
    "over_refusal": [[0, 100], [5, 80], [15, 30], [30, 0]],
    "benign_refusal": [[0, 100], [10, 50], [30, 0]],
    "safety_practice": [[0, 0], [100, 100]],
}

#: Which way each metric's raw figure should move the score (checked by the contracts).
DIRECTIONS: Mapping[str, str] = {
    "independent_evaluation": "higher",
    "unsafe_compliance": "lower",
    "over_refusal": "lower",
    "benign_refusal": "lower",
    "safety_practice": "higher",
}


@frozen
class AiSafetyMaturitySettings:
    """``[settings.ai_safety_maturity]``."""

    #: Metric weights inside the dimension (partial tables override the defaults).
    weights: dict[str, float] = field(factory=dict, converter=merged_weights(WEIGHTS))
    #: Bands as ``[[raw, points], ...]`` (partial tables override the defaults).
    bands: dict[str, list[list[float]]] = field(factory=dict, converter=merged_bands(BANDS))
    #: Evaluations on fewer prompts than this are set aside.
    min_prompts: int = field(default=100, validator=ge(0))


@frozen
class SafetyEvaluation:
    """One safety evaluation of the company's models."""

    #: The test suite or benchmark (``XSTest``, ``CHiSafetyBench``...).
    suite: str
    #: Run by a party other than the vendor.
    independent: bool = False
    #: Prompts in the evaluation; evaluations under ``min_prompts`` are set aside.
    n_prompts: int | None = field(default=None, metadata=AMOUNT)
    #: Safe prompts refused, percent (lower is better; the core checks ``*_pct`` are 0-100).
    over_refusal_pct: float | None = None
    #: Unsafe prompts complied with, percent (lower is better).
    unsafe_compliance_pct: float | None = None
    as_of: date | None = None
    source: str | None = None


@frozen
class AiSafetyEvidence:
    """``[extensions.ai_safety_maturity]``: the safety evidence this plugin scores."""

    #: Where the evaluations come from (each may name its own ``source``).
    source: str | None = None
    as_of: date | None = None
    #: ``[[extensions.ai_safety_maturity.evaluations]]``, one table per evaluation.
    evaluations: tuple[SafetyEvaluation, ...] = ()


SAFETY = f"extensions.{NAME}.evaluations"


def evidence_of(profile: CompanyProfile) -> AiSafetyEvidence | None:
    """The profile's ``[extensions.ai_safety_maturity]`` section, if it has one."""
    section = profile.extensions.get(NAME)
    return section if isinstance(section, AiSafetyEvidence) else None


def _counted(
    profile: CompanyProfile, settings: AiSafetyMaturitySettings
) -> list[SafetyEvaluation]:
    evidence = evidence_of(profile)
    evals = evidence.evaluations if evidence is not None else ()
    return [e for e in evals if e.n_prompts is None or e.n_prompts >= settings.min_prompts]


def _independent(
    profile: CompanyProfile, _: Context, settings: AiSafetyMaturitySettings
) -> Reading | None:
    counted = _counted(profile, settings)
    if not counted:
        return None
    # An evaluation of unknown size may be under min_prompts: its independence is not counted.
    independent = [e.suite for e in counted if e.independent and e.n_prompts is not None]
    unsized = sum(1 for e in counted if e.independent and e.n_prompts is None)
    note = f"independent: {', '.join(independent)}" if independent else "none independent"
    if unsized:
        note += f"; {unsized} independent without n_prompts not counted (size unknown)"
    return Reading(float(len(independent)), (f"{SAFETY}.independent", f"{SAFETY}.n_prompts"),
                   note=f"{note} (of {len(counted)} counted evaluation(s))")


def _worst_rate(attr: str) -> Callable[[CompanyProfile, Context, AiSafetyMaturitySettings],
                                       Reading | None]:
    def read(
        profile: CompanyProfile, _: Context, settings: AiSafetyMaturitySettings
    ) -> Reading | None:
        rated = [(getattr(e, attr), e) for e in _counted(profile, settings)
                 if getattr(e, attr) is not None]
        if not rated:
            return None
        value, worst = max(rated, key=lambda pair: pair[0])
        evidence = evidence_of(profile)
        source = worst.source or (evidence.source if evidence is not None else None)
        return Reading(value, (f"{SAFETY}.{attr}",), source,
                       note=f"worst of {len(rated)}: {worst.suite}")

    return read


def _benign_refusal(
    profile: CompanyProfile, _: Context, settings: AiSafetyMaturitySettings
) -> Reading | None:
    ev = profile.evaluations
    if ev is None or ev.benign_canned_refusal_pct is None:
        return None
    return Reading(ev.benign_canned_refusal_pct, ("evaluations.benign_canned_refusal_pct",))


def _safety_practice(
    profile: CompanyProfile, _: Context, settings: AiSafetyMaturitySettings
) -> Reading | None:
    principles = profile.ethics_governance.published_principles if (
        profile.ethics_governance) else None
    banks = profile.security_assessment.refusal_test_banks if (
        profile.security_assessment) else None
    if principles is None and banks is None:
        return None
    shown = [label for label, known in (("published principles", principles),
                                        ("refusal test banks", banks)) if known]
    return Reading(
        50.0 * bool(principles) + 50.0 * bool(banks),
        ("ethics_governance.published_principles", "security_assessment.refusal_test_banks"),
        note=f"evidence: {', '.join(shown) or 'none'}",
    )


#: The scorer component; readers receive ``(profile, context, settings)``.
SCORER = MetricScorer(
    name=NAME,
    dimension=DIMENSION,
    metrics=(
        Metric("independent_evaluation", _independent,
               (f"{SAFETY}.independent", f"{SAFETY}.n_prompts"),
               source=house_policy("self-run suites are the vendor's; one independent 60")),
        Metric("unsafe_compliance", _worst_rate("unsafe_compliance_pct"),
               (f"{SAFETY}.unsafe_compliance_pct",),
               source=house_policy("anchored on the TC260 should-refuse bar (95%, as widely "
                                   "reported)")),
        Metric("over_refusal", _worst_rate("over_refusal_pct"), (f"{SAFETY}.over_refusal_pct",),
               source=house_policy("anchored on the TC260 non-refusal bar (5%, as widely "
                                   "reported), XSTest and OR-Bench")),
        Metric("benign_refusal", _benign_refusal, ("evaluations.benign_canned_refusal_pct",),
               source=house_policy("anchored on R1dacted's canned refusals")),
        Metric("safety_practice", _safety_practice,
               ("ethics_governance.published_principles",
                "security_assessment.refusal_test_banks"),
               source=house_policy("principles 50 + GB/T 45654-2025 refusal test banks 50")),
    ),
    directions=DIRECTIONS,
    weights_source=house_policy("unsafe compliance weighs most"),
)
