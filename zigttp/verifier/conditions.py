"""Conditions and references: what a test implies about the values it mentions.

One collaborator of the typed walk (`analyzer.Analyzer` builds it). `cond` evaluates a
test once and returns the environments where it is truthy and falsy; `refine`
turns one typed test into those refinements (equality with literals and
undefined, `typeof`, discriminants, `isOk()`/`isErr()`, `Array.isArray`, type
guards). References are bindings and literal member paths.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from zigttp.compiler import ast as A
from zigttp.compiler.ast import unparen
from zigttp.verifier import narrowing as N
from zigttp.verifier.builtins import is_result_variant
from zigttp.verifier.flowenv import (
    _EQUALITY,
    Env,
    Key,
    _is_never_env,
    join,
)
from zigttp.verifier.members import call_signature, member_type
from zigttp.verifier.scope import Binding, Scopes
from zigttp.verifier.typemodel import (
    BOOLEAN,
    FALSE,
    TRUE,
    UNDEFINED,
    UNKNOWN,
    Lit,
    Obj,
    Type,
    Union,
    is_dynamic,
    members,
    strip_undefined,
    union,
)
from zigttp.verifier.typings import TypeExpression, Typings

if TYPE_CHECKING:
    from zigttp.verifier.sound import SoundChecker


class ConditionTyper:
    """Condition evaluation and reference lookup for the typed walk."""

    def __init__(self, scopes: Scopes, expr: TypeExpression, binding_type: Callable[[Binding], Type],
                 typings: Typings, sound: SoundChecker) -> None:
        self.scopes = scopes
        self.expr = expr
        self.binding_type = binding_type
        self.expr_types = typings.expr_types
        self.maybe_absent = typings.maybe_absent
        self.sound = sound

    # =========================================================== conditions

    def cond(self, node: A.Node, env: Env, where: str) -> tuple[Env | None, Env | None]:
        """Evaluate a test once; returns the environments where it is truthy / falsy."""
        kind = type(node)
        if kind is A.Paren:
            return self.cond(node.expression, env, where)
        if kind is A.Unary and node.operator == "!":
            inner_t, yes, no = self.cond_typed(node.argument, env, "!")
            self.expr_types[id(node)] = BOOLEAN
            if not self.subject_info(node.argument)[1]:
                self.sound.not_operand(node, inner_t)
            return no, yes
        if kind is A.Binary and node.operator in ("&&", "||"):
            left_t, left_yes, left_no = self.cond_typed(node.left, env, node.operator)
            if not self.subject_info(node.left)[1]:
                self.sound.logical_operand(node.left, left_t, node.operator)
            if node.operator == "&&":
                if left_yes is None:
                    self.dead_expr(node.right)
                    return None, left_no
                right_t, r_yes, r_no = self.cond_typed(node.right, left_yes, where)
                if not self.subject_info(node.right)[1]:
                    self.sound.condition(node.right, right_t, where)
                self.expr_types[id(node)] = union((N.falsy(left_t), right_t))
                return r_yes, join(left_no, r_no)
            if left_no is None:
                self.dead_expr(node.right)
                return left_yes, None
            right_t, r_yes, r_no = self.cond_typed(node.right, left_no, where)
            if not self.subject_info(node.right)[1]:
                self.sound.condition(node.right, right_t, where)
            self.expr_types[id(node)] = union((N.truthy(left_t), right_t))
            return join(left_yes, r_yes), r_no
        t = self.expr(node, env)
        if not self.subject_info(node)[1]:  # an element read may be missing: testing it is real
            self.sound.condition(node, t, where)
        return self.refine(node, t, env)

    def cond_typed(self, node: A.Node, env: Env, where: str) -> tuple[Type, Env | None, Env | None]:
        yes, no = self.cond_inner(node, env, where)
        return self.expr_types.get(id(unparen(node)), UNKNOWN), yes, no

    def cond_inner(self, node: A.Node, env: Env, where: str) -> tuple[Env | None, Env | None]:
        """Like `cond` but without the sound-mode condition check of this node (the caller does it)."""
        kind = type(node)
        if kind is A.Paren:
            return self.cond_inner(node.expression, env, where)
        if (kind is A.Unary and node.operator == "!") or (kind is A.Binary and node.operator in ("&&", "||")):
            return self.cond(node, env, where)
        t = self.expr(node, env)
        return self.refine(node, t, env)

    def dead_expr(self, node: A.Node) -> None:
        self.expr(node, {})

    def refine(self, node: A.Node, t: Type, env: Env) -> tuple[Env | None, Env | None]:
        """Refinements implied by an already-typed test expression."""
        yes: Env = dict(env)
        no: Env = dict(env)
        kind = type(node)
        if kind is A.Paren:
            return self.refine(node.expression, t, env)
        if kind is A.Binary and node.operator in _EQUALITY:
            self._refine_equality(node, yes, no)
        elif kind is A.Call:
            self._refine_call(node, yes, no)
        else:
            key = self.ref_key(node)
            if key is not None:
                current = self.ref_type(key, node, env)
                yes[key] = N.truthy(current)
                no[key] = N.falsy(current)
                if type(node) is A.Member and not node.optional:
                    self._refine_parent(node, lambda pt: N.truthy(pt), lambda pt: N.falsy(pt), yes, no, env)
        if type(t) is Lit and type(t.value) is bool:  # TRUE or FALSE
            return (yes, None) if t.value else (None, no)
        return (None if _is_never_env(yes) else yes), (None if _is_never_env(no) else no)

    def _refine_parent(
        self,
        member: A.Member,
        when_yes: Callable[[Type], Type],
        when_no: Callable[[Type], Type],
        yes: Env,
        no: Env,
        env: Env,
    ) -> None:
        """A test on `x.k` also narrows `x` (discriminated unions)."""
        parent = self.ref_key(member.object)
        if parent is None:
            return
        parent_t = self.ref_type(parent, member.object, env)
        if type(parent_t) is not Union:
            return
        name = member.name
        yes[parent] = N.by_property(parent_t, name, when_yes, True)
        no[parent] = N.by_property(parent_t, name, when_no, False)

    def _refine_equality(self, node: A.Binary, yes: Env, no: Env) -> None:
        positive = node.operator == "==="
        left, right = unparen(node.left), unparen(node.right)
        # typeof x === "tag"
        for a, b in ((left, right), (right, left)):
            if type(a) is A.Unary and a.operator == "typeof" and type(b) is A.StringLiteral:
                key = self.ref_key(a.argument)
                if key is not None:
                    current = self.ref_type(key, a.argument, yes)
                    tag = b.value
                    t_yes, t_no = N.typeof_is(current, tag), N.typeof_is_not(current, tag)
                    (yes if positive else no)[key] = t_yes
                    (no if positive else yes)[key] = t_no
                return
        for a, b in ((left, right), (right, left)):
            value = self.expr_types.get(id(b))
            if value is None or not (type(value) is Lit or value is UNDEFINED):
                continue
            key = self.ref_key(a)
            if key is None:
                continue
            current = self.ref_type(key, a, yes)
            t_eq, t_ne = N.equal_to(current, value), N.not_equal_to(current, value)
            (yes if positive else no)[key] = t_eq
            (no if positive else yes)[key] = t_ne
            if type(a) is A.Member and not a.optional:
                target_yes, target_no = (yes, no) if positive else (no, yes)
                self._refine_parent(
                    a,
                    lambda pt, v=value: N.equal_to(pt, v),
                    lambda pt, v=value: N.not_equal_to(pt, v),
                    target_yes,
                    target_no,
                    yes,
                )
            return

    def _refine_call(self, node: A.Call, yes: Env, no: Env) -> None:
        callee = unparen(node.callee)
        # r.isOk() / r.isErr()
        if type(callee) is A.Member and callee.name in ("isOk", "isErr") and not node.arguments:
            key = self.ref_key(callee.object)
            if key is not None:
                current = self.ref_type(key, callee.object, yes)
                if any(is_result_variant(m) for m in members(current)):
                    ok_side = N.by_property(current, "ok", lambda pt: N.equal_to(pt, TRUE), True)
                    err_side = N.by_property(current, "ok", lambda pt: N.equal_to(pt, FALSE), True)
                    if callee.name == "isOk":
                        yes[key], no[key] = ok_side, err_side
                    else:
                        yes[key], no[key] = err_side, ok_side
            return
        # Array.isArray(x)
        if (
            type(callee) is A.Member
            and callee.name == "isArray"
            and type(callee.object) is A.Identifier
            and callee.object.name == "Array"
            and node.arguments
        ):
            key = self.ref_key(node.arguments[0])
            if key is not None:
                current = self.ref_type(key, node.arguments[0], yes)
                yes[key], no[key] = N.is_array(current, True), N.is_array(current, False)
            return
        # user type guards: (x: unknown) => x is T
        fn = call_signature(self.expr_types.get(id(callee), UNKNOWN))
        if fn is not None and fn.predicate is not None:
            index, guard = fn.predicate
            if index < len(node.arguments):
                key = self.ref_key(node.arguments[index])
                if key is not None:
                    current = self.ref_type(key, node.arguments[index], yes)
                    yes[key], no[key] = N.guarded(current, guard, True), N.guarded(current, guard, False)

    # ============================================================ references

    def absent_read(self, node: A.Node) -> bool:
        """An element or index-signature read: typed T, but the key may be missing at run time."""
        node = unparen(node)
        kind = type(node)
        if kind is A.Index:
            return True
        if kind is A.Member:
            receiver = strip_undefined(self.expr_types.get(id(node.object), UNKNOWN))
            return type(receiver) is Obj and receiver.index is not None and node.name not in receiver.props
        return False

    def subject_info(self, node: A.Node) -> tuple[Type | None, bool]:
        """(declared type before refinement, possibly absent) of a compared value, for sound mode."""
        node = unparen(node)
        kind = type(node)
        if kind is A.Identifier:
            binding = self.scopes.refs.get(id(node))
            if binding is None:
                return None, False
            return self.binding_type(binding), binding in self.maybe_absent
        if kind is A.Index:
            return None, True
        if kind is A.Member:
            if node.optional or self.absent_read(node):
                return None, True
            declared, absent = self.subject_info(node.object)
            if absent:
                return None, True
            if declared is not None and not is_dynamic(declared):
                t = member_type(strip_undefined(declared), node.name)
                return t, False
            return (UNKNOWN if declared is not None else None), False
        if kind is A.Call and node.optional:
            return None, True
        return None, False

    def ref_key(self, node: A.Node) -> Key | None:
        kind = type(node)
        if kind is A.Identifier:
            return self.scopes.refs.get(id(node))
        if kind is A.Paren:
            return self.ref_key(node.expression)
        if kind is A.Member:
            path = [node.name]
            cursor = node.object
            while True:
                ck = type(cursor)
                if ck is A.Member:
                    path.append(cursor.name)
                    cursor = cursor.object
                elif ck is A.Paren:
                    cursor = cursor.expression
                else:
                    break
            if type(cursor) is not A.Identifier:
                return None
            binding = self.scopes.refs.get(id(cursor))
            if binding is None:
                return None
            return (binding, ".".join(reversed(path)))
        return None

    def ref_type(self, key: Key, node: A.Node, env: Env) -> Type:
        found = env.get(key)
        if found is not None:
            return found
        recorded = self.expr_types.get(id(node))
        if recorded is not None:
            return recorded
        if type(key) is Binding:
            return self.binding_type(key)
        return UNKNOWN
