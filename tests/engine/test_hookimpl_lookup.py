"""Registering a module finds exactly the hook implementations pluggy's own lookup finds
(the manager answers a module's non-callable attributes without pluggy's static lookup)."""

from __future__ import annotations

import types

import pluggy

from threshold_core import hookimpl
from threshold_core.engine import BUILTIN_PLUGINS, ThresholdPluginManager
from threshold_core.hooks import PROJECT
from threshold_core.hooks import spec as hookspecs


class _Holder:
    @hookimpl
    def threshold_register_rule_packs(self, register: object) -> None:
        pass


def _module() -> types.ModuleType:
    module = types.ModuleType("threshold_lookup_probe")

    @hookimpl
    def threshold_register_scorers(register: object) -> None:
        pass

    module.threshold_register_scorers = threshold_register_scorers  # type: ignore[attr-defined]
    module.threshold_register_rule_packs = _Holder().threshold_register_rule_packs  # type: ignore[attr-defined]
    module.threshold_not_a_hook = 3  # type: ignore[attr-defined]
    module.SomeClass = _Holder  # type: ignore[attr-defined]
    module.__annotations__ = {"x": int}
    return module


def _found(pm: pluggy.PluginManager, plugin: object) -> set[tuple[str, str]]:
    """``(hook, the implementation's owner)``: the manager wraps each function in a shim."""
    return {(caller.name, type(getattr(getattr(impl.function, "__wrapped__", impl.function),
                                       "__self__", None)).__name__)
            for caller in pm.get_hookcallers(plugin) or ()
            for impl in caller.get_hookimpls() if impl.plugin is plugin}


def test_the_same_hooks_as_pluggy() -> None:
    import importlib

    modules = [_module()]
    names = {"threshold_core.profiles": "threshold_core.load._profiles",
             "threshold_core.policy": "threshold_core.engine._policy"}
    modules += [importlib.import_module(names.get(m, m)) for m in BUILTIN_PLUGINS]
    for module in modules:
        ours = ThresholdPluginManager()
        ours.register(module, "probe")
        plain = pluggy.PluginManager(PROJECT)
        plain.add_hookspecs(hookspecs)
        plain.register(module, "probe")
        assert _found(ours, module) == _found(plain, module) != set()
