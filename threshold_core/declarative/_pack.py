"""Compiled packs: the rules' conditions, the pack a file becomes, and its plugin."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from ..errors import InputError, Problem
from ..hooks import hookimpl
from ..kit import fired
from ..model import CompanyProfile, Context, Rule, RuleMeta, RuleOutcome, RuleResult, RuleStatus
from ._cel import _cel_problems, _offset, _position, _short, check_bounds, compile_checked
from ._checkcache import analysed
from ._checked import Analysis
from ._extnames import extension_reads
from ._fast import AbsentKey, LeftToCel, Node, compile_fast, has_wide_int, plain_value
from ._fields import Reference, _label, may_hold_int
from ._hints import _explain, model_field_names
from ._packfile import PackFile, RuleSpec, read_pack_file
from ._projection import (
    FIGURE_FIELDS,
    ProfileView,
    Projection,
    activation_of,
    make_view,
    projection_of,
    projector,
    to_cel,
)
from ._readers import _PLAIN_PATH, _evidence_getter, _missing_finder, _raw_getter
from ._templates import Placeholder, parse_template, render_value

# --------------------------------------------------------------------------- compiled rules

#: CEL's error for a key a map lacks: on the converted profile, a field it lacks.
_NO_KEY = re.compile(r'^NOT_FOUND: Key not found in map : "([^"]*)"')
_NO_KEY_PREFIX = "NOT_FOUND: Key not found in map"


class ConditionError(RuntimeError):
    """A condition failed to evaluate for a reason other than absent data
    (division by zero, overflow, an index out of range...): the rule is an
    ``error``, as a Python rule that raises, and the decision fails closed."""


class Condition:
    """The check function of one declarative rule: CEL in, a RuleOutcome out."""

    def __init__(self, pack: DeclarativePack, spec: RuleSpec, index: int) -> None:
        self.pack, self.spec, self.index = pack, spec, index
        self.program: Any = None
        self.analysis: Analysis | None = None
        #: The condition run in Python where CEL's result is certain (:mod:`._fast`).
        self.fast: Node | None = None
        #: Text, or ``(placeholder, program, getter, fast)``: a plain field path is read
        #: with ``getter`` from the converted profile, anything else runs ``fast`` (in
        #: Python, :mod:`._fast`) or ``program``.
        self.message: list[str | tuple[Placeholder, Any, Callable[[Any], Any] | None,
                                       Node | None]] = []
        #: Finders of the absent paths the condition reads (see _not_evaluated).
        self.missing: tuple[Callable[[Any], list[tuple[str, str]]], ...] = ()
        #: ``(label, getter)`` of every value the condition reads, for the evidence.
        self.evidence: tuple[tuple[str, Callable[[Any], Any]], ...] = ()

    def evaluate(self, profile: Any, settings: Any, context: Context) -> RuleResult:
        """The rule's check: evaluate the condition on ``profile`` (passed: the evidence)."""
        if self.program is None:
            self.pack.compile()
        view = self.pack._last  # the pack's cache, inlined: this runs for every rule
        if view is None or view.profile is not profile or view.context is not context:
            view = self.pack.view(profile, context)
        data = view.data
        evidence = {}
        for label, get in self.evidence:
            value = get(data)
            if value is not None:
                evidence[label] = value
        fast = self.fast
        if fast is not None and not view.cel_only:
            try:
                value = fast(view.variables)
            except LeftToCel:  # outside what runs in Python: CEL decides
                pass
            else:
                if value is True:
                    return fired(self.render(view), evidence=evidence)
                if value is False:
                    return evidence
                if value.__class__ is AbsentKey:
                    return self._failed(view, value.message, evidence)
        try:
            result = self.program.eval(self.pack.cel_context(view))
        except RuntimeError as exc:  # cel-cpp's own limits (its iteration budget)
            raise ConditionError(f"condition of {self.spec.id} failed: {_short(exc)}") from None
        value = result.value()
        if value is True:  # the kit's outcomes: positional, without attrs' generic __init__
            return fired(self.render(view), evidence=evidence)
        if value is False:
            return evidence
        if result.type() == self.pack._error_type:
            return self._failed(view, str(value), evidence)
        raise TypeError(
            f"condition of {self.spec.id} yielded {result.type().name().lower()} "
            f"{value!r}, not true or false"
        )

    def _failed(self, view: ProfileView, error: str, evidence: dict[str, Any]) -> RuleOutcome:
        """An error from CEL: ``not_evaluated`` when it read a field the profile
        lacks (naming the absent paths with that key), else the rule's error."""
        if error.startswith(_NO_KEY_PREFIX) and (m := _NO_KEY.match(error)):
            key = m.group(1)
            found = [f for find in self.missing for f in find(view.data) if f[1] == key]
            if found:
                return self._missing(found, evidence)
            if key in model_field_names():  # reached through a value CEL computed
                return self._missing([(key, key)], evidence)
        raise ConditionError(f"condition of {self.spec.id} failed: {_short(error)}")

    @staticmethod
    def _missing(found: list[tuple[str, str]], evidence: dict[str, Any]) -> RuleOutcome:
        missing = tuple(dict.fromkeys(label for label, _ in found))
        return RuleOutcome(RuleStatus.NOT_EVALUATED, missing=missing,
                           message="missing " + ", ".join(missing), evidence=evidence)

    def _message_error(self, error: str) -> ConditionError:
        return ConditionError(f"message of {self.spec.id} failed: {_short(error)}")

    def render(self, view: ProfileView) -> str:
        out = []
        for part in self.message:
            if isinstance(part, str):
                out.append(part)
                continue
            placeholder, program, getter, fast = part
            if getter is not None:
                value = getter(view.data)
            elif fast is not None and not view.cel_only \
                    and (value := _fast_value(fast, view)) is not _CEL:
                if value.__class__ is AbsentKey:
                    value = None  # an absent field is n/a, as below
                elif value.__class__ is float and value - value != 0.0:
                    raise self._message_error(f"the value is {value}, not a finite number")
            else:  # an absent field is n/a; any other error fails the rule closed
                try:
                    result = program.eval(self.pack.cel_context(view))
                except RuntimeError as exc:  # cel-cpp's own limits
                    raise self._message_error(str(exc)) from None
                value = result.plain_value()
                if result.type() == self.pack._error_type:
                    if not str(value).startswith(_NO_KEY_PREFIX):
                        raise self._message_error(str(value))
                    value = None
                elif value.__class__ is float and value - value != 0.0:
                    raise self._message_error(f"the value is {value}, not a finite number")
            out.append("n/a" if value is None else render_value(value, placeholder.spec))
        return "".join(out)


