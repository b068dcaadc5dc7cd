"""The type environment a handler sees: one typed description for the checkers.

Covers the request/response API (upstream §2.2–2.4), the prelude globals and
the builtins the subset allows (string, array, Object, Math, JSON, Number
methods). Virtual-module exports are not listed here: they come from the
module registry (`modules.module_signatures`), which the host owns.

Types are small frozen dataclasses so checkers can pattern-match on them.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from zigttp.compiler.modules import module_signatures


@dataclass(frozen=True, slots=True)
class Ty:
    """Base of all environment types."""


@dataclass(frozen=True, slots=True)
class Prim(Ty):
    name: str  # string number boolean undefined unknown void never


@dataclass(frozen=True, slots=True)
class Named(Ty):
    name: str  # reference to another entry of TYPES ("Request", "Response", ...)


@dataclass(frozen=True, slots=True)
class ArrayOf(Ty):
    element: Ty


@dataclass(frozen=True, slots=True)
class Optional(Ty):
    inner: Ty  # inner | undefined


@dataclass(frozen=True, slots=True)
class Union(Ty):
    members: tuple[Ty, ...]


@dataclass(frozen=True, slots=True)
class Param:
    name: str
    type: Ty
    optional: bool = False
    variadic: bool = False


@dataclass(frozen=True, slots=True)
class Func(Ty):
    params: tuple[Param, ...]
    returns: Ty


@dataclass(frozen=True, slots=True)
class Record(Ty):
    """An object with known members; `callable` for factories like Response(...)."""

    name: str
    members: dict[str, Ty] = field(default_factory=dict, hash=False)
    call: Func | None = None
    index: Ty | None = None  # value type of arbitrary string keys


STRING = Prim("string")
NUMBER = Prim("number")
BOOLEAN = Prim("boolean")
UNDEFINED = Prim("undefined")
UNKNOWN = Prim("unknown")
VOID = Prim("void")
OPT_STRING = Optional(STRING)
ANY_ARRAY = ArrayOf(UNKNOWN)


def fn(returns: Ty, *params: Param) -> Func:
    return Func(tuple(params), returns)


def p(name: str, type_: Ty, optional: bool = False, variadic: bool = False) -> Param:
    return Param(name, type_, optional, variadic)


RESPONSE_INIT = Record(
    "ResponseInit",
    {
        "status": Optional(NUMBER),
        "statusText": Optional(STRING),
        "headers": Optional(Record("HeaderInit", index=STRING)),
    },
)

HEADERS = Record(
    "Headers",
    {
        "get": fn(OPT_STRING, p("name", STRING)),
        "has": fn(BOOLEAN, p("name", STRING)),
        "set": fn(UNDEFINED, p("name", STRING), p("value", STRING)),
        "append": fn(UNDEFINED, p("name", STRING), p("value", STRING)),
        "delete": fn(UNDEFINED, p("name", STRING)),
    },
    call=fn(Named("Headers"), p("init", Record("HeaderInit", index=STRING), optional=True)),
    index=STRING,
)

REQUEST = Record(
    "Request",
    {
        "method": STRING,
        "url": STRING,
        "path": STRING,
        "query": Record("Query", index=Union((STRING, NUMBER))),
        "headers": Named("Headers"),
        "body": OPT_STRING,
        "text": fn(STRING),
        "json": fn(UNKNOWN),
        "params": Record("Params", index=STRING),
    },
    call=fn(Named("Request"), p("url", STRING), p("init", UNKNOWN, optional=True)),
)

RESPONSE = Record(
    "Response",
    {
        "body": STRING,
        "status": NUMBER,
        "statusText": STRING,
        "ok": BOOLEAN,
        "headers": Named("Headers"),
        "text": fn(STRING),
        "json": fn(UNKNOWN),
    },
    call=fn(Named("Response"), p("body", STRING, optional=True), p("init", RESPONSE_INIT, optional=True)),
)

RESPONSE_STATICS = Record(
    "ResponseConstructor",
    {
        "json": fn(Named("Response"), p("data", UNKNOWN, optional=True), p("init", RESPONSE_INIT, optional=True)),
        "text": fn(Named("Response"), p("text", STRING), p("init", RESPONSE_INIT, optional=True)),
        "html": fn(Named("Response"), p("html", STRING), p("init", RESPONSE_INIT, optional=True)),
        "redirect": fn(Named("Response"), p("url", STRING), p("status", NUMBER, optional=True)),
        "rawJson": fn(Named("Response"), p("json", STRING), p("init", RESPONSE_INIT, optional=True)),
    },
    call=RESPONSE.call,
)

RESULT = Record(
    "Result",
    {
        "ok": BOOLEAN,
        "value": UNKNOWN,
        "error": UNKNOWN,
        "isOk": fn(BOOLEAN),
        "isErr": fn(BOOLEAN),
        "unwrap": fn(UNKNOWN),
        "unwrapOr": fn(UNKNOWN, p("fallback", UNKNOWN)),
        "unwrapErr": fn(UNKNOWN),
        "map": fn(Named("Result"), p("f", fn(UNKNOWN, p("value", UNKNOWN)))),
        "mapErr": fn(Named("Result"), p("f", fn(UNKNOWN, p("error", UNKNOWN)))),
        "andThen": fn(Named("Result"), p("f", fn(Named("Result"), p("value", UNKNOWN)))),
        "match": fn(UNKNOWN, p("arms", UNKNOWN)),
    },
)

JSX_NODE = Named("JSXNode")

STRING_METHODS: dict[str, Ty] = {
    "length": NUMBER,
    "charAt": fn(STRING, p("index", NUMBER)),
    "charCodeAt": fn(NUMBER, p("index", NUMBER)),
    "indexOf": fn(NUMBER, p("search", STRING), p("from", NUMBER, optional=True)),
    "lastIndexOf": fn(NUMBER, p("search", STRING), p("from", NUMBER, optional=True)),
    "startsWith": fn(BOOLEAN, p("search", STRING), p("position", NUMBER, optional=True)),
    "endsWith": fn(BOOLEAN, p("search", STRING), p("length", NUMBER, optional=True)),
    "includes": fn(BOOLEAN, p("search", STRING), p("position", NUMBER, optional=True)),
    "slice": fn(STRING, p("start", NUMBER, optional=True), p("end", NUMBER, optional=True)),
    "substring": fn(STRING, p("start", NUMBER), p("end", NUMBER, optional=True)),
    "toLowerCase": fn(STRING),
    "toUpperCase": fn(STRING),
    "trim": fn(STRING),
    "trimStart": fn(STRING),
    "trimEnd": fn(STRING),
    "split": fn(ArrayOf(STRING), p("separator", STRING), p("limit", NUMBER, optional=True)),
    "repeat": fn(STRING, p("count", NUMBER)),
    "padStart": fn(STRING, p("length", NUMBER), p("fill", STRING, optional=True)),
    "padEnd": fn(STRING, p("length", NUMBER), p("fill", STRING, optional=True)),
    "concat": fn(STRING, p("parts", STRING, variadic=True)),
    "replace": fn(STRING, p("search", STRING), p("replacement", STRING)),
    "replaceAll": fn(STRING, p("search", STRING), p("replacement", STRING)),
    "match": fn(Optional(ArrayOf(STRING)), p("search", STRING)),
}

_CALLBACK = fn(UNKNOWN, p("value", UNKNOWN), p("index", NUMBER, optional=True))
_PREDICATE = fn(BOOLEAN, p("value", UNKNOWN), p("index", NUMBER, optional=True))

ARRAY_METHODS: dict[str, Ty] = {
    "length": NUMBER,
    "push": fn(NUMBER, p("items", UNKNOWN, variadic=True)),
    "pop": fn(UNKNOWN),
    "shift": fn(UNKNOWN),
    "unshift": fn(NUMBER, p("items", UNKNOWN, variadic=True)),
    "splice": fn(ANY_ARRAY, p("start", NUMBER), p("count", NUMBER, optional=True), p("items", UNKNOWN, variadic=True)),
    "indexOf": fn(NUMBER, p("value", UNKNOWN)),
    "includes": fn(BOOLEAN, p("value", UNKNOWN)),
    "join": fn(STRING, p("separator", STRING, optional=True)),
    "slice": fn(ANY_ARRAY, p("start", NUMBER, optional=True), p("end", NUMBER, optional=True)),
    "concat": fn(ANY_ARRAY, p("items", UNKNOWN, variadic=True)),
    "map": fn(ANY_ARRAY, p("f", _CALLBACK)),
    "filter": fn(ANY_ARRAY, p("f", _PREDICATE)),
    "reduce": fn(
        UNKNOWN,
        p("f", fn(UNKNOWN, p("acc", UNKNOWN), p("value", UNKNOWN))),
        p("initial", UNKNOWN, optional=True),
    ),
    "forEach": fn(UNDEFINED, p("f", _CALLBACK)),
    "every": fn(BOOLEAN, p("f", _PREDICATE)),
    "some": fn(BOOLEAN, p("f", _PREDICATE)),
    "find": fn(UNKNOWN, p("f", _PREDICATE)),
    "findIndex": fn(NUMBER, p("f", _PREDICATE)),
    "toSorted": fn(ANY_ARRAY, p("compare", fn(NUMBER, p("a", UNKNOWN), p("b", UNKNOWN)), optional=True)),
    "toReversed": fn(ANY_ARRAY),
}

NUMBER_METHODS: dict[str, Ty] = {
    "toFixed": fn(STRING, p("digits", NUMBER, optional=True)),
    "toString": fn(STRING, p("radix", NUMBER, optional=True)),
}

_MATH_UNARY = (
    "abs",
    "floor",
    "ceil",
    "round",
    "trunc",
    "sqrt",
    "cbrt",
    "sign",
    "log",
    "log2",
    "log10",
    "exp",
    "sin",
    "cos",
    "tan",
    "atan",
)
MATH = Record(
    "Math",
    {
        **{name: fn(NUMBER, p("x", NUMBER)) for name in _MATH_UNARY},
        "atan2": fn(NUMBER, p("y", NUMBER), p("x", NUMBER)),
        "pow": fn(NUMBER, p("base", NUMBER), p("exponent", NUMBER)),
        "hypot": fn(NUMBER, p("values", NUMBER, variadic=True)),
        "min": fn(NUMBER, p("values", NUMBER, variadic=True)),
        "max": fn(NUMBER, p("values", NUMBER, variadic=True)),
        "random": fn(NUMBER),
        **{name: NUMBER for name in ("PI", "E", "LN2", "LN10", "LOG2E", "LOG10E", "SQRT2", "SQRT1_2")},
    },
)

JSON_ = Record(
    "JSON",
    {
        "parse": fn(UNKNOWN, p("text", STRING)),
        "stringify": fn(
            STRING,
            p("value", UNKNOWN),
            p("replacer", UNKNOWN, optional=True),
            p("indent", NUMBER, optional=True),
        ),
        "tryParse": fn(Named("Result"), p("text", STRING)),
    },
)

OBJECT = Record(
    "ObjectConstructor",
    {
        "keys": fn(ArrayOf(STRING), p("o", UNKNOWN)),
        "values": fn(ANY_ARRAY, p("o", UNKNOWN)),
        "entries": fn(ArrayOf(ANY_ARRAY), p("o", UNKNOWN)),
        "hasOwn": fn(BOOLEAN, p("o", UNKNOWN), p("key", STRING)),
    },
)

NUMBER_STATICS = Record(
    "NumberConstructor",
    {
        "isInteger": fn(BOOLEAN, p("x", UNKNOWN)),
        "isNaN": fn(BOOLEAN, p("x", UNKNOWN)),
        "isFinite": fn(BOOLEAN, p("x", UNKNOWN)),
        "parseFloat": fn(NUMBER, p("text", STRING)),
        "parseInt": fn(NUMBER, p("text", STRING), p("radix", NUMBER, optional=True)),
    },
)

ARRAY_STATICS = Record(
    "ArrayConstructor",
    {
        "isArray": fn(BOOLEAN, p("x", UNKNOWN)),
        "from": fn(ANY_ARRAY, p("iterable", UNKNOWN)),
        "of": fn(ANY_ARRAY, p("items", UNKNOWN, variadic=True)),
    },
)

CONSOLE = Record(
    "console",
    {level: fn(UNDEFINED, p("values", UNKNOWN, variadic=True)) for level in ("log", "error", "warn", "info", "debug")},
)

_ERROR_FACTORY = fn(Named("Error"), p("message", STRING, optional=True))

# Every global a handler may reference (prelude + allowed builtins).
GLOBALS: dict[str, Ty] = {
    "Response": RESPONSE_STATICS,
    "Request": REQUEST.call or UNKNOWN,
    "Headers": HEADERS.call or UNKNOWN,
    "fetchSync": fn(Named("Response"), p("url", STRING), p("init", UNKNOWN, optional=True)),
    "httpRequest": fn(UNKNOWN, p("request", STRING)),
    "console": CONSOLE,
    "h": fn(JSX_NODE, p("tag", UNKNOWN), p("props", UNKNOWN), p("children", UNKNOWN, variadic=True)),
    "Fragment": UNKNOWN,
    "renderToString": fn(STRING, p("node", JSX_NODE)),
    "resource": fn(Named("Response"), p("data", UNKNOWN), p("affordances", UNKNOWN, optional=True)),
    "range": fn(ArrayOf(NUMBER), p("start", NUMBER), p("end", NUMBER, optional=True), p("step", NUMBER, optional=True)),
    "Result": Record(
        "ResultConstructor",
        {
            "ok": fn(Named("Result"), p("value", UNKNOWN)),
            "err": fn(Named("Result"), p("error", UNKNOWN)),
        },
    ),
    "JSON": JSON_,
    "Math": MATH,
    "Object": OBJECT,
    "Number": NUMBER_STATICS,
    "Array": ARRAY_STATICS,
    "String": Record(
        "StringConstructor",
        {"fromCharCode": fn(STRING, p("codes", NUMBER, variadic=True))},
        call=fn(STRING, p("value", UNKNOWN)),
    ),
    "Date": Record("DateConstructor", {"now": fn(NUMBER)}),
    "performance": Record("performance", {"now": fn(NUMBER)}),
    "parseInt": fn(NUMBER, p("text", STRING), p("radix", NUMBER, optional=True)),
    "parseFloat": fn(NUMBER, p("text", STRING)),
    "isNaN": fn(BOOLEAN, p("x", UNKNOWN)),
    "isFinite": fn(BOOLEAN, p("x", UNKNOWN)),
    "undefined": UNDEFINED,
    "NaN": NUMBER,
    "Infinity": NUMBER,
    "Error": _ERROR_FACTORY,
    "TypeError": _ERROR_FACTORY,
    "RangeError": _ERROR_FACTORY,
    "SyntaxError": _ERROR_FACTORY,
}

# Named types referenced above.
TYPES: dict[str, Ty] = {
    "Request": REQUEST,
    "Response": RESPONSE,
    "Headers": HEADERS,
    "Result": RESULT,
    "JSXNode": Record("JSXNode"),
    "Error": Record("Error", {"message": STRING, "name": STRING}),
}

# Globals that exist in QuickJS but are deliberately absent from the subset.
UNAVAILABLE_GLOBALS = frozenset(
    {
        "Map",
        "Set",
        "WeakMap",
        "WeakSet",
        "Promise",
        "RegExp",
        "Proxy",
        "Reflect",
        "Symbol",
        "eval",
        "Function",
        "globalThis",
    }
)

# The handler's expected signature.
HANDLER = fn(Named("Response"), p("req", Named("Request")))


class TypeEnvironment:
    """Read-only lookups the checkers use."""

    def global_type(self, name: str) -> Ty | None:
        return GLOBALS.get(name)

    def named(self, name: str) -> Ty | None:
        return TYPES.get(name)

    def member(self, receiver: Ty, name: str) -> Ty | None:
        """Type of `receiver.name` for the builtin receivers (None when unknown)."""
        if isinstance(receiver, Named):
            resolved = TYPES.get(receiver.name)
            if resolved is None:
                return None
            receiver = resolved
        if isinstance(receiver, Record):
            return receiver.members.get(name, receiver.index)
        if receiver == STRING:
            return STRING_METHODS.get(name)
        if receiver == NUMBER:
            return NUMBER_METHODS.get(name)
        if isinstance(receiver, ArrayOf):
            return ARRAY_METHODS.get(name)
        return None

    def virtual_module(self, name: str) -> dict[str, object] | None:
        """Export signatures of `zigttp:<name>` from the registry (None until it exists)."""
        return module_signatures(name)


ENVIRONMENT = TypeEnvironment()
