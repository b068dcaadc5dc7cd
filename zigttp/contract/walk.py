"""Generic traversal of the front end's AST (value positions only) and small literal helpers."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import fields
from functools import cache

from zigttp.compiler import ast as A

# Statements that only exist at the type level: nothing in them is a value.
TYPE_STATEMENTS = (A.TypeAlias, A.Interface, A.Ambient)
FUNCTION_NODES = (A.FunctionDeclaration, A.ArrowFunction, A.FunctionExpression)
_SKIPPED_FIELDS = frozenset({"file", "type", "return_type", "type_parameters", "type_arguments"})


@cache
def _node_fields(kind: type) -> tuple[str, ...]:
    return tuple(f.name for f in fields(kind) if f.name not in _SKIPPED_FIELDS)


def children(node: A.Node) -> Iterator[A.Node]:
    """Direct child nodes in source order, types and type-only statements left out."""
    for name in _node_fields(type(node)):
        value = getattr(node, name)
        if isinstance(value, A.Node):
            if not isinstance(value, A.TypeNode) and not isinstance(value, TYPE_STATEMENTS):
                yield value
        elif isinstance(value, list):
            for item in value:
                if isinstance(item, A.Node):
                    if not isinstance(item, A.TypeNode) and not isinstance(item, TYPE_STATEMENTS):
                        yield item
                elif isinstance(item, tuple):
                    yield from (x for x in item if isinstance(x, A.Node))


def walk(node: A.Node) -> Iterator[A.Node]:
    """Every node under `node` (itself included), depth first, without recursion."""
    stack = [node]
    while stack:
        current = stack.pop()
        yield current
        stack.extend(reversed(list(children(current))))


def unparen(node: A.Node | None) -> A.Node | None:
    while type(node) is A.Paren:
        node = node.expression  # type: ignore[union-attr]
    return node


def location(node: A.Node) -> str:
    return f"{node.file.name}:{node.line}:{node.column}"


def top_level(module: A.Module) -> Iterator[A.Statement]:
    """A module's statements with `export` wrappers removed."""
    for statement in module.body:
        yield statement.declaration if type(statement) is A.Export else statement
