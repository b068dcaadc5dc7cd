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

    def owned_sites(self, owner: A.Node | str) -> list[A.Node]:
        """The sites (SITE_KINDS) whose innermost enclosing function is `owner` (a module path for module
        scope), in one fixed depth-first order (flow's memo of labels is filled in that order).

        Built once, by one traversal, for the checkers that scan whole bodies (flow, state, framing,
        properties); the other nodes are not listed, so none of them walks past them again.
        """
        if self._owned is None:
            self._owned = _index_owners(self.program)
        return self._owned.get(owner if isinstance(owner, str) else id(owner), [])


# Every kind of node one of those checkers looks at: calls, pipes and JSX (flow, state, framing,
# properties), returns and asserts (flow), assignments and for-of loops (state, framing).
SITE_KINDS = frozenset({A.Call, A.Pipe, A.JSXElement, A.Return, A.Assert, A.Assign, A.ForOf})


def _index_owners(program: A.Program) -> dict[object, list[A.Node]]:
    owned: dict[object, list[A.Node]] = {}
    for module in program.modules:
        if module.body:
            owned[module.path] = _owned_by(list(module.body), owned)
    return owned


def _owned_by(stack: list[A.Node], owned: dict[object, list[A.Node]]) -> list[A.Node]:
    """The sites among the nodes `stack` holds and every node below them up to a function (included),
    depth first from the top of the stack; each function's own sites are indexed under it, in the same order."""
    sites: list[A.Node] = []
    functions: list[A.Node] = []
    while stack:
        node = stack.pop()
        kind = type(node)
        if kind in SITE_KINDS:
            sites.append(node)
        if kind in FUNCTION_NODES:
            functions.append(node)
        else:
            stack += children(node)
    for function in functions:
        owned[id(function)] = _owned_by(children(function), owned)
    return sites


def build_context(program: A.Program, strict: bool = False) -> Context:
    scopes = resolve_program(program)
    handler = locate_handler(program, scopes)
    reachable = reachable_functions(program, scopes, handler)
    return Context(program, scopes, handler, reachable, strict)
