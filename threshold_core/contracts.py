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
* **monotone** (scorers that declare ``directions``): see below;
* **settings survive TOML**: the settings, unstructured with the shared
  converter and written as TOML, load back through the same strict
  structuring the engine uses into an equal object;
* **complete rule metadata**: ids like ``FIL-001``, unique; title, severity,
  rationale and source given; the dimension a non-empty name, or None for a
  rule whose findings affect no dimension score.

Monotonicity probes
-------------------

A scorer declares ``directions``: metric name -> ``"higher"`` (more of the raw
figure is better) or ``"lower"``. The check needs no further declaration: for
each metric it takes the profile paths the metric reads (``Metric.paths`` of a
:class:`~threshold_core.scoring.MetricScorer`, plus the ``inputs`` of the
metric's :class:`~threshold_core.results.MetricScore`), perturbs one value under
those paths at a time (numbers and figures up and down, booleans flipped, enums
cycled, dates moved, list items dropped or repeated), keeps the variations that
still validate as profiles, and scores them. Whenever the metric's reported
``raw`` value moved and no other metric changed, the dimension score must move
the declared way or stay put. Because the raw value is *observed*, a metric
computed from several inputs (a ratio, a count) needs no mapping from input
to raw. A metric that no variation could move is reported as unprobed; a
scorer whose raw values hide behind inputs the generic perturbations cannot
reach declares ``probes``: metric name -> ``callable(profile) -> iterable of
profiles`` that move it.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import enum
import functools
import itertools
import json
import math
import re
import tomllib
import types
import typing
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

import attrs

from .components import Context, FxTable
from .config import FxConfig
from .converter import StructureProblems, converter, structure
from .errors import InputError
from .models import CompanyProfile, Figure
from .profiles import profile_from_data
from .results import DimensionScore, RuleOutcome, RuleStatus, Severity

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

#: A profile with nothing but its identity: no component may find data in it.
EMPTY_PROFILE: dict[str, Any] = {"id": "empty", "name": "Empty profile"}

#: The smallest profile that passes the gate (RMB 5bn market value).
MINIMAL_PROFILE: dict[str, Any] = {
    "id": "acme",
    "name": "Acme AI",
    "as_of": dt.date(2026, 6, 30),
    "valuation": {"amount": 5.0e9, "currency": "CNY", "basis": "market_cap", "source": "test"},
}

#: A profile with every section filled, so that every built-in metric and rule has data.
RICH_PROFILE: dict[str, Any] = {
    **MINIMAL_PROFILE,
    "id": "rich",
    "name": "Rich Example AI",
    "hq_province": "Beijing",
    "listing": {"status": "filed", "exchange": "STAR"},
    "financials": {
        "currency": "CNY", "period": "FY2025", "source": "test",
        "revenue": 800e6, "revenue_growth_pct": 60.0, "gross_margin_pct": 45.0,
        "fcf_margin_pct": -30.0, "rnd_expense": 240e6, "cash": 3.0e9,
        "monthly_net_burn": 150e6, "overseas_revenue_pct": 20.0,
        "top5_customer_share_pct": 35.0,
        "revenue_mix": {"subscription_pct": 30.0, "usage_api_pct": 25.0,
                        "project_on_prem_pct": 40.0, "consumer_app_pct": 5.0},
    },
    "customers": {"ndr_pct": 112.0, "gdr_pct": 88.0, "enterprise_customers": 400,
                  "logo_churn_pct": 8.0},
    "technology": {
        "capability_percentile": 70.0, "capability_leaderboard": "SuperCLUE",
        "releases_12m": 2,
        "benchmark_claims": [
            {"benchmark": "C-Eval", "score": 80.0, "independently_reproduced": True},
            {"benchmark": "MMLU", "score": 75.0, "independently_reproduced": False},
            {"benchmark": "GSM8K", "score": 70.0, "independently_reproduced": True},
        ],
        "data_assets": [
            {"description": "hospital records", "exclusivity": "licensed", "self_reported": False},
            {"description": "own app logs", "exclusivity": "exclusive"},
        ],
        "models": [{"name": "Rich-1", "open_weights": False, "params_b": 70.0}],
    },
    "services": [
        {"name": "RichChat", "kind": "generative", "public_prc": True, "public_opinion": True},
        {"name": "RichAPI", "kind": "generative", "api_based": True,
         "foundation_model": "Rich-1", "foundation_model_filed": True},
        {"name": "RichRec", "kind": "algorithm_recommendation"},
    ],
    "filings": [
        {"regime": "CAC_GENAI_FILING", "service": "RichChat",
         "filing_number": "Beijing-RichChat-20240101", "filing_date": dt.date(2024, 1, 1),
         "displayed_on_product": True},
        {"regime": "CAC_DEEP_SYNTHESIS", "service": "RichChat", "displayed_on_product": False},
        {"regime": "CAC_ALGORITHM", "service": "RichRec", "status": "active",
         "material_change_date": dt.date(2026, 1, 5), "change_filed_date": dt.date(2026, 1, 30)},
    ],
    "sector_approvals": [{"sector": "healthcare", "regulator": "NMPA", "status": "active"}],
    "verticals": [
        {"sector": "healthcare", "revenue_share_pct": 30.0, "decision_support": True,
         "human_oversight": True, "personal_data_in_training": False},
        {"sector": "finance", "revenue_share_pct": 25.0, "nfra_regulated_clients": True},
        {"sector": "retail", "revenue_share_pct": 5.0},
    ],
    "content_labeling": {"explicit": True, "implicit_metadata": False},
    "security_assessment": {"corpus_blacklist": True, "keyword_library": True,
                            "refusal_test_banks": False},
    "evaluations": {
        "benign_canned_refusal_pct": 8.0,
        "safety": [
            {"suite": "XSTest", "over_refusal_pct": 9.0, "unsafe_compliance_pct": 4.0,
             "language": "en", "n_prompts": 450, "independent": True},
            {"suite": "CHiSafetyBench", "over_refusal_pct": 6.0, "unsafe_compliance_pct": 3.0,
             "language": "zh", "n_prompts": 1000},
        ],
        "hallucination": [{"domain": "medical", "confabulation_pct": 6.0}],
        "bias": [{"suite": "CBBQ"}],
    },
    "compute": {
        "runway_months": 10,
        "non_cuda_stack_validated": False,
        "accelerators": [
            {"vendor": "Nvidia", "model": "H800", "h100_equiv": 800, "chip_class": "us_3a090a",
             "licensed": True},
            {"vendor": "Huawei", "model": "Ascend 910B", "h100_equiv": 600,
             "chip_class": "domestic"},
            {"vendor": "Nvidia", "model": "H20", "h100_equiv": 300, "chip_class": "us_licensed",
             "tenure": "leased_offshore", "location_country": "SG", "licensed": True},
        ],
    },
    "export_controls": {"entity_list": False},
    # One investor with an amount and one with a lock-up: moving either figure moves
    # exactly one metric of institutional_backing, which the monotonicity check needs.
    "investors": [
        {"name": "City AI Fund", "type": "state_fund", "amount": {"amount": 2.0e9}},
        {"name": "Top VC", "type": "vc", "lockup_months": 12},
        {"name": "Angel", "type": "other", "tier": 1},
    ],
    "enforcement": [
        {"authority": "CAC", "action": "summons", "action_date": dt.date(2025, 11, 1)},
        {"authority": "CAC", "action": "penalty", "action_date": dt.date(2023, 3, 1),
         "resolved": True},
    ],
    "ethics_governance": {"committee": True, "members": 4, "expert_rereview_done": False,
                          "published_principles": True},
    "litigation": [{"counterparty": "A Publisher", "subject": "copyright",
                    "claim": {"amount": 5e6}}],
    "eu_exposure": {"serves_eu_users": True, "gpai_provider": True,
                    "gpai_documentation": False, "training_flops": 2e24},
}

#: Default FX table for the checks: the configuration's defaults.
_FX = FxConfig()
CONTEXT = Context(fx=FxTable(rates=_FX.rates, as_of=_FX.as_of, source=_FX.source),
                  as_of=dt.date(2026, 6, 30))

#: At most this many variations of one profile under one path (keeps the checks fast).
MAX_VARIANTS = 400

_EPS = 1e-9


class ContractViolation(AssertionError):
    """A component broke its contract; ``violations`` lists every broken rule."""

    def __init__(self, component: str, violations: Sequence[str]) -> None:
        self.component = component
        self.violations = tuple(violations)
        lines = "\n".join(f"  - {v}" for v in self.violations)
        super().__init__(f"{component} breaks {len(self.violations)} contract(s):\n{lines}")


# -- profiles ------------------------------------------------------------------------


def deep_merge(base: Mapping[str, Any], overrides: Mapping[str, Any]) -> dict[str, Any]:
    """``base`` with ``overrides`` merged in: tables merge key by key, anything else
    (numbers, strings, lists) replaces, and None removes the key."""
    out = dict(base)
    for key, value in overrides.items():
        if value is None:
            out.pop(key, None)
        elif isinstance(value, Mapping) and isinstance(out.get(key), Mapping):
            out[key] = deep_merge(out[key], value)
        else:
            out[key] = value
    return out


def examples_dir() -> Path | None:
    """The folder of example company profiles, or None when it cannot be found.

    A wheel ships them as package data (``threshold_core/examples``); a source
    checkout or an editable install has them at ``examples/companies`` next to
    the package.
    """
    here = Path(__file__).resolve().parent
    for candidate in (here / "examples", here.parent / "examples" / "companies"):
        if candidate.is_dir() and any(candidate.glob("*.toml")):
            return candidate
    return None


def example_profile_paths() -> list[Path]:
    """Every example profile file, sorted by name (empty when none can be found)."""
    folder = examples_dir()
    return sorted(folder.glob("*.toml")) if folder is not None else []


def sample_profiles(extra: Iterable[CompanyProfile] = ()) -> list[tuple[str, CompanyProfile]]:
    """Labelled profiles the checks run on: the examples, minimal, rich, and ``extra``."""
    from .profiles import load_profile

    out: list[tuple[str, CompanyProfile]] = []
    for path in example_profile_paths():
        out.append((f"example {path.name}", load_profile(path)))
    out.append(("minimal profile", profile_from_data(MINIMAL_PROFILE, "minimal")))
    out.append(("rich profile", profile_from_data(RICH_PROFILE, "rich")))
    for factor in (0.0, 3.0):
        scaled = _scaled(RICH_PROFILE, factor)
        with contextlib.suppress(InputError):  # the scaling keeps shares in range
            out.append((f"rich profile x{factor:g}", profile_from_data(scaled, "scaled")))
    out.extend((f"profile {p.id!r}", p) for p in extra)
    return out


_BOUNDED = re.compile(r"_pct$")


def _scaled(data: Any, factor: float, key: str = "") -> Any:
    """Every number times ``factor`` (shares clamped to 0-100; the valuation kept)."""
    if isinstance(data, Mapping):
        return {k: v if k == "valuation" else _scaled(v, factor, k) for k, v in data.items()}
    if isinstance(data, list):
        return [_scaled(v, factor, key) for v in data]
    if isinstance(data, bool) or not isinstance(data, (int, float)):
        return data
    value = data * factor
    if _BOUNDED.search(key) and key not in ("ndr_pct", "gdr_pct", "revenue_growth_pct",
                                            "gross_margin_pct", "fcf_margin_pct"):
        value = min(100.0, max(0.0, value))
    return int(value) if isinstance(data, int) else float(value)


def _revalidate(profile: CompanyProfile) -> CompanyProfile | None:
    """The profile as the loader would produce it, or None when it is not valid."""
    try:
        return profile_from_data(converter().unstructure(profile), profile.id)
    except InputError:
        return None


def _numbers(x: float) -> list[float]:
    candidates = [x * 0.5, x * 0.9, x * 1.1, x * 2.0, x + 1.0, x - 1.0, x + 10.0, x - 10.0, 0.0]
    out: list[float] = []
    for c in candidates:
        if math.isfinite(c) and abs(c - x) > _EPS and all(abs(c - o) > _EPS for o in out):
            out.append(c)
    return out


@typing.no_type_check
def _field_types(cls: type) -> dict[str, Any]:
    try:
        return typing.get_type_hints(cls)
    except Exception:  # pragma: no cover - unresolvable annotations: no typed probes
        return {}


def _is_optional_bool(tp: Any) -> bool:
    return typing.get_origin(tp) in (typing.Union, types.UnionType) and set(
        typing.get_args(tp)
    ) == {bool, type(None)}


def _leaf_variants(obj: Any, tp: Any = None) -> Iterator[tuple[str, Any]]:
    """Perturbations of ``obj`` and of everything inside it, one change at a time."""
    if obj is None:
        if tp is not None and _is_optional_bool(tp):
            yield " = true", True
            yield " = false", False
        return
    if isinstance(obj, Figure):
        for v in _numbers(obj.value):
            yield f" = {v:g}", attrs.evolve(obj, value=v)
    elif isinstance(obj, bool):
        yield f" = {str(not obj).lower()}", not obj
    elif isinstance(obj, enum.Enum):
        for member in type(obj):
            if member is not obj:
                yield f" = {member.value}", member
    elif isinstance(obj, int):
        for v in sorted({obj + 1, obj - 1, obj * 2, 0} - {obj}):
            yield f" = {v}", v
    elif isinstance(obj, float):
        for v in _numbers(obj):
            yield f" = {v:g}", v
    elif isinstance(obj, dt.date):
        for days in (-400, -31, 31, 400):
            yield f" {days:+d} days", obj + dt.timedelta(days=days)
    elif isinstance(obj, tuple):
        yield from _sequence_variants(obj, ())
    elif attrs.has(type(obj)):
        types = _field_types(type(obj))
        for a in attrs.fields(type(obj)):
            for desc, new in _leaf_variants(getattr(obj, a.name), types.get(a.name)):
                yield f".{a.name}{desc}", attrs.evolve(obj, **{a.name: new})


def _sequence_variants(seq: tuple[Any, ...], parts: tuple[str, ...]) -> Iterator[tuple[str, Any]]:
    for i, item in enumerate(seq):
        inner = _path_variants(item, parts) if parts else _leaf_variants(item)
        for desc, new in inner:
            yield f"[{i}]{desc}", (*seq[:i], new, *seq[i + 1:])
    if not parts:
        for i in range(len(seq)):
            yield f"[{i}] removed", (*seq[:i], *seq[i + 1:])
        if seq:
            yield "[0] repeated", (*seq, seq[0])


def _path_variants(obj: Any, parts: tuple[str, ...]) -> Iterator[tuple[str, Any]]:
    """Perturbations of what lies at ``parts`` (a dotted path; lists apply to each item)."""
    if not parts:
        yield from _leaf_variants(obj)
        return
    if isinstance(obj, tuple):
        yield from _sequence_variants(obj, parts)
        return
    if obj is None or not attrs.has(type(obj)):
        return
    name, rest = parts[0], parts[1:]
    if name not in attrs.fields_dict(type(obj)):
        return
    value = getattr(obj, name)
    inner = _path_variants(value, rest) if rest or value is not None else _leaf_variants(
        value, _field_types(type(obj)).get(name)
    )
    for desc, new in inner:
        yield f".{name}{desc}", attrs.evolve(obj, **{name: new})


@functools.lru_cache(maxsize=512)
def _variants_at(profile: CompanyProfile, path: str, limit: int) -> tuple[
        tuple[str, CompanyProfile], ...]:
    """The valid variations under one path (cached: every check reuses the same samples)."""
    parts = tuple(p for p in re.sub(r"\[\d*\]", "", path).split(".") if p)
    out: list[tuple[str, CompanyProfile]] = []
    for desc, new in _path_variants(profile, parts):
        valid = _revalidate(new)
        if valid is not None:
            out.append((desc, valid))
            if len(out) >= limit:
                break
    return tuple(out)


def profile_variants(
    profile: CompanyProfile, paths: Iterable[str] = ("",), *, limit: int = MAX_VARIANTS
) -> Iterator[tuple[str, CompanyProfile]]:
    """Valid single-change variations of ``profile`` under ``paths`` (``""``: anywhere).

    Yields ``(description, profile)``; the description names the change, for
    example ``.customers.ndr_pct = 132``. A variation is kept only when it still
    validates as a profile (a share stays within 0-100, and so on).
    """
    seen: set[str] = set()
    count = 0
    for path in dict.fromkeys(paths):
        for desc, variant in _variants_at(profile, path, limit):
            if desc in seen:
                continue
            seen.add(desc)
            yield desc, variant
            count += 1
            if count >= limit:
                return


# -- settings through TOML -----------------------------------------------------------

_BARE_KEY = re.compile(r"^[A-Za-z0-9_-]+$")


def _toml_key(key: str) -> str:
    return key if _BARE_KEY.match(key) else json.dumps(key, ensure_ascii=False)


def _toml_value(value: Any) -> str:
    if isinstance(value, enum.Enum):
        return _toml_value(value.value)
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if math.isnan(value):
            return "nan"
        if math.isinf(value):
            return "inf" if value > 0 else "-inf"
        return repr(value)
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, (dt.datetime, dt.date)):
        return value.isoformat()
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(_toml_value(v) for v in value if v is not None) + "]"
    if isinstance(value, Mapping):
        items = ", ".join(
            f"{_toml_key(str(k))} = {_toml_value(v)}" for k, v in value.items() if v is not None
        )
        return "{ " + items + " }" if items else "{}"
    raise TypeError(f"cannot write {type(value).__name__} as TOML: {value!r}")


