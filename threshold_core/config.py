"""Engine configuration: ``threshold.toml`` or ``[tool.threshold]`` in ``pyproject.toml``.

Every number of the decision policy lives here. A file only needs the keys it
changes; everything else keeps the defaults below (``examples/threshold.toml``
spells all of them out). Unknown keys are errors naming the key and the file.

Plugin settings live in ``[settings.<name>]`` sections and are validated
later, by :class:`threshold_core.engine.Engine`, against the classes plugins
declare through ``threshold_settings_types``.
"""

from __future__ import annotations

import hashlib
import json
import tomllib
from collections.abc import Mapping
from datetime import date
from pathlib import Path
from typing import Any

from attrs import field, frozen

from .converter import StructureProblems, converter, structure
from .errors import InputError, Problem
from .headroom import RiskConfig, check_risk
from .models import StrEnum, ValuationBasis
from .results import Verdict

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
    #: A valuation whose source says "illustrative" cannot pass the gate (house policy: a
    #: made-up figure is not evidence).
    refuse_illustrative: bool = True
    #: A valuation without a date (its ``as_of``, else the profile's) cannot pass the gate
    #: (house policy: the STAR standard's market value is measured at a date; an undated
    #: figure cannot be converted at the right FX rate or aged).
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
    #: A rule that could not be evaluated lowers compliance coverage only.
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
    plugin_dirs: tuple[Path, ...] = ()
    rule_dirs: tuple[Path, ...] = ()
    #: Raw ``[settings.<name>]`` tables, validated when the engine is built.
    settings: dict[str, dict[str, Any]] = field(factory=dict)
    #: The file the configuration came from (None for the defaults).
    path: str | None = None
    #: Where inside that file the configuration starts (``$`` or ``$.tool.threshold``).
    root: str = "$"

    def sha256(self) -> str:
        """Hash of the canonical effective configuration (for receipts)."""
        data = converter().unstructure(self)
        for key in ("path", "root", "plugin_dirs", "rule_dirs"):
            data.pop(key, None)
        text = json.dumps(data, sort_keys=True, separators=(",", ":"), default=str)
        return hashlib.sha256(text.encode()).hexdigest()


def _check_policy(policy: PolicyConfig) -> list[Problem]:
    problems = []
    if not 0.0 <= policy.coverage_floor <= 1.0:
        problems.append(Problem("$.policy.coverage_floor", "must be between 0 and 1"))
    if not 0.0 <= policy.high_cap <= 100.0:
        problems.append(Problem("$.policy.high_cap", "must be between 0 and 100"))
    if policy.medium_deduction < 0 or policy.medium_max_per_pack < 0:
        problems.append(Problem("$.policy.medium_deduction", "deductions must not be negative"))
    mins = [g.min_score for g in policy.grades]
    if not policy.grades:
        problems.append(Problem("$.policy.grades", "at least one grade band is needed"))
    elif mins != sorted(mins, reverse=True) or len(set(mins)) != len(mins):
        problems.append(
            Problem("$.policy.grades", "bands must be listed best first with falling min_score")
        )
    elif mins[-1] > 0:
        problems.append(
            Problem("$.policy.grades", f"the last band must start at 0, not {mins[-1]:g}")
        )
    return problems


def _check_explain(explain: ExplainConfig) -> list[Problem]:
    problems = []
    if explain.fragile_margin_points < 0:
        problems.append(Problem("$.explain.fragile_margin_points", "must not be negative"))
    if explain.monte_carlo_draws < 0:
        problems.append(Problem("$.explain.monte_carlo_draws", "must not be negative"))
    if explain.dirichlet_concentration <= 0:
        problems.append(Problem("$.explain.dirichlet_concentration", "must be positive"))
    if not 0.0 <= explain.fragile_flip_probability <= 1.0:
        problems.append(Problem("$.explain.fragile_flip_probability", "must be between 0 and 1"))
    return problems


