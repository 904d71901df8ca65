"""Loading third-party plugins: entry points and drop-in folders.

:func:`load_third_party` runs after the built-ins are registered (under the
watchdog, so a plugin that hangs at import fails to load): plugins installed
under the ``threshold`` entry-point group, then drop-in files of ``plugin_dirs``,
then those of ``rule_dirs`` (``.py`` plugins and ``.toml`` declarative packs),
then plugins handed over by code. A file is loaded once whatever folders lead to
it; every failure is that plugin's :class:`~threshold_core.errors.PluginError`.
"""

from __future__ import annotations

import importlib
import importlib.util
import os
import sys
from collections.abc import Iterable
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING, Any

from ..errors import InputError, PluginError, PluginInterrupted, Problem
from ..model import sha256_hexdigest
from ._budget import BudgetExceeded
from ._epcache import Found, Scan, entry_points
from ._hookcalls import Abandoned, Activity

if TYPE_CHECKING:
    from ..model import EngineConfig
    from ._plugins import ThresholdPluginManager

#: The entry-point group third-party plugins register under.
ENTRYPOINT_GROUP = "threshold"

#: Set to 1 to stop loading plugins from entry points.
AUTOLOAD_ENV = "THRESHOLD_DISABLE_PLUGIN_AUTOLOAD"


def autoload_enabled(autoload: bool | None, config: EngineConfig | None) -> bool:
    if autoload is not None:
        return autoload
    if os.environ.get(AUTOLOAD_ENV, "").strip() not in ("", "0"):
        return False
    return config.plugins.autoload if config is not None else True


def load_module_file(path: Path, prefix: str = "threshold_dropin") -> ModuleType:
    """Import a single ``.py`` file under a unique module name."""
    stem = "".join(c if c.isalnum() else "_" for c in path.stem)
    digest = sha256_hexdigest(str(path.resolve()).encode())[:10]
    modname = f"{prefix}_{stem}_{digest}"
    spec = importlib.util.spec_from_file_location(modname, path)
    if spec is None or spec.loader is None:  # pragma: no cover - defensive
        raise ImportError(f"cannot load {path}")
    module = importlib.util.module_from_spec(spec)
    sys.modules[modname] = module
    try:
        spec.loader.exec_module(module)
    except BaseException:
        del sys.modules[modname]
        raise
    return module


def load_third_party(
    activity: Activity, pm: ThresholdPluginManager, config: EngineConfig | None,
    autoload: bool | None, plugin_dirs: Iterable[Path], rule_dirs: Iterable[Path],
    extra: Iterable[tuple[str, object]], known: set[str], found: Scan | None = None,
) -> None:
    """Register the third-party plugins; ``found``: the entry points as cached (else scanned)."""
    if autoload_enabled(autoload, config):
        _load_entry_points(activity, pm, known,
                           found.entry_points if found else entry_points(ENTRYPOINT_GROUP))

    # A file is loaded once, however many folders (or symlinks) lead to it; two
    # different files with one name are an error naming both.
    files: dict[Path, str] = {}
    dirs = [*(config.plugin_dirs if config is not None else ()), *plugin_dirs]
    for folder in _unique(dirs):
        for path in _py_files(folder, config):
            known.add(path.stem)
            _register_drop_in(activity, pm, path, files)

    # Rule folders hold .py plugins and .toml declarative packs.
    rdirs = [*(config.rule_dirs if config is not None else ()), *rule_dirs]
    for folder in _unique(rdirs):
        for path in _py_files(folder, config, key="rule_dirs", suffixes=(".py", ".toml")):
            known.add(path.stem)
            _register_drop_in(activity, pm, path, files)

    for name, plugin in extra:
        pm.register_plugin(plugin, name)
        known.add(name)


def _unique(folders: Iterable[Path]) -> list[Path]:
    """Folders in order, each resolved folder once."""
    out: dict[Path, Path] = {}
    for folder in folders:
        out.setdefault(folder.resolve(), folder)
    return list(out.values())


