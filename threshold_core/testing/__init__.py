"""The plugin author's test kit, installed as the pytest plugin ``threshold``.

Installing threshold makes these fixtures available to every test suite (entry
point group ``pytest11``); nothing to import or declare:

``threshold_engine``
    A fresh :class:`~threshold_core.Engine` with the default configuration and
    the built-in plugins only: no entry points, no drop-in folders.
``threshold_pm``
    The plugin manager behind ``threshold_engine``.
``threshold_config``
    Its :class:`~threshold_core.EngineConfig`.
``make_threshold_engine``
    A factory: ``make_threshold_engine(config, autoload=True, plugins=[...])``.
``register_plugin``
    ``register_plugin(plugin, name)`` registers a plugin for one test (it is
    unregistered afterwards) and gives an engine that sees it.
``make_profile``
    ``make_profile(**overrides)``: a minimal valid profile (``id = "acme"``, a
    5.0e9 CNY market value, nothing else) with your changes deep-merged in
    (``make_profile(customers={"ndr_pct": 130})``); a plugin's own section with
    ``make_profile(extensions={"<name>": {...}})``.
``example_profiles``
    The example companies, ``{id: CompanyProfile}``.

Configure the engine fixtures per test with the ``threshold`` marker::

    @pytest.mark.threshold(autoload=True, config={"dimensions": {"speed": {"weight": 1}}})
    def test_speed(threshold_engine): ...

The plain functions (:func:`make_engine`, :func:`make_profile`,
:func:`plugin_registered`, :func:`bare_engine`, :func:`write_distribution`)
work outside pytest fixtures too.
"""

from __future__ import annotations

from ..reports import describe_plugins
from ._contracts import (
    EMPTY_PROFILE,
    RICH_PROFILE,
    ContractViolation,
    check_rule_pack,
    check_scorer,
    deep_merge,
    profile_variants,
    settings_round_trip,
    toml_dumps,
)
from ._helpers import (
    BUILTIN_DIMENSIONS,
    OPTIONAL_BUILTINS,
    PluginRegistrar,
    RegisteredPlugin,
    bare_config,
    bare_engine,
    extension_types,
    make_engine,
    make_profile,
    plugin_registered,
    profile_data,
    to_config,
    write_distribution,
)
from ._packtests import (
    CaseResult,
    Suite,
    load_suite,
    run_tests,
)
from ._plugin import (
    example_profiles,
    example_profiles_dir,
    make_profile_fixture,
    make_threshold_engine,
    pytest_configure,
    pytest_report_header,
    register_plugin,
    threshold_config,
    threshold_engine,
    threshold_pm,
)

__all__ = [
    "BUILTIN_DIMENSIONS",
    "EMPTY_PROFILE",
    "OPTIONAL_BUILTINS",
    "RICH_PROFILE",
    "CaseResult",
    "ContractViolation",
    "PluginRegistrar",
    "RegisteredPlugin",
    "Suite",
    "bare_config",
    "bare_engine",
    "check_rule_pack",
    "check_scorer",
    "deep_merge",
    "describe_plugins",
    "example_profiles",
    "example_profiles_dir",
    "extension_types",
    "load_suite",
    "make_engine",
    "make_profile",
    "make_profile_fixture",
    "make_threshold_engine",
    "plugin_registered",
    "profile_data",
    "profile_variants",
    "pytest_configure",
    "pytest_report_header",
    "register_plugin",
    "run_tests",
    "settings_round_trip",
    "threshold_config",
    "threshold_engine",
    "threshold_pm",
    "to_config",
    "toml_dumps",
    "write_distribution",
]
