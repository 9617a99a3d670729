"""How the compiled week receives a replicate: by address, and without reference counting.

The week's rules are a few hundred small compiled calls per replicate-week, each taking the
scenario's actors (`Structure`), the design point (`Point`) and the replicate's state
(`Replica`): 34 arrays. Passed as tuples, Numba copies every array's descriptor onto the stack
at each call (about 110 pushes a call) and counts a reference to each on entry and exit (an
atomic add and subtract apiece): 41 us of one core per replicate-week, the rules a small part of
it. So the driver builds one heap record of each (a Numba ``StructRef``) whose arrays are
*borrowed* (the same arrays, no reference count) and hands the week a `Handle` to it: the
address of its fields, one pointer a call, not counted either (20 us with records passed as
such, 15 us with handles and every array borrowed; BENCHMARKS.md). Borrowed arrays and
handles are valid while their owners are, which `alive` keeps until the replicate is done. The
week's code reads a handle as it reads the tuples (``rep.g``, ``pt.world``), so it runs
unchanged as Python on the tuples themselves.
"""

from __future__ import annotations

from typing import Any

from process.layout import Structure
from process.week import Point, Replica
from world.compiled import enable

numba = enable()

from numba.core import cgutils, imputils, types  # noqa: E402
from numba.core.datamodel import models  # noqa: E402
from numba.core.typing.templates import AttributeTemplate  # noqa: E402
from numba.experimental import structref  # noqa: E402
from numba.extending import (  # noqa: E402
    infer_getattr,
    intrinsic,
    lower_getattr_generic,
    register_model,
)


def _borrow(context: Any, builder: Any, kind: Any, value: Any) -> Any:
    if not isinstance(kind, types.Array):
        return value  # a number passes as it is
    source = context.make_array(kind)(context, builder, value=value)
    view = context.make_array(kind)(context, builder)
    context.populate_array(
        view,
        data=source.data,
        shape=source.shape,
        strides=source.strides,
        itemsize=source.itemsize,
        meminfo=None,
    )
    return view._getvalue()


@intrinsic
def borrowed(typingctx: Any, fields: Any) -> Any:  # pragma: no cover - compiled
    """A tuple's arrays, not counted (its numbers as they are): valid while their owner is
    (see `alive`)."""
    if not isinstance(fields, types.BaseTuple):
        return None
    members: tuple[Any, ...] = tuple(fields)  # type: ignore[arg-type]
    kinds = types.Tuple(members)

    def codegen(context: Any, builder: Any, signature: Any, args: Any) -> Any:
        views = [
            _borrow(context, builder, kind, builder.extract_value(args[0], k))
            for k, kind in enumerate(members)
        ]
        return context.make_tuple(builder, kinds, views)

    return kinds(fields), codegen


@intrinsic
def alive(typingctx: Any, owned: Any) -> Any:  # pragma: no cover - compiled
    """Nothing, but a use of ``owned``: Numba frees an array after its last use in the function
    that owns it, so the owner keeps its arrays (and their borrowed views valid) until here."""

    def codegen(context: Any, builder: Any, signature: Any, args: Any) -> Any:
        return context.get_dummy_value()

    return types.none(owned), codegen


class _Record(types.StructRef):
    def preprocess_fields(self, fields: Any) -> Any:
        return tuple((name, types.unliteral(kind)) for name, kind in fields)


@structref.register
class _StructureRecord(_Record):
    pass


@structref.register
class _PointRecord(_Record):
    pass


@structref.register
class _ReplicaRecord(_Record):
    pass


class StructureRecord(structref.StructRefProxy):
    """`Structure` as a heap record: built in compiled code, one per replicate."""


class PointRecord(structref.StructRefProxy):
    """`Point` as a heap record."""


class ReplicaRecord(structref.StructRefProxy):
    """`Replica` as a heap record."""


structref.define_proxy(StructureRecord, _StructureRecord, list(Structure._fields))
structref.define_proxy(PointRecord, _PointRecord, list(Point._fields))
structref.define_proxy(ReplicaRecord, _ReplicaRecord, list(Replica._fields))


class Handle(types.Type):
    """A record's fields by address, not counted: valid while the record is (see `alive`)."""

    def __init__(self, record: types.StructRef) -> None:
        self.record = record
        super().__init__(name=f"Handle[{record}]")


@register_model(Handle)
class _HandleModel(models.PrimitiveModel):
    def __init__(self, dmm: Any, fe_type: Handle) -> None:
        payload = dmm.lookup(fe_type.record.get_data_type()).get_value_type()
        super().__init__(dmm, fe_type, payload.as_pointer())


@intrinsic
def handle(typingctx: Any, record: Any) -> Any:  # pragma: no cover - compiled
    """The address of a record's fields."""
    if not isinstance(record, types.StructRef):
        return None

    def codegen(context: Any, builder: Any, signature: Any, args: Any) -> Any:
        return structref._Utils(context, builder, record).get_data_pointer(args[0])

    return Handle(record)(record), codegen


@infer_getattr
class _HandleFields(AttributeTemplate):
    key = Handle

    def generic_resolve(self, typ: Handle, attr: str) -> Any:  # type: ignore[override]
        return typ.record.field_dict.get(attr)


@lower_getattr_generic(Handle)
def _field(context: Any, builder: Any, typ: Handle, value: Any, attr: str) -> Any:
    payload = cgutils.create_struct_proxy(typ.record.get_data_type())(context, builder, ref=value)
    field = getattr(payload, attr)
    return imputils.impl_ret_borrowed(context, builder, typ.record.field_dict[attr], field)
