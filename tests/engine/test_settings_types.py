"""A plugin's settings or extension class with a field the loader cannot read is the
plugin's fault: exit 3, one line naming the plugin, the section, the field and its type,
whether or not a file configures it. A wrong value for a field it can read stays the
file's fault: exit 2 naming the file and the path.
"""

from __future__ import annotations

import textwrap
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from attrs import frozen
from helpers import EXAMPLES

from threshold_core import create_plugin_manager
from threshold_core.engine import declared_extension_types, declared_settings_types
from threshold_core.kit import Pack, rule
from threshold_core.load import unreadable_fields
from threshold_core.model import EngineConfig
from threshold_core.testing import ContractViolation, check_rule_pack

ZHIPU = EXAMPLES / "companies" / "zhipu.toml"

#: Field declarations the loader cannot read, and the field and type each message names.
UNREADABLE = {
    "timedelta": ("window: timedelta = timedelta(days=30)", "'window' has type datetime.timedelta"),
    "own_class": ("window: Window | None = None", "'window' has type Window | None"),
    "forward_ref": ("window: 'Missing | None' = None", "'window' has type 'Missing | None'"),
    "object": ("window: object = None", "'window' has type object"),
    "datetime": ("window: datetime | None = None", "'window' has type datetime.datetime | None"),
    "union": ("window: int | str = 30", "'window' has type int | str"),
    "in_a_list": ("window: list[timedelta] = []",
                  "'window' has type list[datetime.timedelta]"),
    "nested": ("window: Nested = Nested()", "'window.span' has type datetime.timedelta"),
    "mixed_tuple": ("window: tuple[int, str] = (1, 'd')", "'window' has type tuple[int, str]"),
}

PLUGIN = '''\
from datetime import datetime, timedelta

from attrs import frozen

from threshold_core import hookimpl


class Window:
    """A class of the plugin's own, which no converter knows."""


@frozen
class Nested:
    span: timedelta = timedelta(days=1)


@frozen
class Settings:
    limit: int = 5
    {field}


@hookimpl
def threshold_{hook}():
    return {{"{section}": Settings}}
'''


def _plugin(tmp_path: Path, field: str, hook: str = "settings_types",
            section: str = "acme_cfg") -> Path:
    folder = tmp_path / "plugins"
    folder.mkdir(exist_ok=True)
    (folder / "acme_cfg.py").write_text(
        PLUGIN.format(field=field, hook=hook, section=section), encoding="utf-8")
    return folder


def _config(tmp_path: Path, body: str) -> Path:
    path = tmp_path / "threshold.toml"
    path.write_text(textwrap.dedent(body), encoding="utf-8")
    return path


@pytest.mark.parametrize("kind", sorted(UNREADABLE))
@pytest.mark.parametrize("configured", [False, True], ids=["defaults", "configured"])
def test_a_settings_field_that_cannot_be_read_is_the_plugins_fault(
    run_cli: Any, tmp_path: Path, kind: str, configured: bool,
) -> None:
    field, named = UNREADABLE[kind]
    folder = _plugin(tmp_path, field)
    args = ["evaluate", str(ZHIPU), "--plugins-dir", str(folder)]
    if configured:
        args += ["--config", str(_config(tmp_path, "[settings.acme_cfg]\nlimit = 3\n"))]
    result = run_cli(*args)
    assert result.returncode == 3, result.stderr
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith(
        "threshold: plugin 'acme_cfg': [settings.acme_cfg] (class Settings): field "), lines
    assert named in lines[0] and "which cannot be read from TOML" in lines[0], lines


def test_the_message_says_what_cannot_be_built(run_cli: Any, tmp_path: Path) -> None:
    folder = _plugin(tmp_path, UNREADABLE["timedelta"][0])
    result = run_cli("evaluate", str(ZHIPU), "--plugins-dir", str(folder))
    assert result.stderr == (
        "threshold: plugin 'acme_cfg': [settings.acme_cfg] (class Settings): field 'window' "
        "has type datetime.timedelta, which cannot be read from TOML\n")
    folder = _plugin(tmp_path, UNREADABLE["forward_ref"][0])
    result = run_cli("evaluate", str(ZHIPU), "--plugins-dir", str(folder))
    assert result.stderr == (
        "threshold: plugin 'acme_cfg': [settings.acme_cfg] (class Settings): field 'window' "
        "has type 'Missing | None', which cannot be read from TOML (name 'Missing' is not "
        "defined)\n")


@pytest.mark.parametrize("command", [
    ["rules", "--parameters", "--config"], ["rules", "--config"], ["config", "show", "--config"],
    ["schema", "config", "--config"], ["plugins", "--config"], ["validate", str(ZHIPU), "--config"],
    ["diff", str(ZHIPU), "--config-a"], ["batch", str(ZHIPU), "--config"],
])
def test_every_command_that_reads_settings_refuses_it(
    run_cli: Any, tmp_path: Path, command: list[str],
) -> None:
    folder = _plugin(tmp_path, UNREADABLE["timedelta"][0])
    config = _config(tmp_path, "[settings.acme_cfg]\nwindow = 30\n")
    result = run_cli(*command, str(config), "--plugins-dir", str(folder))
    assert result.returncode == 3, result.stderr
    assert result.stderr.count("\n") == 1
    assert "plugin 'acme_cfg'" in result.stderr and "field 'window'" in result.stderr


