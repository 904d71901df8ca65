"""The components plugins register: scorers, rule packs and their rules.

Hooks only *register* components (see :mod:`threshold_core.hooks.spec`); the
engine then calls them as plain typed methods. A scorer is any object with the
:class:`Scorer` attributes; a rule pack is any object with the
:class:`RulePack` attributes. :class:`Rule` and :func:`rule` are the helpers the
built-in packs use, and third-party packs may use them too.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import date
from typing import Any, Protocol, runtime_checkable

from attrs import field, frozen

from ._outcomes import (
    DimensionScore,
    RuleOutcome,
    RuleStatus,
    Severity,
)
from ._profile import (
    CompanyProfile,
)
from ._sources import SourcesConfig


@frozen
class FxTable:
    """CNY per unit of each currency, as of one date."""

    rates: Mapping[str, float]
    as_of: date | None = None
    source: str | None = None

    def to_cny(self, amount: float, currency: str) -> float:
        """Convert ``amount`` in ``currency`` to CNY.

        :raises KeyError: when the table has no rate for ``currency``.
        """
        code = currency.upper()
        if code == "CNY":
            return amount
        return amount * self.rates[code]


@frozen
class Context:
    """What every component may read besides the profile and its settings."""

    fx: FxTable
    #: The evaluation date: the profile's ``as_of``, else the FX table's date.
    as_of: date | None = None
    #: How sources are graded (``[sources]``); None: the default patterns.
    sources: SourcesConfig | None = None


@runtime_checkable
class Scorer(Protocol):
    """A dimension scorer.

    ``name`` is unique across all plugins and is the key of the scorer's
    settings section (``[settings.<name>]``). ``dimension`` is the dimension it
    scores. ``score`` must return a :class:`DimensionScore` whose ``score`` is
    within 0-100 (or None) and whose ``coverage`` is within 0-1.
    """

    name: str
    dimension: str

    def score(
        self, profile: CompanyProfile, settings: Any, context: Context
    ) -> DimensionScore: ...


def _severities(values: Iterable[Severity | str]) -> tuple[Severity, ...]:
    return tuple(sorted({Severity(v) for v in values}, key=lambda s: s.rank))


@frozen
class RuleMeta:
    """What a rule is, independently of any profile."""

    #: Stable id such as ``FIL-001``.
    id: str
    title: str
    #: The most severe outcome the rule can have.
    severity: Severity
    #: The dimension its findings affect.
    dimension: str | None
    rationale: str
    #: The instrument or URL it rests on.
    source: str
    #: Every severity the rule can fire at, most severe first, when that depends on the
    #: profile (CHIP-001 is critical when the roadmap relies on new US-origin items, high
    #: otherwise); empty when it always fires at ``severity``.
    severities: tuple[Severity, ...] = field(default=(), converter=_severities)

    @property
    def possible_severities(self) -> tuple[Severity, ...]:
        """The severities a finding of this rule can have, most severe first."""
        return self.severities or (self.severity,)


#: What a rule's check returns: a :class:`RuleOutcome`, or the evidence ``dict`` alone for
#: ``passed(evidence)`` (the kit's fast path, ``docs/hooks.md``).
RuleResult = RuleOutcome | dict[str, Any]
#: A rule's check: ``(profile, settings, context) -> RuleResult``.
RuleFunction = Callable[[Any, Any, Context], RuleResult]


@frozen
class Rule:
    """A rule: metadata plus a check function."""

    meta: RuleMeta
    check: RuleFunction = field(repr=False)

    @property
    def id(self) -> str:
        return self.meta.id

    def evaluate(self, profile: Any, settings: Any, context: Context) -> RuleOutcome:
        """The check's outcome; evidence returned alone (the fast path) as ``passed``."""
        out = self.check(profile, settings, context)
        if isinstance(out, dict):
            if out.__class__ is dict:
                return RuleOutcome(status=RuleStatus.PASSED, evidence=dict(out))
            return out  # type: ignore[return-value]  # a dict subclass: the engine names it
        return out


@runtime_checkable
class RulePack(Protocol):
    """A compliance rule pack: a named, versioned set of rules.

    The engine evaluates every enabled rule on its own, so one failing rule
    does not hide the others, and disabled rules never run.
    """

    name: str
    version: str
    rules: Sequence[Rule]
    # Optional: ``law_as_of`` (a date), the date of the law and practice the pack encodes;
    # it goes into every receipt and the pack's trace event.

