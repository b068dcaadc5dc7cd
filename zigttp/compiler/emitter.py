"""Emit one ES2020 module for QuickJS from a parsed program.

Types are erased and the dialect is desugared: `|>`/`pipe()` become calls, a
guard chain becomes one flat arrow with sequential `if` checks, `match` becomes
a conditional chain inside an arrow IIFE, `assert` becomes an `if`, `comptime`
is already folded, JSX becomes `h(tag, props, ...children)`.

Bundling: the entry module is emitted at the top level with its statements on
their original lines (so most runtime positions need no mapping at all). Each
local dependency becomes a hoisted loader function placed after the entry:

    function __zt_load_1() { if (__zt_mod_1 !== undefined) return __zt_mod_1; ...body...
                             __zt_mod_1 = { exported, names }; return __zt_mod_1; }
    var __zt_mod_1;

An `import { a } from "./dep.ts"` becomes `const { a } = __zt_load_1();` at the
import's position, so module bodies run once, in ES module dependency order.
`zigttp:*` imports are merged per specifier; a dependency's virtual imports are
bound under unique `__zt_v_<module>__<export>` aliases so names never collide.

Object literals of plain keys are made at their final size: `{ id: i, name: n }`
becomes `__zt_new(__zt_shape1, i, n)`, where `__zt_shape1 = { id: 0, name: 0 }`
is made once at the start of line 1 and the prelude's `__zt_obj` (the guest's
qjs_unity.c `zigttp_object_like`) makes each object on that keeper's shape
instead of adding and reshaping one property at a time: a four-key literal
costs about 2.2 k fuel instead of 5.6 k (docs/benchmarks.md, session 15).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any

from zigttp.compiler import ast as A
from zigttp.compiler.linemap import LineMap
from zigttp.compiler.modules import is_erased_virtual_module, is_virtual_specifier, virtual_module_name

_PLAIN_KEY = re.compile(r"[A-Za-z_$][\w$]*\Z")
_SIMPLE_CALLEE = (
    A.Identifier,
    A.Member,
    A.Index,
    A.Call,
    A.Paren,
    A.TaggedTemplate,
    A.ArrayLiteral,
    A.StringLiteral,
    A.TemplateLiteral,
    A.JSXElement,
    A.Pipe,
    A.PipeCall,
    A.GuardCall,
    A.GuardChain,
    A.Match,
)
_ERASED_STATEMENTS = (A.Interface, A.Ambient)
# the guest makes an object on a kept layout for at most this many keys (qjs_unity.c ZIGTTP_LAYOUT_MAX)
LAYOUT_MAX_KEYS = 16
_NEW_OBJECT = "__zt_new"
_LAYOUT_PREFIX = "__zt_shape"


def js_string(value: str) -> str:
    return json.dumps(value, ensure_ascii=False).replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")


def property_key(name: str) -> str:
    return name if _PLAIN_KEY.match(name) else js_string(name)


def layout_keys(node: A.ObjectLiteral) -> tuple[str, ...] | None:
    """The keys of a literal whose object can be made on a kept layout, in order; None for any other.

    Only `key: value` and shorthand entries with distinct identifier or string keys qualify: a spread,
    computed key, method or accessor makes a different object, `__proto__` sets the prototype, and
    a key that starts with a digit could be an array index, which objects order apart.
    """
    if not 0 < len(node.properties) <= LAYOUT_MAX_KEYS:
        return None
    keys: list[str] = []
    for prop in node.properties:
        name = A.static_key(prop)
        if name is None or name == "__proto__" or name[:1].isdigit():
            return None
        keys.append(name)
    return tuple(keys) if len(set(keys)) == len(keys) else None


class HandlerBinding:
    """How the entry module defines `handler` (or a default-exported function)."""

    __slots__ = ("default_name", "exported", "name")

    def __init__(self, name: str, exported: bool, default_name: str | None) -> None:
        self.name = name
        self.exported = exported
        self.default_name = default_name


def find_handler(module: A.Module) -> HandlerBinding | None:
    """Locate the handler binding of the entry module (None when absent)."""
    found = False
    exported = False
    default_name: str | None = None
    for statement in module.body:
        declaration = statement
        is_export = False
        if type(statement) is A.Export:
            declaration = statement.declaration
            is_export = True
            if statement.default and type(declaration) is A.FunctionDeclaration:
                default_name = declaration.name.name
                if default_name == "handler":
                    found = True
                continue
        if type(declaration) is A.FunctionDeclaration and declaration.name.name == "handler":
            found = True
            exported = exported or is_export
        elif type(declaration) is A.VariableDeclaration:
            for declarator in declaration.declarations:
                if type(declarator.target) is A.Identifier and declarator.target.name == "handler":
                    found = True
                    exported = exported or is_export
        elif type(declaration) is A.Import and not declaration.type_only:
            for name in declaration.names:
                if name.local.name == "handler" and not name.type_only:
                    found = True
    if found:
        return HandlerBinding("handler", exported, default_name)
    if default_name is not None:
        return HandlerBinding(default_name, False, default_name)
    return None


def _is_erased(statement: A.Node) -> bool:
    if isinstance(statement, _ERASED_STATEMENTS):
        return True
    if type(statement) is A.TypeAlias:
        return not statement.distinct
    if type(statement) is A.FunctionDeclaration:
        return statement.body is None
    return type(statement) is A.Import


class Emitter:
    def __init__(self, program: A.Program) -> None:
        self.program = program
        self.modules = program.modules
        self.sources = [module.file for module in self.modules]
        self.out: list[str] = []
        self.line = 1
        self.col = 0
        self.indent = 0
        self.sync_lines = False
        self.file_index = 0
        self.seg_lines: list[int] = []
        self.seg_cols: list[int] = []
        self.seg_files: list[int] = []
        self.seg_offsets: list[int] = []
        self.match_depth = 0
        self.uses_match_fail = False
        self.loader_index = {module.path: index + 1 for index, module in enumerate(self.modules[:-1])}
        self.virtual_imports: dict[str, dict[str, None]] = {}
        self.dependency_aliases: dict[str, list[tuple[str, str]]] = {}
        self.emitted_specifiers: set[str] = set()
        self.layouts: dict[tuple[str, ...], str] = {}

    # ------------------------------------------------------------ output

    def w(self, text: str) -> None:
        self.out.append(text)
        newlines = text.count("\n")
        if newlines:
            self.line += newlines
            self.col = len(text) - text.rfind("\n") - 1
        else:
            self.col += len(text)

    def mark(self, node: A.Node) -> None:
        self.seg_lines.append(self.line)
        self.seg_cols.append(self.col + 1)
        self.seg_files.append(self.file_index)
        self.seg_offsets.append(node.start)

    def sync(self, node: A.Node) -> None:
        """Move output to the node's source line (entry module only)."""
        if not self.sync_lines:
            return
        line, column = node.file.line_col(node.start)
        if line > self.line:
            self.w("\n" * (line - self.line))
            if column > 1:
                self.w(" " * (column - 1))
        elif self.col > 0 and self.out and not self.out[-1].endswith((" ", "(", "[", "{")):
            self.w(" ")

    def new_statement_line(self, node: A.Node) -> None:
        if self.sync_lines:
            self.sync(node)
        else:
            self.w("\n" + "  " * self.indent)

    # ------------------------------------------------------------ program

    def emit(self) -> tuple[str, LineMap]:
        self.collect_virtual_imports()
        entry = self.program.entry
        self.emit_entry(entry)
        self.sync_lines = False
        for module in self.modules[:-1]:
            self.emit_dependency(module)
        if self.uses_match_fail:
            self.w('\nfunction __zt_match_fail(at) { throw new Error("match: no arm matched at " + at); }')
        self.w("\n")
        self.prepend_layouts()
        line_map = LineMap(self.sources)
        for line, column, file_index, offset in zip(
            self.seg_lines, self.seg_cols, self.seg_files, self.seg_offsets, strict=True
        ):
            line_map.add(line, column, file_index, offset)
        return "".join(self.out), line_map

    def prepend_layouts(self) -> None:
        """Puts the literals' layout keepers before everything on line 1, so each exists before any code
        that makes an object of its layout runs; the segments on line 1 move right by as much."""
        if not self.layouts:
            return
        keepers = ", ".join(
            f"{name} = {{ {', '.join(f'{property_key(key)}: 0' for key in keys)} }}"
            for keys, name in self.layouts.items()
        )
        prologue = f"const {_NEW_OBJECT} = __zt_obj, {keepers}; "
        self.out.insert(0, prologue)
        self.seg_cols = [col + len(prologue) if line == 1 else col
                         for line, col in zip(self.seg_lines, self.seg_cols, strict=True)]

    def value_names(self, module: A.Module, statement: A.Import) -> list[A.ImportSpecifier]:
        if statement.type_only:
            return []
        references = module.value_references
        return [n for n in statement.names if not n.type_only and n.local.name in references]

    def collect_virtual_imports(self) -> None:
        entry = self.program.entry
        for module in self.modules:
            aliases: list[tuple[str, str]] = []
            for statement in module.imports:
                specifier = statement.specifier
                if not is_virtual_specifier(specifier) or is_erased_virtual_module(specifier):
                    continue
                names = self.virtual_imports.setdefault(specifier, {})
                for name in self.value_names(module, statement):
                    if module is entry:
                        local = name.local.name
                        names[name.imported if local == name.imported else f"{name.imported} as {local}"] = None
                    else:
                        alias = f"__zt_v_{virtual_module_name(specifier)}__{name.imported}"
                        names[f"{name.imported} as {alias}"] = None
                        aliases.append((name.local.name, alias))
            self.dependency_aliases[module.path] = aliases

    def emit_virtual_import(self, specifier: str) -> None:
        if specifier in self.emitted_specifiers:
            return
        self.emitted_specifiers.add(specifier)
        names = self.virtual_imports.get(specifier)
        if names:
            self.w(f"import {{ {', '.join(names)} }} from {js_string(specifier)};")

    def emit_local_import(self, module: A.Module, statement: A.Import) -> None:
        target = module.resolved.get(statement.specifier)
        index = self.loader_index.get(target or "")
        if index is None:
            raise AssertionError(f"unresolved local import {statement.specifier!r}")
        names = self.value_names(module, statement)
        if not names:
            # Like TypeScript: an import whose names are all types is erased.
            return
        parts = [
            n.imported if n.imported == n.local.name else f"{property_key(n.imported)}: {n.local.name}" for n in names
        ]
        self.w(f"const {{ {', '.join(parts)} }} = __zt_load_{index}();")

    def emit_entry(self, entry: A.Module) -> None:
        self.sync_lines = True
        self.file_index = len(self.modules) - 1
        handler = find_handler(entry)
        # Virtual modules only dependencies import go first, all on line 1, so
        # the entry's own lines stay where they are.
        entry_specifiers = {statement.specifier for statement in entry.imports}
        for specifier, names in self.virtual_imports.items():
            if names and specifier not in entry_specifiers:
                self.emit_virtual_import(specifier)
                self.w(" ")
        for statement in entry.body:
            if type(statement) is A.Import:
                if is_virtual_specifier(statement.specifier):
                    if is_erased_virtual_module(statement.specifier):
                        continue
                    if statement.specifier in self.emitted_specifiers or not self.virtual_imports.get(
                        statement.specifier
                    ):
                        continue
                    self.sync(statement)
                    self.mark(statement)
                    self.emit_virtual_import(statement.specifier)
                else:
                    self.sync(statement)
                    self.mark(statement)
                    self.emit_local_import(entry, statement)
                continue
            if type(statement) is A.Export:
                declaration = statement.declaration
                if _is_erased(declaration):
                    continue
                self.sync(statement)
                self.mark(statement)
                if not statement.default:
                    self.w("export ")
                self.statement(declaration, sync=False)
                continue
            if _is_erased(statement):
                continue
            self.statement(statement)
        self.sync_lines = False
        for specifier in self.virtual_imports:
            if specifier not in self.emitted_specifiers and self.virtual_imports[specifier]:
                self.w("\n")
                self.emit_virtual_import(specifier)
        if handler is not None:
            names: list[str] = []
            if not handler.exported:
                names.append(handler.name if handler.name == "handler" else f"{handler.name} as handler")
            if handler.default_name is not None:
                names.append(f"{handler.default_name} as default")
            if names:
                self.w(f"\nexport {{ {', '.join(names)} }};")

    def emit_dependency(self, module: A.Module) -> None:
        self.file_index = self.modules.index(module)
        index = self.loader_index[module.path]
        self.w(f"\nfunction __zt_load_{index}() {{")
        self.indent = 1
        self.w(f"\n  if (__zt_mod_{index} !== undefined) return __zt_mod_{index};")
        for local, alias in self.dependency_aliases.get(module.path, []):
            self.w(f"\n  const {local} = {alias};")
        exports: list[str] = []
        for statement in module.body:
            if type(statement) is A.Import:
                if not is_virtual_specifier(statement.specifier):
                    self.w("\n  ")
                    self.mark(statement)
                    self.emit_local_import(module, statement)
                continue
            if type(statement) is A.Export:
                declaration = statement.declaration
                if _is_erased(declaration):
                    continue
                exports.extend(self.declared_names(declaration))
                self.statement(declaration)
                continue
            if _is_erased(statement):
                continue
            self.statement(statement)
        exported = ", ".join(exports)
        self.w(f"\n  __zt_mod_{index} = {{ {exported} }};" if exported else f"\n  __zt_mod_{index} = {{}};")
        self.w(f"\n  return __zt_mod_{index};\n}}\nvar __zt_mod_{index};")
        self.indent = 0

    def declared_names(self, declaration: A.Node) -> list[str]:
        if type(declaration) is A.FunctionDeclaration:
            return [declaration.name.name]
        if type(declaration) is A.TypeAlias:
            return [declaration.name.name]
        if type(declaration) is A.VariableDeclaration:
            return [name for declarator in declaration.declarations for name in A.binding_names(declarator.target)]
        return []

    # --------------------------------------------------------- statements

    def statement(self, node: A.Statement, sync: bool = True) -> None:
        if sync:
            self.new_statement_line(node)
        emitter = _STATEMENT_EMITTERS.get(type(node))
        if emitter is None:
            raise AssertionError(f"cannot emit {type(node).__name__}")
        self.mark(node)
        emitter(self, node)

    def sub_statement(self, node: A.Statement) -> None:
        """The body of if/for: erased declarations still need a statement."""
        if _is_erased(node):
            self.w(";")
            return
        if type(node) is A.Block:
            self.mark(node)
            self.s_block(node)  # type: ignore[arg-type]
            return
        self.indent += 1
        self.statement(node)
        self.indent -= 1

    def s_expression(self, node: A.ExpressionStatement) -> None:
        self.expr(node.expression)
        self.w(";")

    def s_variable(self, node: A.VariableDeclaration) -> None:
        self.declaration_head(node)
        self.w(";")

    def declaration_head(self, node: A.VariableDeclaration) -> None:
        self.w(node.kind + " ")
        for index, declarator in enumerate(node.declarations):
            if index:
                self.w(", ")
            self.binding(declarator.target)
            if declarator.init is not None:
                self.w(" = ")
                self.expr(declarator.init)

    def binding(self, target: A.Node) -> None:
        kind = type(target)
        if kind is A.Identifier:
            self.mark(target)
            self.w(target.name)  # type: ignore[attr-defined]
        elif kind is A.ObjectBinding:
            self.w("{ ")
            for index, prop in enumerate(target.properties):  # type: ignore[attr-defined]
                if index:
                    self.w(", ")
                if prop.shorthand:
                    self.w(prop.key)
                else:
                    self.w(property_key(prop.key) + ": ")
                    self.binding(prop.target)
                if prop.default is not None:
                    self.w(" = ")
                    self.expr(prop.default)
            self.w(" }")
        elif kind is A.ArrayBinding:
            self.w("[")
            for index, element in enumerate(target.elements):  # type: ignore[attr-defined]
                if index:
                    self.w(", ")
                if element is None:
                    continue
                self.binding(element.target)
                if element.default is not None:
                    self.w(" = ")
                    self.expr(element.default)
            if target.elements and target.elements[-1] is None:  # type: ignore[attr-defined]
                self.w(",")
            self.w("]")
        else:
            self.expr(target)  # type: ignore[arg-type]

    def parameters(self, parameters: list[A.Parameter]) -> None:
        self.w("(")
        first = True
        for parameter in parameters:
            target = parameter.target
            if type(target) is A.Identifier and target.name == "this":
                continue
            if not first:
                self.w(", ")
            first = False
            self.binding(target)
            if parameter.default is not None:
                self.w(" = ")
                self.expr(parameter.default)
        self.w(")")

    def s_function(self, node: A.FunctionDeclaration) -> None:
        self.w("function " + node.name.name)
        self.parameters(node.parameters)
        self.w(" ")
        assert node.body is not None
        self.s_block(node.body)

    def s_block(self, node: A.Block) -> None:
        self.w("{")
        self.indent += 1
        for statement in node.body:
            if not _is_erased(statement):
                self.statement(statement)
        self.indent -= 1
        if self.sync_lines:
            self.w(" }")
        else:
            self.w("\n" + "  " * self.indent + "}")

    def s_return(self, node: A.Return) -> None:
        if node.argument is None:
            self.w("return;")
            return
        self.w("return ")
        self.expr(node.argument)
        self.w(";")

    def s_if(self, node: A.If) -> None:
        self.w("if (")
        self.expr(node.test)
        self.w(") ")
        self.sub_statement(node.consequent)
        if node.alternate is not None:
            self.w(" else ")
            if type(node.alternate) is A.If:
                self.mark(node.alternate)
                self.s_if(node.alternate)
            else:
                self.sub_statement(node.alternate)

    def s_for_of(self, node: A.ForOf) -> None:
        self.w("for (")
        if node.kind is not None:
            self.w(node.kind + " ")
            self.binding(node.target)
        else:
            self.expr(node.target)  # type: ignore[arg-type]
        self.w(" of ")
        self.expr(node.iterable)
        self.w(") ")
        self.sub_statement(node.body)

    def s_break(self, node: A.Break) -> None:
        self.w("break;")

    def s_continue(self, node: A.Continue) -> None:
        self.w("continue;")

    def s_empty(self, node: A.Empty) -> None:
        self.w(";")

    def s_debugger(self, node: A.Debugger) -> None:
        self.w("debugger;")

    def s_assert(self, node: A.Assert) -> None:
        self.w("if (!(")
        self.expr(node.test)
        self.w(")) ")
        if node.value is not None:
            self.w("return ")
            self.expr(node.value)
            self.w(";")
            return
        source = " ".join(node.file.text[node.test.start : node.test.end].split())
        if len(source) > 80:
            source = source[:77] + "..."
        line, column = node.file.line_col(node.start)
        message = f"assertion failed: {source} at {node.file.name}:{line}:{column}"
        self.w(f"throw new Error({js_string(message)});")

    def s_type_alias(self, node: A.TypeAlias) -> None:
        # `distinct type X = T`: the constructor `X(value)` is the identity at run time.
        self.w(f"function {node.name.name}(value) {{ return value; }}")

    # -------------------------------------------------------- expressions

    def expr(self, node: A.Expression) -> None:
        emitter = _EXPRESSION_EMITTERS.get(type(node))
        if emitter is None:
            raise AssertionError(f"cannot emit {type(node).__name__}")
        emitter(self, node)

    def callee(self, node: A.Expression) -> None:
        """Emit an expression in call position, parenthesised unless it is simple."""
        if isinstance(node, _SIMPLE_CALLEE):
            self.expr(node)
        else:
            self.w("(")
            self.expr(node)
            self.w(")")

    def e_identifier(self, node: A.Identifier) -> None:
        self.mark(node)
        self.w(node.name)

    def e_number(self, node: A.NumberLiteral) -> None:
        self.mark(node)
        self.w(node.raw.replace("_", "") if "_" in node.raw else node.raw)

    def e_string(self, node: A.StringLiteral) -> None:
        self.mark(node)
        self.w(node.raw)

    def e_boolean(self, node: A.BooleanLiteral) -> None:
        self.mark(node)
        self.w("true" if node.value else "false")

    def e_template(self, node: A.TemplateLiteral) -> None:
        self.mark(node)
        self.w("`" + node.quasis[0])
        for expression, quasi in zip(node.expressions, node.quasis[1:], strict=True):
            self.w("${")
            self.expr(expression)
            self.w("}" + quasi)
        self.w("`")

    def e_tagged_template(self, node: A.TaggedTemplate) -> None:
        self.callee(node.tag)
        self.e_template(node.quasi)

    def e_spread(self, node: A.Spread) -> None:
        self.mark(node)
        self.w("...")
        self.expr(node.argument)

    def e_array(self, node: A.ArrayLiteral) -> None:
        self.mark(node)
        self.w("[")
        for index, element in enumerate(node.elements):
            if index:
                self.w(", ")
            self.sync(element)
            self.expr(element)
        self.w("]")

    def e_object(self, node: A.ObjectLiteral) -> None:
        self.mark(node)
        if not node.properties:
            self.w("{}")
            return
        keys = layout_keys(node)
        if keys is not None:
            self.e_object_on_layout(node, keys)
            return
        self.w("{ ")
        for index, prop in enumerate(node.properties):
            if index:
                self.w(", ")
            self.sync(prop)
            if type(prop) is A.Spread:
                self.e_spread(prop)
                continue
            assert isinstance(prop, A.Property)
            self.mark(prop)
            if prop.shorthand:
                self.expr(prop.value)
                continue
            if prop.kind in ("get", "set"):
                self.w(prop.kind + " ")
            self.property_name(prop)
            if prop.kind == "init":
                self.w(": ")
                self.expr(prop.value)
            else:
                function = prop.value
                assert isinstance(function, A.FunctionExpression)
                self.parameters(function.parameters)
                self.w(" ")
                self.s_block(function.body)
        self.w(" }")

    def e_object_on_layout(self, node: A.ObjectLiteral, keys: tuple[str, ...]) -> None:
        layout = self.layouts.setdefault(keys, f"{_LAYOUT_PREFIX}{len(self.layouts) + 1}")
        self.w(f"{_NEW_OBJECT}({layout}")
        for prop in node.properties:
            assert isinstance(prop, A.Property)
            self.w(", ")
            self.sync(prop)
            self.mark(prop)
            self.expr(prop.value)
        self.w(")")

    def property_name(self, prop: A.Property) -> None:
        key = prop.key
        if prop.computed:
            self.w("[")
            self.expr(key)
            self.w("]")
        elif type(key) is A.Identifier:
            self.w(key.name)
        else:
            self.expr(key)

    def e_arrow(self, node: A.ArrowFunction) -> None:
        self.mark(node)
        self.parameters(node.parameters)
        self.w(" => ")
        body = node.body
        if type(body) is A.Block:
            self.s_block(body)
        elif type(body) in (A.ObjectLiteral, A.Sequence):
            self.w("(")
            self.expr(body)  # type: ignore[arg-type]
            self.w(")")
        else:
            self.expr(body)  # type: ignore[arg-type]

    def e_unary(self, node: A.Unary) -> None:
        self.mark(node)
        operator = node.operator
        if operator in ("typeof", "void"):
            self.w(operator + " ")
        else:
            self.w(operator)
            argument = node.argument
            if operator in ("-", "+") and type(argument) is A.Unary and argument.operator in ("-", "+"):
                self.w(" ")
        self.expr(node.argument)

    def e_binary(self, node: A.Binary) -> None:
        self.expr(node.left)
        self.w(f" {node.operator} ")
        self.expr(node.right)

    def e_assign(self, node: A.Assign) -> None:
        self.binding(node.target) if type(node.target) in (A.ObjectBinding, A.ArrayBinding) else self.expr(
            node.target  # type: ignore[arg-type]
        )
        self.w(f" {node.operator} ")
        self.expr(node.value)

    def e_conditional(self, node: A.Conditional) -> None:
        self.expr(node.test)
        self.w(" ? ")
        self.expr(node.consequent)
        self.w(" : ")
        self.expr(node.alternate)

    def e_call(self, node: A.Call) -> None:
        self.callee(node.callee)
        self.mark(node)
        self.w("?.(" if node.optional else "(")
        self.arguments(node.arguments)
        self.w(")")

    def arguments(self, arguments: list[A.Expression]) -> None:
        for index, argument in enumerate(arguments):
            if index:
                self.w(", ")
            self.sync(argument)
            self.expr(argument)

    def e_member(self, node: A.Member) -> None:
        self.callee(node.object)
        self.w("?." if node.optional else ".")
        self.seg_lines.append(self.line)
        self.seg_cols.append(self.col + 1)
        self.seg_files.append(self.file_index)
        self.seg_offsets.append(node.name_start)
        self.w(node.name)

    def e_index(self, node: A.Index) -> None:
        self.callee(node.object)
        self.mark(node)
        self.w("?.[" if node.optional else "[")
        self.expr(node.index)
        self.w("]")

    def e_sequence(self, node: A.Sequence) -> None:
        for index, expression in enumerate(node.expressions):
            if index:
                self.w(", ")
            self.expr(expression)

    def e_paren(self, node: A.Paren) -> None:
        self.mark(node)
        self.w("(")
        self.expr(node.expression)
        self.w(")")

    # ------------------------------------------------------------ dialect

    def e_pipe(self, node: A.Pipe) -> None:
        # `x |> f` is `f(x)`.
        self.callee(node.right)
        self.mark(node)
        self.w("(")
        self.expr(node.left)
        self.w(")")

    def e_pipe_call(self, node: A.PipeCall) -> None:
        # `pipe(f1, f2, f3)` is `f3(f2(f1()))`.
        functions = node.functions
        for function in reversed(functions):
            self.callee(function)
            self.w("(")
        self.w(")" * len(functions))

    def e_guard_call(self, node: A.GuardCall) -> None:
        self.mark(node)
        self.w("(")
        self.expr(node.function)
        self.w(")")

    def e_guard_chain(self, node: A.GuardChain) -> None:
        """One flat arrow: pre-guards, the handler, post-guards (upstream §3.7)."""
        self.mark(node)
        elements = [*node.pre_guards, node.handler, *node.post_guards]
        simple = all(self.is_plain_reference(e) for e in elements)
        if simple:
            self.w("(")
            self.guard_body(node, None)
            self.w(")")
            return
        # Evaluate non-trivial guard expressions once, not per request.
        names = [f"__zt_f{i}" for i in range(len(elements))]
        self.w(f"(({', '.join(names)}) => ")
        self.guard_body(node, names)
        self.w(")(")
        for index, element in enumerate(elements):
            if index:
                self.w(", ")
            self.expr(element)
        self.w(")")

    def guard_body(self, node: A.GuardChain, names: list[str] | None) -> None:
        position = 0

        def function(element: A.Expression) -> None:
            nonlocal position
            if names is None:
                self.callee(element)
            else:
                self.w(names[position])
            position += 1

        self.w("(__zt_req) => { ")
        for index, guard in enumerate(node.pre_guards):
            self.w(f"const __zt_g{index} = ")
            function(guard)
            self.w(f"(__zt_req); if (__zt_g{index} !== undefined) return __zt_g{index}; ")
        self.w("const __zt_res = ")
        function(node.handler)
        self.w("(__zt_req); ")
        for index, guard in enumerate(node.post_guards):
            self.w(f"const __zt_p{index} = ")
            function(guard)
            self.w(f"(__zt_res); if (__zt_p{index} !== undefined) return __zt_p{index}; ")
        self.w("return __zt_res; }")

    def is_plain_reference(self, node: A.Expression) -> bool:
        while type(node) is A.Member:
            node = node.object  # type: ignore[attr-defined]
        return type(node) is A.Identifier

    def e_comptime(self, node: A.Comptime) -> None:
        self.mark(node)
        self.w(node.literal)

    def e_match(self, node: A.Match) -> None:
        self.mark(node)
        subject = f"__zt_m{self.match_depth}"
        self.match_depth += 1
        self.w(f"(({subject}) => ")
        closed = False
        for arm in node.arms:
            test = self.pattern_test(arm.pattern, subject)
            if test == "true":
                self.w("(")
                self.expr(arm.body)
                self.w(")")
                closed = True
                break
            self.w(f"{test} ? (")
            self.expr(arm.body)
            self.w(") : ")
        if not closed:
            if node.default is not None:
                self.w("(")
                self.expr(node.default)
                self.w(")")
            else:
                self.uses_match_fail = True
                line, column = node.file.line_col(node.start)
                self.w(f"__zt_match_fail({js_string(f'{node.file.name}:{line}:{column}')})")
        self.match_depth -= 1
        self.w(")(")
        self.expr(node.subject)
        self.w(")")

    def pattern_test(self, pattern: A.Pattern, subject: str) -> str:
        kind = type(pattern)
        if kind is A.WildcardPattern:
            return "true"
        if kind is A.LiteralPattern:
            return f"{subject} === {self.literal_text(pattern.value)}"  # type: ignore[attr-defined]
        if kind is A.ObjectPattern:
            tests = [f"{subject} != null"]
            for key, sub in pattern.entries:  # type: ignore[attr-defined]
                access = f"{subject}.{key}" if _PLAIN_KEY.match(key) else f"{subject}[{js_string(key)}]"
                test = self.pattern_test(sub, access)
                if test != "true":
                    tests.append(test)
            return "(" + " && ".join(tests) + ")"
        if kind is A.ArrayPattern:
            elements = pattern.elements  # type: ignore[attr-defined]
            tests = [f"Array.isArray({subject})", f"{subject}.length === {len(elements)}"]
            for index, sub in enumerate(elements):
                test = self.pattern_test(sub, f"{subject}[{index}]")
                if test != "true":
                    tests.append(test)
            return "(" + " && ".join(tests) + ")"
        raise AssertionError(f"unknown pattern {kind.__name__}")

    def literal_text(self, node: A.Expression) -> str:
        kind = type(node)
        if kind is A.StringLiteral:
            return js_string(node.value)  # type: ignore[attr-defined]
        if kind is A.NumberLiteral:
            return node.raw.replace("_", "")  # type: ignore[attr-defined]
        if kind is A.BooleanLiteral:
            return "true" if node.value else "false"  # type: ignore[attr-defined]
        if kind is A.Identifier:
            return "undefined"
        if kind is A.TemplateLiteral:
            return js_string(node.cooked[0])  # type: ignore[attr-defined]
        if kind is A.Unary:
            return "(-" + self.literal_text(node.argument) + ")"  # type: ignore[attr-defined]
        raise AssertionError(f"unknown literal pattern {kind.__name__}")

    # ---------------------------------------------------------------- JSX

    def e_jsx(self, node: A.JSXElement) -> None:
        self.mark(node)
        self.w("h(")
        if node.tag is not None:
            self.w(js_string(node.tag))
        elif node.component is not None:
            self.expr(node.component)
        else:
            self.w("Fragment")
        self.w(", ")
        if not node.attributes:
            self.w("null")
        else:
            self.w("{ ")
            for index, attribute in enumerate(node.attributes):
                if index:
                    self.w(", ")
                self.sync(attribute)
                self.mark(attribute)
                if type(attribute) is A.JSXSpreadAttribute:
                    self.w("...")
                    self.expr(attribute.argument)
                    continue
                assert isinstance(attribute, A.JSXAttribute)
                self.w(property_key(attribute.name) + ": ")
                value = attribute.value
                if value is None:
                    self.w("true")
                elif type(value) is A.StringLiteral:
                    self.w(js_string(value.value))
                else:
                    self.expr(value)
            self.w(" }")
        for child in node.children:
            kind = type(child)
            if kind is A.JSXExpressionContainer:
                if child.expression is None:  # type: ignore[attr-defined]
                    continue
                self.w(", ")
                self.sync(child)
                self.expr(child.expression)  # type: ignore[attr-defined]
            elif kind is A.JSXText:
                self.w(", ")
                self.sync(child)
                self.mark(child)
                self.w(js_string(child.value))  # type: ignore[attr-defined]
            else:
                self.w(", ")
                self.sync(child)
                self.expr(child)
        self.w(")")


