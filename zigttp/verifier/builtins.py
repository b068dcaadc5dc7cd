"""Types of everything a handler can reach without declaring it, written in the verifier's type model.

Request/Response/Headers (upstream §2.2–2.4), a generic `Result<T, E>` (a
discriminated union on `ok`, so `.value` needs narrowing), the prelude globals,
and the builtins the subset allows (string, number and array members, Object,
Math, JSON, Number, ...). JavaScript members that are not spelled out are typed
`unknown`, so using them is never an error but typos are. Virtual-module
exports are not here: they come from the module registry (`registry.py`).
"""

from __future__ import annotations

from functools import cache

from zigttp.verifier.typemodel import (
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
    Prop,
    Tup,
    TVar,
    Type,
    union,
)


def _fn(returns: Type, *params: FnParam) -> Fn:
    return Fn(params, returns)


def _p(name: str, type_: Type, optional: bool = False, rest: bool = False) -> FnParam:
    return FnParam(name, type_, optional, rest)


def _maybe(t: Type) -> Type:
    return union((t, UNDEFINED))


def _record(name: str, members: dict[str, Type | Prop], index: Type | None = None, call: Fn | None = None,
            kind: str = "builtin") -> Obj:
    """A builtin object; a member given as a `Prop` keeps its flags (the optional members of an option bag)."""
    obj = Obj(name, {}, index, call, kind)
    _add_members(obj, members)
    return obj


def _add_members(obj: Obj, members: dict[str, Type | Prop]) -> None:
    for key, value in members.items():
        obj.props[key] = value if type(value) is Prop else Prop(value)  # type: ignore[arg-type]


# ------------------------------------------------------------ named types


@cache
def _named_types() -> dict[str, Obj]:
    """Request, Response, Headers, Error and JSXNode: one object each, referenced wherever the name is."""
    headers = _record("Headers", {}, index=STRING)
    _add_members(headers, {
        "get": _fn(_maybe(STRING), _p("name", STRING)),
        "has": _fn(BOOLEAN, _p("name", STRING)),
        "set": _fn(UNDEFINED, _p("name", STRING), _p("value", STRING)),
        "append": _fn(UNDEFINED, _p("name", STRING), _p("value", STRING)),
        "delete": _fn(UNDEFINED, _p("name", STRING)),
    })
    headers.call = _fn(headers, _p("init", _record("HeaderInit", {}, index=STRING, kind="plain"), optional=True))
    request = _record("Request", {})
    _add_members(request, {
        "method": STRING,
        "url": STRING,
        "path": STRING,
        "query": _record("Query", {}, index=union((STRING, NUMBER))),
        "headers": headers,
        "body": Prop(_maybe(STRING), optional=True),
        "text": _fn(STRING),
        "json": _fn(UNKNOWN),
        "params": _record("Params", {}, index=STRING),
        "bytes": _fn(UNKNOWN),
    })
    request.call = _fn(request, _p("url", STRING), _p("init", UNKNOWN, optional=True))
    response = _record("Response", {})
    _add_members(response, {
        "body": STRING,
        "status": NUMBER,
        "statusText": STRING,
        "ok": BOOLEAN,
        "headers": headers,
        "text": _fn(STRING),
        "json": _fn(UNKNOWN),
    })
    response.call = _fn(response, _p("body", STRING, optional=True), _p("init", _response_init(), optional=True))
    return {
        "Request": request,
        "Response": response,
        "Headers": headers,
        "JSXNode": _record("JSXNode", {}),
        "Error": _record("Error", {"message": STRING, "name": STRING}),
    }


@cache
def _response_init() -> Obj:
    """The option bag of every Response factory: a plain shape, so literals are checked against it, typos included."""
    # Multi-valued response headers (Set-Cookie) are written as arrays.
    header_init = _record("HeaderInit", {}, index=union((STRING, Arr(STRING))), kind="plain")
    return _record("ResponseInit", {
        "status": Prop(_maybe(NUMBER), optional=True),
        "statusText": Prop(_maybe(STRING), optional=True),
        "headers": Prop(_maybe(header_init), optional=True),
    }, kind="plain")


