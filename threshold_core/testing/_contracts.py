"""Contract checks: what every scorer and rule pack must honour, as one call each.

:func:`check_scorer` and :func:`check_rule_pack` run a component on a spread of
profiles (the example companies when they can be found, a minimal and a rich
generated profile, an empty one, and single-field variations of all of them)
and raise :class:`ContractViolation` listing *every* broken contract at once:

* **deterministic**: the same profile twice gives equal results;
* **in range**: a score is None or within 0-100 and a coverage within 0-1, on
  every profile; a valid rule outcome, never above the declared severity;
* **no data, no score**: on an empty profile a scorer returns score None and
  coverage 0, and a rule does not crash;
* **monotone** (scorers that declare ``directions``): whenever a metric's raw
  value moves alone, the score moves the declared way or stays put (the
  probes are described in :mod:`threshold_core.testing._probes`);
* **omission never helps**: leaving out what a metric reads (each of its paths, one at
  a time, where the profile still validates without it) never raises the score: a
  metric without data counts at its least favourable points, never drops out of the
  mean (:func:`threshold_core.kit.score_metrics` does this);
* **settings survive TOML**: the settings, unstructured with the shared
  converter and written as TOML, load back through the same strict
  structuring the engine uses into an equal object;
* **complete rule metadata**: ids like ``FIL-001``, unique; title, severity,
  rationale and source given; the dimension a non-empty name, or None for a
  rule whose findings affect no dimension score.

The profiles come from :mod:`threshold_core.testing._samples` and
:mod:`threshold_core.testing._variations`, the TOML writer from
:mod:`threshold_core.testing._tomlwriter`; their public names are re-exported here.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import attrs

from ..load import (
    StructureProblems,
    converter,
    profile_from_data,
    structure,
    unreadable_fields,
)
from ..model import CompanyProfile, RuleOutcome, RuleStatus, Severity, format_significant
from ._probes import _band_violations, _metric_paths, _score, _ScorerCheck
from ._samples import (
    CONTEXT,
    EMPTY_PROFILE,
    MINIMAL_PROFILE,
    RICH_PROFILE,
    deep_merge,
    example_profile_paths,
    examples_dir,
    sample_profiles,
)
from ._tomlwriter import toml_dumps
from ._variations import profile_variants, withheld

__all__ = [
    "EMPTY_PROFILE",
    "MINIMAL_PROFILE",
    "RICH_PROFILE",
    "RULE_ID_PATTERN",
    "ContractViolation",
    "check_rule_pack",
    "check_scorer",
    "deep_merge",
    "example_profile_paths",
    "examples_dir",
    "profile_variants",
    "sample_profiles",
    "settings_round_trip",
    "toml_dumps",
]

#: What a rule id looks like: upper-case letters, a dash, three digits.
RULE_ID_PATTERN = re.compile(r"^[A-Z]+-\d{3}$")


class ContractViolation(AssertionError):
    """A component broke its contract; ``violations`` lists every broken rule."""

    def __init__(self, component: str, violations: Sequence[str]) -> None:
        self.component = component
        self.violations = tuple(violations)
        lines = "\n".join(f"  - {v}" for v in self.violations)
        super().__init__(f"{component} breaks {len(self.violations)} contract(s):\n{lines}")


# -- settings through TOML -----------------------------------------------------------


def _unstructure_settings(settings: Any) -> Any:
    """Plain data for ``settings``, each field by its runtime type with the shared converter.

    Field by field, because settings classes annotate what a user writes
    (``list[list[float]]``) while holding what their converters make of it
    (:class:`~threshold_core.kit.Band`), which has its own unstructure hook.
    """
    if not attrs.has(type(settings)):
        return converter().unstructure(settings)
    out: dict[str, Any] = {}
    for a in attrs.fields(type(settings)):
        value = getattr(settings, a.name)
        try:
            out[a.name] = converter().unstructure(value)
        except Exception:
            if not attrs.has(type(value)):
                raise
            out[a.name] = _unstructure_settings(value)
    return out


def settings_round_trip(settings: Any, name: str = "component") -> tuple[str, Any]:
    """Write ``settings`` as a ``[settings.<name>]`` section and load it back as the
    engine does (``tomllib``, then the strict converter into the settings class).

    :return: the TOML text and the settings object read back from it.
    :raises StructureProblems: when the TOML does not structure back.
    """
    data = _unstructure_settings(settings)
    text = toml_dumps({"settings": {name: data}})
    loaded = tomllib.loads(text).get("settings", {}).get(name, {})
    return text, structure(loaded, type(settings))


def _settings_violations(settings: Any, name: str) -> list[str]:
    if settings is None:
        return []
    if not attrs.has(type(settings)):
        return [f"settings must be an attrs class instance, got {type(settings).__name__}"]
    unreadable = unreadable_fields(type(settings))
    if unreadable:
        return [f"settings {u.describe('TOML')}" for u in unreadable]
    try:
        text, back = settings_round_trip(settings, name or "component")
    except StructureProblems as exc:
        return [f"settings written as TOML do not load back: {p.path}: {p.message}"
                for p in exc.problems]
    except Exception as exc:
        return [f"settings cannot be written as TOML: {type(exc).__name__}: {exc}"]
    if back == settings:
        return []
    diffs = [a.name for a in attrs.fields(type(settings))
             if getattr(back, a.name) != getattr(settings, a.name)]
    return [f"settings change through TOML: field(s) {', '.join(diffs)} differ after loading "
            f"back (TOML written: {text!r})"]


# -- scorers -------------------------------------------------------------------------


def check_scorer(
    scorer: Any, settings: Any = None, *, profiles: Iterable[CompanyProfile] = ()
) -> None:
    """Check a scorer against its contract; raise :class:`ContractViolation` listing
    every violation.

    :param scorer: the component, as registered (``name``, ``dimension``, ``score``).
    :param settings: the settings object it receives (for a registered scorer,
        ``engine.settings.get(scorer.name)``); None when it declares none.
    :param profiles: more profiles to include in the spread.
    """
    name = getattr(scorer, "name", None)
    check = _ScorerCheck(scorer, settings)
    if not isinstance(name, str) or not name:
        check.fail(f"metadata: a scorer needs a non-empty name, got {name!r}")
    if not check.dimension:
        check.fail("metadata: a scorer needs a non-empty dimension")
    if not callable(getattr(scorer, "score", None)):
        raise ContractViolation(str(name), [*check.violations, "metadata: no score() method"])

    samples = sample_profiles(profiles)
    empty = profile_from_data(EMPTY_PROFILE, "empty")
    result = check.score("the empty profile", empty)
    if result is not None and (result.score is not None or result.coverage != 0):
        check.fail(f"no data, no score: on the empty profile it returned score "
                   f"{result.score!r} and coverage {result.coverage!r}, not None and 0")

    for label, profile in [("the empty profile", empty), *samples]:
        first, _ = _score(scorer, profile, settings)
        second, _ = _score(scorer, profile, settings)
        if first is not None and first != second:
            check.fail(f"deterministic: two calls on {label} returned different results",
                       "deterministic")

    # The range spread: every sample, and variations of what the scorer says it reads.
    read = [p for paths in _metric_paths(scorer).values() for p in paths]
    for label, profile in samples:
        base = check.score(label, profile)
        paths = [*read, *(base.inputs if base is not None else ())] or [""]
        for desc, variant in profile_variants(profile, paths):
            check.score(f"{label} with {desc}", variant)

    # Omission never helps: each path a metric reads, left out, never raises the score.
    for label, profile in samples:
        base = check.score(label, profile)
        if base is None or base.score is None:
            continue
        for path in dict.fromkeys(read or base.inputs):
            left = withheld(profile, path)
            got = None if left is None else check.score(f"{label} without {path}", left)
            if got is not None and got.score is not None and got.score > base.score + 1e-9:
                # the two scores kept apart (never "65 -> 65" for a rise of a hair)
                before = format_significant(base.score, (got.score,), 6)
                after = format_significant(got.score, (base.score,), 6)
                check.fail(f"omission never helps: leaving out {path} raised the score "
                           f"{before} -> {after} ({label}); count a metric "
                           "without data at its least favourable points", "omission")

    directions = getattr(scorer, "directions", None) or {}
    if not isinstance(directions, Mapping):
        check.fail("monotone: directions must be a mapping of metric name to 'higher'/'lower'")
    elif directions:
        check.monotone(samples, directions)
        for v in _band_violations(scorer, settings, directions):
            check.fail(v)

    for v in _settings_violations(settings, name if isinstance(name, str) else ""):
        check.fail(v)
    if check.violations:
        raise ContractViolation(f"scorer {name!r}", check.violations)


# -- rule packs ----------------------------------------------------------------------


def _meta_violations(rules: Sequence[Any]) -> list[str]:
    out: list[str] = []
    ids: dict[str, int] = {}
    for i, rule in enumerate(rules):
        meta = getattr(rule, "meta", None)
        if meta is None:
            out.append(f"metadata: rule #{i} has no meta")
            continue
        rid = getattr(meta, "id", None)
        where = f"rule {rid!r}" if isinstance(rid, str) and rid else f"rule #{i}"
        if not isinstance(rid, str) or not RULE_ID_PATTERN.match(rid):
            out.append(f"metadata: {where}: id must match {RULE_ID_PATTERN.pattern}")
        elif rid in ids:
            out.append(f"metadata: {where}: id used twice (rules #{ids[rid]} and #{i})")
        else:
            ids[rid] = i
        if not isinstance(getattr(meta, "severity", None), Severity):
            out.append(f"metadata: {where}: severity must be a Severity")
        for attr in ("title", "dimension", "rationale", "source"):
            value = getattr(meta, attr, None)
            if attr == "dimension" and value is None:
                continue  # declared as affecting no dimension score (reported only)
            if not isinstance(value, str) or not value.strip():
                out.append(f"metadata: {where}: {attr} must be a non-empty string")
        if not callable(getattr(rule, "evaluate", None)):
            out.append(f"metadata: {where}: no evaluate() method")
    return out


def _outcome_problem(value: Any, declared: Any) -> str | None:
    if not isinstance(value, RuleOutcome):
        return f"returned {type(value).__name__}, not RuleOutcome"
    if value.status in (RuleStatus.DISABLED, RuleStatus.ERROR):
        return f"returned status {value.status}, which only the engine may set"
    if (value.severity is not None and isinstance(declared, Severity)
            and value.severity.rank < declared.rank):
        return f"fired at {value.severity}, above its declared severity {declared}"
    if value.status is RuleStatus.NOT_EVALUATED and not value.missing:
        return "returned not_evaluated without naming the missing profile paths"
    return None


def _pack_paths(rules: Sequence[Any], profile: CompanyProfile, settings: Any) -> list[str]:
    """Profile paths the rules read (evidence keys) or missed, on ``profile``."""
    paths: dict[str, None] = {}
    for rule in rules:
        try:
            outcome = rule.evaluate(profile, settings, CONTEXT)
        except Exception:  # reported by the checks proper
            continue
        if isinstance(outcome, RuleOutcome):
            paths.update(dict.fromkeys(k for k in outcome.evidence if isinstance(k, str)))
            paths.update(dict.fromkeys(outcome.missing))
    return list(paths) or [""]


def check_rule_pack(
    pack: Any, settings: Any = None, *, profiles: Iterable[CompanyProfile] = ()
) -> None:
    """Check a rule pack against its contract; raise :class:`ContractViolation` listing
    every violation.

    :param pack: the component, as registered (``name``, ``version``, ``rules``).
    :param settings: the settings object its rules receive (for a registered pack,
        ``engine.settings.get(pack.name)``); None when it declares none.
    :param profiles: more profiles to include in the spread.
    """
    name = getattr(pack, "name", None)
    violations: list[str] = []
    if not isinstance(name, str) or not name:
        violations.append(f"metadata: a rule pack needs a non-empty name, got {name!r}")
    version = getattr(pack, "version", None)
    if not isinstance(version, str) or not version:
        violations.append(f"metadata: a rule pack needs a non-empty version, got {version!r}")
    rules = list(getattr(pack, "rules", None) or ())
    if not rules:
        violations.append("metadata: a rule pack needs at least one rule")
    violations.extend(_meta_violations(rules))

    samples = sample_profiles(profiles)
    # The spread: every sample, and variations of what the rules say they read or missed.
    spread = [("the empty profile", profile_from_data(EMPTY_PROFILE, "empty")), *samples]
    for label, profile in samples:
        spread.extend((f"{label} with {d}", p)
                      for d, p in profile_variants(profile, _pack_paths(rules, profile, settings)))
    for rule in rules:
        meta = getattr(rule, "meta", None)
        rid = getattr(meta, "id", repr(rule))
        if not callable(getattr(rule, "evaluate", None)):
            continue
        for i, (label, profile) in enumerate(spread):
            try:
                first = rule.evaluate(profile, settings, CONTEXT)
            except Exception as exc:
                violations.append(f"no crash: rule {rid!r} raised {type(exc).__name__}: {exc} "
                                  f"on {label}")
                break
            problem = _outcome_problem(first, getattr(meta, "severity", None))
            if problem is not None:
                violations.append(f"valid outcome: rule {rid!r} {problem} on {label}")
                break
            if i <= len(samples):  # determinism on the base profiles
                second = rule.evaluate(profile, settings, CONTEXT)
                if first != second:
                    violations.append(f"deterministic: rule {rid!r} returned different "
                                      f"outcomes for {label}")
                    break
    violations.extend(_settings_violations(settings, name if isinstance(name, str) else ""))
    if violations:
        raise ContractViolation(f"rule pack {name!r}", violations)