def emit_program(program: A.Program) -> tuple[str, LineMap]:
    return Emitter(program).emit()


# How each kind of node is emitted. Plain functions, not bound methods: an emitter holding its own methods
# would be a reference cycle.
_EXPRESSION_EMITTERS: dict[type, Callable[[Emitter, Any], None]] = {
    A.Identifier: Emitter.e_identifier,
    A.NumberLiteral: Emitter.e_number,
    A.StringLiteral: Emitter.e_string,
    A.BooleanLiteral: Emitter.e_boolean,
    A.TemplateLiteral: Emitter.e_template,
    A.TaggedTemplate: Emitter.e_tagged_template,
    A.ArrayLiteral: Emitter.e_array,
    A.ObjectLiteral: Emitter.e_object,
    A.ArrowFunction: Emitter.e_arrow,
    A.Unary: Emitter.e_unary,
    A.Binary: Emitter.e_binary,
    A.Assign: Emitter.e_assign,
    A.Conditional: Emitter.e_conditional,
    A.Call: Emitter.e_call,
    A.Member: Emitter.e_member,
    A.Index: Emitter.e_index,
    A.Sequence: Emitter.e_sequence,
    A.Paren: Emitter.e_paren,
    A.Pipe: Emitter.e_pipe,
    A.PipeCall: Emitter.e_pipe_call,
    A.GuardCall: Emitter.e_guard_call,
    A.GuardChain: Emitter.e_guard_chain,
    A.Comptime: Emitter.e_comptime,
    A.Match: Emitter.e_match,
    A.JSXElement: Emitter.e_jsx,
    A.Spread: Emitter.e_spread,
}

_STATEMENT_EMITTERS: dict[type, Callable[[Emitter, Any], None]] = {
    A.ExpressionStatement: Emitter.s_expression,
    A.VariableDeclaration: Emitter.s_variable,
    A.FunctionDeclaration: Emitter.s_function,
    A.Return: Emitter.s_return,
    A.If: Emitter.s_if,
    A.ForOf: Emitter.s_for_of,
    A.Block: Emitter.s_block,
    A.Break: Emitter.s_break,
    A.Continue: Emitter.s_continue,
    A.Empty: Emitter.s_empty,
    A.Debugger: Emitter.s_debugger,
    A.Assert: Emitter.s_assert,
    A.TypeAlias: Emitter.s_type_alias,
}