def _load_entry_points(activity: Activity, pm: ThresholdPluginManager, known: set[str],
                       found: tuple[Found, ...]) -> None:
    seen: dict[str, str | None] = {}
    for ep in found:
        dist, dist_version = ep.distribution, ep.version
        known.add(ep.name)
        if ep.name in seen and seen[ep.name] != dist:
            raise PluginError(
                ep.name,
                f"entry point name provided by both {seen[ep.name]} and {dist}",
                dist,
            )
        seen[ep.name] = dist
        if pm.is_blocked(ep.name) or pm.get_plugin(ep.name) is not None:
            continue
        activity.enter(ep.name, f"import of {ep.value} (entry point {ep.name!r})")
        plugin = _guarded(ep.name, f"{ep.value} (entry point {ep.name!r})", dist, ep.load)
        activity.leave()
        if pm.is_registered(plugin):
            first = pm.get_name(plugin)
            pm.notices.append(
                f"plugin {ep.name!r}" + (f" (distribution {dist})" if dist else "")
                + f": entry point {ep.name!r} loads the same module as {first!r} "
                f"({ep.value}); loaded once as {first!r}"
            )
            continue
        pm.register_plugin(plugin, ep.name, origin="entry_point", version=dist_version,
                           distribution=dist)


def _guarded(name: str, what: str, dist: str | None, load: Any) -> Any:
    """Import third-party code: any failure (SystemExit too) is that plugin's error."""
    try:
        return load()
    except (Abandoned, PluginError, InputError):
        raise
    except KeyboardInterrupt:
        raise PluginInterrupted(name, f"import of {what}") from None
    except BudgetExceeded as exc:
        raise PluginError(name, f"import of {what} {exc}", dist) from None
    except BaseException as exc:
        text = " ".join(str(exc).split()) if not isinstance(exc, SystemExit) else repr(exc.code)
        raise PluginError(name, f"failed to import {what}: {type(exc).__name__}: {text}",
                          dist) from None


def _register_drop_in(
    activity: Activity, pm: ThresholdPluginManager, path: Path, files: dict[Path, str]
) -> None:
    """Register a drop-in file under its stem: a ``.py`` module or a ``.toml`` rule pack."""
    name = path.stem
    if pm.is_blocked(name):
        return
    resolved = path.resolve()
    if resolved in files:
        return  # the same file through another folder or a symlink: loaded once
    if name in pm.info and pm.info[name].path:
        raise PluginError(name, f"two drop-in files have this name: {pm.info[name].path} "
                          f"and {path}; rename one")
    files[resolved] = name
    if path.suffix.lower() == ".toml":
        # Imported here so that runs without declarative packs never load it (or CEL).
        from ..declarative import load_pack_plugin

        plugin = load_pack_plugin(path)  # InputError: an invalid pack (exit code 2)
        pm.register_plugin(plugin, name, origin="drop_in", path=str(path),
                           version=plugin.pack.version)
        return
    activity.enter(name, f"import of {path}")
    module = _guarded(name, str(path), None, lambda: load_module_file(path))
    activity.leave()
    pm.register_plugin(module, name, origin="drop_in", path=str(path),
                       version=drop_in_version(module, path))


def drop_in_version(module: object, path: Path) -> Any:
    """A drop-in file's version: its ``__version__`` (checked when registered), else
    ``file-`` and the first 12 hex digits of the file's sha256, so that receipts (and
    ``threshold verify``) tell two edits of an unversioned file apart."""
    version = getattr(module, "__version__", None)
    if version is not None:
        return version
    return "file-" + sha256_hexdigest(path.read_bytes())[:12]


def _py_files(
    folder: Path, config: EngineConfig | None, *, key: str = "plugin_dirs",
    suffixes: tuple[str, ...] = (".py",),
) -> list[Path]:
    if not folder.is_dir():
        source = config.path if config is not None and config.path else str(folder)
        raise InputError(source, [Problem(f"$.{key}", f"no such folder: {folder}")])
    # Any case of the suffix (HOUSE.TOML); a broken link is kept so that loading it says so.
    return sorted(
        p for p in folder.iterdir()
        if p.suffix.lower() in suffixes and (p.is_file() or not p.exists())
        and not p.name.startswith(("_", "."))
    )
