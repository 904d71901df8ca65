"""JSON Schemas for profiles, configuration and decisions, derived from the types.

The schemas are generated from the attrs classes the loaders and the JSON
writer use, so they cannot drift from what the code accepts and produces.
``threshold schema NAME`` prints them; ``config`` includes the settings
sections of every plugin installed.
"""

from __future__ import annotations

import enum
import functools
import types
import typing
from collections.abc import Mapping
from datetime import date
from pathlib import Path
from typing import Any

import attrs

from ..model import INT64_RANGE, RANGE, CompanyProfile, ConfigFile, Decision, Figure

SCHEMA_DIALECT = "https://json-schema.org/draft/2020-12/schema"
NAMES = ("decision", "profile", "config")


class _Builder:
    def __init__(self) -> None:
        self.defs: dict[str, Any] = {}
        #: The class behind each name in ``defs`` (a plugin's class may share a core name).
        self.named: dict[str, type] = {}

    def of(self, tp: Any) -> dict[str, Any]:
        origin = typing.get_origin(tp)
        args = typing.get_args(tp)
        if tp is Any or tp is object:
            return {}
        if origin in (typing.Union, types.UnionType):
            options = [a for a in args if a is not type(None)]
            inner = [self.of(a) for a in options]
            schema = inner[0] if len(inner) == 1 else {"anyOf": inner}
            if type(None) in args:
                return {"anyOf": [schema, {"type": "null"}]}
            return schema
        if origin in (tuple, list) or tp in (tuple, list):
            item = args[0] if args else Any
            if origin is tuple and len(args) == 2 and args[1] is not Ellipsis:
                return {"type": "array", "prefixItems": [self.of(a) for a in args],
                        "minItems": 2, "maxItems": 2}
            return {"type": "array", "items": self.of(item)}
        if origin in (dict, Mapping) or tp is dict:
            value = args[1] if len(args) == 2 else Any
            return {"type": "object", "additionalProperties": self.of(value)}
        if tp is bool:
            return {"type": "boolean"}
        if tp is int:  # the loader's 64-bit bound (``INT64_RANGE``)
            return {"type": "integer", "minimum": INT64_RANGE[0], "maximum": INT64_RANGE[1]}
        if tp is float:
            return {"type": "number"}
        if tp is str:
            return {"type": "string"}
        if tp is date:
            return {"type": "string", "format": "date"}
        if isinstance(tp, type) and issubclass(tp, enum.Enum):
            return {"enum": [m.value for m in tp]}
        if tp is Figure:
            ref = self.of_class(Figure)
            return {"anyOf": [{"type": "number"}, ref]}
        if isinstance(tp, type) and attrs.has(tp):
            return self.of_class(tp)
        return {}

    def of_class(self, cls: type) -> dict[str, Any]:
        name = cls.__name__
        if self.named.setdefault(name, cls) is not cls:
            name = f"{cls.__module__}.{cls.__qualname__}"
            self.named[name] = cls
        if name not in self.defs:
            self.defs[name] = {}  # placeholder against recursion
            hints = typing.get_type_hints(cls)
            props: dict[str, Any] = {}
            required = []
            for a in attrs.fields(cls):
                prop = self.of(hints.get(a.name, Any))
                if (bounds := a.metadata.get(RANGE)) not in (None, (None, None)):
                    prop = _bounded(prop, *bounds)
                doc = _field_doc(cls, a.name)
                if doc:
                    prop = {**prop, "description": doc}
                props[a.name] = prop
                if a.default is attrs.NOTHING:
                    required.append(a.name)
            body: dict[str, Any] = {"type": "object", "properties": props,
                                    "additionalProperties": False}
            if required:
                body["required"] = required
            if cls.__doc__:
                body["description"] = " ".join(cls.__doc__.split("\n\n")[0].split())
            self.defs[name] = body
        return {"$ref": f"#/$defs/{name}"}


def _bounded(schema: dict[str, Any], low: float | None, high: float | None) -> dict[str, Any]:
    """``schema`` with the documented range on its numbers (a figure's ``value`` too)."""
    limits = {k: v for k, v in (("minimum", low), ("maximum", high)) if v is not None}
    if schema.get("type") in ("number", "integer"):
        return {**schema, **limits}
    if "anyOf" in schema:
        return {**schema, "anyOf": [_bounded(s, low, high) for s in schema["anyOf"]]}
    if schema.get("$ref") == "#/$defs/Figure":
        return {"allOf": [schema, {"properties": {"value": limits}}]}
    return schema


