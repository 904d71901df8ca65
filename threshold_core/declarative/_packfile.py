"""The pack file: its TOML structure, and reading and checking a file against it."""

from __future__ import annotations

import re
import tomllib
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from attrs import field, frozen

from ..errors import InputError, Problem
from ..load import StructureProblems, parse_toml, read_text, structure
from ..model import Severity

#: The largest pack file accepted (1 MiB): packs are hand-written text, and a
#: bigger file is far more likely a mistake (or an attack) than a rule set.
MAX_PACK_BYTES = 1024 * 1024


# --------------------------------------------------------------------------- file format


@frozen
class PackInfo:
    """``[pack]``: what the pack is and who maintains it."""

    name: str
    version: str
    owner: str | None = None
    description: str = ""


@frozen
class RuleSpec:
    """One ``[[rules]]`` entry."""

    id: str
    title: str
    severity: Severity
    #: A CEL expression that yields true when the rule fires.
    when: str
    #: The finding's message; ``{expr}`` placeholders are CEL (``{expr:,.1f}`` formats).
    message: str
    rationale: str
    source: str
    #: The dimension its findings affect (none: reported, or caps nothing).
    dimension: str | None = None


@frozen
class ExpectedFinding:
    """One ``expect`` entry of a test: a rule that must fire (at this severity)."""

    rule: str
    severity: Severity | None = None


@frozen
class PackTest:
    """One ``[[tests]]`` entry (or one item of a Python pack's ``TESTS``)."""

    name: str | None = None
    #: A whole profile, inline.
    profile: dict[str, Any] | None = None
    #: Or an example profile, relative to the pack file...
    base: str | None = None
    #: ...with dotted paths removed (``"compute.runway_months"``)...
    remove: tuple[str, ...] = ()
    #: ...and tables deep-merged over it (arrays and values replace).
    patch: dict[str, Any] = field(factory=dict)
    #: Exactly the rules that must fire; anything else firing fails the test.
    expect: tuple[ExpectedFinding, ...] = ()
    #: When given, exactly the rules that must come out ``not_evaluated``.
    not_evaluated: tuple[str, ...] | None = None


@frozen
class PackTests:
    """A Python drop-in's module-level ``TESTS``: the same entries as ``[[tests]]``."""

    tests: tuple[PackTest, ...] = ()


@frozen
class PackFile:
    """The whole file."""

    pack: PackInfo
    rules: tuple[RuleSpec, ...]
    tests: tuple[PackTest, ...] = ()


def read_pack_file(path: Path) -> tuple[PackFile, str]:
    """Read, parse and structurally check a pack file.

    :raises InputError: every problem, one per line, naming the rule where it can.
    """
    source = str(path)
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise InputError(source, [Problem("$", f"cannot read file: {exc.strerror}")]) from None
    if size > MAX_PACK_BYTES:
        raise InputError(source, [Problem(
            "$", f"file is {size / 1e6:.1f} MB; a rule pack may be at most "
            f"{MAX_PACK_BYTES // 1024} KiB (MAX_PACK_BYTES)")])
    text = read_text(path)
    if not text.strip():
        raise InputError(source, [Problem(
            "$", "empty file: a rule pack needs a [pack] table and at least one [[rules]] entry")])
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise InputError(source, [Problem("$", _toml_message(exc, text))]) from None
    except (RecursionError, ValueError):
        data = parse_toml(text, source)  # raises the InputError naming what is wrong
    if not data:
        raise InputError(source, [Problem(
            "$", "empty pack: a rule pack needs a [pack] table and at least one [[rules]] entry")])
    try:
        spec: PackFile = structure(data, PackFile)
    except StructureProblems as exc:
        raise InputError(source, [_name_rule(p, data) for p in exc.problems]) from None
    problems = _check_pack(spec)
    if problems:
        raise InputError(source, problems)
    return spec, text


def _toml_message(exc: tomllib.TOMLDecodeError, text: str) -> str:
    """The parser's message, naming the rule whose block holds the broken line."""
    message = f"invalid TOML: {exc}"
    m = re.search(r"line (\d+)", str(exc))
    if not m:
        return message
    lines = text.splitlines()
    err = min(int(m.group(1)), len(lines)) - 1
    headers = [i for i, ln in enumerate(lines) if ln.lstrip().startswith("[")]
    start = max((i for i in headers if i <= err), default=None)
    if start is None or lines[start].strip() != "[[rules]]":
        return message
    end = min((i for i in headers if i > start), default=len(lines))
    for ln in lines[start:end]:
        found = re.match(r"\s*id\s*=\s*[\"']([^\"']+)[\"']", ln)
        if found:
            return f"rule {found.group(1)}: {message}"
    return message


def _name_rule(problem: Problem, data: Mapping[str, Any]) -> Problem:
    m = re.match(r"\$\.rules\[(\d+)\]", problem.path)
    rules = data.get("rules")
    if m and isinstance(rules, list) and int(m.group(1)) < len(rules):
        entry = rules[int(m.group(1))]
        if isinstance(entry, Mapping) and isinstance(entry.get("id"), str):
            # A line break in the id is escaped: the problem stays one line.
            rid = "".join(c if c.isprintable() else c.encode("unicode_escape").decode("ascii")
                          for c in entry["id"])
            return Problem(problem.path, f"rule {rid}: {problem.message}")
    return problem


def _check_pack(spec: PackFile) -> list[Problem]:
    problems: list[Problem] = []
    if not spec.pack.name.strip() or any(c.isspace() for c in spec.pack.name):
        problems.append(Problem("$.pack.name", "must be a non-empty name without spaces"))
    if not spec.rules:
        problems.append(Problem("$.rules", "a pack needs at least one [[rules]] entry"))
    seen: dict[str, int] = {}
    for i, r in enumerate(spec.rules):
        if not r.id.strip() or any(c.isspace() or c in ";:" for c in r.id):
            problems.append(Problem(f"$.rules[{i}].id", "must be a non-empty id without "
                                    "spaces, ';' or ':' (they separate ids in CSV cells)"))
        if r.id in seen:
            problems.append(Problem(
                f"$.rules[{i}].id", f"rule {r.id}: duplicate rule id (also $.rules[{seen[r.id]}])"))
        seen.setdefault(r.id, i)
        if not r.when.strip():
            problems.append(Problem(f"$.rules[{i}].when", f"rule {r.id}: empty condition"))
    problems.extend(check_tests(spec.tests, seen))
    return problems


def check_tests(tests: Sequence[PackTest], rule_ids: Mapping[str, Any]) -> list[Problem]:
    """Problems with test entries that need no profile to find."""
    problems = []
    for i, t in enumerate(tests):
        where = f"$.tests[{i}]"
        if (t.profile is None) == (t.base is None):
            problems.append(Problem(where, "a test needs either profile = {...} or base = \"...\""))
        if t.profile is not None and (t.patch or t.remove):
            problems.append(Problem(where, "patch and remove apply to a base profile only"))
        for j, e in enumerate(t.expect):
            if e.rule not in rule_ids:
                problems.append(Problem(f"{where}.expect[{j}].rule",
                                        f"no rule {e.rule!r} in this pack"))
        for j, rid in enumerate(t.not_evaluated or ()):
            if rid not in rule_ids:
                problems.append(Problem(f"{where}.not_evaluated[{j}]",
                                        f"no rule {rid!r} in this pack"))
    return problems


