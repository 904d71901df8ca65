"""Reading company profiles from TOML and JSON (and, through plugins, other formats).

:func:`load_profile` reads a file, validates every field strictly and reports
every problem at once as ``file: $.path: message`` lines. This module is also a
built-in plugin: its ``threshold_load_profile`` implementation reads ``.toml``
and ``.json`` and runs last, so plugins can add formats.
"""

from __future__ import annotations

import json
import operator
import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

import attrs
import orjson
from attrs import field, frozen

from ..errors import InputError, Problem
from ..hooks import hookimpl
from ..model import (
    CompanyProfile,
    Reproduction,
    UndeclaredExtension,
    Valuation,
    ValuationMark,
    fold,
    format_share,
    missing_currency,
    sha256_hexdigest,
)
from ._canonical import canonical
from ._converter import StructureProblems, first_attempt, structure
from ._fast import fast_function
from ._finish import finish, unstructured_problems
from ._reading import read_json, read_toml

if TYPE_CHECKING:
    import pluggy

PROFILE_SUFFIXES = (".toml", ".json")


@hookimpl(trylast=True)
def threshold_load_profile(path: Path) -> Mapping[str, Any] | None:
    """The core reader: ``.toml`` and ``.json`` files."""
    suffix = path.suffix.lower()
    if suffix == ".toml":
        return read_toml(path)
    if suffix == ".json":
        return read_json(path)  # type: ignore[no-any-return]
    return None


#: A profile's checks of one value each beside the ranges: the whole profile's checks below
#: run them, and so does :func:`~._finish.unstructured_problems` on a document that did not
#: structure, so that a problem elsewhere never hides them.
_BLANK_ID = (lambda v: isinstance(v, str) and not fold(v),  # or only invisible characters
             "must not be empty")
_ZERO = (lambda v: v.__class__ in (int, float) and v == 0, "must be positive")
_NOBODY = (lambda v: isinstance(v, str) and not v.strip(), "must name who ran the reproduction")
VALUE_CHECKS = {(CompanyProfile, "id"): _BLANK_ID, (Valuation, "amount"): _ZERO,
                (ValuationMark, "amount"): _ZERO, (Reproduction, "by"): _NOBODY}


def _semantic_problems(profile: CompanyProfile) -> list[Problem]:
    problems: list[Problem] = []
    if _BLANK_ID[0](profile.id):
        problems.append(Problem("$.id", _BLANK_ID[1]))
    if profile.valuation is not None and _ZERO[0](profile.valuation.amount):
        problems.append(Problem("$.valuation.amount", _ZERO[1]))
    claims = profile.technology.benchmark_claims if profile.technology else ()
    for i, claim in enumerate(claims):
        if claim.reproduction is not None and _NOBODY[0](claim.reproduction.by):
            problems.append(Problem(f"$.technology.benchmark_claims[{i}].reproduction.by",
                                    _NOBODY[1]))
    for i, mark in enumerate(profile.valuation_history):
        if _ZERO[0](mark.amount):
            problems.append(Problem(f"$.valuation_history[{i}].amount", _ZERO[1]))
    for i, inv in enumerate(profile.investors):
        if (inv.lockup_expiry is not None and inv.investment_date is not None
                and inv.lockup_expiry < inv.investment_date):
            problems.append(Problem(
                f"$.investors[{i}].lockup_expiry",
                f"{inv.lockup_expiry.isoformat()} is before investment_date "
                f"{inv.investment_date.isoformat()}"))
    currency = missing_currency(profile.financials)
    if currency is not None:
        problems.append(Problem("$.financials.currency", currency))
    segments = profile.customers.segments if profile.customers else ()
    kinds = [s.segment for s in segments]
    for i, kind in enumerate(kinds):
        if kind in kinds[:i]:
            problems.append(Problem(f"$.customers.segments[{i}].segment",
                                    f"segment {kind.value!r} is given twice"))
    total = sum(s.revenue_share_pct for s in segments)
    if total > 100.0 + 1e-6:
        problems.append(Problem("$.customers.segments",
                                f"revenue shares add up to {format_share(total)}%, more "
                                "than 100%"))
    return problems


