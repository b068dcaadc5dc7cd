"""Sound mode (ZTS100–107): type-directed truthiness and operator typing.

Truthiness: `boolean` is itself; `number` tests ≠ 0, `string` tests ≠ "";
`T | undefined` tests "is defined" (and narrows); an object or a function is
always truthy, so testing one is an error; `undefined` alone is always false.
`+` takes two numbers or two strings; the other arithmetic operators take
numbers. Comparisons whose outcome the types already decide are warnings.
Unknown values are never reported: the runtime checks them.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from zigttp.compiler import ast as A
from zigttp.compiler.ast import unparen
from zigttp.verifier import codes as C
from zigttp.verifier.typemodel import (
    UNDEFINED,
    VOID,
    Type,
    base_kind,
    describe,
    describe_kind,
    has_undefined,
    is_dynamic,
    is_optional,
    members,
)

if TYPE_CHECKING:
    from zigttp.verifier.context import Context

Info = Callable[[A.Node], tuple[Type | None, bool]]  # node -> (declared type, possibly absent)

_ALWAYS_TRUTHY = frozenset({"object", "function"})
_TYPEOF_TAGS = frozenset({"string", "number", "boolean", "undefined", "object", "function", "bigint", "symbol"})


class SoundChecker:
    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx

    # --------------------------------------------------------- truthiness

    def _always_truthy(self, t: Type) -> str | None:
        """The kind ('object' / 'function') when every value of `t` is truthy."""
        if is_dynamic(t) or has_undefined(t):
            return None
        kinds = {base_kind(m) for m in members(t)}
        if kinds and kinds <= _ALWAYS_TRUTHY:
            return "function" if kinds == {"function"} else "object"
        return None

    def condition(self, node: A.Node, t: Type, where: str) -> None:
        if (t is UNDEFINED or t is VOID):
            self.ctx.report(C.diagnostic(C.CONDITION_ALWAYS_FALSE, node))
            return
        kind = self._always_truthy(t)
        if kind is not None:
            self.ctx.report(C.diagnostic(C.CONDITION_NOT_BOOLEAN, node, kind=kind, where=where))

    def logical_operand(self, node: A.Node, t: Type, op: str) -> None:
        kind = self._always_truthy(t)
        if kind is not None:
            self.ctx.report(C.diagnostic(C.LOGICAL_NOT_BOOLEAN, node, kind=kind, op=op))

    def not_operand(self, node: A.Unary, t: Type) -> None:
        kind = self._always_truthy(t)
        if kind is not None:
            self.ctx.report(C.diagnostic(C.NOT_NOT_BOOLEAN, node, kind=kind))

    def nullish(self, left: A.Node, t: Type, info: Info) -> None:
        declared, absent = info(left)
        subject = declared if declared is not None else t
        if absent or is_dynamic(subject) or has_undefined(subject) or has_undefined(t) or is_dynamic(t):
            return
        self.ctx.report(C.diagnostic(C.NULLISH_NON_NULLABLE, left, type=describe(t)))

    # ---------------------------------------------------------- operators

    def arithmetic(self, node: A.Node, op: str, left: Type, right: Type | None) -> None:
        operands = [(_operand(node, 0), left)]
        if right is not None:
            operands.append((_operand(node, 1), right))
        for operand, t in operands:
            if is_dynamic(t):
                continue
            kind = base_kind(t)
            if kind in ("number", "unknown", "never") or is_optional(t):
                continue
            self.ctx.report(C.diagnostic(C.ARITHMETIC_NON_NUMERIC, operand, type=describe_kind(t), op=op))

    def add(self, node: A.Node, left: Type, right: Type) -> None:
        if is_dynamic(left) or is_dynamic(right):
            return
        lk, rk = base_kind(left), base_kind(right)
        bad = False
        for i, (t, kind) in enumerate(((left, lk), (right, rk))):
            if kind in ("boolean", "undefined", "object", "function", "mixed"):
                if kind == "mixed" and not _mixed_bad(t):
                    continue
                self.ctx.report(C.diagnostic(C.ADD_NON_ADDABLE, _operand(node, i), type=describe_kind(t)))
                bad = True
        if not bad and {lk, rk} == {"number", "string"}:
            self.ctx.report(C.diagnostic(C.MIXED_ADD, node))

    def equality(self, node: A.Binary, left: Type, right: Type, info: Info) -> None:
        positive = node.operator == "==="
        lnode, rnode = unparen(node.left), unparen(node.right)
        for a, b in ((lnode, rnode), (rnode, lnode)):
            if type(a) is A.Unary and a.operator == "typeof" and type(b) is A.StringLiteral:
                self._typeof(node, positive, a.argument, b.value, info)
                return
        if right is UNDEFINED or left is UNDEFINED:
            subject, subject_node = (left, lnode) if right is UNDEFINED else (right, rnode)
            declared, absent = info(subject_node)
            if declared is not None:
                subject = declared  # a check that repeats an earlier refinement is not a bug
            if absent or subject is UNDEFINED or is_dynamic(subject):
                return
            if not has_undefined(subject):
                self._tautology(node, positive, f"type '{describe(subject)}' never includes undefined")
            return
        if is_dynamic(left) or is_dynamic(right):
            return
        lk = {base_kind(m) for m in members(left)}
        rk = {base_kind(m) for m in members(right)}
        if "unknown" in lk or "unknown" in rk or "mixed" in lk or "mixed" in rk:
            return
        if lk.isdisjoint(rk):
            self._tautology(node, positive, f"'{describe(left)}' and '{describe(right)}' have no value in common")

    def _typeof(self, node: A.Binary, positive: bool, argument: A.Node, tag: str, info: Info) -> None:
        if tag not in _TYPEOF_TAGS:
            self._tautology(node, positive, f"typeof never returns \"{tag}\"")
            return
        subject, absent = info(argument)
        if subject is None or absent or is_dynamic(subject):
            return
        kinds = {_typeof_kind(m) for m in members(subject)}
        if "unknown" in kinds:
            return
        if tag not in kinds:
            self._tautology(node, positive, f"the value is never a {tag} (type '{describe(subject)}')")
        elif kinds == {tag}:
            self._tautology(node, not positive, f"the value is always a {tag} (type '{describe(subject)}')")

    def _tautology(self, node: A.Node, positive: bool, why: str) -> None:
        self.ctx.report(C.diagnostic(C.TAUTOLOGICAL, node, outcome="false" if positive else "true", why=why))


def _typeof_kind(t: Type) -> str:
    kind = base_kind(t)
    return kind if kind != "mixed" else "unknown"


def _mixed_bad(t: Type) -> bool:
    kinds = {base_kind(m) for m in members(t)}
    return bool(kinds & {"boolean", "undefined", "object", "function"}) and "unknown" not in kinds


def _operand(node: A.Node, index: int) -> A.Node:
    kind = type(node)
    if kind is A.Binary:
        return node.left if index == 0 else node.right
    if kind is A.Assign:
        return node.target if index == 0 else node.value
    if kind is A.Unary:
        return node.argument
    return node



def _maybe_absent(node: A.Node) -> bool:
    """Reads that may be absent even when the type says otherwise (array elements, optional chains)."""
    node = unparen(node)
    kind = type(node)
    if kind is A.Index:
        return True
    if kind is A.Member:
        return node.optional or _maybe_absent(node.object)
    if kind is A.Call:
        return node.optional
    return False

