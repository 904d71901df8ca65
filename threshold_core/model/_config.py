"""Engine configuration values: what ``threshold.toml`` (or ``[tool.threshold]``) holds.

Every number of the decision policy lives here. A file only needs the keys it
changes; everything else keeps the defaults below (``examples/threshold.toml``
spells all of them out). Unknown keys are errors naming the key and the file.

Plugin settings live in ``[settings.<name>]`` sections and are validated
later, by :class:`threshold_core.Engine`, against the classes plugins
declare through ``threshold_settings_types``.
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

import attrs
from attrs import field, frozen

from ..errors import Problem
from ._digest import sha256_hexdigest
from ._figures import (
    StrEnum,
)
from ._headroom import RiskConfig
from ._market import (
    ValuationBasis,
)
from ._outcomes import (
    Verdict,
)
from ._sources import SourcesConfig

CONFIG_FILE = "threshold.toml"

#: The four dimensions of the line, equally weighted.
DEFAULT_DIMENSIONS = (
    "technical_defensibility",
    "application_stickiness",
    "regulatory_readiness",
    "institutional_backing",
)


def _default_accepted_bases() -> tuple[ValuationBasis, ...]:
    return (
        ValuationBasis.MARKET_CAP,
        ValuationBasis.EXPECTED_MARKET_VALUE,
        ValuationBasis.ESTIMATE,
        ValuationBasis.LAST_ROUND_POST_MONEY,
    )


@frozen
class GateConfig:
    """The line and which valuations may be tested against it."""

    #: The line, in CNY: the STAR Market fifth standard's expected market value.
    line_cny: float = 4.0e9
    #: Bases the gate tests. ``parent_market_cap`` is left out by default: a parent group's
    #: value is not the company's, so it cannot pass the gate (``insufficient_data``).
    #: Estimates and last-round post-money valuations are tested after the haircut of
    #: ``[risk.haircut]``, and the valuation pack reports them.
    accepted_bases: tuple[ValuationBasis, ...] = field(factory=_default_accepted_bases)
    #: A valuation whose source the sourcing figures grade illustrative, unsourced or
    #: proxy cannot pass the gate: one that says "illustrative" (in any width or case:
    #: NFKC-folded) or matches another pattern of the illustrative grade, one without a
    #: source or whose source matches no pattern of any grade (unsourced), and a cohort
    #: figure (cohort_proxy) (house policy: a made-up, untraceable or cohort figure is not
    #: the company's value).
    refuse_illustrative: bool = True
    #: A valuation without a date (its ``as_of``, else the profile's), dated after the
    #: evaluation date, or in a profile without its own ``as_of``, cannot pass the gate
    #: (house policy: the STAR standard's market value is measured at a date; an undated
    #: figure cannot be converted at the right FX rate or aged, a later one is no market
    #: value at the evaluation date, and an undated profile's evidence cannot be aged:
    #: evaluating it at the FX table's date would let removing ``as_of`` freshen it).
    require_date: bool = True


@frozen
class FxRow:
    """One dated row of the FX table: CNY per unit of each currency."""

    as_of: date
    rates: dict[str, float]
    source: str | None = None


@frozen
class FxConfig:
    """CNY per unit of each currency.

    ``rates`` as of ``as_of`` is the table's newest row; ``history`` adds older dated rows.
    The gate converts a valuation at the newest row dated on or before the valuation's own
    date (the oldest row when the valuation predates them all, which the gate says).
    """

    rates: dict[str, float] = field(factory=lambda: {"USD": 7.17, "HKD": 0.915, "EUR": 7.8})
    as_of: date = date(2026, 6, 30)
    source: str = "illustrative (close to the article's own conversions, June 2026)"
    history: tuple[FxRow, ...] = ()


@frozen
class DimensionConfig:
    #: Relative weight; weights are normalised to sum to 1. 0 leaves it out.
    weight: float = 1.0
    #: The scorer for this dimension, when several plugins score it.
    scorer: str | None = None
    #: False: a company with less of this dimension's data than its coverage floor is
    #: scored on the other dimensions, their weights renormalised (house policy: too
    #: little data is treated like none, either way). True (and every built-in): it
    #: makes the decision insufficient_data.
    required: bool = True
    #: This dimension's coverage floor (default: ``policy.coverage_floor``).
    coverage_floor: float | None = None


@frozen
class GradeBand:
    name: str
    #: Lowest composite score (inclusive) of the band.
    min_score: float
    verdict: Verdict


def _default_grades() -> tuple[GradeBand, ...]:
    return (
        GradeBand("Q1", 85.0, Verdict.QUALIFIED),
        GradeBand("Q2", 75.0, Verdict.QUALIFIED),
        GradeBand("Q3", 65.0, Verdict.WATCH),
        GradeBand("B", 55.0, Verdict.NOT_QUALIFIED),
        GradeBand("NQ", 0.0, Verdict.NOT_QUALIFIED),
    )


class MissingCompliance(StrEnum):
    #: A rule of severity medium or worse that could not be evaluated counts at its most
    #: severe until researched (medium deducts; high caps and deducts; critical:
    #: insufficient_data, and caps and deducts on its dimension).
    LOWER_CONFIDENCE = "lower_confidence"
    #: A rule that could not be evaluated blocks qualification (insufficient_data).
    BLOCK = "block"


@frozen
class PolicyConfig:
    #: A dimension with less coverage than this makes the decision insufficient_data.
    coverage_floor: float = 0.6
    #: A high finding caps its dimension at this score and forces at most watch.
    high_cap: float = 50.0
    #: A medium finding deducts these points from its dimension...
    medium_deduction: float = 5.0
    #: ...up to this many points per pack and dimension.
    medium_max_per_pack: float = 15.0
    #: Grade bands, best first.
    grades: tuple[GradeBand, ...] = field(factory=_default_grades)
    missing_compliance_data: MissingCompliance = MissingCompliance.LOWER_CONFIDENCE
    #: Non-compensatory floor: a dimension scoring below it allows at most ``watch``, however
    #: strong the others (house policy: the article's line is a filter, so a strength in one
    #: dimension must not buy out a failing mark, below 40 of 100, in another). 0 turns it off.
    dimension_floor: float = 40.0
    #: Per-dimension floors that override ``dimension_floor``.
    dimension_floors: dict[str, float] = field(factory=dict)
    #: Above this share (0-1) of the composite resting on illustrative or unsourced readings,
    #: qualified is held at watch (house policy: at most a quarter of the case may rest on
    #: figures nobody can check). 1 turns it off.
    max_illustrative_share: float = 0.25

    def floor_for(self, dimension: str) -> float:
        return self.dimension_floors.get(dimension, self.dimension_floor)


@frozen
class PluginsConfig:
    #: Plugin names (entry-point names or built-in module names) not to load.
    disable: tuple[str, ...] = ()
    #: Load plugins installed through the ``threshold`` entry-point group.
    autoload: bool = True


@frozen
class RulesConfig:
    #: Rule ids not to run; they show as ``disabled`` in the trace.
    disable: tuple[str, ...] = ()


@frozen
class ExplainConfig:
    """How explanations judge robustness (``threshold_core.explain``)."""

    #: A score-decided verdict within this many composite points of a cut-off that changes
    #: it is ``fragile``.
    fragile_margin_points: float = 3.0
    #: Weight draws for the Monte Carlo check; 0 switches it off.
    monte_carlo_draws: int = 0
    #: Weights are drawn from Dirichlet(concentration x configured weights): higher is tighter.
    dirichlet_concentration: float = 20.0
    #: A verdict that flips in more than this share of draws is ``fragile``.
    fragile_flip_probability: float = 0.2
    #: Seed of the Monte Carlo draws (the same seed gives the same result).
    seed: int = 0


class UndeclaredExtensions(StrEnum):
    #: A profile section ``[extensions.<name>]`` no installed plugin declares is an error.
    ERROR = "error"
    #: Keep it as written, unvalidated, and say so in the trace (a plugin was removed).
    KEEP = "keep"


@frozen
class ExtensionsConfig:
    """How profiles' ``[extensions.<name>]`` sections are read."""

    #: What a section no installed plugin declares is: ``error`` or ``keep``.
    undeclared: UndeclaredExtensions = UndeclaredExtensions.ERROR


