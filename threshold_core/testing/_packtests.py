"""Running the tests rule packs carry, like ``opa test`` (the library behind ``threshold test``).

A declarative pack (``.toml``) carries ``[[tests]]`` entries; a Python drop-in
carries a module-level ``TESTS`` list of the same entries as dicts (see
``docs/rulepacks.md``). Each test builds a profile, inline or from an example
profile with ``remove`` and ``patch`` applied, evaluates every rule of the
file's packs and compares what fired, with severities, to ``expect``: an
expected rule that did not fire and a rule that fired unexpectedly both fail
the test, and the failure shows the difference. ``not_evaluated``, when given,
must match the rules that lacked data.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from attrs import frozen

from ..errors import InputError, InputErrors, PluginError, Problem
from ..load import NO_EXTENSIONS, ExtensionTypes
from ._samples import deep_merge

if TYPE_CHECKING:
    from ..declarative import PackTest
    from ..model import CompanyProfile, FxTable


@frozen
class Suite:
    """The tests of one file and the packs they exercise."""

    file: Path
    #: ``(pack, settings)`` pairs: every rule of these packs runs in every test.
    packs: tuple[tuple[Any, Any], ...]
    tests: tuple[PackTest, ...]
    #: Where ``[[tests]]`` live in the file: ``$.tests`` or ``$.TESTS``.
    key: str = "$.tests"


@frozen
class CaseResult:
    """What one test found."""

    file: str
    pack: str
    name: str
    passed: bool
    expected: tuple[str, ...] = ()
    fired: tuple[str, ...] = ()
    not_evaluated: tuple[str, ...] = ()
    #: The difference, one line each: ``- ...`` expected but absent, ``+ ...`` unexpected.
    diff: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {"file": self.file, "pack": self.pack, "name": self.name, "passed": self.passed,
                "expected": list(self.expected), "fired": list(self.fired),
                "not_evaluated": list(self.not_evaluated), "diff": list(self.diff)}


# --------------------------------------------------------------------------- loading


def _files(paths: Sequence[Path]) -> list[Path]:
    """Files as given; folders searched recursively for ``.toml`` and ``.py`` packs.

    Names starting with ``_`` or ``.`` (``__pycache__``, ``.venv``, ``_helpers.py``) are
    skipped, folders and files alike.
    """
    out: list[Path] = []
    for p in paths:
        if p.is_dir():
            out.extend(sorted(
                c for c in p.rglob("*")
                if c.is_file() and c.suffix in (".toml", ".py")
                and not any(part.startswith(("_", "."))
                            for part in c.relative_to(p).parts)
            ))
        else:
            out.append(p)
    return out


def load_suite(path: Path) -> Suite:
    """The packs and tests of a ``.toml`` pack or a Python drop-in.

    :raises InputError: the pack or its tests are invalid.
    :raises PluginError: a Python file failed to import.
    """
    from ..declarative import load_pack

    if path.suffix == ".toml":
        pack = load_pack(path)
        return Suite(path, ((pack, None),), pack.tests)
    if path.suffix != ".py":
        raise InputError(str(path), [Problem("$", "not a rule pack (.toml or .py)")])
    return _python_suite(path)


def _python_suite(path: Path) -> Suite:
    from ..declarative import PackTests, check_tests
    from ..engine import load_module_file
    from ..load import StructureProblems, structure

    try:
        module = load_module_file(path, prefix="threshold_test")
    except Exception as exc:
        raise PluginError(path.stem, f"failed to import {path}: {type(exc).__name__}: {exc}"
                          ) from None
    packs: list[Any] = []
    register_packs = getattr(module, "threshold_register_rule_packs", None)
    if callable(register_packs):
        register_packs(packs.append)
    declared = getattr(module, "threshold_settings_types", None)
    types = declared() if callable(declared) else {}
    raw = getattr(module, "TESTS", [])
    try:
        tests: PackTests = structure({"tests": raw}, PackTests)
    except StructureProblems as exc:
        raise InputError(str(path), [Problem(p.path.replace("$.tests", "$.TESTS", 1), p.message)
                                     for p in exc.problems]) from None
    if tests.tests and not packs:
        raise InputError(str(path), [Problem("$.TESTS", "tests, but no rule pack registered "
                                             "through threshold_register_rule_packs")])
    ids = {r.meta.id: r for pack in packs for r in pack.rules}
    problems = [Problem(p.path.replace("$.tests", "$.TESTS", 1), p.message)
                for p in check_tests(tests.tests, ids)]
    if problems:
        raise InputError(str(path), problems)
    settings = []
    for pack in packs:
        cls = types.get(pack.name)
        if cls is not None:
            _check_settings_class(path, pack.name, cls)
        settings.append((pack, structure({}, cls) if cls is not None else None))
    return Suite(path, tuple(settings), tests.tests, key="$.TESTS")


def _check_settings_class(path: Path, name: str, cls: Any) -> None:
    """A pack's settings class the engine would refuse, refused here as there (exit 3)."""
    import attrs

    from ..load import unreadable_message

    if not isinstance(cls, type) or not attrs.has(cls):
        raise PluginError(path.stem, f"settings class for {name!r} is not attrs")
    problem = unreadable_message(f"[settings.{name}]", cls)
    if problem:
        raise PluginError(path.stem, problem)


def _remove(data: dict[str, Any], dotted: str) -> bool:
    *parents, last = dotted.split(".")
    node: Any = data
    for key in parents:
        node = node.get(key) if isinstance(node, dict) else None
    if not isinstance(node, dict) or last not in node:
        return False
    del node[last]
    return True


