"""Compiled packs: the rules' conditions, the pack a file becomes, and its plugin."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from types import ModuleType
from typing import Any

from ..errors import InputError, Problem
from ..hooks import hookimpl
from ..model import CompanyProfile, Context, Rule, RuleMeta, RuleOutcome, RuleStatus
from ._cel import _cel_problem, _offset, _position, _short, cel_module
from ._fields import Analysis, Path_, Reference, _label, analyze, flat_name, flatten_source
from ._packfile import PackFile, RuleSpec, read_pack_file
from ._projection import (
    FIGURE_FIELDS,
    ProfileView,
    Projection,
    figures_of,
    flattener,
    make_view,
    projection_of,
    projector,
    to_cel,
)
from ._readers import _PLAIN_PATH, _evidence_getter, _missing_finder, _raw_getter
from ._templates import Placeholder, parse_template, render_value

# --------------------------------------------------------------------------- compiled rules

#: The CEL library's error for a variable the context lacks.
_UNDEFINED = re.compile(r"Undefined variable or function: '(\w+)'")


class Condition:
    """The check function of one declarative rule: CEL in, a RuleOutcome out."""

    def __init__(self, pack: DeclarativePack, spec: RuleSpec, index: int) -> None:
        self.pack = pack
        self.spec = spec
        self.index = index
        self.program: Any = None
        self.analysis: Analysis | None = None
        #: Text, or ``(placeholder, program, getter)``: a plain field path is read
        #: with ``getter`` from the converted profile, anything else runs ``program``.
        self.message: list[str | tuple[Placeholder, Any, Callable[[Any], Any] | None]] = []
        #: Finders of the absent paths the condition reads (see _not_evaluated).
        self.missing: tuple[Callable[[Any], list[tuple[str, str]]], ...] = ()
        #: Indexes of the placeholders of ``message`` that read ``figures``.
        self.reads_figures: frozenset[int] = frozenset()
        #: ``(label, getter)`` of every value the condition reads, for the evidence.
        self.evidence: tuple[tuple[str, Callable[[Any], Any]], ...] = ()

    def evaluate(self, profile: Any, settings: Any, context: Context) -> RuleOutcome:
        """The rule's check: evaluate the condition on ``profile``."""
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
        try:
            result = self.program.execute(view.cel_context)
        except Exception as exc:  # CEL reports missing keys and type errors as exceptions
            return self._not_evaluated(view, exc, evidence)
        if result is True:
            return RuleOutcome(RuleStatus.FIRED, message=self.render(view), evidence=evidence)
        if result is False:
            return RuleOutcome(RuleStatus.PASSED, evidence=evidence)
        raise TypeError(
            f"condition of {self.spec.id} yielded {type(result).__name__} "
            f"{result!r}, not true or false"
        )

    def _not_evaluated(
        self, view: ProfileView, exc: Exception, evidence: dict[str, Any]
    ) -> RuleOutcome:
        assert self.analysis is not None
        found: list[tuple[str, str]] = []
        for find in self.missing:
            found.extend(find(view.data))
        if isinstance(exc, KeyError) and exc.args:  # CEL names the key it missed
            named = [f for f in found if f[1] == str(exc.args[0])]
            found = named or found
        elif (m := _UNDEFINED.search(str(exc))) and m.group(1) in self.pack._flat_paths:
            # a flat variable is absent: the first absent field on its path
            wanted = _label(self.pack._flat_paths[m.group(1)]) + "."
            found = [f for f in found if wanted.startswith(f[0] + ".")] or found
        if found:
            return self._missing(found, evidence)
        return RuleOutcome(RuleStatus.NOT_EVALUATED, evidence=evidence,
                           message=f"condition could not be evaluated: {_short(exc)}")

    @staticmethod
    def _missing(found: list[tuple[str, str]], evidence: dict[str, Any]) -> RuleOutcome:
        missing = tuple(dict.fromkeys(label for label, _ in found))
        return RuleOutcome(RuleStatus.NOT_EVALUATED, missing=missing,
                           message="missing " + ", ".join(missing), evidence=evidence)

    def render(self, view: ProfileView) -> str:
        out = []
        for i, part in enumerate(self.message):
            if isinstance(part, str):
                out.append(part)
                continue
            placeholder, program, getter = part
            try:
                if getter is not None:
                    value = getter(view.data)
                elif i in self.reads_figures:
                    value = program.execute(self.pack.message_context(view))
                else:
                    value = program.execute(view.cel_context)
            except Exception:  # a value the profile lacks: say so in place
                value = None
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
        self._projection: Projection | None = {}
        self._convert: Callable[[CompanyProfile], dict[str, Any]] = to_cel  # set by compile()
        self._variables: frozenset[str] = frozenset()
        self._last: ProfileView | None = None
        self._figure_fields: frozenset[str] = frozenset(FIGURE_FIELDS)
        self._message_figure_fields: frozenset[str] = frozenset(FIGURE_FIELDS)
        self._message_context: tuple[ProfileView, Any] | None = None
        self._messages_want_figures = False
        #: Writes the flat variables CEL reads (None: CEL reads ``profile`` whole).
        self._flatten: Callable[[dict[str, Any], dict[str, Any]], None] | None = None
        #: The profile path each flat variable stands for.
        self._flat_paths: dict[str, Path_] = {}

    def __repr__(self) -> str:
        return f"<DeclarativePack {self.name} {self.version} from {self.path}>"

    def compile(self) -> None:
        """Compile every condition and placeholder and check every field path.

        :raises InputError: listing every problem of every rule.
        """
        if self.compiled:
            return
        cel = cel_module()
        problems: list[Problem] = []
        analyses: list[Analysis] = []
        plain_refs: list[Reference] = []  # read by plain placeholders, in Python only
        #: What CEL runs: (condition, index in its message or None, source, analysis).
        executed: list[tuple[Condition, int | None, str, Analysis]] = []
        for cond in self.conditions:
            spec, where = cond.spec, f"$.rules[{cond.index}]"
            found = self._compile_expression(cel, spec.when, f"{where}.when", spec.id, problems)
            if found is not None:
                cond.program, cond.analysis = found
                executed.append((cond, None, spec.when, found[1]))
            uses = [a for a in [cond.analysis] if a is not None]
            try:
                parts = parse_template(spec.message)
            except ValueError as exc:
                problems.append(Problem(f"{where}.message", f"rule {spec.id}: {exc}"))
                parts = []
            message: list[str | tuple[Placeholder, Any, Callable[[Any], Any] | None]] = []
            for part in parts:
                if isinstance(part, str):
                    message.append(part)
                    continue
                got = self._compile_expression(cel, part.expression, f"{where}.message",
                                               spec.id, problems, spec.message, part.offset)
                if got is not None:
                    plain = _PLAIN_PATH.fullmatch(part.expression)
                    getter = _raw_getter(tuple(plain.group(1).split("."))) if plain else None
                    message.append((part, got[0], getter))
                    if plain:
                        plain_refs.extend(got[1].references)
                    else:
                        uses.append(got[1])
                        executed.append((cond, len(message) - 1, part.expression, got[1]))
                        if "figures" in got[1].variables:
                            cond.reads_figures |= {len(message) - 1}
            cond.message = message
            analyses.extend(uses)
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
        refs = [r for a in analyses for r in a.references]
        whole = any(a.whole for a in analyses)
        self._projection = None if whole else projection_of(refs + plain_refs)
        self._convert = projector(self._projection)
        # ``figures`` goes to CEL with every evaluation only when a condition reads it
        # (see message_context)
        in_conditions = {v for c in self.conditions if c.analysis for v in c.analysis.variables}
        in_messages = {v for a in analyses for v in a.variables}
        self._variables = frozenset(in_conditions | (in_messages - {"figures"}) | {"profile"})
        self._messages_want_figures = "figures" in in_messages
        if not whole:
            self._flatten_programs(cel, executed)
        # Attributes of ``figures`` entries the conditions may read (a safe over-estimate:
        # any member access with one of their names, in a condition that uses ``figures``),
        # and those messages read too: a message renders only when its rule fires, so
        # the attributes only messages read are converted only then (message_context).
        def attributes(texts: list[str]) -> frozenset[str]:
            sources = " ".join(t for t in texts if "figures" in t)
            return frozenset(re.findall(r"\.\s*(" + "|".join(FIGURE_FIELDS) + r")\b", sources))

        self._figure_fields = attributes([c.spec.when for c in self.conditions])
        self._message_figure_fields = attributes(
            [f"{c.spec.when} {c.spec.message}" for c in self.conditions])
        self.compiled = True

    def _flatten_programs(
        self, cel: ModuleType, executed: list[tuple[Condition, int | None, str, Analysis]]
    ) -> None:
        """Run every expression on flat variables (see :func:`flatten_source`)."""
        try:
            programs = [cel.compile(flatten_source(source, analysis.chains))
                        for _, _, source, analysis in executed]
        except Exception:  # pragma: no cover - a rewrite CEL rejects: keep the nested form
            return
        for (cond, index, _, _), program in zip(executed, programs, strict=True):
            if index is None:
                cond.program = program
            else:
                entry = cond.message[index]
                assert not isinstance(entry, str)
                cond.message[index] = (entry[0], program, entry[2])
        chains = [c for _, _, _, analysis in executed for c in analysis.chains]
        self._flatten = flattener(chains)
        self._flat_paths = {flat_name(c.path, c.presence): c.path[:-1] if c.presence else c.path
                            for c in chains}

    def _compile_expression(
        self, cel: ModuleType, source: str, where: str, rule_id: str, problems: list[Problem],
        template: str | None = None, base: int = 0,
    ) -> tuple[Any, Analysis] | None:
        """Compile and check one expression: the condition, or a placeholder at ``base``
        inside the message ``template``."""
        what = "placeholder" if template is not None else "condition"
        shown = template if template is not None else source
        try:
            program = cel.compile(source)
        except Exception as exc:
            line, col, message = _cel_problem(exc)
            offset = _offset(source, line, col)
            problems.append(self._problem(where, f"rule {rule_id}: invalid CEL in the {what}",
                                          shown, base + offset, message))
            return None
        analysis = analyze(source)
        for offset, message in analysis.problems:
            problems.append(self._problem(where, f"rule {rule_id}: in the {what}", shown,
                                          base + offset, message))
        return (program, analysis) if not analysis.problems else None

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
                         self._figure_fields, self._flatten)
        self._last = view
        return view

    def message_context(self, view: ProfileView) -> Any:
        """The CEL context messages run in: ``view``'s, with every attribute of
        ``figures`` that messages read (built on the first message of an evaluation)."""
        if not self._messages_want_figures or (
                "figures" in view.variables
                and self._message_figure_fields == self._figure_fields):
            return view.cel_context
        last = self._message_context
        if last is not None and last[0] is view:
            return last[1]
        variables = {**view.variables,
                     "figures": figures_of(view.profile, self._message_figure_fields)}
        context = cel_module().Context(variables=variables)
        self._message_context = (view, context)
        return context


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