def build_config(
    data: Mapping[str, Any], *, source: str = "<config>", base_dir: Path | None = None,
    root: str = "$",
) -> EngineConfig:
    """Validate a configuration document and merge it over the defaults."""
    try:
        cf: ConfigFile = structure(data, ConfigFile)
    except StructureProblems as exc:
        raise InputError(source, _rooted(exc.problems, root)) from None
    problems = _check_policy(cf.policy)
    for name, dim in cf.dimensions.items():
        if dim.weight < 0:
            problems.append(Problem(f"$.dimensions.{name}.weight", "must not be negative"))
    for code, rate in cf.fx.rates.items():
        if rate <= 0:
            problems.append(Problem(f"$.fx.rates.{code}", "must be positive"))
    if cf.gate.line_cny <= 0:
        problems.append(Problem("$.gate.line_cny", "must be positive"))
    problems += _check_explain(cf.explain)
    problems += check_risk(cf.risk)
    for i, row in enumerate(cf.fx.history):
        for code, rate in row.rates.items():
            if rate <= 0:
                problems.append(Problem(f"$.fx.history[{i}].rates.{code}", "must be positive"))
    if problems:
        raise InputError(source, _rooted(problems, root))
    dimensions = {d: DimensionConfig() for d in DEFAULT_DIMENSIONS}
    dimensions.update(cf.dimensions)
    if not any(d.weight > 0 for d in dimensions.values()):
        raise InputError(source, [Problem(f"{root}.dimensions", "every weight is 0")])
    base = base_dir or Path.cwd()
    fx = FxConfig(
        rates={k.upper(): v for k, v in cf.fx.rates.items()}, as_of=cf.fx.as_of,
        source=cf.fx.source,
        history=tuple(
            FxRow(as_of=r.as_of, rates={k.upper(): v for k, v in r.rates.items()},
                  source=r.source)
            for r in cf.fx.history
        ),
    )
    return EngineConfig(
        gate=cf.gate,
        fx=fx,
        dimensions=dimensions,
        policy=cf.policy,
        plugins=cf.plugins,
        rules=cf.rules,
        explain=cf.explain,
        risk=cf.risk,
        extensions=cf.extensions,
        plugin_dirs=tuple(base / p for p in cf.plugin_dirs),
        rule_dirs=tuple(base / p for p in cf.rule_dirs),
        settings=cf.settings,
        path=None if source == "<config>" else source,
        root=root,
    )


def _rooted(problems: Any, root: str) -> list[Problem]:
    if root == "$":
        return list(problems)
    return [Problem(root + p.path[1:], p.message) for p in problems]


def read_text(path: Path) -> str:
    """A UTF-8 file's text; an unreadable file becomes an :class:`InputError`."""
    try:
        return path.read_bytes().decode("utf-8")
    except OSError as exc:
        raise InputError(str(path), [Problem("$", f"cannot read file: {exc.strerror}")]) from None
    except UnicodeDecodeError:
        raise InputError(str(path), [Problem("$", "not UTF-8 text")]) from None


def read_toml(path: Path) -> dict[str, Any]:
    """Parse a TOML file; syntax errors become an :class:`InputError` with line and column."""
    text = read_text(path)
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise InputError(str(path), [Problem("$", f"invalid TOML: {exc}")]) from None


def load_config(path: str | Path) -> EngineConfig:
    """Load ``threshold.toml`` (or a ``pyproject.toml`` with ``[tool.threshold]``)."""
    p = Path(path)
    data = read_toml(p)
    if p.name == "pyproject.toml":
        tool = data.get("tool", {}).get("threshold")
        if tool is None:
            raise InputError(str(p), [Problem("$.tool.threshold", "section missing")])
        return build_config(tool, source=str(p), base_dir=p.parent, root="$.tool.threshold")
    return build_config(data, source=str(p), base_dir=p.parent)


def find_config(start: Path | None = None) -> Path | None:
    """The nearest ``threshold.toml``, or ``pyproject.toml`` with ``[tool.threshold]``,
    from ``start`` (default: the working folder) upward."""
    here = (start or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        candidate = folder / CONFIG_FILE
        if candidate.is_file():
            return candidate
        pyproject = folder / "pyproject.toml"
        if pyproject.is_file():
            try:
                data = tomllib.loads(pyproject.read_text(encoding="utf-8"))
            except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
                continue
            if "threshold" in data.get("tool", {}):
                return pyproject
    return None


def resolve_config(path: str | Path | None = None) -> EngineConfig:
    """The configuration at ``path``, else the nearest one found, else the defaults."""
    if path is not None:
        return load_config(path)
    found = find_config()
    return load_config(found) if found else EngineConfig()
