"""Unreachable code (ZTS304, warning): statements after a return, break or continue.

Reported once per block, at the first statement that can never run.
Declarations that only exist at compile time or are hoisted (types,
interfaces, function declarations) are not code and are skipped.
"""

from __future__ import annotations

from zigttp.compiler import ast as A
from zigttp.compiler.ast import children
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
        _blocks(ctx, module.body)


def _blocks(ctx: Context, statements: list[A.Statement]) -> None:
    ended: str | None = None
    for statement in statements:
        if ended is not None and not isinstance(statement, _NOT_CODE):
            ctx.report(C.diagnostic(C.UNREACHABLE, statement, what=ended))
            ended = None
            _nested(ctx, statement)
            break
        _nested(ctx, statement)
        if ended is None:
            ended = terminator(statement)
    else:
        return
    # Walk the rest for nested blocks without reporting this block again.
    index = statements.index(statement)
    for rest in statements[index + 1 :]:
        _nested(ctx, rest)


def _nested(ctx: Context, node: A.Node) -> None:
    """Find statement lists inside a statement or expression (function bodies, branches, loops)."""
    stack = [node]
    while stack:
        current = stack.pop()
        kind = type(current)
        if kind is A.Block:
            _blocks(ctx, current.body)
            continue
        if kind is A.If:
            stack.append(current.test)
            for branch in (current.consequent, current.alternate):
                if branch is not None:
                    _blocks(ctx, branch.body if type(branch) is A.Block else [branch])
            continue
        if kind is A.ForOf:
            stack.append(current.iterable)
            body = current.body
            _blocks(ctx, body.body if type(body) is A.Block else [body])
            continue
        stack.extend(children(current))
