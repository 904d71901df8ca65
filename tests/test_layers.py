"""The layers of ``threshold_core`` stay one-way (README.md, "Layout").

A package imports only from packages of a lower layer, never from a sibling of
the same layer, and never a ``_private`` module or name of another package.
``plugins/``, ``rules/`` and the examples import only the namespaces promised
to plugin authors. Every import counts: at module level, inside a function and
under ``TYPE_CHECKING``.
"""

from __future__ import annotations

import ast
import tomllib
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
CORE = ROOT / "threshold_core"

#: Layer of each part of threshold_core: a package imports only lower numbers.
LAYERS = {
    "errors": 0,
    "model": 1,
    "hooks": 2,
    "kit": 2,
    "load": 3,
    "declarative": 4,
    "engine": 5,
    "explain": 6,
    "reports": 7,
    "portfolio": 8,
    "testing": 8,
    "cli": 9,
}

#: What code outside threshold_core (plugins, rule packs, examples) may import.
PROMISED = {"threshold_core", "threshold_core.kit", "threshold_core.model", "threshold_core.hooks"}
#: ... and what their tests may import besides.
PROMISED_IN_TESTS = PROMISED | {"threshold_core.testing"}


def _imports(path: Path, package: str) -> Iterator[tuple[int, str, tuple[str, ...]]]:
    """``(line, absolute module, imported names)`` of every threshold import in ``path``."""
    tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.split(".")[0].startswith("threshold"):
                    yield node.lineno, alias.name, ()
        elif isinstance(node, ast.ImportFrom):
            module = node.module or ""
            if node.level:
                base = package.split(".")
                base = base[: len(base) - node.level + 1]
                module = ".".join([*base, module] if module else base)
            if module.split(".")[0].startswith("threshold"):
                yield node.lineno, module, tuple(a.name for a in node.names)


def _package_of(path: Path) -> str:
    """The dotted package a file's relative imports start from."""
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts if path.name == "__init__.py" else parts[:-1])


def _part(module: str) -> str | None:
    """The layered part of threshold_core a module belongs to (None: the root façade)."""
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else None


def _private(module: str, names: tuple[str, ...]) -> list[str]:
    hidden = [p for p in module.split(".") if p.startswith("_") and not p.startswith("__")]
    return hidden + [n for n in names if n.startswith("_") and not n.startswith("__")]


def layer_violations() -> list[str]:
    """Every import in threshold_core that breaks the layering, one line each."""
    out = []
    for path in sorted(CORE.rglob("*.py")):
        rel = path.relative_to(ROOT)
        here = _part(".".join(rel.with_suffix("").parts))
        if here in ("__init__", "__main__"):
            continue  # the façade and ``python -m`` sit above every layer
        for line, module, names in _imports(path, _package_of(path)):
            if not module.startswith("threshold_core"):
                out.append(f"{rel}:{line}: imports {module} (threshold_core imports no plugin)")
                continue
            there = _part(module)
            if there is None:
                # ``from threshold_core import model`` names a part; anything else is the façade.
                if all(n in LAYERS for n in names):
                    targets = names
                else:
                    out.append(f"{rel}:{line}: imports the public façade threshold_core")
                    continue
            else:
                targets = (there,)
            for target in targets:
                if target == here:
                    continue
                if target not in LAYERS:
                    out.append(f"{rel}:{line}: imports {module}, which is in no layer")
                elif LAYERS[target] > LAYERS[here]:
                    out.append(f"{rel}:{line}: {here} (layer {LAYERS[here]}) imports "
                               f"{target} (layer {LAYERS[target]}): upward")
                elif LAYERS[target] == LAYERS[here]:
                    out.append(f"{rel}:{line}: {here} imports its sibling {target} "
                               f"(both layer {LAYERS[here]})")
                elif private := _private(module, names):
                    out.append(f"{rel}:{line}: {here} imports private {', '.join(private)} "
                               f"of {target}")
    return out


