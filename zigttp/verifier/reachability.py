"""Unreachable code (ZTS304, warning): statements after a return, break or continue.

Reported once per block, at the first statement that can never run.
Declarations that only exist at compile time or are hoisted (types,
interfaces, function declarations) are not code and are skipped.
"""

from __future__ import annotations

from zigttp.compiler import ast as A
from zigttp.verifier import codes as C
from zigttp.verifier.context import Context

_NOT_CODE = (A.FunctionDeclaration, A.TypeAlias, A.Interface, A.Empty, A.Ambient, A.Import)


def terminator(node: A.Node) -> str | None:
    """'return' / 'break' / 'continue' when control never continues past `node`."""
    kind = type(node)
    if kind is A.Return:
        return "return"
    if kind is A.Break:
        return "break"
    if kind is A.Continue:
        return "continue"
    if kind is A.Block:
        for statement in node.body:  # type: ignore[attr-defined]
            found = terminator(statement)
            if found is not None:
                return found
        return None
    if kind is A.If and node.alternate is not None:  # type: ignore[attr-defined]
        first = terminator(node.consequent)  # type: ignore[attr-defined]
        second = terminator(node.alternate)  # type: ignore[attr-defined]
        if first is not None and second is not None:
            return first if first == second else "return"
    return None


def check_reachability(ctx: Context) -> None:
    for module in ctx.program.modules:
        _first_unreachable(ctx, module.body)
        for block in _blocks(A.preorder(ctx.program, module)):
            _first_unreachable(ctx, block.body)


_BLOCK_KINDS = frozenset({A.Block, A.ForOf})


def _blocks(tree: A.Preorder) -> list[A.Block]:
    """Every block of a module (a `for...of` target is a binding and holds none that runs)."""
    nodes, ends = tree.nodes, tree.ends
    found: list[A.Block] = []
    skip_until = 0
    for i in tree.indices_of(_BLOCK_KINDS):
        if i < skip_until:
            continue
        node = nodes[i]
        kind = type(node)
        if kind is A.Block:
            found.append(node)  # type: ignore[arg-type]
        elif kind is A.ForOf:
            target = node.target  # type: ignore[attr-defined]
            skip_until = next(ends[j] for j in tree.child_indices(i) if nodes[j] is target)
    return found


def _first_unreachable(ctx: Context, statements: list[A.Statement]) -> None:
    """Reports the first statement of a list that runs after a return, break or continue."""
    ended: str | None = None
    for statement in statements:
        if ended is not None and not isinstance(statement, _NOT_CODE):
            ctx.report(C.diagnostic(C.UNREACHABLE, statement, what=ended))
            return
        if ended is None:
            ended = terminator(statement)