@frozen
class ExtensionTypes:
    """The ``[extensions.<name>]`` sections a profile may carry, and who declares them.

    Built by the engine from ``threshold_profile_extensions``; pass it to
    :func:`profile_from_data` and :func:`load_profile`.
    """

    #: Section name -> the attrs class it is structured into.
    types: Mapping[str, type[Any]] = field(factory=dict)
    #: Section name -> the plugin that declares it (for messages).
    plugins: Mapping[str, str] = field(factory=dict)
    #: Keep a section no plugin declares as an :class:`UndeclaredExtension` (else an error).
    keep_undeclared: bool = False

    @classmethod
    def of(cls, profile: CompanyProfile) -> ExtensionTypes:
        """The types of the sections a validated profile already holds (to re-validate it)."""
        return cls({n: type(v) for n, v in profile.extensions.items()
                    if not isinstance(v, UndeclaredExtension)},
                   keep_undeclared=True)

    def declared(self) -> str:
        """``name by plugin P, ...`` for messages, or ``none``."""
        return ", ".join(f"{n} by plugin {self.plugins[n]}" if n in self.plugins else n
                         for n in sorted(self.types)) or "none"


NO_EXTENSIONS = ExtensionTypes()


def _structure_extensions(
    raw: Any, kinds: ExtensionTypes, problems: list[Problem]
) -> dict[str, Any]:
    """Each ``[extensions.<name>]`` table structured into its declared class, problems kept."""
    if not isinstance(raw, Mapping):
        problems.append(Problem("$.extensions", "expected a table of extension sections"))
        return {}
    out: dict[str, Any] = {}
    for name in sorted(raw):
        path = f"$.extensions.{name}"
        value = raw[name]
        cls = kinds.types.get(name)
        if cls is None:
            if kinds.keep_undeclared and isinstance(value, Mapping):
                out[name] = UndeclaredExtension(dict(value))
                continue
            problems.append(Problem(path, (
                f"no installed plugin declares extension {name!r} (sections declared: "
                f"{kinds.declared()}); if the plugin that declared it was removed, "
                'set [extensions] undeclared = "keep" to read the profile without it')))
            continue
        try:
            section = structure(value, cls)
        except StructureProblems as exc:
            found = [Problem(path + p.path[1:], p.message) for p in exc.problems]
            problems.extend([*found, *unstructured_problems(cls, value, path, found)])
            continue
        except Exception as exc:  # the class's own validators
            problems.append(Problem(path, str(exc) or type(exc).__name__))
            continue
        out[name] = finish(section, path, None, None, problems)
    return out


def profile_from_data(
    data: Any, source: str = "<profile>", extensions: ExtensionTypes = NO_EXTENSIONS,
) -> CompanyProfile:
    """Validate a raw profile document; raise :class:`InputError` listing every problem.

    ``extensions`` says which ``[extensions.<name>]`` sections the profile may
    carry (an engine's :attr:`~threshold_core.engine.Engine.extension_types`).
    """
    raw_extensions = None
    document = data
    if isinstance(data, Mapping) and "extensions" in data:
        raw_extensions = data["extensions"]
        data = {k: v for k, v in data.items() if k != "extensions"}
    problems: list[Problem] = []
    sections = (_structure_extensions(raw_extensions, extensions, problems)
                if raw_extensions is not None else {})
    finished = _at_once(data)
    if finished is not None:  # structured and finished in one pass: nothing out of range
        problems[:0] = _semantic_problems(finished)
    else:
        try:
            profile: CompanyProfile = structure(data, CompanyProfile)
        except StructureProblems as exc:
            # What the walk after structuring would have found too, so that one problem
            # never hides another: out-of-range numbers and currency codes beside it.
            hidden = unstructured_problems(CompanyProfile, data, "$", exc.problems,
                                           VALUE_CHECKS)
            raise InputError(source, _in_file_order([*exc.problems, *hidden, *problems],
                                                    document)) from None
        problems[:0] = _semantic_problems(profile)
        finished = finish(profile, "$", None, None, problems)
    if problems:
        raise InputError(source, _in_file_order(problems, document))
    if sections:
        finished = attrs.evolve(finished, extensions=sections)
    return finished


def _at_once(data: Any) -> CompanyProfile | None:
    """The profile structured and finished by one generated function (:mod:`._fast`),
    or None: not yet generated, or the document has anything that function leaves to
    :func:`structure` and :func:`finish` (which then name each problem)."""
    if data.__class__ is not dict:
        return None
    at_once = fast_function(CompanyProfile, first_attempt(), finishing=True)
    if at_once is None:
        return None
    try:
        profile: CompanyProfile = at_once(data, None, None)
    except Exception:  # the long way below names every problem
        return None
    return profile


def _in_file_order(problems: list[Problem], document: Any) -> list[Problem]:
    """Problems in the order their paths stand in the document (a stable sort): by each
    key's place in its table and each item's index, a path the document lacks (a required
    key missing) after its table's keys."""
    return sorted(problems, key=lambda p: _place(p.path, document))


