"""Exhaustive returns (ZTS302) and missing return values (ZTS204).

A structural walk, as upstream: `return` always returns; a block returns when
one of its statements does; `if` returns when both branches do; `for-of`
never does (it may run zero times); `assert c, v` returns only on its false
path. The handler (and every function declared to return `Response`) must
return on every path — ZTS302. Any other function whose declared return type
excludes undefined must too — ZTS204.
"""

from __future__ import annotations

from zigttp.compiler import ast as A
from zigttp.compiler.ast import FUNCTION_NODES
from zigttp.verifier import codes as C
from zigttp.verifier.builtins import named_builtin
from zigttp.verifier.context import Context
from zigttp.verifier.resolve import TypeResolver
from zigttp.verifier.typemodel import VOID, Type, describe, has_undefined, is_dynamic

RESPONSE = named_builtin("Response")


def always_returns(node: A.Node | None) -> bool:
    kind = type(node)
    if kind is A.Return:
        return True
    if kind is A.Block:
        return any(always_returns(s) for s in node.body)  # type: ignore[union-attr]
    if kind is A.If:
        return node.alternate is not None and always_returns(node.consequent) and always_returns(node.alternate)  # type: ignore[union-attr]
    if kind is A.Export:
        return always_returns(node.declaration)  # type: ignore[union-attr]
    return False


def check_returns(ctx: Context, resolver: TypeResolver) -> None:
    mains = {id(fn) for fn in (ctx.handler.main if ctx.handler is not None else [])}
    for info in ctx.scopes.functions.values():
        node = info.node
        body = node.body  # type: ignore[attr-defined]
        if type(body) is not A.Block:
            continue  # an expression body always returns its value
        if id(node) in mains:
            if not always_returns(body):
                ctx.report(C.diagnostic(C.MISSING_RETURN, _anchor(node)))
            continue
        return_node = node.return_type  # type: ignore[attr-defined]
        if return_node is None or type(return_node) is A.TypePredicate:
            continue
        declared = resolver.resolve(return_node, info.module)
        if _accepts_undefined(declared) or always_returns(body):
            continue
        if declared is RESPONSE:
            ctx.report(C.diagnostic(C.MISSING_RETURN, _anchor(node)))
        else:
            ctx.report(C.diagnostic(C.MISSING_RETURN_VALUE, _anchor(node), expected=describe(declared)))


def _accepts_undefined(t: Type) -> bool:
    return is_dynamic(t) or has_undefined(t) or t is VOID


def _anchor(node: A.Node) -> A.Node:
    if type(node) is A.FunctionDeclaration:
        return node.name
    return node


__all__ = ["FUNCTION_NODES", "always_returns", "check_returns"]
