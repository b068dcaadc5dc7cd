"""Routes, their parameters and request bodies: what a handler accepts (and which routes it serves)."""

from __future__ import annotations

from typing import Any

from . import rules as R
from .diff_responses import response_findings
from .findings import Finding, finding
from .schemas import SchemaChange, same, schema_changes
from .view import ContractView


def route_findings(old: ContractView, new: ContractView) -> list[Finding]:
    before, after = old.routes(), new.routes()
    out: list[Finding] = []
    for key in before.keys() - after.keys():
        out.append(finding(R.ROUTE_REMOVED, key, "", _route_summary(before[key]), None))
    for key in after.keys() - before.keys():
        out.append(finding(R.ROUTE_ADDED, key, "", None, _route_summary(after[key])))
    for key in before.keys() & after.keys():
        a, b = before[key], after[key]
        out.extend(_param_findings(key, a.get("params") or [], b.get("params") or []))
        out.extend(_body_findings(key, a.get("requestSchema"), b.get("requestSchema")))
        out.extend(response_findings(key, a.get("responses") or [], b.get("responses") or []))
        out.extend(_auth_findings(key, a.get("auth"), b.get("auth")))
    return out


def _auth_findings(route: str, old: Any, new: Any) -> list[Finding]:
    """A credential check added narrows what the route accepts; one removed widens it (a security review)."""
    if not isinstance(old, dict) or not isinstance(new, dict):
        return []  # a version-1 contract: comparability_findings reports it
    out = []
    for kind in sorted(old.keys() | new.keys()):
        was, now = old.get(kind) is True, new.get(kind) is True
        if was != now:
            out.append(finding(R.AUTH_ADDED if now else R.AUTH_REMOVED, route, f"auth.{kind}", was, now))
    return out


def _route_summary(route: dict[str, Any]) -> dict[str, Any]:
    return {"method": route.get("method"), "path": route.get("path"),
            "statuses": sorted({r.get("status") for r in route.get("responses") or []}, key=str)}


def _params_by_key(params: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {f"{p.get('in')}.{p.get('name')}": p for p in params}


def _param_findings(route: str, old: list[dict[str, Any]], new: list[dict[str, Any]]) -> list[Finding]:
    before, after = _params_by_key(old), _params_by_key(new)
    out: list[Finding] = []
    for key in before.keys() - after.keys():
        out.append(finding(R.PARAM_REMOVED, route, f"params[{key}]", before[key], None))
    for key in after.keys() - before.keys():
        p = after[key]
        out.append(finding(R.PARAM_REQUIRED_ADDED if p.get("required") else R.PARAM_OPTIONAL_ADDED,
                           route, f"params[{key}]", None, p))
    for key in before.keys() & after.keys():
        a, b = before[key], after[key]
        where = f"params[{key}]"
        if bool(a.get("required")) != bool(b.get("required")):
            out.append(finding(R.PARAM_BECAME_REQUIRED if b.get("required") else R.PARAM_BECAME_OPTIONAL,
                               route, f"{where}.required", bool(a.get("required")), bool(b.get("required"))))
        for change in _changes(a.get("schema"), b.get("schema")):
            rule = R.PARAM_SCHEMA_WIDENED if change.effect == "widened" else R.PARAM_SCHEMA_NARROWED
            out.append(finding(rule, route, f"{where}.schema{change.path}", change.old, change.new,
                               _request_detail(change)))
    return out


def _changes(old: Any, new: Any) -> list[SchemaChange]:
    if isinstance(old, dict) and isinstance(new, dict):
        return schema_changes(old, new)
    return [] if same(old, new) else [SchemaChange("", "keyword_changed", "changed", old, new)]


def _body_findings(route: str, old: dict[str, Any] | None, new: dict[str, Any] | None) -> list[Finding]:
    if old is None and new is None:
        return []
    if old is None:
        return [finding(R.BODY_SCHEMA_ADDED, route, "requestSchema", None, new)]
    if new is None:
        return [finding(R.BODY_SCHEMA_REMOVED, route, "requestSchema", old, None)]
    if old.get("contentType") != new.get("contentType"):
        return [finding(R.BODY_CONTENT_TYPE_CHANGED, route, "requestSchema.contentType", old.get("contentType"),
                        new.get("contentType"))]
    out = []
    for change in _changes(old.get("schema"), new.get("schema")):
        rule = R.BODY_WIDENED if change.effect == "widened" else R.BODY_NARROWED
        out.append(finding(rule, route, f"requestSchema.schema{change.path}", change.old, change.new,
                           _request_detail(change)))
    return out


_REQUEST_WORDS = {
    "property_added": "a new {req} field",
    "property_removed": "a field is no longer described",
    "type_changed": "the type changed",
    "required_added": "an optional field became required",
    "required_removed": "a required field became optional",
    "keyword_added": "a new constraint",
    "keyword_removed": "a constraint was dropped",
    "keyword_changed": "a constraint changed",
}


def _request_detail(change: SchemaChange) -> str:
    text = _REQUEST_WORDS[change.kind].format(req="required" if change.required else "optional")
    return f"{text}: accepts {'less' if change.effect != 'widened' else 'more'}"
