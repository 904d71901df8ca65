"""Reading the configuration: ``threshold.toml`` or ``[tool.threshold]`` in ``pyproject.toml``.

A file only needs the keys it changes; everything else keeps the defaults of
:class:`threshold_core.model.EngineConfig`. Unknown keys are errors naming the
key and the file.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from ..errors import InputError, Problem
from ..model import (
    CONFIG_FILE,
    DEFAULT_DIMENSIONS,
    MAX_COMPONENT_SECONDS,
    MAX_DECISION_SECONDS,
    MAX_MONTE_CARLO_DRAWS,
    ConfigFile,
    DimensionConfig,
    EngineConfig,
    ExplainConfig,
    FxConfig,
    FxRow,
    LimitsConfig,
    PolicyConfig,
    check_risk,
    check_sources,
)
from ._converter import structure_each
from ._pyconfig import kind_problems
from ._reading import read_toml


def _check_policy(policy: PolicyConfig) -> list[Problem]:
    problems = []
    if not 0.0 <= policy.coverage_floor <= 1.0:
        problems.append(Problem("$.policy.coverage_floor", "must be between 0 and 1"))
    if not 0.0 <= policy.high_cap <= 100.0:
        problems.append(Problem("$.policy.high_cap", "must be between 0 and 100"))
    for key in ("medium_deduction", "medium_max_per_pack"):
        if getattr(policy, key) < 0:
            problems.append(Problem(f"$.policy.{key}", "deductions must not be negative"))
    if not 0.0 <= policy.max_illustrative_share <= 1.0:
        problems.append(Problem("$.policy.max_illustrative_share", "must be between 0 and 1"))
    if not 0.0 <= policy.dimension_floor <= 100.0:
        problems.append(Problem("$.policy.dimension_floor", "must be between 0 and 100"))
    for name, floor in policy.dimension_floors.items():
        if not 0.0 <= floor <= 100.0:
            problems.append(
                Problem(f"$.policy.dimension_floors.{name}", "must be between 0 and 100"))
    mins = [g.min_score for g in policy.grades]
    if not policy.grades:
        problems.append(Problem("$.policy.grades", "at least one grade band is needed"))
    elif mins != sorted(mins, reverse=True) or len(set(mins)) != len(mins):
        problems.append(
            Problem("$.policy.grades", "bands must be listed best first with falling min_score")
        )
    elif mins[-1] != 0:  # below 0 too: every score is at least 0
        problems.append(
            Problem("$.policy.grades", f"the last band must start at 0, not {mins[-1]:g}")
        )
    elif mins[0] > 100:
        problems.append(Problem("$.policy.grades[0].min_score", f"{mins[0]:g} is above 100: "
                                "no score reaches the band"))
    seen: dict[str, int] = {}
    for i, g in enumerate(policy.grades):
        if g.name in seen:
            problems.append(Problem(f"$.policy.grades[{i}].name", f"{g.name!r} is also the "
                                    f"name of $.policy.grades[{seen[g.name]}]"))
        seen.setdefault(g.name, i)
    return problems


def _check_limits(limits: LimitsConfig) -> list[Problem]:
    problems = []
    for key, top in (("component_seconds", MAX_COMPONENT_SECONDS),
                     ("decision_seconds", MAX_DECISION_SECONDS)):
        value = getattr(limits, key)
        if not 0 < value <= top:
            problems.append(Problem(f"$.limits.{key}", f"must be above 0 and at most {top:g}"))
    return problems


def _check_explain(explain: ExplainConfig) -> list[Problem]:
    problems = []
    if explain.fragile_margin_points < 0:
        problems.append(Problem("$.explain.fragile_margin_points", "must not be negative"))
    if not 0 <= explain.monte_carlo_draws <= MAX_MONTE_CARLO_DRAWS:
        problems.append(Problem("$.explain.monte_carlo_draws",
                                f"must be between 0 and {MAX_MONTE_CARLO_DRAWS:,}"))
    if explain.dirichlet_concentration <= 0:
        problems.append(Problem("$.explain.dirichlet_concentration", "must be positive"))
    if not 0.0 <= explain.fragile_flip_probability <= 1.0:
        problems.append(Problem("$.explain.fragile_flip_probability", "must be between 0 and 1"))
    return problems


def _structure_sections(data: Any) -> tuple[ConfigFile, list[Problem]]:
    """The file key by key, so one broken key hides no problem of another.

    A key that does not structure keeps its default (and its problems are kept), down
    to the keys of each section: ``[policy]`` with an unknown key still has its
    ``coverage_floor`` checked.
    """
    if not isinstance(data, Mapping):
        return ConfigFile(), [Problem("$", "expected a table")]
    cf, problems = structure_each(data, ConfigFile)
    return cf, problems


def _check_rates(rates: Mapping[str, float], at: str) -> list[Problem]:
    """Rates keyed by ISO 4217 codes, each given once, none for CNY itself."""
    problems = []
    seen: dict[str, str] = {}
    for key, rate in rates.items():
        code = currency_code(key)
        where = f"{at}.{key}"
        if not _ISO_CODE.fullmatch(code):
            problems.append(Problem(where, f'expected an ISO 4217 currency code, got "{key}"'))
        elif code == "CNY":
            problems.append(Problem(where, "the rates are CNY per unit: CNY itself is always 1"))
        elif code in seen:
            problems.append(Problem(where, f'the rate for {code} is given twice '
                                    f'("{seen[code]}" and "{key}")'))
        seen.setdefault(code, key)
        if rate <= 0:
            problems.append(Problem(where, "must be positive"))
    return problems


def _check_history(fx: Any) -> list[Problem]:
    """Each ``history`` row's rates, and its date: older than the main table's ``as_of``
    (``rates`` is the newest row) and unlike any other row's, since two rows of one date
    would leave the list's order to decide the rate."""
    problems: list[Problem] = []
    seen: dict[Any, int] = {}
    for i, row in enumerate(fx.history):
        problems += _check_rates(row.rates, f"$.fx.history[{i}].rates")
        where = f"$.fx.history[{i}].as_of"
        if row.as_of >= fx.as_of:
            problems.append(Problem(where, f"{row.as_of.isoformat()} is not before $.fx.as_of "
                                    f"({fx.as_of.isoformat()}): rates is the newest row"))
        elif row.as_of in seen:
            problems.append(Problem(where, f"{row.as_of.isoformat()} is also the date of "
                                    f"$.fx.history[{seen[row.as_of]}]: one row per date"))
        else:
            seen[row.as_of] = i
    return problems