_STEP = re.compile(r"\.([^.\[]+)|\[(\d+)\]")


def _place(path: str, document: Any) -> tuple[int, ...]:
    """Where ``path`` (``$.investors[2].tier``) stands in ``document``, as a sort key."""
    place: list[int] = []
    node = document
    for key, index in _STEP.findall(path[1:]):
        if key and isinstance(node, Mapping):
            keys = list(node)
            place.append(keys.index(key) if key in node else len(keys))
            node = node.get(key)
        elif index and isinstance(node, (list, tuple)):
            place.append(int(index))
            node = node[int(index)] if int(index) < len(node) else None
        else:
            break
    return tuple(place)


def load_profile(
    path: str | Path, pm: pluggy.PluginManager | None = None,
    extensions: ExtensionTypes = NO_EXTENSIONS,
) -> CompanyProfile:
    """Read and validate one profile file."""
    p = Path(path)
    if not p.is_file():
        raise InputError(str(p), [Problem("$", _not_a_file(p))])
    data = pm.hook.threshold_load_profile(path=p) if pm is not None else threshold_load_profile(p)
    if data is None:
        raise InputError(
            str(p), [Problem("$", f"unknown profile format {p.suffix!r} (no plugin reads it)")]
        )
    return profile_from_data(data, str(p), extensions)


def _not_a_file(p: Path) -> str:
    if p.is_symlink():
        try:
            p.resolve(strict=True)
        except RuntimeError:
            return "a symbolic link loop"
        except OSError:
            return f"a broken symbolic link (to {p.readlink()}, which does not exist)"
    return "is a folder, not a file" if p.is_dir() else "no such file"


def expand_paths(
    paths: Iterable[str | Path], on_skip: Callable[[Path, str], None] | None = None
) -> Iterator[Path]:
    """Files as given; folders expanded to their profile files, sorted by name.

    A folder's ``.toml`` and ``.json`` files are read whatever the case of the
    suffix; a broken symbolic link or a link loop among them is yielded too (so
    that loading it reports it). Any other entry (another suffix, a
    sub-folder) is passed to ``on_skip`` with the reason, except hidden files.
    """
    for raw in paths:
        p = Path(raw)
        if not p.is_dir():
            yield p
            continue
        for c in sorted(p.iterdir()):
            if c.suffix.lower() in PROFILE_SUFFIXES and (c.is_file() or not c.exists()):
                yield c
            elif on_skip is not None and not c.name.startswith("."):
                on_skip(c, "skipped: a folder (profiles in sub-folders are not read)"
                        if c.is_dir() else "skipped: not a .toml or .json profile")


def profile_sha256(profile: CompanyProfile) -> str:
    """Hash of the canonical profile (for receipts): the same for the same profile,
    whatever file format it was read from.

    Canonical bytes: the validated profile as nested arrays, each object an array of
    its fields in the model's order (``attrs.astuple``), mappings (the extensions,
    an undeclared extension's data) with their keys sorted, encoded by orjson as
    compact UTF-8 JSON: no whitespace, enums as their values, dates as
    ``YYYY-MM-DD``, floats in their shortest round-trip form. A value orjson cannot
    encode (an integer beyond 64 bits in an undeclared extension) makes the whole
    profile fall back to the standard library's encoder of the same arrays.
    """
    try:
        arrays = canonical(profile)  # the same arrays as the hook's, made sooner
    except Exception:  # a value the generated code did not expect: the hook alone
        arrays = profile
    try:
        text = orjson.dumps(arrays, default=_as_array, option=orjson.OPT_SORT_KEYS)
    except TypeError:
        text = json.dumps(attrs.astuple(profile), separators=(",", ":"), ensure_ascii=False,
                          sort_keys=True, default=str).encode()
    return sha256_hexdigest(text)


#: Per attrs class, a function giving its field values in order (built on first use).
_FIELD_VALUES: dict[type, Callable[[Any], tuple[Any, ...]]] = {}


def _as_array(value: Any) -> tuple[Any, ...]:
    """orjson's hook for what it does not encode itself: an attrs object, as its fields."""
    cls = value.__class__
    get = _FIELD_VALUES.get(cls)
    if get is None:
        if not attrs.has(cls):
            raise TypeError(f"not canonical: {cls.__name__}")
        names = [a.name for a in attrs.fields(cls)]
        if len(names) > 1:
            get = operator.attrgetter(*names)
        elif names:
            one = operator.attrgetter(names[0])
            get = lambda o: (one(o),)  # noqa: E731
        else:
            get = lambda o: ()  # noqa: E731
        _FIELD_VALUES[cls] = get
    return get(value)
