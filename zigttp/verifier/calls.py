"""Typing calls: callee identification, generic inference, contextual typing of callbacks, argument checks.

One collaborator of the typed walk (`analyzer.Analyzer` builds it). Arguments are typed
in two passes for generic callees: everything but function literals first (to
bind the type variables), then the function literals with the inferred
parameter types as context (`items.map((x) => ...)`, `reduce`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from zigttp.compiler import ast as A
from zigttp.compiler.ast import FUNCTION_NODES, unparen
from zigttp.verifier.flowenv import (
    REQUEST,
    RESPONSE,
    Env,
)
from zigttp.verifier.members import call_signature, is_callable
from zigttp.verifier.registry import ModuleExport
from zigttp.verifier.scope import Binding, Scopes
from zigttp.verifier.typemodel import (
    NEVER,
    UNDEFINED,
    UNKNOWN,
    Arr,
    Fn,
    FnParam,
    Obj,
    Tup,
    TVar,
    Type,
    Union,
    has_undefined,
    is_dynamic,
    is_optional,
    strip_undefined,
    substitute,
    unify,
    union,
)
from zigttp.verifier.typings import Checkers, CheckFlow, TypeExpression, Typings

GLOBAL_OBJECTS = frozenset(
    {"Response", "console", "Math", "JSON", "Date", "performance", "Object", "Number", "Array", "String", "Result"}
)


@dataclass(slots=True)
class Callee:
    """What a call site calls (for effects, flow and paths)."""

    kind: str  # export | local | builtin | method | unknown
    name: str  # "zigttp:env.env", "Response.json", "push", ...
    export: ModuleExport | None = None
    function: A.Node | None = None
    receiver: Type | None = None


class CallTyper:
    """Call, pipe and guard-chain typing for the typed walk."""

    def __init__(self, scopes: Scopes, expr: TypeExpression, check_flow: CheckFlow,
                 virtual_export: Callable[[Binding], ModuleExport | None], typings: Typings,
                 checkers: Checkers) -> None:
        self.scopes = scopes
        self.expr = expr
        self.check_flow = check_flow
        self.virtual_export = virtual_export
        self.expr_types = typings.expr_types
        self.callees = typings.callees
        self.module_optional_calls = typings.module_optional_calls
        self.module_optional_bindings = typings.module_optional_bindings
        self.types = checkers.types
        self.optionals = checkers.optionals
        self.results = checkers.results

    def e_call(self, node: A.Call, env: Env, expected: Type | None) -> Type:
        callee = unparen(node.callee)
        callee_t = self.expr(callee, env)
        info = self.identify_callee(callee, callee_t)
        self.callees[id(node)] = info
        if info.export is not None and info.export.return_kind == "optional":
            self.module_optional_calls.add(id(node))
        if type(callee) is A.Member and callee.name in ("unwrap", "unwrapErr"):
            receiver = self.expr_types.get(id(callee.object), UNKNOWN)
            self.results.unwrap(callee, strip_undefined(receiver), callee.name)
        if is_optional(callee_t) and not node.optional:
            self.optionals.use(node.callee, callee_t, "called")
            callee_t = strip_undefined(callee_t)
        elif node.optional:
            callee_t = strip_undefined(callee_t)
        result = self.call_type(node, callee_t, node.arguments, env, info, expected)
        if node.optional:
            result = union((result, UNDEFINED))
        return result

    def identify_callee(self, callee: A.Node, callee_t: Type) -> Callee:
        kind = type(callee)
        if kind is A.Identifier:
            binding = self.scopes.refs.get(id(callee))
            if binding is None:
                return Callee("builtin", callee.name)
            target = binding.resolved()
            if target.kind == "virtual":
                export = self.virtual_export(target)
                name = f"{target.source[0]}.{target.source[1]}" if target.source else callee.name
                return Callee("export", name, export)
            if target.kind == "function":
                return Callee("local", target.name, function=target.decl)
            decl = target.decl
            if type(decl) is A.VariableDeclarator and type(decl.init) in FUNCTION_NODES:
                return Callee("local", target.name, function=decl.init)
            fn = call_signature(callee_t)
            if fn is not None and fn.node is not None:
                return Callee("local", target.name, function=fn.node)  # type: ignore[arg-type]
            return Callee("unknown", target.name)
        if kind is A.Member:
            obj = unparen(callee.object)
            if type(obj) is A.Identifier and self.scopes.refs.get(id(obj)) is None and obj.name in GLOBAL_OBJECTS:
                return Callee("builtin", f"{obj.name}.{callee.name}")
            receiver = self.expr_types.get(id(callee.object), UNKNOWN)
            return Callee("method", callee.name, receiver=receiver)
        fn = call_signature(callee_t)
        if fn is not None and fn.node is not None:
            return Callee("local", "<function>", function=fn.node)  # type: ignore[arg-type]
        return Callee("unknown", "<expression>")

    def call_type(
        self,
        node: A.Node,
        callee_t: Type,
        arguments: list[A.Node],
        env: Env,
        info: Callee,
        expected: Type | None = None,
        arg_types: list[Type] | None = None,
    ) -> Type:
        if callee_t is UNKNOWN or callee_t is NEVER or type(callee_t) is TVar:  # is_dynamic, written out (every call)
            self._type_args(arguments, env)
            return UNKNOWN
        fn = call_signature(callee_t)
        if fn is None:
            if type(callee_t) is Union:
                sigs = [call_signature(m) for m in callee_t.members]
                if all(s is not None for s in sigs):
                    self._type_args(arguments, env)
                    return union(s.returns() for s in sigs)  # type: ignore[union-attr]
            callable_ = is_callable(callee_t)
            if callable_ is False:
                self.types.not_callable(node, callee_t)
            self._type_args(arguments, env)
            return UNKNOWN
        return self.apply(node, fn, arguments, env, info, arg_types)

    def _type_args(self, arguments: list[A.Node], env: Env) -> None:
        for argument in arguments:
            t = self.expr(argument, env)
            if type(t) is Union:  # only a union is optional
                self.module_optional_use(argument, t)

    def apply(
        self,
        node: A.Node,
        fn: Fn,
        arguments: list[A.Node],
        env: Env,
        info: Callee,
        arg_types: list[Type] | None = None,
    ) -> Type:
        """Type a call: infer generics, contextually type callbacks, check every argument."""
        params = fn.params
        spread = A.Spread in map(type, arguments)
        if not spread:
            self.types.arg_count(node, fn, len(arguments), info)
        bindings: dict[str, Type] = {}
        types: list[Type | None] = list(arg_types) if arg_types is not None else [None] * len(arguments)
        generic = bool(fn.tparams)
        # First pass: everything but function literals (they are typed with the inferred context).
        for i, argument in enumerate(arguments):
            if types[i] is not None:
                continue
            param = _param_at(params, i)
            if type(argument) is A.Spread:
                t = self.expr(argument.argument, env)
                if is_optional(t):
                    self.optionals.use(argument.argument, t, "spread")
                types[i] = UNKNOWN
                continue
            if generic and type(unparen(argument)) in FUNCTION_NODES:
                continue
            want = param.type if param is not None else None
            if want is not None and generic:
                want = substitute(want, bindings) if bindings else want
                if has_tvars(want):
                    want = None
            t = self.expr(argument, env, want)
            types[i] = t
            if param is not None and generic:
                unify(param.type, t, bindings, fn.tparams)
        for i, argument in enumerate(arguments):
            if types[i] is not None:
                continue
            param = _param_at(params, i)
            want = substitute(param.type, bindings) if param is not None else None
            t = self.expr(argument, env, want)
            types[i] = t
            if param is not None:
                unify(param.type, t, bindings, fn.tparams)
        for i, argument in enumerate(arguments):
            if type(argument) is A.Spread:
                continue
            param = _param_at(params, i)
            if param is None:
                continue
            want = substitute(param.type, bindings) if generic else param.type
            if generic and has_tvars(want):
                continue
            t = types[i]
            if t is not None:
                self.check_flow(argument, t, want, "arg", param=param.name, callee=info)
                # only `T | undefined` invites undefined; only a union is optional
                if type(t) is Union and (not has_undefined(want) or is_dynamic(want)):
                    self.module_optional_use(argument, t)
        result = fn.returns()
        if generic:
            result = substitute(result, bindings)
        return result

    def module_optional_use(self, node: A.Node, t: Type) -> None:
        """UNCHECKED_OPTIONAL_USE (ZTS308) for a virtual module's optional result used as a value without narrowing.

        Upstream's rule for module results: an object-literal value or a call argument needs a check
        for undefined even where undefined would be accepted (`Response.json({ key: env("X") })`).
        Narrowing gives the binding a defined flow type, so a checked value is never reported here.
        """
        if not is_optional(t):
            return
        inner = unparen(node)
        binding = self.scopes.refs.get(id(inner)) if type(inner) is A.Identifier else None
        from_binding = binding is not None and binding in self.module_optional_bindings
        if from_binding or id(inner) in self.module_optional_calls:
            self.optionals.use(node, t, "value")

    # ------------------------------------------------------ dialect forms

    def e_pipe(self, node: A.Pipe, env: Env, expected: Type | None) -> Type:
        left = self.expr(node.left, env)
        right = unparen(node.right)
        callee_t = self.expr(right, env, Fn((FnParam("value", left),), UNKNOWN))
        info = self.identify_callee(right, callee_t)
        self.callees[id(node)] = info
        if is_dynamic(callee_t):
            return UNKNOWN
        fn = call_signature(callee_t)
        if fn is None:
            self.types.not_callable(node.right, callee_t)
            return UNKNOWN
        return self.apply(node, fn, [node.left], env, info, [left])

    def e_pipe_call(self, node: A.PipeCall, env: Env, expected: Type | None) -> Type:
        value: Type | None = None
        for i, function in enumerate(node.functions):
            ctx_t = Fn((FnParam("value", value),), UNKNOWN) if value is not None else None
            callee_t = self.expr(function, env, ctx_t)
            fn = call_signature(callee_t)
            if fn is None:
                value = UNKNOWN
                continue
            info = self.identify_callee(unparen(function), callee_t)
            if i == 0:
                self.types.arg_count(function, fn, 0, info)
                value = fn.returns()
            else:
                value = self.apply(function, fn, [node.functions[i - 1]], env, info, [value or UNKNOWN])
        return value if value is not None else UNKNOWN

    def e_guard_chain(self, node: A.GuardChain, env: Env, expected: Type | None) -> Type:
        request_guard = Fn((FnParam("req", REQUEST),), union((RESPONSE, UNDEFINED)))
        response_guard = Fn((FnParam("res", RESPONSE),), union((RESPONSE, UNDEFINED)))
        for guard in node.pre_guards:
            self.check_flow(guard, self.expr(guard, env, request_guard), request_guard, "guard")
        handler_t = Fn((FnParam("req", REQUEST),), RESPONSE)
        self.check_flow(node.handler, self.expr(node.handler, env, handler_t), handler_t, "guard")
        for guard in node.post_guards:
            self.check_flow(guard, self.expr(guard, env, response_guard), response_guard, "guard")
        return handler_t


def _param_at(params: tuple[FnParam, ...], i: int) -> FnParam | None:
    if i < len(params):
        p = params[i]
        if p.rest:
            return FnParam(p.name, p.type.elem if type(p.type) is Arr else p.type, True, True)
        return p
    if params and params[-1].rest:
        p = params[-1]
        return FnParam(p.name, p.type.elem if type(p.type) is Arr else p.type, True, True)
    return None


def has_tvars(t: Type, depth: int = 0) -> bool:
    if depth > 6:
        return False
    kind = type(t)
    if kind is TVar:
        return True
    if kind is Union:
        return any(has_tvars(m, depth + 1) for m in t.members)
    if kind is Arr:
        return has_tvars(t.elem, depth + 1)
    if kind is Tup:
        return any(has_tvars(e, depth + 1) for e in t.elems)
    if kind is Fn:
        return any(has_tvars(p.type, depth + 1) for p in t.params) or (
            t.ret is not None and has_tvars(t.ret, depth + 1)
        )
    if kind is Obj:
        return any(has_tvars(p.type, depth + 1) for p in t.props.values())
    return False
