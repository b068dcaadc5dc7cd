"""A route's responses: what a handler returns, matched by status and content type."""

from __future__ import annotations

import json
from typing import Any

from . import rules as R
from .findings import Finding, finding
from .schemas import SchemaChange, schema_changes

_JSON = "application/json"
Key = tuple[str, str]  # (status, content type) as text: a status that is not a literal reads "?"


def _grouped(responses: list[dict[str, Any]]) -> dict[Key, list[Any]]:
    out: dict[Key, list[Any]] = {}
    for r in responses:
        status = r.get("status")
        key = ("?" if status is None else str(status), str(r.get("contentType")))
        out.setdefault(key, []).append(r.get("schema"))
    return out


def _where(key: Key) -> str:
    status, content_type = key
    return f"responses[{status}]" if content_type == _JSON else f"responses[{status} {content_type}]"


def _variant(key: Key) -> dict[str, Any]:
    status, content_type = key
    return {"status": int(status) if status.isdigit() else None, "contentType": content_type}


def response_findings(route: str, old: list[dict[str, Any]], new: list[dict[str, Any]]) -> list[Finding]:
    before, after = _grouped(old), _grouped(new)
    out: list[Finding] = []
    for key in before.keys() - after.keys():
        out.append(finding(R.RESPONSE_REMOVED, route, _where(key), _variant(key), None))
    for key in after.keys() - before.keys():
        out.append(finding(R.RESPONSE_ADDED, route, _where(key), None, _variant(key)))
    for key in before.keys() & after.keys():
        out.extend(_variant_findings(route, _where(key), before[key], after[key]))
    return out


def _canonical(schemas: list[Any]) -> list[str]:
    return sorted(json.dumps(s, sort_keys=True) for s in schemas)


def _variant_findings(route: str, where: str, old: list[Any], new: list[Any]) -> list[Finding]:
    if _canonical(old) == _canonical(new):
        return []
    if len(old) != 1 or len(new) != 1:
        return [finding(R.RESPONSE_VARIANTS_CHANGED, route, f"{where}.schema", old, new)]
    a, b = old[0], new[0]
    if a is None:
        return [finding(R.RESPONSE_SCHEMA_BECAME_STATIC, route, f"{where}.schema", None, b)]
    if b is None:
        return [finding(R.RESPONSE_SCHEMA_BECAME_DYNAMIC, route, f"{where}.schema", a, None)]
    return [finding(_response_rule(c), route, f"{where}.schema{c.path}", c.old, c.new, _response_detail(c))
            for c in schema_changes(a, b)]


def _response_rule(change: SchemaChange) -> R.Rule:
    if change.kind == "property_added":
        return R.RESPONSE_FIELD_ADDED
    if change.kind == "property_removed":
        return R.RESPONSE_FIELD_REMOVED
    if change.kind == "type_changed":
        return R.RESPONSE_TYPE_CHANGED
    if change.kind in ("required_added", "required_removed"):
        return R.RESPONSE_REQUIRED_CHANGED
    if change.effect == "narrowed":
        return R.RESPONSE_VALUE_NARROWED
    return R.RESPONSE_VALUE_CHANGED


def _response_detail(change: SchemaChange) -> str:
    if change.kind == "property_added":
        return f"a new {'required' if change.required else 'optional'} response field"
    if change.kind == "required_added":
        return "a response field became required"
    if change.kind == "required_removed":
        return "a required response field became optional: clients may not get it"
    return ""