# --------------------------------------------------------------------------- packs


class DeclarativePack:
    """A rule pack read from a TOML file (a :class:`~threshold_core.model.RulePack`)."""

    def __init__(self, spec: PackFile, path: Path, text: str) -> None:
        self.spec = spec
        self.path = path
        self.text = text
        self.name = spec.pack.name
        self.version = spec.pack.version
        self.owner = spec.pack.owner
        self.description = spec.pack.description
        self.tests = spec.tests
        self.conditions = tuple(Condition(self, r, i) for i, r in enumerate(spec.rules))
        self.rules: tuple[Rule, ...] = tuple(
            Rule(
                meta=RuleMeta(id=c.spec.id, title=c.spec.title, severity=c.spec.severity,
                              dimension=c.spec.dimension, rationale=c.spec.rationale,
                              source=c.spec.source),
                check=c.evaluate,
            )
            for c in self.conditions
        )
        self.compiled = False
        self._projection: Projection = {}
        self._convert: Callable[[CompanyProfile], dict[str, Any]] = to_cel  # see compile()
        self._variables: frozenset[str] = frozenset()
        self._figure_fields = frozenset(FIGURE_FIELDS)  # the figures' attributes read: compile()
        self._last: ProfileView | None = None
        self._ints = True  # whether a view can hold an int at all (see compile())
        self._error_type: Any = None
        #: Extension section -> (index, id) of the first rule reading it (see compile()).
        self.extensions_read: dict[str, tuple[int, str]] = {}

    def __repr__(self) -> str:
        return f"<DeclarativePack {self.name} {self.version} from {self.path}>"

    def compile(self) -> None:
        """Compile and type-check every condition and placeholder.

        :raises InputError: listing every problem of every rule.
        """
        if self.compiled:
            return
        from ._cel import environments

        self._error_type = environments().error_type
        problems: list[Problem] = []
        analyses: list[Analysis] = []
        plain_refs: list[Reference] = []  # read by plain placeholders, in Python only
        reads: list[tuple[int, str, Iterable[tuple[str, ...]]]] = []
        for cond in self.conditions:
            spec, where = cond.spec, f"$.rules[{cond.index}]"
            found = self._compile_expression(spec.when, f"{where}.when", spec.id, problems,
                                             condition=True)
            if found is not None:
                cond.program, cond.analysis, cond.fast = found
            uses, plain_uses = [a for a in [cond.analysis] if a is not None], []
            try:
                parts = parse_template(spec.message)
            except ValueError as exc:
                problems.append(Problem(f"{where}.message", f"rule {spec.id}: {exc}"))
                parts = []
            message: list[str | tuple[Placeholder, Any, Callable[[Any], Any] | None,
                                      Node | None]] = []
            for part in parts:
                if isinstance(part, str):
                    message.append(part)
                    continue
                got = self._compile_expression(part.expression, f"{where}.message",
                                               spec.id, problems, spec.message, part.offset)
                if got is not None:
                    plain = _PLAIN_PATH.fullmatch(part.expression)
                    getter = _raw_getter(tuple(plain.group(1).split("."))) if plain else None
                    message.append((part, got[0], getter, got[2]))
                    if plain:
                        plain_refs.extend(got[1].references)
                        plain_uses.append(got[1])
                    else:
                        uses.append(got[1])
            cond.message = message
            analyses.extend(uses)
            reads.append((cond.index, spec.id, (r.path for a in uses + plain_uses
                                                for r in a.references)))
            if cond.analysis is not None:
                paths = [r.path for r in cond.analysis.references if r.leaf]
                cond.evidence = tuple((_label(p), _evidence_getter(p))
                                      for p in dict.fromkeys(paths))
                # has(a.b) needs a to be there, not b
                needed = [r.path[:-1] if r.presence_only else r.path
                          for r in cond.analysis.references]
                cond.missing = tuple(_missing_finder(p) for p in dict.fromkeys(needed) if p)
        if problems:
            for cond in self.conditions:
                cond.program = None
            raise InputError(str(self.path), problems)
        self.extensions_read = extension_reads(reads)
        refs = [r for a in analyses for r in a.references]
        whole = any(a.whole for a in analyses)
        self._projection = None if whole else projection_of(refs + plain_refs)
        self._convert = projector(self._projection)
        # Only the profile's part can hold an int (figures, as_of and fx are doubles and times).
        self._ints = may_hold_int(CompanyProfile, self._projection)
        self._variables = frozenset({v for a in analyses for v in a.variables} | {"profile"})
        read = [a.figure_fields for a in analyses]
        self._figure_fields = frozenset(FIGURE_FIELDS) if None in read else frozenset(
            f for fields in read if fields is not None for f in fields)
        self.compiled = True

    def _compile_expression(
        self, source: str, where: str, rule_id: str, problems: list[Problem],
        template: str | None = None, base: int = 0, *, condition: bool = False,
    ) -> tuple[Any, Analysis, Node | None] | None:
        """Compile and type-check one expression: the condition, or a placeholder at
        ``base`` inside the message ``template``."""
        what = "placeholder" if template is not None else "condition"
        shown = template if template is not None else source
        bounds = check_bounds(source)
        if bounds is not None:  # before CEL sees it
            offset, message = bounds
            problems.append(Problem(where, f"rule {rule_id}: the {what} is too large: {message}"))
            return None
        try:
            program, checked, type_name = compile_checked(source)
        except RuntimeError as exc:
            for line, col, message, syntax in _cel_problems(exc):
                if "'*error*'" in message:  # follows from an error already reported
                    continue
                offset = _offset(source, line, col)
                kind = "invalid CEL in the" if syntax else "in the"
                problems.append(self._problem(where, f"rule {rule_id}: {kind} {what}",
                                              shown, base + offset, _explain(message)))
            return None
        if condition and type_name not in ("BOOL", "DYN"):
            problems.append(self._problem(
                where, f"rule {rule_id}: the condition", shown, base,
                f"is of type {type_name.lower()}, not bool"))
            return None
        analysis = analysed(checked)  # from the command's cache, as the check may be
        for offset, message in analysis.problems:
            problems.append(self._problem(where, f"rule {rule_id}: in the {what}", shown,
                                          base + offset, message))
        return (program, analysis, compile_fast(checked)) if not analysis.problems else None

    def _problem(self, where: str, what: str, shown: str, offset: int, message: str) -> Problem:
        """One problem: the first line says it all; the next two show the place with a caret."""
        line, col = _position(shown, offset)
        file_line = self._file_line(shown, line)
        at = f"line {line}, column {col}"
        if file_line:
            at += f" (line {file_line} of the file)"
        lines = shown.splitlines() or [""]
        text_line = lines[min(line, len(lines)) - 1]
        caret = " " * (col - 1) + "^"
        return Problem(where, f"{what} at {at}: {message}\n    {text_line}\n    {caret}")

    def _file_line(self, shown: str, line: int) -> int | None:
        """Best effort: the line of the file that holds ``line`` of an expression."""
        lines = shown.splitlines()
        if not lines or not lines[0].strip() or self.text.count(lines[0]) != 1:
            return None
        return self.text.count("\n", 0, self.text.index(lines[0])) + line

    def view(self, profile: Any, context: Context) -> ProfileView:
        """The profile as CEL sees it, converted once per evaluation (per profile and context)."""
        last = self._last
        if last is not None and last.profile is profile and last.context is context:
            return last
        view = make_view(profile, context, self._convert, self._variables,
                         self._figure_fields, activation=False)
        if self._ints and has_wide_int(view.data):  # CEL's conversion decides every rule
            view = view._replace(cel_only=True)
        self._last = view
        return view

    def cel_context(self, view: ProfileView) -> Any:
        """The CEL activation of ``view``'s variables, made the first time a rule needs CEL
        (a condition or placeholder that runs in Python needs none)."""
        if view.cel_context is not None:
            return view.cel_context
        last = self._last
        if last is not None and last.profile is view.profile and last.context is view.context \
                and last.cel_context is not None:
            return last.cel_context
        made = view._replace(cel_context=activation_of(view.variables))
        if last is None or (last.profile is view.profile and last.context is view.context):
            self._last = made
        return made.cel_context


