"""zigttp:decode — request bodies and queries into validated values (uses zigttp:validate's schemas)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..registry import Export, Param
from . import args as a
from .runtime import budget
from .validate import MISSING_BODY, RESULT, checking_js, coerced_check, json_against_schema, validator_for

if TYPE_CHECKING:
    from ..imports import CallContext

MAX_FIELDS = 1000


def decode_json(ctx: CallContext, args: list[Any]) -> dict[str, Any] | None:
    return json_against_schema("decodeJson", "body", ctx, args)


def form_object(body: str) -> dict[str, Any]:
    return a.group_pairs("decodeForm", body, MAX_FIELDS)


def decode_form(ctx: CallContext, args: list[Any]) -> dict[str, Any] | None:
    a.arity("decodeForm", args, 3)
    b = budget(ctx, "decodeForm")
    validator = validator_for(ctx, "decodeForm", args)
    body = a.opt_string("decodeForm", args, 1, "body")
    if validator is None:
        return None
    if body is None:
        return {"ok": False, "errors": MISSING_BODY}
    return coerced_check(validator, form_object(body), b)


def decode_query(ctx: CallContext, args: list[Any]) -> dict[str, Any] | None:
    a.arity("decodeQuery", args, 3)
    b = budget(ctx, "decodeQuery")
    validator = validator_for(ctx, "decodeQuery", args)
    query = a.obj("decodeQuery", args, 1, "query")
    if validator is None:
        return None
    return coerced_check(validator, query, b)


M = "zigttp:decode"
EXPORTS = (
    Export(M, "decodeJson", (Param("name", "string"), Param("body", "string | undefined")),
           RESULT, return_kind="result",
           failure="soft", labels=("validated",), replay_pure=True,
           impl=decode_json, js=checking_js("decodeJson", "JSON.parse(input)"),
           doc="JSON.parse + validate against schema `name` (registered with schemaCompile)."),
    Export(M, "decodeForm", (Param("name", "string"), Param("body", "string | undefined")),
           RESULT, return_kind="result",
           failure="soft", labels=("validated",), replay_pure=True,
           impl=decode_form, js=checking_js("decodeForm", "undefined"),
           doc="An application/x-www-form-urlencoded body (repeated names become arrays), coerced to the "
               "schema's types, then validated."),
    Export(M, "decodeQuery", (Param("name", "string"), Param("query", "Record<string, unknown>")), RESULT,
           return_kind="result", failure="soft", labels=("validated",), replay_pure=True,
           impl=decode_query,
           js=checking_js("decodeQuery", "undefined"),
           doc="A query object (typically req.query), coerced to the schema's types, then validated."),
)
