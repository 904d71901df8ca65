"""The one cattrs converter: strict structuring and path-addressed problems.

cattrs on its own coerces scalars (``"5"`` becomes ``5`` for an ``int``
field, ``1.7`` becomes ``1``) and reports the first validator failure as
``invalid value @ $``. Files written by people need the opposite: every problem
at once, each with the path inside the file and a message that says what was
expected and what was found.
"""

from __future__ import annotations

import enum
import types
import typing
from collections.abc import Callable, Iterator, Mapping
from datetime import date
from functools import cache
from typing import Any, TypeVar

import attrs
import cattrs
from cattrs.errors import (
    ClassValidationError,
    ForbiddenExtraKeysError,
    IterableValidationError,
    IterableValidationNote,
)
from cattrs.fns import identity
from cattrs.gen import make_dict_structure_fn

from ..errors import Problem
from ..model import Figure, StrEnum
from ._fast import fast_function
from ._scalars import (
    _show,
    _structure_bool,
    _structure_date,
    _structure_enum,
    _structure_float,
    _structure_int,
    _structure_str,
    _unstructure_date,
    unknown_key,
)
from ._types import optional_inner

T = TypeVar("T")


def make_converter(
    *, float_hook: Callable[[float], Any] | None = None, detailed: bool = True,
) -> cattrs.Converter:
    """Build the converter used for profiles, configuration and decisions.

    ``float_hook`` (for :func:`threshold_core.load.decision_json`'s fast writer) is
    called on every float the converter unstructures, whatever its place: in a typed
    field, an optional one, a figure, a band or a table of ``Any``.

    ``detailed=False`` builds :func:`structure`'s first attempt: the same hooks, so it
    accepts exactly what the detailed converter accepts and builds the same objects,
    but it stops at the first problem without collecting paths. Its generated
    functions are about half the size, and half the start-up, of the detailed ones.
    """
    conv = cattrs.Converter(forbid_extra_keys=True, detailed_validation=detailed)
    conv.register_structure_hook(float, _structure_float)
    conv.register_structure_hook(int, _structure_int)
    conv.register_structure_hook(str, _structure_str)
    conv.register_structure_hook(bool, _structure_bool)
    conv.register_structure_hook(date, _structure_date)
    conv.register_unstructure_hook(date, _unstructure_date)
    # Registered by class (not by predicate) so that it wins over the ``str``
    # hook for string enums, which singledispatch would otherwise pick.
    conv.register_structure_hook(enum.Enum, _structure_enum)
    conv.register_structure_hook(StrEnum, _structure_enum)

    def attrs_factory(cls: type) -> Any:
        inner: Any = make_dict_structure_fn(cls, conv, _cattrs_forbid_extra_keys=True,
                                            _cattrs_detailed_validation=detailed)

        def structure_table(value: Any, _: type) -> Any:
            if value.__class__ is not dict and not isinstance(value, Mapping):
                raise TypeError(f"expected a table, got {_show(value)}")
            return inner(value, cls)

        return structure_table

    conv.register_structure_hook_factory(attrs.has, attrs_factory)

    def is_sequence(t: Any) -> bool:
        return typing.get_origin(t) in (tuple, list)

    def sequence_factory(t: Any) -> Any:
        args = typing.get_args(t)
        item = args[0] if args else Any

        if not detailed:
            hook = conv.get_structure_hook(item)
            as_tuple = typing.get_origin(t) is tuple

            def structure_fast(value: Any, _: Any) -> Any:
                if isinstance(value, (str, bytes)) or not isinstance(value, (list, tuple)):
                    raise TypeError(f"expected an array, got {_show(value)}")
                out = [hook(v, item) for v in value]
                return tuple(out) if as_tuple else out

            return structure_fast

        def structure_seq(value: Any, _: Any) -> Any:
            if isinstance(value, (str, bytes)) or not isinstance(value, (list, tuple)):
                raise TypeError(f"expected an array, got {_show(value)}")
            out = []
            errors = []
            for i, v in enumerate(value):
                try:
                    out.append(conv.structure(v, item))
                except Exception as exc:  # collected, re-raised as a group below
                    exc.__notes__ = [*getattr(exc, "__notes__", []), IterableValidationNote(
                        f"Structuring {t} @ index {i}", i, item)]
                    errors.append(exc)
            if errors:
                raise IterableValidationError(f"While structuring {t!r}", errors, t)
            return tuple(out) if typing.get_origin(t) is tuple else out

        return structure_seq

    conv.register_structure_hook_factory(is_sequence, sequence_factory)

    def is_optional(t: Any) -> bool:
        return optional_inner(t) is not None

    def optional_factory(t: Any) -> Any:
        # cattrs' own looks the inner type's hook up on every call.
        inner = optional_inner(t)
        hook = conv.get_structure_hook(inner)

        def structure_optional(value: Any, _: Any) -> Any:
            return None if value is None else hook(value, inner)

        return structure_optional

    conv.register_structure_hook_factory(is_optional, optional_factory)
    conv.register_unstructure_hook_func(
        lambda t: isinstance(t, type) and issubclass(t, enum.Enum), lambda e: e.value
    )

    figure_from_table = conv.get_structure_hook(Figure)

    def structure_figure(value: Any, cls: type) -> Figure:
        if value.__class__ is float or value.__class__ is int or (
                isinstance(value, (int, float)) and not isinstance(value, bool)):
            return Figure(value=_structure_float(value, float))
        if value.__class__ is dict or isinstance(value, Mapping):
            return figure_from_table(value, cls)  # type: ignore[no-any-return]
        raise TypeError(f"expected a number or a {{ value = ... }} table, got {_show(value)}")

    plain_float: Callable[[float], Any] = float_hook or identity

    def unstructure_figure(fig: Figure) -> Any:
        if fig.source is None and fig.as_of is None and fig.note is None:
            return plain_float(fig.value)
        out: dict[str, Any] = {"value": plain_float(fig.value)}
        for key in ("source", "as_of", "note"):
            v = getattr(fig, key)
            if v is not None:
                out[key] = v.isoformat() if isinstance(v, date) else v
        return out

    from ..kit import Band

    if float_hook is None:
        conv.register_unstructure_hook(Band, lambda b: [list(p) for p in b.points])
    else:
        conv.register_unstructure_hook(float, float_hook)
        conv.register_unstructure_hook(
            Band, lambda b: [[float_hook(x) for x in p] for p in b.points])
    conv.register_structure_hook(Figure, structure_figure)
    conv.register_unstructure_hook(Figure, unstructure_figure)
    _register_fast_unstructuring(conv, float_hook)
    return conv


