"""The command's cache of threshold's own modules' code and its fast exit (README,
"Performance"): the same output cold, warm, off and with a stale or damaged file; modules
served from the file are the modules the path finder makes; the exit status, the output
and other ``atexit`` handlers are those of an ordinary exit."""

from __future__ import annotations

import json
import marshal
import subprocess
import sys
import zlib
from collections.abc import Callable
from pathlib import Path
from typing import Any

from helpers import EXAMPLES, cold_warm_and_off, without_timings

Run = Callable[..., subprocess.CompletedProcess[str]]
ZHIPU = str(EXAMPLES / "companies" / "zhipu.toml")




def _file(cache: Path) -> Path:
    (found,) = cache.glob("modules-*.marshal")
    return found


#: The file (cli/_modcache.py): a tag, the index's length, the index, the modules' code.
MAGIC, FORMAT = b"thresholdmodules", "threshold-modcache-3"


def _entries(cache: Path) -> dict[str, Any]:
    data = _file(cache).read_bytes()
    assert data.startswith(MAGIC)
    end = len(MAGIC) + 8 + int.from_bytes(data[len(MAGIC):len(MAGIC) + 8], "big")
    fmt, index = marshal.loads(data[len(MAGIC) + 8:end])
    assert fmt == FORMAT
    return {name: (*entry[:5], data[end + entry[5]:end + entry[5] + entry[6]])
            for name, entry in index.items()}


def _crcs(cache: Path) -> dict[str, int]:
    data = _file(cache).read_bytes()
    end = len(MAGIC) + 8 + int.from_bytes(data[len(MAGIC):len(MAGIC) + 8], "big")
    return {name: entry[7] for name, entry in marshal.loads(data[len(MAGIC) + 8:end])[1].items()}


def _write(cache: Path, entries: dict[str, Any], crcs: dict[str, int] | None = None) -> None:
    """Write ``entries`` with the CRC-32 of each code (or, given, ``crcs``)."""
    index, blobs, offset = {}, [], 0
    for name, (*meta, code) in entries.items():
        crc = zlib.crc32(code) if crcs is None else crcs[name]
        index[name] = (*meta, offset, len(code), crc)
        blobs.append(code)
        offset += len(code)
    head = marshal.dumps((FORMAT, index))
    _file(cache).write_bytes(b"".join([MAGIC, len(head).to_bytes(8, "big"), head, *blobs]))


#: Runs the command as the console script does, then reports how each module imported from
#: source (threshold's, its libraries', the standard library's) was loaded and what it looks
#: like (an atexit handler: it runs before the exit).
PROBE = r'''
import atexit, json, sys
def report():
    out = {}
    for name, m in sorted(sys.modules.items()):
        if type(getattr(m, "__loader__", None)).__name__ in (
                "SourceFileLoader", "_Loader", "_Recorder"):
            spec = m.__spec__
            out[name] = [type(m.__loader__).__name__, m.__file__, m.__cached__,
                         getattr(m, "__path__", None), spec.origin, spec.cached,
                         spec.has_location, spec.parent, m.__package__]
    sys.stderr.write("PROBE" + json.dumps(out) + "\n")
atexit.register(report)
sys.argv = ["threshold", "evaluate", "--format", "json", sys.argv[1]]
from threshold_core.cli import main
main()
'''


def _probe(cache: Path) -> tuple[str, dict[str, Any]]:
    result = subprocess.run([sys.executable, "-c", PROBE, ZHIPU], capture_output=True,
                            text=True, env={**_env(cache)}, timeout=120)
    assert result.returncode == 0, result.stderr
    (line,) = [x for x in result.stderr.splitlines() if x.startswith("PROBE")]
    return result.stdout, json.loads(line[5:])


def _env(cache: Path) -> dict[str, str]:
    import os

    return {**{k: v for k, v in os.environ.items() if k != "THRESHOLD_NO_CACHE"},
            "THRESHOLD_CACHE_DIR": str(cache), "NO_COLOR": "1"}


def test_cold_warm_and_off_give_the_same_output(run_cli_process: Run, tmp_path: Path) -> None:
    cold_warm_and_off(run_cli_process, tmp_path / "cache", _file)
    assert len(_entries(tmp_path / "cache")) > 80


