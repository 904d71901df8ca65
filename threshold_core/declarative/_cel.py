"""The CEL library (Google's cel-cpp through ``cel-expr-python``), its environments,
the bounds a pack's expressions must keep, and the messages of its errors.

Two environments, built once per process (the checking one when a check is not in the
``threshold`` command's cache):

* the **checking** environment declares every variable with its type from the
  profile model (``profile`` is the message ``threshold.profile.CompanyProfile``,
  see :mod:`._schema`): compiling in it type-checks a condition at load, with
  CEL's own caret messages (an unknown field, ``double / int``...);
* the **running** environment declares ``profile`` and ``figures`` as ``dyn``
  and evaluates on the converted profile, where a field the profile lacks is a
  missing map key: reading it is an error CEL reports, ``has()`` is false.

An expression is compiled in both: it runs only if it type-checks, and at run
time the values have exactly the declared types (see :mod:`._projection`), so the
checked and the running program mean the same.
"""

from __future__ import annotations

import re
from datetime import UTC
from functools import cache, cached_property
from types import ModuleType
from typing import Any

from ..errors import PluginError
from . import _checkcache

#: Longest condition or placeholder, in characters (checked before CEL sees it).
MAX_EXPRESSION_CHARS = 4000
#: Deepest nesting of brackets, counted in the text, string literals included
#: (checked before CEL sees it; CEL's own parser stops at a recursion depth of 32).
MAX_NESTING = 24
#: Most binary operators (arithmetic, comparison, logic), counted in the text.
MAX_OPERATORS = 200

_OPERATORS = re.compile(r"&&|\|\||==|!=|<=|>=|[-+*/%<>?]")


def check_bounds(source: str) -> tuple[int, str] | None:
    """``(offset, message)`` when ``source`` is larger or deeper than a pack may ask
    for, before any CEL library sees it; None when it is within bounds."""
    if len(source) > MAX_EXPRESSION_CHARS:
        return 0, (f"the expression is {len(source):,} characters long; "
                   f"at most {MAX_EXPRESSION_CHARS:,} are allowed")
    depth = 0
    for i, c in enumerate(source):
        if c in "([{":
            depth += 1
            if depth > MAX_NESTING:
                return i, f"brackets nested deeper than {MAX_NESTING} levels"
        elif c in ")]}":
            depth -= 1
    count = len(_OPERATORS.findall(source))
    if count > MAX_OPERATORS:
        return 0, (f"the expression has {count:,} operators; at most {MAX_OPERATORS} "
                   "are allowed (split the rule)")
    return None


# --------------------------------------------------------------------------- the CEL library


def cel_module() -> ModuleType:
    """The compiled CEL library (``cel_expr_python.cel``)."""
    try:
        from cel_expr_python import cel  # type: ignore[import-untyped]
    except ImportError:  # pragma: no cover - a broken installation
        raise PluginError(
            "threshold_core.declarative",
            "declarative rule packs need the package cel-expr-python",
        ) from None
    module: ModuleType = cel
    return module


class Environments:
    """The checking and the running environment (see the module docstring). The checking
    one is built on first use: when every check comes from the command's cache, never."""

    def __init__(self) -> None:
        from ._arith import division_declaration
        from ._schema import descriptor_pool

        cel = cel_module()
        T = cel.Type
        self._pool = descriptor_pool()
        self.run = cel.NewEnv(descriptor_pool=self._pool, variables={
            "profile": T.DYN,
            "figures": T.List(T.DYN),
            "as_of": T.TIMESTAMP,
            "fx": T.Map(T.STRING, T.DOUBLE),
        }, functions=[division_declaration(cel), months_declaration(cel)])
        self.error_type = T.ERROR

    @cached_property
    def check(self) -> Any:
        from ._schema import profile_type

        cel = cel_module()
        T = cel.Type
        return cel.NewEnv(descriptor_pool=self._pool, variables={
            "profile": T(profile_type()),
            "figures": T.List(T("threshold.profile.FigureEntry")),
            "as_of": T.TIMESTAMP,
            "fx": T.Map(T.STRING, T.DOUBLE),
        }, functions=[months_declaration(cel)])


@cache
def environments() -> Environments:
    return Environments()


def compile_checked(source: str) -> tuple[Any, bytes, str]:
    """``(program, checked AST, CEL type name)``: ``source`` type-checked against
    the profile model and compiled to run on the converted profile. The check's
    result may come from the ``threshold`` command's cache (:mod:`._checkcache`);
    an expression CEL refuses is checked every time.

    :raises RuntimeError: CEL's error (see :func:`_cel_problems`).
    """
    envs = environments()
    kept = _checkcache.checked(source)  # the command's cache: CEL's check of it before
    if kept is not None:
        return _kept_running(envs.run, source), kept[0], kept[1]
    checked = envs.check.compile(source)
    program = _running(envs.run, source)
    serialized, type_name = checked.serialize(), checked.return_type().name()
    _checkcache.keep_checked(source, serialized, type_name)
    return program, serialized, type_name


