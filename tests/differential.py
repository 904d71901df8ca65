"""A seeded differential test of declarative packs against CEL on the whole profile.

:func:`generate` writes CEL conditions over the real profile paths (comparisons,
int and double arithmetic with division by zero and overflow, every string
literal form, ``in``, ``size``, ``has`` on present, absent and nested-absent
fields, ternaries, ``&&``/``||`` with an error on either side, the five macros
over lists, map keys (``fx``) and ``figures`` entries, macro variables that
shadow or resemble internal names, indexing, comments and newlines inside
paths). :func:`compare` evaluates each through threshold (the conditions are
the rules of packs of several rules, loaded from TOML files with ``load_pack``)
and through CEL directly on the whole nested profile, converted here
independently of threshold's projection, over every example company and
variants with fields and tables removed.

Used by ``tests/declarative/test_cel_differential.py`` (a fixed seed) and
``benchmarks/cel_differential.py`` (a bigger run).
"""

from __future__ import annotations

import enum
import functools
import json
import random
import re
import tempfile
import tomllib
import typing
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import attrs

from threshold_core import Context, Engine, InputError
from threshold_core.declarative import ConditionError, figures_of, load_pack
from threshold_core.load import profile_from_data
from threshold_core.model import CompanyProfile, Figure

REPO = Path(__file__).resolve().parents[1]
COMPANIES = REPO / "examples" / "companies"

# --------------------------------------------------------------------------- the schema's paths


def _unwrap(tp: Any) -> Any:
    args = [a for a in typing.get_args(tp) if a is not type(None)]
    if typing.get_origin(tp) in (typing.Union, typing.get_origin(int | None)) and len(args) == 1:
        return args[0]
    return tp


def _kind(tp: Any) -> tuple[str, tuple[str, ...]] | None:
    """(CEL kind, enum values) of a scalar type; None for anything else."""
    if tp is Figure or tp is float:
        return "double", ()
    if tp is bool:
        return "bool", ()
    if tp is int:
        return "int", ()
    if tp is str:
        return "string", ()
    if isinstance(tp, type) and issubclass(tp, enum.Enum):
        return "string", tuple(str(m.value) for m in tp)
    if tp in (date, datetime):
        return "timestamp", ()
    return None


@dataclass
class Schema:
    #: path (from ``profile``) -> (kind, enum values)
    scalars: dict[str, tuple[str, tuple[str, ...]]] = field(default_factory=dict)
    #: list path -> {element field -> (kind, enum values)} ({} for lists of scalars)
    lists: dict[str, dict[str, tuple[str, tuple[str, ...]]]] = field(default_factory=dict)
    #: struct paths (sections)
    structs: list[str] = field(default_factory=list)


def schema() -> Schema:
    out = Schema()

    def walk(cls: type, prefix: str, depth: int) -> None:
        hints = typing.get_type_hints(cls)
        for a in attrs.fields(cls):
            tp = _unwrap(hints[a.name])
            path = f"{prefix}.{a.name}"
            kind = _kind(tp)
            if kind is not None:
                out.scalars[path] = kind
            elif typing.get_origin(tp) in (tuple, list):
                item = _unwrap(typing.get_args(tp)[0])
                fields: dict[str, tuple[str, tuple[str, ...]]] = {}
                if isinstance(item, type) and attrs.has(item):
                    item_hints = typing.get_type_hints(item)
                    for f in attrs.fields(item):
                        k = _kind(_unwrap(item_hints[f.name]))
                        if k is not None:
                            fields[f.name] = k
                out.lists[path] = fields
            elif isinstance(tp, type) and attrs.has(tp) and depth < 3:
                out.structs.append(path)
                walk(tp, path, depth + 1)

    walk(CompanyProfile, "profile", 0)
    return out


# --------------------------------------------------------------------------- the generator

#: Names a macro variable may take: plain, shadowing the variables, or shaped like
#: the internal names of a rewriting front end.
BINDERS = ["x", "s", "profile", "figures", "fx", "_profile__financials__cash",
           "_has__profile__valuation__source", "profile__name", "v1", "y",
           "x", "s", "profile", "__result__"]


