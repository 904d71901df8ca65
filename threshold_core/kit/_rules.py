"""Writing compliance rules in Python: :func:`rule`, its outcomes, and :class:`Pack`."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import date
from typing import Any

from attrs import field, frozen

from ..model import (
    Rule,
    RuleFunction,
    RuleMeta,
    RuleOutcome,
    RuleStatus,
    Severity,
    positional_builder,
)
from ._cited import Cited, Parameter, ParameterSource
from ._packsources import settings_parameter_sources


def _rule_tuple(rules: Iterable[Rule]) -> tuple[Rule, ...]:
    return tuple(rules)


def _parameter_tuple(parameters: Iterable[Parameter]) -> tuple[Parameter, ...]:
    """``parameters`` as a tuple of :class:`Parameter` with a :class:`Cited` source.

    :raises TypeError: anything else, naming it (the plugin then fails to load, exit 3).
    """
    out = tuple(parameters)
    for p in out:
        if not isinstance(p, Parameter) or not isinstance(p.source, Cited):
            raise TypeError("Pack(parameters=...) takes Parameter(path, primary(...) | "
                            f"secondary(...) | house_policy(...), doc) entries, not {p!r:.80}")
    return out


@frozen
class Pack:
    """A ready-made :class:`RulePack`."""

    name: str
    version: str
    rules: tuple[Rule, ...] = field(converter=_rule_tuple)
    description: str = ""
    #: Where the pack was loaded from, for drop-in packs.
    path: str | None = None
    #: The date of the law and practice the pack encodes (receipts and the trace show it).
    law_as_of: date | None = None
    #: The sources of its thresholds (numbers, dates, severities of its settings), by
    #: dotted path, for ``threshold rules --parameters``; an undeclared one is listed as
    #: ``unsourced``.
    parameters: tuple[Parameter, ...] = field(default=(), converter=_parameter_tuple)

    def parameter_sources(self, settings: Any) -> list[ParameterSource]:
        """Every threshold of ``settings`` in force, with its source
        (:func:`~threshold_core.kit.settings_parameter_sources`)."""
        return settings_parameter_sources(self.name, self.parameters, settings)


def rule(
    id: str,
    *,
    title: str,
    severity: Severity | str,
    dimension: str | None,
    rationale: str,
    source: str,
    severities: Sequence[Severity | str] = (),
) -> Callable[[RuleFunction], Rule]:
    """Turn a check function ``(profile, settings, context) -> RuleOutcome`` into a :class:`Rule`.

    The check returns :func:`fired`, :func:`passed` or :func:`not_evaluated`;
    the engine fills in the rule id. ``severity`` is the most severe outcome;
    a rule whose severity depends on the profile lists every one it can fire
    at in ``severities`` (``threshold rules`` shows them).
    """

    meta = RuleMeta(
        id=id,
        title=title,
        severity=Severity(severity),
        dimension=dimension,
        rationale=rationale,
        source=source,
        severities=tuple(severities),
    )

    def wrap(fn: RuleFunction) -> Rule:
        return Rule(meta=meta, check=fn)

    return wrap


# The members, read once: an enum member is a slow attribute read on Python 3.11, and these
# functions run for every rule of every evaluation. Outcomes are built with positional
# arguments (status, severity, message, missing, evidence) for the same reason.
_FIRED, _PASSED, _NOT_EVALUATED = RuleStatus.FIRED, RuleStatus.PASSED, RuleStatus.NOT_EVALUATED
#: ``RuleOutcome(status, severity, message, missing, evidence, rule)``, every field given,
#: without attrs' generic ``__init__``.
_outcome = positional_builder(RuleOutcome)


def fired(
    message: str,
    *,
    severity: Severity | str | None = None,
    evidence: Mapping[str, Any] | None = None,
) -> RuleOutcome:
    """The rule's condition holds: report a finding."""
    if severity is not None and type(severity) is not Severity:
        severity = Severity(severity)
    return _outcome(_FIRED, severity, message, (), dict(evidence) if evidence else {}, "")


def passed(evidence: Mapping[str, Any] | None = None) -> RuleOutcome:
    """The rule was evaluated and its condition does not hold."""
    return _outcome(_PASSED, None, None, (), dict(evidence) if evidence else {}, "")


def not_evaluated(*missing: str, message: str | None = None) -> RuleOutcome:
    """The profile lacks what the rule needs: never a silent pass.

    :param missing: the profile paths that were needed, e.g. ``"compute.accelerators"``.
    """
    return _outcome(_NOT_EVALUATED, None, message or "missing " + ", ".join(missing), missing,
                    {}, "")


def after_evaluation(path: str, day: date | None, as_of: date | None) -> RuleOutcome | None:
    """``not_evaluated`` naming ``path`` when the check dated ``day`` is after the evaluation
    date ``as_of``; None when it is not (or either date is unknown).

    A check from after the evaluation date is no evidence at that date, and taking it as
    fresh would keep a mistyped year (2062 for 2026) fresh for ever. The freshness pack
    reports the date itself (FRS-001 to FRS-010 fire on it).
    """
    if day is None or as_of is None or day <= as_of:
        return None
    return not_evaluated(path, message=f"{path} {day} is after the evaluation date {as_of}: "
                         "not evidence at that date (correct the date, or evaluate at a "
                         "later date with the profile's as_of)")


def unreliable_check(path: str, day: date, as_of: date | None,
                     max_age_days: int) -> RuleOutcome | None:
    """``not_evaluated`` naming ``path`` when the check dated ``day`` cannot be relied on at
    the evaluation date ``as_of``: dated after it (:func:`after_evaluation`) or more than
    ``max_age_days`` days before it; None when it can (or ``as_of`` is unknown).

    For screenings against lists that change on publication (the Entity List, the
    investment-restriction lists): a stale clear result clears nothing.
    """
    if as_of is None:
        return None
    later = after_evaluation(path, day, as_of)
    if later is not None:
        return later
    age = (as_of - day).days
    if age <= max_age_days:
        return None
    return not_evaluated(path, message=f"{path} {day} is {age} days before {as_of} (more "
                         f"than {max_age_days}): too old to rely on")
