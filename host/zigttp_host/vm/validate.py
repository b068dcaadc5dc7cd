"""zigttp:validate — JSON Schema (Draft 2020-12 by default, formats checked) over `jsonschema`.

Compiled schemas live host-side under a content key (sha256 of the schema
text); the guest remembers name → {key, text} in its own memory, so the
registration survives in the snapshot. When a process has not seen a key
yet (a worker started from the snapshot), the host answers "unknown" and the
guest wrapper sends the text once more (see docs/modules.md).
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

import orjson

from ..registry import Export, HostRangeError, HostTypeError, Param
from . import args as a
from .runtime import runtime_of

if TYPE_CHECKING:
    from ..imports import CallContext

MAX_SCHEMA = 1 << 20
MAX_ERRORS = 50
MAX_MESSAGE = 300
PATTERN_TIMEOUT_S = 0.25

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

def _search(fn: str, pattern: str, text: str) -> bool:
    import regex

    try:
        return regex.search(pattern, text, timeout=PATTERN_TIMEOUT_S) is not None
    except TimeoutError:
        raise HostRangeError(f"{fn}(): pattern {pattern[:80]!r} took longer than {PATTERN_TIMEOUT_S} s") from None
    except regex.error:
        return False


def _validator_class(schema: Any) -> type:
    from jsonschema import Draft202012Validator, ValidationError, validators

    base = validators.validator_for(schema, default=Draft202012Validator)

    # `pattern` and `patternProperties` with a time bound: a host call must
    # not run past the request's deadline on a catastrophic regex.
    def pattern(validator: Any, patrn: str, instance: Any, schema: Any) -> Iterator[Any]:
        if validator.is_type(instance, "string") and not _search("validate", patrn, instance):
            yield ValidationError(f"{instance!r} does not match {patrn!r}")

    def pattern_properties(validator: Any, patterns: dict[str, Any], instance: Any, schema: Any) -> Iterator[Any]:
        if not validator.is_type(instance, "object"):
            return
        for patrn, subschema in patterns.items():
            for k, v in instance.items():
                if _search("validate", patrn, k):
                    yield from validator.descend(v, subschema, path=k, schema_path=patrn)

    return validators.extend(base, {"pattern": pattern, "patternProperties": pattern_properties})


def compile_schema(fn: str, text: str) -> Any:
    from jsonschema import SchemaError
    from referencing import Registry

    try:
        schema = orjson.loads(text)
    except orjson.JSONDecodeError as e:
        raise HostTypeError(f"{fn}(): the schema is not valid JSON ({e})") from None
    if not isinstance(schema, dict | bool):
        raise HostTypeError(f"{fn}(): a schema must be a JSON object or boolean")
    cls = _validator_class(schema)
    try:
        cls.check_schema(schema)
    except SchemaError as e:
        where = _path(e.absolute_path)
        raise HostTypeError(f"{fn}(): invalid schema{' at ' + where if where else ''}: "
                            f"{_short(e.message)}") from None
    # An empty registry: $ref never reaches the network or the filesystem.
    return cls(schema, registry=Registry(), format_checker=cls.FORMAT_CHECKER)


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
    runtime_of(ctx).schemas.get_or_make(key, lambda: compile_schema("schemaCompile", text))
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


def errors_of(validator: Any, instance: Any) -> list[dict[str, str]]:
    from referencing.exceptions import Unresolvable

    found = []
    try:
        for e in validator.iter_errors(instance):
            found.append({"path": _path(e.absolute_path), "message": _short(e.message)})
            if len(found) >= MAX_ERRORS:
                break
    except Unresolvable as e:
        # No retrieval: only references inside the schema itself resolve.
        raise HostTypeError(f"validate: the schema's reference {getattr(e, 'ref', '')!r} cannot be resolved "
                            "(only references within the schema are followed)") from None
    found.sort(key=lambda e: e["path"])
    return found


def check(validator: Any, instance: Any, *, send_value: bool) -> dict[str, Any]:
    errors = errors_of(validator, instance)
    if errors:
        return {"ok": False, "errors": errors}
    if send_value:
        return {"ok": True, "value": a.drop_none(instance)}
    return {"ok": True}


def parse_json(text: str) -> tuple[Any, list[dict[str, str]] | None]:
    try:
        return orjson.loads(text), None
    except orjson.JSONDecodeError as e:
        return None, [{"path": "", "message": f"invalid JSON: {_short(str(e))}"}]


def json_against_schema(fn: str, param: str, ctx: CallContext, args: list[Any]) -> dict[str, Any] | None:
    """`fn(schemaName, text)`: parse the text as JSON and check it against the compiled schema."""
    a.arity(fn, args, 3)
    validator = validator_for(ctx, fn, args)
    text = a.string(fn, args, 1, param)
    if validator is None:
        return None
    value, problem = parse_json(text)
    return {"ok": False, "errors": problem} if problem else check(validator, value, send_value=False)


def validate_json(ctx: CallContext, args: list[Any]) -> dict[str, Any] | None:
    return json_against_schema("validateJson", "json", ctx, args)


def validate_object(ctx: CallContext, args: list[Any]) -> dict[str, Any] | None:
    a.arity("validateObject", args, 3)
    validator = validator_for(ctx, "validateObject", args)
    if validator is None:
        return None
    return check(validator, a.get(args, 1), send_value=False)


# ---------- coercion (coerceJson, decodeForm, decodeQuery) ----------

_INT = re.compile(r"^-?(0|[1-9][0-9]*)$")
_NUM = re.compile(r"^-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?$")


def _types(schema: dict[str, Any]) -> tuple[str, ...]:
    t = schema.get("type")
    if isinstance(t, str):
        return (t,)
    return tuple(x for x in t if isinstance(x, str)) if isinstance(t, list) else ()


def coerce(schema: Any, value: Any, depth: int = 0) -> Any:
    """Strings to the numbers and booleans the schema asks for (and numbers to strings), recursively."""
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
            return [coerce(schema.get("items"), value, depth + 1)]
        return value
    if isinstance(value, int | float) and not isinstance(value, bool) and types == ("string",):
        return str(value)
    if isinstance(value, dict):
        props = schema.get("properties") if isinstance(schema.get("properties"), dict) else {}
        extra = schema.get("additionalProperties")
        return {k: coerce(props.get(k, extra), v, depth + 1) for k, v in value.items()}
    if isinstance(value, list):
        prefix = schema.get("prefixItems") if isinstance(schema.get("prefixItems"), list) else []
        items = schema.get("items")
        return [coerce(prefix[i] if i < len(prefix) else items, v, depth + 1) for i, v in enumerate(value)]
    return value


def coerced_check(validator: Any, value: Any) -> dict[str, Any]:
    return check(validator, coerce(validator.schema, value), send_value=True)


def coerce_json(ctx: CallContext, args: list[Any]) -> dict[str, Any] | None:
    a.arity("coerceJson", args, 3)
    validator = validator_for(ctx, "coerceJson", args)
    text = a.string("coerceJson", args, 1, "json")
    if validator is None:
        return None
    value, problem = parse_json(text)
    return {"ok": False, "errors": problem} if problem else coerced_check(validator, value)


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
    Export(M, "validateJson", (Param("name", "string"), Param("json", "string")), RESULT, return_kind="result",
           failure="soft", labels=("validated",), impl=validate_json,
           js=checking_js("validateJson", "JSON.parse(input)"),
           doc="Parses `json` and validates it against schema `name`."),
    Export(M, "validateObject", (Param("name", "string"), Param("value", "unknown")), RESULT, return_kind="result",
           failure="soft", labels=("validated",), impl=validate_object, js=checking_js("validateObject", "input"),
           doc="Validates a value against schema `name`."),
    Export(M, "coerceJson", (Param("name", "string"), Param("json", "string")), RESULT, return_kind="result",
           failure="soft", labels=("validated",), impl=coerce_json, js=checking_js("coerceJson", "undefined"),
           doc="Like validateJson, after turning strings into the numbers and booleans the schema asks for."),
    Export(M, "schemaDrop", (Param("name", "string"),), "boolean", effect="write", traced=False, js=DROP_JS,
           module_scope=True, doc="Forgets schema `name`; true if it existed."),
)
