"""The CEL specification's simple conformance tests, through the CEL library
threshold uses and through threshold's own path.

Run it from the repository root::

    python benchmarks/cel_conformance.py [--data DIR] [--quiet]

``DIR`` (default ``../shared/cel-conformance``, see :data:`DEFAULT_DATA`) holds
the ``*.textproto`` files of cel-spec's ``tests/simple/testdata`` (Apache-2.0;
not part of this project).
Each test runs:

* **directly** through ``cel-expr-python`` (cel-cpp), the evaluator threshold
  uses: declared variables, bindings, container, checked unless the test
  disables checking;
* through **common-expression-language** (the Rust library threshold used
  before), when it is installed, for comparison;
* through **threshold**, where the test fits a declarative rule: no variables
  of its own (a condition sees only threshold's variables), checked (threshold
  always type-checks), and a boolean or an error expected. The tests of a file
  become the rules of one pack file, loaded with ``load_pack`` and evaluated on
  an example company the way the engine does: true must fire, false pass, an
  error make the rule an ``error`` (or the pack refuse it at load).

A test that needs protobuf test messages (``TestAllTypes``...), an extension
threshold does not enable, or a type declaration this script cannot build is
skipped. Prints passed/failed/skipped per file and in total. Exits 1 when a
test passes directly but fails through threshold (a threshold bug).
"""

from __future__ import annotations

import argparse
import json
import math
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
#: ``../shared/cel-conformance`` beside the repository (or beside the folder of
#: a worktree of it, as in ``/work/wt/NAME``).
DEFAULT_DATA = next(
    (p for p in (REPO.parent / "shared" / "cel-conformance",
                 REPO.parent.parent / "shared" / "cel-conformance") if p.is_dir()),
    REPO.parent / "shared" / "cel-conformance")

# --------------------------------------------------------------------------- text format

Message = dict[str, list[Any]]


def _tokens(text: str) -> Iterator[tuple[str, Any]]:
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        if c in " \t\r\n,;":
            i += 1
        elif c == "#":
            while i < n and text[i] != "\n":
                i += 1
        elif c in "{}<>:[]":
            yield ("op", c)
            i += 1
        elif c in "\"'":
            raw, i = _string(text, i)
            yield ("str", raw)
        else:
            j = i
            while j < n and (text[j].isalnum() or text[j] in "_.-+/"):
                j += 1
            if j == i:
                raise ValueError(f"unexpected {c!r} at {i}")
            yield ("word", text[i:j])
            i = j


def _string(text: str, i: int) -> tuple[bytes, int]:
    quote = text[i]
    i += 1
    out = bytearray()
    while text[i] != quote:
        c = text[i]
        if c != "\\":
            out += c.encode("utf-8")
            i += 1
            continue
        e = text[i + 1]
        i += 2
        simple = {"n": b"\n", "t": b"\t", "r": b"\r", "\\": b"\\", "'": b"'", '"': b'"',
                  "a": b"\a", "b": b"\b", "f": b"\f", "v": b"\v", "?": b"?"}
        if e in simple:
            out += simple[e]
        elif e in "xX":
            j = i
            while j < i + 2 and text[j] in "0123456789abcdefABCDEF":
                j += 1
            out.append(int(text[i:j], 16))
            i = j
        elif e in "01234567":
            j = i - 1
            while j < i + 2 and text[j] in "01234567":
                j += 1
            out.append(int(text[i - 1 : j], 8) & 0xFF)
            i = j
        elif e == "u":
            out += chr(int(text[i : i + 4], 16)).encode("utf-8", "surrogatepass")
            i += 4
        elif e == "U":
            out += chr(int(text[i : i + 8], 16)).encode("utf-8", "surrogatepass")
            i += 8
        else:
            out += e.encode()
    return bytes(out), i + 1


