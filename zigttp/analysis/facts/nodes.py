"""Small helpers the fact modules share; the traversal itself is the AST module's."""

from __future__ import annotations

from zigttp.compiler import ast as A


def location(node: A.Node) -> str:
    return f"{node.file.name}:{node.line}:{node.column}"


def module_of(program: A.Program, node: A.Node) -> A.Module | None:
    """The module a node (say, a function imported from another module) belongs to."""
    for module in program.modules:
        if module.file is node.file:
            return module
    return None
