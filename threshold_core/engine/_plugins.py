"""Building the plugin manager: built-ins, entry points, drop-in folders.

:func:`create_plugin_manager` is the one factory (there is no module-level
manager). It registers the built-in plugins from :data:`BUILTIN_PLUGINS`
through the same hooks third parties use, then plugins installed under the
``threshold`` entry-point group, then drop-in files (``plugin_dirs``, and
``rule_dirs`` with ``.toml`` declarative packs too), minus the disabled names,
and finally runs ``check_pending()`` so a misspelled hook fails at start.
Loading the third-party plugins is ``_thirdparty.py``.
"""

from __future__ import annotations

import importlib
from collections.abc import Iterable
from pathlib import Path
from types import FunctionType, MethodType, ModuleType
from typing import TYPE_CHECKING, Any

import pluggy
from attrs import frozen

from ..errors import InputError, PluginError, Problem
from ..hooks import PROJECT
from ..hooks import spec as hookspecs
from ._budget import BudgetExceeded, Watchdog
from ._epcache import Scan, cached_scan, installed_version
from ._hookcalls import attribute
from ._thirdparty import ENTRYPOINT_GROUP, load_third_party

if TYPE_CHECKING:
    from ..model import EngineConfig

#: What pluggy accepts as a hook implementation (see ``parse_hookimpl_opts``).
_HOOKABLE = (FunctionType, MethodType, staticmethod, classmethod)
_ABSENT = object()

#: Built-in plugins, registered in this order under these names (the names users
#: disable and traces show: a module's dotted name, see :data:`BUILTIN_MODULES`).
BUILTIN_PLUGINS: tuple[str, ...] = (
    "threshold_core.profiles",
    "threshold_core.policy",
    "threshold_plugins.technical_defensibility",
    "threshold_plugins.application_stickiness",
    "threshold_plugins.regulatory_readiness",
    "threshold_plugins.institutional_backing",
    "threshold_rules.filings",
    "threshold_rules.chip_supply",
    "threshold_rules.ethics",
    "threshold_rules.investment_restrictions",
    "threshold_rules.valuation",
    "threshold_rules.freshness",
    "threshold_rules.declarative_builtin",
)

#: Built-ins whose module is not the one their name says: the core's own plugins
#: keep the names configurations and traces already use.
BUILTIN_MODULES: dict[str, str] = {
    "threshold_core.profiles": "threshold_core.load._profiles",
    "threshold_core.policy": "threshold_core.engine._policy",
}

#: Built-ins the engine cannot work without.
ESSENTIAL_PLUGINS = frozenset({"threshold_core.profiles", "threshold_core.policy"})


#: The installed version, once known.
_VERSION: list[str] = []


def engine_version() -> str:
    """The installed version of threshold (read once: metadata parsing is slow)."""
    if not _VERSION:
        _VERSION.append(installed_version())
    return _VERSION[0]


@frozen
class PluginInfo:
    """Where a registered plugin came from."""

    name: str
    version: str
    #: ``builtin``, ``entry_point``, ``drop_in`` or ``registered`` (by code, e.g. a test).
    origin: str
    distribution: str | None = None
    #: The file, for drop-ins and modules.
    path: str | None = None