def parse_textproto(text: str) -> Message:
    """A protobuf text-format message as {field: [values]} (strings stay bytes)."""
    toks = list(_tokens(text))
    pos = 0

    def message(end: str | None) -> Message:
        nonlocal pos
        out: Message = {}
        while pos < len(toks):
            kind, value = toks[pos]
            if kind == "op" and value in "}>":
                pos += 1
                return out
            name = value
            pos += 1
            if toks[pos] == ("op", ":"):
                pos += 1
            out.setdefault(name, []).extend(values())
        return out

    def values() -> list[Any]:
        nonlocal pos
        kind, value = toks[pos]
        if kind == "op" and value == "[":
            pos += 1
            items = []
            while toks[pos] != ("op", "]"):
                items.extend(values())
            pos += 1
            return items
        if kind == "op" and value in "{<":
            pos += 1
            return [message("}")]
        if kind == "str":
            pos += 1
            raw = value
            while pos < len(toks) and toks[pos][0] == "str":  # adjacent strings concatenate
                raw += toks[pos][1]
                pos += 1
            return [raw]
        pos += 1
        return [value]

    return message(None)


def _one(msg: Message, name: str, default: Any = None) -> Any:
    values = msg.get(name)
    return values[-1] if values else default


def _text(raw: bytes) -> str:
    return raw.decode("utf-8", "surrogatepass")


class Skip(Exception):
    pass


def _number(word: str) -> float | int:
    low = word.lower()
    if low in ("inf", "infinity", "+inf"):
        return math.inf
    if low in ("-inf", "-infinity"):
        return -math.inf
    if low == "nan":
        return math.nan
    if any(c in low for c in ".e") and not low.startswith("0x"):
        return float(word)
    return int(word, 0)


def to_python(value: Message) -> tuple[str, Any]:
    """A ``cel.expr.Value`` as (kind, Python value)."""
    if "null_value" in value:
        return "null", None
    if "bool_value" in value:
        return "bool", _one(value, "bool_value") == "true"
    if "int64_value" in value:
        return "int", int(_one(value, "int64_value"))
    if "uint64_value" in value:
        return "uint", int(_one(value, "uint64_value"))
    if "double_value" in value:
        return "double", float(_number(_one(value, "double_value")))
    if "string_value" in value:
        return "string", _text(_one(value, "string_value"))
    if "bytes_value" in value:
        return "bytes", _one(value, "bytes_value")
    if "list_value" in value:
        items = _one(value, "list_value").get("values", [])
        return "list", [to_python(v)[1] for v in items]
    if "map_value" in value:
        out = {}
        for entry in _one(value, "map_value").get("entries", []):
            out[to_python(_one(entry, "key"))[1]] = to_python(_one(entry, "value"))[1]
        return "map", out
    if not value:  # an empty Value: the default, int 0 in most tests' eyes
        raise Skip("empty value")
    raise Skip(f"value kind {sorted(value)[0]}")


def _same(expected: Any, got: Any) -> bool:
    if isinstance(got, bytearray):
        got = bytes(got)
    if isinstance(expected, float) and isinstance(got, float):
        return (math.isnan(expected) and math.isnan(got)) or expected == got
    if isinstance(expected, bool) or isinstance(got, bool):
        return type(expected) is type(got) and expected == got
    if isinstance(expected, list) and isinstance(got, list):
        return len(expected) == len(got) and all(map(_same, expected, got))
    if isinstance(expected, dict) and isinstance(got, dict):
        return expected.keys() == got.keys() and all(_same(v, got[k]) for k, v in expected.items())
    if isinstance(expected, bytes) and isinstance(got, str):
        return False
    return type(expected) is type(got) and expected == got


# --------------------------------------------------------------------------- one test

