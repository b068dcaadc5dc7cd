"""Name resolution for a whole program: every identifier to its binding.

One pass per module, in dependency order, so a local import can be linked to
the exporting module's binding. Blocks hoist their `let`/`const`/`function`
declarations first (JavaScript scoping), then are walked in order. The result
is shared by every checker: reads and writes per binding, which bindings each
function refers to (the call graph), and the type declarations per module.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from zigttp.compiler import ast as A
from zigttp.compiler.ast import FUNCTION_NODES, binding_identifiers, children
from zigttp.compiler.modules import is_virtual_specifier

# The checkers import the shared traversal from here as well as from the AST module.
__all__ = ["FUNCTION_NODES", "Binding", "FunctionInfo", "Scopes", "TypeDecl", "binding_identifiers", "children",
           "resolve_program"]


@dataclass(eq=False, slots=True)
class Binding:
    name: str
    kind: str  # const let param function import virtual distinct
    node: A.Node  # the declaring identifier
    decl: A.Node | None  # VariableDeclarator, FunctionDeclaration, Parameter, ImportSpecifier, ForOf, TypeAlias
    module: A.Module
    function: A.Node | None  # enclosing function node; None at module scope
    exported: bool = False
    reads: int = 0
    writes: list[A.Node] = field(default_factory=list)  # Assign nodes (or ForOf for assignment targets)
    source: tuple[str, str] | None = None  # imports: (canonical path or "zigttp:x", imported name)
    target: Binding | None = None  # local imports: the exporting module's binding
    in_loop: bool = False  # declared inside a for-of body (per-iteration binding)

    @property
    def module_scope(self) -> bool:
        return self.function is None

    def resolved(self) -> Binding:
        """Follow local imports to the declaring binding."""
        if self.target is None:  # most bindings: no loop set up
            return self
        binding = self
        for _ in range(32):
            if binding.target is None:
                return binding
            binding = binding.target
        return binding


@dataclass(eq=False, slots=True)
class TypeDecl:
    """A type-namespace entry of a module: a declaration or an import of one."""

    name: str
    node: A.Node | None  # TypeAlias | Interface | None for imports
    module: A.Module
    source: tuple[str, str] | None = None


@dataclass(eq=False, slots=True)
class FunctionInfo:
    node: A.Node
    module: A.Module
    parent: A.Node | None  # enclosing function
    name: str | None
    refs: set[Binding] = field(default_factory=set)  # bindings read or written in the body (not nested functions)
    children: list[A.Node] = field(default_factory=list)  # directly nested function nodes


@dataclass
class Scopes:
    refs: dict[int, Binding] = field(default_factory=dict)  # id(Identifier) -> binding (references and declarations)
    declared: dict[int, Binding] = field(default_factory=dict)  # id(declaring Identifier) -> binding
    bindings: list[Binding] = field(default_factory=list)
    exports: dict[str, dict[str, Binding]] = field(default_factory=dict)  # module path -> name -> binding
    types: dict[str, dict[str, TypeDecl]] = field(default_factory=dict)  # module path -> type name -> decl
    functions: dict[int, FunctionInfo] = field(default_factory=dict)  # id(function node) -> info
    module_refs: dict[str, set[Binding]] = field(default_factory=dict)  # module path -> refs at module scope
    module_functions: dict[str, list[A.Node]] = field(default_factory=dict)  # top-level function nodes per module
    # Identifiers no declaration or import binds: globals, or names that do not exist (ZTS312 tells them apart).
    unresolved: list[A.Identifier] = field(default_factory=list)
    # module path -> name -> every binding of that name in the module, in any scope, in declaration order
    by_name: dict[str, dict[str, list[Binding]]] = field(default_factory=dict)

    def binding_of(self, identifier: A.Node) -> Binding | None:
        return self.refs.get(id(identifier))

    def declared_in(self, module: A.Module, name: str) -> list[Binding]:
        """Every binding named `name` anywhere in `module` (a name declared once there means one thing)."""
        return self.by_name.get(module.path, {}).get(name, [])


class _Scope:
    __slots__ = ("names", "parent")

    def __init__(self, parent: _Scope | None) -> None:
        self.parent = parent
        self.names: dict[str, Binding] = {}

    def lookup(self, name: str) -> Binding | None:
        scope: _Scope | None = self
        while scope is not None:
            found = scope.names.get(name)
            if found is not None:
                return found
            scope = scope.parent
        return None


def resolve_program(program: A.Program) -> Scopes:
    scopes = Scopes()
    for module in program.modules:
        _Resolver(scopes, module).run()
    return scopes


class _Resolver:
    def __init__(self, scopes: Scopes, module: A.Module) -> None:
        self.scopes = scopes
        self.module = module
        self.function: A.Node | None = None
        self.loop_depth = 0
        self.refs: set[Binding] = set()
        self.exports: dict[str, Binding] = {}
        self.types: dict[str, TypeDecl] = {}
        scopes.exports[module.path] = self.exports
        scopes.types[module.path] = self.types
        scopes.module_refs[module.path] = self.refs
        scopes.module_functions[module.path] = []
        self.names: dict[str, list[Binding]] = scopes.by_name.setdefault(module.path, {})

    # ----------------------------------------------------------- declare

    def declare(self, scope: _Scope, name: str, kind: str, node: A.Node, decl: A.Node | None) -> Binding:
        binding = Binding(name, kind, node, decl, self.module, self.function, in_loop=self.loop_depth > 0)
        scope.names[name] = binding
        self.scopes.declared[id(node)] = binding
        self.scopes.refs[id(node)] = binding
        self.scopes.bindings.append(binding)
        self.names.setdefault(name, []).append(binding)
        return binding

    def hoist(self, scope: _Scope, statements: list[A.Statement], top: bool) -> None:
        for statement in statements:
            exported = False
            declaration: A.Node = statement
            if type(statement) is A.Export:
                declaration = statement.declaration
                exported = True
            kind = type(declaration)
            if kind is A.VariableDeclaration:
                for declarator in declaration.declarations:
                    for ident in binding_identifiers(declarator.target):
                        b = self.declare(scope, ident.name, declaration.kind, ident, declarator)
                        if exported:
                            b.exported = True
                            self.exports[ident.name] = b
            elif kind is A.FunctionDeclaration:
                if declaration.body is None:
                    continue
                b = self.declare(scope, declaration.name.name, "function", declaration.name, declaration)
                if exported:
                    b.exported = True
                    self.exports[declaration.name.name] = b
                    if statement.default:  # type: ignore[attr-defined]
                        self.exports["default"] = b
            elif kind is A.TypeAlias or kind is A.Interface:
                self.types[declaration.name.name] = TypeDecl(declaration.name.name, declaration, self.module)
                if kind is A.TypeAlias and declaration.distinct:
                    b = self.declare(scope, declaration.name.name, "distinct", declaration.name, declaration)
                    if exported:
                        b.exported = True
                        self.exports[declaration.name.name] = b
            elif kind is A.Import and top:
                self.hoist_import(scope, declaration)

    def hoist_import(self, scope: _Scope, statement: A.Import) -> None:
        virtual = is_virtual_specifier(statement.specifier)
        path = statement.specifier if virtual else self.module.resolved.get(statement.specifier)
        for spec in statement.names:
            source = (path, spec.imported) if path is not None else None
            if source is not None and not virtual:
                self.types[spec.local.name] = TypeDecl(spec.local.name, None, self.module, source)
            if statement.type_only or spec.type_only:
                continue
            b = self.declare(scope, spec.local.name, "virtual" if virtual else "import", spec.local, spec)
            b.source = source
            if source is not None and not virtual:
                b.target = self.scopes.exports.get(source[0], {}).get(source[1])

    # -------------------------------------------------------------- walk

    def run(self) -> None:
        scope = _Scope(None)
        self.hoist(scope, self.module.body, top=True)
        for statement in self.module.body:
            self.statement(statement, scope)

    def statements(self, statements: list[A.Statement], scope: _Scope) -> None:
        inner = _Scope(scope)
        self.hoist(inner, statements, top=False)
        for statement in statements:
            self.statement(statement, inner)

    def statement(self, node: A.Node, scope: _Scope) -> None:
        kind = type(node)
        if kind is A.Export:
            self.statement(node.declaration, scope)
        elif kind is A.ExpressionStatement:
            self.expression(node.expression, scope)
        elif kind is A.VariableDeclaration:
            for declarator in node.declarations:
                if declarator.init is not None:
                    self.expression(declarator.init, scope)
                self.binding_defaults(declarator.target, scope)
        elif kind is A.FunctionDeclaration:
            if node.body is not None:
                self.function_node(node, scope)
        elif kind is A.Return:
            if node.argument is not None:
                self.expression(node.argument, scope)
        elif kind is A.If:
            self.expression(node.test, scope)
            self.nested(node.consequent, scope)
            if node.alternate is not None:
                self.nested(node.alternate, scope)
        elif kind is A.Block:
            self.statements(node.body, scope)
        elif kind is A.ForOf:
            self.expression(node.iterable, scope)
            inner = _Scope(scope)
            self.loop_depth += 1
            if node.kind is None:
                self.assignment_target(node.target, scope, node, compound=False)
            else:
                for ident in binding_identifiers(node.target):
                    self.declare(inner, ident.name, node.kind, ident, node)
                self.binding_defaults(node.target, inner)
            self.nested(node.body, inner)
            self.loop_depth -= 1
        elif kind is A.Assert:
            self.expression(node.test, scope)
            if node.value is not None:
                self.expression(node.value, scope)
        elif kind is A.InvalidStatement:
            for child in node.children:
                if isinstance(child, A.Statement):
                    self.statement(child, scope)
                elif isinstance(child, A.Expression):
                    self.expression(child, scope)

    def nested(self, node: A.Statement, scope: _Scope) -> None:
        if type(node) is A.Block:
            self.statements(node.body, scope)
        else:
            self.statements([node], scope)

    def binding_defaults(self, target: A.Node, scope: _Scope) -> None:
        kind = type(target)
        if kind is A.ObjectBinding:
            for prop in target.properties:
                if prop.default is not None:
                    self.expression(prop.default, scope)
                self.binding_defaults(prop.target, scope)
        elif kind is A.ArrayBinding:
            for element in target.elements:
                if element is not None:
                    if element.default is not None:
                        self.expression(element.default, scope)
                    self.binding_defaults(element.target, scope)

    def function_node(self, node: A.Node, scope: _Scope) -> None:
        name = None
        if type(node) is A.FunctionDeclaration:
            name = node.name.name
        elif type(node) is A.FunctionExpression:
            name = node.name
        info = FunctionInfo(node, self.module, self.function, name)
        self.scopes.functions[id(node)] = info
        if self.function is None:
            self.scopes.module_functions[self.module.path].append(node)
        else:
            self.scopes.functions[id(self.function)].children.append(node)
        saved = (self.function, self.refs, self.loop_depth)
        self.function, self.refs, self.loop_depth = node, info.refs, 0
        inner = _Scope(scope)
        for parameter in node.parameters:  # type: ignore[attr-defined]
            for ident in binding_identifiers(parameter.target):
                self.declare(inner, ident.name, "param", ident, parameter)
        for parameter in node.parameters:  # type: ignore[attr-defined]
            if parameter.default is not None:
                self.expression(parameter.default, inner)
        body = node.body  # type: ignore[attr-defined]
        if type(body) is A.Block:
            self.statements(body.body, inner)
        elif body is not None:
            self.expression(body, inner)
        self.function, self.refs, self.loop_depth = saved

    # --------------------------------------------------------- expressions

    def expression(self, node: A.Node | None, scope: _Scope) -> None:
        if node is None:
            return
        dispatch = _DISPATCH
        handler = dispatch.get(type(node))
        if handler is not None:
            handler(self, node, scope)
            return
        for child in children(node):
            # most children are names: their handler is called here, without a frame of `expression` between
            handler = dispatch.get(type(child))
            if handler is not None:
                handler(self, child, scope)
            else:
                self.expression(child, scope)

    def identifier(self, node: A.Identifier, scope: _Scope) -> None:
        name = node.name
        current: _Scope | None = scope
        while current is not None:  # `scope.lookup(name)`, written out: every name read passes here
            binding = current.names.get(name)
            if binding is not None:
                binding.reads += 1
                self.scopes.refs[id(node)] = binding
                self.refs.add(binding)
                return
            current = current.parent
        self.scopes.unresolved.append(node)

    def unary(self, node: A.Unary, scope: _Scope) -> None:
        argument = node.argument
        if node.operator == "typeof" and type(argument) is A.Identifier and scope.lookup(argument.name) is None:
            return  # `typeof name` is how JavaScript asks whether a global exists: it never throws
        self.expression(argument, scope)

    def member(self, node: A.Member, scope: _Scope) -> None:
        self.expression(node.object, scope)

    def property(self, node: A.Property, scope: _Scope) -> None:
        if node.computed:
            self.expression(node.key, scope)
        self.expression(node.value, scope)

    def match(self, node: A.Match, scope: _Scope) -> None:
        self.expression(node.subject, scope)
        for arm in node.arms:
            self.expression(arm.body, scope)
        self.expression(node.default, scope)

    def jsx(self, node: A.JSXElement, scope: _Scope) -> None:
        if node.component is not None:
            self.expression(node.component, scope)
        for attribute in node.attributes:
            self.expression(attribute, scope)
        for child in node.children:
            self.expression(child, scope)

    def jsx_attribute(self, node: A.JSXAttribute, scope: _Scope) -> None:
        self.expression(node.value, scope)

    def assign(self, node: A.Assign, scope: _Scope) -> None:
        self.expression(node.value, scope)
        self.assignment_target(node.target, scope, node, compound=node.operator != "=")

    def assignment_target(self, target: A.Node, scope: _Scope, assign: A.Node, compound: bool) -> None:
        kind = type(target)
        while kind is A.Paren:
            target = target.expression  # type: ignore[attr-defined]
            kind = type(target)
        if kind is A.Identifier:
            binding = scope.lookup(target.name)
            if binding is not None:
                self.scopes.refs[id(target)] = binding
                binding.writes.append(assign)
                self.refs.add(binding)
                if compound:
                    binding.reads += 1
            else:
                self.scopes.unresolved.append(target)  # type: ignore[arg-type]
        elif kind is A.ArrayLiteral:
            for element in target.elements:
                self.assignment_target(element, scope, assign, compound)
        elif kind is A.ObjectLiteral:
            for prop in target.properties:
                if type(prop) is A.Property:
                    if prop.computed:
                        self.expression(prop.key, scope)
                    self.assignment_target(prop.value, scope, assign, compound)
        elif kind is A.Assign:
            self.expression(target.value, scope)
            self.assignment_target(target.target, scope, assign, compound)
        else:
            self.expression(target, scope)


def _skip(resolver: _Resolver, node: A.Node, scope: _Scope) -> None:
    return None


# How the resolver visits each kind of expression that binds, reads or scopes names; the others are walked
# through. Plain functions, not bound methods: a resolver that held its own methods would be a reference cycle.
_DISPATCH: dict[type, Callable[[_Resolver, Any, _Scope], None]] = {
    A.Identifier: _Resolver.identifier,
    A.Assign: _Resolver.assign,
    A.ArrowFunction: _Resolver.function_node,
    A.FunctionExpression: _Resolver.function_node,
    A.Property: _Resolver.property,
    A.Member: _Resolver.member,
    A.Match: _Resolver.match,
    A.Comptime: _skip,
    A.JSXElement: _Resolver.jsx,
    A.JSXAttribute: _Resolver.jsx_attribute,
    A.JSXText: _skip,
    A.Unary: _Resolver.unary,
}