#: Upper bound of ``[explain] monte_carlo_draws`` (each draw re-scores the composite).
MAX_MONTE_CARLO_DRAWS = 100_000
#: Upper bounds of the time budgets, in seconds (an hour per component, a day per decision).
MAX_COMPONENT_SECONDS = 3600.0
MAX_DECISION_SECONDS = 86400.0


@frozen
class LimitsConfig:
    """Time budgets (``docs/limits.md``): no plugin can hang an evaluation."""

    #: Longest a scorer, a rule pack, the policy, an observer or a plugin's import or
    #: registration may run; past it the component is an ``error`` event and the
    #: decision fails closed.
    component_seconds: float = 10.0
    #: Longest one company's evaluation may take in all (in ``batch`` too).
    decision_seconds: float = 60.0


@frozen
class ConfigFile:
    """The shape of a configuration file (every key optional)."""

    gate: GateConfig = field(factory=GateConfig)
    fx: FxConfig = field(factory=FxConfig)
    dimensions: dict[str, DimensionConfig] = field(factory=dict)
    policy: PolicyConfig = field(factory=PolicyConfig)
    plugins: PluginsConfig = field(factory=PluginsConfig)
    rules: RulesConfig = field(factory=RulesConfig)
    explain: ExplainConfig = field(factory=ExplainConfig)
    risk: RiskConfig = field(factory=RiskConfig)
    extensions: ExtensionsConfig = field(factory=ExtensionsConfig)
    limits: LimitsConfig = field(factory=LimitsConfig)
    sources: SourcesConfig = field(factory=SourcesConfig)
    #: Folders of drop-in plugin files (``.py``), relative to the config file.
    plugin_dirs: tuple[str, ...] = ()
    #: Folders of drop-in rule packs (``.py`` or ``.toml``), relative to the config file.
    rule_dirs: tuple[str, ...] = ()
    settings: dict[str, dict[str, Any]] = field(factory=dict)


