"""State isolation (ZTS310): the handler must not mutate module-scope state.

Module scope runs once per sandbox instance; a pooled instance serves many
requests, so a write to module state made while handling one request is seen
by the next. Reported for every function the handler can reach (across local
modules): assignments to a module-scope binding, assignments to a property or
element of one, and mutating array calls on one (`push`, `splice`, `sort`, ...).
Module-scope initialisation itself may build its values freely.
"""

from __future__ import annotations

from zigttp.compiler import ast as A
from zigttp.compiler.ast import unparen
from zigttp.verifier import codes as C
from zigttp.verifier.context import Context
from zigttp.verifier.scope import Binding

MUTATING_METHODS = frozenset(
    {"push", "pop", "shift", "unshift", "splice", "sort", "reverse", "fill", "copyWithin", "set", "delete", "append"}
)


def check_state(ctx: Context) -> list[tuple[A.Node, Binding]]:
    """Reports ZTS310; returns the offending (node, binding) pairs for the property facts."""
    found: list[tuple[A.Node, Binding]] = []
    for info in ctx.scopes.functions.values():
        if id(info.node) not in ctx.reachable:
            continue
        # Nested functions own their nodes and are checked as functions of their own.
        for node in ctx.owned_sites(info.node):
            kind = type(node)
            if kind is A.Assign or (kind is A.ForOf and node.kind is None):
                _target(ctx, node.target, node, found)
            elif kind is A.Call:
                callee = unparen(node.callee)
                if type(callee) is A.Member and callee.name in MUTATING_METHODS:
                    binding = _root(ctx, callee.object)
                    if binding is not None:
                        found.append((node, binding))
                        ctx.report(C.diagnostic(C.MODULE_SCOPE_MUTATION, node, name=binding.name))
    return found


def _target(ctx: Context, target: A.Node, node: A.Node, found: list[tuple[A.Node, Binding]]) -> None:
    target = unparen(target)
    kind = type(target)
    if kind in (A.ArrayLiteral, A.ObjectLiteral):
        parts = target.elements if kind is A.ArrayLiteral else [  # type: ignore[attr-defined]
            p.value for p in target.properties if type(p) is A.Property  # type: ignore[attr-defined]
        ]
        for part in parts:
            _target(ctx, part, node, found)
        return
    binding = _root(ctx, target)
    if binding is not None:
        found.append((target, binding))
        ctx.report(C.diagnostic(C.MODULE_SCOPE_MUTATION, target, name=binding.name))


def _root(ctx: Context, node: A.Node) -> Binding | None:
    """The module-scope binding a reference or member chain starts from."""
    node = unparen(node)
    while type(node) in (A.Member, A.Index):
        node = unparen(node.object)  # type: ignore[attr-defined]
    if type(node) is not A.Identifier:
        return None
    binding = ctx.scopes.binding_of(node)
    if binding is None:
        return None
    target = binding.resolved()
    if not target.module_scope or target.kind not in ("let", "const"):
        return None
    return target


