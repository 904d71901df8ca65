"""Calling hooks through pluggy while knowing which plugin did what.

The engine calls every hook through pluggy's own caller, so ``wrapper=True``,
``hookwrapper=True``, ``tryfirst``/``trylast`` and ``firstresult`` behave as
pluggy documents. pluggy does not say which implementation produced a result,
raised, or is running right now, and the trace must name the plugin behind
each of those. So when a plugin is registered, each of its hook
implementations is wrapped once (:func:`attribute`) in a thin function that
reports to the :class:`HookCall` of the call in progress, if any:

- ``ran``: the plugins whose implementations ran, in call order, wrappers
  included (``wrappers`` lists those separately);
- ``results``: ``(plugin, value)`` for every non-wrapper implementation that
  returned something other than None (for ``firstresult`` hooks, the first is
  the one that decided);
- ``blame``: the plugin where an exception started (a wrapper re-raising an inner
  exception is not blamed for it);
- ``isolate``: when set, an exception from a non-wrapper implementation is caught,
  recorded in ``errors`` and the call goes on with the next plugin (observers).

Outside a :class:`HookCall` the wrapped functions behave exactly like the
originals, so plugins called by other code (tests, pluggy's own tools) see no
difference. The per-call cost is one context-variable lookup.
"""

from __future__ import annotations

import contextvars
import time
from collections.abc import Callable, Generator
from typing import Any

import pluggy

__all__ = ["Activity", "HookCall", "activity", "attribute", "hook_call"]


class Activity:
    """What is running now, for the watchdog (see ``_budget.py``).

    Written by the thread doing the work, read by the one waiting for it.
    """

    __slots__ = ("cancelled", "component", "plugin", "rule", "started")

    def __init__(self) -> None:
        self.plugin: str | None = None
        self.component: str | None = None
        #: The rule running inside a rule pack, if any.
        self.rule: str | None = None
        #: ``time.monotonic()`` when the current component started (None: none running).
        self.started: float | None = None
        #: Set by the watchdog when it gave up on this work.
        self.cancelled = False

    def enter(self, plugin: str, component: str) -> None:
        if self.cancelled:
            raise Abandoned()
        self.plugin, self.component, self.rule = plugin, component, None
        self.started = time.monotonic()

    def leave(self) -> None:
        self.started = None

    def describe(self) -> str:
        what = self.component or "?"
        if self.rule:
            what = f"{what}/{self.rule}"
        return f"plugin {self.plugin} ran {what}" if self.plugin else what


class Abandoned(BaseException):
    """Raised in a worker the watchdog gave up on, so it stops at the next step."""


_ACTIVITY: contextvars.ContextVar[Activity | None] = contextvars.ContextVar(
    "threshold_activity", default=None
)


def activity() -> Activity | None:
    """The activity of the work running in this thread, if a watchdog watches it."""
    return _ACTIVITY.get()


class watched:  # lower case: used like a function, ``with watched(act):``
    """Make ``act`` the activity of the work running in this thread, for the block.

    A class rather than ``@contextmanager``: it runs once per evaluation, and a
    generator-based context manager costs several times more."""

    __slots__ = ("_act", "_token")

    def __init__(self, act: Activity) -> None:
        self._act = act

    def __enter__(self) -> Activity:
        self._token = _ACTIVITY.set(self._act)
        return self._act

    def __exit__(self, *exc: object) -> None:
        _ACTIVITY.reset(self._token)


class HookCall:
    """What happened inside one hook call (see the module docstring)."""

    __slots__ = ("_blamed", "activity", "component", "current", "errors", "isolate", "ran",
                 "results", "wrappers")

    def __init__(self, component: str, *, isolate: bool = False) -> None:
        self.component = component
        self.isolate = isolate
        self.ran: list[str] = []
        self.wrappers: list[str] = []
        self.results: list[tuple[str, Any]] = []
        self.errors: list[tuple[str, BaseException]] = []
        self.current: str | None = None
        self.activity = _ACTIVITY.get()
        self._blamed: dict[int, tuple[BaseException, str]] = {}

    def enter(self, plugin: str) -> None:
        self.current = plugin
        if self.activity is not None:
            self.activity.enter(plugin, self.component)

    def blame(self, exc: BaseException, plugin: str) -> None:
        self._blamed.setdefault(id(exc), (exc, plugin))

    def culprit(self, exc: BaseException) -> str | None:
        """The plugin where ``exc`` started, if it started in a plugin."""
        found = self._blamed.get(id(exc))
        return found[1] if found is not None and found[0] is exc else None