@functools.cache
def _class_spans(path: str) -> dict[str, tuple[int, int]]:
    """Each class in a source file by name: its first and last line (1-based).

    The file is parsed once; ``inspect.getsource`` would parse it again for
    every field, which made ``threshold schema profile`` take over a second.
    """
    import ast

    try:
        tree = ast.parse(Path(path).read_text(encoding="utf-8"))
    except (OSError, SyntaxError, UnicodeDecodeError):
        return {}
    return {
        node.name: (node.lineno, node.end_lineno or node.lineno)
        for node in ast.walk(tree)
        if isinstance(node, ast.ClassDef)
    }


@functools.cache
def _class_lines(cls: type) -> tuple[str, ...]:
    """The source lines of ``cls``'s body, or none when its source is not available."""
    import inspect

    try:
        path = inspect.getsourcefile(cls)
    except TypeError:
        return ()
    if path is None:
        return ()
    span = _class_spans(path).get(cls.__name__)
    if span is None:
        return ()
    lines = Path(path).read_text(encoding="utf-8").splitlines()
    return tuple(lines[span[0] - 1 : span[1]])


def _field_doc(cls: type, name: str) -> str | None:
    """The ``#:`` comment above a field, when the source is available."""
    lines = _class_lines(cls)
    for i, line in enumerate(lines):
        if line.strip().startswith(f"{name}:"):
            docs: list[str] = []
            j = i - 1
            while j >= 0 and lines[j].strip().startswith("#:"):
                docs.insert(0, lines[j].strip()[2:].strip())
                j -= 1
            return " ".join(docs) or None
    return None


def _document(
    title: str,
    root: type,
    customize: typing.Callable[[_Builder, dict[str, Any]], None] | None = None,
) -> dict[str, Any]:
    b = _Builder()
    b.of_class(root)
    top = dict(b.defs.pop(root.__name__))
    if customize is not None:
        customize(b, top)
    return {
        "$schema": SCHEMA_DIALECT,
        "$id": f"https://threshold.invalid/schema/{title.split()[-1]}.json",
        "title": title,
        **top,
        "$defs": dict(sorted(b.defs.items())),
    }


def schema(
    name: str, settings_types: Mapping[str, type] | None = None,
    extension_types: Mapping[str, type] | None = None,
    extension_plugins: Mapping[str, str] | None = None,
) -> dict[str, Any]:
    """The JSON Schema called ``name`` (one of :data:`NAMES`).

    ``settings_types`` are the plugins' ``[settings.<name>]`` classes (config
    schema); ``extension_types`` their ``[extensions.<name>]`` classes (profile
    schema), with the plugin that declares each in ``extension_plugins``.
    """
    if name == "profile":

        def add_extensions(b: _Builder, top: dict[str, Any]) -> None:
            props = {}
            for n, cls in sorted((extension_types or {}).items()):
                who = (extension_plugins or {}).get(n)
                props[n] = {**b.of_class(cls), "description": f"[extensions.{n}]" + (
                    f", declared by plugin {who}" if who else "")}
            top["properties"]["extensions"] = {
                "type": "object",
                "properties": props,
                "additionalProperties": False,
                "description": "One [extensions.<name>] section per profile extension a plugin "
                "declares (threshold_profile_extensions).",
            }

        return _document("threshold profile", CompanyProfile, add_extensions)
    if name == "decision":

        def all_required(b: _Builder, top: dict[str, Any]) -> None:
            # Every field is always written (None as null), except source_path.
            for body in (top, *b.defs.values()):
                body["required"] = [k for k in body["properties"] if k != "source_path"]

        return _document("threshold decision", Decision, all_required)
    if name == "config":

        def add_settings(b: _Builder, top: dict[str, Any]) -> None:
            props = {n: b.of_class(cls) for n, cls in sorted((settings_types or {}).items())}
            top["properties"]["settings"] = {
                "type": "object",
                "properties": props,
                "additionalProperties": False,
                "description": "One [settings.<name>] section per plugin settings class.",
            }

        return _document("threshold config", ConfigFile, add_settings)
    raise KeyError(name)
