"""With its cache of generated code in place, ``threshold evaluate`` and ``validate``
structure even the first profile with the loader's generated function (README,
Performance). What a user sees is what the converter alone gives: the same report, and for
a faulty profile the same lines, paths and exit code as with the cache turned off."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from helpers import read_sealed, write_sealed

ROOT = Path(__file__).resolve().parents[2]
ZHIPU = (ROOT / "examples" / "companies" / "zhipu.toml").read_text(encoding="utf-8")

#: A line of zhipu.toml and what it becomes: a wrong type, an unknown key, a bad currency
#: code, a number out of range, a missing key, an enum value that is none, a figure table
#: with an unknown key, two faults at once, a whole number for a figure (valid).
FAULTS = {
    "wrong-type": ('gross_margin_pct = 56.3', 'gross_margin_pct = "high"'),
    "unknown-key": ('hq_province = "Beijing"', 'hq_provnce = "Beijing"'),
    "currency": ('currency = "USD"', 'currency = "usdollar"'),
    "range": ('gross_margin_pct = 56.3', 'gross_margin_pct = 156.3'),
    "missing": ('id = "zhipu"', ''),
    "enum": ('status = "listed"', 'status = "lsted"'),
    "figure-key": ('{ value = 85, source = "illustrative" }',
                   '{ value = 85, sorce = "illustrative" }'),
    "two": ('ticker = "02513"', 'ticker = 2513\nfoo = 1'),
    "whole-number": ('revenue = 312e6', 'revenue = 312000000'),
}


def _run(args: list[str], cache: Path | None) -> tuple[int, str, str]:
    env = {**os.environ, "NO_COLOR": "1"}
    env.pop("THRESHOLD_CACHE_DIR", None)
    env.pop("THRESHOLD_NO_CACHE", None)
    if cache is None:
        env["THRESHOLD_NO_CACHE"] = "1"
    else:
        env["THRESHOLD_CACHE_DIR"] = str(cache)
    done = subprocess.run([sys.executable, "-m", "threshold_core", *args], env=env,
                          text=True, capture_output=True, timeout=120, check=False, cwd=ROOT)
    return done.returncode, done.stdout, done.stderr


@pytest.fixture(scope="module")
def profiles(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("profiles")
    for name, (old, new) in FAULTS.items():
        assert old in ZHIPU
        (folder / f"{name}.toml").write_text(ZHIPU.replace(old, new, 1), encoding="utf-8")
    return folder


@pytest.mark.parametrize("command", [["validate"], ["evaluate", "--format", "markdown"]])
def test_faulty_profiles_read_as_without_the_cache(
        profiles: Path, tmp_path: Path, command: list[str]) -> None:
    args = [*command, "--config", "examples/threshold.toml", str(profiles)]
    without = _run(args, None)
    _run(args, tmp_path)  # fills the cache
    with_cache = _run(args, tmp_path)
    assert with_cache == without
    assert without[0] == 2
    assert "currency.toml: $.valuation.currency: expected an ISO 4217 code" in without[2]
    assert "two.toml: $.listing.ticker: expected a string, got 2513" in without[2]


def _recipes(cache: Path) -> tuple[Path, dict[str, tuple[object, ...]]]:

    (file,) = cache.glob("first-attempt-*.marshal")
    fmt, recipes = read_sealed(file)  # type: ignore[misc]
    assert fmt == "threshold-first-attempt-1"
    return file, recipes


@pytest.mark.parametrize("damage", ["stale", "code", "kind", "truncated"])
def test_recipes_stale_or_damaged_read_as_without_the_cache(
        profiles: Path, tmp_path: Path, damage: str) -> None:
    """The loader's function is made from the recipes the first command recorded (README,
    Performance); a recipe whose sources changed, or a damaged one, is generated again."""
    import marshal

    args = ["evaluate", "--format", "json", "--config", "examples/threshold.toml",
            str(profiles), str(ROOT / "examples" / "companies")]
    without = _run(args, None)
    _run(args, tmp_path)  # fills the caches
    file, recipes = _recipes(tmp_path)
    assert len([k for k in recipes if not k.startswith(("writer:", "figures:"))]) >= 40
    # The decision writer's and the CEL view's figure walker's kept sources, beside them.
    assert any(k.startswith("writer:") for k in recipes)
    assert any(k.startswith("figures:") for k in recipes)
    changed: dict[str, tuple[object, ...]] = {}
    for key, recipe in recipes.items():
        if recipe[0] == "source":
            tag, stamps, kept = recipe
            if damage == "stale":
                stamps = tuple((m, size, mtime - 1) for m, size, mtime in stamps)
            elif damage == "code":
                kept = b"not a source"
            elif damage == "kind":
                tag = "unknown"
            changed[key] = (tag, stamps, kept)
            continue
        stamps, code, build, entries = recipe
        if damage == "stale":
            stamps = tuple((m, size, mtime - 1) for m, size, mtime in stamps)
        elif damage == "code":
            code = b"not marshalled code"
        elif damage == "kind":
            entries = tuple((e[0], "unknown", *e[2:]) for e in entries) or (("x", "?"),)
        changed[key] = (stamps, code, build, entries)
    write_sealed(file, ("threshold-first-attempt-1", changed))
    if damage == "truncated":
        file.write_bytes(file.read_bytes()[:1000])
    with_cache = _run(args, tmp_path)
    assert with_cache[0] == without[0] == 2
    assert with_cache[2] == without[2]
    assert _untimed(with_cache[1]) == _untimed(without[1])
    if damage in ("stale", "truncated"):  # recorded again

        def loaded(found: dict[str, tuple[object, ...]]) -> dict[str, tuple[object, ...]]:
            return {k: (stamps, marshal.loads(code), *rest)  # type: ignore[arg-type]
                    if stamps != "source" else (stamps, code, *rest)
                    for k, (stamps, code, *rest) in found.items()}

        assert loaded(_recipes(tmp_path)[1]) == loaded(recipes)


def _untimed(text: str) -> str:
    import re

    return re.sub(r'"duration_ms": [0-9.e-]+', '"duration_ms": 0', text)
