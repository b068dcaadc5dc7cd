"""zigttp:validate — JSON Schema (Draft 2020-12 by default, formats checked) over `jsonschema`.

Compiled schemas live host-side under a content key (sha256 of the schema
text); the guest remembers name → {key, text} in its own memory, so the
registration survives in the snapshot. When a process has not seen a key
yet (a worker started from the snapshot), the host answers "unknown" and the
guest wrapper sends the text once more (see docs/modules.md).
"""

from __future__ import annotations

import functools
import hashlib
import re
import threading
from collections.abc import Iterator
from types import FunctionType
from typing import TYPE_CHECKING, Any

import orjson

from ..registry import Export, HostTypeError, Param
from . import args as a
from . import patterns
from .runtime import Budget, budget, gil_heavy, runtime_of

if TYPE_CHECKING:
    from ..imports import CallContext

MAX_SCHEMA = 1 << 20
MAX_ERRORS = 50
MAX_MESSAGE = 300

# ---------- guest wrappers ----------

COMPILE_JS = """(call, lib) => {
  const schemas = lib.shared("schemas");
  return function schemaCompile(name, schema) {
    const text = typeof schema === "string" ? schema : lib.isObject(schema) ? JSON.stringify(schema) : schema;
    const key = call([name, text]);
    schemas[name] = { key, text };
    return true;
  };
}"""

DROP_JS = """(call, lib) => {
  const schemas = lib.shared("schemas");
  return function schemaDrop(name) {
    if (typeof name !== "string") throw new TypeError("schemaDrop(): parameter 'name' must be a string");
    const had = schemas[name] !== undefined;
    delete schemas[name];
    return had;
  };
}"""


def checking_js(fn: str, value: str) -> str:
    """A validating export: [key, input] to the host, the schema text again if the host has not seen it.

    `value` is the JS expression of the ok value when the host sends none.
    """
    return f"""(call, lib) => {{
  const schemas = lib.shared("schemas");
  return function {fn}(name, input) {{
    const s = lib.schemaOf(schemas, "{fn}", name);
    let r = call([s.key, input]);
    if (r === undefined) r = call([s.key, input, s.text]);
    return lib.validationResult(r, () => {value});
  }};
}}"""


# ---------- compiling ----------

class _Bound(threading.local):
    """What the keyword functions of the validating thread are bounded by (set around iter_errors)."""

    budget: Budget | None = None


_bound = _Bound()


class _LinearRe:
    """Stands in for the `re` module inside jsonschema's keyword functions.

    `pattern`, `patternProperties`, `additionalProperties` and
    `unevaluatedProperties` call re.search(handler pattern, client text);
    here every such search runs on RE2 (patterns.py), linear in the text.
    """

    @staticmethod
    def search(pattern: str, string: str, flags: int = 0) -> bool | None:
        try:
            return True if patterns.search(pattern, string) else None
        except patterns.PatternError as e:
            # Only a pattern the schema walk could not see (reached through an
            # unusual $ref) gets here: refused now instead of at compile.
            raise HostTypeError(f"validate: pattern {pattern[:80]!r} {e.reason}") from None


@functools.cache
def _linear_namespaces() -> dict[str, dict[str, Any]]:
    """Copies of jsonschema's keyword and helper functions whose `re` is _LinearRe, by module name."""
    from jsonschema import _keywords, _legacy_keywords, _utils

    def rebind(ns: dict[str, Any], fn: FunctionType) -> FunctionType:
        return FunctionType(fn.__code__, ns, fn.__name__, fn.__defaults__, fn.__closure__)

    def functions_of(ns: dict[str, Any], module: str) -> list[str]:
        return [k for k, v in ns.items() if isinstance(v, FunctionType) and v.__module__ == module]

    utils = {**vars(_utils), "re": _LinearRe}
    for name in functions_of(utils, _utils.__name__):
        utils[name] = rebind(utils, utils[name])
    out = {}
    for module in (_keywords, _legacy_keywords):
        ns = {**vars(module), "re": _LinearRe}
        for name in functions_of(ns, _utils.__name__):
            ns[name] = utils[name]  # the helpers they imported, rebound too
        for name in functions_of(ns, module.__name__):
            ns[name] = rebind(ns, ns[name])
        out[module.__name__] = ns
    return out