class Test:
    def __init__(self, file: str, section: str, msg: Message) -> None:
        self.file = file
        self.name = f"{section}/{_text(_one(msg, 'name', b''))}"
        self.expr = _text(_one(msg, "expr", b""))
        self.disable_check = _one(msg, "disable_check") == "true"
        self.check_only = _one(msg, "check_only") == "true"
        self.container = _text(_one(msg, "container", b""))
        self.decls = msg.get("type_env", [])
        self.bindings = msg.get("bindings", [])
        self.msg = msg
        self.expect_error = "eval_error" in msg or "any_eval_errors" in msg
        self.expected: tuple[str, Any] | None = None
        if "value" in msg:
            self.expected = to_python(_one(msg, "value"))
        elif not self.expect_error:
            raise Skip("expects a typed result or unknowns")
        if self.check_only:
            raise Skip("check only")
        text = self.expr + self.container + json.dumps(str(msg))
        if "TestAllTypes" in text or "conformance" in text or "object_value" in text:
            raise Skip("needs the conformance protobuf messages")


_PRIMITIVES = {"INT64": "INT", "UINT64": "UINT", "DOUBLE": "DOUBLE", "STRING": "STRING",
               "BOOL": "BOOL", "BYTES": "BYTES"}


def _cel_type(cel: Any, t: Message) -> Any:
    T = cel.Type
    if "primitive" in t:
        return getattr(T, _PRIMITIVES[_one(t, "primitive")])
    if "list_type" in t:
        return T.List(_cel_type(cel, _one(_one(t, "list_type"), "elem_type")))
    if "map_type" in t:
        m = _one(t, "map_type")
        return T.Map(_cel_type(cel, _one(m, "key_type")), _cel_type(cel, _one(m, "value_type")))
    if "dyn" in t:
        return T.DYN
    if "null" in t:
        return T.NULL
    if "well_known" in t:
        known = {"TIMESTAMP": T.TIMESTAMP, "DURATION": T.DURATION, "ANY": T.DYN}
        return known[_one(t, "well_known")]
    raise Skip(f"declaration type {sorted(t)[0]}")


#: Files of tests that need a CEL extension (or two-variable macros). The direct run
#: enables the extensions cel-expr-python ships; threshold enables none, so these
#: never go through threshold.
EXTENSION_FILES = frozenset({"bindings_ext", "block_ext", "encoders_ext", "math_ext",
                             "network_ext", "optionals", "string_ext", "proto2_ext",
                             "macros2"})


def _extensions() -> list[Any]:
    from cel_expr_python.ext import (
        ext_bindings,
        ext_encoders,
        ext_math,
        ext_optional,
        ext_strings,
    )

    return [ext_bindings.ExtBindings(), ext_encoders.ExtEncoders(), ext_math.ExtMath(),
            ext_optional.ExtOptional(), ext_strings.ExtStrings()]


def _bindings(test: Test) -> dict[str, Any]:
    data = {}
    for b in test.bindings:
        expr_value = _one(b, "value")
        if "value" not in expr_value:
            raise Skip("binding without a value")
        data[_text(_one(b, "key"))] = to_python(_one(expr_value, "value"))[1]
    return data


def run_direct(cel: Any, test: Test) -> bool:
    variables = {}
    for decl in test.decls:
        if "ident" not in decl:
            raise Skip("function declarations")
        variables[_text(_one(decl, "name"))] = _cel_type(cel, _one(_one(decl, "ident"), "type"))
    data = _bindings(test)
    kwargs: dict[str, Any] = {"variables": variables}
    if test.container:
        kwargs["container"] = test.container
    if test.file in EXTENSION_FILES:
        kwargs["extensions"] = _extensions()
    env = cel.NewEnv(**kwargs)
    try:
        program = env.compile(test.expr, disable_check=test.disable_check)
        result = program.eval(data=data)
    except Exception:
        return test.expect_error
    kind = result.type().name()
    if kind == "ERROR":
        return test.expect_error
    if test.expect_error or test.expected is None:
        return False
    want_kind, want = test.expected
    got = result.plain_value()
    kinds = {"int": "INT", "uint": "UINT", "double": "DOUBLE", "string": "STRING",
             "bytes": "BYTES", "bool": "BOOL", "null": "NULL"}
    if want_kind in kinds and kinds[want_kind] != kind:
        return False
    return _same(want, got)


