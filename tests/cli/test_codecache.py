"""The cache of attrs' and cattrs' generated code (README, "Performance"): the same
decisions cold and warm, in the folder it names, off when asked, robust to a bad file."""

from __future__ import annotations

import json
import marshal
import re
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

from helpers import EXAMPLES, read_sealed, without_timings, write_sealed

from threshold_core.cli import CodeCache, installation

Run = Callable[..., subprocess.CompletedProcess[str]]




def test_cold_and_warm_runs_decide_the_same(run_cli_process: Run, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    args = ("evaluate", str(EXAMPLES / "companies"), "--format", "json")
    cold = run_cli_process(*args, env={"THRESHOLD_CACHE_DIR": str(cache)})
    files = list(cache.glob("generated-code-*.marshal"))
    assert cold.returncode == 0, cold.stderr
    assert len(files) == 1 and files[0].stat().st_size > 100_000
    written = files[0].stat().st_mtime_ns
    warm = run_cli_process(*args, env={"THRESHOLD_CACHE_DIR": str(cache)})
    off = run_cli_process(*args, env={"THRESHOLD_CACHE_DIR": str(cache),
                                      "THRESHOLD_NO_CACHE": "1"})
    assert warm.returncode == off.returncode == 0
    assert files[0].stat().st_mtime_ns == written  # nothing new to write when warm
    decided = [without_timings(json.loads(r.stdout)) for r in (cold, warm, off)]
    assert decided[0] == decided[1] == decided[2]


def test_no_cache_writes_nothing(run_cli_process: Run, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    result = run_cli_process("validate", str(EXAMPLES / "companies" / "zhipu.toml"),
                             env={"THRESHOLD_CACHE_DIR": str(cache), "THRESHOLD_NO_CACHE": "1"})
    assert result.returncode == 0 and not cache.exists()


def test_a_damaged_file_is_ignored_and_replaced(run_cli_process: Run, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    zhipu = str(EXAMPLES / "companies" / "zhipu.toml")
    assert run_cli_process("validate", zhipu, env={"THRESHOLD_CACHE_DIR": str(cache)}
                           ).returncode == 0
    (file,) = cache.glob("generated-code-*.marshal")
    file.write_bytes(file.read_bytes()[:5000])
    result = run_cli_process("validate", zhipu, env={"THRESHOLD_CACHE_DIR": str(cache)})
    assert result.returncode == 0 and result.stderr == ""
    # (Read again and rewritten: what attrs and cattrs generate; the loader's functions
    # now come from their recipes, with their code: first-attempt-*.marshal.)
    assert file.stat().st_size > 50_000 and read_sealed(file)[1]  # type: ignore[index]


SOURCE = """def __hash__(self):
        return hash((
                {constant},
                self.x,
            ))
"""


def test_the_hash_constant_of_this_process_is_kept(tmp_path: Path) -> None:
    """attrs mixes a per-process constant into ``__hash__``: a cached method uses this one."""
    first = CodeCache(tmp_path / "cache.marshal")
    first.compile(SOURCE.format(constant=-123456789), "<attrs generated methods m.C>", "exec")
    first.save()
    second = CodeCache(tmp_path / "cache.marshal")
    code = second.compile(SOURCE.format(constant=987654321), "<attrs generated methods m.C>",
                          "exec")
    assert second.added == 0  # served from the file
    namespace: dict[str, Any] = {}
    exec(code, namespace)

    class C:
        x = 5

    assert namespace["__hash__"](C()) == hash((987654321, 5))


def test_entries_equal_what_compile_returns(tmp_path: Path) -> None:
    cache = CodeCache(tmp_path / "cache.marshal")
    source = "def f(a, b=2):\n    return [a * b, f'{a!r}']\n"
    cached = cache.compile(source, "<generated>", "exec")
    cache.save()
    again = CodeCache(tmp_path / "cache.marshal").compile(source, "<generated>", "exec")
    # Both inherit this module's future flags, as compile does from its caller.
    assert again == cached == compile(source, "<generated>", "exec")
    assert re.fullmatch(r"cache\.marshal", next(tmp_path.iterdir()).name)


def test_concurrent_commands_share_one_cache(threshold_exe: str, tmp_path: Path) -> None:
    """Commands started together on an empty cache all succeed, and the file they leave
    is whole: the next command finds everything it needs in it."""
    import os

    cache = tmp_path / "cache"
    env = {**os.environ, "THRESHOLD_CACHE_DIR": str(cache), "NO_COLOR": "1"}
    zhipu = str(EXAMPLES / "companies" / "zhipu.toml")
    running = [subprocess.Popen([threshold_exe, "validate", zhipu], env=env, cwd=tmp_path,
                                stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
               for _ in range(3)]
    assert all(p.wait(timeout=120) == 0 for p in running)
    (file,) = cache.glob("generated-code-*.marshal")
    written = file.stat().st_mtime_ns
    again = subprocess.run([threshold_exe, "validate", zhipu], env=env, cwd=tmp_path,
                           capture_output=True, text=True, timeout=120)
    assert again.returncode == 0 and again.stderr == ""
    assert file.stat().st_mtime_ns == written  # nothing was missing
    assert not [p for p in cache.iterdir() if p.name.startswith(".")]  # no temporary files



def test_a_source_compiles_once_per_process(tmp_path: Path) -> None:
    """The cache hands back the code object it served for the same arguments (a string
    annotation is compiled by every typing.get_type_hints): the same object, compile's own."""
    cache = CodeCache(tmp_path / "cache.marshal")
    first = cache.compile("tuple[str, ...] | None", "<string>", "eval", dont_inherit=True)
    again = cache.compile("tuple[str, ...] | None", "<string>", "eval", dont_inherit=True)
    assert first is again and cache.added == 1
    assert first == compile("tuple[str, ...] | None", "<string>", "eval", dont_inherit=True)


def test_the_command_caches_typings_annotations_too(run_cli_process: Run,
                                                    tmp_path: Path) -> None:
    """The profile model's string annotations (compiled by typing, file ``<string>``) are in
    the file the command leaves, beside attrs' and cattrs' methods."""

    cache = tmp_path / "cache"
    result = run_cli_process("validate", str(EXAMPLES / "companies" / "zhipu.toml"),
                             env={"THRESHOLD_CACHE_DIR": str(cache)})
    assert result.returncode == 0, result.stderr
    (file,) = cache.glob("generated-code-*.marshal")
    codes = [marshal.loads(code) for code, *_ in read_sealed(file)[1].values()]  # type: ignore[index]
    names = {code.co_filename for code in codes}
    assert "<string>" in names
    assert any(name.startswith("<attrs generated") for name in names)
    assert any(name.startswith("<cattrs generated") for name in names)
    # attrs' own classes, built while the command imports attrs, and the model's builders
    assert "<attrs generated __repr__ attr._make.Attribute>" in names
    assert any(name.startswith("<positional builder") for name in names)


def test_each_installation_keeps_its_own_files(run_cli_process: Run, tmp_path: Path) -> None:
    """Environments sharing a cache folder do not overwrite each other's files: every
    file the command writes names this installation (the interpreter's environment and
    threshold's folder), and a file another installation wrote is left as it is."""
    cache = tmp_path / "cache"
    cache.mkdir()
    other = cache / "entry-points-00000000.json"
    other.write_text("{}", encoding="utf-8")
    result = run_cli_process("evaluate", str(EXAMPLES / "companies" / "zhipu.toml"),
                             env={"THRESHOLD_CACHE_DIR": str(cache)})
    assert result.returncode == 0, result.stderr
    tag = installation()
    # (last-pruned: when the folder was last pruned of stale installations' files; the
    # other installation's file is recent, so it stays.)
    names = sorted(p.name for p in cache.iterdir() if p not in (other, cache / "last-pruned"))
    assert names == sorted([f"cel-checks-{tag}.marshal", f"entry-points-{tag}.json",
                            *(p.name for p in cache.glob(f"generated-code-*-{tag}.marshal")),
                            *(p.name for p in cache.glob(f"classes-*-{tag}.marshal")),
                            *(p.name for p in cache.glob(f"modules-*-{tag}.marshal")),
                            *(p.name for p in cache.glob(f"first-attempt-*-{tag}.marshal")),
                            *(p.name for p in cache.glob(f"regex-*-{tag}.marshal"))])
    assert len(names) == 7
    assert other.read_text(encoding="utf-8") == "{}"


def test_a_damaged_entry_is_compiled_again(tmp_path: Path) -> None:
    """An entry whose bytes are not a code object is compiled anew (and replaced)."""

    path = tmp_path / "cache.marshal"
    source = "def f():\n    return 1\n"
    cache = CodeCache(path)
    cache.compile(source, "<generated>", "exec")
    cache.save()
    fmt, entries = read_sealed(path)  # type: ignore[misc]
    damaged = {k: (b"\x00", *rest) for k, (_, *rest) in entries.items()}
    write_sealed(path, (fmt, damaged))
    again = CodeCache(path)
    assert again.compile(source, "<generated>", "exec") == compile(source, "<generated>", "exec")
    assert again.added == 1


def test_the_decision_writers_functions_are_cached_too(run_cli_process: Run,
                                                       tmp_path: Path) -> None:
    """The functions the decision writer generates per class (JSON output, and the reports
    read the JSON document) come from the cache from the second run on."""

    cache = tmp_path / "cache"
    args = ("evaluate", str(EXAMPLES / "companies" / "zhipu.toml"))
    cold = run_cli_process(*args, env={"THRESHOLD_CACHE_DIR": str(cache)})
    assert cold.returncode == 0, cold.stderr
    (file,) = cache.glob("generated-code-*.marshal")
    codes = [marshal.loads(code) for code, *_ in read_sealed(file)[1].values()]  # type: ignore[index]
    assert any(code.co_filename.startswith("<threshold writer") for code in codes)
    written = file.stat().st_mtime_ns
    warm = run_cli_process(*args, env={"THRESHOLD_CACHE_DIR": str(cache)})
    assert warm.stdout == cold.stdout and warm.returncode == 0
    assert file.stat().st_mtime_ns == written



def test_a_nested_hash_constant_gets_this_processs_value(tmp_path: Path) -> None:
    """Wherever the source's constant sits (in a function inside a function too), the cached
    code gets this process's constant back: what compile gives for this source."""
    source = ("x = 5\ndef outer():\n    def __hash__(self):\n        return hash((\n"
              "                {c},\n                self.x,\n            ))\n"
              "    return __hash__\n")
    first = CodeCache(tmp_path / "cache.marshal")
    first.compile(source.format(c=-123456789), "<attrs generated methods m.C>", "exec")
    first.save()
    second = CodeCache(tmp_path / "cache.marshal")
    # (as many digits: the code's column table is the same too)
    code = second.compile(source.format(c=-987654321), "<attrs generated methods m.C>", "exec")
    assert second.added == 0
    assert code == compile(source.format(c=-987654321), "<attrs generated methods m.C>", "exec")


def test_no_cache_set_to_0_leaves_the_caches_on(run_cli_process: Run, tmp_path: Path) -> None:
    """``THRESHOLD_NO_CACHE`` is read as ``THRESHOLD_DISABLE_PLUGIN_AUTOLOAD`` is: ``0`` or
    nothing leaves the caches on, anything else turns them off."""
    zhipu = str(EXAMPLES / "companies" / "zhipu.toml")
    for value, kept in (("0", True), ("", True), ("1", False), ("yes", False)):
        cache = tmp_path / f"cache{value or 'empty'}"
        result = run_cli_process("validate", zhipu, env={"THRESHOLD_CACHE_DIR": str(cache),
                                                         "THRESHOLD_NO_CACHE": value})
        assert result.returncode == 0, result.stderr
        assert any(cache.glob("*.marshal")) is kept, value