def promise_violations(folder: Path, allowed: set[str], tests_allowed: set[str]) -> list[str]:
    """Imports of threshold_core outside the promised namespaces, under ``folder``."""
    out = []
    for path in sorted(folder.rglob("*.py")):
        if any(p.startswith(".") or p.endswith(".egg-info") or p == "build" for p in path.parts):
            continue
        ok = tests_allowed if "tests" in path.relative_to(folder).parts else allowed
        for line, module, names in _imports(path, _package_of(path)):
            if not module.startswith("threshold_core"):
                continue
            if module not in ok or _private(module, names):
                out.append(f"{path.relative_to(ROOT)}:{line}: imports {module}"
                           + (f" ({', '.join(_private(module, names))})"
                              if _private(module, names) else ""))
    return out


def test_threshold_core_imports_run_one_way() -> None:
    assert layer_violations() == []


def test_every_part_of_threshold_core_has_a_layer() -> None:
    parts = {p.parent.name for p in CORE.glob("*/__init__.py")} | {"errors"}
    assert parts == set(LAYERS)


@pytest.mark.parametrize("folder", ["plugins", "rules", "examples"])
def test_plugins_and_rule_packs_import_only_promised_namespaces(folder: str) -> None:
    assert promise_violations(ROOT / folder, PROMISED, PROMISED_IN_TESTS) == []


def test_tests_import_no_private_module_or_name() -> None:
    found = []
    for path in sorted((ROOT / "tests").rglob("*.py")):
        for line, module, names in _imports(path, _package_of(path)):
            if module.startswith("threshold_core") and _private(module, names):
                found.append(f"{path.relative_to(ROOT)}:{line}: {module} {names}")
    assert found == []


def test_the_wheel_ships_every_package() -> None:
    data = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    shipped = set(data["tool"]["setuptools"]["packages"])
    packages = {".".join(p.parent.relative_to(ROOT).parts) for p in CORE.rglob("__init__.py")}
    assert packages - shipped == set()


def _write(tmp_path: Path, rel: str, text: str) -> Path:
    path = tmp_path / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("rel", "source", "expected"),
    [
        ("threshold_core/model/_x.py", "from ..engine import Engine\n", "upward"),
        ("threshold_core/kit/_x.py", "def f():\n    from ..hooks import hookimpl\n", "sibling"),
        ("threshold_core/reports/_x.py", "from ..explain._diff import flatten\n",
         "private _diff"),
        ("threshold_core/reports/_x.py", "from ..engine import _check\n", "private _check"),
        ("threshold_core/load/_x.py", "from threshold_core import Engine\n", "façade"),
    ],
)
def test_the_check_catches_each_kind_of_violation(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, rel: str, source: str, expected: str
) -> None:
    # The same check, run over a tree holding one planted module.
    monkeypatch.setitem(globals(), "ROOT", tmp_path)
    monkeypatch.setitem(globals(), "CORE", tmp_path / "threshold_core")
    _write(tmp_path, rel, source)
    (found,) = layer_violations()
    assert expected in found and rel in found


#: The longest a module may be (README.md, "Layout"): a newcomer reads one concept per file.
MAX_LINES = 400
#: Modules allowed over the limit: none (every split has landed). Do not add to it: split.
OVER_LIMIT: set[str] = set()


def test_no_module_is_longer_than_the_limit() -> None:
    lengths = {
        str(path.relative_to(ROOT)): len(path.read_text(encoding="utf-8").splitlines())
        for folder in ("threshold_core", "plugins", "rules")
        for path in (ROOT / folder).rglob("*.py")
    }
    too_long = {p: n for p, n in lengths.items() if n > MAX_LINES and p not in OVER_LIMIT}
    assert too_long == {}
    # an allowed module that is now short enough leaves the list
    assert {p for p in OVER_LIMIT if lengths.get(p, 0) <= MAX_LINES} == set()
