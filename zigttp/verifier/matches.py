"""Match exhaustiveness (ZTS307, an error in this project).

A `match` without `default:` (or a `when _:` arm) must provably cover every
value of its subject: a finite union of literals (string/number/boolean
literals, `boolean`, `undefined`) whose every member has a literal arm, or a
discriminated union of objects whose every variant's tag has an object-pattern
arm testing only that tag. Anything else (a `string` subject, an unknown
value) is not provable and needs a default.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from zigttp.compiler import ast as A
from zigttp.verifier import codes as C
from zigttp.verifier.typemodel import (
    BOOLEAN,
    FALSE,
    TRUE,
    UNDEFINED,
    Lit,
    Obj,
    Type,
    describe,
    is_dynamic,
    members,
    unwrap_distinct,
)

if TYPE_CHECKING:
    from zigttp.verifier.context import Context

Value = tuple[type, object]


def literal_of(pattern: A.Pattern) -> Value | None:
    if type(pattern) is not A.LiteralPattern:
        return None
    value = pattern.value
    kind = type(value)
    if kind is A.StringLiteral:
        return (str, value.value)
    if kind is A.NumberLiteral:
        return (float, float(value.value))
    if kind is A.BooleanLiteral:
        return (bool, value.value)
    if kind is A.Unary and type(value.argument) is A.NumberLiteral:
        return (float, -float(value.argument.value))
    if kind is A.Identifier and value.name == "undefined":
        return (type(None), None)
    if kind is A.TemplateLiteral and not value.expressions:
        return (str, value.cooked[0] if value.cooked else "")
    return None


def _values(t: Type) -> list[Value] | None:
    """Every value of a finite type, or None when it is not finite."""
    out: list[Value] = []
    for m in members(unwrap_distinct(t)):
        if type(m) is Lit:
            out.append((float if isinstance(m.value, float) else type(m.value), m.value))
        elif m is UNDEFINED:
            out.append((type(None), None))
        elif m is BOOLEAN:
            out.extend([(bool, True), (bool, False)])
        else:
            return None
    return out


def _show(value: Value) -> str:
    kind, v = value
    if kind is type(None):
        return "undefined"
    if kind is bool:
        return describe(TRUE if v else FALSE)
    return describe(Lit(v))  # type: ignore[arg-type]


class MatchChecker:
    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx

    def match(self, node: A.Match, subject: Type) -> None:
        if node.default is not None or any(type(arm.pattern) is A.WildcardPattern for arm in node.arms):
            return
        missing = self.missing(node, subject)
        if missing is None:
            self.ctx.report(C.diagnostic(C.NON_EXHAUSTIVE_MATCH, node, end=node.subject.end + 1,
                                         missing=f"; the subject has type '{describe(subject)}', which "
                                                 "cannot be listed case by case"
                                         if not is_dynamic(subject) else "; the subject's type is unknown"))
        elif missing:
            shown = ", ".join(missing[:6]) + (", ..." if len(missing) > 6 else "")
            self.ctx.report(C.diagnostic(C.NON_EXHAUSTIVE_MATCH, node, end=node.subject.end + 1,
                                         missing=f"; not covered: {shown}"))

    def missing(self, node: A.Match, subject: Type) -> list[str] | None:
        """Uncovered cases ([] when exhaustive), None when coverage cannot be proven."""
        if is_dynamic(subject):
            return None
        values = _values(subject)
        if values is not None:
            covered = {literal_of(arm.pattern) for arm in node.arms}
            return [_show(v) for v in values if v not in covered]
        return self._variants_missing(node, subject)

    def _variants_missing(self, node: A.Match, subject: Type) -> list[str] | None:
        variants = members(subject)
        if not all(type(v) is Obj for v in variants):
            return None
        tags: dict[str, dict[Value, bool]] = {}
        for name in variants[0].props:  # type: ignore[union-attr]
            values: dict[Value, bool] = {}
            for v in variants:
                prop = v.props.get(name)  # type: ignore[union-attr]
                vals = _values(prop.type) if prop is not None else None
                if not vals:
                    values = {}
                    break
                for val in vals:
                    values[val] = False
            if values:
                tags[name] = values
        for name, values in tags.items():
            for arm in node.arms:
                pattern = arm.pattern
                if type(pattern) is not A.ObjectPattern:
                    continue
                literal_entries = [(k, p) for k, p in pattern.entries if type(p) is not A.WildcardPattern]
                if len(literal_entries) != 1 or literal_entries[0][0] != name:
                    continue
                value = literal_of(literal_entries[0][1])
                if value in values:
                    values[value] = True
            if all(values.values()):
                return []
        if not tags:
            return None
        name, values = next(iter(tags.items()))
        return [f"{{ {name}: {_show(v)} }}" for v, done in values.items() if not done]
