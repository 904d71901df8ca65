"""The engine: one evaluation from profile to decision, with its trace.

:class:`Engine` collects the components every plugin registers, validates
their settings against the configuration, and evaluates profiles: gate, every
scorer, every rule, the decision policy, then the observers. Each component is
called on its own, timed, and isolated: an exception, a wrong return type, a
NaN or an out-of-range score becomes an ``error`` event in the trace and the
decision fails closed. Results are keyed and sorted by component name, so the
same inputs give byte-identical JSON whatever the plugin registration order.

The steps live beside it: ``_setup.py`` (what plugins registered, checked against
the configuration), ``_gate.py`` (the valuation against the line, the money
checks), ``_run.py`` (scorers and rule packs, isolated and traced), ``_finish.py``
(the policy and the observers through pluggy).
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import attrs

from ..errors import InputError, PluginError, PluginInterrupted, Problem
from ..load import (
    config_problems,
    load_profile,
    profile_from_data,
    profile_sha256,
)
from ..model import (
    RISK_OF_VERDICT,
    Assessment,
    CompanyProfile,
    CompanyRef,
    ComponentError,
    Context,
    Decision,
    EngineConfig,
    EventKind,
    EventStatus,
    Factor,
    FactorKind,
    Finding,
    FxTable,
    GateResult,
    PackRef,
    PluginRef,
    Receipt,
    Risk,
    TraceEvent,
    UndeclaredExtension,
    UndeclaredExtensions,
    Verdict,
    positional_builder,
)
from ._budget import BudgetExceeded, Watchdog
from ._finish import CORE, core_policy_only, decide, fail_closed, notify
from ._gate import check_money, gate_result, headroom_of, max_rates
from ._hookcalls import Abandoned, Activity, hook_call
from ._plans import law_as_of, plan_packs, plan_scorers
from ._plugins import ThresholdPluginManager, create_plugin_manager, engine_version
from ._registry import extension_types
from ._run import failure, run_packs, run_scorers
from ._setup import (
    assign_scorers,
    check_components,
    check_disabled_rules,
    collect,
    index_rules,
    structure_settings,
)

__all__ = ["Engine"]


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


#: The default configuration, which needs no checking.
_DEFAULTS = EngineConfig()


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
            self.scorers, self.packs, types = self.watchdog.run(collect, self.pm)
        except BudgetExceeded as exc:
            raise PluginError(exc.plugin or "?", str(exc)) from None
        check_components(self.scorers, self.packs)
        #: The ``[extensions.<name>]`` sections profiles may carry (declared by plugins).
        self.extension_types = extension_types(
            self.pm,
            keep_undeclared=self.config.extensions.undeclared is UndeclaredExtensions.KEEP,
        )
        if not self.extension_types.keep_undeclared:  # a drop-in pack reads declared ones
            for reg in self.packs.values():
                if getattr(reg.component, "extensions_read", None):
                    from ..declarative import check_extension_reads

                    check_extension_reads(reg.component, self.extension_types.types)
        # Every problem of the configuration at once: the file's own, then what only
        # the plugins can tell (unknown plugin names, settings, dimensions, rule ids).
        # A configuration built in Python (not by build_config, which checks a file's
        # values and keeps what it found in ``problems``) gets the same checks here.
        problems: list[Problem] = [
            *(() if self.config.checked or self.config == _DEFAULTS
              else config_problems(self.config)),
            *self.config.problems, *self.pm.config_problems]
        self.settings = structure_settings(self.config, types, problems)
        self.assignments = assign_scorers(self.config, self.scorers, problems)
        self._rule_index = index_rules(self.packs)
        self.disabled_rules = check_disabled_rules(self.config, self._rule_index, problems)
        if problems:
            raise InputError(self._source, problems)
        self.fx = FxTable(
            rates=dict(self.config.fx.rates),
            as_of=self.config.fx.as_of,
            source=self.config.fx.source,
        )
        self._config_sha = self.config.sha256()
        self._max_rates = max_rates(self.config)
        self._plugin_refs = tuple(
            PluginRef(name, self.pm.version_of(name))
            # A plugin disabled by name (--disable-plugin) is registered as blocked, with
            # no plugin object: it decided nothing, so the receipt does not name it.
            for name in sorted(n for n, p in self.pm.list_name_plugin() if p is not None)
        )
        self._pack_refs = tuple(
            PackRef(name=name, version=str(reg.component.version),
                    law_as_of=law_as_of(reg.component), plugin=reg.plugin)
            for name, reg in sorted(self.packs.items())
        )
        # Hooks fixed when the engine is built, like the components.
        self._observed = bool(self.pm.hook.threshold_evaluation_finished.get_hookimpls())
        #: The default policy alone decides: it is called directly, not through pluggy.
        self._core_policy = core_policy_only(self.pm)
        # Fixed evaluation order, worked out once: packs by name, rules by id.
        self.pack_plan = plan_packs(self)
        self.scorer_plan, self.skipped_scorers = plan_scorers(self)

    @property
    def _source(self) -> str:
        if self.config.path:
            return self.config.path
        # built by build_config from a document, or in Python: not the defaults
        return ("(default configuration)" if self.config == EngineConfig()
                else "(configuration given in Python)")

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
                    raise PluginError(plugin, f"threshold_load_profile {failure(exc)}",
                                      source=str(path)) from None

        try:
            return self.watchdog.run(read)
        except BudgetExceeded as exc:
            raise PluginError(exc.plugin or "?", str(exc), source=str(path)) from None

    def check_profile(self, profile: CompanyProfile, source: str = "<profile>") -> None:
        """Problems only visible with the configuration: an unknown currency, or an
        amount that is not finite, or beyond ``_gate.MAX_CNY``, once converted to CNY."""
        check_money(self.config, profile, source, self._max_rates)

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
        context = _context(self.fx, profile.as_of or self.fx.as_of, self.config.sources)
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
        gate = run.gate = gate_result(self.config, profile)
        trace.append(_event(
            CORE, engine_version(), "gate", _GATE, _OK, 0.0, ("valuation",),
            {"passed": gate.passed, "valuation_cny": gate.valuation_cny}, gate.reason, ()))

        dimensions = run_scorers(self, activity, profile, context, trace, errors)
        findings, packs = run_packs(self, activity, profile, context, trace, errors)
        run.findings = findings
        assessment = _assessment(profile, gate, dimensions, findings, packs, tuple(errors))
        result = decide(self.pm, self.config, assessment, trace,
                        activity if self._core_policy else None)
        headroom = headroom_of(self.config, profile, gate, result.verdict, result.findings)
        decision = run.decision = _decision(
            _company(profile.id, profile.name), result.verdict, result.risk or headroom.risk,
            result.grade, result.score, gate, result.dimensions,
            tuple(sorted(result.findings, key=_finding_key)), result.determining,
            tuple(trace), self._receipt(profile), _SCHEMA_VERSION, headroom,
            RISK_OF_VERDICT[result.verdict], result.sourcing, source_path, None,
        )
        return notify(activity, self.pm, self.config, decision) if self._observed else decision

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
            return fail_closed(run.decision, (factor,), (event,),
                                "an observer ran out of time: risk unknown")
        gate = run.gate or gate_result(self.config, profile)
        findings = tuple(sorted(run.findings, key=_finding_key))
        decision = Decision(
            company=CompanyRef(id=profile.id, name=profile.name),
            verdict=Verdict.ERROR, risk=Risk.UNKNOWN,
            headroom=headroom_of(self.config, profile, gate, Verdict.ERROR, findings),
            scorecard_risk=RISK_OF_VERDICT[Verdict.ERROR], grade=None, score=None,
            gate=gate, dimensions=(), findings=findings,
            determining=(factor,), trace=(*tuple(run.trace), event),
            receipt=self._receipt(profile), source_path=source_path,
        )
        if not self._observed:
            return decision
        try:  # the audit sinks still hear of it (on a fresh worker, under the budget)
            return self.watchdog.run(notify, self.pm, self.config, decision)
        except BudgetExceeded as again:
            run.decision = decision
            return self._abandoned(run, profile, source_path, again)

    # -- steps --------------------------------------------------------------------

    def receipt_basis(self) -> dict[str, Any]:
        """What every decision's receipt from this engine shares, apart from the profile:
        ``engine_version``, ``config_sha256``, ``plugins`` (``[name, version]`` pairs) and
        ``packs`` (``[name, version, plugin]``), as JSON values.

        ``threshold batch --resume`` holds an ``OUTPUT.partial`` to it, so decisions made
        under another configuration or plugin set are never mixed into one output.
        """
        return {
            "engine_version": engine_version(),
            "config_sha256": self._config_sha,
            "plugins": [[p.name, p.version] for p in self._plugin_refs],
            "packs": [[p.name, p.version, p.plugin] for p in self._pack_refs],
        }

    def _receipt(self, profile: CompanyProfile) -> Receipt:
        return _receipt(
            engine_version(), profile_sha256(profile), self._config_sha, self._plugin_refs,
            self.config.path or "defaults",
            as_of.isoformat() if (as_of := profile.as_of or self.fx.as_of) else None,
            self._pack_refs,
        )


#: The objects every evaluation makes, built with every field given positionally, in the
#: class's order, without attrs' generic ``__init__`` (see ``model/_builders.py``).
_context = positional_builder(Context)
_event = positional_builder(TraceEvent)
_assessment = positional_builder(Assessment)
_decision = positional_builder(Decision)
_company = positional_builder(CompanyRef)
_receipt = positional_builder(Receipt)
_GATE, _OK = EventKind.GATE, EventStatus.OK
#: ``Decision.schema_version``'s default, which every decision carries.
_SCHEMA_VERSION = attrs.fields(Decision).schema_version.default


def _finding_key(f: Finding) -> tuple[int, str, str]:
    return (f.severity.rank, f.pack, f.rule)


