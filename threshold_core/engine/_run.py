"""Running the components: every scorer and every rule on its own, timed, isolated.

Whatever a component raises (``SystemExit`` included) or returns that breaks the
contract of ``docs/hooks.md`` (checked in ``_boundary.py``) becomes an ``error``
event in the trace and a :class:`~threshold_core.model.ComponentError`, and the
other components still run. A rule pack's trace event carries every rule's
outcome; a scorer's event what it read and contributed.
"""

from __future__ import annotations

import operator
import time
from typing import TYPE_CHECKING

import attrs

from ..errors import PluginInterrupted
from ..model import (
    ASSUMED,
    CompanyProfile,
    ComponentError,
    Context,
    DimensionScore,
    Effect,
    EventKind,
    EventStatus,
    Finding,
    PackOutcomes,
    RuleMeta,
    RuleOutcome,
    RuleStatus,
    ScoredDimension,
    Severity,
    TraceEvent,
    positional_builder,
)
from ._boundary import MAX_TEXT, check_outcome, check_score, plain_evidence, short_strings
from ._budget import BudgetExceeded
from ._hookcalls import Abandoned, Activity

if TYPE_CHECKING:
    from ._engine import Engine

def run_scorers(
    engine: Engine, activity: Activity, profile: CompanyProfile, context: Context,
    trace: list[TraceEvent], errors: list[ComponentError],
) -> tuple[ScoredDimension, ...]:
    """Every assigned scorer, each isolated and checked; one trace event each."""
    out = []
    for dim, name, plugin, version, weight, scorer, trusted in engine.scorer_plan:
        settings = engine.settings.get(name)
        activity.enter(plugin, name)
        start = time.perf_counter()
        # Isolation: whatever the scorer raises (SystemExit included) is its error.
        try:
            value = scorer.score(profile, settings, context)
        except Abandoned:
            raise
        except KeyboardInterrupt:
            raise PluginInterrupted(plugin, name) from None
        except BaseException as exc:
            problem: str | None = failure(exc)
        else:
            problem = check_score(value, dim, trusted)
        activity.leave()
        ms = round((time.perf_counter() - start) * 1000, 3)
        if problem:
            errors.append(ComponentError(plugin, name, problem))
            trace.append(TraceEvent(plugin=plugin, version=version, component=name,
                                    kind=EventKind.SCORER, status=EventStatus.ERROR,
                                    duration_ms=ms, message=problem))
            out.append(_scored(dim, weight, name, plugin, None))
            continue
        assert isinstance(value, DimensionScore)
        # Where each metric's band comes from (issue 16); a loop, not a comprehension (a
        # function made per call).
        band_sources = {}
        for m in value.metrics:
            if m.band_source:
                band_sources[m.metric] = m.band_source
        trace.append(_event(
            plugin, version, name, _SCORER, _OK, ms, tuple(value.inputs),
            {"dimension": dim, "score": value.score, "coverage": value.coverage,
             "weight": weight, "band_sources": band_sources},
            None, ()))
        out.append(_scored(dim, weight, name, plugin, value))
    if engine.skipped_scorers:
        trace.extend(TraceEvent(**kw) for kw in engine.skipped_scorers)
    return tuple(out)


_FIRED, _PASSED = RuleStatus.FIRED, RuleStatus.PASSED
_NOT_EVALUATED, _DISABLED, _ERROR = (RuleStatus.NOT_EVALUATED, RuleStatus.DISABLED,
                                     RuleStatus.ERROR)


#: Severities an unchecked rule is assumed at (low and info change no verdict).
_ASSUMED = frozenset({Severity.CRITICAL, Severity.HIGH, Severity.MEDIUM})


def assumed_finding(rid: str, meta: RuleMeta, pack: str, plugin: str,
                    outcome: RuleOutcome) -> Finding:
    """A rule that could not be evaluated, counted at its most severe (``assumed``)."""
    missing = list(outcome.missing)
    return _finding(
        rid, pack, meta.severity, _REPORTED, meta.dimension, meta.title,
        _assumed_text(outcome.message, missing, meta.severity),
        plugin, {ASSUMED: True, "missing": missing}, meta.source,
    )