class ThresholdPluginManager(pluggy.PluginManager):
    """A pluggy manager that remembers where each plugin came from."""

    def __init__(self) -> None:
        super().__init__(PROJECT)
        self.add_hookspecs(hookspecs)
        self.info: dict[str, PluginInfo] = {}
        #: Problems of the configuration's ``plugins.disable``, kept for the engine to
        #: report with every other configuration problem (``defer_problems=True``).
        self.config_problems: list[Problem] = []
        #: Warnings about how plugins were loaded (an entry-point alias), one line each;
        #: the CLI prints them on stderr.
        self.notices: list[str] = []

    def parse_hookimpl_opts(self, plugin: Any, name: str) -> Any:
        """pluggy's, with a shortcut for a module's attributes that cannot be hooks.

        pluggy looks each name of ``dir(plugin)`` up with ``inspect.getattr_static``
        and keeps functions, methods, static and class methods. For a plugin module
        (``type(plugin) is ModuleType``) a name in its ``__dict__`` that
        ``ModuleType`` itself does not define resolves to that ``__dict__`` value,
        so a value of any other type (a class, a constant, an imported module) is
        answered at once, and a plain function by its marker: the same answers,
        without the static lookup that made registering the built-in modules' 600
        attributes cost about 8 ms.
        """
        if type(plugin) is ModuleType and not hasattr(ModuleType, name):
            value = plugin.__dict__.get(name, _ABSENT)
            if value is not _ABSENT and not isinstance(value, _HOOKABLE):
                return None
            if type(value) is FunctionType and "__func__" not in value.__dict__:
                # pluggy reads the marker from the function itself
                opts = getattr(value, f"{self.project_name}_impl", None)
                return opts if isinstance(opts, dict) else None
        return super().parse_hookimpl_opts(plugin, name)

    def register(self, plugin: Any, name: str | None = None) -> str | None:
        """pluggy's ``register``; each hook implementation is then attributed
        (``engine/_hookcalls.py``) so the trace can name the plugin
        behind every result while hooks are called through pluggy."""
        registered = super().register(plugin, name)
        if registered is not None:
            for caller in self.get_hookcallers(plugin) or ():
                for impl in caller.get_hookimpls():
                    if impl.plugin is plugin:
                        attribute(impl)
        return registered

    def register_plugin(
        self,
        plugin: object,
        name: str,
        *,
        origin: str = "registered",
        version: Any = None,
        distribution: str | None = None,
        path: str | None = None,
    ) -> None:
        """Register ``plugin`` under ``name`` and record its provenance.

        :raises PluginError: when the plugin is invalid for the hook contract.
        """
        if self.get_plugin(name) is not None or self.is_blocked(name):
            if self.is_blocked(name):
                return
            other = self.info.get(name)
            where = f" ({other.path or other.distribution})" if other and (
                other.path or other.distribution) else ""
            raise PluginError(name, f"a plugin with this name is already registered{where}",
                              distribution)
        if self.is_registered(plugin):
            raise PluginError(name, f"the same plugin is already registered as "
                              f"{self.get_name(plugin)!r}", distribution)
        try:
            self.register(plugin, name=name)
        except (pluggy.PluginValidationError, ValueError) as exc:
            raise PluginError(name, str(exc), distribution) from None
        if version is None:
            version = getattr(plugin, "__version__", engine_version())
        if not isinstance(version, str) or not version or len(version) > 100:
            self.unregister(plugin)
            shown = repr(version) if isinstance(version, (int, float)) else type(version).__name__
            if isinstance(version, str):
                shown = f"a string of {len(version):,} characters"
            raise PluginError(name, f"__version__ must be a version string, not {shown}",
                              distribution)
        if path is None:
            path = getattr(plugin, "__file__", None)
        self.info[name] = PluginInfo(
            name=name, version=version, origin=origin, distribution=distribution, path=path
        )

    def unregister(self, plugin: Any = None, name: str | None = None) -> Any:
        removed = super().unregister(plugin, name)
        if removed is not None:
            self.info.pop(self.get_name(removed) or name or "", None)
            for key in list(self.info):
                if self.get_plugin(key) is None:
                    del self.info[key]
        return removed

    def version_of(self, name: str) -> str:
        info = self.info.get(name)
        return info.version if info else "0"

    def check(self) -> None:
        """``check_pending()``, with the failure naming the plugin and its distribution."""
        try:
            self.check_pending()
        except pluggy.PluginValidationError as exc:
            name = self.get_name(exc.plugin) or repr(exc.plugin)
            info = self.info.get(name)
            raise PluginError(name, str(exc), info.distribution if info else None) from None


