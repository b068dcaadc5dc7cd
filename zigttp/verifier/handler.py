"""Which functions *are* the handler, and which code the handler can reach.

The handler is the entry module's `handler` (or default export): a function,
an arrow, an alias of either, or a guard chain whose pre-guards see the
request, whose one handler returns the Response, and whose post-guards see
the response. Reachability follows every binding a reachable function refers
to (calls, callbacks, closures); a module-scope value reached this way brings
in the functions its initializer refers to (`const staffOnly = requireRole("staff")`).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from zigttp.compiler import ast as A
from zigttp.compiler.ast import FUNCTION_NODES, children
from zigttp.compiler.emitter import find_handler
from zigttp.verifier.scope import Binding, Scopes


@dataclass
class HandlerInfo:
    name: str
    binding: Binding | None
    main: list[A.Node] = field(default_factory=list)  # functions that return the Response
    pre_guards: list[A.Node] = field(default_factory=list)  # receive the Request
    post_guards: list[A.Node] = field(default_factory=list)  # receive the Response
    root: A.Node | None = None  # the handler's declaration or initializer
    chain: A.GuardChain | None = None  # the guard chain the handler is, if it is one

    @property
    def functions(self) -> list[A.Node]:
        return [*self.pre_guards, *self.main, *self.post_guards]


def locate_handler(program: A.Program, scopes: Scopes) -> HandlerInfo | None:
    found = find_handler(program.entry)
    if found is None:
        return None
    name = found.default_name if found.default_name and found.name != "handler" else found.name
    binding = scopes.exports.get(program.entry.path, {}).get(name)
    if binding is None:
        binding = next(
            (b for b in scopes.bindings if b.module is program.entry and b.module_scope and b.name == name), None
        )
    info = HandlerInfo(name, binding)
    if binding is not None:
        info.root = _value_node(binding.resolved())
        info.main = _functions_of(info.root, scopes, info, depth=0)
    return info


def _value_node(binding: Binding) -> A.Node | None:
    decl = binding.decl
    if type(decl) is A.FunctionDeclaration:
        return decl
    if type(decl) is A.VariableDeclarator and type(decl.target) is A.Identifier:
        return decl.init
    return None


def _functions_of(node: A.Node | None, scopes: Scopes, info: HandlerInfo, depth: int) -> list[A.Node]:
    """Function nodes a handler-valued expression stands for."""
    if node is None or depth > 16:
        return []
    kind = type(node)
    if kind in FUNCTION_NODES:
        return [node]
    if kind is A.Paren:
        return _functions_of(node.expression, scopes, info, depth + 1)
    if kind is A.GuardCall:
        return _functions_of(node.function, scopes, info, depth + 1)
    if kind is A.Identifier:
        binding = scopes.binding_of(node)
        if binding is None:
            return []
        return _functions_of(_value_node(binding.resolved()), scopes, info, depth + 1)
    if kind is A.GuardChain:
        if info.chain is None:
            info.chain = node
        for guard in node.pre_guards:
            info.pre_guards.extend(_functions_of(guard, scopes, HandlerInfo("", None), depth + 1))
        for guard in node.post_guards:
            info.post_guards.extend(_functions_of(guard, scopes, HandlerInfo("", None), depth + 1))
        return _functions_of(node.handler, scopes, info, depth + 1)
    return []


def reachable_functions(program: A.Program, scopes: Scopes, handler: HandlerInfo | None) -> set[int]:
    """ids of every function node the handler can run (including itself)."""
    if handler is None:
        return set()
    work: list[A.Node] = list(handler.functions)
    seen_bindings: set[int] = set()
    reached: set[int] = set()
    roots: list[Binding] = []
    if handler.root is not None and type(handler.root) not in FUNCTION_NODES:
        roots.extend(_refs_in_expression(handler.root, scopes))
    while work or roots:
        while roots:
            binding = roots.pop()
            if binding.target is not None:  # an import: its declaration (most roots are declarations)
                binding = binding.resolved()
            if id(binding) in seen_bindings:
                continue
            seen_bindings.add(id(binding))
            decl = binding.decl
            if type(decl) is A.FunctionDeclaration:
                work.append(decl)
            elif type(decl) is A.VariableDeclarator and decl.init is not None and binding.module_scope:
                roots.extend(_refs_in_expression(decl.init, scopes))
                work.extend(_functions_in(decl.init))
        if not work:
            break
        fn = work.pop()
        if id(fn) in reached:
            continue
        reached.add(id(fn))
        info = scopes.functions.get(id(fn))
        if info is None:
            continue
        work.extend(info.children)
        roots.extend(info.refs)
    return reached


def _refs_in_expression(node: A.Node, scopes: Scopes) -> list[Binding]:
    out: list[Binding] = []
    stack = [node]
    while stack:
        current = stack.pop()
        if type(current) is A.Identifier:
            binding = scopes.binding_of(current)
            if binding is not None:
                out.append(binding)
        elif type(current) in FUNCTION_NODES:
            continue
        stack.extend(children(current))
    return out


def _functions_in(node: A.Node) -> list[A.Node]:
    out: list[A.Node] = []
    stack = [node]
    while stack:
        current = stack.pop()
        if type(current) in FUNCTION_NODES:
            out.append(current)
            continue
        stack.extend(children(current))
    return out
