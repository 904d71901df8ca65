"""The pytest plugin of the plugin author's kit: its marker and fixtures; documented in
:mod:`threshold_core.testing`.
"""

from __future__ import annotations

import importlib.metadata
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import Any

import pytest

from ..engine import (
    ENTRYPOINT_GROUP,
    Engine,
    ThresholdPluginManager,
    create_plugin_manager,
    engine_version,
)
from ..load import load_profile
from ..model import CompanyProfile, EngineConfig
from ._contracts import example_profile_paths, examples_dir
from ._helpers import MARKER, PluginRegistrar, make_engine, make_profile, to_config


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        f"{MARKER}(config=None, *, autoload=False, plugins=(), disable=()): configure the "
        "threshold_engine, threshold_pm and threshold_config fixtures for one test",
    )


def pytest_report_header(config: pytest.Config) -> str:
    eps = sorted(importlib.metadata.entry_points(group=ENTRYPOINT_GROUP), key=lambda e: e.name)
    names = ", ".join(ep.name for ep in eps) or "none"
    return f"threshold {engine_version()}; installed plugins: {names}"


def _marker_options(request: pytest.FixtureRequest) -> dict[str, Any]:
    marker = request.node.get_closest_marker(MARKER)
    if marker is None:
        return {}
    options = dict(marker.kwargs)
    if marker.args:
        options.setdefault("config", marker.args[0])
    unknown = set(options) - {"config", "autoload", "plugins", "disable"}
    if unknown:
        raise pytest.UsageError(f"@pytest.mark.{MARKER}: unknown option(s) {sorted(unknown)}")
    return options


@pytest.fixture
def threshold_config(request: pytest.FixtureRequest) -> EngineConfig:
    """The configuration of ``threshold_engine``: the defaults, or the marker's ``config``."""
    return to_config(_marker_options(request).get("config"))


@pytest.fixture
def threshold_pm(
    request: pytest.FixtureRequest, threshold_config: EngineConfig
) -> ThresholdPluginManager:
    """A fresh plugin manager: the built-ins, plus entry points only with ``autoload=True``."""
    options = _marker_options(request)
    return create_plugin_manager(
        threshold_config,
        autoload=bool(options.get("autoload", False)),
        disable=options.get("disable", ()),
        extra=options.get("plugins", ()),
    )


@pytest.fixture
def threshold_engine(
    threshold_config: EngineConfig, threshold_pm: ThresholdPluginManager
) -> Engine:
    """A fresh engine over ``threshold_pm`` and ``threshold_config``."""
    return Engine(threshold_config, threshold_pm)


@pytest.fixture
def make_threshold_engine() -> Callable[..., Engine]:
    """The :func:`make_engine` factory: ``make_threshold_engine(config, autoload=True)``."""
    return make_engine


@pytest.fixture
def register_plugin(
    threshold_pm: ThresholdPluginManager, threshold_config: EngineConfig
) -> Iterator[PluginRegistrar]:
    """Register plugins on ``threshold_pm`` for this test only.

    ``register_plugin(plugin, "name").engine`` is an engine that includes it;
    every plugin registered this way is unregistered when the test ends.
    """
    registrar = PluginRegistrar(threshold_pm, threshold_config)
    yield registrar
    registrar.undo()


@pytest.fixture(name="make_profile")
def make_profile_fixture(threshold_pm: ThresholdPluginManager) -> Callable[..., CompanyProfile]:
    """The :func:`make_profile` factory: ``make_profile(customers={"ndr_pct": 130})``.

    Extension sections are those the plugins on ``threshold_pm`` declare when the
    profile is made (so a plugin added with ``register_plugin`` counts).
    """

    def make(base: Mapping[str, Any] | None = None, *, declared_by: Any = None,
             **overrides: Any) -> CompanyProfile:
        return make_profile(base, declared_by=declared_by or threshold_pm, **overrides)

    return make


@pytest.fixture(scope="session")
def example_profiles() -> dict[str, CompanyProfile]:
    """The example companies (Zhipu AI, MiniMax, ...), ``{profile id: CompanyProfile}``.

    Wheels ship them as package data and source checkouts have them in
    ``examples/companies``; anywhere else the test is skipped, saying so.
    """
    paths = example_profile_paths()
    if not paths:
        pytest.skip(
            "threshold's example profiles were not found (looked for threshold_core/examples "
            "and examples/companies next to the package); install threshold from a wheel or "
            "a source checkout"
        )
    profiles = [load_profile(p) for p in paths]
    return {p.id: p for p in sorted(profiles, key=lambda p: p.id)}


@pytest.fixture(scope="session")
def example_profiles_dir() -> Path:
    """The folder holding the example profiles (skips when there is none)."""
    folder = examples_dir()
    if folder is None:
        pytest.skip("threshold's example profiles were not found")
    return folder
