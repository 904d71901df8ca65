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
from collections.abc import Mapping, Sequence
from datetime import date
from pathlib import Path
from typing import Any

import attrs

from ..errors import InputError, PluginError, PluginInterrupted, Problem
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
    PackRef,
    PluginRef,
    PolicyResult,
    Receipt,
    Risk,
    RuleOutcome,
    RuleStatus,
    ScoredDimension,
    Scorer,
    TraceEvent,
    UndeclaredExtension,
    UndeclaredExtensions,
    ValuationBasis,
    Verdict,
    assess,
)
from ._boundary import (
    check_outcome,
    check_pack,
    check_policy_result,
    check_score,
    check_scorer,
)
from ._budget import BudgetExceeded, Watchdog
from ._hookcalls import Abandoned, Activity, hook_call
from ._plugins import ThresholdPluginManager, create_plugin_manager, engine_version
from ._registry import (
    Registered,
    collect_components,
    declared_settings_types,
    extension_types,
)

CORE = "threshold_core"
#: The plugin name of the default policy (a built-in).
_CORE_POLICY = "threshold_core.policy"

_STATUS_VALUES = tuple(s.value for s in RuleStatus)


class _Run:
    """One evaluation in progress: what the watchdog can still report if it gives up."""

    __slots__ = ("decision", "errors", "findings", "gate", "trace")

    def __init__(self) -> None:
        self.trace: list[TraceEvent] = []
        self.errors: list[ComponentError] = []
        self.findings: tuple[Finding, ...] = ()
        self.gate: GateResult | None = None
        #: The decision before the observers saw it.
        self.decision: Decision | None = None


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
        limits = self.config.limits
        #: Runs every evaluation under the time budgets of ``[limits]``.
        self.watchdog = Watchdog(limits.component_seconds, limits.decision_seconds)
        self.pm = pm if pm is not None else create_plugin_manager(
            self.config, defer_problems=True)
        try:
            self.scorers, self.packs, types = self.watchdog.run(self._collect)
        except BudgetExceeded as exc:
            raise PluginError(exc.plugin or "?", str(exc)) from None
        self._check_components()
        #: The ``[extensions.<name>]`` sections profiles may carry (declared by plugins).
        self.extension_types = extension_types(
            self.pm,
            keep_undeclared=self.config.extensions.undeclared is UndeclaredExtensions.KEEP,
        )
        # Every problem of the configuration at once: the file's own, then what only
        # the plugins can tell (unknown plugin names, settings, dimensions, rule ids).
        problems: list[Problem] = [*self.config.problems, *self.pm.config_problems]
        self.settings = self._structure_settings(types, problems)
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
        self._pack_refs = tuple(
            PackRef(name=name, version=str(reg.component.version),
                    law_as_of=_law_as_of(reg.component), plugin=reg.plugin)
            for name, reg in sorted(self.packs.items())
        )
        # Hooks fixed when the engine is built, like the components.
        self._observed = bool(self.pm.hook.threshold_evaluation_finished.get_hookimpls())
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

    def _collect(
        self, activity: Activity
    ) -> tuple[dict[str, Registered], dict[str, Registered], dict[str, tuple[type[Any], str]]]:
        """Call the registration hooks (in the watchdog's worker, under the time budget)."""
        scorers = collect_components(self.pm, "threshold_register_scorers", "scorer")
        packs = collect_components(self.pm, "threshold_register_rule_packs", "rule pack")
        return scorers, packs, declared_settings_types(self.pm)

    def _check_components(self) -> None:
        """Validate what plugins registered, before any of it is used."""
        for name, reg in self.scorers.items():
            problem = check_scorer(reg.component, name)
            if problem:
                raise PluginError(reg.plugin, problem)
        for name, reg in self.packs.items():
            problem = check_pack(reg.component, name)
            if problem:
                raise PluginError(reg.plugin, problem)

    def _structure_settings(
        self, types: dict[str, tuple[type[Any], str]], problems: list[Problem]
    ) -> dict[str, Any]:
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
        :raises PluginError: a plugin's ``threshold_load_profile`` failed on the file.
        """
        profile = self._read(path)
        self.check_profile(profile, str(path))
        return profile

    def profile_from_data(self, data: Any, source: str = "<profile>") -> CompanyProfile:
        """Validate a profile document (with the extension sections this engine's plugins
        declare) and check it against the configuration."""
        profile = profile_from_data(data, source, self.extension_types)
        self.check_profile(profile, source)
        return profile

    def _read(self, path: str | Path) -> CompanyProfile:
        """:func:`load_profile`; a failing ``threshold_load_profile`` is that plugin's error."""

        def read(activity: Activity) -> CompanyProfile:
            with hook_call("threshold_load_profile") as call:
                try:
                    return load_profile(path, self.pm, self.extension_types)
                except (InputError, Abandoned):
                    raise
                except KeyboardInterrupt as exc:
                    raise PluginInterrupted(call.culprit(exc), "threshold_load_profile") from None
                except BaseException as exc:
                    plugin = call.culprit(exc)
                    if plugin is None:
                        raise
                    raise PluginError(plugin, f"threshold_load_profile {_failure(exc)}",
                                      source=str(path)) from None

        try:
            return self.watchdog.run(read)
        except BudgetExceeded as exc:
            raise PluginError(exc.plugin or "?", str(exc), source=str(path)) from None

    def check_profile(self, profile: CompanyProfile, source: str = "<profile>") -> None:
        """Problems only visible with the configuration: an unknown currency, or an
        amount that is not finite, or beyond :data:`MAX_CNY`, once converted to CNY."""
        problems = []
        rows = [self.config.fx.rates, *(r.rates for r in self.config.fx.history)]
        for path, amount, currency_path, cur in _money(profile):
            code = cur.upper()
            if code == "CNY":
                rate = 1.0
            elif code in self.fx.rates:
                # The largest rate any row of the table gives: the gate may use an older row.
                rate = max(r[code] for r in rows if code in r)
            else:
                problems.append(Problem(
                    currency_path, f'no FX rate for "{cur}" in the configuration\'s fx.rates'))
                continue
            cny = amount * rate
            if not math.isfinite(cny) or abs(cny) > MAX_CNY:
                problems.append(Problem(path, (
                    f"{amount:g} {code} is {cny:g} CNY" if code != "CNY" else f"{amount:g} CNY")
                    + f", beyond the largest amount threshold reads ({MAX_CNY:g} CNY)"))
        if problems:
            raise InputError(source, problems)

    def evaluate_path(self, path: str | Path) -> Decision:
        """Load, validate and evaluate one profile file.

        :raises InputError: the file cannot be read or the profile is invalid.
        """
        # evaluate() runs check_profile itself, naming the file: no need to check twice.
        profile = self._read(path)
        return self.evaluate(profile, source_path=str(path))

    def evaluate(
        self, profile: CompanyProfile | Mapping[str, Any], *, source_path: str | None = None
    ) -> Decision:
        """Evaluate one profile and return the decision with its trace.

        ``profile`` is a :class:`CompanyProfile` or a mapping in the profile schema
        (what a profile file holds, as a dict: handy in a notebook). A plugin or rule
        that fails makes the verdict ``error`` (it never raises). Runs under the time
        budgets of ``[limits]``: a component that runs out of time is an ``error``
        event and the decision fails closed.

        :raises InputError: the profile is invalid (every problem, with its path), or its
            currencies are missing from the FX table.
        :raises PluginInterrupted: a plugin raised KeyboardInterrupt (a ``KeyboardInterrupt``).
        """
        if isinstance(profile, Mapping):
            source = source_path or str(profile.get("id") or "<profile>")
            profile = profile_from_data(profile, source, self.extension_types)
        self.check_profile(profile, source_path or profile.id)
        run = _Run()
        try:
            return self.watchdog.run(self._evaluate, profile, source_path, run)
        except BudgetExceeded as exc:
            return self._abandoned(run, profile, source_path, exc)

    def _evaluate(
        self, activity: Activity, profile: CompanyProfile, source_path: str | None, run: _Run
    ) -> Decision:
        context = Context(fx=self.fx, as_of=profile.as_of or self.fx.as_of,
                          sources=self.config.sources)
        trace, errors = run.trace, run.errors
        for name, section in profile.extensions.items():
            if isinstance(section, UndeclaredExtension):
                trace.append(TraceEvent(
                    plugin=CORE, version=engine_version(), component=f"extensions.{name}",
                    kind=EventKind.LOADER, status=EventStatus.SKIPPED,
                    read=(f"extensions.{name}",),
                    message=(f"[extensions.{name}] is declared by no installed plugin: kept as "
                             "written, unvalidated, read by no component"),
                ))
        gate = run.gate = self._gate(profile)
        trace.append(
            TraceEvent(
                plugin=CORE, version=engine_version(), component="gate", kind=EventKind.GATE,
                status=EventStatus.OK, read=("valuation",),
                contributed={"passed": gate.passed, "valuation_cny": gate.valuation_cny},
                message=gate.reason,
            )
        )

        dimensions = self._run_scorers(activity, profile, context, trace, errors)
        findings, packs = self._run_packs(activity, profile, context, trace, errors)
        run.findings = findings
        assessment = Assessment(
            profile=profile, gate=gate, dimensions=dimensions, findings=findings,
            packs=packs, errors=tuple(errors),
        )
        result = self._decide(assessment, trace)
        headroom = self._headroom(profile, gate, result.verdict, result.findings)
        decision = run.decision = Decision(
            company=CompanyRef(id=profile.id, name=profile.name),
            verdict=result.verdict,
            risk=result.risk or headroom.risk,
            headroom=headroom,
            scorecard_risk=RISK_OF_VERDICT[result.verdict],
            sourcing=result.sourcing,
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
        return self._notify(activity, decision) if self._observed else decision

    def _abandoned(
        self, run: _Run, profile: CompanyProfile, source_path: str | None, exc: BudgetExceeded
    ) -> Decision:
        """The failed-closed decision of an evaluation the watchdog gave up on."""
        plugin = exc.plugin or CORE
        component = exc.component or "evaluation"
        observer = component == "evaluation_finished"
        if observer:
            kind = EventKind.HOOK
        elif component == "policy":
            kind = EventKind.POLICY
        elif component in self.packs:
            kind = EventKind.RULE_PACK
        else:
            kind = EventKind.SCORER if component in self.scorers else EventKind.HOOK
        event = TraceEvent(
            plugin=plugin, version=self.pm.version_of(plugin), component=component,
            kind=kind,
            status=EventStatus.ERROR, duration_ms=round(exc.seconds * 1000, 3),
            message=str(exc),
        )
        factor = Factor(FactorKind.ERROR, f"{component} ({plugin}) {exc}", component)
        if run.decision is not None:  # the observers ran out of time: the decision stands
            return _fail_closed(run.decision, (factor,), (event,),
                                "an observer ran out of time: risk unknown")
        gate = run.gate or self._gate(profile)
        findings = tuple(sorted(run.findings, key=_finding_key))
        decision = Decision(
            company=CompanyRef(id=profile.id, name=profile.name),
            verdict=Verdict.ERROR, risk=Risk.UNKNOWN,
            headroom=self._headroom(profile, gate, Verdict.ERROR, findings),
            scorecard_risk=RISK_OF_VERDICT[Verdict.ERROR], grade=None, score=None,
            gate=gate, dimensions=(), findings=findings,
            determining=(factor,), trace=(*tuple(run.trace), event),
            receipt=self._receipt(profile), source_path=source_path,
        )
        if not self._observed:
            return decision
        try:  # the audit sinks still hear of it (on a fresh worker, under the budget)
            return self.watchdog.run(self._notify, decision)
        except BudgetExceeded as again:
            run.decision = decision
            return self._abandoned(run, profile, source_path, again)

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

    def _run_scorers(
        self, activity: Activity, profile: CompanyProfile, context: Context,
        trace: list[TraceEvent], errors: list[ComponentError],
    ) -> tuple[ScoredDimension, ...]:
        out = []
        assigned = {reg.component.name for reg in self.assignments.values()}
        for dim in sorted(self.assignments):
            reg = self.assignments[dim]
            scorer: Scorer = reg.component
            settings = self.settings.get(scorer.name)
            activity.enter(reg.plugin, scorer.name)
            start = time.perf_counter()
            # Isolation: whatever the scorer raises (SystemExit included) is its error.
            try:
                value = scorer.score(profile, settings, context)
            except Abandoned:
                raise
            except KeyboardInterrupt:
                raise PluginInterrupted(reg.plugin, scorer.name) from None
            except BaseException as exc:
                problem: str | None = _failure(exc)
            else:
                problem = check_score(value, dim)
            activity.leave()
            ms = round((time.perf_counter() - start) * 1000, 3)
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
        self, activity: Activity, profile: CompanyProfile, context: Context,
        trace: list[TraceEvent], errors: list[ComponentError],
    ) -> tuple[tuple[Finding, ...], tuple[PackOutcomes, ...]]:
        findings: list[Finding] = []
        packs: list[PackOutcomes] = []
        disabled = self.disabled_rules
        for pack_name, reg, rules, version in self._pack_plan:
            settings = self.settings.get(pack_name)
            outcomes: list[RuleOutcome] = []
            pack_errors: list[str] = []
            out_of_time: BudgetExceeded | None = None
            activity.enter(reg.plugin, pack_name)
            start = time.perf_counter()
            for rule in rules:
                meta = rule.meta
                rid = meta.id
                if rid in disabled:
                    outcomes.append(RuleOutcome(status=RuleStatus.DISABLED, rule=rid,
                                                message="disabled in [rules] disable"))
                    continue
                if activity.cancelled:
                    raise Abandoned()
                activity.rule = rid
                # Each rule is isolated: one failing rule is recorded, the others still run.
                try:
                    if out_of_time:
                        raise out_of_time
                    value = rule.evaluate(profile, settings, context)
                except Abandoned:
                    raise
                except KeyboardInterrupt:
                    raise PluginInterrupted(reg.plugin, f"{pack_name}/{rid}") from None
                except BudgetExceeded as exc:
                    # The pack's budget is spent: its remaining rules are not run.
                    problem: str | None = (_failure(exc) if exc is not out_of_time else
                                           "not run: the pack ran out of its time budget")
                    out_of_time = exc
                except BaseException as exc:
                    problem = _failure(exc)
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
            activity.leave()
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
                    contributed={"fired": fired, "counts": counts,
                                 "pack_version": str(reg.component.version),
                                 "law_as_of": _law_as_of(reg.component)},
                    message="; ".join(pack_errors) or None, rules=tuple(outcomes),
                )
            )
            packs.append(PackOutcomes(pack_name, reg.plugin, tuple(outcomes)))
        return tuple(findings), tuple(packs)

    def _decide(self, assessment: Assessment, trace: list[TraceEvent]) -> PolicyResult:
        """Call ``threshold_decide`` through pluggy (wrappers, tryfirst, firstresult)."""
        start = time.perf_counter()
        exc: BaseException | None = None
        result: Any = None
        with hook_call("policy") as call:
            try:
                result = self.pm.hook.threshold_decide(assessment=assessment, config=self.config)
            except Abandoned:
                raise
            except KeyboardInterrupt as err:
                raise PluginInterrupted(call.culprit(err) or call.current, "policy") from None
            except BaseException as err:
                exc = err
        ms = round((time.perf_counter() - start) * 1000, 3)
        # The plugin behind the result: the first implementation that returned one.
        decider, value = call.results[0] if call.results else (CORE, None)
        wrappers = list(dict.fromkeys(call.wrappers))
        if exc is not None:
            plugin = call.culprit(exc) or decider
            problem: str | None = _failure(exc)
        elif decider == _CORE_POLICY and not wrappers:
            # The engine's own default policy, unwrapped: part of the engine, not a
            # plugin result to distrust (tests/test_engine.py covers it).
            problem, plugin = None, decider
        else:
            problem = check_policy_result(result)
            wrapped = result is not value and wrappers
            plugin = wrappers[0] if problem and wrapped else decider
        if problem is not None:
            trace.append(
                TraceEvent(plugin=plugin, version=self.pm.version_of(plugin), component="policy",
                           kind=EventKind.POLICY, status=EventStatus.ERROR, duration_ms=ms,
                           contributed={"wrappers": wrappers} if wrappers else {},
                           message=problem)
            )
            return PolicyResult(
                verdict=Verdict.ERROR, grade=None, score=None, dimensions=(),
                findings=assessment.findings,
                determining=(Factor(FactorKind.ERROR, f"policy ({plugin}) failed: {problem}",
                                    "policy"),),
            )
        assert isinstance(result, PolicyResult)
        note = None
        if assessment.errors and result.verdict is not Verdict.ERROR:
            # Fail closed whatever policy is installed: a decision with a component
            # error is never qualified (nor anything else but error).
            note = (f"returned {result.verdict} despite {len(assessment.errors)} component "
                    "error(s); the decision fails closed")
            result = attrs.evolve(
                result, verdict=Verdict.ERROR, risk=None,
                determining=(*_error_factors(assessment), *result.determining),
            )
        contributed: dict[str, Any] = {"verdict": str(result.verdict), "grade": result.grade,
                                       "score": result.score,
                                       "weights": {d.name: d.weight for d in result.dimensions}}
        if wrappers:
            contributed["wrappers"] = wrappers
        trace.append(
            TraceEvent(
                plugin=decider, version=self.pm.version_of(decider), component="policy",
                kind=EventKind.POLICY, status=EventStatus.OK, duration_ms=ms,
                contributed=contributed, message=note,
            )
        )
        _note_left_out(trace, result)
        return result  # type: ignore[no-any-return]

    def _notify(self, activity: Activity, decision: Decision) -> Decision:
        """Call ``threshold_evaluation_finished`` through pluggy, each observer isolated."""
        start = time.perf_counter()
        escaped: BaseException | None = None
        with hook_call("evaluation_finished", isolate=True) as call:
            try:
                self.pm.hook.threshold_evaluation_finished(decision=decision, config=self.config)
            except Abandoned:
                raise
            except KeyboardInterrupt as err:
                raise PluginInterrupted(call.culprit(err) or call.current,
                                        "evaluation_finished") from None
            except BaseException as err:  # raised by a wrapper (the others are isolated)
                escaped = err
        ms = round((time.perf_counter() - start) * 1000, 3)
        problems: dict[str, str] = {}
        for plugin, failure in call.errors:
            problems.setdefault(plugin, _failure(failure))
        if escaped is not None:
            culprit = call.culprit(escaped) or (call.wrappers or ["?"])[0]
            problems.setdefault(culprit, _failure(escaped))
        for plugin, value in call.results:
            problems.setdefault(plugin, f"returned {type(value).__name__}; observers return None")
        ran = sorted(set(call.ran))
        if not ran:
            return decision
        events = tuple(
            TraceEvent(plugin=p, version=self.pm.version_of(p), component="evaluation_finished",
                       kind=EventKind.HOOK,
                       status=EventStatus.ERROR if p in problems else EventStatus.OK,
                       duration_ms=ms, message=problems.get(p))
            for p in ran
        )
        if not problems:
            return attrs.evolve(decision, trace=decision.trace + events)
        failed = tuple(Factor(FactorKind.ERROR, f"observer {p} failed: {m}", p)
                       for p, m in sorted(problems.items()))
        return _fail_closed(decision, failed, events, "an observer failed: risk unknown")

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
            packs=self._pack_refs,
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


