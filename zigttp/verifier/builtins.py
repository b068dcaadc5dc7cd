"""Types of everything a handler can reach without declaring it.

Request/Response/Headers and the prelude globals come from the compiler's
type environment (`zigttp.compiler.typeenv`), converted once into the
verifier's types. On top of that: a generic `Result<T, E>` (a discriminated
union on `ok`, so `.value` needs narrowing), element-aware array methods,
and the JavaScript members the environment does not spell out (typed
`unknown`, so using them is never an error but typos are).
"""

from __future__ import annotations

from functools import cache

from zigttp.compiler import typeenv as E
from zigttp.verifier.ztypes import (
    BOOLEAN,
    FALSE,
    NUMBER,
    STRING,
    TRUE,
    UNDEFINED,
    UNKNOWN,
    Arr,
    Fn,
    FnParam,
    Obj,
    Prim,
    Prop,
    Tup,
    TVar,
    Type,
    union,
)

_PRIMS = {
    "string": STRING,
    "number": NUMBER,
    "boolean": BOOLEAN,
    "undefined": UNDEFINED,
    "unknown": UNKNOWN,
    "void": Prim("void"),
    "never": Prim("never"),
}

_converted: dict[int, Type] = {}
_PLAIN_RECORDS = frozenset({"ResponseInit", "HeaderInit"})


def convert(ty: E.Ty) -> Type:
    """typeenv.Ty -> verifier Type (records become builtin objects, shared by name)."""
    kind = type(ty)
    if kind is E.Prim:
        return _PRIMS.get(ty.name, UNKNOWN)
    if kind is E.Named:
        return named_builtin(ty.name)
    if kind is E.ArrayOf:
        return Arr(convert(ty.element))
    if kind is E.Optional:
        return union((convert(ty.inner), UNDEFINED))
    if kind is E.Union:
        return union(convert(m) for m in ty.members)
    if kind is E.Func:
        return _fn(ty)
    if kind is E.Record:
        key = id(ty)
        found = _converted.get(key)
        if found is not None:
            return found
        # Option bags are plain object shapes (literals are checked against them, typos included).
        kind = "plain" if ty.name in _PLAIN_RECORDS else "builtin"
        obj = Obj(ty.name, {}, None, None, kind, open=False)
        _converted[key] = obj
        for name, member in ty.members.items():
            # typeenv writes an optional member as `Optional(T)`.
            obj.props[name] = Prop(convert(member), optional=type(member) is E.Optional)
        if ty.index is not None:
            obj.index = convert(ty.index)
        if ty.call is not None:
            obj.call = _fn(ty.call)
        return obj
    return UNKNOWN


def _fn(ty: E.Func) -> Fn:
    params = tuple(FnParam(p.name, convert(p.type), p.optional, p.variadic) for p in ty.params)
    return Fn(params, convert(ty.returns))


@cache
def named_builtin(name: str) -> Type:
    if name == "Result":
        return result_type(UNKNOWN, UNKNOWN)
    ty = E.TYPES.get(name)
    if ty is None:
        return UNKNOWN
    obj = convert(ty)
    if name == "Request" and type(obj) is Obj:
        obj.props["json"] = Prop(Fn((), UNKNOWN))
        obj.props["bytes"] = Prop(Fn((), UNKNOWN))
    return obj


# ------------------------------------------------------------------ Result


def result_type(value: Type, error: Type) -> Type:
    """`Result<T, E>`: `{ ok: true, value: T } | { ok: false, error: E }` plus the prelude methods."""
    ok = Obj("Result", {}, None, None, "result")
    err = Obj("Result", {}, None, None, "result")
    for variant, flag in ((ok, TRUE), (err, FALSE)):
        variant.props["ok"] = Prop(flag, readonly=True)
        variant.props["isOk"] = Prop(Fn((), BOOLEAN))
        variant.props["isErr"] = Prop(Fn((), BOOLEAN))
        variant.props["unwrap"] = Prop(Fn((), value))
        variant.props["unwrapOr"] = Prop(Fn((FnParam("fallback", UNKNOWN),), union((value, UNKNOWN))))
        variant.props["unwrapErr"] = Prop(Fn((), error))
        variant.props["map"] = Prop(Fn((FnParam("f", UNKNOWN),), UNKNOWN))
        variant.props["mapErr"] = Prop(Fn((FnParam("f", UNKNOWN),), UNKNOWN))
        variant.props["andThen"] = Prop(Fn((FnParam("f", UNKNOWN),), UNKNOWN))
        variant.props["match"] = Prop(Fn((FnParam("arms", UNKNOWN),), UNKNOWN))
    ok.props["value"] = Prop(value, readonly=True)
    err.props["error"] = Prop(error, readonly=True)
    err.props["errors"] = Prop(UNKNOWN, optional=True, readonly=True)  # validate/decode failures
    return union((ok, err))