#: The message of an assumed finding per (the rule's message, what it lacked, severity):
#: the same rules lack the same fields decision after decision.
_ASSUMED_TEXTS: dict[tuple[str | None, tuple[str, ...], Severity], str] = {}


def _assumed_text(message: str | None, missing: list[str], severity: Severity) -> str:
    key = (message, tuple(missing), severity)
    keep = (message is None or message.__class__ is str) and severity.__class__ is Severity
    text = _ASSUMED_TEXTS.get(key) if keep else None
    if text is None:
        what = "missing " + (", ".join(missing) if missing else "its inputs")
        # The rule's own reason when it says more than what is missing (a check dated after
        # the evaluation date is there, but no evidence).
        why = message if message and message != what else what
        text = f"not evaluated ({why}): counted at its most severe, {severity}, until researched"
        if keep:
            if len(_ASSUMED_TEXTS) >= 4096:
                _ASSUMED_TEXTS.clear()
            _ASSUMED_TEXTS[key] = text
    return text


def run_packs(
    engine: Engine, activity: Activity, profile: CompanyProfile, context: Context,
    trace: list[TraceEvent], errors: list[ComponentError],
) -> tuple[tuple[Finding, ...], tuple[PackOutcomes, ...]]:
    """Every enabled rule of every pack, each isolated; one trace event per pack."""
    findings: list[Finding] = []
    packs: list[PackOutcomes] = []
    for plan in engine.pack_plan:
        pack_name, plugin, trusted = plan.name, plan.plugin, plan.trusted
        settings = engine.settings.get(pack_name)
        outcomes: list[RuleOutcome] = []
        record = outcomes.append
        pack_errors: list[str] = []
        fired: list[str] = []
        read: set[str] = set()
        n_passed = n_missing = n_disabled = 0
        out_of_time: BudgetExceeded | None = None
        activity.enter(plugin, pack_name)
        start = time.perf_counter()
        for rid, meta, check, declared in plan.rules:
            if check is None:
                n_disabled += 1
                record(plan.disabled[rid])
                continue
            if activity.cancelled:
                raise Abandoned()
            activity.rule = rid
            # Each rule is isolated: one failing rule is recorded, the others still run.
            try:
                if out_of_time:
                    raise out_of_time
                value = check(profile, settings, context)
            except Abandoned:
                raise
            except KeyboardInterrupt:
                raise PluginInterrupted(plugin, f"{pack_name}/{rid}") from None
            except BudgetExceeded as exc:
                # The pack's budget is spent: its remaining rules are not run.
                problem: str | None = (failure(exc) if exc is not out_of_time else
                                       "not run: the pack ran out of its time budget")
                out_of_time = exc
            except BaseException as exc:
                problem = failure(exc)
            else:
                if value.__class__ is dict:
                    # The kit's fast path (docs/hooks.md): a check may return its evidence
                    # for ``passed(evidence)``; its outcome is built here, in one step (a
                    # plugin's evidence copied and checked first).
                    if not trusted:
                        value = dict(value)
                        if value and not plain_evidence(value):
                            # Not plain JSON: the full check below names the fault.
                            value = _outcome(_PASSED, None, None, (), value, "")
                    if value.__class__ is dict:
                        if value:
                            read.update(value)
                        n_passed += 1
                        record(_outcome(_PASSED, None, None, (), value, rid))
                        continue
                # The boundary check (``check_outcome``), its usual case inline: a
                # RuleOutcome of a status rules may return, no severity above the declared
                # one, plain short strings, and evidence of plain JSON values (by
                # construction in a trusted pack). Anything else gets the check that names
                # the fault.
                if value.__class__ is RuleOutcome:
                    status, sev, message, missing, evidence, recorded_id = _fields(value)
                    if ((status is _PASSED or status is _NOT_EVALUATED or status is _FIRED)
                            and (sev is None or (sev.__class__ is Severity
                                                 and sev.rank >= declared.rank))
                            and (message is None
                                 or (message.__class__ is str and len(message) <= MAX_TEXT))
                            and missing.__class__ is tuple and evidence.__class__ is dict
                            and (not missing or short_strings(missing))
                            and (trusted or not evidence or plain_evidence(evidence))):
                        # The usual case: checked, and recorded as returned.
                        if evidence:
                            read.update(evidence)
                        if status is _PASSED:
                            n_passed += 1
                        elif status is _FIRED:
                            fired.append(rid)
                            findings.append(
                                _finding(rid, pack_name, sev or declared, _REPORTED,
                                         meta.dimension, meta.title, message or meta.title,
                                         plugin, evidence, meta.source))
                            if sev is None:  # recorded with the declared severity
                                record(_outcome(status, declared, message, missing, evidence,
                                                rid))
                                continue
                        else:
                            n_missing += 1
                            if declared in _ASSUMED:
                                # Omission never helps: a rule that could not be checked is
                                # counted at its most severe until researched; the policy
                                # decides what that does.
                                findings.append(
                                    assumed_finding(rid, meta, pack_name, plugin, value))
                        # Recorded as returned, with its id set; an outcome already
                        # carrying another id (a rule returning a shared object) is copied.
                        if recorded_id == "":
                            _set_rule(value, rid)
                            record(value)
                        elif recorded_id == rid:
                            record(value)
                        else:
                            record(_outcome(status, sev, message, missing, evidence, rid))
                        continue
                problem = check_outcome(value, declared)
            if problem:
                pack_errors.append(f"{rid}: {problem}")
                errors.append(ComponentError(plugin, f"{pack_name}/{rid}", problem))
                record(RuleOutcome(status=_ERROR, rule=rid, message=problem))
                continue
            # What check_outcome passed and the usual case above did not take (a subclass
            # of RuleOutcome, evidence nested deeper): recorded as a copy with its id.
            status, evidence = value.status, value.evidence
            if evidence:
                read.update(evidence)
            if status is _PASSED:
                n_passed += 1
                sev = value.severity
            elif status is _FIRED:
                sev = value.severity or declared
                fired.append(rid)
                findings.append(
                    _finding(rid, pack_name, sev, _REPORTED, meta.dimension, meta.title,
                             value.message or meta.title, plugin, evidence, meta.source)
                )
            else:
                n_missing += 1
                sev = value.severity
                if declared in _ASSUMED:
                    findings.append(assumed_finding(rid, meta, pack_name, plugin, value))
            record(_outcome(status, sev, value.message, value.missing, evidence, rid))
        activity.leave()
        ms = round((time.perf_counter() - start) * 1000, 3)
        counts = {"fired": len(fired), "passed": n_passed, "not_evaluated": n_missing,
                  "disabled": n_disabled, "error": len(pack_errors)}
        recorded = tuple(outcomes)
        trace.append(_event(
            plugin, plan.version, pack_name, _RULE_PACK, _ERROR_EVENT if pack_errors else _OK,
            ms, tuple(sorted(read)),
            {"fired": fired, "counts": counts, "pack_version": plan.pack_version,
             "law_as_of": plan.law_as_of},
            "; ".join(pack_errors) or None, recorded))
        packs.append(_pack_outcomes(pack_name, plugin, recorded))
    return tuple(findings), tuple(packs)


_REPORTED = Effect.REPORTED
_RULE_PACK, _SCORER = EventKind.RULE_PACK, EventKind.SCORER
_OK, _ERROR_EVENT = EventStatus.OK, EventStatus.ERROR
#: ``TraceEvent(*every field)``, ``PackOutcomes(*every field)`` and
#: ``ScoredDimension(*every field)``, as ``_finding``.
_event = positional_builder(TraceEvent)
_pack_outcomes = positional_builder(PackOutcomes)
_scored = positional_builder(ScoredDimension)
#: ``Finding(*every field)`` without attrs' generic ``__init__`` (one per fired rule).
_finding = positional_builder(Finding)
_outcome = positional_builder(RuleOutcome)
#: A RuleOutcome's fields in order (status, severity, message, missing, evidence, rule).
_fields = operator.attrgetter(*(a.name for a in attrs.fields(RuleOutcome)))
#: Sets a returned outcome's ``rule`` (its slot, as attrs' frozen ``__init__`` does).
_set_rule = RuleOutcome.__dict__["rule"].__set__


def failure(exc: BaseException) -> str:
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
