"""The decisions that tell one execution path from another, written so that refactors do not change them.

A `Condition` is one decision on a path: an I/O outcome (`io`,
`zigttp:auth.jwtVerify`, `err`), a test that reads the request (`request`,
`req.path.startsWith("/todos/")`, `true`), or the arm a `match` took
(`match`, its subject, the arm's pattern or `default`).

`Describer` writes expressions in one canonical form: the request parameter
is `req` whatever its name, any other local is `_`, a `const` that holds a
literal or a value read from the request is replaced by what it holds, and
formatting, parentheses and quotes do not matter. Renaming locals,
extracting a constant or reformatting leaves the text unchanged; changing
what is tested changes it.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from zigttp.compiler import ast as A
from zigttp.compiler.ast import unparen, walk
from zigttp.verifier import typemodel as T
from zigttp.verifier.scope import Binding, Scopes

_MAX_ALIAS_DEPTH = 8
_LITERALS = (A.StringLiteral, A.NumberLiteral, A.BooleanLiteral)


@dataclass(frozen=True, slots=True)
class Condition:
    kind: str  # io | request | match
    test: str  # "zigttp:auth.jwtVerify" | canonical test text | canonical match subject
    value: str  # ok err defined undefined | true false | canonical pattern or "default"

    def to_dict(self) -> dict[str, str]:
        return {"kind": self.kind, "test": self.test, "value": self.value}


class Describer:
    """Canonical text of expressions and patterns, and whether an expression reads the request."""

    def __init__(self, scopes: Scopes, types: dict[int, T.Type]) -> None:
        self.scopes = scopes
        self.types = types
        self._text: dict[int, str] = {}
        self._reads: dict[int, bool] = {}

    def __call__(self, node: A.Node | None) -> str:
        if node is None:
            return ""
        found = self._text.get(id(node))
        if found is None:
            found = self._describe(node, 0)
            self._text[id(node)] = found
        return found

    def reads_request(self, node: A.Node) -> bool:
        found = self._reads.get(id(node))
        if found is None:
            found = self._reads_request(node, 0)
            self._reads[id(node)] = found
        return found

    # ------------------------------------------------------------ request

    def _reads_request(self, node: A.Node, depth: int) -> bool:
        """The expression reads the request, directly or through consts, and calls no local function.

        A call of a local function hides what it tests: extracting a helper
        would change the text, so such a test is not a request condition.
        """
        reads = False
        for n in walk(node):
            kind = type(n)
            if kind is A.Call and self._calls_local(n):
                return False
            if kind is not A.Identifier:
                continue
            if self._is_request(n):
                reads = True
                continue
            init = self._const_init(n)
            if init is not None and type(unparen(init)) not in _LITERALS:
                if depth >= _MAX_ALIAS_DEPTH or not self._reads_request(init, depth + 1):
                    return False  # a local that is neither a literal nor read from the request
                reads = True
        return reads

    def _calls_local(self, call: A.Node) -> bool:
        callee = unparen(call.callee)  # type: ignore[attr-defined]
        while type(callee) is A.Member:
            callee = unparen(callee.object)  # type: ignore[attr-defined]
        binding = self.scopes.binding_of(callee) if type(callee) is A.Identifier else None
        return binding is not None and binding.kind not in ("import", "virtual", "param") \
            and not self._is_request(callee)

    def _is_request(self, identifier: A.Node) -> bool:
        t = self.types.get(id(identifier))
        return isinstance(t, T.Obj) and t.kind == "builtin" and t.name == "Request"

    def _const_init(self, identifier: A.Node) -> A.Node | None:
        binding: Binding | None = self.scopes.binding_of(identifier)
        decl = binding.decl if binding is not None and binding.kind == "const" else None
        if type(decl) is A.VariableDeclarator and type(decl.target) is A.Identifier:
            return decl.init
        return None

    # ------------------------------------------------------------ text

    def _describe(self, node: A.Node, depth: int) -> str:
        node = unparen(node)
        kind = type(node)
        if kind is A.Identifier:
            return self._identifier(node, depth)  # type: ignore[arg-type]
        if kind in _LITERALS:
            return _literal(node)
        if kind is A.Member:
            return f"{self._describe(node.object, depth)}{'?.' if node.optional else '.'}{node.name}"  # type: ignore[attr-defined]
        if kind is A.Index:
            return f"{self._describe(node.object, depth)}[{self._describe(node.index, depth)}]"  # type: ignore[attr-defined]
        if kind is A.Call:
            args = ",".join(self._describe(a, depth) for a in node.arguments)  # type: ignore[attr-defined]
            return f"{self._describe(node.callee, depth)}({args})"  # type: ignore[attr-defined]
        if kind is A.Binary:
            return (f"({self._describe(node.left, depth)} {node.operator} "  # type: ignore[attr-defined]
                    f"{self._describe(node.right, depth)})")  # type: ignore[attr-defined]
        if kind is A.Unary:
            return f"{node.operator}{self._describe(node.argument, depth)}"  # type: ignore[attr-defined]
        if kind is A.LiteralPattern:
            return self._describe(node.value, depth)  # type: ignore[attr-defined]
        if kind is A.WildcardPattern:
            return "_"
        if kind is A.ObjectPattern:
            entries = ",".join(f"{k}:{self._describe(p, depth)}" for k, p in node.entries)  # type: ignore[attr-defined]
            return "{" + entries + "}"
        if kind is A.ArrayPattern:
            return "[" + ",".join(self._describe(p, depth) for p in node.elements) + "]"  # type: ignore[attr-defined]
        if kind is A.ObjectLiteral:
            return "{" + ",".join(self._property(p, depth) for p in node.properties) + "}"  # type: ignore[attr-defined]
        if kind is A.TemplateLiteral:
            parts = [json.dumps(q) for q in node.cooked]  # type: ignore[attr-defined]
            values = [self._describe(e, depth) for e in node.expressions]  # type: ignore[attr-defined]
            return "`" + "".join(p + (f"${{{v}}}" if i < len(values) else "")
                                 for i, (p, v) in enumerate(zip(parts, [*values, ""], strict=True))) + "`"
        return kind.__name__

    def _property(self, prop: A.Node, depth: int) -> str:
        if type(prop) is A.Property:
            key = prop.key if isinstance(prop.key, str) else self._describe(prop.key, depth)  # type: ignore[attr-defined]
            return f"{key}:{self._describe(prop.value, depth)}"  # type: ignore[attr-defined]
        return type(prop).__name__

    def _identifier(self, node: A.Identifier, depth: int) -> str:
        if self._is_request(node):
            return "req"
        binding = self.scopes.binding_of(node)
        if binding is None:
            return node.name  # a global: Math, undefined, Response, ...
        if binding.kind in ("import", "virtual") and type(binding.decl) is A.ImportSpecifier:
            return binding.decl.imported
        init = self._const_init(node)
        if init is not None and depth < _MAX_ALIAS_DEPTH:
            value = unparen(init)
            if type(value) in _LITERALS or self._reads_request(value, depth):
                return self._describe(value, depth + 1)
        return "_"


def _literal(node: A.Node) -> str:
    if type(node) is A.StringLiteral:
        return json.dumps(node.value)  # type: ignore[attr-defined]
    if type(node) is A.BooleanLiteral:
        return "true" if node.value else "false"  # type: ignore[attr-defined]
    value = float(node.value)  # type: ignore[attr-defined]
    return str(int(value)) if value.is_integer() else repr(value)
