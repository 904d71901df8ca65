"""How a class attrs built is recorded and rebuilt (:mod:`._classcache`, which also says
when a record is valid): what a record holds (:meth:`Recipes._record`) and the class made
from it (:meth:`Recipes._replay`), each step as attrs' own class builder takes it."""

from __future__ import annotations

import builtins
import contextlib
import linecache
import marshal
import sys
import weakref
from types import FunctionType, SimpleNamespace
from typing import Any

from ._codecache import _FUTURE_FLAGS, _TYPE_HASH, _places, _swap_constant

_MISSING = object()
#: attrs' own objects a class's namespace may hold (by their names in ``attr._make``).
_MAKE_VALUES = ("_frozen_setattrs", "_frozen_delattrs", "__ne__", "evolve", "_OBJ_SETATTR")
#: The fields of an ``Attribute`` a generated method may read as a global.
_FIELD_VALUES = ("validator", "converter", "eq_key", "order_key", "repr", "on_setattr")
_ORDER = ("__lt__", "__le__", "__gt__", "__ge__")


class _Pending:
    """What ``attrs`` asks of its class builder, kept until ``build_class``."""

    def __init__(self, cache: Any, cls: type, these: Any, auto_attribs: bool,
                 props: Any, has_custom_setattr: bool) -> None:
        self.cache = cache
        self.args = (cls, these, auto_attribs, props, has_custom_setattr)
        self.calls: list[tuple[Any, ...]] = []

    def __getattr__(self, name: str) -> Any:
        if not (name.startswith("add_") or name == "make_unhashable"):
            raise AttributeError(name)

        def call(*args: Any) -> _Pending:
            self.calls.append((name, *args))
            return self

        return call

    def build_class(self) -> type:
        made: type = self.cache.build(self)
        return made