class Generator:
    def __init__(self, seed: int) -> None:
        self.r = random.Random(seed)
        self.s = schema()
        self.scalar_paths = sorted(self.s.scalars)
        self.list_paths = sorted(self.s.lists)

    def pick(self, seq: Any) -> Any:
        return self.r.choice(list(seq))

    # a path written with comments or newlines inside, now and then
    def spell(self, path: str) -> str:
        if self.r.random() < 0.08:
            parts = path.split(".")
            glue = self.pick([" // note\n  .", "\n.", " . ", ".\n"])
            return glue.join(parts)
        return path

    def literal(self, kind: str, values: tuple[str, ...] = ()) -> str:
        r = self.r
        if kind == "double":
            return self.pick(["0.0", "1.0", "12.0", "50.0", "100.0", "1.0e9", "4.0e9", "-1.0",
                              "1e300 * 1e300"])
        if kind == "int":
            return self.pick(["0", "1", "3", "100", "-5", "9223372036854775807"])
        if kind == "bool":
            return self.pick(["true", "false"])
        if kind == "timestamp":
            return self.pick(["timestamp('2025-01-01T00:00:00Z')",
                              "timestamp('2026-06-30T00:00:00Z')"])
        if values and r.random() < 0.7:
            v = self.pick(values)
            return self.string(v)
        return self.string(self.pick(["", "x", "CNY", "Zhipu AI", "it's", "a\\b", "\\"]))

    def string(self, text: str) -> str:
        """``text`` as a CEL string literal of a random form (raw only when it can be)."""
        forms = ["'", '"', "'''", '"""']
        quote = self.pick(forms)
        raw_ok = "\\" not in text or self.r.random() < 0.5
        if raw_ok and self.r.random() < 0.3 and quote not in text and not text.endswith(
                quote[0]) and "\\" not in text:
            return f"r{quote}{text}{quote}"
        escaped = text.replace("\\", "\\\\").replace(quote[0], "\\" + quote[0])
        return f"{quote}{escaped}{quote}"

    def scalar(self, kinds: tuple[str, ...] | None = None) -> tuple[str, str, tuple[str, ...]]:
        paths = [p for p in self.scalar_paths
                 if kinds is None or self.s.scalars[p][0] in kinds]
        path = self.pick(paths)
        kind, values = self.s.scalars[path]
        return self.spell(path), kind, values

    def comparison(self) -> str:
        path, kind, values = self.scalar()
        if kind in ("double", "int"):
            op = self.pick(["<", "<=", ">", ">=", "==", "!="])
        elif kind == "timestamp":
            op = self.pick(["<", ">", "=="])
        else:
            op = self.pick(["==", "!="])
        return f"{path} {op} {self.literal(kind, values)}"

    def arithmetic(self) -> str:
        path, kind, _ = self.scalar(("double", "int"))
        if kind == "double":
            other, _, _ = self.scalar(("double",))
            expr = self.pick([f"{path} / {other}", f"{path} * 2.0", f"{path} - {other}",
                              f"{path} / 0.0", f"{path} + 1.0"])
            return f"{expr} {self.pick(['<', '>'])} {self.literal('double')}"
        expr = self.pick([f"{path} / 0", f"{path} % 0", f"{path} * 9223372036854775807",
                          f"{path} + 1", f"{path} - 9223372036854775807 - 2",
                          f"-{path}"])
        return f"{expr} {self.pick(['<', '>', '=='])} {self.literal('int')}"

    def strings(self) -> str:
        path, _, _ = self.scalar(("string",))
        return self.pick([
            f"({self.string(chr(92))} + {path} + {self.string(chr(92))}).size() > 3",
            f"{path}.startsWith({self.literal('string')})",
            f"{path}.contains({self.literal('string')})",
            f"{path} + {self.literal('string')} == {self.literal('string')}",
            f"size({path}) {self.pick(['>', '==', '<'])} {self.pick(['0', '3', '10'])}",
            f"{path}.matches('^[A-Z]')",
            f"{path} != r'\\'" if self.r.random() < 0.2 else f"{path} != '\\\\'",
        ])

    def membership(self) -> str:
        path, kind, values = self.scalar(("string", "double", "int"))
        items = ", ".join(self.literal(kind, values) for _ in range(self.r.randint(0, 3)))
        if self.r.random() < 0.2:
            return f"{self.literal(kind, values)} in [{path}]"
        if kind == "string" and self.r.random() < 0.3:
            binder = self.pick(BINDERS)
            return f"[{items}].exists({binder}, {path} == {binder})"
        return f"{path} in [{items}]"

    def presence(self) -> str:
        path = self.spell(self.pick(self.scalar_paths + self.s.structs + self.list_paths))
        return f"{'!' if self.r.random() < 0.3 else ''}has({path})"

    def macro(self) -> str:
        r = self.r
        binder = self.pick(BINDERS)
        target = r.random()
        if target < 0.15:  # figures entries
            rng = "figures"
            body = self.pick([f"{binder}.source.startsWith('illustrative')",
                              f"{binder}.value > 100.0", f"{binder}.path.contains('pct')",
                              f"has({binder}.as_of)", f"{binder}.note == ''"])
        elif target < 0.25:  # a map's keys
            rng = "fx"
            body = self.pick([f"{binder} == 'USD'", f"fx[{binder}] > 1.0",
                              f"{binder}.size() == 3"])
        else:
            rng = self.pick(self.list_paths)
            fields = self.s.lists[rng]
            if fields:
                name = self.pick(fields)
                kind, values = fields[name]
                body = self.pick([
                    f"{binder}.{name} == {self.literal(kind, values)}" if kind != "bool"
                    else f"{binder}.{name}",
                    f"has({binder}.{name})",
                    f"has({binder}.{name}) && {binder}.{name} != {self.literal(kind, values)}",
                ])
            else:
                body = f"{binder} != ''"
            rng = self.spell(rng)
        macro = self.pick(["all", "exists", "exists_one", "filter", "map"])
        if macro == "filter":
            return f"size({rng}.filter({binder}, {body})) {self.pick(['>', '=='])} 0"
        if macro == "map":
            return f"{rng}.map({binder}, {body}).exists(y, y)"
        return f"{rng}.{macro}({binder}, {body})"

    def indexing(self) -> str:
        rng = self.pick([p for p in self.list_paths if self.s.lists[p]])
        name = self.pick(self.s.lists[rng])
        kind, values = self.s.lists[rng][name]
        index = self.pick(["0", "1", "5"])
        if self.r.random() < 0.2:
            return f"fx[{self.string(self.pick(['USD', 'XXX', 'CNY']))}] > 1.0"
        return f"{self.spell(rng)}[{index}].{name} == {self.literal(kind, values)}"

    def error(self) -> str:
        return self.pick(["size(profile.name) / 0 > 0", "9223372036854775807 + 1 > 0",
                          "profile.services[9].public_prc", "int('x') > 0"])

    def atom(self) -> str:
        return self.pick([self.comparison, self.comparison, self.arithmetic, self.strings,
                          self.membership, self.presence, self.macro, self.macro,
                          self.indexing])()

    def condition(self, depth: int = 0) -> str:
        r = self.r.random()
        if depth < 2 and r < 0.25:
            op = self.pick(["&&", "||"])
            left = self.error() if self.r.random() < 0.15 else self.condition(depth + 1)
            right = self.error() if self.r.random() < 0.15 else self.condition(depth + 1)
            return f"({left}) {op} ({right})"
        if depth < 2 and r < 0.35:
            return (f"{self.condition(depth + 1)} ? {self.condition(depth + 1)} : "
                    f"{self.condition(depth + 1)}")
        if depth < 2 and r < 0.4:
            return f"!({self.condition(depth + 1)})"
        return self.atom()