def running_program(source: str) -> Any:
    """``source`` compiled in the running environment (``profile`` and ``figures`` of
    any shape), every ``/`` a checked division: how a pack's expressions run.

    :raises RuntimeError: CEL's compile error.
    """
    return _running(environments().run, source)


def _kept_running(env: Any, source: str) -> Any:
    """``source``'s running program from the library's own serialisation of it that the
    command's cache kept (:func:`._checkcache.running`); compiled when it holds none or
    the library refuses it."""
    wire = _checkcache.running(source)
    if wire is not None:
        try:
            if not _PRIMED:
                # cel-expr-python readies its conversion of Python dates (the datetime C API)
                # in ``compile`` only: a program deserialised in a process that has compiled
                # nothing yet refuses a ``datetime`` variable ("Non-CEL value type"). One
                # compile of a constant first, once per process.
                env.compile("true")
                _PRIMED.append(True)
            return env.deserialize(wire)
        except Exception:  # never expected (the file is sealed): compiled as before
            pass
    return _running(env, source)


#: Whether this process has compiled an expression before deserialising one (see above).
_PRIMED: list[bool] = []


def _running(env: Any, source: str) -> Any:
    """``source`` compiled in the running environment, every ``/`` a checked division
    (:mod:`._arith`); its serialisation kept for the command's next start."""
    program = env.compile(source)
    if "/" not in source:
        if _checkcache.keeping():
            _checkcache.keep_running(source, program.serialize())
        return program
    from ._arith import checked_division

    wire = program.serialize()
    renamed = checked_division(wire)
    _checkcache.keep_running(source, renamed)  # (kept only while the cache is in use)
    return program if renamed is wire else env.deserialize(renamed)


def months_declaration(cel: Any) -> Any:
    """``addMonths(timestamp, int)``: the same day that many calendar months later
    (earlier when negative), clamped to the month's end, as the kit's
    :func:`~threshold_core.kit.add_months` and the freshness pack count them."""
    T = cel.Type
    return cel.FunctionDecl("addMonths", [cel.Overload(
        "threshold_add_months_timestamp_int", T.TIMESTAMP, [T.TIMESTAMP, T.INT],
        impl=_add_months)])


def _add_months(when: Any, months: int) -> Any:
    from datetime import datetime

    from ..kit import add_months

    day = add_months(when.date(), months)
    return datetime(day.year, day.month, day.day, tzinfo=UTC)


# --------------------------------------------------------------------------- its errors


def _short(exc: BaseException | str) -> str:
    text = str(exc).strip().strip("'\"") or type(exc).__name__
    first = text.split(". ", 1)[0].rstrip(".")
    return first if len(first) <= 160 else first[:157] + "..."


#: (Compiled, by ``re``'s own cache, only when an expression has an error.)
_CEL_ERROR = r"ERROR: <input>:(-?\d+):(-?\d+): (?:Syntax error: )?([^\n]*)"


def _cel_problems(exc: Exception) -> list[tuple[int, int, str, bool]]:
    """Every ``(line, column, message, syntax?)`` of the CEL library's compile error
    (a syntax error, or a type error from the checker)."""
    text = str(exc)
    out = []
    for m in re.finditer(_CEL_ERROR, text):
        message = m.group(3).strip()
        if " expecting {" in message and len(message) > 80:
            message = (message.split(" expecting {", 1)[0]
                       + " (expecting an expression or operator)")
        message = message.replace(" (in container '')", "")
        syntax = "Syntax error" in m.group(0) or "recursion" in message
        out.append((max(int(m.group(1)), 1), max(int(m.group(2)), 1), message, syntax))
    if not out:
        message = re.sub(r"^[A-Z_]+: ", "", text.strip()).split("\n", 1)[0]
        out.append((1, 1, _short(re.sub(r" \[[A-Z_]+\]$", "", message)), True))
    return out


def _offset(source: str, line: int, col: int) -> int:
    starts = [0] + [i + 1 for i, c in enumerate(source) if c == "\n"]
    return min(starts[min(line, len(starts)) - 1] + col - 1, len(source))


def _position(source: str, offset: int) -> tuple[int, int]:
    line = source.count("\n", 0, offset) + 1
    col = offset - (source.rfind("\n", 0, offset) + 1) + 1
    return line, col
