"""Typing expressions: literals, operators, members, assignments, match and JSX.

One collaborator of the typed walk (`analyzer.Analyzer` builds it and
dispatches to it). Every expression is typed exactly once (the walk's `expr`
records the result), and reports go to the checkers at the point where a value
is used.
"""

from __future__ import annotations

from collections.abc import Callable

from zigttp.compiler import ast as A
from zigttp.compiler.ast import unparen
from zigttp.verifier import narrowing as N
from zigttp.verifier.assign import assignable
from zigttp.verifier.calls import CallTyper
from zigttp.verifier.conditions import ConditionTyper
from zigttp.verifier.flowenv import (
    _ARITHMETIC,
    _EQUALITY,
    _RELATIONAL,
    JSX_NODE,
    Env,
    _invalidate,
    _invalidate_children,
)
from zigttp.verifier.members import call_signature, element_type, index_type, member_type
from zigttp.verifier.scope import Binding, Scopes
from zigttp.verifier.typemodel import (
    BOOLEAN,
    FALSE,
    NEVER,
    NUMBER,
    STRING,
    TRUE,
    UNDEFINED,
    UNKNOWN,
    Arr,
    Lit,
    Obj,
    Prop,
    Tup,
    TVar,
    Type,
    Union,
    base_kind,
    has_undefined,
    is_dynamic,
    is_optional,
    members,
    strip_undefined,
    union,
    widen,
)
from zigttp.verifier.typings import Checkers, CheckFlow, TypeExpression, Typings


