"""The typed, flow-sensitive walk every type-directed checker rides on.

There are no loops with back-edges and no exceptions in the dialect, so a
single forward walk over each function's tree is a complete data-flow
analysis: `if`, `&&`, `||`, `?:`, `??`, `assert` and `match` arms refine the
types of references (identifiers and literal member paths such as `r.ok` or
`input.name`), early returns carry the refinement forward, and joins take the
union. `for-of` bodies start from the types before the loop with every binding
the body reassigns widened back to its declared type.

The walk computes a type for every expression (kept in `expr_types`) and
reports through the checkers it is given (type checker, sound mode, optional
and Result checking, match exhaustiveness); each checker decides what is
wrong. Every expression is typed exactly once, so no diagnostic repeats.

This module holds the driver, bindings, functions and statements. `Analyzer`
builds its collaborators and hands each what it uses: `ConditionTyper`
(`conditions.py`), `CallTyper` (`calls.py`) and `ExpressionTyper`
(`expressions.py`); the expression dispatch maps every node class to the
collaborator's method that types it. It also builds the annotation resolver
with its answer to `typeof name` (the type of a module-scope binding, which
only the walk knows). The tables it fills are `typings.Typings`; the
environment operations live in `flowenv.py`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from zigttp.compiler import ast as A
from zigttp.compiler.ast import binding_identifiers, unparen
from zigttp.verifier.assign import assignable
from zigttp.verifier.builtins import global_types
from zigttp.verifier.calls import Callee, CallTyper, has_tvars
from zigttp.verifier.conditions import ConditionTyper
from zigttp.verifier.expressions import ExpressionTyper, comptime_type
from zigttp.verifier.flowenv import (
    REQUEST,
    RESPONSE,
    Env,
    _stable,
    join,
)
from zigttp.verifier.members import call_signature, element_type, index_type, member_type
from zigttp.verifier.registry import ModuleExport, ModuleRegistry
from zigttp.verifier.resolve import TypeResolver
from zigttp.verifier.scope import Binding
from zigttp.verifier.typemodel import (
    NUMBER,
    STRING,
    UNDEFINED,
    UNKNOWN,
    Arr,
    Distinct,
    Fn,
    FnParam,
    Tup,
    TVar,
    Type,
    Union,
    is_dynamic,
    is_optional,
    strip_undefined,
    union,
    widen,
)
from zigttp.verifier.typings import Checkers, Typings
from zigttp.verifier.weak import weak_method

if TYPE_CHECKING:
    from zigttp.verifier.context import Context


@dataclass
class Frame:
    function: A.Node | None
    declared: Type | None  # declared return type
    returns: list[Type] = field(default_factory=list)
    loops: list[list[Env]] = field(default_factory=list)  # per enclosing loop: break/continue envs
    type_env: dict[str, Type] = field(default_factory=dict)  # generic parameters in scope
    is_handler: bool = False


class Analyzer:
    """The walk: modules, bindings, functions and statements; `expr` dispatches every expression once."""

    def __init__(self, ctx: Context, checkers: Checkers) -> None:
        self.ctx = ctx
        self.scopes = ctx.scopes
        self.typings = typings = Typings()
        self.expr_types = typings.expr_types
        self.binding_types = typings.binding_types
        self.callees = typings.callees
        self.checked_literals = typings.checked_literals
        self.maybe_absent = typings.maybe_absent
        self.module_optional_calls = typings.module_optional_calls
        self.module_optional_bindings = typings.module_optional_bindings
        self.types = checkers.types
        self.optionals = checkers.optionals
        self.fn_types: dict[int, Fn] = {}
        self.analyzed: set[int] = set()
        self.inferred: set[int] = set()  # function nodes whose return type is inferred
        self.context_params: dict[int, list[Type]] = {}
        self.handler_mains: set[int] = set()
        self.frame = Frame(None, None)
        self.module: A.Module | None = None
        self.resolver = TypeResolver(ctx.scopes, weak_method(self.module_binding_type))
        self.registry = ModuleRegistry(self.resolver)
        handler = ctx.handler
        if handler is not None:
            for fn in handler.pre_guards:
                self.context_params[id(fn)] = [REQUEST]
            for fn in handler.main:
                self.context_params[id(fn)] = [REQUEST]
                self.handler_mains.add(id(fn))
            for fn in handler.post_guards:
                self.context_params[id(fn)] = [RESPONSE]
        conditions = ConditionTyper(self.scopes, self.expr, self.binding_type, typings, checkers.sound)
        calls = CallTyper(self.scopes, self.expr, self.check_flow, self.virtual_export, typings, checkers)
        expressions = ExpressionTyper(self.scopes, self.expr, self.binding_type, self.check_flow,
                                      {**global_types(), **self.registry.ambient}, typings, checkers, conditions,
                                      calls)
        self.cond = conditions.cond
        self.absent_read = conditions.absent_read
        self.assign_to = expressions.assign_to
        self.expr_dispatch = _expression_rules(self, expressions, calls)
        self.stmt_dispatch = self._statement_rules()

    def _statement_rules(self) -> dict[type, Callable[[A.Node, Env], Env | None]]:
        """AST statement class → the method that walks it."""
        return {
            A.VariableDeclaration: self.s_variables,
            A.ExpressionStatement: lambda n, env: self._expr_statement(n, env),
            A.Return: self.s_return,
            A.If: self.s_if,
            A.Block: self.s_block,
            A.ForOf: self.s_for,
            A.Break: self.s_break,
            A.Continue: self.s_break,
            A.Assert: self.s_assert,
            A.Export: lambda n, env: self.stmt(n.declaration, env),
        }

    # ================================================================ driver

    def run(self) -> None:
        try:
            self._walk_program()
        finally:
            self._end_walk()

    def _end_walk(self) -> None:
        """Drop the walk's collaborators once it is over; what it recorded (types, callees, ...) stays.

        They hold this analyzer's operations and it holds theirs: kept, they would make every analysis a
        reference cycle that only the cycle collector frees (tests/test_analysis_memory.py)."""
        self.expr_dispatch, self.stmt_dispatch = {}, {}
        del self.cond, self.absent_read, self.assign_to
        for fn in self.fn_types.values():
            fn.infer = None  # every body was walked; an inference left would call back into the walk

    def _walk_program(self) -> None:
        for module in self.ctx.program.modules:
            self.module = module
            self.frame = Frame(None, None)
            env: Env | None = {}
            for statement in module.body:
                if env is None:
                    env = {}
                env = self.stmt(statement, env)
            for fn in list(self.scopes.module_functions.get(module.path, [])):
                self.analyze_declaration(fn)
        for info in list(self.scopes.functions.values()):
            if type(info.node) is A.FunctionDeclaration and id(info.node) not in self.analyzed:
                self.module = info.module
                self.analyze_declaration(info.node)

    def module_binding_type(self, name: str, module: A.Module) -> Type:
        """`typeof name` in an annotation: the type of the module-scope binding `name` of `module`."""
        for binding in self.scopes.exports.get(module.path, {}).values():
            if binding.name == name:
                return self.binding_type(binding)
        for binding in self.binding_types:
            if binding.name == name and binding.module is module and binding.module_scope:
                return self.binding_types[binding]
        return UNKNOWN

    # ============================================================= bindings

    def binding_type(self, binding: Binding) -> Type:
        found = self.binding_types.get(binding)
        if found is not None:
            return found
        target = binding.resolved()
        if target is not binding:
            return self.binding_type(target)
        kind = binding.kind
        if kind == "virtual":
            export = self.virtual_export(binding)
            return export.type if export is not None else UNKNOWN
        if kind == "function":
            return self.fn_type(binding.decl)  # type: ignore[arg-type]
        if kind == "distinct":
            decl = binding.decl
            base = self.resolver.resolve(decl.type, binding.module)  # type: ignore[union-attr]
            return Fn((FnParam("value", base),), Distinct(binding.name, base), name=binding.name)
        decl = binding.decl
        if type(decl) is A.VariableDeclarator and decl.type is not None and type(decl.target) is A.Identifier:
            return self.resolver.resolve(decl.type, binding.module, self.frame.type_env)
        return UNKNOWN

    def virtual_export(self, binding: Binding) -> ModuleExport | None:
        if binding.source is None:
            return None
        module, name = binding.source
        return self.registry.lookup(module, name)

    def fn_type(self, node: A.Node) -> Fn:
        found = self.fn_types.get(id(node))
        if found is not None:
            return found
        module = self.scopes.functions[id(node)].module if id(node) in self.scopes.functions else self.module
        fn = self.resolver.function_type(node, module, None, self.context_params.get(id(node)))  # type: ignore[arg-type]
        self.fn_types[id(node)] = fn
        if fn.ret is None:
            self.inferred.add(id(node))
            fn.infer = lambda: self._infer_return(node)
        return fn

    def _infer_return(self, node: A.Node) -> Type:
        self.analyze_declaration(node)
        fn = self.fn_types[id(node)]
        return fn.ret if fn.ret is not None else UNKNOWN

    # ============================================================ functions

    def analyze_declaration(self, node: A.Node) -> None:
        """Analyze a function declaration with no inherited refinements."""
        if id(node) in self.analyzed:
            return
        fn = self.fn_type(node)
        saved_module = self.module
        info = self.scopes.functions.get(id(node))
        if info is not None:
            self.module = info.module
        self.analyze_body(node, fn, {})
        self.module = saved_module

    def analyze_body(self, node: A.Node, fn: Fn, env: Env) -> Type:
        """Walk a function body once; returns the (declared or inferred) return type."""
        self.analyzed.add(id(node))
        inferring = id(node) in self.inferred
        declared = None if inferring else fn.ret
        if fn.ret is None:
            fn.ret = UNKNOWN  # recursion guard while the body is walked
        type_env = dict(self.frame.type_env)
        for name in fn.tparams:
            type_env[name] = TVar(name)
        is_handler = id(node) in self.handler_mains
        # An unannotated handler is still checked against Response (its return type stays inferred).
        frame = Frame(node, declared if declared is not None or not is_handler else RESPONSE,
                      type_env=type_env, is_handler=is_handler)
        declared = frame.declared
        saved = self.frame
        self.frame = frame
        env = dict(env)
        for i, parameter in enumerate(node.parameters):  # type: ignore[attr-defined]
            ptype = fn.params[i].type if i < len(fn.params) else UNKNOWN
            if parameter.default is not None:
                default_t = self.expr(parameter.default, env, ptype)
                if parameter.type is None and is_dynamic(ptype):
                    ptype = widen(default_t)
                else:
                    ptype = strip_undefined(ptype) if not is_dynamic(ptype) else ptype
            for ident in binding_identifiers(parameter.target):
                binding = self.scopes.declared.get(id(ident))
                if binding is not None:
                    self.binding_types[binding] = ptype if type(parameter.target) is A.Identifier else UNKNOWN
        body = node.body  # type: ignore[attr-defined]
        if type(body) is A.Block:
            end = self.block(body.body, env)
            if inferring:
                returned = list(frame.returns)
                if end is not None:
                    returned.append(UNDEFINED)
                ret = union(returned) if returned else UNDEFINED
            else:
                ret = declared
        else:
            value = self.expr(body, env, declared)
            if declared is not None:
                self.check_flow(body, value, declared, "return")
            ret = value if inferring else declared
        self.frame = saved
        if inferring:
            fn.ret = ret
        return ret if ret is not None else UNKNOWN

    def e_function(self, node: A.Node, env: Env, expected: Type | None) -> Type:
        found = self.fn_types.get(id(node))
        if found is not None and id(node) in self.analyzed:
            return found
        context = call_signature(strip_undefined(expected)) if expected is not None else None
        params = self.context_params.get(id(node))
        if params is None and context is not None:
            params = [p.type for p in context.params]
        fn = self.resolver.function_type(node, self.module, self.frame.type_env, params)  # type: ignore[arg-type]
        ret_context = context.returns() if context is not None and fn.ret is None else None
        self.fn_types[id(node)] = fn
        inherited = {k: t for k, t in env.items() if _stable(k)}
        if fn.ret is None and ret_context is not None and not is_dynamic(ret_context) and not has_tvars(ret_context):
            fn.ret = ret_context  # contextually typed: returns are checked against the context
        elif fn.ret is None:
            self.inferred.add(id(node))
        self.analyze_body(node, fn, inherited)
        return fn

    def check_flow(self, node: A.Node, got: Type, expected: Type | None, site: str, param: str | None = None,
                   callee: Callee | None = None) -> None:
        """A value flows into a declared place; literals already checked property by property are skipped."""
        if expected is None or assignable(got, expected):  # nothing to report (most flows), asked here first
            return
        if id(unparen(node)) in self.checked_literals:
            return
        self.types.check_flow(node, got, expected, site, param=param, callee=callee)

    # =========================================================== expressions

    def expr(self, node: A.Node, env: Env, expected: Type | None = None) -> Type:
        handler = self.expr_dispatch.get(type(node))
        t = handler(node, env, expected) if handler is not None else UNKNOWN
        self.expr_types[id(node)] = t
        return t

    # ============================================================ statements

    def stmt(self, node: A.Node, env: Env) -> Env | None:
        handler = self.stmt_dispatch.get(type(node))
        if handler is None:
            return env
        return handler(node, env)

    def block(self, statements: list[A.Statement], env: Env) -> Env | None:
        current: Env | None = env
        for statement in statements:
            if current is None:
                # Unreachable code is still checked (with no refinements), then dropped.
                self.stmt(statement, {})
                continue
            current = self.stmt(statement, current)
        return current

    def s_block(self, node: A.Block, env: Env) -> Env | None:
        return self.block(node.body, env)

    def _expr_statement(self, node: A.ExpressionStatement, env: Env) -> Env:
        self.expr(node.expression, env)
        return env

    def s_variables(self, node: A.VariableDeclaration, env: Env) -> Env:
        for declarator in node.declarations:
            declared = (
                self.resolver.resolve(declarator.type, self.module, self.frame.type_env)
                if declarator.type is not None
                else None
            )
            init_t = UNDEFINED
            if declarator.init is not None:
                init_t = self.expr(declarator.init, env, declared)
                if declared is not None:
                    self.check_flow(declarator.init, init_t, declared, "init")
            elif declared is not None:
                init_t = UNDEFINED
            target = declarator.target
            if type(target) is A.Identifier:
                binding = self.scopes.declared.get(id(target))
                if binding is None:
                    continue
                if declared is not None:
                    self.binding_types[binding] = declared
                    if declarator.init is not None and assignable(init_t, declared) and not is_dynamic(init_t):
                        narrowed = init_t if node.kind == "const" else widen(init_t)
                        if assignable(narrowed, declared) and type(declared) is Union:
                            env[binding] = narrowed
                elif declarator.init is None:
                    # `let x;` is assigned later: its type is whatever it is assigned (unknown here),
                    # and it holds undefined until then.
                    self.binding_types[binding] = UNKNOWN
                    env[binding] = UNDEFINED
                else:
                    self.binding_types[binding] = init_t if node.kind == "const" else widen(init_t)
                if declarator.init is not None and self.absent_read(declarator.init):
                    self.maybe_absent.add(binding)
                if declarator.init is not None and id(unparen(declarator.init)) in self.module_optional_calls:
                    self.module_optional_bindings.add(binding)
            else:
                self.destructure(target, init_t, env, node.kind)
        return env

    def destructure(self, target: A.Node, source: Type, env: Env, kind: str) -> None:
        if type(target) is A.Identifier:
            binding = self.scopes.declared.get(id(target))
            if binding is not None:
                self.binding_types[binding] = source if kind == "const" else widen(source)
            return
        if type(target) is A.ObjectBinding:
            for prop in target.properties:
                t = member_type(strip_undefined(source), prop.key) if not is_dynamic(source) else UNKNOWN
                if t is None:
                    self.types.missing_member(prop, source, prop.key)
                    t = UNKNOWN
                if prop.default is not None:
                    default_t = self.expr(prop.default, env)
                    t = union((strip_undefined(t), default_t))
                self.destructure(prop.target, t, env, kind)
        elif type(target) is A.ArrayBinding:
            for i, element in enumerate(target.elements):
                if element is None:
                    continue
                if type(source) is Tup:
                    t = source.elems[i] if i < len(source.elems) else UNDEFINED
                elif type(source) is Arr:
                    t = source.elem  # TypeScript's reading; the bindings are marked possibly absent
                    for ident in binding_identifiers(element.target):
                        binding = self.scopes.declared.get(id(ident))
                        if binding is not None:
                            self.maybe_absent.add(binding)
                else:
                    t = index_type(source, NUMBER) if not is_dynamic(source) else UNKNOWN
                if element.default is not None:
                    t = union((strip_undefined(t), self.expr(element.default, env)))
                self.destructure(element.target, t, env, kind)

    def s_return(self, node: A.Return, env: Env) -> None:
        expected = self.frame.declared
        if node.argument is None:
            t = UNDEFINED
            if expected is not None:
                self.check_flow(node, t, expected, "return")
        else:
            t = self.expr(node.argument, env, expected)
            if expected is not None:
                self.check_flow(node.argument, t, expected, "return")
        self.frame.returns.append(t)
        return None

    def s_if(self, node: A.If, env: Env) -> Env | None:
        yes, no = self.cond(node.test, env, "if")
        after_yes = self.stmt(node.consequent, yes) if yes is not None else self._dead(node.consequent)
        if node.alternate is not None:
            after_no = self.stmt(node.alternate, no) if no is not None else self._dead(node.alternate)
        else:
            after_no = no
        return join(after_yes, after_no)

    def _dead(self, node: A.Node) -> None:
        self.stmt(node, {})
        return None

    def s_for(self, node: A.ForOf, env: Env) -> Env | None:
        iterable_t = self.expr(node.iterable, env)
        if is_optional(iterable_t):
            self.optionals.use(node.iterable, iterable_t, "iterated")
            iterable_t = strip_undefined(iterable_t)
        elem = element_type(iterable_t)
        entry = self.widen_assigned(env, node.body)
        body_env = dict(entry)
        if node.kind is None:
            self.assign_to(node.target, elem, body_env, node)
        else:
            self.destructure(node.target, elem, body_env, node.kind)
        self.frame.loops.append([])
        end = self.stmt(node.body, body_env)
        exits = self.frame.loops.pop()
        result: Env | None = entry
        for other in [end, *exits]:
            result = join(result, other)
        return result

    def widen_assigned(self, env: Env, body: A.Node) -> Env:
        """Drop refinements of references the loop body reassigns (they differ on later iterations)."""
        out: Env = {}
        file = body.file
        for key, t in env.items():
            binding = key if type(key) is Binding else key[0]  # type: ignore[index]
            if any(w.file is file and body.start <= w.start < body.end for w in binding.writes):
                continue
            out[key] = t
        return out

    def s_break(self, node: A.Node, env: Env) -> None:
        if self.frame.loops:
            self.frame.loops[-1].append(env)
        return None

    def s_assert(self, node: A.Assert, env: Env) -> Env | None:
        yes, no = self.cond(node.test, env, "assert")
        if node.value is not None:
            expected = self.frame.declared
            value_t = self.expr(node.value, no if no is not None else {}, expected)
            if expected is not None:
                self.check_flow(node.value, value_t, expected, "return")
            self.frame.returns.append(value_t)
        return yes


def _expression_rules(walk: Analyzer, e: ExpressionTyper, calls: CallTyper) -> dict[type, Callable[..., Type]]:
    """AST expression class → the collaborator's method that types it."""
    return {
        A.Identifier: e.e_identifier,
        A.NumberLiteral: e.e_number,
        A.StringLiteral: e.e_string,
        A.BooleanLiteral: e.e_boolean,
        A.NullLiteral: lambda n, env, exp: UNDEFINED,
        A.TemplateLiteral: e.e_template,
        A.TaggedTemplate: e.e_tagged,
        A.ArrayLiteral: e.e_array,
        A.ObjectLiteral: e.e_object,
        A.ArrowFunction: walk.e_function,
        A.FunctionExpression: walk.e_function,
        A.Unary: e.e_unary,
        A.Binary: e.e_binary,
        A.Assign: e.e_assign,
        A.Conditional: e.e_conditional,
        A.Call: calls.e_call,
        A.Member: e.e_member,
        A.Index: e.e_index,
        A.Sequence: e.e_sequence,
        A.Paren: lambda n, env, exp: walk.expr(n.expression, env, exp),
        A.Pipe: calls.e_pipe,
        A.PipeCall: calls.e_pipe_call,
        A.GuardChain: calls.e_guard_chain,
        A.GuardCall: lambda n, env, exp: walk.expr(n.function, env, exp),
        A.Comptime: lambda n, env, exp: comptime_type(n.value),
        A.Match: e.e_match,
        A.JSXElement: e.e_jsx,
        A.JSXText: lambda n, env, exp: STRING,
        A.JSXExpressionContainer: lambda n, env, exp: walk.expr(n.expression, env) if n.expression else UNDEFINED,
        A.Spread: lambda n, env, exp: walk.expr(n.argument, env),
        A.Invalid: lambda n, env, exp: UNKNOWN,
    }
