"""Literal `schemaCompile(name, schema)` schemas: every pattern must run on the linear-time engine (ZTS331).

zigttp:validate evaluates a schema's `pattern` and `patternProperties` with
RE2 (zigttp_host/virtual_modules/patterns.py) and refuses at schemaCompile what RE2
cannot run (lookaround, backreferences) or what is not a regular expression
at all. When the schema is written in the source — an object literal, a JSON
string literal, or a `const` bound to one — the same refusal is reported here,
at the pattern itself, before the handler is ever served. Schemas built at run
time are checked by schemaCompile alone.
"""

from __future__ import annotations

import json
from typing import Any

from zigttp.compiler import ast as A
from zigttp.verifier import codes as C
from zigttp.verifier.analyzer import Analyzer
from zigttp.verifier.context import Context
from zigttp.verifier.scope import children
from zigttp_host.virtual_modules import patterns

_UNKNOWN: Any = object()
_MAX_DEPTH = 64
_SCHEMA_COMPILE = "zigttp:validate.schemaCompile"
_REWRITE = ("rewrite it without lookaround or backreferences: state an excluded case as "
            "`not: { pattern: ... }`, combine conditions with `allOf`, or check it in handler code")
_FIX = "JSON Schema patterns are ECMAScript regular expressions: fix the syntax"


def check_schema_patterns(ctx: Context, analyzer: Analyzer) -> None:
    if not any(c.name == _SCHEMA_COMPILE and c.kind == "export" for c in analyzer.callees.values()):
        return  # the typed walk saw no schemaCompile call: there is nothing to look for
    for module in ctx.program.modules:
        stack: list[A.Node] = list(module.body)
        while stack:
            node = stack.pop()
            if type(node) is A.Call:
                _check_call(ctx, analyzer, node)
            stack.extend(children(node))


def _check_call(ctx: Context, analyzer: Analyzer, node: A.Call) -> None:
    callee = analyzer.callees.get(id(node))
    if (callee is None or callee.kind != "export" or callee.name != _SCHEMA_COMPILE
            or len(node.arguments) < 2):
        return
    where: dict[str, A.Node] = {}
    schema_node = node.arguments[1]
    schema = _literal(ctx, schema_node, "", where, 0)
    if isinstance(schema, str):  # JSON text: the problems are reported at the string
        try:
            schema = json.loads(schema)
        except ValueError:
            return  # schemaCompile reports invalid JSON itself, at run time
        where = {}
    if not isinstance(schema, dict):
        return
    name = _literal(ctx, node.arguments[0], "", {}, 0)
    label = f"schemaCompile({name!r})" if isinstance(name, str) else "schemaCompile()"
    for pointer, error in patterns.schema_problems(schema):
        at = where.get(pointer, schema_node)
        ctx.report(C.diagnostic(C.SCHEMA_PATTERN, at, call=label, where=pointer, reason=error.reason,
                                advice=_REWRITE if error.unsupported else _FIX))


def _literal(ctx: Context, node: A.Node | None, pointer: str, where: dict[str, A.Node], depth: int) -> Any:
    """The JSON value a literal expression always has (or _UNKNOWN); `where` gets JSON pointer → node."""
    while type(node) is A.Paren:
        node = node.expression  # type: ignore[union-attr]
    if node is None or depth > _MAX_DEPTH:
        return _UNKNOWN
    where[pointer] = node
    kind = type(node)
    if kind in (A.StringLiteral, A.BooleanLiteral):
        return node.value  # type: ignore[union-attr]
    if kind is A.NumberLiteral:
        return node.value  # type: ignore[union-attr]
    if kind is A.TemplateLiteral and not node.expressions:  # type: ignore[union-attr]
        return node.cooked[0] if node.cooked else ""  # type: ignore[union-attr]
    if kind is A.ArrayLiteral:
        items = [_literal(ctx, e, f"{pointer}/{i}", where, depth + 1)
                 for i, e in enumerate(node.elements)]  # type: ignore[union-attr]
        return _UNKNOWN if any(v is _UNKNOWN for v in items) else items
    if kind is A.ObjectLiteral:
        return _object(ctx, node, pointer, where, depth)  # type: ignore[arg-type]
    if kind is A.Identifier:
        binding = ctx.scopes.binding_of(node)
        decl = binding.decl if binding is not None and binding.kind == "const" and not binding.writes else None
        if type(decl) is A.VariableDeclarator and type(decl.target) is A.Identifier:
            return _literal(ctx, decl.init, pointer, where, depth + 1)
    return _UNKNOWN


def _object(ctx: Context, node: A.ObjectLiteral, pointer: str, where: dict[str, A.Node], depth: int) -> Any:
    out: dict[str, Any] = {}
    for prop in node.properties:
        name = A.static_key(prop)
        if name is None:
            return _UNKNOWN
        assert isinstance(prop, A.Property)
        inner = f"{pointer}/{name.replace('~', '~0').replace('/', '~1')}"
        value = _literal(ctx, prop.value, inner, where, depth + 1)
        if value is _UNKNOWN:
            return _UNKNOWN
        if pointer.endswith("/patternProperties"):
            where[inner] = prop.key  # a patternProperties key is itself the pattern
        out[name] = value
    return out