def toml_dumps(data: Mapping[str, Any], *, _prefix: str = "") -> str:
    """A small TOML writer for plain data (tables, arrays, strings, numbers, booleans, dates).

    Nested tables become ``[a.b]`` sections; tables inside arrays are written
    inline. None values are left out: TOML has no null.
    """
    lines: list[str] = []
    tables: list[tuple[str, Mapping[str, Any]]] = []
    for key, value in data.items():
        if value is None:
            continue
        if isinstance(value, Mapping):
            tables.append((str(key), value))
        else:
            lines.append(f"{_toml_key(str(key))} = {_toml_value(value)}")
    chunks = ["\n".join(lines)] if lines else []
    for key, table in tables:
        name = f"{_prefix}.{_toml_key(key)}" if _prefix else _toml_key(key)
        body = toml_dumps(table, _prefix=name)
        has_own_keys = any(not isinstance(v, Mapping) and v is not None for v in table.values())
        if has_own_keys or not table:
            chunks.append(f"[{name}]" + ("\n" + body if body else ""))
        else:  # only sub-tables: their headers define this table implicitly
            chunks.append(body)
    return "\n\n".join(chunks)


def _unstructure_settings(settings: Any) -> Any:
    """Plain data for ``settings``, each field by its runtime type with the shared converter.

    Field by field, because settings classes annotate what a user writes
    (``list[list[float]]``) while holding what their converters make of it
    (:class:`~threshold_core.scoring.Band`), which has its own unstructure hook.
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


def _score(scorer: Any, profile: CompanyProfile, settings: Any) -> tuple[Any, str | None]:
    try:
        return scorer.score(profile, settings, CONTEXT), None
    except Exception as exc:
        return None, f"raised {type(exc).__name__}: {exc}"


def _result_problem(value: Any, dimension: str) -> str | None:
    if not isinstance(value, DimensionScore):
        return f"returned {type(value).__name__}, not DimensionScore"
    if value.dimension != dimension:
        return f"returned dimension {value.dimension!r}, not its own {dimension!r}"
    s = value.score
    if s is not None and (isinstance(s, bool) or not isinstance(s, (int, float))
                          or not math.isfinite(s) or not 0.0 <= s <= 100.0):
        return f"returned score {s!r}, outside 0-100"
    c = value.coverage
    if isinstance(c, bool) or not isinstance(c, (int, float)) or not 0.0 <= c <= 1.0:
        return f"returned coverage {c!r}, outside 0-1"
    return None


def _metric_paths(scorer: Any) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for metric in getattr(scorer, "metrics", ()) or ():
        name = getattr(metric, "name", None)
        if isinstance(name, str):
            out.setdefault(name, []).extend(getattr(metric, "paths", ()) or ())
    return out


def _metric_map(result: DimensionScore) -> dict[str, Any]:
    return {m.metric: m for m in result.metrics}


def _band_violations(scorer: Any, settings: Any, directions: Mapping[str, str]) -> list[str]:
    bands = getattr(settings, "bands", None)
    if not isinstance(bands, Mapping):
        return []
    out = []
    for metric, direction in sorted(directions.items()):
        band = bands.get(metric)
        points = getattr(band, "points", None)
        if not points:
            continue
        ys = [y for _, y in points]
        rising = all(b >= a for a, b in itertools.pairwise(ys))
        falling = all(b <= a for a, b in itertools.pairwise(ys))
        if (direction == "higher" and not rising) or (direction == "lower" and not falling):
            out.append(f"monotone: the default band of {metric!r} ({ys}) is not "
                       f"{'rising' if direction == 'higher' else 'falling'}, but "
                       f"directions says {direction!r} is better")
    return out


class _ScorerCheck:
    """One run of the scorer contract: collects violations and probed metrics."""

    def __init__(self, scorer: Any, settings: Any) -> None:
        self.scorer = scorer
        self.settings = settings
        self.dimension = str(getattr(scorer, "dimension", ""))
        #: First message of each kind of violation, and how many more of that kind.
        self._found: dict[str, list[Any]] = {}

    def fail(self, message: str, kind: str | None = None) -> None:
        """Record a violation; repeats of one ``kind`` are counted, not listed."""
        entry = self._found.setdefault(kind or message, [message, 0])
        if entry[0] != message:
            entry[1] += 1

    @property
    def violations(self) -> list[str]:
        return [msg + (f" (and {more} more like it)" if more else "")
                for msg, more in self._found.values()]

    def score(self, label: str, profile: CompanyProfile) -> DimensionScore | None:
        value, error = _score(self.scorer, profile, self.settings)
        if error is not None:
            self.fail(f"no crash: {error} on {label}", f"crash:{error.split(':')[0]}")
            return None
        problem = _result_problem(value, self.dimension)
        if problem is not None:
            self.fail(f"in range: {problem} on {label}", f"range:{problem.split(' ')[1]}")
            return None
        assert isinstance(value, DimensionScore)
        return value

    def monotone(self, profiles: Sequence[tuple[str, CompanyProfile]],
                 directions: Mapping[str, str]) -> None:
        declared = _metric_paths(self.scorer)
        probes: Mapping[str, Callable[[CompanyProfile], Iterable[CompanyProfile]]] = (
            getattr(self.scorer, "probes", None) or {}
        )
        probed: set[str] = set()
        broken: set[str] = set()
        reported: set[str] = set()
        for label, profile in profiles:
            base = self.score(label, profile)
            if base is None:
                continue
            base_metrics = _metric_map(base)
            reported.update(base_metrics)
            for metric, direction in sorted(directions.items()):
                if metric in broken or direction not in ("higher", "lower"):
                    continue
                paths = [*declared.get(metric, ())]
                if metric in base_metrics:
                    paths.extend(base_metrics[metric].inputs)
                variants: list[tuple[str, CompanyProfile]] = list(
                    profile_variants(profile, paths)) if paths else []
                if metric in probes:
                    variants.extend((f"probe {i}", p) for i, p in
                                    enumerate(probes[metric](profile)))
                for desc, variant in variants:
                    verdict = self._compare(base, variant, f"{label} with {desc}", metric,
                                            direction)
                    if verdict is None:
                        continue
                    probed.add(metric)
                    if verdict:
                        self.fail(verdict)
                        broken.add(metric)
                        break
        for metric, direction in sorted(directions.items()):
            if direction not in ("higher", "lower"):
                self.fail(f"monotone: directions[{metric!r}] is {direction!r}; "
                          "use 'higher' or 'lower'")
            elif metric not in reported:
                self.fail(f"monotone: directions names {metric!r}, but no score lists a "
                          "metric of that name")
            elif metric not in probed:
                self.fail(f"monotone: no variation of the sample profiles moved the raw "
                          f"value of {metric!r} alone; declare a probe for it in `probes`")

    def _compare(self, base: DimensionScore, profile: CompanyProfile, label: str,
                 metric: str, direction: str) -> str | None:
        """None: not informative; "": consistent; otherwise the violation."""
        result = self.score(label, profile)
        if result is None or base.score is None or result.score is None:
            return None
        before, after = _metric_map(base), _metric_map(result)
        old, new = before.get(metric), after.get(metric)
        if old is None or new is None or old.raw is None or new.raw is None:
            return None
        if abs(new.raw - old.raw) <= _EPS:
            return None
        others_b = {k: (m.raw, m.points) for k, m in before.items() if k != metric}
        others_a = {k: (m.raw, m.points) for k, m in after.items() if k != metric}
        if others_b != others_a:
            return None
        # The score must not move against the raw value (higher) or with it (lower).
        better = (new.raw > old.raw) == (direction == "higher")
        moved = result.score - base.score
        if (better and moved < -1e-6) or (not better and moved > 1e-6):
            return (f"monotone: {metric!r} declares {direction!r} is better, but its raw value "
                    f"going {old.raw:g} -> {new.raw:g} moved the score {base.score:g} -> "
                    f"{result.score:g} ({label})")
        return ""


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
