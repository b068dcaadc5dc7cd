"""Assignability: may a value of type `src` be used where `dst` is expected?

Answers False only when the mismatch is certain; anything involving unknown
types, type variables or shapes this model does not capture is accepted.
"""

from __future__ import annotations

from zigttp.verifier.typemodel import (
    NEVER,
    OBJECT,
    UNDEFINED,
    UNKNOWN,
    VOID,
    Arr,
    Distinct,
    Fn,
    Lit,
    Obj,
    Prim,
    Tup,
    TVar,
    Type,
    Union,
    union,
)

_MAX_DEPTH = 12


def assignable(src: Type, dst: Type) -> bool:
    if src is dst or src is UNKNOWN or dst is UNKNOWN:
        return True  # the commonest answers, without a `seen` set and a second call
    return _assignable(src, dst, 0, set())


# The checkers' hottest test: `is_dynamic` is written out and unions are walked in plain loops
# (no generator per call).
def _assignable(src: Type, dst: Type, depth: int, seen: set[tuple[int, int]]) -> bool:
    if src is dst or src is UNKNOWN or dst is UNKNOWN or src is NEVER or depth > _MAX_DEPTH:
        return True
    s, d = type(src), type(dst)
    if s is TVar or d is TVar:
        return True
    if s is Union:
        for member in src.members:  # noqa: SIM110 - no generator per call
            if not _assignable(member, dst, depth + 1, seen):
                return False
        return True
    if d is Union:
        for member in dst.members:  # noqa: SIM110 - no generator per call
            if _assignable(src, member, depth + 1, seen):
                return True
        return False
    if d is Distinct:
        # Nominal, except for literals written in the source (constants and comptime data).
        if s is Lit:
            return _assignable(src, dst.base, depth + 1, seen)
        return s is Distinct and src.name == dst.name
    if s is Distinct:
        return _assignable(src.base, dst, depth + 1, seen)
    if d is Prim:
        name = dst.name
        if name == "void":
            return (src is UNDEFINED or src is VOID)
        if name == "object":
            return s in (Obj, Arr, Tup, Fn) or src is OBJECT
        if s is Lit:
            return src.base.name == name
        if s is Prim:
            return src.name == name or (name == "undefined" and src.name == "void")
        return False
    if d is Lit:
        return s is Lit and src.value == dst.value and type(src.value) is type(dst.value)
    if s is Prim or s is Lit:
        # A primitive never satisfies an object, array or function type.
        return src is OBJECT and d is Obj and not dst.props
    if d is Arr:
        if s is Arr:
            return _assignable(src.elem, dst.elem, depth + 1, seen)
        if s is Tup:
            return all(_assignable(e, dst.elem, depth + 1, seen) for e in src.elems)
        return s is Prim
    if d is Tup:
        if s is Tup:
            return len(src.elems) == len(dst.elems) and all(
                _assignable(a, b, depth + 1, seen) for a, b in zip(src.elems, dst.elems, strict=True)
            )
        return s is Arr  # arrays of unknown length: not provable either way
    if d is Fn:
        return s is Fn or (s is Obj and src.call is not None) or src is OBJECT
    if d is Obj:
        return _object_assignable(src, dst, depth, seen)
    return True


def _object_assignable(src: Type, dst: Obj, depth: int, seen: set[tuple[int, int]]) -> bool:
    s = type(src)
    if s is Fn:
        return dst.call is not None or not dst.props
    if s in (Arr, Tup):
        return not dst.props or all(p.optional for p in dst.props.values())
    if s is not Obj:
        return True
    key = (id(src), id(dst))
    if key in seen:
        return True
    seen.add(key)
    if dst.kind == "builtin" and dst.name is not None:
        # Builtin shapes (Response, Headers, ...) are nominal by name.
        if src.kind == "builtin":
            return src.name == dst.name or dst.name == "ResponseInit"
        return _structural(src, dst, depth, seen)
    return _structural(src, dst, depth, seen)


def _structural(src: Obj, dst: Obj, depth: int, seen: set[tuple[int, int]]) -> bool:
    if src.open and not src.props:
        return True
    for name, prop in dst.props.items():
        have = src.props.get(name)
        if have is None:
            if prop.optional or src.open or src.index is not None:
                continue
            return False
        target = prop.type
        if prop.optional and target is not UNDEFINED:
            target = union((target, UNDEFINED))
        if not _assignable(have.type, target, depth + 1, seen):
            return False
    if dst.index is not None and not dst.props:
        for prop in src.props.values():
            if not _assignable(prop.type, _with_undefined(dst.index), depth + 1, seen):
                return False
    return True


def _with_undefined(t: Type) -> Type:
    return union((t, UNDEFINED))


def missing_properties(src: Obj, dst: Obj) -> list[str]:
    """Required properties of `dst` that `src` lacks (for messages)."""
    if src.open or src.index is not None:
        return []
    return [name for name, prop in dst.props.items() if not prop.optional and name not in src.props]

