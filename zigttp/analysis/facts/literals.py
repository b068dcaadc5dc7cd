"""Which expressions are proven string literals: literals, and `const` aliases of them.

Names come from the binder (zigttp.verifier.scope), the one name resolver the
verifier's checks also use. A name is followed only when its module declares
it exactly once (so no scope rule can make a reference mean anything else):
`const KEY = "API_KEY"`, or an import of such a const from a local module.
Concatenations and templates with substitutions are *not* literals (they are
computed at run time); `prefix` gives their leading literal text, which is
enough to pin a URL's host.
"""

from __future__ import annotations

from zigttp.compiler import ast as A
from zigttp.compiler.ast import FUNCTION_NODES, unparen
from zigttp.verifier.scope import Binding, Scopes, resolve_program

_MAX_DEPTH = 16


class Literals:
    def __init__(self, program: A.Program, scopes: Scopes | None = None) -> None:
        self.modules = {m.path: m for m in program.modules}
        if scopes is None:
            try:
                scopes = resolve_program(program)
            except Exception:  # the binder failed (reported by the verifier as ZTS999): nothing is proven
                scopes = Scopes()
        self.scopes = scopes

    def declared(self, module: A.Module, name: str) -> list[Binding]:
        """The binder's bindings of `name` in `module` that can hold a value (a distinct type's constructor cannot)."""
        return [b for b in self.scopes.declared_in(module, name) if b.decl is not None and b.kind != "distinct"]

    def imported(self, binding: Binding) -> tuple[A.Module, str] | None:
        """(exporting module, exported name) for an import from a local module."""
        if binding.kind != "import" or binding.source is None:
            return None
        target = self.modules.get(binding.source[0])
        return (target, binding.source[1]) if target is not None else None

    def function(self, node: A.Node | None, module: A.Module, depth: int = 0) -> A.Node | None:
        """The function node an expression stands for: a function, a guard chain's handler, or a name
        declared once as one (through `const` aliases and local imports)."""
        node = unparen(node)
        if node is None or depth > _MAX_DEPTH:
            return None
        kind = type(node)
        if kind in FUNCTION_NODES:
            return node
        if kind is A.GuardChain:
            return self.function(node.handler, module, depth + 1)  # type: ignore[attr-defined]
        if kind is A.GuardCall:
            return self.function(node.function, module, depth + 1)  # type: ignore[attr-defined]
        if kind is not A.Identifier:
            return None
        decls = self.declared(module, node.name)  # type: ignore[attr-defined]
        if len(decls) != 1:
            return None
        binding = decls[0]
        if binding.kind == "function":
            return binding.decl
        declarator = const_declarator(binding)
        if declarator is not None and type(declarator.target) is A.Identifier:
            return self.function(declarator.init, module, depth + 1)
        imported = self.imported(binding)
        if imported is not None:
            target, name = imported
            return self.function(A.Identifier(target.file, 0, 0, name), target, depth + 1)
        return None

    def string(self, node: A.Node | None, module: A.Module, depth: int = 0) -> str | None:
        """The string `node` always evaluates to, when that is proven."""
        node = unparen(node)
        kind = type(node)
        if kind is A.StringLiteral:
            return node.value  # type: ignore[union-attr]
        if kind is A.TemplateLiteral and not node.expressions:  # type: ignore[union-attr]
            return node.cooked[0] if node.cooked else ""  # type: ignore[union-attr]
        if kind is A.Comptime and isinstance(node.value, str):  # type: ignore[union-attr]
            return node.value  # type: ignore[union-attr]
        if kind is A.Identifier and depth < _MAX_DEPTH:
            return self._const(module, node.name, depth + 1)  # type: ignore[union-attr]
        return None

    def _const(self, module: A.Module, name: str, depth: int) -> str | None:
        found = self.declared(module, name)
        if len(found) != 1:
            return None
        binding = found[0]
        declarator = const_declarator(binding)
        if declarator is not None:
            if type(declarator.target) is A.Identifier and declarator.init is not None:
                return self.string(declarator.init, module, depth)
            return None
        imported = self.imported(binding)
        if imported is not None and depth < _MAX_DEPTH:
            return self._const(imported[0], imported[1], depth + 1)
        return None

    def prefix(self, node: A.Node | None, module: A.Module, depth: int = 0) -> str | None:
        """The literal text every value of a string expression starts with (None: nothing known).

        A `const` declared once in its module stands for its initializer:
        `const url = "https://api.example.com/u/" + id; fetch(url)` has the
        prefix of the concatenation.
        """
        node = unparen(node)
        whole = self.string(node, module)
        if whole is not None:
            return whole
        kind = type(node)
        if kind is A.Identifier and depth < _MAX_DEPTH:
            found = self.declared(module, node.name)  # type: ignore[union-attr]
            declarator = const_declarator(found[0]) if len(found) == 1 else None
            if declarator is None or type(declarator.target) is not A.Identifier:
                return None
            return self.prefix(declarator.init, module, depth + 1)
        if kind is A.TemplateLiteral:
            return node.cooked[0] if node.cooked else None  # type: ignore[union-attr]
        if kind is A.Binary and node.operator == "+":  # type: ignore[union-attr]
            operands: list[A.Node] = []
            current: A.Node = node  # type: ignore[assignment]
            while type(current) is A.Binary and current.operator == "+":  # type: ignore[attr-defined]
                operands.append(current.right)  # type: ignore[attr-defined]
                current = current.left  # type: ignore[attr-defined]
            operands.append(current)
            operands.reverse()
            text = ""
            for i, operand in enumerate(operands):
                part = self.string(operand, module)
                if part is None:
                    if i == 0:
                        # only a string on the left makes `+` a concatenation from the start
                        prefixed = type(unparen(operand)) in (A.TemplateLiteral, A.Identifier)
                        return self.prefix(operand, module, depth + 1) if prefixed else None
                    break
                text += part
            return text if text else None
        return None


def const_declarator(binding: Binding) -> A.VariableDeclarator | None:
    """The declarator of a `const` binding (not a `for (const x of ...)` loop variable)."""
    decl = binding.decl
    if binding.kind == "const" and type(decl) is A.VariableDeclarator:
        return decl
    return None