@frozen
class EngineConfig:
    """The effective configuration: the file's values over the defaults."""

    gate: GateConfig = field(factory=GateConfig)
    fx: FxConfig = field(factory=FxConfig)
    dimensions: dict[str, DimensionConfig] = field(
        factory=lambda: {d: DimensionConfig() for d in DEFAULT_DIMENSIONS}
    )
    policy: PolicyConfig = field(factory=PolicyConfig)
    plugins: PluginsConfig = field(factory=PluginsConfig)
    rules: RulesConfig = field(factory=RulesConfig)
    explain: ExplainConfig = field(factory=ExplainConfig)
    risk: RiskConfig = field(factory=RiskConfig)
    extensions: ExtensionsConfig = field(factory=ExtensionsConfig)
    limits: LimitsConfig = field(factory=LimitsConfig)
    sources: SourcesConfig = field(factory=SourcesConfig)
    plugin_dirs: tuple[Path, ...] = ()
    rule_dirs: tuple[Path, ...] = ()
    #: Raw ``[settings.<name>]`` tables, validated when the engine is built.
    settings: dict[str, dict[str, Any]] = field(factory=dict)
    #: The file the configuration came from (None for the defaults).
    path: str | None = None
    #: Where inside that file the configuration starts (``$`` or ``$.tool.threshold``).
    root: str = "$"
    #: Problems found in the file, kept for the engine to report with its own
    #: (``build_config(collect=True)``); an engine never runs with any.
    problems: tuple[Problem, ...] = field(default=(), eq=False, repr=False)
    #: True when :func:`~threshold_core.load.build_config` made it: its values came
    #: through the converter and its checks, which the engine then does not repeat. Not
    #: an argument: a copy made with ``attrs.evolve`` (or built in Python) is unchecked,
    #: so the engine checks its values as it checks any configuration built in Python.
    checked: bool = field(default=False, init=False, eq=False, repr=False)

    def coverage_floor_for(self, dimension: str) -> float:
        """The coverage floor of one dimension: its own ``coverage_floor``, else the policy's."""
        dc = self.dimensions.get(dimension)
        if dc is not None and dc.coverage_floor is not None:
            return dc.coverage_floor
        return self.policy.coverage_floor

    def sha256(self) -> str:
        """Hash of the canonical effective configuration (for receipts)."""
        # attrs.asdict gives the same plain data as the cattrs converter here
        # (enums are str, dates fall back to str below), so the hash is unchanged.
        data = attrs.asdict(self)
        # The time budgets decide nothing a decision records (a timeout is an error
        # event either way), so they leave the hash alone.
        for key in ("path", "root", "plugin_dirs", "rule_dirs", "problems", "limits",
                    "checked"):
            data.pop(key, None)
        text = json.dumps(data, sort_keys=True, separators=(",", ":"), default=str)
        return sha256_hexdigest(text.encode())