def create_plugin_manager(
    config: EngineConfig | None = None,
    *,
    autoload: bool | None = None,
    disable: Iterable[str] = (),
    plugin_dirs: Iterable[Path] = (),
    rule_dirs: Iterable[Path] = (),
    extra: Iterable[tuple[str, object]] = (),
    defer_problems: bool = False,
    entry_point_cache: Path | None = None,
) -> ThresholdPluginManager:
    """Create a plugin manager with every plugin the configuration asks for.

    With ``defer_problems=True`` the configuration's own problems
    (``config.problems``) and its ``plugins.disable`` problems are left in
    ``pm.config_problems`` for :class:`~threshold_core.engine.Engine` to report
    with the rest, instead of raised here.

    :param config: supplies ``plugins.disable``, ``plugins.autoload`` and ``plugin_dirs``.
    :param autoload: overrides config and environment: load entry points or not.
    :param disable: more plugin names to block (for example from the command line).
    :param plugin_dirs: more drop-in folders.
    :param rule_dirs: more drop-in rule-pack folders (``.py`` plugins and ``.toml`` packs).
    :param extra: ``(name, plugin)`` pairs to register as well (tests, embedding).
    :param entry_point_cache: a file keeping the entry-point scan between processes
        (``engine/_epcache.py``; the ``threshold`` command passes one).
    :raises PluginError: a plugin failed to import or is invalid.
    :raises InputError: a disabled name matches no plugin, or a ``.toml`` pack is invalid.
    """
    pm = ThresholdPluginManager()
    config_disable = tuple(config.plugins.disable) if config is not None else ()
    blocked = [*config_disable, *disable]

    def problem(name: str, why: str) -> None:
        error = _disable_error(config, config_disable, name, why)
        if defer_problems and config is not None and name in config_disable:
            pm.config_problems.extend(error.problems)
        else:
            raise error

    for name in blocked:
        if name in ESSENTIAL_PLUGINS:
            problem(name, "is essential and cannot be disabled")
            continue
        pm.set_blocked(name)

    found: Scan | None = None
    if entry_point_cache is not None:
        found = cached_scan(entry_point_cache, ENTRYPOINT_GROUP)
        if not _VERSION:
            _VERSION.append(found.version)
    version = engine_version()
    for modname in BUILTIN_PLUGINS:
        if pm.is_blocked(modname):
            continue
        module = importlib.import_module(BUILTIN_MODULES.get(modname, modname))
        pm.register_plugin(module, modname, origin="builtin", version=version,
                           distribution="threshold")

    known = set(BUILTIN_PLUGINS)
    # Third-party code is imported under the component time budget: a plugin that
    # hangs at import fails to load (exit 3).
    seconds = config.limits.component_seconds if config is not None else DEFAULT_SECONDS
    watchdog = Watchdog(seconds, seconds * 4)
    try:
        watchdog.run(load_third_party, pm, config, autoload, plugin_dirs, rule_dirs, extra,
                     known, found)
    except BudgetExceeded as exc:
        what = f"did not finish importing within the time budget of {exc.seconds:g} s " \
               "([limits] component_seconds)"
        info = exc.activity.component or ""
        raise PluginError(exc.plugin or "?", f"{what}: {info}") from None
    finally:
        watchdog.close()

    for name in blocked:
        if name not in known and name not in ESSENTIAL_PLUGINS:
            problem(name, "matches no plugin")
    if config is not None and config.problems and not defer_problems:
        raise InputError(config.path or "<config>", [*config.problems, *pm.config_problems])
    pm.check()
    return pm


#: The component time budget when there is no configuration.
DEFAULT_SECONDS = 10.0

def _disable_error(
    config: EngineConfig | None, config_disable: tuple[str, ...], name: str, why: str
) -> InputError:
    if config is not None and name in config_disable:
        idx = config_disable.index(name)
        return InputError(
            config.path or "<config>",
            [Problem(f"{config.root}.plugins.disable[{idx}]", f"plugin {name!r} {why}")],
        )
    return InputError("--disable-plugin", [Problem("", f"plugin {name!r} {why}")])
