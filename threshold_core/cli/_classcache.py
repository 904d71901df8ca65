"""Classes attrs builds, rebuilt from what attrs made of them the first time.

attrs' ``define`` and ``frozen`` turn a class statement into a new slotted class:
they derive the fields from the annotations, write the methods' source, compile
it, collect the slots and build the class a second time. The code generated is
already cached (:mod:`._codecache`); what was left is attrs' own work, about 0.17 ms
per class for the roughly 145 classes a ``threshold evaluate`` builds.

While a command runs, each class attrs builds is recorded (by its module and
qualified name, :mod:`._classrecipe`): how each field was given and what attrs made
of it, the options, the methods' code and source, where each name the code reads
comes from and the new class's namespace, entry by entry. A later command rebuilds
the class from its record when the class statement matches it (:meth:`ClassCache.
_shape`: options and calls, annotations, how each field is given, the names in the
class body, and the source files of the class, its bases and its fields'
converters unchanged in size and modification time, as Python's bytecode cache
checks them): the fields (``field()``s by attrs' own ``from_counting_attr``), the
methods from the recorded code (this process's ``__hash__`` constant put back)
with globals rebuilt from this run's objects, the same ``linecache`` entry, the
same ``type`` call and fix-ups. Anything else, a mismatch or an unexpected error,
and attrs builds the class, as always. The file is kept per installation in the
cache folder, valid for attrs' ``_make.py`` (path, size, modification time) and the
Python version; any other file, or an unreadable one, and every class is built by
attrs (and recorded). About 0.09 ms per class rebuilt.

``tests/cli/test_classcache.py`` builds every class of threshold, its plugins, attrs
and cattrs in fresh processes by attrs alone, by attrs while recording and from the
records, and compares them field by field and code object by code object.
"""

from __future__ import annotations

import contextlib
import marshal
import os
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

from ._classrecipe import _MISSING, Recipes, _Pending
from ._sealed import read_file, write_sealed

_FORMAT = "threshold-classcache-1"
#: The parameters of the attrs class builder this module stands in for (attrs 25.4 on):
#: another attrs' builder is left alone, and attrs builds every class as it always does.
_BUILDER = ("self", "cls", "these", "auto_attribs", "props", "has_custom_setattr")
#: The names of ``attr._make`` the records are made and rebuilt with.
_MAKE_NAMES = ("_CountingAttr", "_DEFAULT_ON_SETATTR", "Factory", "NOTHING", "setters",
               "Attribute", "ClassProps")


def compatible(make: ModuleType) -> bool:
    """Whether ``make`` (``attr._make``) has the class builder the records are made for.

    attrs' class builder is private to attrs and changes between releases (attrs 24
    takes each option as its own argument); with any other, nothing is recorded or
    rebuilt, so an attrs the project's requirement allows never breaks a command.
    """
    init = getattr(getattr(make, "_ClassBuilder", None), "__init__", None)
    code = getattr(init, "__code__", None)
    return (code is not None and code.co_varnames[:code.co_argcount] == _BUILDER
            and all(hasattr(make, name) for name in _MAKE_NAMES))