_ISO_CODE = re.compile(r"[A-Z]{3}")


def currency_code(text: str) -> str:
    """A currency code as the FX table keys it: NFKC (full-width letters), trimmed, upper case."""
    return unicodedata.normalize("NFKC", text).strip().upper()


def section_problems(config: Any) -> list[Problem]:
    """Problems with the values of a configuration's sections (``policy``,
    ``dimensions``, ``fx`` and its ``history``, ``gate``, ``explain``, ``limits``,
    ``risk``, ``sources``), each naming its path: the checks :func:`build_config` runs on
    a file, for an :class:`~threshold_core.EngineConfig` built in Python too (the engine
    runs them on every configuration it is given that carries no problems of its own)."""
    problems: list[Problem] = []
    problems += _check_policy(config.policy)
    for name, dim in config.dimensions.items():
        if dim.weight < 0:
            problems.append(Problem(f"$.dimensions.{name}.weight", "must not be negative"))
        if dim.coverage_floor is not None and not 0.0 <= dim.coverage_floor <= 1.0:
            problems.append(Problem(f"$.dimensions.{name}.coverage_floor",
                                    "must be between 0 and 1"))
        if name in DEFAULT_DIMENSIONS and not dim.required:
            problems.append(Problem(f"$.dimensions.{name}.required",
                                    "a built-in dimension is always required"))
    problems += _check_rates(config.fx.rates, "$.fx.rates")
    if config.gate.line_cny <= 0:
        problems.append(Problem("$.gate.line_cny", "must be positive"))
    problems += _check_explain(config.explain)
    problems += _check_limits(config.limits)
    problems += check_risk(config.risk)
    problems += check_sources(config.sources)
    problems += _check_history(config.fx)
    return problems


def config_problems(config: EngineConfig) -> list[Problem]:
    """Every problem :func:`build_config` would find in a configuration's values, for one
    built in Python (``EngineConfig(fx=FxConfig(history=...))``): the sections' own
    (:func:`section_problems`), a dimension floor for no dimension, every weight 0."""
    problems = kind_problems(config)
    if problems:  # the value checks compare numbers: only once every value is of its kind
        return problems
    problems = section_problems(config)
    problems += [
        Problem(f"$.policy.dimension_floors.{name}",
                f"no dimension {name!r} (known: {', '.join(sorted(config.dimensions))})")
        for name in config.policy.dimension_floors if name not in config.dimensions
    ]
    if not any(d.weight > 0 for d in config.dimensions.values()):
        problems.append(Problem("$.dimensions", "every weight is 0"))
    # a file's keys are read as codes (NFKC, upper case); one built in Python is used as
    # given, so a key the gate would never match ("usd") is refused, not left unused
    tables = [("$.fx.rates", config.fx.rates)] + [
        (f"$.fx.history[{i}].rates", row.rates) for i, row in enumerate(config.fx.history)]
    problems += [Problem(f"{at}.{key}", f'write the currency code as "{currency_code(key)}"')
                 for at, rates in tables for key in rates if key != currency_code(key)]
    return problems


