"""``threshold config show``: the effective configuration, and where each value came from.

Every key of the configuration the engine runs with (the core's sections and
every plugin's ``[settings.<name>]``), its value, and its origin: the file that
set it (``threshold.toml``, ``[tool.threshold]`` in a ``pyproject.toml`` found
from the working folder upward, or ``--config FILE``) or the default. The
first line names the file (or "defaults") and the sha256 every decision's
receipt carries, so a stray ``pyproject.toml`` up the tree is seen at once.
"""

from __future__ import annotations

import enum
import json
from collections.abc import Iterator, Mapping
from datetime import date
from pathlib import Path
from typing import Any

import click

from ._app import CONTEXT_SETTINGS, Options, _handle, engine_options, keeps_start_up


def _flatten(data: Any, prefix: str = "") -> Iterator[tuple[str, Any]]:
    if isinstance(data, Mapping) and data:
        for k in sorted(data, key=str):
            yield from _flatten(data[k], f"{prefix}.{k}" if prefix else str(k))
    else:
        yield prefix, data


def _given(path: str | None, root: str) -> set[str]:
    """The dotted keys the configuration file sets (tables flattened)."""
    if path is None:
        return set()
    from ..load import read_toml

    data: Any = read_toml(Path(path))
    for part in root.split(".")[1:]:
        data = data.get(part, {})
    return {k for k, _ in _flatten(data)}


def _plain(value: Any) -> Any:
    """Plain TOML-like data: attrs settings as tables, bands as their anchor points."""
    import attrs

    from ..kit import Band

    if isinstance(value, Band):
        return [list(p) for p in value.points]
    if attrs.has(type(value)):
        return {f.name: _plain(getattr(value, f.name)) for f in attrs.fields(type(value))}
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, (date, Path)):
        return str(value)
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    return value


_MISSING = object()


def _default_data(engine: Any) -> dict[str, Any]:
    """What :func:`effective_config` shows under the defaults: the core's sections of a
    default configuration and each plugin's settings class with its defaults."""
    from ..load import converter
    from ..model import EngineConfig

    data: dict[str, Any] = converter().unstructure(EngineConfig())
    for key in ("path", "root", "settings"):
        data.pop(key, None)
    settings = {}
    for name, value in sorted(engine.settings.items()):
        try:
            settings[name] = _plain(type(value)())
        except (TypeError, ValueError):  # a settings class with a required field
            continue
    data["settings"] = settings
    return data


def effective_config(engine: Any) -> dict[str, Any]:
    """``{"source", "sha256", "values": [{"key", "value", "origin"}]}`` for an engine."""
    config = engine.config
    from ..load import converter

    data = converter().unstructure(config)
    for key in ("path", "root", "settings"):
        data.pop(key, None)
    data["settings"] = {name: _plain(value) for name, value in sorted(engine.settings.items())}
    given = _given(config.path, config.root)
    # The tables the file writes in: a key of one that differs from its default came from
    # the file too (a table that replaces a default one, as a safety suite's does).
    touched = {key.rsplit(".", 1)[0] for key in given if "." in key}
    defaults = dict(_flatten(_plain(_default_data(engine)))) if touched else {}
    source = config.path or "defaults"
    values = []
    for key, value in _flatten(_plain(data)):
        parts = key.split(".")
        from_file = any(".".join(parts[:i]) in given for i in range(1, len(parts) + 1)) or (
            any(".".join(parts[:i]) in touched for i in range(1, len(parts)))
            and defaults.get(key, _MISSING) != value)
        values.append({"key": key, "value": value, "origin": source if from_file else "default"})
    return {"source": source, "sha256": config.sha256(), "values": values}


@click.group(context_settings=CONTEXT_SETTINGS)
def config() -> None:
    """The configuration threshold runs with."""


@config.command("show", context_settings=CONTEXT_SETTINGS)
@engine_options
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text",
              show_default=True, help="Output format.")
@_handle
@keeps_start_up
def show(options: Options, fmt: str) -> None:
    """Print the effective configuration with where each value came from.

    The configuration is --config FILE, else threshold.toml or [tool.threshold]
    in pyproject.toml found from the working folder upward, else the defaults.
    Each key shows its value and its origin (the file, or "default"); plugin
    settings included.
    """
    from ..load import dumps

    engine = options.build_engine()
    shown = effective_config(engine)
    if fmt == "json":
        click.echo(dumps(shown), nl=False)
        return
    click.echo(f"# configuration: {shown['source']} (sha256 {shown['sha256']})")
    width = max(len(v["key"]) for v in shown["values"])
    for v in shown["values"]:
        value = json.dumps(v["value"], ensure_ascii=False, default=str)
        click.echo(f"{v['key'].ljust(width)} = {value}  # {v['origin']}")