def test_served_modules_are_the_modules_the_path_finder_makes(tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    cold_out, cold = _probe(cache)
    warm_out, warm = _probe(cache)
    ours = ("threshold_core", "threshold_plugins", "threshold_rules")
    assert {n for n in cold if n.startswith(ours)} == {n for n in warm if n.startswith(ours)}
    served = [name for name, (loader, *_) in warm.items() if loader == "_Loader"]
    assert len(served) > 180  # (protobuf's pure-Python messages and theirs never run)
    # threshold's own submodules, and its libraries' and the standard library's
    assert {"threshold_core.engine._policy", "threshold_rules.filings.prc", "attr._make",
            "cattrs.converters", "pluggy._manager", "google.protobuf.descriptor_pool",
            "tomllib._parser"} <= set(served)
    # top-level modules, and those the console script imports before the command starts
    assert not {"typing_extensions", "click.core", "threshold_core.cli._app"} & set(served)
    for name in served:  # everything but the loader's class is as the path finder made it
        assert warm[name][1:] == cold[name][1:], name
    assert without_timings(json.loads(cold_out)) == without_timings(json.loads(warm_out))


def test_a_changed_module_is_imported_from_its_source(tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    _probe(cache)
    entries = _entries(cache)
    name = "threshold_core.engine._policy"
    origin, package, parent, mtime, size, _ = entries[name]
    # As if the source had been edited since: another time, and code that would fail.
    entries[name] = (origin, package, parent, mtime - 1, size,
                     marshal.dumps(compile("raise RuntimeError('stale')", origin, "exec")))
    _write(cache, entries)
    out, loaded = _probe(cache)
    assert loaded[name][0] != "_Loader" and json.loads(out)["verdict"]
    assert _entries(cache)[name][3] == mtime  # recorded again


def test_a_damaged_file_or_entry_is_ignored(tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    first, _ = _probe(cache)
    entries = _entries(cache)
    name = "threshold_core.engine._policy"
    entries[name] = (*entries[name][:5], b"not marshalled code")
    _write(cache, entries)
    out, _ = _probe(cache)  # that module's own bytecode file is used instead
    assert without_timings(json.loads(out)) == without_timings(json.loads(first))
    _file(cache).write_bytes(_file(cache).read_bytes()[:5000])
    out, _ = _probe(cache)
    assert without_timings(json.loads(out)) == without_timings(json.loads(first))
    assert len(_entries(cache)) > 80  # rewritten


def test_a_flipped_byte_in_a_module_s_code_is_never_run(tmp_path: Path) -> None:
    """A damaged file whose code still unmarshals (a bit flipped on disk) fails its CRC-32:
    the module is imported from its source, never run from the damaged code."""
    cache = tmp_path / "cache"
    first, _ = _probe(cache)
    entries, crcs = _entries(cache), _crcs(cache)
    name = "threshold_core.engine._policy"
    # Code that unmarshals and runs, standing in for a damaged one, under the old CRC-32.
    entries[name] = (*entries[name][:5],
                     marshal.dumps(compile("raise RuntimeError('damaged')", "x", "exec")))
    _write(cache, entries, crcs)
    out, loaded = _probe(cache)
    assert loaded[name][0] != "_Loader"
    assert without_timings(json.loads(out)) == without_timings(json.loads(first))


def test_exit_status_output_and_other_exit_handlers(run_cli_process: Run,
                                                    tmp_path: Path) -> None:
    plugins = tmp_path / "plugins"
    plugins.mkdir()
    (plugins / "goodbye.py").write_text(
        "import atexit, sys\n"
        "atexit.register(lambda: print('goodbye from a plugin', file=sys.stderr))\n",
        encoding="utf-8")
    below = run_cli_process("evaluate", ZHIPU, "--fail-under", "qualified",
                            "--plugins-dir", str(plugins))
    assert below.returncode == 1
    assert below.stderr.rstrip().endswith("goodbye from a plugin")
    assert below.stdout.startswith("Zhipu AI (zhipu):")
    invalid = run_cli_process("evaluate", str(tmp_path / "missing.toml"))
    assert invalid.returncode == 2 and invalid.stderr
    many = run_cli_process("evaluate", str(EXAMPLES / "companies"), "--format", "json")
    assert many.returncode == 0 and len(json.loads(many.stdout)) == 6  # all of it flushed


def test_the_collector_is_paused_from_the_first_import_of_the_command_only(
        tmp_path: Path) -> None:
    """The ``threshold`` process pauses the cyclic collector before it imports click;
    ``main`` ends the pause as before; imported any other way, nothing is paused."""
    script = tmp_path / "threshold"  # as pip's console script is named
    script.write_text(
        "import atexit, gc, sys\n"
        "from threshold_core.cli import main\n"
        "sys.stderr.write(f'at import: {gc.isenabled()}\\n')\n"
        "atexit.register(lambda: sys.stderr.write(f'at exit: {gc.isenabled()}\\n'))\n"
        "main()\n", encoding="utf-8")
    command = subprocess.run([sys.executable, str(script), "--version"], capture_output=True,
                             text=True, env=_env(tmp_path / "cache"), timeout=120)
    assert command.returncode == 0 and "threshold" in command.stdout
    assert command.stderr.splitlines() == ["at import: False", "at exit: True"]
    library = subprocess.run(
        [sys.executable, "-c", "import gc, threshold_core.cli; print(gc.isenabled())"],
        capture_output=True, text=True, env=_env(tmp_path / "cache"), timeout=120)
    assert library.stdout == "True\n"
    script.write_text(  # the same process calling main as a function: the pause ends
        "import gc, sys\n"
        "from threshold_core.cli import main\n"
        "try:\n"
        "    main(['--version'])\n"
        "except SystemExit:\n"
        "    pass\n"
        "sys.stderr.write(f'after main(argv): {gc.isenabled()}\\n')\n", encoding="utf-8")
    called = subprocess.run([sys.executable, str(script)], capture_output=True, text=True,
                            env=_env(tmp_path / "cache"), timeout=120)
    assert called.stderr.splitlines() == ["after main(argv): True"]


def test_every_damaged_start_up_cache_is_ignored(run_cli_process: Run, tmp_path: Path) -> None:
    """Bytes flipped anywhere in any start-up cache file (module code, generated code, class
    records, the first profile's recipe, the CEL checks) never change the output, crash or
    blame a plugin: the damaged file is ignored and written again."""
    import random

    cache = tmp_path / "cache"
    env = {"THRESHOLD_CACHE_DIR": str(cache)}
    args = ("evaluate", str(EXAMPLES / "companies"), "--format", "json")
    first = run_cli_process(*args, env=env)
    assert first.returncode == 0, first.stderr
    run_cli_process(*args, env=env)  # every file written
    files = sorted(p for p in cache.iterdir() if p.suffix == ".marshal")
    assert {p.name.split("-")[0] for p in files} >= {"modules", "generated", "classes", "cel"}
    for seed in range(3):
        for path in files:
            rng = random.Random(f"{path.name}{seed}")
            data = bytearray(path.read_bytes())
            for i in rng.sample(range(24, len(data)), min(20, len(data) - 24)):
                data[i] ^= 0x55
            path.write_bytes(bytes(data))
        again = run_cli_process(*args, env=env)
        assert again.returncode == 0, (seed, again.stderr)
        assert again.stderr == first.stderr
        assert without_timings(json.loads(again.stdout)) == without_timings(
            json.loads(first.stdout))


def test_a_plugin_s_unclosed_file_is_flushed_at_exit(run_cli_process: Run,
                                                     tmp_path: Path) -> None:
    """With a plugin other than threshold's own loaded, the process exits as Python always
    does: what the plugin wrote to a file it never closed reaches the file."""
    plugins = tmp_path / "plugins"
    plugins.mkdir()
    log = tmp_path / "plugin.log"
    (plugins / "logger.py").write_text(
        f"_log = open({str(log)!r}, 'w')\n_log.write('x' * 100 + '\\n')\n", encoding="utf-8")
    result = run_cli_process("evaluate", ZHIPU, "--plugins-dir", str(plugins))
    assert result.returncode == 0, result.stderr
    assert log.read_text(encoding="utf-8") == "x" * 100 + "\n"