def load_pack(path: str | Path, *, compile: bool = True) -> DeclarativePack:
    """Read a declarative pack; with ``compile`` (drop-ins), compile and check its CEL now.

    Built-in packs pass ``compile=False``: their CEL compiles on first
    evaluation, so commands that never evaluate do not import the CEL library.

    :raises InputError: the file is invalid (exit code 2).
    """
    p = Path(path)
    spec, text = read_pack_file(p)
    pack = DeclarativePack(spec, p, text)
    if compile:
        pack.compile()
    return pack


class DeclarativePackPlugin:
    """The pluggy plugin a pack file is registered as (named after the file's stem)."""

    def __init__(self, pack: DeclarativePack) -> None:
        self.pack = pack
        self.__version__ = pack.version
        self.__file__ = str(pack.path)

    def __repr__(self) -> str:
        return f"<DeclarativePackPlugin {self.pack.name} from {self.pack.path}>"

    @hookimpl
    def threshold_register_rule_packs(self, register: Callable[[Any], None]) -> None:
        register(self.pack)


def load_pack_plugin(path: str | Path, *, compile: bool = True) -> DeclarativePackPlugin:
    """:func:`load_pack`, wrapped as a plugin."""
    return DeclarativePackPlugin(load_pack(path, compile=compile))


#: :func:`_fast_value`'s word that CEL must evaluate the placeholder.
_CEL = object()


def _fast_value(fast: Node, view: ProfileView) -> Any:
    """A placeholder's value in Python (as ``plain_value()``), an AbsentKey, or :data:`_CEL`."""
    try:
        value = fast(view.variables)
        return value if value.__class__ is AbsentKey else plain_value(value)
    except LeftToCel:
        return _CEL
