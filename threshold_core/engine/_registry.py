"""Collecting what plugins register: components by name, settings and profile
extension classes by section.

Registration hooks are called plugin by plugin, in plugin-name order, rather
than through one pluggy call, so that every component is attributed to the
plugin that registered it and a duplicate name can name both plugins.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import attrs
from attrs import frozen

from ..errors import PluginError
from ..load import ExtensionTypes
from ._plugins import ThresholdPluginManager


@frozen
class Registered:
    """A component and the plugin that registered it."""

    component: Any
    plugin: str


def collect_components(
    pm: ThresholdPluginManager, hook_name: str, kind: str
) -> dict[str, Registered]:
    """Call a registration hook plugin by plugin, so every component is attributed.

    :raises PluginError: a component without a name, a name registered twice
        (naming both plugins), or a registration hook that raised.
    """
    found: dict[str, Registered] = {}
    hook = getattr(pm.hook, hook_name)
    impls = sorted(hook.get_hookimpls(), key=lambda i: i.plugin_name)
    for impl in impls:
        plugin = impl.plugin_name

        def register(component: Any, _plugin: str = plugin) -> None:
            name = getattr(component, "name", None)
            if not isinstance(name, str) or not name:
                raise PluginError(_plugin, f"registered a {kind} without a name: {component!r}")
            if name in found:
                other = found[name].plugin
                raise PluginError(
                    _plugin, f"{kind} {name!r} is already registered by plugin {other!r}"
                )
            found[name] = Registered(component, _plugin)

        try:
            impl.function(register)
        except PluginError:
            raise
        except Exception as exc:
            raise PluginError(plugin, f"{hook_name} raised {type(exc).__name__}: {exc}") from None
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


def _declared_types(
    pm: ThresholdPluginManager, hook_name: str, what: str
) -> dict[str, tuple[type[Any], str]]:
    out: dict[str, tuple[type[Any], str]] = {}
    hook = getattr(pm.hook, hook_name)
    for impl in sorted(hook.get_hookimpls(), key=lambda i: i.plugin_name):
        try:
            declared = impl.function()
        except Exception as exc:
            raise PluginError(
                impl.plugin_name, f"{hook_name} raised {type(exc).__name__}: {exc}"
            ) from None
        if not isinstance(declared, Mapping):
            raise PluginError(impl.plugin_name, f"{hook_name} must return a mapping")
        for name, cls in declared.items():
            if what == "extension" and not (isinstance(name, str) and name.isidentifier()):
                raise PluginError(
                    impl.plugin_name, f"{what} section name {name!r} is not an identifier"
                )
            if name in out:
                raise PluginError(
                    impl.plugin_name,
                    f"{what} section {name!r} is already declared by plugin {out[name][1]!r}",
                )
            if not attrs.has(cls):
                raise PluginError(impl.plugin_name, f"{what} class for {name!r} is not attrs")
            out[name] = (cls, impl.plugin_name)
    return out
