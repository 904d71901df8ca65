"""The plain helpers of the plugin author's kit: engines, configurations, profiles and
plugins registered for one test; documented in :mod:`threshold_core.testing`.
"""

from __future__ import annotations

import contextlib
import itertools
import textwrap
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any

from ..engine import (
    BUILTIN_PLUGINS,
    ENTRYPOINT_GROUP,
    ESSENTIAL_PLUGINS,
    Engine,
    ThresholdPluginManager,
    create_plugin_manager,
)
from ..engine import (
    extension_types as engine_extension_types,
)
from ..errors import PluginError
from ..load import NO_EXTENSIONS, ExtensionTypes, build_config, load_config, profile_from_data
from ..model import DEFAULT_DIMENSIONS, CompanyProfile, EngineConfig
from ._contracts import MINIMAL_PROFILE, deep_merge

#: Every built-in that can be switched off: :func:`bare_engine` runs without them.
OPTIONAL_BUILTINS = tuple(p for p in BUILTIN_PLUGINS if p not in ESSENTIAL_PLUGINS)


#: The four dimensions of the default configuration.
BUILTIN_DIMENSIONS = DEFAULT_DIMENSIONS


#: What a configuration may be given as.
ConfigLike = EngineConfig | Mapping[str, Any] | str | Path | None


MARKER = "threshold"


def to_config(config: ConfigLike = None) -> EngineConfig:
    """An :class:`EngineConfig` from a config object, a document (dict) or a TOML file."""
    if config is None:
        return EngineConfig()
    if isinstance(config, EngineConfig):
        return config
    if isinstance(config, (str, Path)):
        return load_config(config)
    return build_config(config)


def make_engine(
    config: ConfigLike = None,
    *,
    autoload: bool = False,
    plugins: Iterable[tuple[str, object]] = (),
    disable: Iterable[str] = (),
    plugin_dirs: Iterable[Path] = (),
) -> Engine:
    """A fresh engine: the built-ins, plus entry points only when ``autoload`` is true.

    :param config: an :class:`EngineConfig`, a configuration document or a TOML file.
    :param plugins: ``(name, plugin)`` pairs to register as well.
    :param disable: plugin names to block.
    """
    cfg = to_config(config)
    pm = create_plugin_manager(
        cfg, autoload=autoload, disable=disable, plugin_dirs=plugin_dirs, extra=plugins
    )
    return Engine(cfg, pm)


def bare_config(**extra: Any) -> EngineConfig:
    """A configuration with no built-in scorers or packs and one dimension, ``quality``.

    Each keyword is a top-level configuration table; tables are merged one level
    deep into the bare ones (``dimensions={"quality": {"weight": 0}, "speed": {...}}``).
    """
    data: dict[str, Any] = {
        "plugins": {"disable": list(OPTIONAL_BUILTINS), "autoload": False},
        "dimensions": {d: {"weight": 0} for d in BUILTIN_DIMENSIONS} | {"quality": {"weight": 1}},
    }
    for key, value in extra.items():
        if isinstance(value, dict) and isinstance(data.get(key), dict):
            data[key] = {**data[key], **value}
        else:
            data[key] = value
    return build_config(data)


def bare_engine(*plugins: tuple[str, object], **extra: Any) -> Engine:
    """An engine with only the essential built-ins plus ``plugins`` (name, plugin) pairs."""
    config = bare_config(**extra)
    return Engine(config, create_plugin_manager(config, extra=plugins))


def profile_data(base: Mapping[str, Any] | None = None, **overrides: Any) -> dict[str, Any]:
    """A profile document: ``base`` (default: a minimal valid profile) with ``overrides``
    deep-merged in. Tables merge key by key, lists and values replace, None removes."""
    return deep_merge(MINIMAL_PROFILE if base is None else base, overrides)


def make_profile(
    base: Mapping[str, Any] | None = None, *, declared_by: Any = None, **overrides: Any
) -> CompanyProfile:
    """A validated profile: ``base`` with ``overrides`` deep-merged in.

    The default ``base`` is :data:`~threshold_core.testing.MINIMAL_PROFILE`:
    ``id = "acme"``, ``name = "Acme AI"``, ``as_of = 2026-06-30`` and a
    valuation of 5.0e9 CNY (``basis = "market_cap"``, above the 4.0e9 line),
    and nothing else, so every dimension starts without data. Tables merge key
    by key, lists and values replace, None removes a key.

    ``extensions={"<name>": {...}}`` fills a plugin's ``[extensions.<name>]``
    section; ``declared_by`` says who declares it: a plugin (a module or object
    with ``threshold_profile_extensions``), an engine, a plugin manager or a
    mapping of section name to class. (The ``make_profile`` fixture uses the
    test's ``threshold_pm``, which includes plugins added with
    ``register_plugin``.)

    >>> make_profile(customers={"ndr_pct": 130}).customers.ndr_pct.value
    130.0
    """
    return profile_from_data(profile_data(base, **overrides), "make_profile()",
                             extension_types(declared_by))