class Recipes:
    """The record and the rebuilding of one class; :class:`._classcache.ClassCache` keeps
    the records."""

    #: ``attr._make`` and its class builder.
    make: Any
    real: Any

    def _record(self, pending: _Pending, builder: Any, snippets: list[Any], made: type,
                shape: Any) -> tuple[Any, ...] | None:
        make = self.make
        cls = pending.args[0]
        attrs = builder._attrs
        fields = self._fields(pending, attrs)
        if fields is None:
            return None
        names = [c[0] for c in pending.calls]
        module = sys.modules.get(cls.__module__)
        with_module = module is not None and ("add_init" in names or "add_attrs_init" in names)
        namespace = module.__dict__ if module is not None and with_module else {}
        script = "\n".join(s[0] for s in snippets)
        globs: dict[str, Any] = {}
        for _, snippet_globs, _ in snippets:
            globs.update(snippet_globs)
        sources = []
        for name, value in globs.items():
            if namespace.get(name, _MISSING) is value:
                continue
            source = self._source(name, value, attrs)
            if source is None:
                return None
            sources.append((name, source))
        filename = code_bytes = None
        parts: tuple[str, ...] = (script,)
        places: tuple[tuple[int, ...], ...] = ()
        entries: list[tuple[str, tuple[Any, ...]]] = []
        slots = set(made.__dict__.get("__slots__", ()))
        for name, value in made.__dict__.items():
            if name in slots or (name == "__weakref__" and "__weakref__" in slots):
                continue
            if body_value_is(cls, name, value):
                entries.append((name, ("body",)))
            elif name == "__attrs_attrs__" and value is attrs:
                entries.append((name, ("attrs",)))
            elif name == "__attrs_props__" and value is pending.args[3]:
                entries.append((name, ("props",)))
            elif isinstance(value, FunctionType) and value.__code__.co_filename.startswith(
                    "<attrs generated methods "):
                if filename not in (None, value.__code__.co_filename):
                    return None
                filename = value.__code__.co_filename
                annotations = (dict(value.__annotations__)
                               if name in ("__init__", "__attrs_init__") else None)
                entries.append((name, ("script", value.__name__, annotations)))
            elif isinstance(value, FunctionType) and value.__qualname__.startswith(
                    "_ClassBuilder._make_getstate_setstate.<locals>.slots_"):
                entries.append((name, ("state", value.__name__)))
            elif (isinstance(value, FunctionType) and name in _ORDER and "add_order" in names
                  and value.__code__.co_filename == make.__file__):
                entries.append((name, ("order", _ORDER.index(name))))
            elif (isinstance(value, FunctionType) and name == "__setattr__"
                  and "add_setattr" in names and value.__code__.co_filename == make.__file__
                  and value.__code__.co_name == "__setattr__"):
                entries.append((name, ("setattr",)))
            elif any(make.__dict__.get(n, _MISSING) is value for n in _MAKE_VALUES):
                entries.append((name, ("make", next(
                    n for n in _MAKE_VALUES if make.__dict__.get(n, _MISSING) is value))))
            elif name in ("__slots__", "__match_args__", "__qualname__", "__attrs_own_setattr__") \
                    or (name == "__hash__" and value is None):
                entries.append((name, ("const", value)))
            else:
                return None
        if (filename is None) != (not script):
            return None
        if filename is not None:
            # attrs' compile, with the future flags it compiled with (in the generated-code
            # cache while a command runs, which then hands back the same code object).
            flags = next(v.__code__.co_flags for v in made.__dict__.values()
                         if isinstance(v, FunctionType)
                         and v.__code__.co_filename == filename) & _FUTURE_FLAGS
            code = make.__dict__.get("compile", builtins.compile)(
                script, filename, "exec", flags, True)
            if "add_hash" in names:
                constant = hash(make._generate_unique_filename(cls, "hash"))
                found = _TYPE_HASH.search(script)
                if found is None or int(found.group(2)) != constant:
                    return None
                parts = (script[:found.start(2)], script[found.end(2):])
                places = _places(code, constant)
                if not places:
                    return None
            code_bytes = marshal.dumps(code)
        attrs_bases = any(getattr(b, "__attrs_attrs__", None) is not None
                          for b in cls.__mro__[1:-1])
        record = (shape, tuple(entries), tuple(sources), with_module, filename, code_bytes,
                  places, parts, fields, attrs_bases)
        try:  # plain values only (a type given as an object, not a string, is not)
            marshal.dumps(record)
        except ValueError:
            return None
        return record

    def _fields(self, pending: _Pending, attrs: Any) -> tuple[Any, ...] | None:
        """How to make each of the class's own fields (``Attribute``) as attrs made them: a
        ``field()`` by attrs' own ``Attribute.from_counting_attr``, a plain annotation from
        its values (all but the default plain constants)."""
        make = self.make
        cls, _, _, props, _ = pending.args
        if props.kw_only is make.ClassProps.KeywordOnly.FORCE:
            return None
        own = [a for a in attrs if not a.inherited]
        if any(a.inherited for a in attrs[len(attrs) - len(own):]):
            return None
        body = cls.__dict__
        fields: list[tuple[Any, ...]] = []
        for a in own:
            value = body.get(a.name, _MISSING)
            if type(value) is make._CountingAttr:
                fields.append((a.name, "field", a.alias))
                continue
            state: list[Any] = []
            for slot in make.Attribute.__slots__:
                v = getattr(a, slot)
                if slot == "default":
                    if v is not (make.NOTHING if value is _MISSING else value):
                        return None
                    state.append(None)
                elif slot == "metadata":
                    if v is not make._EMPTY_METADATA_SINGLETON:
                        return None
                    state.append(None)
                elif v is None or type(v) in (bool, str, int):
                    state.append(v)
                else:
                    return None
            fields.append((a.name, "value", tuple(state)))
        return tuple(fields)

    def _source(self, name: str, value: Any, attrs: Any) -> tuple[Any, ...] | None:
        """Where a global of the generated code comes from; None when not known."""
        make = self.make
        if make.__dict__.get(name, _MISSING) is value:
            return ("make", name)
        if getattr(builtins, name, _MISSING) is value:
            return ("builtin", name)
        if name == "_cached_setattr_get" and value == make._OBJ_SETATTR.__get__:
            return ("setattr_get",)
        if name == "attr_dict" and isinstance(value, dict):
            index = {id(a): i for i, a in enumerate(attrs)}
            if all(id(a) in index and a.name == n for n, a in value.items()):
                return ("attr_dict", tuple(index[id(a)] for a in value.values()))
            return None
        for i, a in enumerate(attrs):
            if a is value:  # validators are given the field
                return ("field", i, None)
            for field in _FIELD_VALUES:
                if getattr(a, field) is value:
                    return ("field", i, field)
            if isinstance(a.default, make.Factory) and a.default.factory is value:
                return ("field", i, "factory")
        return None

    def _value(self, source: tuple[Any, ...], attrs: Any) -> Any:
        kind = source[0]
        if kind == "make":
            return self.make.__dict__[source[1]]
        if kind == "builtin":
            return getattr(builtins, source[1])
        if kind == "setattr_get":
            return self.make._OBJ_SETATTR.__get__
        if kind == "attr_dict":
            return {attrs[i].name: attrs[i] for i in source[1]}
        a = attrs[source[1]]
        if source[2] is None:
            return a
        return a.default.factory if source[2] == "factory" else getattr(a, source[2])

    def _setattr(self, pending: _Pending, attrs: Any) -> Any:
        """attrs' ``__setattr__`` running the fields' ``on_setattr`` hooks (``add_setattr``,
        given the class hook as attrs' builder leaves it)."""
        make = self.make
        cls, _, _, props, has_custom_setattr = pending.args
        hook = props.on_setattr_hook
        setters = make.setters
        if hook in (make._DEFAULT_ON_SETATTR, setters.validate, setters.convert):
            validated = any(a.validator is not None for a in attrs)
            converted = any(a.converter is not None for a in attrs)
            if ((hook == make._DEFAULT_ON_SETATTR and not (validated or converted))
                    or (hook == setters.validate and not validated)
                    or (hook == setters.convert and not converted)):
                hook = None
        builder = SimpleNamespace(
            _attrs=attrs, _on_setattr=hook, _has_custom_setattr=has_custom_setattr,
            _cls_dict={}, _wrote_own_setattr=False,
            _add_method_dunders=lambda method: _dunders_of(method, cls))
        self.real.add_setattr(builder)
        return builder._cls_dict["__setattr__"]

    def _replay(self, pending: _Pending, record: tuple[Any, ...]) -> type | None:
        """The class attrs would build, from the record; None when the record does not
        match this class (then attrs builds it)."""
        make = self.make
        cls, _, auto_attribs, props, _ = pending.args
        (_, entries, sources, with_module, filename, code_bytes, places, parts, fields,
         attrs_bases) = record
        body = cls.__dict__
        annotations = body.get("__annotations__", {}) if auto_attribs else {}
        kw_only = props.kw_only is not make.ClassProps.KeywordOnly.NO
        attribute, setattr_, nothing = make.Attribute, make._OBJ_SETATTR, make.NOTHING
        slots, empty = attribute.__slots__, make._EMPTY_METADATA_SINGLETON
        own = []
        for name, kind, data in fields:
            if kind == "field":
                a = attribute.from_counting_attr(name, body[name], kw_only, annotations.get(name))
                if not a.alias:
                    setattr_(a, "alias", data)
                    setattr_(a, "alias_is_default", True)
            else:
                a = object.__new__(attribute)
                for slot, value in zip(slots, data, strict=True):
                    setattr_(a, slot, value)
                setattr_(a, "default", body.get(name, nothing))
                setattr_(a, "metadata", empty)
            own.append(a)
        if attrs_bases:
            collect = (make._collect_base_attrs if props.collected_fields_by_mro
                       else make._collect_base_attrs_broken)
            base_attrs, _ = collect(cls, {a.name for a in own})
            own = base_attrs + own
        attrs = make._make_attr_tuple_class(cls.__name__, [a.name for a in own])(own)
        local: dict[str, Any] = {}
        if filename is not None:
            code = marshal.loads(code_bytes)
            script = parts[0]
            if places:
                constant = hash(make._generate_unique_filename(cls, "hash"))
                code = _swap_constant(code, places, constant)
                script = f"{parts[0]}{constant}{parts[1]}"
            entry = (len(script), None, script.splitlines(True), filename)
            if linecache.cache.setdefault(filename, entry) != entry:
                return None
            module = sys.modules.get(cls.__module__) if with_module else None
            globs = dict(module.__dict__) if module is not None else {}
            for name, source in sources:
                globs[name] = self._value(source, attrs)
            eval(code, globs, local)  # attrs' own generated code, run as attrs runs it
        state: tuple[Any, ...] = ()
        order: tuple[Any, ...] = ()
        namespace: dict[str, Any] = {}
        qualname = cls.__qualname__
        statement: list[Any] = []  # the class statement's own values, which may close over it
        for name, source in entries:
            kind = source[0]
            if kind == "body":
                namespace[name] = body[name]
                statement.append(body[name])
            elif kind == "attrs":
                namespace[name] = attrs
            elif kind == "props":
                namespace[name] = props
            elif kind == "script":
                method = local[source[1]]
                if source[2] is not None:
                    method.__annotations__ = dict(source[2])
                namespace[name] = _dunders_of(method, cls)
            elif kind == "state":
                if not state:
                    state = self.real._make_getstate_setstate(SimpleNamespace(
                        _attr_names=tuple(a.name for a in attrs),
                        _cache_hash=props.hashability.value == "hashable_cache"))
                namespace[name] = state[0] if source[1] == "slots_getstate" else state[1]
            elif kind == "make":
                namespace[name] = make.__dict__[source[1]]
            elif kind == "order":
                if not order:
                    order = tuple(_dunders_of(m, cls) for m in make._make_order(cls, attrs))
                namespace[name] = order[source[1]]
            elif kind == "setattr":
                namespace[name] = self._setattr(pending, attrs)
            else:
                namespace[name] = source[1]
        if hasattr(sys, "_clear_type_descriptors"):
            sys._clear_type_descriptors(cls)
        namespace["__qualname__"] = qualname
        made = type(cls)(cls.__name__, cls.__bases__, namespace)
        # attrs points the closures of the new class's methods at it (``super()``): only
        # the class statement's own can hold the class (attrs' methods are made for it).
        for item in statement:
            if isinstance(item, (classmethod, staticmethod)):
                cells = getattr(item.__func__, "__closure__", None)
            elif isinstance(item, property):
                cells = getattr(item.fget, "__closure__", None)
            else:
                cells = getattr(item, "__closure__", None)
            for cell in cells or ():
                with contextlib.suppress(ValueError):
                    if cell.cell_contents is cls:
                        cell.cell_contents = made
        cls.__attrs_base_of_slotted__ = weakref.ref(made)  # type: ignore[attr-defined]
        if (getattr(made, "__attrs_init_subclass__", None)
                and "__attrs_init_subclass__" not in made.__dict__):
            made.__attrs_init_subclass__()  # type: ignore[attr-defined]
        return made


def _dunders_of(method: Any, cls: type) -> Any:
    """attrs' ``_add_method_dunders``: the method's module, qualified name and docstring."""
    method.__module__ = cls.__module__
    method.__qualname__ = f"{cls.__qualname__}.{method.__name__}"
    method.__doc__ = f"Method generated by attrs for class {cls.__qualname__}."
    return method


def body_value_is(cls: type, name: str, value: Any) -> bool:
    """Whether the class statement's own namespace holds ``value`` under ``name``."""
    return cls.__dict__.get(name, _MISSING) is value

