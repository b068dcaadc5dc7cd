"""JSON Schemas for response payloads: from literal shapes in the source, else from the inferred type.

Literal shapes: an object literal is an object with those properties (all
required), an array literal an array of its elements' union, a string
literal `{"type": "string", "const": ...}`, a number or boolean literal
`{"const": ...}`. Other expressions are converted from the verifier's
inferred type (upstream §9.2): primitives, literal unions (`enum`), records
(`required` = properties that can never be undefined), arrays, tuples;
aliases are already resolved by the verifier. What has no JSON form
(functions, unknown, builtin objects) yields None: the response is dynamic.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from zigttp.compiler import ast as A
from zigttp.compiler.ast import unparen
from zigttp.verifier import typemodel as T

_MAX_DEPTH = 24
Schema = dict[str, Any]


def dedupe(schemas: list[Schema]) -> list[Schema]:
    seen: set[str] = set()
    out = []
    for s in schemas:
        key = json.dumps(s, sort_keys=True)
        if key not in seen:
            seen.add(key)
            out.append(s)
    return out


def one_of(schemas: list[Schema]) -> Schema:
    unique = dedupe(schemas)
    return unique[0] if len(unique) == 1 else {"anyOf": unique}


def from_type(t: T.Type, depth: int = 0) -> Schema | None:
    if depth > _MAX_DEPTH:
        return None
    t = T.unwrap_distinct(t)
    kind = type(t)
    if kind is T.Prim:
        if t.name in ("string", "number", "boolean"):  # type: ignore[attr-defined]
            return {"type": t.name}  # type: ignore[attr-defined]
        return None
    if kind is T.Lit:
        value = t.value  # type: ignore[attr-defined]
        if isinstance(value, str):
            return {"type": "string", "const": value}
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        return {"const": value}
    if kind is T.Union:
        present = [m for m in t.members if m not in (T.UNDEFINED, T.VOID)]  # type: ignore[attr-defined]
        if len(present) != len(t.members):  # type: ignore[attr-defined]
            return None  # `T | undefined` has no JSON form at the top level
        if present and all(type(m) is T.Lit for m in present):
            bases = {m.base.name for m in present}  # type: ignore[attr-defined]
            if len(bases) == 1:
                values = [_plain(m.value) for m in present]  # type: ignore[attr-defined]
                return {"type": bases.pop(), "enum": values}
        parts = [from_type(m, depth + 1) for m in present]
        if any(p is None for p in parts):
            return None
        return one_of([p for p in parts if p is not None])
    if kind is T.Arr:
        items = from_type(t.elem, depth + 1)  # type: ignore[attr-defined]
        return None if items is None else {"type": "array", "items": items}
    if kind is T.Tup:
        elems = [from_type(e, depth + 1) for e in t.elems]  # type: ignore[attr-defined]
        if any(e is None for e in elems):
            return None
        n = len(elems)
        return {"type": "array", "prefixItems": elems, "items": False, "minItems": n, "maxItems": n}
    if kind is T.Obj:
        if t.kind != "plain" or t.call is not None:  # type: ignore[attr-defined]
            return None
        props: dict[str, Schema] = {}
        required: list[str] = []
        for name, prop in t.props.items():  # type: ignore[attr-defined]
            ptype = prop.type
            optional = prop.optional or T.has_undefined(ptype)
            schema = from_type(T.strip_undefined(ptype) if optional else ptype, depth + 1)
            if schema is None:
                return None
            props[name] = schema
            if not optional:
                required.append(name)
        out: Schema = {"type": "object", "properties": props}
        if required:
            out["required"] = required
        if t.index is not None:  # type: ignore[attr-defined]
            extra = from_type(t.index, depth + 1)  # type: ignore[attr-defined]
            if extra is None:
                return None
            out["additionalProperties"] = extra
        return out
    return None


def _plain(value: Any) -> Any:
    return int(value) if isinstance(value, float) and value.is_integer() else value


class ShapeReader:
    """Schemas of payload expressions: literal shapes first, inferred types for the rest."""

    def __init__(self, types: dict[int, T.Type] | None,
                 known: Callable[[A.Node], Schema | None] | None = None) -> None:
        self.types = types or {}
        self.known = known  # schemas the caller knows better (validated values)

    def schema(self, node: A.Node | None, depth: int = 0) -> Schema | None:
        if node is None or depth > _MAX_DEPTH:
            return None
        node = unparen(node)
        if self.known is not None:
            found = self.known(node)
            if found is not None:
                return found
        kind = type(node)
        if kind is A.StringLiteral:
            return {"type": "string", "const": node.value}  # type: ignore[union-attr]
        if kind is A.NumberLiteral:
            return {"const": _plain(node.value)}  # type: ignore[union-attr]
        if kind is A.BooleanLiteral:
            return {"const": node.value}  # type: ignore[union-attr]
        if kind is A.TemplateLiteral:
            return {"type": "string"}
        if (kind is A.Binary and node.operator == "??") or kind is A.Conditional:  # type: ignore[union-attr]
            parts = ([node.left, node.right] if kind is A.Binary  # type: ignore[union-attr]
                     else [node.consequent, node.alternate])  # type: ignore[union-attr]
            schemas = [self.schema(p, depth + 1) for p in parts]
            if all(x is not None for x in schemas):
                return one_of([x for x in schemas if x is not None])
            return self.typed(node, depth)
        if kind is A.ObjectLiteral:
            props: dict[str, Schema] = {}
            for prop in node.properties:  # type: ignore[union-attr]
                if type(prop) is not A.Property or prop.kind != "init":
                    return self.typed(node, depth)
                from zigttp.analysis.facts.values import property_key

                key = property_key(prop)
                if key is None:
                    return self.typed(node, depth)
                value = self.schema(prop.value, depth + 1)
                props[key] = {} if value is None else value  # a known key with a value of any type
            out: Schema = {"type": "object", "properties": props}
            if props:
                out["required"] = list(props)
            return out
        if kind is A.ArrayLiteral:
            if any(type(e) is A.Spread for e in node.elements):  # type: ignore[union-attr]
                return self.typed(node, depth)
            items = [self.schema(e, depth + 1) for e in node.elements]  # type: ignore[union-attr]
            out = {"type": "array"}
            if items and all(i is not None for i in items):
                out["items"] = one_of([i for i in items if i is not None])
            return out
        return self.typed(node, depth)

    def typed(self, node: A.Node, depth: int) -> Schema | None:
        t = self.types.get(id(node))
        if t is None:
            return None
        return from_type(T.widen(t) if type(node) is not A.Identifier else t, depth)