_CALL: contextvars.ContextVar[HookCall | None] = contextvars.ContextVar(
    "threshold_hook_call", default=None
)


class hook_call:  # lower case: used like a function, ``with hook_call(...) as call:``
    """Record what the hook calls made inside the block do (a class rather than
    ``@contextmanager``: the policy's call runs once per evaluation)."""

    __slots__ = ("_call", "_token")

    def __init__(self, component: str, *, isolate: bool = False) -> None:
        self._call = HookCall(component, isolate=isolate)

    def __enter__(self) -> HookCall:
        self._token = _CALL.set(self._call)
        return self._call

    def __exit__(self, *exc: object) -> None:
        _CALL.reset(self._token)


_MARK = "__threshold_attributed__"


def attribute(impl: pluggy.HookImpl) -> None:
    """Wrap ``impl.function`` once so calls report to the current :class:`HookCall`.

    pluggy reads ``argnames`` when the implementation is registered and passes
    arguments positionally (keyword arguments for parameters with defaults), so a
    ``*args, **kwargs`` wrapper receives exactly what the original would.
    """
    fn = impl.function
    if getattr(fn, _MARK, False):
        return
    name = impl.plugin_name
    shim = _generator_shim(fn, name) if impl.wrapper or impl.hookwrapper else _plain_shim(fn, name)
    setattr(shim, _MARK, True)
    shim.__wrapped__ = fn  # type: ignore[attr-defined]
    # HookImpl.function is what pluggy's caller invokes; replacing it is the one
    # place to observe each implementation (pluggy has no per-implementation hook).
    setattr(impl, "function", shim)  # noqa: B010 - the attribute is Final for type checkers


def _plain_shim(fn: Callable[..., Any], name: str) -> Callable[..., Any]:
    def shim(*args: Any, **kwargs: Any) -> Any:
        call = _CALL.get()
        if call is None:
            return fn(*args, **kwargs)
        call.enter(name)
        call.ran.append(name)
        try:
            value = fn(*args, **kwargs)
        except Abandoned:
            raise
        except KeyboardInterrupt as exc:
            call.blame(exc, name)
            raise
        except BaseException as exc:
            call.blame(exc, name)
            if call.isolate:
                call.errors.append((name, exc))
                return None
            raise
        finally:
            if call.activity is not None:
                call.activity.leave()
        if value is not None:
            call.results.append((name, value))
        return value

    return shim


def _generator_shim(fn: Callable[..., Any], name: str) -> Callable[..., Any]:
    """A wrapper's shim: a generator driving the original one step at a time, so each
    half of the wrapper (before and after ``yield``) is attributed to its plugin."""

    def shim(*args: Any, **kwargs: Any) -> Generator[Any, Any, Any]:
        call = _CALL.get()
        inner = fn(*args, **kwargs)
        if call is None:
            return (yield from inner)
        call.enter(name)
        call.ran.append(name)
        call.wrappers.append(name)
        try:
            try:
                sent = next(inner)
            except StopIteration:
                raise RuntimeError(f"the wrapper of plugin {name} did not yield") from None
            while True:
                try:
                    received = yield sent
                except GeneratorExit:
                    inner.close()
                    raise
                except BaseException as exc:  # an inner implementation failed
                    call.enter(name)
                    try:
                        sent = inner.throw(exc)
                    except StopIteration as stop:
                        return stop.value
                else:
                    call.enter(name)
                    try:
                        sent = inner.send(received)
                    except StopIteration as stop:
                        return stop.value
        except (Abandoned, GeneratorExit):
            raise
        except BaseException as exc:
            call.blame(exc, name)
            raise
        finally:
            if call.activity is not None:
                call.activity.leave()

    return shim
