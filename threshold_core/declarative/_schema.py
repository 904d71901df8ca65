"""CEL types of the profile, declared from the profile model.

Every attrs class of :class:`~threshold_core.model.CompanyProfile` becomes a
protobuf message type ``threshold.profile.<Class>`` (built in memory, never a
``.proto`` file), so CEL's type checker knows every path a condition may read
and its type:

============================  ===================================
model                         CEL
============================  ===================================
``float``, ``Figure``         ``double`` (a figure is its number)
``int``                       ``int``
``bool``                      ``bool``
``str``, a string enum        ``string``
``date``                      ``google.protobuf.Timestamp``
an attrs class                its message
``tuple[X, ...]``             ``list(X)``
``dict[str, X]``              ``map(string, X)``
``Any`` (a plugin's section)  ``dyn`` (``google.protobuf.Value``)
============================  ===================================

Messages type-check conditions only; they are evaluated on maps (see
:mod:`._cel`), so a field the profile lacks is absent, never a default value.
"""

from __future__ import annotations

import enum
import typing
from datetime import date, datetime
from functools import cache
from typing import Any

import attrs

from ..model import CompanyProfile, Figure
from ._fields import _unwrap, hints

PACKAGE = "threshold.profile"


def profile_type() -> str:
    return f"{PACKAGE}.{CompanyProfile.__name__}"


@cache
def descriptor_pool() -> Any:
    """A protobuf descriptor pool holding the profile's message types.

    The types are read from the ``threshold`` command's cache when it holds them for
    this model (:mod:`._checkcache`), else built (:func:`profile_file`); either way they
    reach the pool serialised.
    """
    from google.protobuf import descriptor_pool as pool_module  # type: ignore[import-untyped]
    from google.protobuf import struct_pb2, timestamp_pb2

    from . import _checkcache

    serialized = _checkcache.types()
    if serialized is None:
        serialized = profile_file().SerializeToString()
        _checkcache.keep_types(serialized)
    pool = pool_module.DescriptorPool()
    for module in (timestamp_pb2, struct_pb2):
        pool.AddSerializedFile(module.DESCRIPTOR.serialized_pb)
    pool.AddSerializedFile(serialized)
    return pool


def profile_file() -> Any:
    """The profile's message types: a ``FileDescriptorProto`` built from the model."""
    from google.protobuf import descriptor_pb2

    F = descriptor_pb2.FieldDescriptorProto
    scalars = {float: F.TYPE_DOUBLE, Figure: F.TYPE_DOUBLE, int: F.TYPE_INT64,
               bool: F.TYPE_BOOL, str: F.TYPE_STRING}
    file = descriptor_pb2.FileDescriptorProto(
        name="threshold/profile.proto", package=PACKAGE, syntax="proto3",
        dependency=["google/protobuf/timestamp.proto", "google/protobuf/struct.proto"])
    done: set[type] = set()

    def set_type(field: Any, tp: Any) -> None:
        tp = _unwrap(tp)
        if tp in scalars:
            field.type = scalars[tp]
        elif isinstance(tp, type) and issubclass(tp, enum.Enum):
            field.type = F.TYPE_STRING
        elif tp in (date, datetime):
            field.type = F.TYPE_MESSAGE
            field.type_name = ".google.protobuf.Timestamp"
        elif tp is Any:  # checked as dyn
            field.type = F.TYPE_MESSAGE
            field.type_name = ".google.protobuf.Value"
        elif isinstance(tp, type) and attrs.has(tp):
            message(tp)
            field.type = F.TYPE_MESSAGE
            field.type_name = f".{PACKAGE}.{tp.__name__}"
        else:  # pragma: no cover - the model has no other types
            raise TypeError(f"no CEL type for {tp!r}")

    def message(cls: type) -> None:
        if cls in done:
            return
        done.add(cls)
        msg = file.message_type.add(name=cls.__name__)
        types_ = hints(cls)
        for number, a in enumerate(attrs.fields(cls), start=1):
            tp = _unwrap(types_[a.name])
            field = msg.field.add(name=a.name, number=number, label=F.LABEL_OPTIONAL)
            origin = typing.get_origin(tp)
            if origin in (tuple, list):
                field.label = F.LABEL_REPEATED
                set_type(field, typing.get_args(tp)[0])
            elif origin is dict:
                _key, value_tp = typing.get_args(tp)
                entry = msg.nested_type.add(
                    name="".join(p.title() for p in a.name.split("_")) + "Entry",
                    options=descriptor_pb2.MessageOptions(map_entry=True))
                entry.field.add(name="key", number=1, label=F.LABEL_OPTIONAL,
                                type=F.TYPE_STRING)
                set_type(entry.field.add(name="value", number=2, label=F.LABEL_OPTIONAL),
                         value_tp)
                field.label = F.LABEL_REPEATED
                field.type = F.TYPE_MESSAGE
                field.type_name = f".{PACKAGE}.{cls.__name__}.{entry.name}"
            else:
                set_type(field, tp)

    message(CompanyProfile)
    entry = file.message_type.add(name="FigureEntry")
    for number, (name, kind) in enumerate(
            [("path", F.TYPE_STRING), ("value", F.TYPE_DOUBLE), ("source", F.TYPE_STRING),
             ("note", F.TYPE_STRING), ("as_of", F.TYPE_MESSAGE), ("grade", F.TYPE_STRING)],
            start=1):
        field = entry.field.add(name=name, number=number, label=F.LABEL_OPTIONAL, type=kind)
        if kind == F.TYPE_MESSAGE:
            field.type_name = ".google.protobuf.Timestamp"
    return file
