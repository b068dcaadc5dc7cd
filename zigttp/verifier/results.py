"""Result checking (ZTS303): `.value` / `.unwrap()` only after `.ok` is known.

A Result is `{ ok: true, value } | { ok: false, error }` (module exports whose
registry `return_kind` is "result", `JSON.tryParse`, `Result.ok/err`, values
declared `Result<T, E>`). The analyzer narrows it on `if (r.ok)`,
`if (!r.ok) return …`, `r.ok === true`, `r.isOk()`, `r.isErr()`, `assert r.ok`
and `match` arms; reading `.value` or calling `.unwrap()` on a Result that
may still be the error variant is an error. `.error` / `.errors` may be read
at any time (they are undefined on success).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from zigttp.compiler import ast as A
from zigttp.verifier import codes as C
from zigttp.verifier.builtins import is_result_variant
from zigttp.verifier.typemodel import FALSE, Type, Union, members

if TYPE_CHECKING:
    from zigttp.verifier.context import Context

_FREE_READS = frozenset({"error", "errors"})


def _may_be_error(t: Type) -> bool:
    return any(is_result_variant(m) and m.props["ok"].type == FALSE for m in members(t))  # type: ignore[union-attr]


class ResultChecker:
    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx

    def member(self, node: A.Node, receiver: Union, name: str) -> bool:
        """Handles member reads on a union containing Result variants; True when handled here."""
        if not any(is_result_variant(m) for m in receiver.members):
            return False
        if name == "value":
            if _may_be_error(receiver):
                self.ctx.report(C.diagnostic(C.UNCHECKED_RESULT, node, what="value"))
            return True
        return name in _FREE_READS

    def variant_member(self, node: A.Node, receiver: Type, name: str) -> bool:
        """`.value` on a Result already narrowed to its error variant; True when reported here."""
        if name == "value" and is_result_variant(receiver):
            self.ctx.report(C.diagnostic(C.UNCHECKED_RESULT, node, what="value"))
            return True
        return False

    def unwrap(self, callee: A.Member, receiver: Type, name: str) -> None:
        if name == "unwrap" and _may_be_error(receiver):
            self.ctx.report(C.diagnostic(C.UNCHECKED_RESULT, callee, what="unwrap()"))