#: Classes cattrs unstructures to themselves (no hook of ours changes them).
_PLAIN = frozenset({str, int, float, bool, type(None)})


def _register_fast_unstructuring(
    conv: cattrs.Converter, float_hook: Callable[[float], Any] | None,
) -> None:
    """Unstructure hooks that give what cattrs' defaults give, with fewer calls per value.

    A decision holds hundreds of optional scalars, arrays and evidence tables: an
    optional scalar is passed through (so the generated class hooks inline it), an
    array is one list comprehension over its item's hook, and a table of ``Any`` looks
    a hook up only for a value that is not a plain JSON scalar.
    """

    def is_optional_plain(t: Any) -> bool:
        if typing.get_origin(t) not in (typing.Union, types.UnionType):
            return False
        args = typing.get_args(t)
        return type(None) in args and all(
            a in _PLAIN and (a is not float or float_hook is None) for a in args)

    conv.register_unstructure_hook_func(is_optional_plain, identity)

    def is_homogeneous(t: Any) -> bool:
        """``tuple[X, ...]`` or ``list[X]`` of a known ``X``."""
        args = typing.get_args(t)
        origin = typing.get_origin(t)
        shape_ok = (origin is tuple and len(args) == 2 and args[1] is Ellipsis) or (
            origin is list and len(args) == 1)
        return shape_ok and args[0] is not Any and not isinstance(args[0], typing.TypeVar)

    def sequence_unstructure_factory(t: Any) -> Any:
        hook = conv.get_unstructure_hook(typing.get_args(t)[0])
        if hook is identity:
            return list
        return lambda seq: [hook(v) for v in seq]

    conv.register_unstructure_hook_factory(is_homogeneous, sequence_unstructure_factory)

    unstructure = conv.unstructure

    def unstructure_any(value: Any) -> Any:
        cls = value.__class__
        if cls is float and float_hook is not None:
            return float_hook(value)
        if cls in _PLAIN:
            return value
        if cls is dict:
            return {unstructure_any(k): unstructure_any(v) for k, v in value.items()}
        if cls is list or cls is tuple:  # both become lists, as cattrs makes them
            return [unstructure_any(v) for v in value]
        return unstructure(value)

    def is_any_table(t: Any) -> bool:
        return typing.get_origin(t) in (dict, Mapping) and typing.get_args(t) == (str, Any)

    conv.register_unstructure_hook_func(
        is_any_table, lambda table: {k: unstructure_any(v) for k, v in table.items()})


@cache
def converter() -> cattrs.Converter:
    """The shared converter (built once)."""
    return make_converter()


@cache
def _first_attempt() -> cattrs.Converter:
    """The converter of :func:`structure`'s first attempt (built once)."""
    return make_converter(detailed=False)


def first_attempt() -> cattrs.Converter:
    """The converter of :func:`structure`'s first attempt (its hooks build what the
    generated first attempts do not build inline)."""
    return _first_attempt()