def _law_as_of(pack: Any) -> str | None:
    value = getattr(pack, "law_as_of", None)
    if value is None:
        return None
    return value.isoformat() if isinstance(value, date) else str(value)


def _finding_key(f: Finding) -> tuple[int, str, str]:
    return (f.severity.rank, f.pack, f.rule)


def _failure(exc: BaseException) -> str:
    """``raised ValueError: message`` on one line, whatever the exception holds."""
    if isinstance(exc, BudgetExceeded):
        return str(exc)
    try:
        text = str(exc)
    except Exception:  # an exception whose __str__ raises
        text = ""
    text = " ".join(text.split())
    if len(text) > 300:
        text = text[:297] + "..."
    return f"raised {type(exc).__name__}: {text}" if text else f"raised {type(exc).__name__}"


def _fail_closed(
    decision: Decision, factors: tuple[Factor, ...], events: tuple[TraceEvent, ...], why: str
) -> Decision:
    """``decision`` made ``error`` (risk unknown), with the factors and events that say why."""
    headroom = (
        attrs.evolve(decision.headroom, risk=Risk.UNKNOWN,
                     reasons=(*decision.headroom.reasons, why))
        if decision.headroom is not None else None
    )
    return attrs.evolve(
        decision, verdict=Verdict.ERROR, risk=Risk.UNKNOWN, headroom=headroom,
        scorecard_risk=RISK_OF_VERDICT[Verdict.ERROR],
        determining=(*factors, *decision.determining), trace=(*decision.trace, *events),
    )


