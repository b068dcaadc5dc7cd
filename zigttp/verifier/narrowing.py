"""Type refinements a condition implies (pure functions on types).

Each function returns the type a reference has on the true (or false) side of
a test. Unknown stays unknown except where the test names a concrete type
(`typeof x === "string"`, `Array.isArray(x)`, a type guard), which is how
`unknown` input becomes usable.
"""

from __future__ import annotations

from zigttp.verifier.assign import assignable
from zigttp.verifier.typemodel import (
    BOOLEAN,
    FALSE,
    NEVER,
    NUMBER,
    STRING,
    TRUE,
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
    Type,
    base_kind,
    is_dynamic,
    members,
    union,
)

_FALSY_LITERALS = frozenset({Lit(""), Lit(0.0), FALSE})  # a set: one hash instead of three __eq__ calls


def truthy(t: Type) -> Type:
    if is_dynamic(t):
        return t
    out = []
    for m in members(t):
        if (m is UNDEFINED or m is VOID) or m in _FALSY_LITERALS:
            continue
        out.append(TRUE if m is BOOLEAN else m)
    return union(out)


def falsy(t: Type) -> Type:
    if is_dynamic(t):
        return t
    out: list[Type] = []
    for m in members(t):
        kind = type(m)
        if (m is UNDEFINED or m is VOID) or m in _FALSY_LITERALS:
            out.append(m)
        elif m is BOOLEAN:
            out.append(FALSE)
        elif m is STRING:
            out.append(Lit(""))
        elif m is NUMBER or kind is Distinct or (kind is Prim and m.name in ("unknown", "object")):
            out.append(m)
    return union(out)


def equal_to(t: Type, value: Type) -> Type:
    """`t === value` holds."""
    if is_dynamic(t):
        return value if type(value) is Lit or value is UNDEFINED else t
    if value is UNDEFINED:
        return UNDEFINED if any((m is UNDEFINED or m is VOID) for m in members(t)) else NEVER
    if type(value) is not Lit:
        return t
    out = []
    for m in members(t):
        if m == value:
            out.append(m)
        elif type(m) is Prim and m == value.base:
            out.append(value)
        elif type(m) is Distinct:
            out.append(m)
    return union(out)


def not_equal_to(t: Type, value: Type) -> Type:
    """`t !== value` holds."""
    if is_dynamic(t):
        return t
    if value is UNDEFINED:
        return union(m for m in members(t) if m is not UNDEFINED and m is not VOID)
    if type(value) is not Lit:
        return t
    if value in (TRUE, FALSE):
        out = []
        for m in members(t):
            if m is BOOLEAN:
                out.append(FALSE if value == TRUE else TRUE)
            elif m != value:
                out.append(m)
        return union(out)
    return union(m for m in members(t) if m != value)


_TYPEOF_KINDS = {
    "string": ("string",),
    "number": ("number",),
    "boolean": ("boolean",),
    "undefined": ("undefined",),
    "object": ("object",),
    "function": ("function",),
}


def typeof_is(t: Type, tag: str) -> Type:
    kinds = _TYPEOF_KINDS.get(tag)
    if kinds is None:
        return NEVER if tag not in ("bigint", "symbol") else t
    if is_dynamic(t):
        return _typeof_unknown(tag)
    out = []
    for m in members(t):
        kind = base_kind(m)
        if kind in kinds:
            out.append(m)
        elif kind == "unknown" or (type(m) is Prim and m.name == "object" and tag in ("object", "function")):
            out.append(_typeof_unknown(tag))
    return union(out)


def typeof_is_not(t: Type, tag: str) -> Type:
    kinds = _TYPEOF_KINDS.get(tag)
    if kinds is None or is_dynamic(t):
        return t
    return union(m for m in members(t) if base_kind(m) not in kinds)


def _typeof_unknown(tag: str) -> Type:
    if tag == "string":
        return STRING
    if tag == "number":
        return NUMBER
    if tag == "boolean":
        return BOOLEAN
    if tag == "undefined":
        return UNDEFINED
    if tag == "function":
        return Fn((), UNKNOWN, name=None)
    return Obj(None, open=True)  # "object": some object, members unknown


def is_array(t: Type, yes: bool) -> Type:
    if is_dynamic(t):
        return Arr(UNKNOWN) if yes else t
    out = []
    for m in members(t):
        array = type(m) in (Arr, Tup)
        if array == yes:
            out.append(m)
        elif yes and type(m) is Obj and m.open and not m.props:
            out.append(Arr(UNKNOWN))
        elif not yes and type(m) is Prim and m.name == "object":
            out.append(m)
    return union(out)


def guarded(t: Type, guard: Type, yes: bool) -> Type:
    """A type-guard function (`x is T`) returned true / false."""
    if is_dynamic(t):
        return guard if yes else t
    if yes:
        kept = [m for m in members(t) if assignable(m, guard)]
        if kept:
            return union(kept)
        # The guard narrows a wider type (string -> "a" | "b"): the guard's type.
        return guard
    return union(m for m in members(t) if not (assignable(m, guard) and not is_dynamic(guard)))


def by_property(t: Type, name: str, refine: object, yes: bool) -> Type:
    """Narrow a union of objects by a test on one property.

    `refine(prop_type) -> narrowed prop type`; a member is kept when its
    property can satisfy the test (narrowed type is not never).
    """
    if is_dynamic(t) or (len(members(t)) < 2 and not any(m is UNDEFINED for m in members(t))):
        return t
    out = []
    for m in members(t):
        if type(m) is not Obj:
            if (m is UNDEFINED or m is VOID):
                continue  # reading a property of undefined would have thrown
            out.append(m)
            continue
        prop = m.props.get(name)
        if prop is None:
            if m.open or m.index is not None or not yes:
                out.append(m)
            continue
        if refine(prop.type) is not NEVER:  # type: ignore[operator]
            out.append(m)
    return union(out) if out else NEVER


__all__ = [
    "by_property",
    "equal_to",
    "falsy",
    "guarded",
    "is_array",
    "not_equal_to",
    "truthy",
    "typeof_is",
    "typeof_is_not",
]