def problems_from(exc: BaseException, path: str = "$") -> Iterator[Problem]:
    """Walk a cattrs validation error and yield one :class:`Problem` per leaf."""
    if isinstance(exc, ForbiddenExtraKeysError):
        names = [a.name for a in attrs.fields(exc.cl)] if attrs.has(exc.cl) else []
        for key in sorted(exc.extra_fields):
            yield Problem(f"{path}.{key}", unknown_key(key, names))
    elif isinstance(exc, ClassValidationError):
        with_notes, without = exc.group_exceptions()
        for sub, note in with_notes:
            yield from problems_from(sub, f"{path}.{note.name}")
        for sub in without:
            yield from problems_from(sub, path)
    elif isinstance(exc, IterableValidationError):
        items, rest = exc.group_exceptions()
        for item, inote in items:
            idx = inote.index
            yield from problems_from(
                item, f"{path}.{idx}" if isinstance(idx, str) else f"{path}[{idx}]"
            )
        for item in rest:
            yield from problems_from(item, path)
    elif isinstance(exc, BaseExceptionGroup):
        for member in exc.exceptions:
            yield from problems_from(member, path)
    elif isinstance(exc, KeyError):
        yield Problem(path, "required key missing")
    elif isinstance(exc, AttributeError) and "'items'" in str(exc):
        yield Problem(path, "expected a table")
    elif isinstance(exc, TypeError) and "not iterable" in str(exc):
        yield Problem(path, "expected an array")
    else:
        yield Problem(path, str(exc) or type(exc).__name__)


def structure(data: Any, cls: type[T]) -> T:
    """Structure ``data`` into ``cls``; raise :class:`StructureProblems` listing every problem.

    Valid data is structured once, by a converter without detailed validation
    (whose generated code costs half the start-up; from a process's 33rd document of a
    class, by the function :mod:`._fast` generates from that converter's hooks, which
    returns what it returns); only when that fails is the
    data structured again by the detailed one, which names every problem and its
    path. Both use the same hooks: the result and the messages are the detailed
    converter's.
    """
    if not isinstance(data, Mapping) and attrs.has(cls):
        raise StructureProblems((Problem("$", f"expected a table, got {_show(data)}"),))
    first = _first_attempt()
    try:
        fast = fast_function(cls, first) if data.__class__ is dict else None
        return fast(data) if fast is not None else first.structure(data, cls)
    except Exception:  # the detailed pass below names every problem
        pass
    try:
        return converter().structure(data, cls)
    except (cattrs.BaseValidationError, ForbiddenExtraKeysError) as exc:
        raise StructureProblems(_in_document_order(problems_from(exc), data)) from None
    except (TypeError, ValueError) as exc:
        raise StructureProblems((Problem("$", str(exc)),)) from None


def _in_document_order(problems: Iterator[Problem], data: Mapping[str, Any]) -> tuple[Problem, ...]:
    """Sort problems by where their top-level key stands in the file (cattrs uses class order)."""
    order = {key: i for i, key in enumerate(data)}

    def position(p: Problem) -> int:
        head = p.path[2:].split(".")[0].split("[")[0]
        return order.get(head, len(order))

    return tuple(sorted(problems, key=position))


class StructureProblems(Exception):
    """Raised by :func:`structure`; carries every problem found."""

    def __init__(self, problems: tuple[Problem, ...]) -> None:
        super().__init__("; ".join(f"{p.path}: {p.message}" for p in problems))
        self.problems = problems


def structure_each(
    data: Mapping[str, Any], cls: type[Any], path: str = "$"
) -> tuple[Any, list[Problem]]:
    """Structure what is valid in ``data`` and collect every problem.

    For a document that only configures (every field has a default), a field
    with a problem keeps its default, so that the checks that run on the
    result (ranges, orderings) still report their own problems: a file with
    five problems reports five, not the first section's.
    """
    fields = attrs.fields(cls)
    if not all(a.default is not attrs.NOTHING for a in fields):
        try:
            return structure(data, cls), []
        except StructureProblems as exc:
            return None, [Problem(path + p.path[1:], p.message) for p in exc.problems]
    hints = typing.get_type_hints(cls)
    names = {a.name for a in fields}
    problems = [Problem(f"{path}.{key}", unknown_key(key, names))
                for key in data if key not in names]
    values: dict[str, Any] = {}
    for a in fields:
        if a.name not in data:
            continue
        value, tp, where = data[a.name], hints[a.name], f"{path}.{a.name}"
        if isinstance(tp, type) and attrs.has(tp):
            if not isinstance(value, Mapping):
                problems.append(Problem(where, f"expected a table, got {_show(value)}"))
                continue
            obj, found = structure_each(value, tp, where)
        else:
            try:
                obj, found = converter().structure(value, tp), []
            except (cattrs.BaseValidationError, ForbiddenExtraKeysError) as exc:
                obj, found = None, [Problem(where + p.path[1:], p.message)
                                    for p in problems_from(exc)]
            except (TypeError, ValueError) as exc:
                obj, found = None, [Problem(where, str(exc))]
        problems += found
        if obj is not None:  # a table with problems keeps what was valid in it
            values[a.name] = obj
    try:
        result = cls(**values)
    except (TypeError, ValueError) as exc:
        return cls(), [*problems, Problem(path, str(exc))]
    order = {key: i for i, key in enumerate(data)}
    return result, sorted(problems, key=lambda p: order.get(
        p.path[len(path) + 1:].split(".")[0].split("[")[0], len(order)))