class ExpressionTyper:
    """Expression typing for the typed walk (calls are `CallTyper`'s, functions the walk's own)."""

    def __init__(self, scopes: Scopes, expr: TypeExpression, binding_type: Callable[[Binding], Type],
                 check_flow: CheckFlow, globals_: dict[str, Type], typings: Typings, checkers: Checkers,
                 conditions: ConditionTyper, calls: CallTyper) -> None:
        self.scopes = scopes
        self.expr = expr
        self.binding_type = binding_type
        self.check_flow = check_flow
        self.globals = globals_
        self.expr_types = typings.expr_types
        self.binding_types = typings.binding_types
        self.callees = typings.callees
        self.checked_literals = typings.checked_literals
        self.types = checkers.types
        self.sound = checkers.sound
        self.optionals = checkers.optionals
        self.results = checkers.results
        self.matches = checkers.matches
        self.cond = conditions.cond
        self.cond_typed = conditions.cond_typed
        self.dead_expr = conditions.dead_expr
        self.subject_info = conditions.subject_info
        self.ref_key = conditions.ref_key
        self.ref_type = conditions.ref_type
        self.identify_callee = calls.identify_callee
        self.module_optional_use = calls.module_optional_use

    def e_identifier(self, node: A.Identifier, env: Env, expected: Type | None) -> Type:
        binding = self.scopes.refs.get(id(node))
        if binding is None:
            if node.name == "undefined":
                return UNDEFINED
            return self.globals.get(node.name, UNKNOWN)
        found = env.get(binding)
        if found is None:
            found = self.binding_types.get(binding)  # `binding_type`'s first step, without its call
        return found if found is not None else self.binding_type(binding)

    def e_number(self, node: A.NumberLiteral, env: Env, expected: Type | None) -> Type:
        return Lit(float(node.value))

    def e_string(self, node: A.StringLiteral, env: Env, expected: Type | None) -> Type:
        return Lit(node.value)

    def e_boolean(self, node: A.BooleanLiteral, env: Env, expected: Type | None) -> Type:
        return TRUE if node.value else FALSE

    def e_template(self, node: A.TemplateLiteral, env: Env, expected: Type | None) -> Type:
        for part in node.expressions:
            t = self.expr(part, env)
            if is_optional(t) or t is UNDEFINED:
                self.optionals.use(part, t, "template")
        if not node.expressions and node.cooked:
            return Lit(node.cooked[0])
        return STRING

    def e_tagged(self, node: A.TaggedTemplate, env: Env, expected: Type | None) -> Type:
        self.expr(node.tag, env)
        self.expr(node.quasi, env)
        return UNKNOWN

    def e_array(self, node: A.ArrayLiteral, env: Env, expected: Type | None) -> Type:
        elem_expected: Type | None = None
        tuple_expected: Tup | None = None
        for m in members(expected) if expected is not None else ():
            if type(m) is Arr:
                elem_expected = m.elem
            elif type(m) is Tup and len(m.elems) == len(node.elements):
                tuple_expected = m
        elems: list[Type] = []
        for i, element in enumerate(node.elements):
            if type(element) is A.Spread:
                t = self.expr(element.argument, env)
                if is_optional(t):
                    self.optionals.use(element.argument, t, "spread")
                elems.append(element_type(strip_undefined(t)))
                continue
            want = tuple_expected.elems[i] if tuple_expected is not None else elem_expected
            t = self.expr(element, env, want)
            if want is not None:
                self.check_flow(element, t, want, "element")
            elems.append(t)
        if tuple_expected is not None or elem_expected is not None:
            self.checked_literals.add(id(node))
        if tuple_expected is not None and elem_expected is None:
            return Tup(tuple(elems))
        if elem_expected is not None:
            return Arr(elem_expected)
        if not elems:
            return Arr(UNKNOWN)
        return Arr(widen(union(elems)))

    def e_object(self, node: A.ObjectLiteral, env: Env, expected: Type | None) -> Type:
        target = self.types.object_target(node, expected) if expected is not None else None
        obj = Obj(None)
        for prop in node.properties:
            if type(prop) is A.Spread:
                t = strip_undefined(self.expr(prop.argument, env))
                if type(t) is Obj:
                    for name, p in t.props.items():
                        before = obj.props.get(name)
                        if p.optional and before is not None:
                            # An optional property spread over a known one may leave it as it was.
                            obj.props[name] = Prop(union((before.type, strip_undefined(p.type))), before.optional)
                        else:
                            obj.props[name] = Prop(p.type, p.optional)
                    if t.open or t.index is not None:
                        obj.open = True
                elif type(t) is Union and all(type(m) is Obj for m in t.members):
                    for m in t.members:
                        for name, p in m.props.items():  # type: ignore[union-attr]
                            obj.props[name] = Prop(union((obj.props[name].type, p.type)) if name in obj.props
                                                   else p.type, p.optional)
                else:
                    obj.open = True
                continue
            if type(prop) is not A.Property:
                continue
            if prop.computed:
                self.expr(prop.key, env)
                key_t = self.expr_types.get(id(prop.key))
                self.expr(prop.value, env)
                if type(key_t) is Lit:
                    obj.props[_key_text(key_t.value)] = Prop(self.expr_types[id(prop.value)])
                else:
                    obj.open = True
                continue
            name = _property_name(prop.key)
            want = None
            if target is not None:
                p = target.props.get(name)
                want = p.type if p is not None else target.index
            if prop.kind in ("get", "set"):
                t = self.expr(prop.value, env)
                t = call_signature(t).returns() if call_signature(t) is not None else UNKNOWN  # type: ignore[union-attr]
            else:
                t = self.expr(prop.value, env, want)
                if want is not None and prop.kind == "init":
                    self.check_flow(prop.value, t, want, "property", param=name)
                if type(t) is Union and (want is None or not has_undefined(want) or is_dynamic(want)):
                    self.module_optional_use(prop.value, t)  # only a union is optional
            obj.props[name] = Prop(t)
        if target is not None:
            self.types.object_literal(node, obj, target)
            self.checked_literals.add(id(node))
        return obj

    def e_unary(self, node: A.Unary, env: Env, expected: Type | None) -> Type:
        op = node.operator
        if op == "!":
            self.cond(node, env, "!")
            return BOOLEAN
        t = self.expr(node.argument, env)
        if op == "typeof":
            return union(Lit(tag) for tag in ("string", "number", "boolean", "undefined", "object", "function"))
        if op == "void":
            return UNDEFINED
        if op in ("-", "~"):
            if is_optional(t):
                self.optionals.use(node.argument, t, "arithmetic")
            else:
                self.sound.arithmetic(node, op, t, None)
            if op == "-" and type(t) is Lit and isinstance(t.value, float):
                return Lit(-t.value)
            return NUMBER
        if op == "+":
            return NUMBER
        return UNKNOWN

    def e_binary(self, node: A.Binary, env: Env, expected: Type | None) -> Type:
        op = node.operator
        if op in ("&&", "||"):
            left_t, yes, no = self.cond_typed(node.left, env, op)
            if not self.subject_info(node.left)[1]:
                self.sound.logical_operand(node.left, left_t, op)
            if op == "&&":
                if yes is None:
                    self.dead_expr(node.right)
                    return N.falsy(left_t)
                return union((N.falsy(left_t), self.expr(node.right, yes, expected)))
            if no is None:
                self.dead_expr(node.right)
                return N.truthy(left_t)
            return union((N.truthy(left_t), self.expr(node.right, no, expected)))
        if op == "??":
            left = self.expr(node.left, env)
            self.sound.nullish(node.left, left, self.subject_info)
            key = self.ref_key(node.left)
            right_env = env
            if key is not None:
                right_env = dict(env)
                right_env[key] = UNDEFINED
            right = self.expr(node.right, right_env, expected)
            return union((strip_undefined(left), right))
        left = self.expr(node.left, env)
        right = self.expr(node.right, env)
        if op == "+":
            return self.add_type(node, node.left, node.right, left, right)
        if op in _ARITHMETIC:
            self._operands(node, left, right, op)
            return NUMBER
        if op in _RELATIONAL:
            for side, t in ((node.left, left), (node.right, right)):
                if is_optional(t) or t is UNDEFINED:
                    self.optionals.use(side, t, "comparison")
            return BOOLEAN
        if op in _EQUALITY:
            self.sound.equality(node, left, right, self.subject_info)
            return BOOLEAN
        return BOOLEAN  # in, instanceof (rejected), ==

    def _operands(self, node: A.Binary, left: Type, right: Type, op: str) -> None:
        optional = False
        for side, t in ((node.left, left), (node.right, right)):
            if is_optional(t):
                self.optionals.use(side, t, "arithmetic")
                optional = True
        if not optional:
            self.sound.arithmetic(node, op, left, right)

    def add_type(self, node: A.Node, left_node: A.Node, right_node: A.Node, left: Type, right: Type) -> Type:
        lk = base_kind(left)
        rk = base_kind(right)
        optional = False
        for side, t in ((left_node, left), (right_node, right)):
            if is_optional(t):
                self.optionals.use(side, t, "arithmetic")
                optional = True
        if not optional:
            self.sound.add(node, left, right)
        if lk == "string" or rk == "string":
            return STRING
        if lk == "number" and rk == "number":
            return NUMBER
        return UNKNOWN

    def e_assign(self, node: A.Assign, env: Env, expected: Type | None) -> Type:
        target = unparen(node.target)
        op = node.operator
        target_declared = self.assign_target_type(target, env)
        if op == "=":
            value = self.expr(node.value, env, target_declared)
        else:
            current = self._silent_type(target, env)
            right = self.expr(node.value, env)
            base_op = op[:-1]
            if base_op == "+":
                value = self.add_type(node, target, node.value, current, right)
            else:
                optional = False
                for side, t in ((target, current), (node.value, right)):
                    if is_optional(t):
                        self.optionals.use(side, t, "arithmetic")
                        optional = True
                if not optional:
                    self.sound.arithmetic(node, base_op, current, right)
                value = NUMBER
        self.assign_to(target, value, env, node)
        return value

    def assign_target_type(self, target: A.Node, env: Env) -> Type | None:
        kind = type(target)
        if kind is A.Identifier:
            binding = self.scopes.refs.get(id(target))
            return self.binding_type(binding) if binding is not None else None
        if kind is A.Member:
            obj_t = self._silent_type(target.object, env)
            if type(obj_t) is Obj and target.name in obj_t.props:
                return obj_t.props[target.name].type
        return None

    def _silent_type(self, node: A.Node, env: Env) -> Type:
        """Type of a reference without reporting (assignment targets are typed by their own rules)."""
        key = self.ref_key(node)
        if key is not None and key in env:
            return env[key]
        kind = type(node)
        if kind is A.Identifier:
            binding = self.scopes.refs.get(id(node))
            return self.binding_type(binding) if binding is not None else self.globals.get(node.name, UNKNOWN)
        if kind is A.Member:
            t = member_type(strip_undefined(self._silent_type(node.object, env)), node.name)
            return t if t is not None else UNKNOWN
        if kind is A.Paren:
            return self._silent_type(node.expression, env)
        return self.expr_types.get(id(node), UNKNOWN)

    def assign_to(self, target: A.Node, value: Type, env: Env, node: A.Node) -> None:
        kind = type(target)
        if kind is A.Identifier:
            binding = self.scopes.refs.get(id(target))
            if binding is None:
                return
            self.types.assign_identifier(target, binding)
            declared = self.binding_type(binding)
            if type(node) is A.Assign and node.operator == "=" and binding.kind in ("let", "param"):
                self.check_flow(node.value, value, declared, "assign")
            _invalidate(env, binding)
            if binding.kind in ("let", "param") and not is_dynamic(value):
                narrowed = widen(value)
                if assignable(narrowed, declared) and not is_dynamic(declared):
                    env[binding] = narrowed if type(declared) is Union else declared
        elif kind is A.Member:
            obj_t = self.expr(target.object, env)
            self.types.assign_member(target, obj_t, value, node)
            key = self.ref_key(target)
            if key is not None:
                _invalidate(env, key)
        elif kind is A.Index:
            self.expr(target.object, env)
            self.expr(target.index, env)
            key = self.ref_key(target.object)
            if key is not None:
                _invalidate_children(env, key)
        elif kind in (A.ArrayLiteral, A.ObjectLiteral):
            if kind is A.ArrayLiteral:
                for element in target.elements:
                    self.assign_to(unparen(element), index_type(value, NUMBER), env, node)
            else:
                for prop in target.properties:
                    if type(prop) is A.Property:
                        t = member_type(value, _property_name(prop.key)) if not is_dynamic(value) else UNKNOWN
                        self.assign_to(unparen(prop.value), t if t is not None else UNKNOWN, env, node)

    def e_conditional(self, node: A.Conditional, env: Env, expected: Type | None) -> Type:
        yes, no = self.cond(node.test, env, "?:")
        a = self.expr(node.consequent, yes if yes is not None else {}, expected)
        b = self.expr(node.alternate, no if no is not None else {}, expected)
        if yes is None:
            return b
        if no is None:
            return a
        return union((a, b))

    def e_sequence(self, node: A.Sequence, env: Env, expected: Type | None) -> Type:
        t: Type = UNDEFINED
        for part in node.expressions:
            t = self.expr(part, env)
        return t

    # ------------------------------------------------------------ members

    def e_member(self, node: A.Member, env: Env, expected: Type | None) -> Type:
        obj_t = self.expr(node.object, env)
        if env and not node.optional:  # a refinement of this path can only be in a non-empty env
            key = self.ref_key(node)
            if key is not None and key in env:
                return env[key]
        return self.member_of(node, obj_t, node.name, node.optional)

    def member_of(self, node: A.Node, obj_t: Type, name: str, optional_chain: bool) -> Type:
        if obj_t is UNKNOWN or obj_t is NEVER or type(obj_t) is TVar:  # is_dynamic, written out (every member)
            return UNKNOWN
        receiver = obj_t
        maybe_undefined = False
        if has_undefined(obj_t):
            if optional_chain:
                maybe_undefined = True
            elif obj_t is not UNDEFINED:
                self.optionals.access(node, obj_t, name)
            else:
                self.optionals.access(node, obj_t, name)
                return UNKNOWN
            receiver = strip_undefined(obj_t)
            if receiver is NEVER:
                return UNDEFINED
        t = member_type(receiver, name)
        if type(receiver) is Union:
            if self.results.member(node, receiver, name):
                t = member_type(receiver, name) or _partial_member(receiver, name)
            elif t is None:
                self.types.union_member(node, receiver, name)
                t = _partial_member(receiver, name)
        elif t is None:
            if not self.results.variant_member(node, receiver, name):
                self.types.missing_member(node, receiver, name)
            t = UNKNOWN
        if maybe_undefined:
            t = union((t, UNDEFINED))
        return t

    def e_index(self, node: A.Index, env: Env, expected: Type | None) -> Type:
        obj_t = self.expr(node.object, env)
        idx_t = self.expr(node.index, env)
        if has_undefined(obj_t) and not is_dynamic(obj_t):
            if node.optional:
                return union((index_type(strip_undefined(obj_t), idx_t), UNDEFINED))
            self.optionals.access(node, obj_t, "[...]")
            obj_t = strip_undefined(obj_t)
        if type(idx_t) is Lit and isinstance(idx_t.value, str) and type(strip_undefined(obj_t)) is Obj:
            receiver = strip_undefined(obj_t)
            if idx_t.value in receiver.props or receiver.index is None:  # type: ignore[union-attr]
                return self.member_of(node, receiver, idx_t.value, False)
        return index_type(obj_t, idx_t)

    # -------------------------------------------------------------- calls

    def e_match(self, node: A.Match, env: Env, expected: Type | None) -> Type:
        subject_t = self.expr(node.subject, env)
        key = self.ref_key(node.subject)
        results: list[Type] = []
        remaining = subject_t
        for arm in node.arms:
            pattern_t = self.pattern_type(arm.pattern)
            self.types.match_arm(arm, subject_t, pattern_t)
            arm_env = env
            if key is not None:
                arm_env = dict(env)
                arm_env[key] = self.narrow_by_pattern(self.ref_type(key, node.subject, env), arm.pattern)
            results.append(self.expr(arm.body, arm_env, expected))
            if type(arm.pattern) is A.LiteralPattern and pattern_t is not None:
                remaining = N.not_equal_to(remaining, pattern_t)
            elif type(arm.pattern) is A.ObjectPattern:
                remaining = self.exclude_by_object_pattern(remaining, arm.pattern)
        if node.default is not None:
            default_env = env
            if key is not None and remaining is not NEVER:
                default_env = dict(env)
                default_env[key] = remaining
            results.append(self.expr(node.default, default_env, expected))
        self.matches.match(node, subject_t)
        return union(results) if results else UNKNOWN

    def exclude_by_object_pattern(self, t: Type, pattern: A.ObjectPattern) -> Type:
        """What a later arm (or default) can still see after `when { tag: "x" }`.

        Only a single literal entry excludes anything: every value whose `tag`
        is exactly "x" matched. With more entries a value may have failed on
        another one, so nothing is excluded.
        """
        if len(pattern.entries) != 1:
            return t
        name, sub = pattern.entries[0]
        if type(sub) is not A.LiteralPattern:
            return t
        value = self.pattern_type(sub)
        if value is None:
            return t
        narrowed = N.by_property(t, name, lambda pt, v=value: N.not_equal_to(pt, v), True)
        return narrowed if narrowed is not NEVER else t

    def pattern_type(self, pattern: A.Pattern) -> Type | None:
        if type(pattern) is not A.LiteralPattern:
            return None
        value = pattern.value
        kind = type(value)
        if kind is A.StringLiteral:
            return Lit(value.value)
        if kind is A.NumberLiteral:
            return Lit(float(value.value))
        if kind is A.BooleanLiteral:
            return TRUE if value.value else FALSE
        if kind is A.Unary and type(value.argument) is A.NumberLiteral:
            return Lit(-float(value.argument.value))
        if kind is A.Identifier and value.name == "undefined":
            return UNDEFINED
        if kind is A.TemplateLiteral and not value.expressions:
            return Lit(value.cooked[0] if value.cooked else "")
        return None

    def narrow_by_pattern(self, t: Type, pattern: A.Pattern) -> Type:
        kind = type(pattern)
        if kind is A.LiteralPattern:
            value = self.pattern_type(pattern)
            return N.equal_to(t, value) if value is not None else t
        if kind is A.ObjectPattern:
            current = t
            for name, sub in pattern.entries:
                if type(sub) is A.LiteralPattern:
                    value = self.pattern_type(sub)
                    if value is not None:
                        current = N.by_property(current, name, lambda pt, v=value: N.equal_to(pt, v), True)
            return current if current is not NEVER else t
        if kind is A.ArrayPattern:
            return N.is_array(t, True) if is_dynamic(t) else t
        return t

    def e_jsx(self, node: A.JSXElement, env: Env, expected: Type | None) -> Type:
        if node.component is not None:
            self.expr(node.component, env)
            self.callees[id(node)] = self.identify_callee(
                unparen(node.component), self.expr_types.get(id(node.component), UNKNOWN)
            )
        for attribute in node.attributes:
            if type(attribute) is A.JSXAttribute and attribute.value is not None:
                self.expr(attribute.value, env)
            elif type(attribute) is A.JSXSpreadAttribute:
                self.expr(attribute.argument, env)
        for child in node.children:
            self.expr(child, env)
        return JSX_NODE