def generate(seed: int, count: int) -> list[str]:
    g = Generator(seed)
    out: list[str] = []
    seen: set[str] = set()
    while len(out) < count:
        c = g.condition()
        if c not in seen:
            seen.add(c)
            out.append(c)
    return out


# --------------------------------------------------------------------------- profiles

#: Fields and tables removed from every example company, one at a time.
REMOVALS = ["financials", "financials.cash", "financials.revenue_mix", "valuation.source",
            "compute", "services", "investors", "listing", "customers", "evaluations",
            "technology.benchmark_claims", "filings"]


def variants(removals: list[str] | None = None) -> Iterator[tuple[str, dict[str, Any]]]:
    for path in sorted(COMPANIES.glob("*.toml")):
        data = tomllib.loads(path.read_text(encoding="utf-8"))
        yield path.stem, data
        for drop in REMOVALS if removals is None else removals:
            out = json.loads(json.dumps(data, default=str))
            *head, last = drop.split(".")
            node = out
            for key in head:
                node = node.get(key) if isinstance(node.get(key), dict) else {}
            if last in node:
                node.pop(last)
                yield f"{path.stem}-{drop}", out
        if "filings" in data:  # researched, none on record: an empty list, not absent
            out = json.loads(json.dumps(data, default=str))
            out["filings"] = []
            yield f"{path.stem}-filings=[]", out