def test_profile(
    suite: Suite, index: int, extensions: ExtensionTypes | None = None,
) -> CompanyProfile:
    """The profile test ``index`` of ``suite`` runs against.

    :raises InputError: naming the test, for a missing base or an invalid profile.
    """
    from ..load import profile_from_data, threshold_load_profile

    test = suite.tests[index]
    where = f"{suite.key}[{index}]"
    label = test.name or f"tests[{index}]"
    if test.profile is not None:
        data: dict[str, Any] = dict(test.profile)
    else:
        assert test.base is not None
        base = suite.file.parent / test.base
        if not base.is_file():
            raise InputError(str(suite.file), [Problem(f"{where}.base", f"no such file: {base}")])
        data = copy.deepcopy(dict(threshold_load_profile(base) or {}))
        for i, dotted in enumerate(test.remove):
            if not _remove(data, dotted):
                raise InputError(str(suite.file), [Problem(
                    f"{where}.remove[{i}]", f"test {label!r}: {base.name} has no {dotted!r}")])
        data = deep_merge(data, test.patch)
    try:
        return profile_from_data(data, str(suite.file), extensions or NO_EXTENSIONS)
    except InputError as exc:
        raise InputError(str(suite.file), [
            Problem(where, f"test {label!r}: invalid profile: {p.path}: {p.message}")
            for p in exc.problems
        ]) from None


# --------------------------------------------------------------------------- running


def _describe(rule_id: str, severity: Any) -> str:
    return f"{rule_id} ({severity})" if severity is not None else rule_id


def run_case(suite: Suite, index: int, profile: CompanyProfile, fx: FxTable) -> CaseResult:
    """Evaluate every rule of the suite's packs on ``profile`` and compare with the test."""
    from ..engine import check_outcome
    from ..model import Context, RuleOutcome, RuleStatus

    test = suite.tests[index]
    context = Context(fx=fx, as_of=profile.as_of or fx.as_of)
    fired: dict[str, str] = {}
    status: dict[str, str] = {}
    not_evaluated: list[str] = []
    errors: list[str] = []
    for pack, settings in suite.packs:
        for rule in sorted(pack.rules, key=lambda r: r.meta.id):
            meta = rule.meta
            try:
                outcome = rule.evaluate(profile, settings, context)
                problem = check_outcome(outcome, meta.severity)
            except Exception as exc:  # a broken rule fails its tests, it does not stop the run
                outcome, problem = None, f"raised {type(exc).__name__}: {exc}"
            if problem or not isinstance(outcome, RuleOutcome):
                errors.append(f"! {meta.id}: {problem}")
                status[meta.id] = f"error: {problem}"
                continue
            if outcome.status is RuleStatus.FIRED:
                fired[meta.id] = str(outcome.severity or meta.severity)
                status[meta.id] = f"fired at {fired[meta.id]}"
            elif outcome.status is RuleStatus.NOT_EVALUATED:
                not_evaluated.append(meta.id)
                status[meta.id] = f"not evaluated ({outcome.message})"
            else:
                status[meta.id] = str(outcome.status)
    expected = {e.rule: (str(e.severity) if e.severity is not None else None) for e in test.expect}
    diff = list(errors)
    for rid, sev in sorted(expected.items()):
        if rid not in fired or (sev is not None and fired[rid] != sev):
            diff.append(f"- {_describe(rid, sev)}: expected to fire; {status.get(rid, 'not run')}")
    for rid, sev in sorted(fired.items()):
        if rid not in expected:
            diff.append(f"+ {_describe(rid, sev)}: fired, not expected")
    if test.not_evaluated is not None:
        want, got = set(test.not_evaluated), set(not_evaluated)
        diff.extend(f"- {rid}: expected not_evaluated; {status.get(rid, 'not run')}"
                    for rid in sorted(want - got))
        diff.extend(f"+ {rid}: {status[rid]}, not expected" for rid in sorted(got - want))
    return CaseResult(
        file=str(suite.file), pack=", ".join(p.name for p, _ in suite.packs),
        name=test.name or f"tests[{index}]", passed=not diff,
        expected=tuple(_describe(r, s) for r, s in sorted(expected.items())),
        fired=tuple(_describe(r, s) for r, s in sorted(fired.items())),
        not_evaluated=tuple(not_evaluated), diff=tuple(diff),
    )


def run_tests(
    paths: Sequence[Path], fx: FxTable, *, pattern: str | None = None,
    extensions: ExtensionTypes | None = None,
) -> list[tuple[Suite, list[CaseResult]]]:
    """Load every pack first (any invalid one raises before a test runs), then run the tests.

    :param pattern: only the tests whose name matches this regular expression.
    :param extensions: the ``[extensions.<name>]`` sections test profiles may carry.
    """
    suites: list[Suite] = []
    profiles: dict[tuple[int, int], CompanyProfile] = {}
    errors: list[InputError] = []
    for path in _files(paths):
        try:
            suite = load_suite(path)
            for i, test in enumerate(suite.tests):
                if pattern is None or re.search(pattern, test.name or ""):
                    profiles[len(suites), i] = test_profile(suite, i, extensions)
            suites.append(suite)
        except InputError as exc:
            errors.append(exc)
    if errors:
        raise InputErrors(errors)
    return [
        (suite, [run_case(suite, i, profiles[n, i], fx)
                 for i in range(len(suite.tests)) if (n, i) in profiles])
        for n, suite in enumerate(suites)
    ]
