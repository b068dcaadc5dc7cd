"""What every checker shares: the program, its names, the handler, and the diagnostic sink."""

from __future__ import annotations

from bisect import bisect_left
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


# What the owner index selects from a module's preorder: the sites, the functions that own them, and the
# kinds whose `children` order is not their source order (functions are ordered below; an owner that holds
# any other such kind is walked instead).
_OWNER_KINDS = SITE_KINDS | frozenset(FUNCTION_NODES) | A.REORDERED_KINDS


def _index_owners(program: A.Program) -> dict[object, list[A.Node]]:
    owned: dict[object, list[A.Node]] = {}
    for module in program.modules:
        if module.body:
            _index_module(A.preorder(program, module), module, owned)
    return owned


def _index_module(tree: A.Preorder, module: A.Module, owned: dict[object, list[A.Node]]) -> None:
    """Each owner's sites, from the module's preorder (no walk of its own), in the order of a depth-first
    walk over `children` that takes the last child first: the order flow fills its memo in.

    In the preorder, that order is the one of (-ends[i], i); a function's parameters come before its body
    (`children` lists the body first). An owner holding a Match or a GuardChain is walked instead."""
    nodes, ends = tree.nodes, tree.ends
    found: dict[int, list[int]] = {0: []}  # owner (0: the module) -> its sites
    irregular: set[int] = set()
    owners = [0]
    for i in tree.indices_of(_OWNER_KINDS):
        while i >= ends[owners[-1]]:
            owners.pop()
        kind = type(nodes[i])
        if kind in SITE_KINDS:
            found[owners[-1]].append(i)
        elif kind in FUNCTION_NODES:
            found[i] = []
            owners.append(i)
        else:
            irregular.add(owners[-1])
    for owner, sites in found.items():
        node = nodes[owner]
        if owner in irregular:
            ordered = _sites_below(list(module.body) if owner == 0 else children(node))
        else:
            body = ends[owner] if owner == 0 or node.body is None else _last_child(tree, owner)  # type: ignore[attr-defined]
            # (i >= body, -ends[i], i) without a key tuple per site: `sites` ascend, so each part sorted by
            # ends, descending, keeps ascending i among equal ends (a reversed sort stays stable).
            split = bisect_left(sites, body)
            ordered = [nodes[i] for part in (sites[:split], sites[split:])
                       for i in sorted(part, key=ends.__getitem__, reverse=True)]
        owned[module.path if owner == 0 else id(node)] = ordered


def _last_child(tree: A.Preorder, index: int) -> int:
    last = index
    for child in tree.child_indices(index):
        last = child
    return last


def _sites_below(stack: list[A.Node]) -> list[A.Node]:
    """The sites among the nodes `stack` holds and every node below them up to a function (excluded),
    depth first from the top of the stack."""
    sites: list[A.Node] = []
    while stack:
        node = stack.pop()
        kind = type(node)
        if kind in SITE_KINDS:
            sites.append(node)
        if kind not in FUNCTION_NODES:
            stack += children(node)
    return sites


def build_context(program: A.Program, strict: bool = False) -> Context:
    scopes = resolve_program(program)
    handler = locate_handler(program, scopes)
    reachable = reachable_functions(program, scopes, handler)
    return Context(program, scopes, handler, reachable, strict)