def build_config(
    data: Mapping[str, Any], *, source: str = "<config>", base_dir: Path | None = None,
    root: str = "$", collect: bool = False,
) -> EngineConfig:
    """Validate a configuration document and merge it over the defaults.

    Every problem of the file is reported at once. With ``collect=True`` nothing is
    raised: the problems travel in :attr:`EngineConfig.problems` (broken sections
    keep their defaults), so the engine can add the problems only the plugins can
    see (settings, dimensions, rule ids, plugin names) and report them all together.
    """
    cf, problems = _structure_sections(data)
    problems += section_problems(cf)
    dimensions = {d: DimensionConfig() for d in DEFAULT_DIMENSIONS}
    dimensions.update(cf.dimensions)
    unknown_floors = [
        Problem(f"$.policy.dimension_floors.{name}",
                f"no dimension {name!r} (known: {', '.join(sorted(dimensions))})")
        for name in cf.policy.dimension_floors if name not in dimensions
    ]
    if unknown_floors:
        raise InputError(source, _rooted(unknown_floors, root))
    if not any(d.weight > 0 for d in dimensions.values()):
        problems.append(Problem("$.dimensions", "every weight is 0"))
    if problems and not collect:
        raise InputError(source, _rooted(problems, root))
    base = base_dir or Path.cwd()
    fx = FxConfig(
        rates={currency_code(k): v for k, v in cf.fx.rates.items()}, as_of=cf.fx.as_of,
        source=cf.fx.source,
        history=tuple(
            FxRow(as_of=r.as_of, rates={currency_code(k): v for k, v in r.rates.items()},
                  source=r.source)
            for r in cf.fx.history
        ),
    )
    config = EngineConfig(
        gate=cf.gate,
        fx=fx,
        dimensions=dimensions,
        policy=cf.policy,
        plugins=cf.plugins,
        rules=cf.rules,
        explain=cf.explain,
        limits=cf.limits,
        risk=cf.risk,
        sources=cf.sources,
        extensions=cf.extensions,
        plugin_dirs=tuple(base / p for p in cf.plugin_dirs),
        rule_dirs=tuple(base / p for p in cf.rule_dirs),
        settings=cf.settings,
        path=None if source == "<config>" else source,
        root=root,
        problems=tuple(_rooted(problems, root)),
    )
    # Only build_config marks a configuration checked (attrs.evolve's copies are not).
    object.__setattr__(config, "checked", True)
    return config


def _rooted(problems: Any, root: str) -> list[Problem]:
    if root == "$":
        return list(problems)
    return [Problem(root + p.path[1:], p.message) for p in problems]


def load_config(path: str | Path, *, collect: bool = False) -> EngineConfig:
    """Load ``threshold.toml`` (or a ``pyproject.toml`` with ``[tool.threshold]``).

    ``collect``: see :func:`build_config`.
    """
    p = Path(path)
    data = read_toml(p)
    if p.name == "pyproject.toml":
        tool = _tool_table(data, str(p))
        if "threshold" not in tool:
            raise InputError(str(p), [Problem("$.tool.threshold", "section missing")])
        section = tool["threshold"]
        if not isinstance(section, Mapping):
            raise InputError(str(p), [Problem(
                "$.tool.threshold", f"expected a table, got {_kind(section)}")])
        return build_config(section, source=str(p), base_dir=p.parent,
                            root="$.tool.threshold", collect=collect)
    return build_config(data, source=str(p), base_dir=p.parent, collect=collect)


def _kind(value: Any) -> str:
    return "an array" if isinstance(value, list) else f"a {type(value).__name__}"


def _tool_table(data: Mapping[str, Any], source: str) -> Mapping[str, Any]:
    """``[tool]`` of a pyproject.toml: a table (PEP 518), else an :class:`InputError`."""
    tool = data.get("tool", {})
    if not isinstance(tool, Mapping):
        raise InputError(source, [Problem("$.tool", f"expected a table, got {_kind(tool)}")])
    return tool


def find_config(start: Path | None = None) -> Path | None:
    """The nearest ``threshold.toml``, or ``pyproject.toml`` with ``[tool.threshold]``,
    from ``start`` (default: the working folder) upward."""
    here = (start or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        candidate = folder / CONFIG_FILE
        if candidate.is_file():
            return candidate
        pyproject = folder / "pyproject.toml"
        # A broken pyproject.toml is an error, as a broken threshold.toml is: it may
        # hold the [tool.threshold] the user meant, and skipping it would be silent.
        if pyproject.is_file() and "threshold" in _tool_table(read_toml(pyproject),
                                                              str(pyproject)):
            return pyproject
    return None


def resolve_config(path: str | Path | None = None, *, collect: bool = False) -> EngineConfig:
    """The configuration at ``path``, else the nearest one found, else the defaults.

    ``collect``: see :func:`build_config`.
    """
    if path is not None:
        return load_config(path, collect=collect)
    found = find_config()
    return load_config(found, collect=collect) if found else EngineConfig()