def is_result_variant(t: Type) -> bool:
    return type(t) is Obj and t.kind == "result"


# ------------------------------------------------------------------ globals


@cache
def global_types() -> dict[str, Type]:
    out = {name: convert(ty) for name, ty in E.GLOBALS.items()}
    json_obj = out["JSON"]
    if type(json_obj) is Obj:
        json_obj.props["tryParse"] = Prop(Fn((FnParam("text", STRING),), result_type(UNKNOWN, STRING)))
    result_ctor = out["Result"]
    if type(result_ctor) is Obj:
        t, e = TVar("T"), TVar("E")
        result_ctor.props["ok"] = Prop(Fn((FnParam("value", t),), result_type(t, UNKNOWN), ("T",)))
        result_ctor.props["err"] = Prop(Fn((FnParam("error", e),), result_type(UNKNOWN, e), ("E",)))
    number = out["Number"]
    if type(number) is Obj:
        number.call = Fn((FnParam("value", UNKNOWN, optional=True),), NUMBER)
        number.open = True
    for name in ("Object", "Array", "Math", "JSON", "Date", "String", "performance", "console"):
        holder = out.get(name)
        if type(holder) is Obj:
            holder.open = True  # statics the environment does not list are not errors
    out["Boolean"] = Fn((FnParam("value", UNKNOWN, optional=True),), BOOLEAN)
    # Multi-valued response headers (Set-Cookie) are written as arrays.
    header_init = convert(E.RESPONSE_INIT)
    if type(header_init) is Obj:
        headers = header_init.props["headers"].type
        for member in getattr(headers, "members", (headers,)):
            if type(member) is Obj and member.index is not None:
                member.index = union((STRING, Arr(STRING)))
    # These convert their argument with String() first: any primitive is a valid argument
    # (query values that look like integers arrive as numbers).
    for name in ("encodeURIComponent", "decodeURIComponent", "encodeURI", "decodeURI"):
        out[name] = Fn((FnParam("text", UNKNOWN),), STRING)
    parse_int = Fn((FnParam("text", UNKNOWN), FnParam("radix", NUMBER, optional=True)), NUMBER)
    parse_float = Fn((FnParam("text", UNKNOWN),), NUMBER)
    out["parseInt"], out["parseFloat"] = parse_int, parse_float
    if type(number) is Obj:
        number.props["parseInt"] = Prop(parse_int)
        number.props["parseFloat"] = Prop(parse_float)
    out["globalThis"] = UNKNOWN
    return out


# ----------------------------------------------------------------- members

# JavaScript members the environment does not type: allowed, typed unknown.
_EXTRA_STRING = frozenset(
    [
        "at", "codePointAt", "normalize", "localeCompare", "search", "matchAll", "toString", "valueOf",
        "toLocaleLowerCase", "toLocaleUpperCase", "isWellFormed", "toWellFormed",
    ]
)
_EXTRA_NUMBER = frozenset(["toPrecision", "toLocaleString", "valueOf", "toExponential"])
_EXTRA_ARRAY = frozenset(
    [
        "at", "fill", "copyWithin", "flat", "flatMap", "findLast", "findLastIndex", "lastIndexOf", "reduceRight",
        "reverse", "sort", "keys", "values", "with", "toSpliced", "toString", "toLocaleString",
    ]
)
_EXTRA_FUNCTION = frozenset(["call", "apply", "bind", "length", "name", "toString"])


@cache
def string_members() -> dict[str, Type]:
    out = {name: convert(ty) for name, ty in E.STRING_METHODS.items()}
    out["split"] = Fn(
        (FnParam("separator", STRING), FnParam("limit", NUMBER, optional=True)), Arr(STRING)
    )
    out["match"] = Fn((FnParam("search", UNKNOWN),), union((Arr(STRING), UNDEFINED)))
    out["replace"] = Fn((FnParam("search", UNKNOWN), FnParam("replacement", UNKNOWN)), STRING)
    out["replaceAll"] = Fn((FnParam("search", UNKNOWN), FnParam("replacement", UNKNOWN)), STRING)
    for name in _EXTRA_STRING:
        out.setdefault(name, UNKNOWN)
    return out


@cache
def number_members() -> dict[str, Type]:
    out = {name: convert(ty) for name, ty in E.NUMBER_METHODS.items()}
    for name in _EXTRA_NUMBER:
        out.setdefault(name, UNKNOWN)
    return out


def boolean_member(name: str) -> Type | None:
    return Fn((), STRING) if name == "toString" else (UNKNOWN if name == "valueOf" else None)


def function_member(name: str) -> Type | None:
    return UNKNOWN if name in _EXTRA_FUNCTION else None


_ARRAY_CACHE: dict[tuple[int, str], Type] = {}


