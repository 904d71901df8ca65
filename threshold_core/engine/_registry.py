"""Collecting what plugins register: components by name, settings and profile
extension classes by section.

Registration hooks are called once, through pluggy (so wrappers and call order
behave as pluggy documents); each ``register()`` call is attributed to the plugin
whose implementation is running (``engine/_hookcalls.py``), so a
duplicate name names both plugins, and duplicates are resolved in plugin-name
order, so the message never depends on registration order.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import attrs
from attrs import frozen

from ..errors import PluginError, PluginInterrupted
from ..load import ExtensionTypes
from ._boundary import check_name
from ._budget import BudgetExceeded
from ._hookcalls import Abandoned, HookCall, hook_call
from ._plugins import BUILTIN_PLUGINS, ThresholdPluginManager


@frozen
class Registered:
    """A component and the plugin that registered it."""

    component: Any
    plugin: str


def _raised(call: HookCall, exc: BaseException, hook_name: str) -> BaseException:
    """What to raise when a registration hook failed: a PluginError naming the plugin."""
    if isinstance(exc, (PluginError, Abandoned, PluginInterrupted)):
        return exc
    plugin = call.culprit(exc) or call.current or "?"
    if isinstance(exc, BudgetExceeded):
        return PluginError(exc.plugin or plugin, f"{hook_name}: {exc}")
    if isinstance(exc, KeyboardInterrupt):
        return PluginInterrupted(plugin, hook_name)
    text = " ".join(str(exc).split()) if not isinstance(exc, SystemExit) else repr(exc.code)
    return PluginError(plugin, f"{hook_name} raised {type(exc).__name__}: {text}")


def collect_components(
    pm: ThresholdPluginManager, hook_name: str, kind: str
) -> dict[str, Registered]:
    """Call a registration hook through pluggy; every component attributed to its plugin.

    :raises PluginError: a component without a valid name, a name registered twice
        (naming both plugins), or a registration hook that raised.
    """
    seen: list[Registered] = []
    with hook_call(hook_name) as call:

        def register(component: Any) -> None:
            plugin = call.current or "?"
            name = getattr(component, "name", None)
            problem = check_name(name, f"the {kind}'s name")
            if problem:
                raise PluginError(plugin, f"registered a {kind} with a bad name: {problem}")
            seen.append(Registered(component, plugin))

        try:
            getattr(pm.hook, hook_name)(register=register)
        except BaseException as exc:
            raise _raised(call, exc, hook_name) from None
    found: dict[str, Registered] = {}
    for reg in sorted(seen, key=lambda r: r.plugin):
        name = reg.component.name
        if name in found:
            other = found[name].plugin
            raise PluginError(
                reg.plugin, f"{kind} {name!r} is already registered by plugin {other!r}"
            )
        found[name] = reg
    return found


def declared_settings_types(pm: ThresholdPluginManager) -> dict[str, tuple[type[Any], str]]:
    """``[settings.<name>]`` classes plugins declare: name -> (class, plugin)."""
    return _declared_types(pm, "threshold_settings_types", "settings")


def declared_extension_types(pm: ThresholdPluginManager) -> dict[str, tuple[type[Any], str]]:
    """``[extensions.<name>]`` profile sections plugins declare: name -> (class, plugin)."""
    return _declared_types(pm, "threshold_profile_extensions", "extension")


def extension_types(
    pm: ThresholdPluginManager, *, keep_undeclared: bool = False
) -> ExtensionTypes:
    """The profile sections the plugins on ``pm`` declare, ready for the profile loader."""
    declared = declared_extension_types(pm)
    return ExtensionTypes({n: cls for n, (cls, _) in declared.items()},
                          {n: plugin for n, (_, plugin) in declared.items()},
                          keep_undeclared=keep_undeclared)


#: The configuration's or profile's table a declared class is read from.
_SECTIONS = {"settings": "settings", "extension": "extensions"}


def _builtin(pm: ThresholdPluginManager, plugin: str) -> bool:
    info = pm.info.get(plugin)
    return plugin in BUILTIN_PLUGINS and info is not None and info.origin == "builtin"


def _declared_types(
    pm: ThresholdPluginManager, hook_name: str, what: str
) -> dict[str, tuple[type[Any], str]]:
    """Call a declaration hook through pluggy; each mapping attributed to its plugin."""
    with hook_call(hook_name) as call:
        try:
            declared_all = getattr(pm.hook, hook_name)()
        except BaseException as exc:
            raise _raised(call, exc, hook_name) from None
    owners = {id(value): plugin for plugin, value in call.results}
    wrappers = ", ".join(dict.fromkeys(call.wrappers)) or "?"
    pairs = sorted(((owners.get(id(v), wrappers), v) for v in declared_all),
                   key=lambda pair: pair[0])
    out: dict[str, tuple[type[Any], str]] = {}
    for plugin, declared in pairs:
        if not isinstance(declared, Mapping):
            raise PluginError(plugin, f"{hook_name} must return a mapping")
        for name, cls in declared.items():
            if what == "extension" and not (isinstance(name, str) and name.isidentifier()):
                raise PluginError(plugin, f"{what} section name {name!r} is not an identifier")
            problem = check_name(name, f"{what} section name")
            if problem:
                raise PluginError(plugin, f"{hook_name}: {problem}")
            if name in out:
                raise PluginError(
                    plugin,
                    f"{what} section {name!r} is already declared by plugin {out[name][1]!r}",
                )
            if not isinstance(cls, type) or not attrs.has(cls):
                raise PluginError(plugin, f"{what} class for {name!r} is not attrs")
            if not _builtin(pm, plugin):  # the built-ins' classes: held to it by a test
                from ..load import unreadable_message

                problem = unreadable_message(
                    f"[{_SECTIONS[what]}.{name}]", cls,
                    "TOML" if what == "settings" else "a TOML or JSON profile")
                if problem:
                    raise PluginError(plugin, problem)
            out[name] = (cls, plugin)
    return out