def test_the_installed_command_exits_3(run_cli_process: Any, tmp_path: Path) -> None:
    folder = _plugin(tmp_path, UNREADABLE["object"][0])
    config = _config(tmp_path, "[settings.acme_cfg]\nwindow = 1\n")
    result = run_cli_process("evaluate", str(ZHIPU), "--plugins-dir", str(folder),
                             "--config", str(config))
    assert result.returncode == 3, result.stderr
    assert result.stderr == (
        "threshold: plugin 'acme_cfg': [settings.acme_cfg] (class Settings): field 'window' "
        "has type object, which cannot be read from TOML\n")


def test_a_wrong_value_for_a_readable_field_is_the_files_fault(
    run_cli: Any, tmp_path: Path,
) -> None:
    folder = _plugin(tmp_path, "days: int = 30")
    config = _config(tmp_path, '[settings.acme_cfg]\nlimit = "x"\ndays = 2.5\n')
    result = run_cli("evaluate", str(ZHIPU), "--plugins-dir", str(folder), "--config",
                     str(config))
    assert result.returncode == 2, result.stderr
    assert result.stderr == (
        f'{config}: $.settings.acme_cfg.limit: expected a whole number, got "x"\n'
        f"{config}: $.settings.acme_cfg.days: expected a whole number, got 2.5\n")


def test_a_profile_extension_field_that_cannot_be_read(run_cli: Any, tmp_path: Path) -> None:
    folder = _plugin(tmp_path, UNREADABLE["timedelta"][0], hook="profile_extensions",
                     section="acme_ext")
    profile = tmp_path / "acme.toml"
    profile.write_text(ZHIPU.read_text(encoding="utf-8") + "\n[extensions.acme_ext]\nlimit = 1\n",
                       encoding="utf-8")
    expected = (
        "threshold: plugin 'acme_cfg': [extensions.acme_ext] (class Settings): field 'window' "
        "has type datetime.timedelta, which cannot be read from a TOML or JSON profile\n")
    for path in (ZHIPU, profile):  # with and without the section in the profile
        result = run_cli("evaluate", str(path), "--plugins-dir", str(folder))
        assert (result.returncode, result.stderr) == (3, expected)


PACK = '''\
from datetime import timedelta

from attrs import frozen

from threshold_core import Pack, hookimpl, rule


@frozen
class Settings:
    window: timedelta = timedelta(days=30)


@rule(id="ACME-901", title="t", severity="low", dimension="regulatory", rationale="r",
      source="s")
def check(profile, settings, context):
    return {}


@hookimpl
def threshold_register_rule_packs(register):
    register(Pack(name="acme_window", version="1.0", rules=[check]))


@hookimpl
def threshold_settings_types():
    return {"acme_window": Settings}
'''


@pytest.mark.parametrize("command", [
    ["rules", "--parameters", "--rules-dir"], ["evaluate", str(ZHIPU), "--rules-dir"], ["test"],
])
def test_a_rule_pack_drop_in_with_such_settings(
    run_cli: Any, tmp_path: Path, command: list[str],
) -> None:
    folder = tmp_path / "rules"
    folder.mkdir()
    (folder / "acme_window.py").write_text(PACK, encoding="utf-8")
    result = run_cli(*command, str(folder))
    assert result.returncode == 3, result.stderr
    assert result.stderr == (
        "threshold: plugin 'acme_window': [settings.acme_window] (class Settings): field "
        "'window' has type datetime.timedelta, which cannot be read from TOML\n")


@frozen
class WindowSettings:
    window: timedelta = timedelta(days=30)


def test_the_contract_check_names_the_field() -> None:
    @rule(id="ACME-902", title="t", severity="low", dimension="regulatory", rationale="r",
          source="s")
    def check(profile: Any, settings: Any, context: Any) -> Any:
        return {}

    with pytest.raises(ContractViolation) as caught:
        check_rule_pack(Pack(name="acme_window", version="1.0", rules=[check]),
                        WindowSettings())
    assert caught.value.violations == (
        "settings field 'window' has type datetime.timedelta, which cannot be read from TOML",)


def test_every_built_in_class_can_be_read() -> None:
    """The engine checks every plugin's classes but the built-ins': held to it here."""
    pm = create_plugin_manager(EngineConfig())
    declared = {**declared_settings_types(pm), **declared_extension_types(pm)}
    assert len(declared) >= 10
    assert {name: unreadable_fields(cls) for name, (cls, _) in declared.items()} == {
        name: [] for name in declared}