def run_rust(cel: Any, test: Test) -> bool:
    if test.container:
        raise Skip("containers")
    data = _bindings(test)
    try:
        got = cel.compile(test.expr).execute(data)
    except BaseException as exc:  # the Rust library raises its own errors (even panics)
        if isinstance(exc, KeyboardInterrupt):
            raise
        return test.expect_error
    if test.expect_error or test.expected is None:
        return False
    want_kind, want = test.expected
    if want_kind in ("int", "uint") and isinstance(got, float):
        return False
    return _same(want, got)


# --------------------------------------------------------------------------- threshold

def fits_threshold(test: Test) -> bool:
    if test.decls or test.bindings or test.container or test.disable_check:
        return False
    if test.file in EXTENSION_FILES:
        return False
    return test.expect_error or (test.expected is not None and test.expected[0] == "bool")


def run_threshold(tests: list[Test]) -> dict[int, str]:
    """Every test as a rule of one pack, evaluated on an example company:
    index -> "pass", "fail" or "limit" (refused by a documented limit)."""
    from threshold_core import Context, Engine, InputError
    from threshold_core.declarative import ConditionError, load_pack

    engine = Engine()
    profile = engine.load_profile(REPO / "examples" / "companies" / "zhipu.toml")
    out: dict[int, str] = {}
    remaining = dict(enumerate(tests))
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "conformance.toml"
        while remaining:
            order = list(remaining)
            parts = ['[pack]\nname = "conformance"\nversion = "1.0.0"\n']
            for k, i in enumerate(order):
                parts.append(
                    f'\n[[rules]]\nid = "T{k}"\ntitle = "t"\nseverity = "info"\n'
                    f"when = {json.dumps(remaining[i].expr, ensure_ascii=False)}\n"
                    f'message = "m"\nrationale = "r"\nsource = "s"\n')
            path.write_text("".join(parts), encoding="utf-8")
            try:
                pack = load_pack(path)
            except InputError as exc:
                for problem in exc.problems:
                    index = int(problem.path.split("[", 1)[1].split("]", 1)[0])
                    i = order[index]
                    if i in remaining:
                        test = remaining.pop(i)
                        if "too large" in problem.message:
                            out[i] = "limit"
                        else:  # refused at load: right only where an error is expected
                            out[i] = "pass" if test.expect_error else "fail"
                continue
            context = Context(fx=engine.fx, as_of=profile.as_of)
            for k, i in enumerate(order):
                test = remaining[i]
                try:
                    status = pack.rules[k].evaluate(profile, None, context).status
                except (ConditionError, TypeError) as exc:
                    status = "error"
                    if not test.expect_error and _FAIL_CLOSED in str(exc):
                        out[i] = "fail_closed"  # threshold's own rule, see _FAIL_CLOSED
                        continue
                if test.expect_error:
                    out[i] = "pass" if status == "error" else "fail"
                else:
                    want = "fired" if test.expected == ("bool", True) else "passed"
                    out[i] = "pass" if status == want else "fail"
            remaining.clear()
    return out


#: threshold's rules fail closed where IEEE 754 division gives an infinity or a NaN
#: (docs/rulepacks.md): a test that expects a value from such a quotient (``0.0/0.0 !=
#: 0.0/0.0``) is then an error through threshold, deliberately, and counted apart.
_FAIL_CLOSED = "divide by zero"


# --------------------------------------------------------------------------- main

def load_tests(path: Path) -> tuple[list[Test], int]:
    data = parse_textproto(path.read_text(encoding="utf-8"))
    tests, skipped = [], 0
    for section in data.get("section", []):
        for msg in section.get("test", []):
            try:
                tests.append(Test(path.stem, _text(_one(section, "name", b"")), msg))
            except Skip:
                skipped += 1
    return tests, skipped


