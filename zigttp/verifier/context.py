"""What every checker shares: the program, its names, the handler, and the diagnostic sink."""

from __future__ import annotations

from dataclasses import dataclass, field

from zigttp.compiler import ast as A
from zigttp.compiler.ast import FUNCTION_NODES, children
from zigttp.compiler.diagnostics import Diagnostic
from zigttp.verifier.handler import HandlerInfo, locate_handler, reachable_functions
from zigttp.verifier.scope import Scopes, resolve_program


@dataclass
class Context:
    program: A.Program
    scopes: Scopes
    handler: HandlerInfo | None
    reachable: set[int]  # ids of function nodes the handler can run
    strict: bool = False
    diagnostics: list[Diagnostic] = field(default_factory=list)
    _seen: set[tuple[str, str, int, int]] = field(default_factory=set)
    _owned: dict[object, list[A.Node]] | None = None

    def report(self, diagnostic: Diagnostic) -> None:
        key = (diagnostic.code, diagnostic.file, diagnostic.line, diagnostic.column)
        if key in self._seen:
            return
        self._seen.add(key)
        self.diagnostics.append(diagnostic)

    def owned_nodes(self, owner: A.Node | str) -> list[A.Node]:
        """Every node whose innermost enclosing function is `owner` (a module path for module scope).

        Built once, by one traversal, for the checkers that scan whole bodies (flow, state, properties).
        """
        if self._owned is None:
            self._owned = _index_owners(self.program)
        return self._owned.get(owner if isinstance(owner, str) else id(owner), [])


def _index_owners(program: A.Program) -> dict[object, list[A.Node]]:
    owned: dict[object, list[A.Node]] = {}
    for module in program.modules:
        if module.body:
            owned[module.path] = _owned_by(list(module.body), owned)
    return owned


def _owned_by(stack: list[A.Node], owned: dict[object, list[A.Node]]) -> list[A.Node]:
    """The nodes `stack` holds and every node below them up to a function (included), depth first from
    the top of the stack; each function's own nodes are indexed under it, in the same order."""
    nodes: list[A.Node] = []
    functions: list[A.Node] = []
    while stack:
        node = stack.pop()
        nodes.append(node)
        if type(node) in FUNCTION_NODES:
            functions.append(node)
        else:
            stack += children(node)
    for function in functions:
        owned[id(function)] = _owned_by(children(function), owned)
    return nodes


def build_context(program: A.Program, strict: bool = False) -> Context:
    scopes = resolve_program(program)
    handler = locate_handler(program, scopes)
    reachable = reachable_functions(program, scopes, handler)
    return Context(program, scopes, handler, reachable, strict)