def array_member(elem: Type, name: str, readonly_tuple: Tup | None = None) -> Type | None:
    """Element-aware types of array members (`map` is generic in its result)."""
    u = TVar("U")
    index = FnParam("index", NUMBER, optional=True)
    value = FnParam("value", elem)
    callback = Fn((value, index), UNKNOWN)
    predicate = Fn((value, index), UNKNOWN)
    maybe = union((elem, UNDEFINED))
    if name == "length":
        return NUMBER
    if name == "map":
        return Fn((FnParam("f", Fn((value, index), u)),), Arr(u), ("U",))
    if name == "flatMap":
        return Fn((FnParam("f", Fn((value, index), UNKNOWN)),), Arr(UNKNOWN))
    if name == "filter":
        return Fn((FnParam("f", predicate),), Arr(elem))
    if name in ("find", "findLast"):
        return Fn((FnParam("f", predicate),), maybe)
    if name in ("findIndex", "findLastIndex"):
        return Fn((FnParam("f", predicate),), NUMBER)
    if name in ("some", "every"):
        return Fn((FnParam("f", predicate),), BOOLEAN)
    if name == "forEach":
        return Fn((FnParam("f", callback),), UNDEFINED)
    if name == "reduce":
        acc = FnParam("acc", u)
        return Fn(
            (FnParam("f", Fn((acc, value, index), u)), FnParam("initial", u, optional=True)), u, ("U",)
        )
    if name in ("indexOf", "lastIndexOf"):
        return Fn((FnParam("value", UNKNOWN), FnParam("from", NUMBER, optional=True)), NUMBER)
    if name == "includes":
        return Fn((FnParam("value", UNKNOWN), FnParam("from", NUMBER, optional=True)), BOOLEAN)
    if name == "join":
        return Fn((FnParam("separator", STRING, optional=True),), STRING)
    if name in ("slice", "toReversed", "reverse"):
        return Fn((FnParam("start", NUMBER, optional=True), FnParam("end", NUMBER, optional=True)), Arr(elem))
    if name in ("toSorted", "sort"):
        compare = Fn((FnParam("a", elem), FnParam("b", elem)), NUMBER)
        return Fn((FnParam("compare", compare, optional=True),), Arr(elem))
    if name == "concat":
        return Fn((FnParam("items", UNKNOWN, rest=True),), Arr(elem))
    if name in ("push", "unshift"):
        return Fn((FnParam("items", elem, rest=True),), NUMBER)
    if name in ("pop", "shift", "at"):
        return Fn((FnParam("index", NUMBER, optional=True),) if name == "at" else (), maybe)
    if name == "splice":
        return Fn(
            (FnParam("start", NUMBER), FnParam("count", NUMBER, optional=True), FnParam("items", elem, rest=True)),
            Arr(elem),
        )
    if name == "entries":
        return Fn((), Arr(Tup((NUMBER, elem))))
    if name == "keys":
        return Fn((), Arr(NUMBER))
    if name == "values":
        return Fn((), Arr(elem))
    if name in _EXTRA_ARRAY:
        return UNKNOWN
    return None


def object_statics_keys_type() -> Type:
    return Arr(STRING)


# ------------------------------------------------------------ known globals

# What the prelude (host/zigttp_host/prelude.js) puts on globalThis.
PRELUDE_GLOBALS = frozenset({
    "console", "range", "Result", "Headers", "Request", "Response", "h", "Fragment", "renderToString", "fetchSync",
    "resource",
})

# The ECMAScript globals of the guest's QuickJS-NG (each checked against the real guest by
# tests/verifier/test_known_globals.py). TextEncoder/TextDecoder, structuredClone, URL, setTimeout
# and httpRequest do not exist there.
ECMASCRIPT_GLOBALS = frozenset({
    "Object", "Function", "Array", "JSON", "Math", "Number", "String", "Boolean", "Date", "Promise", "Map", "Set",
    "WeakMap", "WeakSet", "WeakRef", "FinalizationRegistry", "Symbol", "Iterator", "RegExp", "BigInt", "Proxy",
    "Reflect", "globalThis", "undefined", "NaN", "Infinity", "performance", "queueMicrotask",
    "Error", "TypeError", "RangeError", "SyntaxError", "ReferenceError", "EvalError", "URIError", "AggregateError",
    "parseInt", "parseFloat", "isNaN", "isFinite", "encodeURIComponent", "decodeURIComponent", "encodeURI",
    "decodeURI", "escape", "unescape", "atob", "btoa",
    "ArrayBuffer", "SharedArrayBuffer", "DataView", "Uint8Array", "Int8Array", "Uint8ClampedArray", "Int16Array",
    "Uint16Array", "Int32Array", "Uint32Array", "Float16Array", "Float32Array", "Float64Array", "BigInt64Array",
    "BigUint64Array",
})

# Every global a handler may read: an identifier bound by nothing else must be one of these (ZTS312).
KNOWN_GLOBALS = PRELUDE_GLOBALS | ECMASCRIPT_GLOBALS