@cache
def named_builtin(name: str) -> Type:
    if name == "Result":
        return result_type(UNKNOWN, UNKNOWN)
    return _named_types().get(name, UNKNOWN)


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

_MATH_UNARY = (
    "abs", "floor", "ceil", "round", "trunc", "sqrt", "cbrt", "sign", "log", "log2", "log10", "exp", "sin", "cos",
    "tan", "atan",
)
_MATH_CONSTANTS = ("PI", "E", "LN2", "LN10", "LOG2E", "LOG10E", "SQRT2", "SQRT1_2")
_URI_CODECS = ("encodeURIComponent", "decodeURIComponent", "encodeURI", "decodeURI")
_ERROR_FACTORIES = ("Error", "TypeError", "RangeError", "SyntaxError")


@cache
def global_types() -> dict[str, Type]:
    """Every global a handler may reference, typed: the prelude's, then the allowed ECMAScript ones.

    The constructor objects (`Math`, `JSON`, `Object`, ...) are open: statics not
    listed here are typed unknown instead of being errors.
    """
    out = {**_prelude_types(_named_types()), **_ecmascript_types(_named_types()["Error"])}
    for name in ("Object", "Array", "Math", "JSON", "Date", "String", "performance", "console", "Number"):
        out[name].open = True  # type: ignore[attr-defined]
    return out


def _prelude_types(named: dict[str, Obj]) -> dict[str, Type]:
    request, response, headers, jsx = named["Request"], named["Response"], named["Headers"], named["JSXNode"]
    log = ("log", "error", "warn", "info", "debug")
    return {
        "Response": _response_statics(response),
        "Request": request.call,  # type: ignore[dict-item]
        "Headers": headers.call,  # type: ignore[dict-item]
        "fetchSync": _fn(response, _p("url", STRING), _p("init", UNKNOWN, optional=True)),
        "httpRequest": _fn(UNKNOWN, _p("request", STRING)),
        "console": _record("console", {level: _fn(UNDEFINED, _p("values", UNKNOWN, rest=True)) for level in log}),
        "h": _fn(jsx, _p("tag", UNKNOWN), _p("props", UNKNOWN), _p("children", UNKNOWN, rest=True)),
        "Fragment": UNKNOWN,
        "renderToString": _fn(STRING, _p("node", jsx)),
        "resource": _fn(response, _p("data", UNKNOWN), _p("affordances", UNKNOWN, optional=True)),
        "range": _fn(Arr(NUMBER), _p("start", NUMBER), _p("end", NUMBER, optional=True),
                     _p("step", NUMBER, optional=True)),
        "Result": _result_statics(),
    }


