"""Strict / canonical profile (ZTS600–620), only with `--strict`.

One canonical way to write each thing, so handlers read alike and the
contract extractor sees literal capability targets. ZTS603 (non-exhaustive
match) is not emitted separately: every non-exhaustive match is already the
error ZTS307. ZTS606/607/610/611 (Proof/Effects capsules) belong to the
contracts checker.
"""

from __future__ import annotations

from zigttp.compiler import ast as A
from zigttp.compiler.ast import FUNCTION_NODES, children, unparen
from zigttp.verifier import codes as C
from zigttp.verifier.analyzer import Analyzer
from zigttp.verifier.context import Context
from zigttp.verifier.scope import Binding
from zigttp.verifier.typemodel import Arr, Prim, Tup, base_kind, is_dynamic, unwrap_distinct

_LITERALS = (A.StringLiteral, A.NumberLiteral, A.BooleanLiteral)


class StrictChecker:
    def __init__(self, ctx: Context, analyzer: Analyzer) -> None:
        self.ctx = ctx
        self.analyzer = analyzer
        self.scopes = ctx.scopes
        # Arrows bound directly to a module-scope const: helpers, not callbacks.
        self.helpers = {
            id(b.decl.init)
            for b in ctx.scopes.bindings
            if b.module_scope and type(b.decl) is A.VariableDeclarator and type(b.decl.init) is A.ArrowFunction
        }

    def report(self, rule: C.Rule, node: A.Node, **values: object) -> None:
        self.ctx.report(C.diagnostic(rule, node, **values))

    def run(self) -> None:
        for module in self.ctx.program.modules:
            for statement in module.body:
                self.top_level(statement)
            stack: list[A.Node] = list(module.body)
            while stack:
                node = stack.pop()
                self.visit(node)
                stack.extend(children(node))
        self.bindings()

    # ------------------------------------------------------------ module

    def top_level(self, statement: A.Node) -> None:
        if type(statement) is A.Export and type(statement.declaration) is A.VariableDeclaration:
            declaration = statement.declaration
            if declaration.kind == "const":
                for declarator in declaration.declarations:
                    if type(declarator.init) in (A.ArrowFunction, A.FunctionExpression) and type(
                        declarator.target
                    ) is A.Identifier:
                        self.report(C.EXPORT_FUNCTION_CONST, declarator.target, name=declarator.target.name)

    def bindings(self) -> None:
        for binding in self.scopes.bindings:
            if binding.kind == "let" and not binding.writes:
                what = "for-of binding uses let and" if type(binding.decl) is A.ForOf else "let binding"
                self.report(C.AVOIDABLE_LET, binding.node, what=what)
            self.arrow_helper(binding)

    def arrow_helper(self, binding: Binding) -> None:
        decl = binding.decl
        if binding.kind != "const" or type(decl) is not A.VariableDeclarator or binding.reads < 2:
            return
        if type(decl.init) is A.ArrowFunction and type(decl.target) is A.Identifier:
            self.report(C.ARROW_HELPER, decl.target, name=binding.name)

    # -------------------------------------------------------------- nodes

    def visit(self, node: A.Node) -> None:
        kind = type(node)
        if kind is A.Call:
            self.call(node)
        elif kind is A.Conditional:
            self.report(C.TERNARY, node)
        elif kind is A.Assign and node.operator != "=":
            self.report(C.COMPOUND_ASSIGNMENT, node, op=node.operator[:-1])
        elif kind is A.ObjectLiteral:
            self.object_literal(node)
        elif kind is A.TemplateLiteral:
            for part in node.expressions:
                if not _simple_interpolation(part):
                    self.report(C.TEMPLATE_COMPLEX, part)
        elif kind is A.Index:
            self.index(node)
        elif kind is A.Binary and node.operator in ("===", "!=="):
            for side in (node.left, node.right):
                if type(side) is A.BooleanLiteral:
                    self.report(C.REDUNDANT_BOOL_COMPARE, node)
                    break
        elif kind is A.VariableDeclaration:
            self.declaration(node)
        elif kind is A.ForOf:
            self.for_of(node)
        elif kind in FUNCTION_NODES:
            self.function(node)

    def call(self, node: A.Call) -> None:
        for argument in node.arguments:
            if type(argument) is A.Spread:
                self.report(C.CALL_SPREAD, argument)
        callee = self.analyzer.callees.get(id(node))
        if callee is None or callee.kind != "export" or callee.export is None:
            return
        export = callee.export
        index = export.capability_arg
        if export.capability is None or index is None or index >= len(node.arguments):
            return
        if not self.is_literal(node.arguments[index]):
            what = {"env": "environment variable name", "cache": "cache namespace", "sql": "statement name",
                    "egress": "URL"}.get(export.capability, "capability target")
            self.report(C.DYNAMIC_CAPABILITY, node.arguments[index], what=what)

    def is_literal(self, node: A.Node) -> bool:
        node = unparen(node)
        if type(node) in _LITERALS or type(node) is A.Comptime:
            return True
        if type(node) is A.TemplateLiteral and not node.expressions:
            return True
        if type(node) is A.Identifier:
            binding = self.scopes.binding_of(node)
            if binding is None:
                return False
            target = binding.resolved()
            decl = target.decl
            return (
                target.kind == "const"
                and type(decl) is A.VariableDeclarator
                and decl.init is not None
                and self.is_literal(decl.init)
            )
        return False

    def object_literal(self, node: A.ObjectLiteral) -> None:
        seen_key = False
        for prop in node.properties:
            if type(prop) is A.Spread:
                if seen_key:
                    self.report(C.NON_LEADING_SPREAD, prop)
            else:
                seen_key = True
                if type(prop) is A.Property and prop.computed and not self.is_literal(prop.key):
                    self.report(C.COMPUTED_ACCESS, prop.key, what="object keys")

    def index(self, node: A.Index) -> None:
        receiver = self.analyzer.expr_types.get(id(node.object))
        if receiver is not None:
            receiver = unwrap_distinct(receiver)
            if type(receiver) in (Arr, Tup) or (type(receiver) is Prim and receiver.name == "string"):
                return
        index_t = self.analyzer.expr_types.get(id(node.index))
        if self.is_literal(node.index) or (index_t is not None and not is_dynamic(index_t)
                                           and base_kind(index_t) == "number" and receiver is None):
            return
        self.report(C.COMPUTED_ACCESS, node, what="property access")

    def declaration(self, node: A.VariableDeclaration) -> None:
        for declarator in node.declarations:
            if _depth(declarator.target) > 1:
                self.report(C.DESTRUCTURE_DEPTH, declarator.target)
            init = declarator.init
            if declarator.type is None and type(init) is A.Call:
                t = self.analyzer.expr_types.get(id(init))
                if t is not None and is_dynamic(t):
                    self.report(C.IMPLICIT_UNKNOWN, init)

    def for_of(self, node: A.ForOf) -> None:
        target = node.target
        if _depth(target) > 1:
            self.report(C.DESTRUCTURE_DEPTH, target)
        if type(target) is A.ArrayBinding and target.elements and target.elements[0] is not None:
            first = target.elements[0].target
            if type(first) is A.Identifier:
                binding = self.scopes.declared.get(id(first))
                if binding is not None and binding.reads == 0:
                    self.report(C.UNUSED_INDEX_ALIAS, first)

    def function(self, node: A.Node) -> None:
        for parameter in node.parameters:  # type: ignore[attr-defined]
            if parameter.default is not None:
                self.report(C.DEFAULT_PARAMETER, parameter)
        # Declared functions and module-level arrow helpers are public surface; callbacks are
        # typed by the call they are passed to.
        if type(node) is not A.FunctionDeclaration and id(node) not in self.helpers:
            return
        missing = node.return_type is None or any(p.type is None for p in node.parameters)  # type: ignore[attr-defined]
        if missing:
            anchor = node.name if type(node) is A.FunctionDeclaration else node  # type: ignore[attr-defined]
            self.report(C.MISSING_ANNOTATION, anchor)


def _simple_interpolation(node: A.Node) -> bool:
    kind = type(node)
    if kind is A.Identifier or kind in _LITERALS:
        return True
    if kind is A.Member and not node.optional:
        return _simple_interpolation(node.object) and type(node.object) in (A.Identifier, A.Member)
    return False


def _depth(target: A.Node) -> int:
    kind = type(target)
    if kind is A.ObjectBinding:
        return 1 + max((_depth(p.target) for p in target.properties), default=0)
    if kind is A.ArrayBinding:
        return 1 + max((_depth(e.target) for e in target.elements if e is not None), default=0)
    return 0


def check_strict(ctx: Context, analyzer: Analyzer) -> None:
    StrictChecker(ctx, analyzer).run()