def extension_types(declared_by: Any) -> ExtensionTypes:
    """The profile extension sections ``declared_by`` declares (see :func:`make_profile`)."""
    if declared_by is None:
        return NO_EXTENSIONS
    if isinstance(declared_by, ExtensionTypes):
        return declared_by
    if isinstance(declared_by, Engine):
        return declared_by.extension_types
    if isinstance(declared_by, ThresholdPluginManager):
        return engine_extension_types(declared_by)
    if isinstance(declared_by, Mapping):
        return _readable(ExtensionTypes(dict(declared_by)), "the mapping given")
    hook = getattr(declared_by, "threshold_profile_extensions", None)
    if not callable(hook):
        raise TypeError(f"{declared_by!r} declares no profile extensions "
                        "(no threshold_profile_extensions hook)")
    return _readable(ExtensionTypes(dict(hook())),
                     getattr(declared_by, "__name__", type(declared_by).__name__))


def _readable(kinds: ExtensionTypes, plugin: str) -> ExtensionTypes:
    """``kinds``, once each class is one a profile can be read into (as the engine checks).

    :raises PluginError: naming the section, the field and its type."""
    import attrs

    from ..load import unreadable_message

    for name, cls in sorted(kinds.types.items()):
        problem = attrs.has(cls) and unreadable_message(
            f"[extensions.{name}]", cls, "a TOML or JSON profile")
        if problem:
            raise PluginError(plugin, problem)
    return kinds


@contextlib.contextmanager
def plugin_registered(
    pm: ThresholdPluginManager, plugin: object, name: str | None = None
) -> Iterator[str]:
    """Register ``plugin`` on ``pm`` for the duration of a ``with`` block; yields its name."""
    name = name or _default_name(plugin)
    pm.register_plugin(plugin, name)
    try:
        pm.check()
        yield name
    finally:
        if pm.get_plugin(name) is not None:
            pm.unregister(name=name)


def _default_name(plugin: object) -> str:
    name = getattr(plugin, "__name__", None) or type(plugin).__name__
    return str(name)


def write_distribution(
    site: Path, dist: str, version: str, module: str, source: str,
    entry_points: dict[str, str],
) -> Path:
    """Install a tiny distribution by hand: a module plus its ``.dist-info`` folder.

    ``site`` then works as a ``sys.path`` entry, exactly like site-packages, so
    entry-point discovery can be tested without pip.
    """
    site.mkdir(parents=True, exist_ok=True)
    (site / f"{module}.py").write_text(textwrap.dedent(source), encoding="utf-8")
    info = site / f"{dist.replace('-', '_')}-{version}.dist-info"
    info.mkdir(exist_ok=True)
    (info / "METADATA").write_text(
        f"Metadata-Version: 2.1\nName: {dist}\nVersion: {version}\n", encoding="utf-8"
    )
    lines = [f"[{ENTRYPOINT_GROUP}]", *(f"{k} = {v}" for k, v in entry_points.items())]
    (info / "entry_points.txt").write_text("\n".join(lines) + "\n", encoding="utf-8")
    (info / "RECORD").write_text("", encoding="utf-8")
    return site


class RegisteredPlugin:
    """A plugin registered for one test; a context manager that unregisters it.

    ``registered.engine`` is an engine built after the registration, so it
    holds the plugin's scorers and packs. ``with register_plugin(p) as engine:``
    gives that engine and unregisters the plugin on leaving the block.
    """

    def __init__(self, pm: ThresholdPluginManager, config: EngineConfig, plugin: object,
                 name: str) -> None:
        self.pm = pm
        self.config = config
        self.plugin = plugin
        self.name = name
        self._engine: Engine | None = None
        pm.register_plugin(plugin, name)
        try:
            pm.check()
        except BaseException:
            pm.unregister(name=name)
            raise

    @property
    def engine(self) -> Engine:
        """An engine over the plugin manager, including this plugin (built once)."""
        if self._engine is None:
            self._engine = Engine(self.config, self.pm)
        return self._engine

    @property
    def registered(self) -> bool:
        return self.pm.get_plugin(self.name) is not None

    def unregister(self) -> None:
        if self.registered:
            self.pm.unregister(name=self.name)

    def __enter__(self) -> Engine:
        return self.engine

    def __exit__(self, *exc: object) -> None:
        self.unregister()


class PluginRegistrar:
    """What the ``register_plugin`` fixture gives: call it with a plugin (and a name)."""

    def __init__(self, pm: ThresholdPluginManager, config: EngineConfig) -> None:
        self.pm = pm
        self.config = config
        self._registered: list[RegisteredPlugin] = []
        self._counter = itertools.count(1)

    def __call__(self, plugin: object, name: str | None = None, *,
                 config: ConfigLike = None) -> RegisteredPlugin:
        """Register ``plugin`` (under ``name``, default its ``__name__`` or class name).

        :param config: a configuration for ``.engine`` (default: the test's).
        """
        if name is None:
            name = _default_name(plugin)
            if self.pm.get_plugin(name) is not None:
                name = f"{name}-{next(self._counter)}"
        cfg = self.config if config is None else to_config(config)
        registered = RegisteredPlugin(self.pm, cfg, plugin, name)
        self._registered.append(registered)
        return registered

    def undo(self) -> None:
        """Unregister every plugin this registrar registered."""
        for registered in reversed(self._registered):
            registered.unregister()
        self._registered.clear()