def _error_factors(assessment: Assessment) -> tuple[Factor, ...]:
    return tuple(
        Factor(FactorKind.ERROR, f"{e.component} ({e.plugin}) failed: {e.message}", e.component)
        for e in assessment.errors
    )


#: The largest amount, in CNY, a profile may hold (house policy: a thousand trillion
#: yuan, far above any company; larger figures are typos or overflow, and their sums and
#: conversions must stay finite).
MAX_CNY = 1e15


def _money(profile: CompanyProfile) -> list[tuple[str, float, str, str]]:
    """Every amount of money: ``(amount path, amount, currency path, currency)``."""
    out = []
    if profile.valuation is not None:
        v = profile.valuation
        out.append(("$.valuation.amount", v.amount, "$.valuation.currency", v.currency))
    fin = profile.financials
    if fin is not None:
        for name in ("revenue", "rnd_expense", "cash", "monthly_net_burn"):
            fig = getattr(fin, name)
            if fig is not None:
                out.append((f"$.financials.{name}", fig.value, "$.financials.currency",
                            fin.currency))
    moneys = [(f"$.investors[{i}].amount", inv.amount) for i, inv in enumerate(profile.investors)]
    moneys += [(f"$.litigation[{i}].claim", lit.claim)
               for i, lit in enumerate(profile.litigation or ())]
    moneys += [(f"$.enforcement[{i}].amount", e.amount)
               for i, e in enumerate(profile.enforcement or ())]
    if profile.reported_claims is not None:
        moneys.append(("$.reported_claims.arr", profile.reported_claims.arr))
    out += [(f"{path}.amount", m.amount, f"{path}.currency", m.currency)
            for path, m in moneys if m is not None]
    return out
