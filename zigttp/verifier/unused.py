"""Unused variables (ZTS305, warning): a `let`/`const` (or for-of binding) never read.

Scope-aware (every declaration is its own binding). Exempt: names starting
with `_`, exported bindings, the handler itself, parameters (a handler or
callback often ignores some), imports and function declarations, and a
module-scope binding whose initializer has an effect
(`const registered = schemaCompile(...)`): it runs once, at load, for that
effect. Inside a function such a binding is still reported: the call can
stand as a statement there.
"""

from __future__ import annotations

from zigttp.compiler import ast as A
from zigttp.compiler.ast import FUNCTION_NODES, unparen
from zigttp.verifier import codes as C
from zigttp.verifier.builtins import KNOWN_GLOBALS
from zigttp.verifier.context import Context
from zigttp.verifier.registry import exports_by_key

# Globals whose calls write somewhere (the host log); every other known global is effect-free.
_EFFECTFUL_GLOBALS = frozenset({"console"})


def check_unused(ctx: Context) -> None:
    handler = ctx.handler.binding if ctx.handler is not None else None
    for binding in ctx.scopes.bindings:
        if binding.kind not in ("const", "let") or binding.reads or binding.exported:
            continue
        if binding.name.startswith("_") or binding is handler:
            continue
        if binding.module_scope and binding.module is ctx.program.entry and binding.name == "handler":
            continue
        if type(binding.decl) is A.ForOf and binding.writes:
            continue
        if binding.module_scope and type(binding.decl) is A.VariableDeclarator and _has_effect(ctx, binding.decl.init):
            continue
        ctx.report(C.diagnostic(C.UNUSED_VARIABLE, binding.node, name=binding.name))


def _has_effect(ctx: Context, init: A.Node | None) -> bool:
    """Whether evaluating `init` may do more than compute a value: a call that is not known to be pure."""
    if init is None:
        return False
    stack = [init]
    while stack:
        node = stack.pop()
        if type(node) in FUNCTION_NODES:
            continue  # a function literal is a value; its body runs only when called
        if type(node) is A.Call and not _pure_call(ctx, node):
            return True
        stack.extend(A.children(node))
    return False


def _pure_call(ctx: Context, call: A.Call) -> bool:
    callee = unparen(call.callee)
    root = callee
    while type(root) is A.Member:
        root = unparen(root.object)
    if type(root) is not A.Identifier:
        return False
    binding = ctx.scopes.binding_of(root)
    if binding is None:
        return root.name in KNOWN_GLOBALS and root.name not in _EFFECTFUL_GLOBALS
    target = binding.resolved()
    if target.kind == "virtual" and target.source is not None and root is callee:
        export = exports_by_key().get(target.source)
        return export is not None and export.effect == "none"
    return False
