"""Optional narrowing (ZTS308/309): `T | undefined` must be checked before use.

Applies alike to module results (`env()`, `cacheGet()`, `parseBearer()`, …),
to the handler's own `T | undefined` values (`find()`, lookups in records,
functions declared `: T | undefined`) and to request fields that may be
absent (`req.body`, `req.query.x`, `req.headers.get(...)`).

A *use* is an argument, initializer, return value or property value whose
declared type excludes undefined, a template part, an arithmetic or
comparison operand, a spread, an iterable or a callee (ZTS308); a *property
access* is `x.p` / `x[i]` without `?.` (ZTS309). Passing an optional where
`unknown` or `T | undefined` is accepted is fine. Narrowing (`if (v)`,
`if (v === undefined) return`, `v ?? d`, `assert v !== undefined`, `v?.p`)
is done by the analyzer's flow typing.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from zigttp.compiler import ast as A
from zigttp.verifier import codes as C
from zigttp.verifier.assign import assignable
from zigttp.verifier.typemodel import UNDEFINED, Type, has_undefined, is_dynamic, is_optional, strip_undefined

if TYPE_CHECKING:
    from zigttp.verifier.context import Context


class OptionalChecker:
    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx

    def flow(self, node: A.Node, got: Type, expected: Type) -> bool:
        """Report an optional flowing where undefined is not accepted; True when reported."""
        if not is_optional(got) or has_undefined(expected) or is_dynamic(expected):
            return False
        if not assignable(strip_undefined(got), expected):
            return False
        self.ctx.report(C.diagnostic(C.UNCHECKED_OPTIONAL_USE, node))
        return True

    def use(self, node: A.Node, t: Type, what: str) -> None:
        if is_optional(t) or t is UNDEFINED:
            self.ctx.report(C.diagnostic(C.UNCHECKED_OPTIONAL_USE, node))

    def access(self, node: A.Node, receiver: Type, name: str) -> None:
        obj = getattr(node, "object", node)
        self.ctx.report(C.diagnostic(C.UNCHECKED_OPTIONAL_ACCESS, obj, end=node.end, name=name))