def _ecmascript_types(error: Obj) -> dict[str, Type]:
    # These convert their argument with String() first: any primitive is a valid argument
    # (query values that look like integers arrive as numbers).
    parse_int = _fn(NUMBER, _p("text", UNKNOWN), _p("radix", NUMBER, optional=True))
    parse_float = _fn(NUMBER, _p("text", UNKNOWN))
    return {
        "JSON": _record("JSON", {
            "parse": _fn(UNKNOWN, _p("text", STRING)),
            "stringify": _fn(STRING, _p("value", UNKNOWN), _p("replacer", UNKNOWN, optional=True),
                             _p("indent", NUMBER, optional=True)),
            "tryParse": _fn(result_type(UNKNOWN, STRING), _p("text", STRING)),
        }),
        "Math": _math(),
        "Object": _record("ObjectConstructor", {
            "keys": _fn(Arr(STRING), _p("o", UNKNOWN)),
            "values": _fn(Arr(UNKNOWN), _p("o", UNKNOWN)),
            "entries": _fn(Arr(Arr(UNKNOWN)), _p("o", UNKNOWN)),
            "hasOwn": _fn(BOOLEAN, _p("o", UNKNOWN), _p("key", STRING)),
        }),
        "Number": _record("NumberConstructor", {
            "isInteger": _fn(BOOLEAN, _p("x", UNKNOWN)),
            "isNaN": _fn(BOOLEAN, _p("x", UNKNOWN)),
            "isFinite": _fn(BOOLEAN, _p("x", UNKNOWN)),
            "parseFloat": parse_float,
            "parseInt": parse_int,
        }, call=_fn(NUMBER, _p("value", UNKNOWN, optional=True))),
        "Array": _record("ArrayConstructor", {
            "isArray": _fn(BOOLEAN, _p("x", UNKNOWN)),
            "from": _fn(Arr(UNKNOWN), _p("iterable", UNKNOWN)),
            "of": _fn(Arr(UNKNOWN), _p("items", UNKNOWN, rest=True)),
        }),
        "String": _record("StringConstructor", {"fromCharCode": _fn(STRING, _p("codes", NUMBER, rest=True))},
                          call=_fn(STRING, _p("value", UNKNOWN))),
        "Date": _record("DateConstructor", {"now": _fn(NUMBER)}),
        "performance": _record("performance", {"now": _fn(NUMBER)}),
        "parseInt": parse_int,
        "parseFloat": parse_float,
        "isNaN": _fn(BOOLEAN, _p("x", UNKNOWN)),
        "isFinite": _fn(BOOLEAN, _p("x", UNKNOWN)),
        "undefined": UNDEFINED,
        "NaN": NUMBER,
        "Infinity": NUMBER,
        **{name: _fn(error, _p("message", STRING, optional=True)) for name in _ERROR_FACTORIES},
        "Boolean": _fn(BOOLEAN, _p("value", UNKNOWN, optional=True)),
        **{name: _fn(STRING, _p("text", UNKNOWN)) for name in _URI_CODECS},
        "globalThis": UNKNOWN,
    }


def _math() -> Obj:
    return _record("Math", {
        **{name: _fn(NUMBER, _p("x", NUMBER)) for name in _MATH_UNARY},
        "atan2": _fn(NUMBER, _p("y", NUMBER), _p("x", NUMBER)),
        "pow": _fn(NUMBER, _p("base", NUMBER), _p("exponent", NUMBER)),
        "hypot": _fn(NUMBER, _p("values", NUMBER, rest=True)),
        "min": _fn(NUMBER, _p("values", NUMBER, rest=True)),
        "max": _fn(NUMBER, _p("values", NUMBER, rest=True)),
        "random": _fn(NUMBER),
        **{name: NUMBER for name in _MATH_CONSTANTS},
    })


def _response_statics(response: Obj) -> Obj:
    init = _p("init", _response_init(), optional=True)
    return _record("ResponseConstructor", {
        "json": _fn(response, _p("data", UNKNOWN, optional=True), init),
        "text": _fn(response, _p("text", STRING), init),
        "html": _fn(response, _p("html", STRING), init),
        "redirect": _fn(response, _p("url", STRING), _p("status", NUMBER, optional=True)),
        "rawJson": _fn(response, _p("json", STRING), init),
    }, call=response.call)


def _result_statics() -> Obj:
    t, e = TVar("T"), TVar("E")
    return _record("ResultConstructor", {
        "ok": Fn((FnParam("value", t),), result_type(t, UNKNOWN), ("T",)),
        "err": Fn((FnParam("error", e),), result_type(UNKNOWN, e), ("E",)),
    })

# ----------------------------------------------------------------- members

