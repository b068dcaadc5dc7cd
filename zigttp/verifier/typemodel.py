"""The verifier's type representation and type algebra.

Small immutable values the checkers pattern-match on. The guiding rule is
*sound-ish but never noisy*: whatever cannot be typed precisely becomes
`UNKNOWN` (or a `TVar`), and every check treats those as "could be anything,
accept". A diagnostic is only produced when two known types definitely clash.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field


class Type:
    __slots__ = ()


@dataclass(frozen=True, slots=True, eq=False)
class Prim(Type):
    """One instance per name (the constants below, the only ones ever made), so equality is identity:
    the checkers compare against them thousands of times per analysis, without a Python `__eq__` call."""

    name: str  # string number boolean undefined void never unknown object


@dataclass(frozen=True, slots=True, eq=False)
class Lit(Type):
    value: str | float | bool

    # Python's 1.0 == True must not make the literal types 1 and true equal.
    def __eq__(self, other: object) -> bool:
        return type(other) is Lit and type(other.value) is type(self.value) and other.value == self.value

    def __hash__(self) -> int:
        return hash((type(self.value), self.value))

    @property
    def base(self) -> Prim:
        if isinstance(self.value, bool):
            return BOOLEAN
        if isinstance(self.value, str):
            return STRING
        return NUMBER


@dataclass(frozen=True, slots=True)
class Union(Type):
    members: tuple[Type, ...]


@dataclass(slots=True)
class Prop:
    type: Type
    optional: bool = False
    readonly: bool = False


@dataclass(eq=False, slots=True)
class Obj(Type):
    """An object type. `name` is for messages; `kind` marks builtin shapes.

    kind: "plain" (object literal / user type), "builtin" (Request, Response,
    Headers, ...), "result" (a Result variant), "jsx".
    `open` objects (builtins with dynamic members, records with an index
    signature) never produce "property does not exist" errors.
    """

    name: str | None = None
    props: dict[str, Prop] = field(default_factory=dict)
    index: Type | None = None
    call: Fn | None = None
    kind: str = "plain"
    open: bool = False


@dataclass(frozen=True, slots=True)
class Arr(Type):
    elem: Type


@dataclass(frozen=True, slots=True)
class Tup(Type):
    elems: tuple[Type, ...]


@dataclass(frozen=True, slots=True)
class FnParam:
    name: str
    type: Type
    optional: bool = False
    rest: bool = False


@dataclass(eq=False, slots=True)
class Fn(Type):
    params: tuple[FnParam, ...]
    ret: Type | None  # None: inferred lazily through `infer`
    tparams: tuple[str, ...] = ()
    predicate: tuple[int, Type] | None = None  # `(x) => x is T`: (parameter index, T)
    name: str | None = None
    infer: Callable[[], Type] | None = None
    node: object = None  # the declaring AST node, when local

    def returns(self) -> Type:
        if self.ret is None:
            infer, self.infer = self.infer, None
            self.ret = UNKNOWN  # recursion guard while inferring
            self.ret = infer() if infer is not None else UNKNOWN
        return self.ret

    # Read at every call site: plain loops, no generator per call.
    @property
    def required(self) -> int:
        count = 0
        for p in self.params:
            if not p.optional and not p.rest:
                count += 1
        return count

    @property
    def has_rest(self) -> bool:
        for p in self.params:  # noqa: SIM110 - no generator per call
            if p.rest:
                return True
        return False


@dataclass(frozen=True, slots=True)
class Distinct(Type):
    """`distinct type X = T`: nominal; assignable to its base, not from it."""

    name: str
    base: Type


@dataclass(frozen=True, slots=True)
class TVar(Type):
    """An uninstantiated generic parameter: accepted everywhere."""

    name: str


STRING = Prim("string")
NUMBER = Prim("number")
BOOLEAN = Prim("boolean")
UNDEFINED = Prim("undefined")
VOID = Prim("void")
NEVER = Prim("never")
UNKNOWN = Prim("unknown")
OBJECT = Prim("object")  # the `object` keyword
TRUE = Lit(True)
FALSE = Lit(False)

# ------------------------------------------------------------------ building


def union(types: Iterable[Type]) -> Type:
    """Normalised union: flattened, never dropped, literals absorbed by their base."""
    flat: list[Type] = []
    for t in types:
        if type(t) is Union:
            flat.extend(t.members)
        else:
            flat.append(t)
    if len(flat) == 1 and type(flat[0]) is not Prim:  # the normalisation below leaves it as it is
        return flat[0]
    out: list[Type] = []
    seen: set[Type] = set()
    prims: set[str] = set()
    bools: set[bool] = set()  # the boolean literals among the members (`TRUE in seen` hashes in Python)
    for t in flat:
        if t is UNKNOWN or type(t) is TVar:
            return UNKNOWN if t is UNKNOWN else t
        if t is NEVER or t in seen:
            continue
        kind = type(t)
        if kind is Prim:
            prims.add(t.name)
        elif kind is Lit and type(t.value) is bool:
            bools.add(t.value)
        seen.add(t)
        out.append(t)
    if "boolean" in prims or len(bools) == 2:
        out = [t for t in out if type(t) is not Lit or type(t.value) is not bool]  # neither TRUE nor FALSE
        if "boolean" not in prims:
            out.append(BOOLEAN)
    if prims:
        out = [t for t in out if not (type(t) is Lit and t.base.name in prims)]
    if "void" in prims and "undefined" in prims:
        out = [t for t in out if t is not VOID]
    if not out:
        return NEVER
    if len(out) == 1:
        return out[0]
    return Union(tuple(out))


def members(t: Type) -> tuple[Type, ...]:
    return t.members if type(t) is Union else (t,)


def is_dynamic(t: Type) -> bool:
    """Unknown or a type variable: nothing can be said about it."""
    return t is UNKNOWN or type(t) is TVar


_UNDEFINED_IDS = frozenset({id(UNDEFINED), id(VOID)})


def has_undefined(t: Type) -> bool:
    if type(t) is not Union:
        return t is UNDEFINED or t is VOID
    # By identity, in C: `UNDEFINED in t.members` would call each literal member's Python __eq__.
    return not _UNDEFINED_IDS.isdisjoint(map(id, t.members))


def is_optional(t: Type) -> bool:
    """`T | undefined` with some defined T (and nothing dynamic)."""
    if type(t) is not Union:
        return False
    defined = [m for m in t.members if m is not UNDEFINED and m is not VOID]
    return bool(defined) and len(defined) < len(t.members) and not any(map(is_dynamic, defined))


def strip_undefined(t: Type) -> Type:
    if type(t) is not Union:
        return NEVER if (t is UNDEFINED or t is VOID) else t
    return union(m for m in t.members if m is not UNDEFINED and m is not VOID)


def widen(t: Type) -> Type:
    """Literal types become their base (what a `let` holds)."""
    if type(t) is Lit:
        return t.base
    if type(t) is Union:
        return union(widen(m) for m in t.members)
    return t


def unwrap_distinct(t: Type) -> Type:
    while type(t) is Distinct:
        t = t.base
    return t


def base_kind(t: Type) -> str:
    """Coarse runtime kind: string number boolean undefined object function unknown never."""
    t = unwrap_distinct(t)
    kind = type(t)
    if kind is Lit:
        return t.base.name
    if kind is Prim:
        if t.name in ("void", "undefined"):
            return "undefined"
        if t.name == "object":
            return "object"
        return t.name
    if kind is Fn:
        return "function"
    if kind is Obj:
        return "function" if t.call is not None and not t.props else "object"
    if kind in (Arr, Tup):
        return "object"
    if kind is Union:
        kinds = {base_kind(m) for m in t.members}
        return kinds.pop() if len(kinds) == 1 else "mixed"
    return "unknown"


def is_finite(t: Type) -> bool:
    """A union of literals (and undefined): every value can be listed."""
    return all(type(m) is Lit or m is UNDEFINED for m in members(unwrap_distinct(t))) and t is not NEVER


def literal_values(t: Type) -> set[object]:
    values: set[object] = set()
    for m in members(unwrap_distinct(t)):
        if type(m) is Lit:
            values.add((type(m.value), m.value))
        elif m is UNDEFINED:
            values.add((type(None), None))
    return values


# --------------------------------------------------------------- describing


def describe(t: Type, depth: int = 0) -> str:
    kind = type(t)
    if kind is Prim:
        return t.name
    if kind is Lit:
        if isinstance(t.value, bool):
            return "true" if t.value else "false"
        if isinstance(t.value, str):
            return '"' + t.value.replace('"', '\\"') + '"'
        return _number_text(t.value)
    if kind is Union:
        parts = []
        for m in t.members:
            text = describe(m, depth + 1)
            if text not in parts:  # variants of one named union read as its name once
                parts.append(text)
        if len(parts) > 6:
            parts = [*parts[:5], "..."]
        return " | ".join(parts)
    if kind is Arr:
        inner = describe(t.elem, depth + 1)
        return f"({inner})[]" if type(t.elem) in (Union, Fn) else f"{inner}[]"
    if kind is Tup:
        return "[" + ", ".join(describe(e, depth + 1) for e in t.elems) + "]"
    if kind is Distinct or kind is TVar:
        return t.name
    if kind is Fn:
        if t.name:
            return f"function {t.name}"
        params = ", ".join(f"{p.name}: {describe(p.type, depth + 1)}" for p in t.params)
        return f"({params}) => {describe(t.ret, depth + 1) if t.ret is not None else 'unknown'}"
    if kind is Obj:
        if t.name:
            return t.name
        if t.index is not None and not t.props:
            return f"Record<string, {describe(t.index, depth + 1)}>"
        if depth > 1:
            return "object"
        if len(t.props) > 4:
            inner = "; ".join(f"{k}: {describe(p.type, depth + 1)}" for k, p in list(t.props.items())[:3])
            return "{ " + inner + "; ... }"
        inner = "; ".join(f"{k}{'?' if p.optional else ''}: {describe(p.type, depth + 1)}" for k, p in t.props.items())
        return "{ " + inner + " }" if inner else "{}"
    return "unknown"


def describe_kind(t: Type) -> str:
    """Short human kind for sound-mode messages: 'optional string', 'object', ..."""
    if is_optional(t):
        inner = base_kind(strip_undefined(t))
        return f"optional {inner if inner != 'mixed' else 'value'}"
    kind = base_kind(t)
    return "value of mixed type" if kind == "mixed" else kind


def _number_text(value: float) -> str:
    if value == int(value) and abs(value) < 1e21:
        return str(int(value))
    return repr(value)


# ------------------------------------------------------------- substitution


def substitute(t: Type, mapping: dict[str, Type]) -> Type:
    """Replace type variables; objects are copied only when something changes."""
    if not mapping:
        return t
    return _substitute(t, mapping, {}, {})


def _substitute(t: Type, mapping: dict[str, Type], seen: dict[int, Type], mentions: dict[int, bool]) -> Type:
    kind = type(t)
    if kind is TVar:
        return mapping.get(t.name, t)
    if kind is Union:
        return union(_substitute(m, mapping, seen, mentions) for m in t.members)
    if kind is Arr:
        return Arr(_substitute(t.elem, mapping, seen, mentions))
    if kind is Tup:
        return Tup(tuple(_substitute(e, mapping, seen, mentions) for e in t.elems))
    if kind is Distinct:
        return t
    if kind is Fn:
        inner = {k: v for k, v in mapping.items() if k not in t.tparams}
        if not inner:
            return t
        return Fn(
            tuple(FnParam(p.name, _substitute(p.type, inner, seen, mentions), p.optional, p.rest) for p in t.params),
            _substitute(t.returns(), inner, seen, mentions),
            t.tparams,
            (t.predicate[0], _substitute(t.predicate[1], inner, seen, mentions)) if t.predicate else None,
            t.name,
        )
    if kind is Obj:
        return _substitute_object(t, mapping, seen, mentions)
    return t


def _substitute_object(t: Obj, mapping: dict[str, Type], seen: dict[int, Type], mentions: dict[int, bool]) -> Type:
    if id(t) in seen:
        return seen[id(t)]
    if not _mentions(t, mapping, mentions):
        # Returned as is: a copy of an object that refers to itself (Response's call returns a Response)
        # would be a new reference cycle, made for nothing.
        seen[id(t)] = t
        return t
    copy = Obj(t.name, {}, None, None, t.kind, t.open)
    seen[id(t)] = copy
    changed = False
    for name, prop in t.props.items():
        new = _substitute(prop.type, mapping, seen, mentions)
        changed = changed or new is not prop.type
        copy.props[name] = Prop(new, prop.optional, prop.readonly)
    if t.index is not None:
        copy.index = _substitute(t.index, mapping, seen, mentions)
        changed = changed or copy.index is not t.index
    if t.call is not None:
        call = _substitute(t.call, mapping, seen, mentions)
        copy.call = call if type(call) is Fn else None
        changed = changed or call is not t.call
    if not changed:
        seen[id(t)] = t
        return t
    return copy


def _mentions(t: Type, names: dict[str, Type], memo: dict[int, bool]) -> bool:
    """Whether a type variable of `names` is reachable from `t` (yes when unsure: a return not inferred yet)."""
    found = memo.get(id(t))
    if found is None:
        found = memo[id(t)] = _reaches_variable(t, names)
    return found


def _reaches_variable(root: Type, names: dict[str, Type]) -> bool:
    """A search of the type graph from `root`, each type once: recursive types end it instead of looping."""
    visited: set[int] = set()
    stack: list[Type] = [root]
    while stack:
        t = stack.pop()
        kind = type(t)
        if kind is TVar:
            if t.name in names:  # type: ignore[attr-defined]
                return True
            continue
        if kind is Prim or kind is Lit or kind is Distinct or id(t) in visited:
            continue
        visited.add(id(t))
        if kind is Union:
            stack += t.members  # type: ignore[attr-defined]
        elif kind is Arr:
            stack.append(t.elem)  # type: ignore[attr-defined]
        elif kind is Tup:
            stack += t.elems  # type: ignore[attr-defined]
        elif kind is Obj:
            stack += [p.type for p in t.props.values()]  # type: ignore[attr-defined]
            stack += [x for x in (t.index, t.call) if x is not None]  # type: ignore[attr-defined]
        elif kind is Fn:
            if t.ret is None:  # type: ignore[attr-defined]
                return True
            stack += [p.type for p in t.params]  # type: ignore[attr-defined]
            stack.append(t.ret)  # type: ignore[attr-defined]
            if t.predicate is not None:  # type: ignore[attr-defined]
                stack.append(t.predicate[1])  # type: ignore[attr-defined]
        else:
            return True  # a kind not listed here: copy it the usual way
    return False


def unify(param: Type, arg: Type, out: dict[str, Type], tparams: tuple[str, ...], depth: int = 0) -> None:
    """Infer type-variable bindings from one argument (first binding wins, widened)."""
    if depth > 8 or (is_dynamic(arg) and type(param) is not TVar):
        return
    kind = type(param)
    if kind is TVar:
        if param.name in tparams and param.name not in out and arg is not UNDEFINED:
            out[param.name] = widen(arg)
        return
    if kind is Arr:
        if type(arg) is Arr:
            unify(param.elem, arg.elem, out, tparams, depth + 1)
        elif type(arg) is Tup and arg.elems:
            unify(param.elem, union(arg.elems), out, tparams, depth + 1)
        return
    if kind is Union:
        # `T | undefined` against `X | undefined`: bind T to the defined part.
        defined = [m for m in param.members if m is not UNDEFINED]
        if len(defined) == 1:
            unify(defined[0], strip_undefined(arg), out, tparams, depth + 1)
        return
    if kind is Obj and type(arg) is Obj:
        for name, prop in param.props.items():
            other = arg.props.get(name)
            if other is not None:
                unify(prop.type, other.type, out, tparams, depth + 1)
        if param.index is not None and arg.index is not None:
            unify(param.index, arg.index, out, tparams, depth + 1)
        return
    if kind is Fn and type(arg) is Fn:
        unify(param.returns(), arg.returns(), out, tparams, depth + 1)
