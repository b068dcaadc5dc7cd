"""Literal JSON values in the source: object/array/string/number/boolean literals and `const` aliases of them."""

from __future__ import annotations

import json
from typing import Any

from zigttp.analysis.facts.literals import Literals, const_declarator
from zigttp.compiler import ast as A
from zigttp.compiler.ast import unparen

UNKNOWN: Any = object()  # not a literal value
_MAX_DEPTH = 64


def literal_value(node: A.Node | None, module: A.Module, literals: Literals, depth: int = 0) -> Any:
    """The JSON value `node` always evaluates to, or UNKNOWN."""
    if node is None or depth > _MAX_DEPTH:
        return UNKNOWN
    node = unparen(node)
    kind = type(node)
    if kind is A.StringLiteral:
        return node.value  # type: ignore[union-attr]
    if kind is A.NumberLiteral:
        value = node.value  # type: ignore[union-attr]
        return int(value) if float(value).is_integer() else value
    if kind is A.BooleanLiteral:
        return node.value  # type: ignore[union-attr]
    if kind is A.TemplateLiteral and not node.expressions:  # type: ignore[union-attr]
        return node.cooked[0] if node.cooked else ""  # type: ignore[union-attr]
    if kind is A.Comptime:
        value = node.value  # type: ignore[union-attr]
        return value if _is_json(value) else UNKNOWN
    if kind is A.Unary and node.operator == "-":  # type: ignore[union-attr]
        inner = literal_value(node.argument, module, literals, depth + 1)  # type: ignore[union-attr]
        return -inner if isinstance(inner, int | float) and not isinstance(inner, bool) else UNKNOWN
    if kind is A.ArrayLiteral:
        items = []
        for element in node.elements:  # type: ignore[union-attr]
            value = literal_value(element, module, literals, depth + 1)
            if value is UNKNOWN:
                return UNKNOWN
            items.append(value)
        return items
    if kind is A.ObjectLiteral:
        out: dict[str, Any] = {}
        for prop in node.properties:  # type: ignore[union-attr]
            if type(prop) is not A.Property or prop.kind != "init":
                return UNKNOWN
            key = property_key(prop)
            if key is None:
                return UNKNOWN
            value = literal_value(prop.value, module, literals, depth + 1)
            if value is UNKNOWN:
                return UNKNOWN
            out[key] = value
        return out
    if kind is A.Identifier:
        decls = literals.declared(module, node.name)  # type: ignore[union-attr]
        if len(decls) != 1:
            return UNKNOWN
        declarator = const_declarator(decls[0])
        if declarator is not None:
            if type(declarator.target) is A.Identifier:
                return literal_value(declarator.init, module, literals, depth + 1)
            return UNKNOWN
        imported = literals.imported(decls[0])
        if imported is not None:
            target, name = imported
            return literal_value(A.Identifier(target.file, 0, 0, name), target, literals, depth + 1)
        return UNKNOWN
    if kind is A.Call and is_json_stringify(node.callee) and len(node.arguments) == 1:  # type: ignore[union-attr]
        value = literal_value(node.arguments[0], module, literals, depth + 1)  # type: ignore[union-attr]
        return UNKNOWN if value is UNKNOWN else json.dumps(value, separators=(",", ":"))
    return UNKNOWN


def property_key(prop: A.Property) -> str | None:
    key = prop.key
    if not prop.computed and type(key) is A.Identifier:
        return key.name  # type: ignore[attr-defined]
    if type(key) is A.StringLiteral:
        return key.value  # type: ignore[attr-defined]
    if type(key) is A.NumberLiteral:
        value = key.value  # type: ignore[attr-defined]
        return str(int(value)) if float(value).is_integer() else str(value)
    return None


def is_json_stringify(callee: A.Node) -> bool:
    return (type(callee) is A.Member and callee.name == "stringify"  # type: ignore[attr-defined]
            and type(callee.object) is A.Identifier and callee.object.name == "JSON")  # type: ignore[attr-defined]


def _is_json(value: Any) -> bool:
    if value is None or isinstance(value, str | bool | int | float):
        return True
    if isinstance(value, list):
        return all(_is_json(v) for v in value)
    if isinstance(value, dict):
        return all(isinstance(k, str) and _is_json(v) for k, v in value.items())
    return False
