"""The engine: one evaluation from profile to decision, with its trace.

:class:`Engine` collects the components every plugin registers, validates
their settings against the configuration, and evaluates profiles: gate, every
scorer, every rule, the decision policy, then the observers. Each component is
called on its own, timed, and isolated: an exception, a wrong return type, a
NaN or an out-of-range score becomes an ``error`` event in the trace and the
decision fails closed. Results are keyed and sorted by component name, so the
same inputs give byte-identical JSON whatever the plugin registration order.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Mapping, Sequence
from datetime import date
from pathlib import Path
from typing import Any, TypeVar

import attrs

from ..errors import InputError, PluginError, Problem
from ..load import (
    StructureProblems,
    load_profile,
    profile_from_data,
    profile_sha256,
    structure,
)
from ..model import (
    RISK_OF_VERDICT,
    Assessment,
    CompanyProfile,
    CompanyRef,
    ComponentError,
    Context,
    Decision,
    DimensionScore,
    Effect,
    EngineConfig,
    EventKind,
    EventStatus,
    Factor,
    FactorKind,
    Finding,
    FxTable,
    GateResult,
    Headroom,
    PackOutcomes,
    PluginRef,
    PolicyResult,
    Receipt,
    Risk,
    RuleOutcome,
    RuleStatus,
    ScoredDimension,
    Scorer,
    Severity,
    TraceEvent,
    UndeclaredExtension,
    UndeclaredExtensions,
    ValuationBasis,
    Verdict,
    assess,
)
from ._plugins import ThresholdPluginManager, create_plugin_manager, engine_version
from ._registry import (
    Registered,
    collect_components,
    declared_settings_types,
    extension_types,
)

CORE = "threshold_core"

_STATUS_VALUES = tuple(s.value for s in RuleStatus)

T = TypeVar("T")


class Engine:
    """Evaluates company profiles against the line.

    >>> engine = Engine(load_config("threshold.toml"))       # doctest: +SKIP
    >>> decision = engine.evaluate(engine.load_profile("examples/companies/zhipu.toml"))
    """

    def __init__(
        self,
        config: EngineConfig | None = None,
        pm: ThresholdPluginManager | None = None,
    ) -> None:
        self.config = config or EngineConfig()
        self.pm = pm if pm is not None else create_plugin_manager(
            self.config, defer_problems=True)
        self.scorers: dict[str, Registered] = collect_components(
            self.pm, "threshold_register_scorers", "scorer"
        )
        self.packs: dict[str, Registered] = collect_components(
            self.pm, "threshold_register_rule_packs", "rule pack"
        )
        self._check_components()
        #: The ``[extensions.<name>]`` sections profiles may carry (declared by plugins).
        self.extension_types = extension_types(
            self.pm,
            keep_undeclared=self.config.extensions.undeclared is UndeclaredExtensions.KEEP,
        )
        # Every problem of the configuration at once: the file's own, then what only
        # the plugins can tell (unknown plugin names, settings, dimensions, rule ids).
        problems: list[Problem] = [*self.config.problems, *self.pm.config_problems]
        self.settings = self._structure_settings(problems)
        self.assignments = self._assign_scorers(problems)
        self._rule_index = self._index_rules()
        self.disabled_rules = self._check_disabled_rules(problems)
        if problems:
            raise InputError(self._source, problems)
        self.fx = FxTable(
            rates=dict(self.config.fx.rates),
            as_of=self.config.fx.as_of,
            source=self.config.fx.source,
        )
        self._config_sha = self.config.sha256()
        self._plugin_refs = tuple(
            PluginRef(name, self.pm.version_of(name))
            for name in sorted(n for n, _ in self.pm.list_name_plugin())
        )
        # Hooks and order fixed when the engine is built, like the components.
        self._observers = sorted(
            self.pm.hook.threshold_evaluation_finished.get_hookimpls(),
            key=lambda i: i.plugin_name,
        )
        # Fixed evaluation order, worked out once: packs by name, rules by id.
        self._pack_plan = tuple(
            (name, reg, tuple(sorted(reg.component.rules, key=lambda r: r.meta.id)),
             self.pm.version_of(reg.plugin))
            for name, reg in sorted(self.packs.items())
        )

    # -- construction -------------------------------------------------------------

    @property
    def _source(self) -> str:
        return self.config.path or "(default configuration)"

    def _key(self, *parts: str) -> str:
        return ".".join((self.config.root, *parts))

    def _check_components(self) -> None:
        for name, reg in self.scorers.items():
            if not isinstance(getattr(reg.component, "dimension", None), str) or not callable(
                getattr(reg.component, "score", None)
            ):
                raise PluginError(reg.plugin, f"scorer {name!r} needs a dimension and a score()")
        for name, reg in self.packs.items():
            rules = getattr(reg.component, "rules", None)
            if rules is None or not isinstance(getattr(reg.component, "version", None), str):
                raise PluginError(reg.plugin, f"rule pack {name!r} needs a version and rules")

    def _structure_settings(self, problems: list[Problem]) -> dict[str, Any]:
        types = declared_settings_types(self.pm)
        settings: dict[str, Any] = {}
        for name in sorted(self.config.settings):
            if name not in types:
                known = ", ".join(sorted(types)) or "none"
                problems.append(
                    Problem(
                        self._key("settings", name),
                        f"no plugin declares settings {name!r} (known: {known})",
                    )
                )
        for name, (cls, _plugin) in sorted(types.items()):
            raw = self.config.settings.get(name, {})
            try:
                settings[name] = structure(raw, cls)
            except StructureProblems as exc:
                problems.extend(
                    Problem(self._key("settings", name) + p.path[1:], p.message)
                    for p in exc.problems
                )
            except Exception as exc:  # a settings class whose own validator raised
                problems.append(Problem(self._key("settings", name), str(exc)))
        return settings

    def _assign_scorers(self, problems: list[Problem]) -> dict[str, Registered]:
        by_dimension: dict[str, list[str]] = {}
        for name, reg in sorted(self.scorers.items()):
            by_dimension.setdefault(reg.component.dimension, []).append(name)
        out: dict[str, Registered] = {}
        for dim, dc in sorted(self.config.dimensions.items()):
            if dc.scorer is not None:
                chosen = self.scorers.get(dc.scorer)
                if chosen is None:
                    known = ", ".join(sorted(self.scorers)) or "none"
                    problems.append(
                        Problem(self._key("dimensions", dim, "scorer"),
                                f"no scorer named {dc.scorer!r} (known: {known})")
                    )
                    continue
                out[dim] = chosen
                continue
            if dc.weight == 0:
                continue  # left out: not scored, and its scorer shows as skipped
            candidates = by_dimension.get(dim, [])
            if not candidates:
                problems.append(
                    Problem(self._key("dimensions", dim), f"no plugin scores dimension {dim!r}")
                )
            elif len(candidates) > 1:
                who = " and ".join(f"{c!r} ({self.scorers[c].plugin})" for c in candidates)
                problems.append(
                    Problem(self._key("dimensions", dim),
                            f"scored by {who}: choose one with scorer = \"...\"")
                )
            else:
                out[dim] = self.scorers[candidates[0]]
        return out

    def _index_rules(self) -> dict[str, tuple[str, Any]]:
        index: dict[str, tuple[str, Any]] = {}
        for pack_name, reg in sorted(self.packs.items()):
            for rule in reg.component.rules:
                rid = rule.meta.id
                if rid in index:
                    other = index[rid][0]
                    raise PluginError(
                        reg.plugin,
                        f"rule {rid!r} of pack {pack_name!r} is already defined by pack {other!r}",
                    )
                index[rid] = (pack_name, rule)
        return index

    def _check_disabled_rules(self, problems: list[Problem]) -> frozenset[str]:
        problems.extend(
            Problem(self._key("rules", f"disable[{i}]"), f"no rule with id {rid!r}")
            for i, rid in enumerate(self.config.rules.disable)
            if rid not in self._rule_index
        )
        return frozenset(self.config.rules.disable)

    # -- public API ---------------------------------------------------------------

    def load_profile(self, path: str | Path) -> CompanyProfile:
        """Read and validate a profile, through plugins' readers too.

        :raises InputError: the file cannot be read or the profile is invalid.
        """
        profile = load_profile(path, self.pm, self.extension_types)
        self.check_profile(profile, str(path))
        return profile

    def profile_from_data(self, data: Any, source: str = "<profile>") -> CompanyProfile:
        """Validate a profile document (with the extension sections this engine's plugins
        declare) and check it against the configuration."""
        profile = profile_from_data(data, source, self.extension_types)
        self.check_profile(profile, source)
        return profile

    def check_profile(self, profile: CompanyProfile, source: str = "<profile>") -> None:
        """Problems only visible with the configuration (an unknown currency)."""
        problems = [
            Problem(path, f'no FX rate for "{cur}" in the configuration\'s fx.rates')
            for path, cur in _currencies(profile)
            if cur.upper() != "CNY" and cur.upper() not in self.fx.rates
        ]
        if problems:
            raise InputError(source, problems)

    def evaluate_path(self, path: str | Path) -> Decision:
        """Load, validate and evaluate one profile file.

        :raises InputError: the file cannot be read or the profile is invalid.
        """
        # evaluate() runs check_profile itself, naming the file: no need to check twice.
        profile = load_profile(path, self.pm, self.extension_types)
        return self.evaluate(profile, source_path=str(path))

    def evaluate(
        self, profile: CompanyProfile | Mapping[str, Any], *, source_path: str | None = None
    ) -> Decision:
        """Evaluate one profile and return the decision with its trace.

        ``profile`` is a :class:`CompanyProfile` or a mapping in the profile schema
        (what a profile file holds, as a dict: handy in a notebook). A plugin or rule
        that fails makes the verdict ``error`` (it never raises).

        :raises InputError: the profile is invalid (every problem, with its path), or its
            currencies are missing from the FX table.
        """
        if isinstance(profile, Mapping):
            source = source_path or str(profile.get("id") or "<profile>")
            profile = profile_from_data(profile, source, self.extension_types)
        self.check_profile(profile, source_path or profile.id)
        context = Context(fx=self.fx, as_of=profile.as_of or self.fx.as_of)
        trace: list[TraceEvent] = []
        errors: list[ComponentError] = []

        for name, section in profile.extensions.items():
            if isinstance(section, UndeclaredExtension):
                trace.append(TraceEvent(
                    plugin=CORE, version=engine_version(), component=f"extensions.{name}",
                    kind=EventKind.LOADER, status=EventStatus.SKIPPED,
                    read=(f"extensions.{name}",),
                    message=(f"[extensions.{name}] is declared by no installed plugin: kept as "
                             "written, unvalidated, read by no component"),
                ))
        gate = self._gate(profile)
        trace.append(
            TraceEvent(
                plugin=CORE, version=engine_version(), component="gate", kind=EventKind.GATE,
                status=EventStatus.OK, read=("valuation",),
                contributed={"passed": gate.passed, "valuation_cny": gate.valuation_cny},
                message=gate.reason,
            )
        )

        dimensions = self._run_scorers(profile, context, trace, errors)
        findings, packs = self._run_packs(profile, context, trace, errors)
        assessment = Assessment(
            profile=profile, gate=gate, dimensions=dimensions, findings=findings,
            packs=packs, errors=tuple(errors),
        )
        result = self._decide(assessment, trace)
        headroom = self._headroom(profile, gate, result.verdict, result.findings)
        decision = Decision(
            company=CompanyRef(id=profile.id, name=profile.name),
            verdict=result.verdict,
            risk=result.risk or headroom.risk,
            headroom=headroom,
            scorecard_risk=RISK_OF_VERDICT[result.verdict],
            grade=result.grade,
            score=result.score,
            gate=gate,
            dimensions=result.dimensions,
            findings=tuple(sorted(result.findings, key=_finding_key)),
            determining=result.determining,
            trace=tuple(trace),
            receipt=self._receipt(profile),
            source_path=source_path,
        )
        return self._notify(decision)

    # -- steps --------------------------------------------------------------------

    def _fx_row(self, currency: str, on: date | None) -> tuple[float, date | None, bool]:
        """CNY per unit of ``currency`` from the newest FX row dated on or before ``on``.

        Returns the rate, the row's date and whether the valuation predates every row
        (then the oldest row with the currency is used). The newest row is ``[fx] rates``.
        """
        code = currency.upper()
        if code == "CNY":
            return 1.0, None, False
        rows = [(self.config.fx.as_of, self.config.fx.rates)]
        rows += [(r.as_of, r.rates) for r in self.config.fx.history]
        rows = sorted(((d, r) for d, r in rows if code in r), key=lambda x: x[0])
        if on is None:
            d, r = rows[-1]
            return r[code], d, False
        before = [(d, r) for d, r in rows if d <= on]
        if not before:
            d, r = rows[0]
            return r[code], d, True
        d, r = before[-1]
        return r[code], d, False

    def _gate(self, profile: CompanyProfile) -> GateResult:
        """The valuation against the line, under the basis policy of ``[gate]``.

        A basis the gate does not accept (by default a parent group's market cap), an
        illustrative valuation or an undated one cannot pass: ``passed`` is None
        (``insufficient_data``) with the reason. Estimates and last-round post-money
        valuations are tested after the haircut of ``[risk.haircut]``.
        """
        gc = self.config.gate
        line = gc.line_cny
        v = profile.valuation
        if v is None:
            return GateResult(passed=None, line_cny=line, reason="no valuation in the profile")
        # The valuation's date; a bare valuation inherits the profile's date.
        on = v.as_of or profile.as_of
        rate, row_date, predates = self._fx_row(v.currency, on)
        cny = v.amount * rate
        basis = str(v.basis)
        tested_as = GateResult(
            passed=None, line_cny=line, valuation_amount=v.amount, valuation_currency=v.currency,
            valuation_cny=round(cny, 2), basis=basis, fx_rate=rate,
            fx_as_of=row_date.isoformat() if row_date else None,
            valuation_as_of=on.isoformat() if on else None,
        )
        refused = None
        if v.basis not in gc.accepted_bases:
            refused = (
                "a parent group's market capitalisation cannot pass the gate: it values the "
                "group, not the company"
                if v.basis is ValuationBasis.PARENT_MARKET_CAP
                else f"valuation basis {basis} is not accepted by the gate ([gate] accepted_bases)"
            )
        elif gc.refuse_illustrative and v.source and "illustrative" in v.source.casefold():
            refused = ("an illustrative valuation cannot pass the gate: the source says it is "
                       "made up")
        elif gc.require_date and on is None:
            refused = ("an undated valuation cannot pass the gate: neither valuation.as_of nor "
                       "the profile's as_of is given")
        if refused is not None:
            return attrs.evolve(tested_as, reason=refused)
        cut = self.config.risk.haircut.get(basis, 0.0)
        tested = cny * (1.0 - cut)
        passed = tested >= line
        rel = "at or above" if passed else "below"
        haircut = (
            f" less the {cut:.0%} haircut for {basis.replace('_', ' ')} = "
            f"{tested / 1e9:,.2f}bn CNY" if cut else ""
        )
        fx_note = (
            f" (at the oldest FX rate, of {row_date.isoformat()}: the valuation predates the table)"
            if predates and row_date else ""
        )
        reason = (
            f"valuation {v.amount:,.0f} {v.currency} = {cny / 1e9:,.2f}bn CNY{haircut} is {rel} "
            f"the line of {line / 1e9:,.2f}bn CNY{fx_note}"
        )
        return attrs.evolve(tested_as, passed=passed, reason=reason, haircut=cut,
                            tested_cny=round(tested, 2))

    def _headroom(
        self, profile: CompanyProfile, gate: GateResult, verdict: Verdict,
        findings: Sequence[Finding],
    ) -> Headroom:
        listing = profile.listing.status if profile.listing is not None else None
        return assess(
            line_cny=gate.line_cny, valuation_cny=gate.valuation_cny, basis=gate.basis,
            listing=None if listing is None else str(listing),
            gate_testable=gate.passed is not None, verdict=verdict, findings=findings,
            config=self.config.risk,
        )

    def _timed(
        self, fn: Callable[..., T], *args: Any
    ) -> tuple[T | None, BaseException | None, float]:
        start = time.perf_counter()
        try:
            value = fn(*args)
            error = None
        except Exception as exc:  # isolation: any plugin failure is recorded, not raised
            value, error = None, exc
        return value, error, round((time.perf_counter() - start) * 1000, 3)

    def _run_scorers(
        self, profile: CompanyProfile, context: Context,
        trace: list[TraceEvent], errors: list[ComponentError],
    ) -> tuple[ScoredDimension, ...]:
        out = []
        assigned = {reg.component.name for reg in self.assignments.values()}
        for dim in sorted(self.assignments):
            reg = self.assignments[dim]
            scorer: Scorer = reg.component
            settings = self.settings.get(scorer.name)
            value, exc, ms = self._timed(scorer.score, profile, settings, context)
            problem = _describe_failure(exc) if exc else _check_score(value, dim)
            weight = self.config.dimensions[dim].weight
            if problem:
                errors.append(ComponentError(reg.plugin, scorer.name, problem))
                trace.append(self._event(reg, scorer.name, EventKind.SCORER, ms, problem))
                out.append(ScoredDimension(dim, weight, scorer.name, reg.plugin, None))
                continue
            assert isinstance(value, DimensionScore)
            trace.append(
                self._event(
                    reg, scorer.name, EventKind.SCORER, ms, None, read=value.inputs,
                    contributed={"dimension": dim, "score": value.score,
                                 "coverage": value.coverage, "weight": weight},
                )
            )
            out.append(ScoredDimension(dim, weight, scorer.name, reg.plugin, value))
        for name, reg in sorted(self.scorers.items()):
            if name not in assigned:
                trace.append(
                    TraceEvent(
                        plugin=reg.plugin, version=self.pm.version_of(reg.plugin),
                        component=name, kind=EventKind.SCORER, status=EventStatus.SKIPPED,
                        message=self._skip_reason(reg.component.dimension),
                    )
                )
        return tuple(out)

    def _skip_reason(self, dimension: str) -> str:
        configured = self.config.dimensions.get(dimension)
        if configured is None:
            return f"dimension {dimension!r} is not configured in [dimensions]"
        if configured.weight == 0:
            return f"dimension {dimension!r} has weight 0"
        return f"[dimensions.{dimension}] uses another scorer"

    def _run_packs(
        self, profile: CompanyProfile, context: Context,
        trace: list[TraceEvent], errors: list[ComponentError],
    ) -> tuple[tuple[Finding, ...], tuple[PackOutcomes, ...]]:
        findings: list[Finding] = []
        packs: list[PackOutcomes] = []
        disabled = self.disabled_rules
        for pack_name, reg, rules, version in self._pack_plan:
            settings = self.settings.get(pack_name)
            outcomes: list[RuleOutcome] = []
            pack_errors: list[str] = []
            start = time.perf_counter()
            for rule in rules:
                meta = rule.meta
                rid = meta.id
                if rid in disabled:
                    outcomes.append(RuleOutcome(status=RuleStatus.DISABLED, rule=rid,
                                                message="disabled in [rules] disable"))
                    continue
                # Each rule is isolated: one failing rule is recorded, the others still run.
                try:
                    value = rule.evaluate(profile, settings, context)
                except Exception as exc:
                    problem: str | None = _describe_failure(exc)
                else:
                    problem = check_outcome(value, meta.severity)
                if problem:
                    pack_errors.append(f"{rid}: {problem}")
                    errors.append(ComponentError(reg.plugin, f"{pack_name}/{rid}", problem))
                    outcomes.append(RuleOutcome(status=RuleStatus.ERROR, rule=rid, message=problem))
                    continue
                status = value.status
                if status is RuleStatus.FIRED:
                    sev = value.severity or meta.severity
                    # A fresh object rather than evolve(), which is several times slower.
                    outcome = RuleOutcome(status=status, severity=sev, message=value.message,
                                          missing=value.missing, evidence=value.evidence, rule=rid)
                    findings.append(
                        Finding(
                            rule=rid, pack=pack_name, severity=sev, effect=Effect.REPORTED,
                            dimension=meta.dimension, title=meta.title,
                            message=value.message or meta.title, plugin=reg.plugin,
                            evidence=value.evidence, source=meta.source,
                        )
                    )
                else:
                    outcome = RuleOutcome(status=status, severity=value.severity,
                                          message=value.message, missing=value.missing,
                                          evidence=value.evidence, rule=rid)
                outcomes.append(outcome)
            ms = round((time.perf_counter() - start) * 1000, 3)
            counts = dict.fromkeys(_STATUS_VALUES, 0)
            read: set[str] = set()
            fired = []
            for o in outcomes:
                counts[o.status.value] += 1
                read.update(o.evidence)
                if o.status is RuleStatus.FIRED:
                    fired.append(o.rule)
            trace.append(
                TraceEvent(
                    plugin=reg.plugin, version=version, component=pack_name,
                    kind=EventKind.RULE_PACK,
                    status=EventStatus.ERROR if pack_errors else EventStatus.OK,
                    duration_ms=ms, read=tuple(sorted(read)),
                    contributed={"fired": fired, "counts": counts},
                    message="; ".join(pack_errors) or None, rules=tuple(outcomes),
                )
            )
            packs.append(PackOutcomes(pack_name, reg.plugin, tuple(outcomes)))
        return tuple(findings), tuple(packs)

    def _decide(self, assessment: Assessment, trace: list[TraceEvent]) -> PolicyResult:
        # firstresult by hand, so the trace credits the plugin whose policy
        # actually decided (an earlier one may have deferred with None).
        result: Any = None
        plugin = CORE
        exc: BaseException | None = None
        start = time.perf_counter()
        for impl in reversed(self.pm.hook.threshold_decide.get_hookimpls()):
            kwargs = {"assessment": assessment, "config": self.config}
            try:
                result = impl.function(*(kwargs[a] for a in impl.argnames))
            except Exception as err:
                plugin, exc = impl.plugin_name, err
                break
            if result is not None:
                plugin = impl.plugin_name
                break
        ms = round((time.perf_counter() - start) * 1000, 3)
        problem = _describe_failure(exc) if exc else None
        if problem is None and not isinstance(result, PolicyResult):
            problem = f"threshold_decide returned {type(result).__name__}, not PolicyResult"
        if problem is not None:
            trace.append(
                TraceEvent(plugin=plugin, version=self.pm.version_of(plugin), component="policy",
                           kind=EventKind.POLICY, status=EventStatus.ERROR, duration_ms=ms,
                           message=problem)
            )
            return PolicyResult(
                verdict=Verdict.ERROR, grade=None, score=None, dimensions=(),
                findings=assessment.findings,
                determining=(Factor(FactorKind.ERROR, f"policy failed: {problem}", "policy"),),
            )
        assert isinstance(result, PolicyResult)
        trace.append(
            TraceEvent(
                plugin=plugin, version=self.pm.version_of(plugin), component="policy",
                kind=EventKind.POLICY, status=EventStatus.OK, duration_ms=ms,
                contributed={"verdict": str(result.verdict), "grade": result.grade,
                             "score": result.score,
                             "weights": {d.name: d.weight for d in result.dimensions}},
            )
        )
        _note_left_out(trace, result)
        return result

    def _notify(self, decision: Decision) -> Decision:
        impls = self._observers
        events: list[TraceEvent] = []
        failed: list[Factor] = []
        for impl in impls:
            kwargs = {"decision": decision, "config": self.config}
            _, exc, ms = self._timed(impl.function, *(kwargs[a] for a in impl.argnames))
            status = EventStatus.ERROR if exc else EventStatus.OK
            msg = _describe_failure(exc) if exc else None
            events.append(
                TraceEvent(plugin=impl.plugin_name, version=self.pm.version_of(impl.plugin_name),
                           component="evaluation_finished", kind=EventKind.HOOK, status=status,
                           duration_ms=ms, message=msg)
            )
            if exc:
                failed.append(Factor(FactorKind.ERROR,
                                     f"observer {impl.plugin_name} failed: {msg}",
                                     impl.plugin_name))
        if not events:
            return decision
        changes: dict[str, Any] = {"trace": decision.trace + tuple(events)}
        if failed:
            headroom = (
                attrs.evolve(decision.headroom, risk=Risk.UNKNOWN,
                             reasons=(*decision.headroom.reasons,
                                      "an observer failed: risk unknown"))
                if decision.headroom is not None else None
            )
            changes.update(verdict=Verdict.ERROR, risk=Risk.UNKNOWN, headroom=headroom,
                           scorecard_risk=RISK_OF_VERDICT[Verdict.ERROR],
                           determining=tuple(failed) + decision.determining)
        return attrs.evolve(decision, **changes)

    def _event(
        self, reg: Registered, component: str, kind: EventKind, ms: float, problem: str | None,
        *, read: Sequence[str] = (), contributed: dict[str, Any] | None = None,
    ) -> TraceEvent:
        return TraceEvent(
            plugin=reg.plugin, version=self.pm.version_of(reg.plugin), component=component,
            kind=kind, status=EventStatus.ERROR if problem else EventStatus.OK, duration_ms=ms,
            read=tuple(read), contributed=contributed or {}, message=problem,
        )

    def _receipt(self, profile: CompanyProfile) -> Receipt:
        return Receipt(
            engine_version=engine_version(),
            input_sha256=profile_sha256(profile),
            config_sha256=self._config_sha,
            plugins=self._plugin_refs,
            config_source=self.config.path or "defaults",
            as_of=as_of.isoformat() if (as_of := profile.as_of or self.fx.as_of) else None,
        )


def _note_left_out(trace: list[TraceEvent], result: PolicyResult) -> None:
    """Say on each left-out optional dimension's scorer event that it did not count."""
    left_out = {d.component: d for d in result.dimensions if d.left_out}
    for i, event in enumerate(trace):
        d = left_out.get(event.component)
        if d is not None and event.kind is EventKind.SCORER and event.status is EventStatus.OK:
            trace[i] = attrs.evolve(
                event, contributed={**event.contributed, "weight": 0.0, "left_out": d.left_out},
                message=f"{d.name} left out ({d.left_out}): the other weights are renormalised")


def _finding_key(f: Finding) -> tuple[int, str, str]:
    return (f.severity.rank, f.pack, f.rule)


def _describe_failure(exc: BaseException) -> str:
    return f"raised {type(exc).__name__}: {exc}"


def _check_score(value: Any, dimension: str) -> str | None:
    if not isinstance(value, DimensionScore):
        return f"returned {type(value).__name__}, not DimensionScore"
    if value.dimension != dimension:
        return f"returned a score for dimension {value.dimension!r}, not {dimension!r}"
    if value.score is not None:
        if not isinstance(value.score, (int, float)) or not math.isfinite(value.score):
            return f"returned a non-finite score ({value.score!r})"
        if not 0.0 <= value.score <= 100.0:
            return f"returned a score outside 0-100 ({value.score!r})"
    if not isinstance(value.coverage, (int, float)) or not 0.0 <= value.coverage <= 1.0:
        return f"returned a coverage outside 0-1 ({value.coverage!r})"
    return None


def check_outcome(value: Any, declared: Severity) -> str | None:
    if not isinstance(value, RuleOutcome):
        return f"returned {type(value).__name__}, not RuleOutcome"
    if value.status in (RuleStatus.DISABLED, RuleStatus.ERROR):
        return f"returned status {value.status}, which only the engine may set"
    if value.severity is not None and value.severity.rank < declared.rank:
        return f"fired at {value.severity}, above its declared severity {declared}"
    return None


def _currencies(profile: CompanyProfile) -> list[tuple[str, str]]:
    out = []
    if profile.valuation is not None:
        out.append(("$.valuation.currency", profile.valuation.currency))
    if profile.financials is not None:
        out.append(("$.financials.currency", profile.financials.currency))
    for i, inv in enumerate(profile.investors):
        if inv.amount is not None:
            out.append((f"$.investors[{i}].amount.currency", inv.amount.currency))
    for i, lit in enumerate(profile.litigation or ()):
        if lit.claim is not None:
            out.append((f"$.litigation[{i}].claim.currency", lit.claim.currency))
    claims = profile.reported_claims
    if claims is not None and claims.arr is not None:
        out.append(("$.reported_claims.arr.currency", claims.arr.currency))
    for i, enf in enumerate(profile.enforcement or ()):
        if enf.amount is not None:
            out.append((f"$.enforcement[{i}].amount.currency", enf.amount.currency))
    return out