def _counts(c: list[int]) -> str:
    return f"{c[0]} passed {c[1]} failed {c[2]} skipped"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--quiet", action="store_true", help="totals and failures only")
    parser.add_argument("--show", metavar="IMPL", default="",
                        help="list the failures of an implementation (cel-expr-python, ...)")
    parser.add_argument("--no-rust", action="store_true",
                        help="skip common-expression-language even if installed")
    args = parser.parse_args(argv)
    files = sorted(args.data.glob("*.textproto"))
    if not files:
        print(f"no *.textproto files in {args.data}", file=sys.stderr)
        return 2
    from cel_expr_python import cel

    rust = None
    if not args.no_rust:
        try:
            import cel as rust  # type: ignore[import-not-found,no-redef]
        except ImportError:
            rust = None
    columns = ["cel-expr-python", "threshold"] + (["common-expression-language"] if rust else [])
    totals = {c: [0, 0, 0] for c in columns}
    core = {c: [0, 0, 0] for c in columns}  # the files that need no extension
    threshold_only: list[str] = []
    fail_closed: list[str] = []
    print(f"{'file':<22}" + "".join(f"  {c:>32}" for c in columns))
    for path in files:
        tests, skipped = load_tests(path)
        counts = {c: [0, 0, skipped] for c in columns}
        direct: dict[int, bool] = {}
        for i, test in enumerate(tests):
            try:
                direct[i] = run_direct(cel, test)
                counts["cel-expr-python"][0 if direct[i] else 1] += 1
                if not direct[i] and args.show == "cel-expr-python":
                    print(f"  FAIL {path.stem}: {test.name}: {test.expr}")
            except Skip:
                counts["cel-expr-python"][2] += 1
            if rust is not None:
                try:
                    ok = run_rust(rust, test)
                    counts["common-expression-language"][0 if ok else 1] += 1
                    if not ok and args.show == "common-expression-language":
                        print(f"  FAIL {path.stem}: {test.name}: {test.expr}")
                except Skip:
                    counts["common-expression-language"][2] += 1
        fitting = [i for i, t in enumerate(tests) if i in direct and fits_threshold(t)]
        results = run_threshold([tests[i] for i in fitting]) if fitting else {}
        counts["threshold"][2] += len(tests) - len(fitting)
        for k, i in enumerate(fitting):
            result = results[k]
            if result == "limit":
                counts["threshold"][2] += 1
            elif result == "fail_closed":
                counts["threshold"][2] += 1
                fail_closed.append(f"{path.name}: {tests[i].name}: {tests[i].expr}")
            elif result == "pass":
                counts["threshold"][0] += 1
            else:
                counts["threshold"][1] += 1
                if direct[i]:
                    threshold_only.append(f"{path.name}: {tests[i].name}: {tests[i].expr}")
        for c in columns:
            for j in range(3):
                totals[c][j] += counts[c][j]
                if path.stem not in EXTENSION_FILES:
                    core[c][j] += counts[c][j]
        if not args.quiet:
            print(f"{path.stem:<22}" + "".join(
                f"  {_counts(counts[c]):>32}" for c in columns))
    print(f"{'TOTAL':<22}" + "".join(
        f"  {_counts(totals[c]):>32}" for c in columns))
    print(f"{'core (no extension)':<22}" + "".join(
        f"  {_counts(core[c]):>32}" for c in columns))
    for c in columns:
        passed, failed, _ = totals[c]
        rate = passed / (passed + failed) if passed + failed else 0.0
        cp, cf, _ = core[c]
        core_rate = cp / (cp + cf) if cp + cf else 0.0
        print(f"{c}: {rate:.1%} of the tests it ran passed ({core_rate:.1%} of the core ones)")
    if fail_closed:
        print(f"\n{len(fail_closed)} tests expect a value from a double division by zero; "
              "threshold's rules fail closed there (skipped above):")
        for line in fail_closed:
            print("  " + line)
    if threshold_only:
        print(f"\n{len(threshold_only)} tests pass directly but fail through threshold:")
        for line in threshold_only:
            print("  " + line)
        return 1
    print("no test passes directly and fails through threshold")
    return 0


if __name__ == "__main__":
    sys.exit(main())
