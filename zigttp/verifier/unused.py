"""Unused variables (ZTS305, warning): a `let`/`const` (or for-of binding) never read.

Scope-aware (every declaration is its own binding). Exempt: names starting
with `_`, exported bindings, the handler itself, parameters (a handler or
callback often ignores some), imports and function declarations.
"""

from __future__ import annotations

from zigttp.compiler import ast as A
from zigttp.verifier import codes as C
from zigttp.verifier.context import Context


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
        ctx.report(C.diagnostic(C.UNUSED_VARIABLE, binding.node, name=binding.name))