def _linear(fn: Any) -> Any:
    ns = _linear_namespaces().get(getattr(fn, "__module__", ""))
    found = ns.get(getattr(fn, "__name__", "")) if ns is not None else None
    return found if isinstance(found, FunctionType) and found.__code__ is fn.__code__ else fn


def _guarded(fn: Any) -> Any:
    """A keyword function that first checks the request's deadline.

    jsonschema calls a keyword function for every keyword at every instance
    node, so a validation over a large document notices the deadline
    within a few microseconds of work; the check is one thread-local read
    and a decrement.
    """

    def keyword(validator: Any, value: Any, instance: Any, schema: Any) -> Any:
        b = _bound.budget
        if b is not None:
            b.left -= 1  # Budget.tick() written out: this runs for every keyword at every node
            if b.left <= 0:
                b.tick()
        return fn(validator, value, instance, schema)

    return keyword


def _canonical(value: Any, b: Budget | None) -> Any:
    """A hashable form where equal JSON values (1 and 1.0, key order) are equal and true is not 1."""
    if b is not None:
        b.tick()
    if isinstance(value, bool):
        return (bool, value)
    if isinstance(value, dict):
        return (dict, frozenset((k, _canonical(v, b)) for k, v in value.items()))
    if isinstance(value, list):
        return (list, tuple(_canonical(v, b) for v in value))
    return value


def _unique_items(validator: Any, unique: Any, instance: Any, schema: Any) -> Iterator[Any]:
    # jsonschema compares every pair when the items are objects: quadratic in
    # the client's array. A set of canonical forms is linear.
    from jsonschema import ValidationError

    if not unique or not validator.is_type(instance, "array"):
        return
    seen: set[Any] = set()
    for item in instance:
        key = _canonical(item, _bound.budget)
        if key in seen:
            shown = repr(instance)
            shown = shown if len(shown) <= MAX_MESSAGE // 2 else shown[: MAX_MESSAGE // 2 - 1] + "…"
            yield ValidationError(f"{shown} has non-unique elements")
            return
        seen.add(key)


@functools.cache
def _bounded_class(base: type) -> type:
    from jsonschema import validators

    keywords = {name: _guarded(_linear(fn)) for name, fn in base.VALIDATORS.items()}
    if "uniqueItems" in keywords:
        keywords["uniqueItems"] = _guarded(_unique_items)
    return validators.extend(base, keywords)


@functools.cache
def _format_checker(base: type) -> Any:
    """The draft's format checker with "regex" meaning a valid ECMAScript pattern (not Python's re)."""
    from jsonschema import FormatChecker

    checker = FormatChecker(formats=())
    checker.checkers = {**base.FORMAT_CHECKER.checkers, "regex": (patterns.is_valid_ecmascript, ())}
    return checker


def _check_patterns(fn: str, name: str | None, schema: Any) -> None:
    for where, error in patterns.schema_problems(schema):
        who = f"{fn}({name!r})" if name is not None else f"{fn}()"
        raise HostTypeError(f"{who}: pattern at {where} {error.reason}")


def compile_schema(fn: str, text: str, name: str | None = None) -> Any:
    from jsonschema import Draft202012Validator, SchemaError, validators
    from referencing import Registry

    try:
        schema = orjson.loads(text)
    except orjson.JSONDecodeError as e:
        raise HostTypeError(f"{fn}(): the schema is not valid JSON ({e})") from None
    if not isinstance(schema, dict | bool):
        raise HostTypeError(f"{fn}(): a schema must be a JSON object or boolean")
    _check_patterns(fn, name, schema)
    base = validators.validator_for(schema, default=Draft202012Validator)
    cls = _bounded_class(base)
    # The metaschema checks `pattern` values with format "regex": ECMAScript syntax, not Python's.
    meta = validators.validator_for(cls.META_SCHEMA, default=base)
    try:
        cls.check_schema(schema, format_checker=_format_checker(meta))
    except SchemaError as e:
        where = _path(e.absolute_path)
        raise HostTypeError(f"{fn}(): invalid schema{' at ' + where if where else ''}: "
                            f"{_short(e.message)}") from None
    # An empty registry: $ref never reaches the network or the filesystem.
    return cls(schema, registry=Registry(), format_checker=_format_checker(base))


