"""How one JSON schema differs from another, change by change, with no verdict attached.

Each change says whether the new schema admits fewer values (`narrowed`),
more (`widened`), or neither is known (`changed`). The rules decide what that
means: a request schema that admits fewer values breaks clients, a response
schema that does may not.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

_LOWER_BOUNDS = ("minimum", "exclusiveMinimum", "minLength", "minItems", "minProperties")
_UPPER_BOUNDS = ("maximum", "exclusiveMaximum", "maxLength", "maxItems", "maxProperties")
_STRUCTURE = ("type", "properties", "required", "items")


@dataclass(frozen=True, slots=True)
class SchemaChange:
    path: str  # below the schema: ".properties.id", ".items", "" for the schema itself
    kind: str  # property_added, property_removed, type_changed, required_added, required_removed,
    #            keyword_added, keyword_removed, keyword_changed
    effect: str  # narrowed | widened | changed: for the values the schema admits
    old: Any
    new: Any
    required: bool = False  # property_added: the new property is required


def same(old: Any, new: Any) -> bool:
    """JSON equality: Python's `True == 1` and `0 == False` would hide a changed constant."""
    return json.dumps(old, sort_keys=True) == json.dumps(new, sort_keys=True)


def schema_changes(old: dict[str, Any] | bool, new: dict[str, Any] | bool, path: str = "") -> list[SchemaChange]:
    if same(old, new):
        return []
    if not isinstance(old, dict) or not isinstance(new, dict):  # a boolean schema (true, false) has no keywords
        return [SchemaChange(path, "keyword_changed", "changed", old, new)]
    if "type" in old and "type" in new and not same(old["type"], new["type"]):
        return [SchemaChange(path, "type_changed", "changed", old["type"], new["type"])]
    out: list[SchemaChange] = []
    out.extend(_property_changes(old, new, path))
    out.extend(_required_changes(old, new, path))
    if isinstance(old.get("items"), dict) and isinstance(new.get("items"), dict):
        out.extend(schema_changes(old["items"], new["items"], f"{path}.items"))
    for key in sorted((set(old) | set(new)) - set(_STRUCTURE[1:])):
        out.extend(_keyword_change(key, old.get(key), new.get(key), path, key in old, key in new))
    return out


def _property_changes(old: dict[str, Any], new: dict[str, Any], path: str) -> list[SchemaChange]:
    op, np = old.get("properties") or {}, new.get("properties") or {}
    required = set(new.get("required") or [])
    closed = new.get("additionalProperties") is False
    out: list[SchemaChange] = []
    for name in sorted(set(op) | set(np)):
        where = f"{path}.properties.{name}"
        if name not in np:
            out.append(SchemaChange(where, "property_removed", "narrowed" if closed else "widened", op[name], None))
        elif name not in op:
            effect = "narrowed" if name in required else "widened"
            out.append(SchemaChange(where, "property_added", effect, None, np[name], required=name in required))
        elif isinstance(op[name], dict) and isinstance(np[name], dict):
            out.extend(schema_changes(op[name], np[name], where))
    return out


def _required_changes(old: dict[str, Any], new: dict[str, Any], path: str) -> list[SchemaChange]:
    op, np = old.get("properties") or {}, new.get("properties") or {}
    was, now = set(old.get("required") or []), set(new.get("required") or [])
    out = []
    for name in sorted((was ^ now) & set(op) & set(np)):
        kind, effect = ("required_added", "narrowed") if name in now else ("required_removed", "widened")
        out.append(SchemaChange(f"{path}.properties.{name}", kind, effect, name in was, name in now))
    return out


def _keyword_change(key: str, old: Any, new: Any, path: str, had: bool, has: bool) -> list[SchemaChange]:
    where = f"{path}.{key}"
    if had and not has:
        return [SchemaChange(where, "keyword_removed", "widened", old, None)]
    if has and not had:
        return [SchemaChange(where, "keyword_added", "narrowed", None, new)]
    if same(old, new):
        return []
    return [SchemaChange(where, "keyword_changed", _bound_effect(key, old, new), old, new)]


def _bound_effect(key: str, old: Any, new: Any) -> str:
    numbers = all(isinstance(v, int | float) and not isinstance(v, bool) for v in (old, new))
    if numbers and key in _LOWER_BOUNDS:
        return "narrowed" if new > old else "widened"
    if numbers and key in _UPPER_BOUNDS:
        return "narrowed" if new < old else "widened"
    if key == "enum" and isinstance(old, list) and isinstance(new, list):
        if all(any(same(v, w) for w in old) for v in new):
            return "narrowed"
        if all(any(same(v, w) for w in new) for v in old):
            return "widened"
    return "changed"
