"""Type checker (ZTS200–205): the analyzer asks, this module decides and reports.

Declared vs inferred types at every flow point (initializers, assignments,
arguments, returns, object-literal properties, array elements), record
properties, readonly, constants, call arity, callability and impossible match
arms. An optional value whose defined part would fit is handed to the
optional checker (ZTS308: the fix is a check for undefined, not a type).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from zigttp.compiler import ast as A
from zigttp.verifier import codes as C
from zigttp.verifier.assign import assignable, missing_properties
from zigttp.verifier.typemodel import (
    UNDEFINED,
    Lit,
    Obj,
    Type,
    Union,
    describe,
    is_dynamic,
    is_finite,
    literal_values,
    members,
    strip_undefined,
    unwrap_distinct,
    widen,
)

if TYPE_CHECKING:
    from zigttp.verifier.calls import Callee
    from zigttp.verifier.context import Context
    from zigttp.verifier.optionals import OptionalChecker
    from zigttp.verifier.scope import Binding

_CONSTANT_KINDS = {"const": "constant", "function": "function", "import": "import", "virtual": "import",
                   "distinct": "type constructor"}


class TypeChecker:
    def __init__(self, ctx: Context, optionals: OptionalChecker) -> None:
        self.ctx = ctx
        self.optionals = optionals

    # ------------------------------------------------------------ flows

    def check_flow(
        self,
        node: A.Node,
        got: Type,
        expected: Type | None,
        site: str,
        param: str | None = None,
        callee: Callee | None = None,
    ) -> None:
        """`got` flows into a place declared as `expected`."""
        if expected is None or assignable(got, expected):
            return
        if self.optionals.flow(node, got, expected):
            return
        got_text, expected_text = describe(got), describe(expected)
        help_text = self._missing_help(got, expected)
        if site == "arg":
            diag = C.diagnostic(C.ARG_TYPE, node, got=got_text, param=param or "value", expected=expected_text)
        elif site == "return":
            diag = C.diagnostic(C.RETURN_TYPE, node, got=got_text, expected=expected_text)
        else:
            diag = C.diagnostic(C.TYPE_MISMATCH, node, got=got_text, expected=expected_text)
        if help_text:
            diag = _with_help(diag, help_text)
        self.ctx.report(diag)

    def _missing_help(self, got: Type, expected: Type) -> str | None:
        target = strip_undefined(expected)
        if type(got) is Obj and type(target) is Obj:
            missing = missing_properties(got, target)
            if missing:
                return "missing " + ", ".join(f"'{m}'" for m in missing[:5])
        return None

    def object_target(self, node: A.ObjectLiteral, expected: Type) -> Obj | None:
        """The object type a literal is written against (a union variant chosen by its literal tags)."""
        candidates = [m for m in members(expected) if type(m) is Obj and m.kind == "plain"]
        if not candidates:
            return None
        if len(candidates) == 1:
            return candidates[0]  # type: ignore[return-value]
        tags = _literal_tags(node)
        fitting = []
        for candidate in candidates:
            ok = True
            for name, value in tags.items():
                prop = candidate.props.get(name)  # type: ignore[union-attr]
                finite = prop is not None and type(prop.type) in (Lit, Union) and is_finite(prop.type)
                if finite and (type(value.value), value.value) not in literal_values(prop.type):  # type: ignore[union-attr]
                    ok = False
                    break
            if ok:
                fitting.append(candidate)
        return fitting[0] if len(fitting) == 1 else None  # type: ignore[return-value]

    def object_literal(self, node: A.ObjectLiteral, obj: Obj, target: Obj) -> None:
        if target.index is None and not target.open:
            known = set(target.props)
            for prop in node.properties:
                if type(prop) is A.Property and not prop.computed and prop.kind == "init":
                    name = _key_name(prop.key)
                    if name is not None and name not in known:
                        self.ctx.report(C.diagnostic(C.EXCESS_PROPERTY, prop.key, name=name, type=describe(target)))
        if not obj.open:
            missing = missing_properties(obj, target)
            if missing:
                what = ", ".join(f"'{m}'" for m in missing[:5])
                plural = "properties" if len(missing) > 1 else "property"
                self.ctx.report(C.diagnostic(C.MISSING_PROPERTIES, node, what=f"{plural} {what}",
                                             type=describe(target)))

    # ---------------------------------------------------------- members

    def missing_member(self, node: A.Node, receiver: Type, name: str) -> None:
        start, end = _name_span(node)
        self.ctx.report(C.diagnostic(C.MISSING_FIELD, node, start=start, end=end, name=name,
                                     type=describe(receiver)))

    def union_member(self, node: A.Node, receiver: Union, name: str) -> None:
        start, end = _name_span(node)
        self.ctx.report(C.diagnostic(C.UNION_MEMBER, node, start=start, end=end, name=name,
                                     type=describe(receiver), tag=_discriminant(receiver)))

    # ------------------------------------------------------------ calls

    def arg_count(self, node: A.Node, fn: object, count: int, callee: Callee) -> None:
        params = fn.params  # type: ignore[attr-defined]
        required = fn.required  # type: ignore[attr-defined]
        rest = fn.has_rest  # type: ignore[attr-defined]
        too_many = not rest and count > len(params)
        # Builtin signatures list the common parameters only: extra arguments are not errors there.
        lenient = callee.kind in ("builtin", "method")
        if count >= required and (not too_many or lenient):
            return
        if count < required:
            expected = str(required) if required == len(params) or rest else f"{required}-{len(params)}"
        else:
            expected = str(len(params)) if required == len(params) else f"{required}-{len(params)}"
        if rest:
            expected = f"at least {required}"
        name = _callee_name(callee)
        self.ctx.report(C.diagnostic(C.ARG_COUNT, node, callee=name, expected=expected,
                                     s="" if expected == "1" else "s", got=count))

    def not_callable(self, node: A.Node, t: Type) -> None:
        self.ctx.report(C.diagnostic(C.NOT_CALLABLE, node, got=describe(t)))

    # ------------------------------------------------------ assignments

    def assign_identifier(self, target: A.Identifier, binding: Binding) -> None:
        kind = binding.resolved().kind if binding.kind == "import" else binding.kind
        if binding.kind in ("import", "virtual") or kind in _CONSTANT_KINDS:
            self.ctx.report(C.diagnostic(C.CONST_ASSIGN, target, name=target.name))

    def assign_member(self, target: A.Member, obj_t: Type, value: Type, node: A.Node) -> None:
        receiver = strip_undefined(obj_t)
        if type(receiver) is not Obj:
            return
        prop = receiver.props.get(target.name)
        start, end = _name_span(target)
        if prop is None:
            if receiver.kind == "plain" and receiver.name is not None and receiver.index is None and not receiver.open:
                self.ctx.report(C.diagnostic(C.MISSING_FIELD, target, start=start, end=end, name=target.name,
                                             type=describe(receiver)))
            return
        if prop.readonly:
            self.ctx.report(C.diagnostic(C.READONLY_ASSIGN, target, start=start, end=end, name=target.name))
            return
        if type(node) is A.Assign and node.operator == "=":
            expected = prop.type if receiver.name is not None else widen(prop.type)
            self.check_flow(node.value, value, expected, "assign")

    # ------------------------------------------------------------ match

    def match_arm(self, arm: A.MatchArm, subject: Type, pattern: Type | None) -> None:
        if pattern is None or is_dynamic(subject):
            return
        base = unwrap_distinct(subject)
        if any(is_dynamic(m) for m in members(base)):
            return
        if is_finite(base):
            if (type(pattern.value) if type(pattern) is Lit else type(None),
                    pattern.value if type(pattern) is Lit else None) not in literal_values(base):
                self.ctx.report(C.diagnostic(C.IMPOSSIBLE_ARM, arm.pattern,
                                             why=f"{describe(pattern)} is not a value of type '{describe(subject)}'"))
            return
        kinds = {_kind(m) for m in members(base)}
        if type(pattern) is Lit and "other" not in kinds and _kind(pattern) not in kinds:
            self.ctx.report(C.diagnostic(C.IMPOSSIBLE_ARM, arm.pattern,
                                         why=f"the subject is a {describe(subject)}, the pattern a {_kind(pattern)}"))


def _kind(t: Type) -> str:
    if type(t) is Lit:
        return t.base.name
    if t is UNDEFINED:
        return "undefined"
    name = getattr(t, "name", None)
    if name in ("string", "number", "boolean"):
        return name  # type: ignore[return-value]
    return "other"


def _with_help(diag: C.Diagnostic, text: str) -> C.Diagnostic:
    from dataclasses import replace

    return replace(diag, suggestion=text)


def _literal_tags(node: A.ObjectLiteral) -> dict[str, Lit]:
    tags: dict[str, Lit] = {}
    for prop in node.properties:
        if type(prop) is not A.Property or prop.computed:
            continue
        name = _key_name(prop.key)
        value = prop.value
        if name is None:
            continue
        if type(value) is A.StringLiteral or type(value) is A.BooleanLiteral:
            tags[name] = Lit(value.value)
        elif type(value) is A.NumberLiteral:
            tags[name] = Lit(float(value.value))
    return tags


def _key_name(key: A.Node) -> str | None:
    if type(key) is A.Identifier:
        return key.name
    if type(key) is A.StringLiteral:
        return key.value
    if type(key) is A.NumberLiteral:
        value = float(key.value)
        return str(int(value)) if value == int(value) else str(value)
    return None


def _name_span(node: A.Node) -> tuple[int, int]:
    if type(node) is A.Member:
        return node.name_start, node.end
    return node.start, node.end


def _discriminant(t: Union) -> str:
    """A property every member has with a literal type (the tag to test)."""
    objs = [m for m in t.members if type(m) is Obj]
    if not objs:
        return "kind"
    for name, prop in objs[0].props.items():
        if type(prop.type) is Lit and all(name in o.props and type(o.props[name].type) is Lit for o in objs):
            return name
    return "kind"


def _callee_name(callee: Callee) -> str:
    name = callee.name
    if callee.kind == "export" and name.startswith("zigttp:"):
        name = name.split(".", 1)[-1]
    if callee.kind == "method":
        return f"'.{name}()'"
    return f"'{name}'"
