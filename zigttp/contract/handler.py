"""The handler's function nodes (the ones that return the Response), found in the entry module."""

from __future__ import annotations

from zigttp.compiler import ast as A
from zigttp.compiler.ast import FUNCTION_NODES, unparen
from zigttp.compiler.emitter import find_handler
from zigttp.contract.literals import Literals
from zigttp.contract.walk import top_level

_MAX_FOLLOW = 16


def handler_functions(program: A.Program, literals: Literals) -> list[A.Node]:
    """The function(s) that produce the handler's Response: the handler itself, or a guard chain's main function."""
    found = find_handler(program.entry)
    if found is None:
        return []
    name = found.default_name if found.default_name and found.name != "handler" else found.name
    for statement in top_level(program.entry):
        if type(statement) is A.FunctionDeclaration and statement.name.name == name:
            return [statement]
        if type(statement) is A.VariableDeclaration:
            for declarator in statement.declarations:
                if type(declarator.target) is A.Identifier and declarator.target.name == name:
                    fn = function_of(declarator.init, program.entry, literals)
                    return [fn] if fn is not None else []
    return []


def function_of(node: A.Node | None, module: A.Module, literals: Literals, depth: int = 0) -> A.Node | None:
    node = unparen(node)
    if node is None or depth > _MAX_FOLLOW:
        return None
    kind = type(node)
    if kind in FUNCTION_NODES:
        return node
    if kind is A.GuardChain:
        return function_of(node.handler, module, literals, depth + 1)  # type: ignore[attr-defined]
    if kind is A.GuardCall:
        return function_of(node.function, module, literals, depth + 1)  # type: ignore[attr-defined]
    if kind is A.Identifier:
        decls = literals.declared(module, node.name)  # type: ignore[attr-defined]
        if len(decls) != 1:
            return None
        decl = decls[0]
        if decl.kind == "function":
            return decl.node
        if decl.kind == "const" and type(decl.node.target) is A.Identifier:  # type: ignore[attr-defined]
            return function_of(decl.node.init, module, literals, depth + 1)  # type: ignore[attr-defined]
        if decl.kind == "import" and decl.source and decl.imported:
            target = literals.modules.get(module.resolved.get(decl.source, ""))
            if target is not None:
                ident = A.Identifier(target.file, 0, 0, decl.imported)
                return function_of(ident, target, literals, depth + 1)
    return None