# --------------------------------------------------------------------------- the whole profile


@functools.cache
def _hints(cls: type) -> dict[str, Any]:
    return typing.get_type_hints(cls)


def _timestamp(d: date) -> Any:
    from google.protobuf import timestamp_pb2

    ts = timestamp_pb2.Timestamp()
    ts.FromDatetime(datetime(d.year, d.month, d.day, tzinfo=UTC))
    return ts


def whole(value: Any, owner: type | None = None, name: str = "") -> Any:
    """The documented mapping of a profile value to CEL, written plainly (not
    threshold's generated projection): None is absent, a figure its double,
    enums their values, dates timestamps, an empty list whose model default is
    ``()`` absent."""
    if isinstance(value, Figure):
        return float(value.value)
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, bool | str):
        return value
    if isinstance(value, int):
        hint = _hints(owner).get(name) if owner else None
        return float(value) if hint is not None and _unwrap(hint) is float else value
    if isinstance(value, float):
        return value
    if isinstance(value, date):
        return _timestamp(value)
    if isinstance(value, tuple | list):
        return [whole(v) for v in value]
    if isinstance(value, dict):
        return {k: whole(v) for k, v in value.items() if v is not None}
    if attrs.has(type(value)):
        out = {}
        for a in attrs.fields(type(value)):
            v = getattr(value, a.name)
            if v is None:
                continue
            if v == () and a.default == ():
                continue
            out[a.name] = whole(v, type(value), a.name)
        return out
    raise TypeError(type(value))


def _absent(data: dict[str, Any], label: str) -> bool:
    """Whether the path ``label`` (``services[1].minor_mode``) is absent in ``data``."""
    node: Any = data
    for part in label.split("."):
        name, _, index = part.partition("[")
        if not isinstance(node, dict) or name not in node:
            return True
        node = node[name]
        if index:
            node = node[int(index.rstrip("]"))]
    return False


# --------------------------------------------------------------------------- the comparison


@dataclass
class Result:
    conditions: int = 0
    #: refused at load by CEL's type checker (and by CEL's checker alone)
    rejected: int = 0
    #: refused at load because a string compared with an enum field is none of its values
    enum_rejected: int = 0
    rejections: list[str] = field(default_factory=list)

    @property
    def compared(self) -> int:
        """Conditions that loaded and were compared."""
        return self.conditions - self.rejected - self.enum_rejected
    comparisons: int = 0
    mismatches: list[str] = field(default_factory=list)
    outcomes: dict[str, int] = field(default_factory=dict)


