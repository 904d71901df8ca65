"""Freshness: how old each dated section of the profile is at the evaluation date.

A built-in rule pack (``freshness``). Every section that says when it was true
(its ``as_of``) or when it was checked (its ``checked_on``) ages: a rule fires
when the date is more than the section's threshold in calendar months before the
evaluation date (the profile's ``as_of``, else the FX table's). Exactly ``n``
months is not older; a day more is (31 January is one month old on 28 February
2026 and older on 1 March: :func:`threshold_core.kit.older_than_months`). Every
threshold is a field of :class:`FreshnessSettings`, overridable under
``[settings.freshness]`` (whole calendar months, at least 1).

A date after the evaluation date is not fresh: evidence from after the evaluation
is none at it, and a mistyped year (2062 for 2026) would otherwise stay fresh for
ever. The rule fires naming the date; the rules that rely on a screening (CHIP-001,
FIL-001/002/011, the INV rules) treat it as no check (``not_evaluated``), and the gate
does not test a valuation dated after the evaluation date. To evaluate a check made
after the profile's date, move the profile's ``as_of`` to it.

A section that exists without its date is ``not_evaluated``, naming the missing
path. A section the profile does not have passes here: what its absence does is
the business of the rules and scorers that read it (the omission rule counts
their unchecked rules at their declared severity). The findings affect no
dimension: they tell the committee which evidence is too old to rely on; the
packs that read the data decide what it does. The stale-data rules are low; the
two screenings (export controls, CAC registries) are medium, like a stale
valuation (VAL-003). Neither severity changes a score or a verdict under the
default policy (a medium finding deducts only from its dimension, and these
have none), so an undated section never moves an example's score.

Aged elsewhere, not repeated here: the valuation (VAL-003, 6 months), the
financials (DIS-005, nine months) and the investment screening
(``[settings.investment_restrictions].screening_max_age_days``, 90 days: an older
screening leaves the INV rules not evaluated).

Rules (id, severity: fires when the date is more than N calendar months old; source):

FRS-001  low: ``customers.as_of``, 12 months. House policy: retention and churn
         are trailing-twelve-month measures; a year later they describe a
         different cohort.
FRS-002  low: ``technology.as_of`` (benchmarks, leaderboard standing, releases),
         6 months. House policy: Chinese model vendors shipped major releases
         every few months in 2025-26 (the seed article's table was out of date
         within the year).
FRS-003  low: every evaluation run (``evaluations.safety[i].as_of``,
         ``hallucination[i]``, ``bias[i]``), 12 months. House policy: a model
         generation later, a run describes another model.
FRS-004  low: ``compute.as_of`` (the accelerator inventory and capacity plan),
         6 months. House policy: H20 and H200 licensing swung between banned and
         allowed within twelve months (domain-research §2, item 7).
FRS-005  medium: ``export_controls.checked_on``, 3 months. House policy: BIS
         added Chinese AI entities to the Entity List in December 2024 and again
         in January 2025 (domain-research §2); a quarter, as the investment
         screening's 90 days.
FRS-006  medium: each ``registry_checks.<REGIME>.checked_on`` (the CAC
         algorithm, deep-synthesis, generative-AI filing and registration
         registries), 6 months. House policy: the CAC publishes filing lists in
         batches through the year (domain-research §1); a registry read two
         batches ago may miss a cancellation or a new record.
FRS-007  low: ``content_labeling.checked_on``, 12 months. House policy: the
         labeling duty (GB 45438-2025) is checked at app-store listing; a year
         covers a release cycle.
FRS-008  low: ``personal_information.as_of``, 12 months. House policy: CAC
         Order No. 16 counts cross-border transfers since 1 January, so a
         figure over a year old describes another counting period.
FRS-009  low: ``compliance.as_of`` (MLPS filings, certifications), 12 months.
         House policy: MLPS level-3 systems are re-assessed every year
         (GB/T 22239-2019 practice); certificates are audited yearly.
FRS-010  low: ``star_market.as_of`` (the fifth-standard filing evidence),
         6 months. House policy: SSE Guidance No. 10 tests the company "at the
         time of filing" (domain-research §0).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date
from typing import Any

from attrs import Attribute, field, fields, frozen

from threshold_core import hookimpl
from threshold_core.kit import (
    Pack,
    Parameter,
    add_months,
    fired,
    house_policy,
    months_elapsed,
    not_evaluated,
    older_than_months,
    rule,
)
from threshold_core.model import (
    CompanyProfile,
    Context,
    RegistryChecks,
    Rule,
    RuleFunction,
    RuleResult,
    Severity,
)

NAME = "freshness"
VERSION = "1.0.0"
#: The date of the practice these thresholds encode (house policy as of this date).
LAW_AS_OF = date(2026, 6, 17)


def _months(_: Any, attribute: Attribute[Any], value: int) -> None:
    if type(value) is not int or value < 1:
        raise ValueError(
            f"{attribute.name}: must be a whole number of calendar months, at least 1, "
            f"got {value!r}"
        )


def _threshold(default: int) -> Any:
    return field(default=default, validator=_months)


@frozen
class FreshnessSettings:
    """``[settings.freshness]``: the age, in calendar months, after which each section is
    stale (every default is house policy; see the pack's docstring)."""

    #: FRS-001: ``customers.as_of``.
    customers: int = _threshold(12)
    #: FRS-002: ``technology.as_of``.
    technology: int = _threshold(6)
    #: FRS-003: each run in ``evaluations``.
    evaluations: int = _threshold(12)
    #: FRS-004: ``compute.as_of``.
    compute: int = _threshold(6)
    #: FRS-005: ``export_controls.checked_on``.
    export_controls: int = _threshold(3)
    #: FRS-006: each ``registry_checks.<REGIME>.checked_on``.
    registry_checks: int = _threshold(6)
    #: FRS-007: ``content_labeling.checked_on``.
    content_labeling: int = _threshold(12)
    #: FRS-008: ``personal_information.as_of``.
    personal_information: int = _threshold(12)
    #: FRS-009: ``compliance.as_of``.
    compliance: int = _threshold(12)
    #: FRS-010: ``star_market.as_of``.
    star_market: int = _threshold(6)


def _age(dated: Sequence[tuple[str, date | None]], months: int,
         context: Context) -> RuleResult:
    """Fired when a date is more than ``months`` calendar months before the evaluation date
    or after it; not evaluated naming the undated paths; passed when there is nothing to
    age."""
    at = context.as_of
    if at is not None and dated:
        # The usual case first, in one pass: every date known and fresh at ``as_of``.
        fresh: dict[str, Any] = {}
        for path, day in dated:
            if day is None or day > at or at > add_months(day, months):
                break
            fresh[path] = day.isoformat()
        else:
            return fresh
    undated = [path for path, day in dated if day is None]
    known = [(path, day) for path, day in dated if day is not None]
    if not dated:
        return {}
    if known and context.as_of is None:
        return not_evaluated("as_of", *undated, message="no evaluation date")
    at = context.as_of or date.max  # (no evaluation date: no date is known, see above)
    evidence: dict[str, Any] = {path: day.isoformat() for path, day in known}
    stale = [(path, day) for path, day in known if older_than_months(day, at, months)]
    later = [(path, day) for path, day in known if day > at]
    parts = [f"{path} {day} is {months_elapsed(day, at)} months old "
             f"(fresh until {add_months(day, months)})" for path, day in stale]
    if stale:
        parts[0] = f"older than {months} calendar months at {at}: {parts[0]}"
    if later:
        # A date after the evaluation date is not fresh: it is no evidence at that date (a
        # mistyped year would otherwise stay fresh for ever).
        parts += [f"{path} {day} is after the evaluation date {at}: no evidence at that date"
                  for path, day in later]
    if parts:
        return fired("; ".join(parts), evidence=evidence)
    if undated:
        return not_evaluated(*undated, message="dated section without its date: "
                             + ", ".join(undated))
    return evidence


def _meta(rid: str, title: str, severity: Severity, what: str
          ) -> Callable[[RuleFunction], Rule]:
    return rule(
        rid,
        title=title,
        severity=severity,
        dimension=None,
        rationale=f"{what}; evidence older than [settings.freshness] allows is reported, "
        "the packs that read it decide what it does.",
        source="house policy",
    )


def _dated_section(rid: str, title: str, severity: Severity, what: str, section: str,
                   key: str = "as_of") -> Rule:
    """The rule that ages one section's own date; its threshold is the setting of the
    section's name."""

    path = f"{section}.{key}"
    undated = "dated section without its date: " + path  # what _age says of it

    def check(profile: CompanyProfile, settings: FreshnessSettings,
              context: Context) -> RuleResult:
        body = getattr(profile, section)
        if body is None:
            return {}
        day = getattr(body, key)
        if day is None:
            return not_evaluated(path, message=undated)
        return _age([(path, day)], getattr(settings, section), context)

    check.__name__ = section
    return _meta(rid, title, severity, what)(check)


customers = _dated_section(
    "FRS-001", "Customer figures are stale", Severity.LOW,
    "Retention and churn are trailing-twelve-month measures", "customers")
technology = _dated_section(
    "FRS-002", "Technology section is stale", Severity.LOW,
    "Benchmarks, leaderboard standing and releases change with every model generation",
    "technology")


@_meta("FRS-003", "Evaluation runs are stale", Severity.LOW,
       "A safety, hallucination or bias run describes the model it ran on")
def evaluations(profile: CompanyProfile, settings: FreshnessSettings,
                context: Context) -> RuleResult:
    ev = profile.evaluations
    runs: list[tuple[str, date | None]] = []
    if ev is not None:
        for kind in ("safety", "hallucination", "bias"):
            runs += [(f"evaluations.{kind}[{i}].as_of", r.as_of)
                     for i, r in enumerate(getattr(ev, kind))]
    return _age(runs, settings.evaluations, context)


compute = _dated_section(
    "FRS-004", "Compute inventory is stale", Severity.LOW,
    "Export licences and capacity contracts changed within months in 2025-26", "compute")
export_controls = _dated_section(
    "FRS-005", "Export-control screening is stale", Severity.MEDIUM,
    "The Entity List grows several times a year; a clear result is as of its check date",
    "export_controls", "checked_on")


#: Each registry of ``registry_checks`` with the path of its check date, in field order.
_REGISTRY_PATHS = tuple((a.name, f"registry_checks.{a.name}.checked_on")
                        for a in fields(RegistryChecks))


@_meta("FRS-006", "CAC registry check is stale", Severity.MEDIUM,
       "Filing statuses (active, changed, cancelled) are as of the day the registry was read")
def registry_checks(profile: CompanyProfile, settings: FreshnessSettings,
                    context: Context) -> RuleResult:
    checks = profile.registry_checks
    dated: list[tuple[str, date | None]] = []
    if checks is not None:
        # Each registry the profile lists, by name (a registry not listed is not aged).
        for name, path in _REGISTRY_PATHS:
            check = getattr(checks, name)
            if check is not None:
                dated.append((path, check.checked_on))
    return _age(dated, settings.registry_checks, context)


content_labeling = _dated_section(
    "FRS-007", "Content-labeling check is stale", Severity.LOW,
    "Labels are checked on the product as released", "content_labeling", "checked_on")
personal_information = _dated_section(
    "FRS-008", "Personal-information figures are stale", Severity.LOW,
    "Cross-border volumes are counted per calendar year", "personal_information")
compliance = _dated_section(
    "FRS-009", "Compliance section is stale", Severity.LOW,
    "MLPS assessments and certificates are renewed yearly", "compliance")
star_market = _dated_section(
    "FRS-010", "STAR Market filing evidence is stale", Severity.LOW,
    "The fifth standard tests the company at the time of filing", "star_market")


#: Why each age is what it is (all house policy; ``threshold rules --parameters --pack
#: freshness``).
PARAMETERS = tuple(Parameter(name, house_policy(why), f"{rid}: calendar months")
                   for name, rid, why in (
    ("customers", "FRS-001", "retention and churn are trailing-twelve-month measures"),
    ("technology", "FRS-002", "Chinese model vendors shipped major releases every few "
     "months in 2025-26"),
    ("evaluations", "FRS-003", "a model generation later, a run describes another model"),
    ("compute", "FRS-004", "H20 and H200 licensing swung between banned and allowed within "
     "twelve months (domain-research §2)"),
    ("export_controls", "FRS-005", "BIS added Chinese AI entities in Dec 2024 and again in "
     "Jan 2025 (domain-research §2): a quarter"),
    ("registry_checks", "FRS-006", "the CAC publishes filing lists in batches through the "
     "year (domain-research §1)"),
    ("content_labeling", "FRS-007", "labeling (GB 45438-2025) is checked at app-store "
     "listing; a year covers a release cycle"),
    ("personal_information", "FRS-008", "CAC Order No. 16 counts transfers since 1 January: "
     "an older figure describes another period"),
    ("compliance", "FRS-009", "MLPS level-3 systems are re-assessed every year"),
    ("star_market", "FRS-010", "SSE Guidance No. 10 tests the company at the time of filing "
     "(domain-research §0)"),
))


PACK = Pack(
    name=NAME,
    version=VERSION,
    law_as_of=LAW_AS_OF,
    parameters=PARAMETERS,
    rules=(customers, technology, evaluations, compute, export_controls, registry_checks,
           content_labeling, personal_information, compliance, star_market),
    description="How old each dated section is: customers, technology, evaluations, compute, "
    "export-control and CAC registry screenings, labeling, personal information, compliance, "
    "STAR filing evidence (calendar months).",
)


@hookimpl
def threshold_register_rule_packs(register: Any) -> None:
    register(PACK)


@hookimpl
def threshold_settings_types() -> dict[str, type]:
    return {NAME: FreshnessSettings}
