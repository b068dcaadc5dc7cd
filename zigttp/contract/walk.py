"""Small helpers the contract extractor shares; the traversal itself is the AST module's."""

from __future__ import annotations

from collections.abc import Iterator

from zigttp.compiler import ast as A


def location(node: A.Node) -> str:
    return f"{node.file.name}:{node.line}:{node.column}"


def top_level(module: A.Module) -> Iterator[A.Statement]:
    """A module's statements with `export` wrappers removed."""
    for statement in module.body:
        yield statement.declaration if type(statement) is A.Export else statement