# JavaScript members not typed here: allowed, typed unknown.
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
    out: dict[str, Type] = {
        "length": NUMBER,
        "charAt": _fn(STRING, _p("index", NUMBER)),
        "charCodeAt": _fn(NUMBER, _p("index", NUMBER)),
        "indexOf": _fn(NUMBER, _p("search", STRING), _p("from", NUMBER, optional=True)),
        "lastIndexOf": _fn(NUMBER, _p("search", STRING), _p("from", NUMBER, optional=True)),
        "startsWith": _fn(BOOLEAN, _p("search", STRING), _p("position", NUMBER, optional=True)),
        "endsWith": _fn(BOOLEAN, _p("search", STRING), _p("length", NUMBER, optional=True)),
        "includes": _fn(BOOLEAN, _p("search", STRING), _p("position", NUMBER, optional=True)),
        "slice": _fn(STRING, _p("start", NUMBER, optional=True), _p("end", NUMBER, optional=True)),
        "substring": _fn(STRING, _p("start", NUMBER), _p("end", NUMBER, optional=True)),
        **{name: _fn(STRING) for name in ("toLowerCase", "toUpperCase", "trim", "trimStart", "trimEnd")},
        "split": _fn(Arr(STRING), _p("separator", STRING), _p("limit", NUMBER, optional=True)),
        "repeat": _fn(STRING, _p("count", NUMBER)),
        "padStart": _fn(STRING, _p("length", NUMBER), _p("fill", STRING, optional=True)),
        "padEnd": _fn(STRING, _p("length", NUMBER), _p("fill", STRING, optional=True)),
        "concat": _fn(STRING, _p("parts", STRING, rest=True)),
        # A pattern argument is a regular-expression literal or a string: not checked.
        "replace": _fn(STRING, _p("search", UNKNOWN), _p("replacement", UNKNOWN)),
        "replaceAll": _fn(STRING, _p("search", UNKNOWN), _p("replacement", UNKNOWN)),
        "match": _fn(_maybe(Arr(STRING)), _p("search", UNKNOWN)),
    }
    for name in _EXTRA_STRING:
        out.setdefault(name, UNKNOWN)
    return out


@cache
def number_members() -> dict[str, Type]:
    out: dict[str, Type] = {
        "toFixed": _fn(STRING, _p("digits", NUMBER, optional=True)),
        "toString": _fn(STRING, _p("radix", NUMBER, optional=True)),
    }
    for name in _EXTRA_NUMBER:
        out.setdefault(name, UNKNOWN)
    return out


def boolean_member(name: str) -> Type | None:
    return Fn((), STRING) if name == "toString" else (UNKNOWN if name == "valueOf" else None)


def function_member(name: str) -> Type | None:
    return UNKNOWN if name in _EXTRA_FUNCTION else None


_CALLBACK_MEMBERS = frozenset({"map", "flatMap", "filter", "find", "findLast", "findIndex", "findLastIndex", "some",
                               "every", "forEach", "reduce"})


def _callback_member(elem: Type, name: str) -> Type:
    """The members that take a callback `(value, index)`: its parameters are built only for them."""
    index = FnParam("index", NUMBER, optional=True)
    value = FnParam("value", elem)
    if name == "map":
        u = TVar("U")
        return Fn((FnParam("f", Fn((value, index), u)),), Arr(u), ("U",))
    if name == "flatMap":
        return Fn((FnParam("f", Fn((value, index), UNKNOWN)),), Arr(UNKNOWN))
    if name == "forEach":
        return Fn((FnParam("f", Fn((value, index), UNKNOWN)),), UNDEFINED)
    if name == "reduce":
        u = TVar("U")
        acc = FnParam("acc", u)
        return Fn(
            (FnParam("f", Fn((acc, value, index), u)), FnParam("initial", u, optional=True)), u, ("U",)
        )
    predicate = FnParam("f", Fn((value, index), UNKNOWN))
    if name == "filter":
        return Fn((predicate,), Arr(elem))
    if name in ("find", "findLast"):
        return Fn((predicate,), union((elem, UNDEFINED)))
    if name in ("findIndex", "findLastIndex"):
        return Fn((predicate,), NUMBER)
    return Fn((predicate,), BOOLEAN)  # some, every


def array_member(elem: Type, name: str, readonly_tuple: Tup | None = None) -> Type | None:
    """Element-aware types of array members (`map` is generic in its result)."""
    if name == "length":
        return NUMBER
    if name in _CALLBACK_MEMBERS:
        return _callback_member(elem, name)
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
        return Fn((FnParam("index", NUMBER, optional=True),) if name == "at" else (), union((elem, UNDEFINED)))
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