# ================================================================== helpers


def _partial_member(t: Union, name: str) -> Type:
    found = []
    for m in t.members:
        mt = member_type(m, name)
        if mt is not None:
            found.append(mt)
    return union(found) if found else UNKNOWN


def _property_name(key: A.Node) -> str:
    kind = type(key)
    if kind is A.Identifier:
        return key.name  # type: ignore[attr-defined]
    if kind is A.StringLiteral:
        return key.value  # type: ignore[attr-defined]
    if kind is A.NumberLiteral:
        return _key_text(float(key.value))  # type: ignore[attr-defined]
    return "<computed>"


def _key_text(value: object) -> str:
    if isinstance(value, float) and value == int(value):
        return str(int(value))
    return str(value)


def comptime_type(value: object) -> Type:
    if value is None:
        return UNDEFINED
    if isinstance(value, bool):
        return TRUE if value else FALSE
    if isinstance(value, (int, float)):
        return Lit(float(value))
    if isinstance(value, str):
        return Lit(value)
    if isinstance(value, dict):
        return Obj(None, {str(k): Prop(comptime_type(v)) for k, v in value.items()})
    if isinstance(value, list):
        return Arr(widen(union(comptime_type(v) for v in value))) if value else Arr(UNKNOWN)
    return UNKNOWN
