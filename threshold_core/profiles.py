"""Reading company profiles from TOML and JSON (and, through plugins, other formats).

:func:`load_profile` reads a file, validates every field strictly and reports
every problem at once as ``file: $.path: message`` lines. This module is also a
built-in plugin: its ``threshold_load_profile`` implementation reads ``.toml``
and ``.json`` and runs last, so plugins can add formats.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

import attrs

from .markers import hookimpl
from .config import read_toml
from .converter import StructureProblems, converter, structure
from .errors import InputError, Problem
from .models import CompanyProfile, Figure

if TYPE_CHECKING:
    import pluggy

PROFILE_SUFFIXES = (".toml", ".json")


def _read_json(path: Path) -> Any:
    try:
        text = path.read_bytes().decode("utf-8")
    except OSError as exc:
        raise InputError(str(path), [Problem("$", f"cannot read file: {exc.strerror}")]) from None
    except UnicodeDecodeError:
        raise InputError(str(path), [Problem("$", "not UTF-8 text")]) from None
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        msg = f"invalid JSON: {exc.msg} (line {exc.lineno}, column {exc.colno})"
        raise InputError(str(path), [Problem("$", msg)]) from None


@hookimpl(trylast=True)
def threshold_load_profile(path: Path) -> Mapping[str, Any] | None:
    """The core reader: ``.toml`` and ``.json`` files."""
    suffix = path.suffix.lower()
    if suffix == ".toml":
        return read_toml(path)
    if suffix == ".json":
        return _read_json(path)  # type: ignore[no-any-return]
    return None


def _inherit_provenance(obj: Any, source: str | None = None, as_of: Any = None) -> Any:
    """Give bare figures the ``source`` and ``as_of`` of the section they sit in."""
    if isinstance(obj, Figure):
        if (obj.source is None and source) or (obj.as_of is None and as_of):
            return attrs.evolve(obj, source=obj.source or source, as_of=obj.as_of or as_of)
        return obj
    if isinstance(obj, tuple):
        return tuple(_inherit_provenance(o, source, as_of) for o in obj)
    if not attrs.has(type(obj)):
        return obj
    own_source = getattr(obj, "source", None) or source
    own_as_of = getattr(obj, "as_of", None) or as_of
    changes = {}
    for a in attrs.fields(type(obj)):
        value = getattr(obj, a.name)
        new = _inherit_provenance(value, own_source, own_as_of)
        if new is not value:
            changes[a.name] = new
    return attrs.evolve(obj, **changes) if changes else obj


#: Percent fields that may leave 0-100 (retention above 100, negative margins).
_UNBOUNDED_PCT = frozenset(
    {"ndr_pct", "gdr_pct", "revenue_growth_pct", "gross_margin_pct", "fcf_margin_pct"}
)


def _semantic_problems(profile: CompanyProfile) -> list[Problem]:
    problems: list[Problem] = []
    if not profile.id.strip():
        problems.append(Problem("$.id", "must not be empty"))
    if profile.valuation is not None:
        if profile.valuation.amount <= 0:
            problems.append(Problem("$.valuation.amount", "must be positive"))
        cur = profile.valuation.currency
        if len(cur) != 3 or not cur.isalpha():
            problems.append(Problem("$.valuation.currency", f'expected an ISO 4217 code, got "{cur}"'))

    def walk(obj: Any, path: str) -> None:
        if isinstance(obj, tuple):
            for i, item in enumerate(obj):
                walk(item, f"{path}[{i}]")
            return
        if not attrs.has(type(obj)):
            return
        for a in attrs.fields(type(obj)):
            value = getattr(obj, a.name)
            here = f"{path}.{a.name}"
            number = value.value if isinstance(value, Figure) else value
            if (
                isinstance(number, float)
                and a.name.endswith("_pct")
                and a.name not in _UNBOUNDED_PCT
                and not 0.0 <= number <= 100.0
            ):
                problems.append(Problem(here, f"a share must be within 0-100, got {number:g}"))
            walk(value, here)

    walk(profile, "$")
    return problems


def profile_from_data(data: Any, source: str = "<profile>") -> CompanyProfile:
    """Validate a raw profile document; raise :class:`InputError` listing every problem."""
    try:
        profile: CompanyProfile = structure(data, CompanyProfile)
    except StructureProblems as exc:
        raise InputError(source, exc.problems) from None
    problems = _semantic_problems(profile)
    if problems:
        raise InputError(source, problems)
    return _inherit_provenance(profile)  # type: ignore[no-any-return]


def load_profile(path: str | Path, pm: pluggy.PluginManager | None = None) -> CompanyProfile:
    """Read and validate one profile file."""
    p = Path(path)
    if not p.is_file():
        raise InputError(str(p), [Problem("$", "no such file")])
    data = pm.hook.threshold_load_profile(path=p) if pm is not None else threshold_load_profile(p)
    if data is None:
        raise InputError(
            str(p), [Problem("$", f"unknown profile format {p.suffix!r} (no plugin reads it)")]
        )
    return profile_from_data(data, str(p))


def expand_paths(paths: Iterable[str | Path]) -> Iterator[Path]:
    """Files as given; folders expanded to their profile files, sorted by name."""
    for raw in paths:
        p = Path(raw)
        if p.is_dir():
            yield from sorted(
                c for c in p.iterdir() if c.is_file() and c.suffix.lower() in PROFILE_SUFFIXES
            )
        else:
            yield p


def profile_sha256(profile: CompanyProfile) -> str:
    """Hash of the canonical profile (for receipts)."""
    text = json.dumps(
        converter().unstructure(profile), sort_keys=True, separators=(",", ":"), default=str
    )
    return hashlib.sha256(text.encode()).hexdigest()