class ClassCache(Recipes):
    """Records of the classes attrs built, by module and qualified name."""

    def __init__(self, path: Path, make: ModuleType) -> None:
        """:raises TypeError: ``make`` is not an attrs the records are made for
            (:func:`compatible`)."""
        if not compatible(make):
            raise TypeError(f"attrs' class builder is not the one of attrs 25.4 on: "
                            f"{getattr(make, '__file__', make)}")
        self.path = path
        self.make: Any = make
        self.real = make._ClassBuilder
        stat = os.stat(make.__file__ or "")
        self.tag = (_FORMAT, sys.version, make.__file__, stat.st_size, stat.st_mtime_ns)
        self._records: dict[str, tuple[Any, ...]] | None = None
        self.added: dict[str, tuple[Any, ...]] = {}
        self.replayed = 0
        self._stats: dict[str, tuple[str, int, int]] = {}

    def install(self) -> None:
        self.make._ClassBuilder = self._pending

    def uninstall(self) -> None:
        if self.make.__dict__.get("_ClassBuilder") == self._pending:
            self.make._ClassBuilder = self.real

    def _pending(self, cls: type, these: Any, auto_attribs: bool = False, props: Any = None,
                 has_custom_setattr: bool = False) -> _Pending:
        return _Pending(self, cls, these, auto_attribs, props, has_custom_setattr)

    def _load(self) -> dict[str, tuple[Any, ...]]:
        if self._records is None:
            self._records = read_file(self.path, self.tag)
        return self._records

    def build(self, pending: _Pending) -> type:
        cls, these, *_ = pending.args
        key = f"{cls.__module__}:{cls.__qualname__}"
        try:
            shape = self._shape(pending)
        except Exception:  # a class statement of a shape not foreseen: attrs builds it
            shape = None
        record = self._load().get(key) if shape is not None else None
        if record is not None and record[0] == shape:
            try:
                rebuilt = self._replay(pending, record)
            except Exception:  # never expected; attrs builds the class as it always does
                rebuilt = None
            if rebuilt is not None:
                self.replayed += 1
                return rebuilt
        builder = self.real(cls, these, auto_attribs=pending.args[2], props=pending.args[3],
                            has_custom_setattr=pending.args[4])
        for name, *args in pending.calls:
            getattr(builder, name)(*args)
        snippets = list(builder._script_snippets)
        made: type = builder.build_class()
        if shape is not None:
            try:
                record = self._record(pending, builder, snippets, made, shape)
            except Exception:  # an unforeseen shape: that class is built by attrs each time
                record = None
            if record is not None:
                self.added[key] = record
        return made

    def save(self) -> None:
        """Write what this command recorded (merged with the file as it is now); never raises."""
        if not self.added:
            return
        with contextlib.suppress(OSError, ValueError):
            self._records = None
            merged = dict(self._load())
            merged.update(self.added)
            write_sealed(self.path, marshal.dumps((self.tag, merged)))

    # -- what a class is made of ---------------------------------------------------------

    def _shape(self, pending: _Pending) -> Any:
        """What a record of this class is valid for, read from the class statement without
        building anything: the options attrs was given, its calls, the annotations, how each
        field is given (``field()``, a plain default or none) and the source files of the
        modules the class and its bases come from (size and modification time, as Python's
        own bytecode cache checks them). None for a class outside what a record covers."""
        cls, these, auto_attribs, props, has_custom_setattr = pending.args
        qualname = cls.__qualname__
        if these is not None or "<locals>" in qualname:
            return None
        hook = props.on_setattr_hook
        make = self.make
        if hook is None:
            hook_kind = None
        elif hook is make._DEFAULT_ON_SETATTR:
            hook_kind = "default"
        elif hook is make.setters.NO_OP:
            hook_kind = "no_op"
        else:
            return None
        if props.field_transformer is not None or props.is_slotted is not True:
            return None
        for call in pending.calls:
            if any(not (arg is None or isinstance(arg, str)) for arg in call[1:]):
                return None
        body = cls.__dict__
        counting = make._CountingAttr
        annotations = body.get("__annotations__", {})
        if any(type(v) is not str for v in annotations.values()):
            return None
        kinds = tuple(self._kind(body.get(name, _MISSING)) for name in annotations)
        fields = tuple(sorted((v.counter, n, self._kind(v))
                              for n, v in body.items() if type(v) is counting))
        modules = []
        for klass in cls.__mro__[:-1]:
            stat = self._stat(klass.__module__)
            if stat is None:
                return None
            modules.append(stat)
        for value in body.values():
            # A converter's first parameter's annotation is the generated __init__'s.
            if type(value) is counting and value.converter is not None:
                where = getattr(value.converter, "__module__", None) or ""
                stat = self._stat(where) if where != "builtins" else ("builtins", 0, 0)
                if stat is None:
                    return None
                modules.append(stat)
        return ((cls.__module__, qualname, props.is_exception, props.has_weakref_slot,
                 props.is_frozen, props.kw_only.value, props.collected_fields_by_mro,
                 props.added_init, props.added_repr, props.added_eq, props.added_ordering,
                 props.hashability.value, props.added_match_args, props.added_str,
                 props.added_pickling, hook_kind, auto_attribs, has_custom_setattr),
                tuple(pending.calls), tuple(annotations.items()), kinds,
                tuple(f[1:] for f in fields), tuple(body), tuple(modules))

    def _kind(self, value: Any) -> Any:
        """What the generated code depends on in how a field is given (the objects themselves
        may come from other modules): a default or a factory (and whether it takes the
        instance), and for ``field()`` which of validator, converter, hooks and keys it has."""
        make = self.make
        if value is _MISSING:
            return "nothing"
        if type(value) is not make._CountingAttr:
            return ("factory", value.takes_self) if isinstance(value, make.Factory) else "value"
        default = value._default
        return ("field",
                "nothing" if default is make.NOTHING else ("factory", default.takes_self)
                if isinstance(default, make.Factory) else "value",
                value._validator is None, value.converter is None, value.on_setattr is None,
                value.on_setattr is make.setters.NO_OP, value.eq_key is None,
                value.order_key is None, callable(value.repr), value.alias)

    def _stat(self, name: str) -> tuple[str, int, int] | None:
        found = self._stats.get(name)
        if found is None:
            module = sys.modules.get(name)
            path = getattr(module, "__file__", None)
            if not path:
                return None
            try:
                st = os.stat(path)
            except OSError:
                return None
            found = self._stats[name] = (name, st.st_size, st.st_mtime_ns)
        return found