def schema_key(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()[:32]


def schema_compile(ctx: CallContext, args: list[Any]) -> str:
    a.arity("schemaCompile", args, 2)
    a.string("schemaCompile", args, 0, "name", max_len=200)
    if not isinstance(a.get(args, 1), str):
        raise HostTypeError(f"schemaCompile(): parameter 'schema' must be a JSON string or an object, got "
                            f"{a.describe(a.get(args, 1))}")
    text = a.string("schemaCompile", args, 1, "schema", max_len=MAX_SCHEMA)
    key = schema_key(text)
    name = args[0]
    runtime_of(ctx).schemas.get_or_make(key, lambda: compile_schema("schemaCompile", text, name))
    return key


def validator_for(ctx: CallContext, fn: str, args: list[Any]) -> Any | None:
    """The compiled schema named by args[0] (a content key), or None: the guest then resends the text."""
    key = a.string(fn, args, 0, "name", max_len=64)
    schemas = runtime_of(ctx).schemas
    found = schemas.lookup(key)
    if found is not None:
        return found
    text = a.get(args, 2)
    if not isinstance(text, str):
        return None
    if schema_key(text) != key:
        raise HostTypeError(f"{fn}(): the schema text does not match its key")
    return schemas.get_or_make(key, lambda: compile_schema(fn, text))


# ---------- validating ----------

def _path(parts: Any) -> str:
    out = ""
    for p in parts:
        out += f"[{p}]" if isinstance(p, int) else (f".{p}" if out else str(p))
    return out


def _short(message: str) -> str:
    return message if len(message) <= MAX_MESSAGE else message[: MAX_MESSAGE - 1] + "…"


def errors_of(validator: Any, instance: Any, b: Budget | None = None) -> list[dict[str, str]]:
    from referencing.exceptions import Unresolvable

    found = []
    outer, _bound.budget = _bound.budget, b
    try:
        for e in validator.iter_errors(instance):
            found.append({"path": _path(e.absolute_path), "message": _short(e.message)})
            if len(found) >= MAX_ERRORS:
                break
    except Unresolvable as e:
        # No retrieval: only references inside the schema itself resolve.
        raise HostTypeError(f"validate: the schema's reference {getattr(e, 'ref', '')!r} cannot be resolved "
                            "(only references within the schema are followed)") from None
    finally:
        _bound.budget = outer
    found.sort(key=lambda e: e["path"])
    return found


def _drop_none(value: Any, b: Budget) -> Any:
    """args.drop_none, ticking the budget: the value is the client's whole document."""
    b.tick()
    if isinstance(value, dict):
        return {k: _drop_none(v, b) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [_drop_none(v, b) for v in value]
    return value


def check(validator: Any, instance: Any, b: Budget, *, send_value: bool) -> dict[str, Any]:
    with gil_heavy(b):
        errors = errors_of(validator, instance, b)
        if errors:
            return {"ok": False, "errors": errors}
        if send_value:
            return {"ok": True, "value": _drop_none(instance, b)}
    return {"ok": True}


MISSING_BODY = [{"path": "", "message": "missing body"}]


def parse_json(text: str | None) -> tuple[Any, list[dict[str, str]] | None]:
    """A missing text (a request without a body) is an error Result, like text that is not JSON."""
    if text is None:
        return None, MISSING_BODY
    try:
        return orjson.loads(text), None
    except orjson.JSONDecodeError as e:
        return None, [{"path": "", "message": f"invalid JSON: {_short(str(e))}"}]


def json_against_schema(fn: str, param: str, ctx: CallContext, args: list[Any]) -> dict[str, Any] | None:
    """`fn(schemaName, text)`: parse the text as JSON and check it against the compiled schema."""
    a.arity(fn, args, 3)
    b = budget(ctx, fn)
    validator = validator_for(ctx, fn, args)
    text = a.opt_string(fn, args, 1, param)
    if validator is None:
        return None
    value, problem = parse_json(text)
    return {"ok": False, "errors": problem} if problem else check(validator, value, b, send_value=False)


def validate_json(ctx: CallContext, args: list[Any]) -> dict[str, Any] | None:
    return json_against_schema("validateJson", "json", ctx, args)


def validate_object(ctx: CallContext, args: list[Any]) -> dict[str, Any] | None:
    a.arity("validateObject", args, 3)
    b = budget(ctx, "validateObject")
    validator = validator_for(ctx, "validateObject", args)
    if validator is None:
        return None
    return check(validator, a.get(args, 1), b, send_value=False)


# ---------- coercion (coerceJson, decodeForm, decodeQuery) ----------

_INT = re.compile(r"^-?(0|[1-9][0-9]*)$")
_NUM = re.compile(r"^-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?$")


def _types(schema: dict[str, Any]) -> tuple[str, ...]:
    t = schema.get("type")
    if isinstance(t, str):
        return (t,)
    return tuple(x for x in t if isinstance(x, str)) if isinstance(t, list) else ()


def coerce(schema: Any, value: Any, depth: int = 0, b: Budget | None = None) -> Any:
    """Strings to the numbers and booleans the schema asks for (and numbers to strings), recursively."""
    if b is not None:
        b.tick()
    if not isinstance(schema, dict) or depth > 32:
        return value
    types = _types(schema)
    if isinstance(value, str):
        if "integer" in types and _INT.match(value) and len(value) <= 16:
            return int(value)
        if "number" in types and _NUM.match(value) and len(value) <= 32:
            f = float(value)
            return int(f) if f.is_integer() and "." not in value and "e" not in value.lower() else f
        if "boolean" in types and value in ("true", "false"):
            return value == "true"
        if "array" in types and "string" not in types:
            return [coerce(schema.get("items"), value, depth + 1, b)]
        return value
    if isinstance(value, int | float) and not isinstance(value, bool) and types == ("string",):
        return str(value)
    if isinstance(value, dict):
        props = schema.get("properties") if isinstance(schema.get("properties"), dict) else {}
        extra = schema.get("additionalProperties")
        return {k: coerce(props.get(k, extra), v, depth + 1, b) for k, v in value.items()}
    if isinstance(value, list):
        prefix = schema.get("prefixItems") if isinstance(schema.get("prefixItems"), list) else []
        items = schema.get("items")
        return [coerce(prefix[i] if i < len(prefix) else items, v, depth + 1, b) for i, v in enumerate(value)]
    return value


def coerced_check(validator: Any, value: Any, b: Budget) -> dict[str, Any]:
    return check(validator, coerce(validator.schema, value, 0, b), b, send_value=True)


def coerce_json(ctx: CallContext, args: list[Any]) -> dict[str, Any] | None:
    a.arity("coerceJson", args, 3)
    b = budget(ctx, "coerceJson")
    validator = validator_for(ctx, "coerceJson", args)
    text = a.opt_string("coerceJson", args, 1, "json")
    if validator is None:
        return None
    value, problem = parse_json(text)
    return {"ok": False, "errors": problem} if problem else coerced_check(validator, value, b)


TYPES = """\
interface ValidationError { path: string; message: string }
/** ok: the (parsed, coerced) value; not ok: `errors`, every problem found, with jsonschema's message. */
type Validated<T = unknown> = Result<T, ValidationError[]> & { errors?: ValidationError[] };
"""

M = "zigttp:validate"
RESULT = "Validated"
EXPORTS = (
    Export(M, "schemaCompile", (Param("name", "string"), Param("schema", "string | object")), "boolean",
           effect="write", traced=False, impl=schema_compile, js=COMPILE_JS, module_scope=True,
           doc="Registers a JSON Schema (text or object) under `name`; an invalid schema throws a TypeError."),
    Export(M, "validateJson", (Param("name", "string"), Param("json", "string | undefined")),
           RESULT, return_kind="result",
           failure="soft", labels=("validated",), replay_pure=True,
           impl=validate_json,
           js=checking_js("validateJson", "JSON.parse(input)"),
           doc="Parses `json` and validates it against schema `name`."),
    Export(M, "validateObject", (Param("name", "string"), Param("value", "unknown")), RESULT, return_kind="result",
           failure="soft", labels=("validated",), replay_pure=True,
           impl=validate_object, js=checking_js("validateObject", "input"),
           doc="Validates a value against schema `name`."),
    Export(M, "coerceJson", (Param("name", "string"), Param("json", "string | undefined")),
           RESULT, return_kind="result",
           failure="soft", labels=("validated",), replay_pure=True,
           impl=coerce_json, js=checking_js("coerceJson", "undefined"),
           doc="Like validateJson, after turning strings into the numbers and booleans the schema asks for."),
    Export(M, "schemaDrop", (Param("name", "string"),), "boolean", effect="write", traced=False, js=DROP_JS,
           module_scope=True, doc="Forgets schema `name`; true if it existed."),
)
