"""Classes rebuilt from what attrs made of them (README, "Performance"): every attrs class
is the same, field by field and code object by code object, whether attrs built it, built
and recorded it, or it was rebuilt from the record; a changed source file or a damaged
record file falls back to attrs."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

#: Imports every module of threshold, its plugins and rule packs (and ``PROBE``, when given)
#: with the command's caches in place, then prints a description of every attrs class of
#: those, attrs and cattrs, and how many classes were rebuilt from records.
DESCRIBE = r'''
import importlib, json, linecache, os, pkgutil, sys, types
from threshold_core.cli import installed

with installed() as cache:
    for root in ("threshold_core", "threshold_plugins", "threshold_rules"):
        package = importlib.import_module(root)
        for found in pkgutil.walk_packages(package.__path__, root + "."):
            try:
                importlib.import_module(found.name)
            except ImportError:
                pass
    if os.environ.get("PROBE"):
        importlib.import_module(os.environ["PROBE"])
    replayed = sum(c.replayed for c in cache.classes) if cache is not None else 0

def stable(v, depth=0):
    if depth > 6:
        return type(v).__name__
    if v is None or isinstance(v, (bool, int, float, str)):
        return repr(v)
    if isinstance(v, (types.FunctionType, types.BuiltinFunctionType, type)):
        return [type(v).__name__, getattr(v, "__module__", None), v.__qualname__]
    if isinstance(v, (tuple, list, frozenset, set)):
        items = [stable(x, depth + 1) for x in v]
        return [type(v).__name__, sorted(items, key=repr) if isinstance(v, (set, frozenset))
                else items]
    if isinstance(v, (dict, types.MappingProxyType)):
        return ["dict", sorted((str(k), stable(x, depth + 1)) for k, x in v.items())]
    if hasattr(type(v), "__attrs_attrs__"):
        return [type(v).__qualname__, [stable(getattr(v, a.name), depth + 1)
                                       for a in type(v).__attrs_attrs__]]
    if type(v).__name__ == "ClassProps":
        return ["ClassProps", [stable(getattr(v, s), depth + 1) for s in type(v).__slots__]]
    return [type(v).__qualname__]

def code(co):
    return [co.co_name, co.co_qualname, co.co_filename, co.co_firstlineno, co.co_argcount,
            co.co_posonlyargcount, co.co_kwonlyargcount, co.co_flags, co.co_code.hex(),
            co.co_names, co.co_varnames, co.co_freevars, co.co_cellvars,
            co.co_linetable.hex(), co.co_exceptiontable.hex(),
            [code(c) if isinstance(c, types.CodeType) else repr(c) for c in co.co_consts]]

def value(v, cls):
    if isinstance(v, (classmethod, staticmethod)):
        return [type(v).__name__, value(v.__func__, cls)]
    if isinstance(v, property):
        return ["property", value(v.fget, cls)]
    if isinstance(v, types.FunctionType):
        return ["function", v.__name__, v.__qualname__, v.__module__, v.__doc__,
                stable(v.__annotations__), code(v.__code__), stable(v.__defaults__),
                stable(v.__kwdefaults__),
                # a method's __class__ cell must be the class built, not the statement's
                ["the class" if c.cell_contents is cls else stable(c.cell_contents)
                 for c in v.__closure__ or ()],
                sorted((k, stable(g)) for k, g in v.__globals__.items()
                       # the generated-code cache's compile, seen by attrs' own classes
                       if k != "__builtins__"
                       and not (k == "compile" and type(g).__name__ == "method")),
                linecache.cache.get(v.__code__.co_filename, [None, None, None])[2]]
    return stable(v)

out = {}
for name, module in sorted(sys.modules.items()):
    if module is None or not name.startswith(("threshold", "attr", "cattrs", "probe")):
        continue
    for cls in list(vars(module).values()):
        if not (isinstance(cls, type) and "__attrs_attrs__" in cls.__dict__
                and cls.__module__ == name):
            continue
        out[f"{name}:{cls.__qualname__}"] = [
            [cls.__name__, cls.__qualname__, [b.__qualname__ for b in cls.__mro__]],
            # attrs' count of field() calls (it only orders a class's fields) excepted
            [[k, value(v, cls)] for k, v in cls.__dict__.items() if k != "cls_counter"],
            [[s, stable(getattr(a, s))] for a in cls.__attrs_attrs__
             for s in type(a).__slots__],
            type(cls.__attrs_attrs__).__name__, list(vars(type(cls.__attrs_attrs__))),
        ]
print(json.dumps({"classes": out, "replayed": replayed}))
'''

PROBE = '''from __future__ import annotations

import attrs


def _positive(instance, attribute, value):
    if value < 0:
        raise ValueError(attribute.name)


@attrs.frozen
class Base:
    a: int = attrs.field(validator=_positive)
    tags: tuple[str, ...] = ()


@attrs.frozen
class Probe(Base):
    b: str = attrs.field(default="x", converter=str)
    c: list[int] = attrs.field(factory=list, eq=False)
    _d: float = 1.5

    @property
    def twice(self) -> int:
        return self.a * 2


@attrs.define
class Mutable:
    x: int = attrs.field(default=0, validator=_positive)

    def __repr__(self) -> str:
        return f"Mutable({super().__repr__()})"
'''


def _describe(cache: Path, **env: str) -> dict[str, Any]:
    full = {k: v for k, v in os.environ.items() if not k.startswith("THRESHOLD_")}
    full.update({"THRESHOLD_CACHE_DIR": str(cache), "PYTHONHASHSEED": "0", **env})
    done = subprocess.run([sys.executable, "-c", DESCRIBE], env=full, text=True,
                          capture_output=True, timeout=120, check=True)
    return json.loads(done.stdout.splitlines()[-1])  # type: ignore[no-any-return]


def test_rebuilt_classes_are_what_attrs_builds(tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    attrs_only = _describe(cache, THRESHOLD_NO_CACHE="1")
    recorded = _describe(cache)
    rebuilt = _describe(cache)
    assert len(attrs_only["classes"]) > 150
    assert recorded["replayed"] == 0 and rebuilt["replayed"] > 150
    assert attrs_only["classes"] == recorded["classes"]
    for name, described in attrs_only["classes"].items():
        assert rebuilt["classes"][name] == described, name


def test_a_changed_source_file_or_a_damaged_record_falls_back_to_attrs(
    tmp_path: Path,
) -> None:
    cache = tmp_path / "cache"
    probe = tmp_path / "probe_classes.py"
    probe.write_text(PROBE)
    env = {"PROBE": "probe_classes", "PYTHONPATH": str(tmp_path)}
    first = _describe(cache, **env)
    second = _describe(cache, **env)
    assert second["replayed"] > first["replayed"] + 150
    assert second["classes"] == first["classes"]
    assert {"probe_classes:Probe", "probe_classes:Base", "probe_classes:Mutable"} <= set(
        first["classes"])
    # The probe's source changes (a field more): its classes are attrs' again, new ones.
    more = "    _d: float = 1.5\n    e: int = 9\n"
    probe.write_text(PROBE.replace("    _d: float = 1.5\n", more))
    changed = _describe(cache, **env)
    attrs_only = _describe(cache, THRESHOLD_NO_CACHE="1", **env)
    assert changed["classes"] == attrs_only["classes"] != first["classes"]
    assert changed["replayed"] == second["replayed"] - 3
    # A damaged record file is ignored (and rewritten).
    (records,) = cache.glob("classes-*.marshal")
    records.write_bytes(records.read_bytes()[:4000])
    damaged = _describe(cache, **env)
    assert damaged["replayed"] == 0 and damaged["classes"] == attrs_only["classes"]
    assert _describe(cache, **env)["replayed"] == second["replayed"]


#: attrs before 25.4 builds classes with a builder of other parameters (attrs 24 passes
#: each option as its own argument): a builder whose parameters are not the ones the
#: records are made for stands in for it, then the command runs.
OTHER_ATTRS = r'''
import sys
import attr._make as make

class Builder(make._ClassBuilder):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)

make._ClassBuilder = Builder
from threshold_core.cli import main
main(["evaluate", sys.argv[1], "--format", "json", "--no-plugin-autoload"])
'''


def test_an_attrs_with_another_class_builder_is_left_to_build_every_class(
        tmp_path: Path) -> None:
    """The requirement allows attrs 24.1 on; the records are made for attrs' builder of
    25.4 on. With another builder, the command runs as attrs alone makes it run."""
    example = Path(__file__).resolve().parents[2] / "examples" / "companies" / "zhipu.toml"
    env = {**os.environ, "THRESHOLD_CACHE_DIR": str(tmp_path)}
    env.pop("THRESHOLD_NO_CACHE", None)
    done = subprocess.run([sys.executable, "-c", OTHER_ATTRS, str(example)], env=env,
                          text=True, capture_output=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["company"]["name"] == "Zhipu AI"
    assert not list(tmp_path.glob("classes-*")), "nothing recorded for another builder"
