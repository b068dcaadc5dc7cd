"""Which expressions are proven string literals: literals, and `const` aliases of them.

A name is followed only when it is declared exactly once in its module (so
no scope rule can make a reference mean anything else): `const KEY = "API_KEY"`,
or an import of such a const from a local module. Concatenations and
templates with substitutions are *not* literals (they are computed at run
time); `prefix` gives their leading literal text, which is enough to pin a
URL's host.
"""

from __future__ import annotations

from dataclasses import dataclass

from zigttp.compiler import ast as A
from zigttp.compiler.ast import FUNCTION_NODES, binding_names, unparen, walk

_MAX_DEPTH = 16


@dataclass(frozen=True, slots=True)
class Declaration:
    kind: str  # const let param function import for
    node: A.Node  # VariableDeclarator, Parameter, FunctionDeclaration, ImportSpecifier, ForOf
    source: str | None = None  # imports: the specifier
    imported: str | None = None


def declarations(module: A.Module) -> dict[str, list[Declaration]]:
    """Every name the module declares, anywhere in it, with how."""
    index: dict[str, list[Declaration]] = {}

    def add(name: str, decl: Declaration) -> None:
        index.setdefault(name, []).append(decl)

    for imp in module.imports:
        for spec in imp.names:
            add(spec.local.name, Declaration("import", spec, imp.specifier, spec.imported))
    for node in walk(module):
        kind = type(node)
        if kind is A.VariableDeclaration:
            for declarator in node.declarations:  # type: ignore[attr-defined]
                for name in binding_names(declarator.target):
                    add(name, Declaration(node.kind, declarator))  # type: ignore[attr-defined]
        elif kind is A.FunctionDeclaration:
            add(node.name.name, Declaration("function", node))  # type: ignore[attr-defined]
        elif kind in FUNCTION_NODES:
            for parameter in node.parameters:  # type: ignore[attr-defined]
                for name in binding_names(parameter.target):
                    add(name, Declaration("param", parameter))
            if kind is A.FunctionExpression and node.name:  # type: ignore[attr-defined]
                add(node.name, Declaration("function", node))  # type: ignore[attr-defined]
        elif kind is A.ForOf and node.kind is not None:  # type: ignore[attr-defined]
            for name in binding_names(node.target):  # type: ignore[attr-defined]
                add(name, Declaration("for", node))
    return index


class Literals:
    def __init__(self, program: A.Program) -> None:
        self.modules = {m.path: m for m in program.modules}
        self.index = {m.path: declarations(m) for m in program.modules}

    def declared(self, module: A.Module, name: str) -> list[Declaration]:
        return self.index.get(module.path, {}).get(name, [])

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
        decl = found[0]
        if decl.kind == "const":
            declarator = decl.node
            if type(declarator.target) is A.Identifier and declarator.init is not None:  # type: ignore[attr-defined]
                return self.string(declarator.init, module, depth)  # type: ignore[attr-defined]
            return None
        if decl.kind == "import" and decl.source is not None and decl.imported is not None:
            target = self.modules.get(module.resolved.get(decl.source, ""))
            if target is not None and depth < _MAX_DEPTH:
                return self._const(target, decl.imported, depth + 1)
        return None

    def prefix(self, node: A.Node | None, module: A.Module) -> str | None:
        """The literal text every value of a string expression starts with (None: nothing known)."""
        node = unparen(node)
        whole = self.string(node, module)
        if whole is not None:
            return whole
        kind = type(node)
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
                        inner = self.prefix(operand, module) if type(unparen(operand)) is A.TemplateLiteral else None
                        return inner
                    break
                text += part
            return text if text else None
        return None