def compare(conditions: list[str], pack_size: int = 40,
            removals: list[str] | None = None) -> Result:
    from threshold_core.declarative import environments

    envs = environments()
    engine = Engine()
    result = Result(conditions=len(conditions))
    packs: list[tuple[Any, list[str]]] = []
    with tempfile.TemporaryDirectory() as tmp:
        for start in range(0, len(conditions), pack_size):
            chunk = list(conditions[start : start + pack_size])
            while chunk:
                path = Path(tmp) / f"d{start}.toml"
                text = ['[pack]\nname = "d"\nversion = "1.0.0"\n']
                for i, when in enumerate(chunk):
                    text.append(f'\n[[rules]]\nid = "D{start + i}"\ntitle = "t"\n'
                                f'severity = "info"\nwhen = {json.dumps(when)}\n'
                                f'message = "m"\nrationale = "r"\nsource = "s"\n')
                path.write_text("".join(text), encoding="utf-8")
                try:
                    packs.append((load_pack(path), chunk))
                    break
                except InputError as exc:
                    bad = {int(p.path.split("[", 1)[1].split("]", 1)[0]): p.message
                           for p in exc.problems}
                    for i, message in sorted(bad.items()):
                        when = chunk[i]
                        if "is not a value of" in message:  # threshold's enum check
                            result.enum_rejected += 1
                            continue
                        result.rejected += 1
                        result.rejections.append(message.split("\n")[0])
                        try:  # otherwise threshold refuses only what CEL's checker refuses
                            envs.check.compile(when)
                            result.mismatches.append(
                                f"refused by threshold, accepted by CEL's checker: {when}: "
                                f"{message}")
                        except RuntimeError:
                            pass
                    chunk = [c for i, c in enumerate(chunk) if i not in bad]
    rates = {"CNY": 1.0, **{k: float(v) for k, v in engine.fx.rates.items()}}
    programs = {when: envs.run.compile(when) for _, chunk in packs for when in chunk}
    for label, data in variants(removals):
        profile = profile_from_data(data)
        context = Context(fx=engine.fx, as_of=profile.as_of)
        nested = whole(profile)
        reference = {"profile": nested, "figures": figures_of(profile), "fx": rates}
        if profile.as_of is not None:
            reference["as_of"] = datetime(profile.as_of.year, profile.as_of.month,
                                          profile.as_of.day, tzinfo=UTC)
        activation = envs.run.Activation(reference)
        for pack, chunk in packs:
            for rule, when in zip(pack.rules, chunk, strict=True):
                expected = programs[when].eval(activation)
                value = expected.value()
                error = ""
                try:
                    outcome = rule.evaluate(profile, None, context)
                    got, missing = str(outcome.status), outcome.missing
                except (ConditionError, TypeError) as exc:
                    got, missing, error = "error", (), str(exc)
                result.comparisons += 1
                result.outcomes[got] = result.outcomes.get(got, 0) + 1
                ok = _agrees(value, expected.type().name(), got, missing, nested)
                if not ok and " / " in when and (
                        (got == "error" and (_DOUBLE_DIVISION.search(error)
                                             or isinstance(value, bool)))
                        or (got == "not_evaluated" and isinstance(value, bool) and missing
                            and all(_absent(nested, m) for m in missing))):
                    # threshold fails closed where IEEE division gives an infinity or a NaN
                    # (docs/rulepacks.md): an error instead of CEL's outcome (a comparison
                    # with it, or another error beside it, which CEL's || then absorbs);
                    # with absent data on the other side of && or ||, not_evaluated
                    ok = True
                    result.outcomes["division"] = result.outcomes.get("division", 0) + 1
                if not ok:
                    result.mismatches.append(
                        f"{label}: {when!r}: CEL {value!r}, threshold {got} {missing}")
    return result


#: threshold's error for a double divided by zero or a non-finite quotient.
_DOUBLE_DIVISION = re.compile(r"failed: (?:INVALID_ARGUMENT: divide by zero|"
                              r"OUT_OF_RANGE: the quotient is not a finite number)$")


def _agrees(value: Any, kind: str, got: str, missing: tuple[str, ...],
            nested: dict[str, Any]) -> bool:
    if value is True:
        return got == "fired"
    if value is False:
        return got == "passed"
    if kind != "ERROR":  # not a boolean: a broken rule
        return got == "error"
    absent_key = isinstance(value, str) and value.startswith("NOT_FOUND: Key not found")
    if got == "not_evaluated":
        # only for data the profile lacks, naming paths that are absent
        return absent_key and bool(missing) and all(_absent(nested, m) for m in missing)
    if got == "error":
        if not absent_key:
            return True
        key = value.split('"')[1] if '"' in value else ""
        from threshold_core.declarative import model_field_names

        return key not in model_field_names()  # a map's key (fx), not the profile's
    return False
