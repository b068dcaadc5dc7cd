"""Member, index and call lookups on verifier types (pure: no reporting)."""

from __future__ import annotations

from zigttp.verifier.builtins import array_member, boolean_member, function_member, number_members, string_members
from zigttp.verifier.typemodel import (
    NEVER,
    NUMBER,
    STRING,
    UNDEFINED,
    UNKNOWN,
    Arr,
    Distinct,
    Fn,
    Lit,
    Obj,
    Prim,
    Tup,
    Type,
    Union,
    is_dynamic,
    union,
)

MISSING = None  # member_type result when the member certainly does not exist


def member_type(t: Type, name: str) -> Type | None:
    """Type of `t.name`; None when the member certainly does not exist on a known type."""
    kind = type(t)
    if kind is Distinct:
        return member_type(t.base, name)
    if kind is Obj:
        prop = t.props.get(name)
        if prop is not None:
            return prop.type
        if t.index is not None:
            # TypeScript's reading of an index signature; the analyzer marks the read possibly absent.
            return t.index
        if t.call is not None and function_member(name) is not None:
            return UNKNOWN
        if t.open or name in _OBJECT_PROTO:
            return UNKNOWN
        return None
    if kind is Prim:
        if t.name == "string":
            return string_members().get(name)
        if t.name == "number":
            return number_members().get(name)
        if t.name == "boolean":
            return boolean_member(name)
        if t.name in ("undefined", "void"):
            return None
        return UNKNOWN  # unknown, object, never
    if kind is Lit:
        return member_type(t.base, name)
    if kind is Arr:
        return array_member(t.elem, name)
    if kind is Tup:
        if name == "length":
            return Lit(float(len(t.elems)))
        return array_member(union(t.elems) if t.elems else UNKNOWN, name)
    if kind is Fn:
        return function_member(name)
    if kind is Union:
        found = []
        for m in t.members:
            mt = member_type(m, name)
            if mt is None:
                return None
            found.append(mt)
        return union(found)
    return UNKNOWN


_OBJECT_PROTO = frozenset({"toString", "valueOf", "hasOwnProperty", "constructor", "toLocaleString"})


def index_type(t: Type, index: Type) -> Type:
    """Type of `t[index]` (records give `T | undefined`; arrays give their element)."""
    kind = type(t)
    if kind is Distinct:
        return index_type(t.base, index)
    if is_dynamic(t) or is_dynamic(index):
        if kind is Arr:
            return t.elem
        return UNKNOWN
    if kind is Arr:
        return t.elem
    if kind is Tup:
        if type(index) is Lit and isinstance(index.value, float):
            i = int(index.value)
            return t.elems[i] if 0 <= i < len(t.elems) else UNDEFINED
        return union(t.elems) if t.elems else UNDEFINED
    if kind is Prim and t.name == "string":
        return STRING
    if kind is Obj:
        keys = index.members if type(index) is Union else (index,)
        out: list[Type] = []
        for key in keys:
            if type(key) is Lit:
                text = _key_text(key.value)
                prop = t.props.get(text)
                if prop is not None:
                    out.append(prop.type)
                    continue
            if t.index is not None:
                out.append(t.index)
            elif t.props and type(key) is not Lit:
                out.append(union([p.type for p in t.props.values()] + [UNDEFINED]))
            else:
                out.append(UNKNOWN)
        return union(out) if out else UNKNOWN
    if kind is Union:
        return union(index_type(m, index) for m in t.members if m is not UNDEFINED)
    return UNKNOWN


def _key_text(value: object) -> str:
    if isinstance(value, float) and value == int(value):
        return str(int(value))
    return str(value)


def call_signature(t: Type) -> Fn | None:
    kind = type(t)
    if kind is Fn:
        return t
    if kind is Obj:
        return t.call
    return None


def is_callable(t: Type) -> bool | None:
    """True/False when known, None when it cannot be told."""
    kind = type(t)
    if kind is Fn:
        return True
    if kind is Obj:
        return True if t.call is not None else (None if t.open or t.kind != "plain" else False)
    if kind in (Lit, Arr, Tup):
        return False
    if kind is Prim:
        return None if t.name in ("unknown", "object", "never") else False
    if kind is Distinct:
        return is_callable(t.base)
    return None


def element_type(t: Type) -> Type:
    """What `for (const x of t)` binds."""
    kind = type(t)
    if kind is Arr:
        return t.elem
    if kind is Tup:
        return union(t.elems) if t.elems else NEVER
    if kind is Prim and t.name == "string":
        return STRING
    if kind is Distinct:
        return element_type(t.base)
    if kind is Union:
        return union(element_type(m) for m in t.members if m is not UNDEFINED)
    return UNKNOWN


__all__ = ["NUMBER", "call_signature", "element_type", "index_type", "is_callable", "member_type"]
