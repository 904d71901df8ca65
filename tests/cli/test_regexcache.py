"""The command's cache of compiled regular expressions (README, "Performance";
``cli/_recache.py``): the same output cold, warm, off and with a damaged file; every
pattern the command made is the pattern ``re`` compiles; ``re`` is left as it was."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from helpers import EXAMPLES, cold_warm_and_off, read_sealed, without_timings, write_sealed
from hypothesis import given, settings
from hypothesis import strategies as st

from threshold_core.cli import RegexCache

Run = Callable[..., subprocess.CompletedProcess[str]]
ZHIPU = str(EXAMPLES / "companies" / "zhipu.toml")
COMPILER: Any = sys.modules["re._compiler"]


def _file(cache: Path) -> Path:
    (found,) = cache.glob("regex-*.marshal")
    return found


#: Run as the ``threshold`` command (a script of that name: the console script's test),
#: then report, before the exit, whether ``re``'s compiler is its own again and whether every
#: pattern ``re`` holds is the one its compiler makes now.
PROBE = r'''
import atexit, json, re, sys
compiler = sys.modules["re._compiler"]
own = compiler.compile
def report():
    made = [(key[1], key[2], p) for key, p in list(re._cache.items())
            if type(key[1]) in (str, bytes)]
    differ = [repr(s) for s, f, p in made if not (
        own(s, f) == p and own(s, f).groupindex == p.groupindex and own(s, f).groups == p.groups)]
    sys.stderr.write("PROBE" + json.dumps({"restored": compiler.compile is own,
                                           "patterns": len(made), "differ": differ}) + "\n")
atexit.register(report)
sys.argv[1:] = ["evaluate", "--format", "json", sys.argv[1]]
from threshold_core.cli import main
main()
'''


def _probe(tmp_path: Path, cache: Path, **env: str) -> tuple[str, dict[str, Any]]:
    import os

    script = tmp_path / "threshold"
    script.write_text(PROBE, encoding="utf-8")
    result = subprocess.run(
        [sys.executable, str(script), ZHIPU], capture_output=True, text=True, timeout=120,
        env={**{k: v for k, v in os.environ.items() if k != "THRESHOLD_NO_CACHE"},
             "THRESHOLD_CACHE_DIR": str(cache), "NO_COLOR": "1", **env})
    assert result.returncode == 0, result.stderr
    (line,) = [x for x in result.stderr.splitlines() if x.startswith("PROBE")]
    return result.stdout, json.loads(line[5:])


def test_cold_warm_and_off_give_the_same_output(run_cli_process: Run, tmp_path: Path) -> None:
    # (The hash seed fixed: protobuf joins a set's items into one of its patterns, so each
    # seed's order of them is a pattern of its own, kept when first compiled.)
    cold_warm_and_off(run_cli_process, tmp_path / "cache", _file, {"PYTHONHASHSEED": "0"})
    tag, entries = read_sealed(_file(tmp_path / "cache"))  # type: ignore[misc]
    assert tag[:2] == ("threshold-regex-1", sys.version) and len(entries) > 30


def test_every_pattern_made_is_the_one_re_compiles(tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    cold_out, cold = _probe(tmp_path, cache)
    warm_out, warm = _probe(tmp_path, cache)
    for report in (cold, warm):
        assert report["restored"] and report["patterns"] > 20 and report["differ"] == []
    assert without_timings(json.loads(cold_out)) == without_timings(json.loads(warm_out))


def test_a_damaged_file_or_entry_is_compiled_as_always(tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    first, _ = _probe(tmp_path, cache)
    tag, entries = read_sealed(_file(cache))  # type: ignore[misc]
    # Entries the engine refuses (code that is no program) or that do not unpack.
    damaged = {key: ((0, [99999], 0, {}, ()) if i % 2 else ("not", "an entry"))
               for i, key in enumerate(entries)}
    write_sealed(_file(cache), (tag, damaged))
    out, report = _probe(tmp_path, cache)
    assert report["differ"] == []
    assert without_timings(json.loads(out)) == without_timings(json.loads(first))
    _file(cache).write_bytes(_file(cache).read_bytes()[:500])  # a truncated file
    out, report = _probe(tmp_path, cache)
    assert report["differ"] == []
    assert without_timings(json.loads(out)) == without_timings(json.loads(first))
    assert len(read_sealed(_file(cache))[1]) > 20  # type: ignore[index]  (rewritten)
    write_sealed(_file(cache), (("another Python", 0), entries))  # written for another engine
    out, report = _probe(tmp_path, cache)
    assert report["differ"] == []
    assert without_timings(json.loads(out)) == without_timings(json.loads(first))


#: Pieces of regular expressions: groups, names, classes, look-arounds, back-references.
ATOMS = st.sampled_from([
    "a", "b", ".", r"\d", r"\w", r"\s", "[a-c]", "[^x]", "(x)", "(?P<n>y)", "(?:ab)", "^", "$",
    r"\b", "(?=a)", "(?!b)", "(?<=a)", "(a|bc)", "é", r"\.", "[0-9]{2}", "(?P<m>z)(?P=m)"])
QUANTIFIERS = st.sampled_from(["", "*", "+", "?", "*?", "{1,3}", "{2}"])
FLAGS = st.sampled_from([0, re.IGNORECASE, re.MULTILINE | re.DOTALL, re.VERBOSE, re.ASCII])


@settings(max_examples=150, deadline=None)
@given(st.lists(st.tuples(ATOMS, QUANTIFIERS), min_size=1, max_size=6), FLAGS,
       st.lists(st.text(alphabet="abcxyz0123 .é\n", max_size=8), max_size=5))
def test_a_kept_pattern_is_the_pattern_re_compiles(tmp_path_factory: Any,
                                                   parts: list[tuple[str, str]], flags: int,
                                                   texts: list[str]) -> None:
    """Any pattern: compiled once and kept, then made from the file in another process's
    cache, it equals ``re``'s own and matches, groups and names alike."""
    source = "".join(atom + quantifier for atom, quantifier in parts)
    try:
        expected = COMPILER.compile(source, int(flags))
    except re.error:
        return
    path = tmp_path_factory.mktemp("regex") / "regex.marshal"
    first = RegexCache(path)
    assert first.serve(source, int(flags)) == expected
    first.save()
    again = RegexCache(path)
    made = again.serve(source, int(flags))
    assert (source, int(flags)) in again.entries or (source, int(flags)) not in first.entries
    assert made == expected and made.groups == expected.groups
    assert made.groupindex == expected.groupindex and made.flags == expected.flags
    for text in texts:
        found, want = made.search(text), expected.search(text)
        assert (found and found.span(), found and found.groups()) == \
            (want and want.span(), want and want.groups())
