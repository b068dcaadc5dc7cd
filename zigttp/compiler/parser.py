"""Recursive-descent / Pratt parser for zigts (.ts, .tsx, .js, .jsx).

One parser for the whole dialect: TypeScript type syntax (kept in the tree),
JSX, `|>`, `pipe()`, guard chains, `match`, `assert`, `comptime` and
`distinct type`. Unsupported constructs are parsed completely and reported with
their exact upstream message (see `rejections.py`), so every diagnostic of a
file is reported in one run. Real syntax errors abort the current statement
(`ParseAbort`) and the statement list resynchronises.
"""

from __future__ import annotations

import html
from collections.abc import Callable
from typing import TypeVar

from zigttp.compiler import ast as A
from zigttp.compiler import comptime
from zigttp.compiler import diagnostics as codes
from zigttp.compiler import rejections as R
from zigttp.compiler.diagnostics import Diagnostic, make_diagnostic
from zigttp.compiler.scanner import (
    BIGINT,
    EOF,
    ERROR_TOKEN,
    IDENT,
    JSX_TEXT,
    KEYWORDS,
    NUMBER,
    PRIVATE_NAME,
    STRING,
    TEMPLATE,
    TEMPLATE_HEAD,
    TEMPLATE_TAIL,
    Scanner,
    cook,
)
from zigttp.compiler.source import SourceFile

T = TypeVar("T")

NESTING_LIMIT = 512
MAX_PARAMETERS = 255
MAX_MATCH_ARMS = 255

# Binary operator precedence; `|>` binds loosest, `**` tightest (right-assoc).
_PRECEDENCE: dict[str, int] = {
    "|>": 1,
    "??": 2,
    "||": 3,
    "&&": 4,
    "|": 5,
    "^": 6,
    "&": 7,
    "==": 8,
    "!=": 8,
    "===": 8,
    "!==": 8,
    "<": 9,
    ">": 9,
    "<=": 9,
    ">=": 9,
    "instanceof": 9,
    "in": 9,
    "<<": 10,
    ">>": 10,
    ">>>": 10,
    "+": 11,
    "-": 11,
    "*": 12,
    "/": 12,
    "%": 12,
    "**": 13,
}
_RELATIONAL = 9
_ASSIGNMENT_OPERATORS = frozenset(
    {"=", "+=", "-=", "*=", "/=", "%=", "**=", "<<=", ">>=", ">>>=", "&=", "|=", "^=", "&&=", "||=", "??="}
)
_UNARY_OPERATORS = frozenset({"!", "~", "+", "-", "typeof", "void", "delete"})
_TYPE_KEYWORDS = frozenset(
    {"string", "number", "boolean", "unknown", "never", "object", "symbol", "bigint", "undefined", "any"}
)
_STATEMENT_CONTEXTUAL = frozenset(
    {"type", "interface", "distinct", "namespace", "module", "declare", "async", "abstract", "assert"}
)
_RECOVERY_KEYWORDS = frozenset(
    {
        "const",
        "function",
        "if",
        "for",
        "return",
        "export",
        "import",
        "class",
        "while",
        "do",
        "switch",
        "try",
        "throw",
        "var",
        "enum",
        "break",
        "continue",
    }
)
_ASSERT_FOLLOWERS = frozenset(
    {
        IDENT,
        NUMBER,
        STRING,
        TEMPLATE,
        TEMPLATE_HEAD,
        "(",
        "!",
        "~",
        "typeof",
        "void",
        "true",
        "false",
        "null",
        "this",
        "new",
    }
)
_CLASS_MODIFIERS = frozenset(
    {
        "public",
        "private",
        "protected",
        "static",
        "readonly",
        "abstract",
        "override",
        "declare",
        "accessor",
        "async",
    }
)
_ACCESS_MODIFIERS = frozenset({"public", "private", "protected"})
_NOT_MEMBER_NAME_FOLLOWERS = frozenset({"(", "=", ";", ":", "?", "!", "}", "<", ",", EOF})
_DIALECT_CALLS = frozenset({"comptime", "pipe", "guard"})
# Reserved in strict mode (ES modules are strict), so QuickJS would reject them as names.
_STRICT_RESERVED = frozenset(
    {"implements", "interface", "package", "private", "protected", "public", "static", "let", "await"}
)
_UNBINDABLE = frozenset({"eval", "arguments"}) | _STRICT_RESERVED
# Prefix of every name the emitter generates (loaders, match subjects, guards).
GENERATED_PREFIX = "__zt_"


class ParseAbort(Exception):
    """Unwinds the current statement after a syntax error (already reported)."""


def _is_intrinsic_tag(name: str) -> bool:
    return "." not in name and (name[0].islower() or "-" in name or ":" in name)


def normalize_jsx_text(text: str) -> str:
    """JSX whitespace rules (as Babel/React): trim line edges, join lines with a space."""
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    last_non_empty = 0  # as Babel: a whitespace-only single line keeps no trailing extra space
    for index, line in enumerate(lines):
        if line.strip(" \t"):
            last_non_empty = index
    parts: list[str] = []
    last = len(lines) - 1
    for index, line in enumerate(lines):
        piece = line.replace("\t", " ")
        if index != 0:
            piece = piece.lstrip(" ")
        if index != last:
            piece = piece.rstrip(" ")
        if piece:
            if index != last_non_empty:
                piece += " "
            parts.append(piece)
    result = "".join(parts)
    if "&" in result:
        result = html.unescape(result)
    return result


def _reserved(name: str) -> tuple[str, str]:
    if name.startswith(GENERATED_PREFIX):
        return (
            codes.EXPECTED_IDENTIFIER,
            f"'{name}': names starting with '{GENERATED_PREFIX}' are reserved for the compiler; rename it",
        )
    return (codes.EXPECTED_IDENTIFIER, f"'{name}' is a reserved word and cannot be used as a name")


def _duplicate(name: str) -> tuple[str, str]:
    return (codes.DUPLICATE_BINDING, f"duplicate declaration of '{name}'; rename one of them")


def _binding_names(target: A.Node) -> list[tuple[str, A.Node]]:
    kind = type(target)
    if kind is A.Identifier:
        return [(target.name, target)]  # type: ignore[attr-defined]
    names: list[tuple[str, A.Node]] = []
    if kind is A.ObjectBinding:
        for prop in target.properties:  # type: ignore[attr-defined]
            names.extend(_binding_names(prop.target))
    elif kind is A.ArrayBinding:
        for element in target.elements:  # type: ignore[attr-defined]
            if element is not None:
                names.extend(_binding_names(element.target))
    return names


def _declared_names(statement: A.Node, lexical_only: bool) -> list[tuple[str, A.Node]]:
    """Value names a statement declares in its scope (lexical_only skips functions)."""
    kind = type(statement)
    if kind is A.Export:
        return _declared_names(statement.declaration, lexical_only)  # type: ignore[attr-defined]
    if kind is A.VariableDeclaration:
        names: list[tuple[str, A.Node]] = []
        for declarator in statement.declarations:  # type: ignore[attr-defined]
            names.extend(_binding_names(declarator.target))
        return names
    if kind is A.FunctionDeclaration and statement.body is not None and not lexical_only:  # type: ignore[attr-defined]
        return [(statement.name.name, statement.name)]  # type: ignore[attr-defined]
    if kind is A.TypeAlias and statement.distinct:  # type: ignore[attr-defined]
        return [(statement.name.name, statement.name)]  # type: ignore[attr-defined]
    if kind is A.Import:
        return [(n.local.name, n.local) for n in statement.names]  # type: ignore[attr-defined]
    return []


class Parser:
    def __init__(self, source: SourceFile, path: str | None = None) -> None:
        self.file = source
        self.text = source.text
        self.path = path or source.name
        self.ts = source.allows_types
        self.jsx = source.allows_jsx
        self.diagnostics: list[Diagnostic] = []
        self.scanner = Scanner(source.text, self._scanner_report)
        self.kind = EOF
        self.value: object = None
        self.start = 0
        self.end = 0
        self.nl = False
        self.prev_end = 0
        self.depth = 0
        self.function_depth = 0
        self.loop_depth = 0
        self.switch_depth = 0
        self.label_depth = 0
        self.block_depth = 0
        self.comptime_depth = 0
        self.speculating = 0
        self.ambient = False
        self.last_abort = -1
        # Offset where an arrow function may start: only at the start of an
        # assignment expression (`void () => x` or `a + x => y` are not JavaScript).
        self.arrow_start = -1
        self.value_references: set[str] = set()
        self.imports: list[A.Import] = []
        self.import_bindings: set[str] = set()

    # ------------------------------------------------------------ tokens

    def _scanner_report(self, code: str, message: str, start: int, end: int) -> None:
        self.diagnostics.append(make_diagnostic(self.file, start, end, code, message))

    def next(self) -> None:
        self.prev_end = self.end
        self.kind, self.value, self.start, self.end, self.nl = self.scanner.scan()

    def set_token(self, token: tuple[str, object, int, int, bool]) -> None:
        self.kind, self.value, self.start, self.end, self.nl = token

    def peek(self) -> tuple[str, object, int, int, bool]:
        saved = self.scanner.pos
        self.scanner.pos = self.end
        token = self.scanner.scan()
        self.scanner.pos = saved
        return token

    def is_word(self) -> bool:
        return self.kind == IDENT or self.kind in KEYWORDS

    def token_text(self) -> str:
        if self.kind == EOF:
            return "end of file"
        text = self.text[self.start : self.end]
        if len(text) > 24:
            text = text[:21] + "..."
        return f"'{text}'"

    # ------------------------------------------------------------ errors

    def reject(self, rule: tuple[str, str], start: int, end: int) -> None:
        """Report a rejected construct; parsing continues."""
        code, message = rule
        self.diagnostics.append(make_diagnostic(self.file, start, end, code, message))

    def fail(self, code: str, message: str, start: int | None = None, end: int | None = None) -> ParseAbort:
        """Report a syntax error and return the exception that unwinds the statement."""
        if start is None:
            start, end = self.start, self.end
        if end is None:
            end = start
        if self.kind == EOF and code in (
            codes.EXPECTED_TOKEN,
            codes.EXPECTED_EXPRESSION,
            codes.UNEXPECTED_TOKEN,
        ):
            code = codes.UNEXPECTED_EOF
        if start != self.last_abort:
            self.diagnostics.append(make_diagnostic(self.file, start, end, code, message))
            if not self.speculating:
                self.last_abort = start
        return ParseAbort()

    def unexpected(self) -> ParseAbort:
        if self.kind == EOF:
            return self.fail(codes.UNEXPECTED_EOF, "unexpected end of file")
        return self.fail(codes.UNEXPECTED_TOKEN, f"unexpected token {self.token_text()}")

    def expect(self, kind: str) -> None:
        if self.kind != kind:
            if self.kind == EOF:
                raise self.fail(codes.UNEXPECTED_EOF, f"expected '{kind}' but reached the end of the file")
            raise self.fail(codes.EXPECTED_TOKEN, f"expected '{kind}' but found {self.token_text()}")
        self.next()

    def expect_word(self, word: str) -> None:
        if self.kind != IDENT or self.value != word:
            raise self.fail(codes.EXPECTED_TOKEN, f"expected '{word}' but found {self.token_text()}")
        self.next()

    def consume_semicolon(self) -> None:
        kind = self.kind
        if kind == ";":
            self.next()
        elif kind == "}" or kind == EOF or self.nl:
            return
        else:
            raise self.fail(codes.EXPECTED_TOKEN, f"expected ';' but found {self.token_text()}")

    def type_syntax(self, start: int, end: int) -> None:
        if not self.ts:
            self.reject(R.TYPES_IN_JS, start, end)

    def enter(self, rule: tuple[str, str]) -> None:
        self.depth += 1
        if self.depth > NESTING_LIMIT:
            code, message = rule
            raise self.fail(code, message)

    # ------------------------------------------------------ speculation

    def snapshot(self) -> tuple[object, ...]:
        return (
            self.kind,
            self.value,
            self.start,
            self.end,
            self.nl,
            self.prev_end,
            self.scanner.pos,
            len(self.diagnostics),
            self.depth,
        )

    def restore(self, state: tuple[object, ...]) -> None:
        (self.kind, self.value, self.start, self.end, self.nl, self.prev_end, pos, count, self.depth) = state  # type: ignore[misc]
        self.scanner.pos = pos  # type: ignore[assignment]
        del self.diagnostics[count:]  # type: ignore[misc]

    def try_parse(self, attempt: Callable[[], T]) -> T | None:
        """Run `attempt`; on a syntax error rewind as if nothing was read."""
        state = self.snapshot()
        self.speculating += 1
        try:
            return attempt()
        except ParseAbort:
            self.restore(state)
            return None
        finally:
            self.speculating -= 1

    # ----------------------------------------------------------- module

    def parse_module(self) -> A.Module:
        self.next()
        body = self.parse_statements(EOF)
        return A.Module(self.file, 0, len(self.text), self.path, body, self.imports, self.value_references)

    def parse_statements(self, closing: str) -> list[A.Statement]:
        body: list[A.Statement] = []
        while self.kind != closing and self.kind != EOF:
            before = self.start
            context = (
                self.depth,
                self.function_depth,
                self.loop_depth,
                self.switch_depth,
                self.label_depth,
                self.block_depth,
                self.comptime_depth,
                self.ambient,
            )
            try:
                statement = self.parse_statement()
                if statement is not None:
                    body.append(statement)
            except ParseAbort:
                (
                    self.depth,
                    self.function_depth,
                    self.loop_depth,
                    self.switch_depth,
                    self.label_depth,
                    self.block_depth,
                    self.comptime_depth,
                    self.ambient,
                ) = context
                self.recover(before)
        self.check_duplicate_declarations(body)
        return body

    def check_duplicate_declarations(
        self, body: list[A.Statement], parameters: list[A.Parameter] | None = None
    ) -> None:
        """Report names declared twice in one scope (the guest would reject the module).

        Without `parameters` the statements are checked against each other (every
        block does this); with them, only `let`/`const` clashes with a parameter.
        """
        if parameters is not None:
            names = {name for p in parameters for name, _ in _binding_names(p.target)}
            for statement in body:
                for name, node in _declared_names(statement, True):
                    if name in names:
                        self.reject(_duplicate(name), node.start, node.end)
            return
        seen: set[str] = set()
        for statement in body:
            for name, node in _declared_names(statement, False):
                if name in seen:
                    self.reject(_duplicate(name), node.start, node.end)
                seen.add(name)

    def recover(self, before: int) -> None:
        """Skip to a plausible statement boundary, always making progress.

        Braces opened by the failed statement before the error are counted
        first, so the skip also consumes their closing braces.
        """
        braces = self.open_braces_between(before, self.start)
        while self.kind != EOF:
            kind = self.kind
            if kind == ";" and braces == 0:
                self.next()
                return
            if kind == "}":
                if braces == 0:
                    if self.start == before:
                        self.next()
                    return
                braces -= 1
            elif kind == "{" or kind == TEMPLATE_HEAD:
                braces += 1
            elif (
                braces == 0
                and self.nl
                and self.start != before
                and (kind in _RECOVERY_KEYWORDS or (kind == IDENT and self.value == "let"))
            ):
                return
            self.next()

    def open_braces_between(self, start: int, end: int) -> int:
        if end <= start:
            return 0
        scanner = Scanner(self.text, lambda *_: None)
        scanner.pos = start
        depth = 0
        while True:
            kind, _, token_start, _, _ = scanner.scan()
            if kind == EOF or token_start >= end:
                return max(depth, 0)
            if kind == "{" or kind == TEMPLATE_HEAD:
                depth += 1
            elif kind == "}":
                depth -= 1

    # ------------------------------------------------------- statements

    def parse_statement(self) -> A.Statement | None:
        self.enter(R.STATEMENT_NESTING)
        statement = self._statement()
        self.depth -= 1
        return statement

    def _statement(self) -> A.Statement | None:
        kind = self.kind
        start = self.start
        if kind == IDENT:
            value = self.value
            if value == "let":
                return self.parse_variable_statement("let", start)
            if value in _STATEMENT_CONTEXTUAL:
                statement = self.parse_contextual_statement(start)
                if statement is not None:
                    return statement
            return self.parse_expression_statement(start)
        if kind == "const":
            return self.parse_variable_statement("const", start)
        if kind == "return":
            return self.parse_return(start)
        if kind == "if":
            return self.parse_if(start)
        if kind == "for":
            return self.parse_for(start)
        if kind == "{":
            return self.parse_block()
        if kind == "function":
            return self.parse_function_declaration(start)
        if kind == ";":
            self.next()
            return A.Empty(self.file, start, self.prev_end)
        if kind == "export":
            return self.parse_export(start)
        if kind == "import":
            follower = self.peek()[0]
            if follower in ("(", "."):
                return self.parse_expression_statement(start)
            return self.parse_import(start)
        if kind == "break" or kind == "continue":
            return self.parse_break_continue(start)
        if kind == "var":
            self.reject(R.VAR, start, self.end)
            return self.parse_variable_statement("let", start)
        if kind == "while":
            return self.parse_while(start)
        if kind == "do":
            return self.parse_do_while(start)
        if kind == "throw":
            return self.parse_throw(start)
        if kind == "try":
            return self.parse_try(start)
        if kind == "switch":
            return self.parse_switch(start)
        if kind == "class":
            return self.parse_class(start, start)
        if kind == "enum":
            return self.parse_enum(start, False)
        if kind == "debugger":
            self.next()
            self.consume_semicolon()
            return A.Debugger(self.file, start, self.prev_end)
        if kind == "with":
            self.reject(R.WITH, start, self.end)
            self.next()
            self.expect("(")
            target = self.parse_expression()
            self.expect(")")
            body = self.parse_statement()
            return A.InvalidStatement(self.file, start, self.prev_end, "with", [target, *(b for b in [body] if b)])
        if kind == "@":
            self.parse_decorators()
            return self.parse_statement()
        return self.parse_expression_statement(start)

    def parse_contextual_statement(self, start: int) -> A.Statement | None:
        value = self.value
        follower, follower_value, _, _, follower_nl = self.peek()
        if value == "type":
            if follower == IDENT and not follower_nl:
                return self.parse_type_alias(start, distinct=False)
        elif value == "interface":
            if follower == IDENT:
                return self.parse_interface(start)
        elif value == "distinct":
            if follower == IDENT and follower_value == "type" and not follower_nl:
                self.next()
                return self.parse_type_alias(start, distinct=True)
        elif value in ("namespace", "module"):
            if (follower in (IDENT, STRING)) and not follower_nl:
                return self.parse_namespace(start)
        elif value == "declare":
            if (follower == IDENT or follower in KEYWORDS) and not follower_nl:
                return self.parse_ambient(start)
        elif value == "async":
            if follower == "function" and not follower_nl:
                self.reject(R.ASYNC, start, self.end)
                self.next()
                return self.parse_function_declaration(start)
        elif value == "abstract":
            if follower == "class" and not follower_nl:
                self.next()
                return self.parse_class(start, start)
        elif value == "assert" and follower in _ASSERT_FOLLOWERS and not follower_nl:
            return self.parse_assert(start)
        return None

    def parse_expression_statement(self, start: int) -> A.Statement:
        expression = self.parse_expression()
        if type(expression) is A.Identifier and self.kind == ":":
            # A label: `outer: for (...) { ... break outer; }`
            self.reject(R.LABELED_BREAK, start, expression.end)
            self.next()
            self.label_depth += 1
            body = self.parse_statement()
            self.label_depth -= 1
            return A.InvalidStatement(self.file, start, self.prev_end, "label", [b for b in [body] if b])
        self.consume_semicolon()
        return A.ExpressionStatement(self.file, start, self.prev_end, expression)

    def parse_variable_statement(self, kind: str, start: int) -> A.Statement:
        self.next()
        if kind == "const" and self.kind == "enum":
            return self.parse_enum(start, True)
        declaration = self.parse_declarators(kind, start)
        self.consume_semicolon()
        declaration.end = self.prev_end
        return declaration

    def parse_declarators(self, kind: str, start: int) -> A.VariableDeclaration:
        declarators: list[A.VariableDeclarator] = []
        while True:
            target_start = self.start
            target = self.parse_binding_target()
            if self.kind == "!" and not self.nl:
                self.type_syntax(self.start, self.end)
                self.next()
            annotation = self.parse_type_annotation() if self.kind == ":" else None
            init = None
            if self.kind == "=":
                self.next()
                init = self.parse_assign()
            elif kind == "const" and not self.ambient:
                self.reject(R.CONST_WITHOUT_INIT, target_start, target.end)
            declarators.append(A.VariableDeclarator(self.file, target_start, self.prev_end, target, annotation, init))
            if self.kind != ",":
                break
            self.next()
        return A.VariableDeclaration(self.file, start, self.prev_end, kind, declarators)

    def parse_binding_target(self) -> A.Node:
        kind = self.kind
        start = self.start
        if kind == IDENT:
            name = self.value
            if name in _UNBINDABLE or str(name).startswith(GENERATED_PREFIX):
                self.reject(_reserved(str(name)), start, self.end)
            self.next()
            return A.Identifier(self.file, start, self.prev_end, name)  # type: ignore[arg-type]
        if kind == "[":
            return self.parse_array_binding()
        if kind == "{":
            return self.parse_object_binding()
        raise self.fail(codes.EXPECTED_IDENTIFIER, f"expected a binding name but found {self.token_text()}")

    def parse_array_binding(self) -> A.ArrayBinding:
        start = self.start
        self.enter(R.EXPRESSION_NESTING)
        self.next()
        elements: list[A.BindingElement | None] = []
        while self.kind != "]":
            if self.kind == ",":
                elements.append(None)
                self.next()
                continue
            element_start = self.start
            if self.kind == "...":
                self.reject(R.ARRAY_REST, element_start, self.end)
                self.next()
            target = self.parse_binding_target()
            default = None
            if self.kind == "=":
                self.next()
                default = self.parse_assign()
            elements.append(A.BindingElement(self.file, element_start, self.prev_end, target, default))
            if self.kind != "]":
                self.expect(",")
        self.next()
        self.depth -= 1
        return A.ArrayBinding(self.file, start, self.prev_end, elements)

    def parse_object_binding(self) -> A.ObjectBinding:
        start = self.start
        self.enter(R.EXPRESSION_NESTING)
        self.next()
        properties: list[A.BindingProperty] = []
        while self.kind != "}":
            property_start = self.start
            if self.kind == "...":
                self.reject(R.OBJECT_REST, property_start, self.end)
                self.next()
                target = self.parse_binding_target()
                properties.append(
                    A.BindingProperty(self.file, property_start, self.prev_end, "...", target, None, False)
                )
            else:
                key_kind = self.kind
                if key_kind in (IDENT, STRING) or key_kind in KEYWORDS:
                    key = str(self.value)
                elif key_kind == NUMBER:
                    key = self.text[self.start : self.end]
                else:
                    raise self.fail(
                        codes.EXPECTED_PROPERTY_NAME,
                        f"expected a property name but found {self.token_text()}",
                    )
                key_start, key_end = self.start, self.end
                self.next()
                if self.kind == ":":
                    self.next()
                    target = self.parse_binding_target()
                    shorthand = False
                else:
                    if key_kind != IDENT:
                        raise self.fail(codes.EXPECTED_TOKEN, f"expected ':' but found {self.token_text()}")
                    target = A.Identifier(self.file, key_start, key_end, key)
                    shorthand = True
                default = None
                if self.kind == "=":
                    self.next()
                    default = self.parse_assign()
                properties.append(
                    A.BindingProperty(self.file, property_start, self.prev_end, key, target, default, shorthand)
                )
            if self.kind != "}":
                self.expect(",")
        self.next()
        self.depth -= 1
        return A.ObjectBinding(self.file, start, self.prev_end, properties)

    def parse_block(self) -> A.Block:
        start = self.start
        self.expect("{")
        self.block_depth += 1
        body = self.parse_statements("}")
        self.block_depth -= 1
        self.expect("}")
        return A.Block(self.file, start, self.prev_end, body)

    def parse_function_body(self) -> A.Block:
        saved = (self.loop_depth, self.switch_depth, self.label_depth)
        self.loop_depth = self.switch_depth = self.label_depth = 0
        self.function_depth += 1
        block = self.parse_block()
        self.function_depth -= 1
        self.loop_depth, self.switch_depth, self.label_depth = saved
        return block

    def parse_loop_body(self) -> A.Statement:
        self.loop_depth += 1
        body = self.parse_statement()
        self.loop_depth -= 1
        return body if body is not None else A.Empty(self.file, self.prev_end, self.prev_end)

    def parse_return(self, start: int) -> A.Statement:
        if self.function_depth == 0:
            self.reject(R.RETURN_OUTSIDE, start, self.end)
        self.next()
        argument = None
        if self.kind not in (";", "}", EOF) and not self.nl:
            argument = self.parse_expression()
        self.consume_semicolon()
        return A.Return(self.file, start, self.prev_end, argument)

    def parse_if(self, start: int) -> A.Statement:
        self.next()
        self.expect("(")
        test = self.parse_expression()
        self.expect(")")
        consequent = self.parse_statement() or A.Empty(self.file, self.prev_end, self.prev_end)
        alternate = None
        if self.kind == "else":
            self.next()
            alternate = self.parse_statement()
        return A.If(self.file, start, self.prev_end, test, consequent, alternate)

    def parse_for(self, start: int) -> A.Statement:
        self.next()
        if self.kind == IDENT and self.value == "await":
            self.reject(R.AWAIT, self.start, self.end)
            self.next()
        self.expect("(")
        kind = self.kind
        declaration_kind = None
        if kind == "var":
            self.reject(R.VAR, self.start, self.end)
            declaration_kind = "let"
        elif kind == "const":
            declaration_kind = "const"
        elif kind == IDENT and self.value == "let":
            declaration_kind = "let"
        if declaration_kind is not None:
            self.next()
            target = self.parse_binding_target()
            if self.kind == IDENT and self.value == "of":
                self.next()
                iterable = self.parse_assign()
                self.expect(")")
                body = self.parse_loop_body()
                return A.ForOf(self.file, start, self.prev_end, declaration_kind, target, iterable, body)
            if self.kind == "in":
                self.reject(R.FOR_IN, start, start + 3)
                self.next()
                subject = self.parse_expression()
                self.expect(")")
                body = self.parse_loop_body()
                return A.InvalidStatement(self.file, start, self.prev_end, "for-in", [subject, body])
            self.reject(R.C_FOR, start, start + 3)
            if self.kind == ":":
                self.parse_type_annotation()
            if self.kind == "=":
                self.next()
                self.parse_assign()
            while self.kind == ",":
                self.next()
                self.parse_binding_target()
                if self.kind == "=":
                    self.next()
                    self.parse_assign()
            return self.finish_c_style_for(start)
        if kind == ";":
            self.reject(R.C_FOR, start, start + 3)
            return self.finish_c_style_for(start)
        init = self.parse_expression()
        if self.kind == IDENT and self.value == "of":
            self.next()
            iterable = self.parse_assign()
            self.expect(")")
            body = self.parse_loop_body()
            return A.ForOf(self.file, start, self.prev_end, None, init, iterable, body)
        if type(init) is A.Binary and init.operator == "in" and self.kind == ")":
            self.reject(R.FOR_IN, start, start + 3)
            self.next()
            body = self.parse_loop_body()
            return A.InvalidStatement(self.file, start, self.prev_end, "for-in", [init, body])
        self.reject(R.C_FOR, start, start + 3)
        return self.finish_c_style_for(start)

    def finish_c_style_for(self, start: int) -> A.Statement:
        self.expect(";")
        children: list[A.Node] = []
        if self.kind != ";":
            children.append(self.parse_expression())
        self.expect(";")
        if self.kind != ")":
            children.append(self.parse_expression())
        self.expect(")")
        children.append(self.parse_loop_body())
        return A.InvalidStatement(self.file, start, self.prev_end, "c-style-for", children)

    def parse_while(self, start: int) -> A.Statement:
        self.reject(R.WHILE, start, self.end)
        self.next()
        self.expect("(")
        test = self.parse_expression()
        self.expect(")")
        body = self.parse_loop_body()
        return A.InvalidStatement(self.file, start, self.prev_end, "while", [test, body])

    def parse_do_while(self, start: int) -> A.Statement:
        self.reject(R.DO_WHILE, start, self.end)
        self.next()
        body = self.parse_loop_body()
        if self.kind != "while":
            raise self.fail(codes.EXPECTED_TOKEN, f"expected 'while' but found {self.token_text()}")
        self.next()
        self.expect("(")
        test = self.parse_expression()
        self.expect(")")
        if self.kind == ";":
            self.next()
        return A.InvalidStatement(self.file, start, self.prev_end, "do-while", [body, test])

    def parse_throw(self, start: int) -> A.Statement:
        self.reject(R.THROW, start, self.end)
        self.next()
        children: list[A.Node] = []
        if self.kind not in (";", "}", EOF) and not self.nl:
            children.append(self.parse_expression())
        self.consume_semicolon()
        return A.InvalidStatement(self.file, start, self.prev_end, "throw", children)

    def parse_try(self, start: int) -> A.Statement:
        self.reject(R.TRY, start, self.end)
        self.next()
        children: list[A.Node] = [self.parse_block()]
        if self.kind == "catch":
            self.next()
            if self.kind == "(":
                self.next()
                children.append(self.parse_binding_target())
                if self.kind == ":":
                    self.parse_type_annotation()
                self.expect(")")
            children.append(self.parse_block())
        if self.kind == "finally":
            self.next()
            children.append(self.parse_block())
        return A.InvalidStatement(self.file, start, self.prev_end, "try", children)

    def parse_switch(self, start: int) -> A.Statement:
        self.reject(R.SWITCH, start, self.end)
        self.next()
        self.expect("(")
        children: list[A.Node] = [self.parse_expression()]
        self.expect(")")
        self.expect("{")
        self.switch_depth += 1
        while self.kind != "}" and self.kind != EOF:
            if self.kind == "case":
                self.next()
                children.append(self.parse_expression())
                self.expect(":")
            elif self.kind == "default":
                self.next()
                self.expect(":")
            else:
                raise self.fail(codes.EXPECTED_TOKEN, f"expected 'case' or 'default' but found {self.token_text()}")
            while self.kind not in ("case", "default", "}", EOF):
                before = self.start
                try:
                    statement = self.parse_statement()
                except ParseAbort:
                    self.recover(before)
                    continue
                if statement is not None:
                    children.append(statement)
        self.switch_depth -= 1
        self.expect("}")
        return A.InvalidStatement(self.file, start, self.prev_end, "switch", children)

    def parse_break_continue(self, start: int) -> A.Statement:
        kind = self.kind
        self.next()
        labelled = self.kind == IDENT and not self.nl
        if labelled:
            if kind == "continue":
                self.reject(R.LABELED_CONTINUE, start, self.end)
            elif self.label_depth == 0:
                self.reject(R.LABELED_BREAK, start, self.end)
            self.next()
        elif self.loop_depth == 0:
            if kind == "continue":
                self.reject(R.CONTINUE_OUTSIDE, start, start + 8)
            elif self.switch_depth == 0:
                self.reject(R.BREAK_OUTSIDE, start, start + 5)
        self.consume_semicolon()
        if kind == "break":
            return A.Break(self.file, start, self.prev_end)
        return A.Continue(self.file, start, self.prev_end)

    def parse_assert(self, start: int) -> A.Statement:
        self.next()
        test = self.parse_assign()
        value = None
        if self.kind == ",":
            self.next()
            value_start = self.start
            value = self.parse_assign()
            if self.function_depth == 0:
                self.reject(R.ASSERT_VALUE_OUTSIDE, value_start, value.end)
        self.consume_semicolon()
        return A.Assert(self.file, start, self.prev_end, test, value)

    def parse_decorators(self) -> None:
        while self.kind == "@":
            start = self.start
            self.next()
            expression = self.parse_lhs()
            self.reject(R.DECORATOR, start, expression.end)

    # ---------------------------------------------------- declarations

    def parse_function_declaration(self, start: int, allow_anonymous: bool = False) -> A.Statement:
        self.next()  # 'function'
        if self.kind == "*":
            self.reject(R.GENERATOR, self.start, self.end)
            self.next()
        name: A.Identifier | None = None
        if self.kind == IDENT:
            name = A.Identifier(self.file, self.start, self.end, str(self.value))
            if name.name in _UNBINDABLE or name.name.startswith(GENERATED_PREFIX):
                self.reject(_reserved(name.name), name.start, name.end)
            self.next()
        elif not allow_anonymous:
            raise self.fail(codes.EXPECTED_IDENTIFIER, f"expected a function name but found {self.token_text()}")
        type_parameters = self.parse_type_parameters() if self.kind == "<" else []
        parameters = self.parse_parameters()
        return_type = self.parse_return_annotation() if self.kind == ":" else None
        body = None
        if self.kind == "{":
            body = self.parse_function_body()
            self.check_duplicate_declarations(body.body, parameters)
        else:
            self.consume_semicolon()
            self.type_syntax(start, self.prev_end)
        if name is None:
            return A.InvalidStatement(self.file, start, self.prev_end, "anonymous-function", [])
        return A.FunctionDeclaration(
            self.file, start, self.prev_end, name, type_parameters, parameters, return_type, body
        )

    def parse_parameters(self, in_type: bool = False) -> list[A.Parameter]:
        self.expect("(")
        parameters: list[A.Parameter] = []
        while self.kind != ")":
            start = self.start
            if self.kind == "@":
                self.parse_decorators()
                start = self.start
            if self.kind == IDENT and self.value in _CLASS_MODIFIERS and self.value != "async":
                follower = self.peek()[0]
                if follower == IDENT or follower in ("{", "["):
                    if self.value in _ACCESS_MODIFIERS:
                        self.reject(R.ACCESS_MODIFIER, self.start, self.end)
                    self.next()
            rest = False
            if self.kind == "...":
                rest = True
                if not in_type:
                    self.reject(R.REST_PARAMETER, self.start, self.end)
                self.next()
            if self.kind == "this":
                target: A.Node = A.Identifier(self.file, self.start, self.end, "this")
                self.next()
            else:
                target = self.parse_binding_target()
                if type(target) is not A.Identifier and not in_type:
                    self.reject(R.DESTRUCTURED_PARAMETER, target.start, target.end)
            optional = False
            if self.kind == "?":
                self.type_syntax(self.start, self.end)
                optional = True
                self.next()
            annotation = self.parse_type_annotation() if self.kind == ":" else None
            default = None
            if self.kind == "=":
                self.next()
                default = self.parse_assign()
            parameters.append(A.Parameter(self.file, start, self.prev_end, target, annotation, default, optional, rest))
            if self.kind != ")":
                self.expect(",")
        self.next()
        if len(parameters) > MAX_PARAMETERS and not in_type:
            self.reject(R.TOO_MANY_PARAMETERS, parameters[MAX_PARAMETERS].start, self.prev_end)
        return parameters

    def parse_type_alias(self, start: int, distinct: bool) -> A.Statement:
        self.type_syntax(start, self.end)
        self.next()  # 'type'
        if self.kind != IDENT:
            raise self.fail(codes.EXPECTED_IDENTIFIER, f"expected a type name but found {self.token_text()}")
        name = A.Identifier(self.file, self.start, self.end, str(self.value))
        self.next()
        type_parameters = self.parse_type_parameters() if self.kind == "<" else []
        self.expect("=")
        aliased = self.parse_type()
        self.consume_semicolon()
        return A.TypeAlias(self.file, start, self.prev_end, name, type_parameters, aliased, distinct)

    def parse_interface(self, start: int) -> A.Statement:
        self.type_syntax(start, self.end)
        self.next()  # 'interface'
        name = A.Identifier(self.file, self.start, self.end, str(self.value))
        self.next()
        type_parameters = self.parse_type_parameters() if self.kind == "<" else []
        extends: list[A.TypeNode] = []
        if self.kind == "extends":
            self.next()
            extends.append(self.parse_type_reference_or_fail())
            while self.kind == ",":
                self.next()
                extends.append(self.parse_type_reference_or_fail())
        if self.kind == IDENT and self.value == "implements":
            self.reject(R.IMPLEMENTS, self.start, self.end)
            self.next()
            self.parse_type()
        members = self.parse_object_type_members()
        return A.Interface(self.file, start, self.prev_end, name, type_parameters, extends, members)

    def parse_namespace(self, start: int) -> A.Statement:
        self.reject(R.NAMESPACE, start, self.end)
        self.next()
        self.next()  # name (identifier or string)
        while self.kind == "." and not self.nl:
            self.next()
            self.next()
        children: list[A.Node] = []
        if self.kind == "{":
            self.block_depth += 1
            children.append(self.parse_block())
            self.block_depth -= 1
        else:
            self.consume_semicolon()
        return A.InvalidStatement(self.file, start, self.prev_end, "namespace", children)

    def parse_ambient(self, start: int) -> A.Statement:
        """`declare ...`: type-level only; parsed for diagnostics and erased."""
        self.type_syntax(start, self.end)
        self.next()
        if self.kind == IDENT and self.value in ("module", "namespace", "global"):
            self.next()
            if self.kind in (IDENT, STRING):
                self.next()
            if self.kind == "{":
                self.skip_balanced_braces()
            else:
                self.consume_semicolon()
            return A.Ambient(self.file, start, self.prev_end, None)
        saved = self.ambient
        self.ambient = True
        declaration = self.parse_statement()
        self.ambient = saved
        return A.Ambient(self.file, start, self.prev_end, declaration)

    def skip_balanced_braces(self) -> None:
        depth = 0
        while self.kind != EOF:
            if self.kind == "{":
                depth += 1
            elif self.kind == "}":
                depth -= 1
                if depth == 0:
                    self.next()
                    return
            self.next()

    def parse_enum(self, start: int, const: bool) -> A.Statement:
        self.reject(R.CONST_ENUM if const else R.ENUM, start, self.end)
        self.next()  # 'enum'
        if self.kind == IDENT:
            self.next()
        self.expect("{")
        children: list[A.Node] = []
        while self.kind != "}":
            if not (self.is_word() or self.kind in (STRING, NUMBER)):
                raise self.fail(codes.EXPECTED_PROPERTY_NAME, f"expected an enum member but found {self.token_text()}")
            self.next()
            if self.kind == "=":
                self.next()
                children.append(self.parse_assign())
            if self.kind != "}":
                self.expect(",")
        self.next()
        return A.InvalidStatement(self.file, start, self.prev_end, "enum", children)

    def parse_class(self, start: int, keyword_start: int, expression: bool = False) -> A.Invalid:
        self.reject(R.CLASS, keyword_start, self.end)
        self.next()  # 'class'
        children: list[A.Node] = []
        if self.kind == IDENT and self.value != "implements":
            self.next()
        if self.kind == "<":
            self.parse_type_parameters()
        if self.kind == "extends":
            self.next()
            children.append(self.parse_lhs())
        if self.kind == IDENT and self.value == "implements":
            self.reject(R.IMPLEMENTS, self.start, self.end)
            self.next()
            self.parse_type()
            while self.kind == ",":
                self.next()
                self.parse_type()
        self.expect("{")
        while self.kind != "}":
            if self.kind == EOF:
                raise self.fail(codes.UNEXPECTED_EOF, "expected '}' but reached the end of the file")
            if self.kind == ";":
                self.next()
                continue
            if self.kind == "@":
                self.parse_decorators()
            is_static = False
            while self.kind == IDENT and self.value in _CLASS_MODIFIERS:
                follower, _, _, _, follower_nl = self.peek()
                if follower in _NOT_MEMBER_NAME_FOLLOWERS or follower_nl:
                    break
                if self.value in _ACCESS_MODIFIERS:
                    self.reject(R.ACCESS_MODIFIER, self.start, self.end)
                elif self.value == "async":
                    self.reject(R.ASYNC, self.start, self.end)
                elif self.value == "static":
                    is_static = True
                self.next()
            if is_static and self.kind == "{":
                children.append(self.parse_function_body())
                continue
            if self.kind == "*":
                self.reject(R.GENERATOR, self.start, self.end)
                self.next()
            if self.kind == IDENT and self.value in ("get", "set"):
                follower = self.peek()[0]
                if follower not in _NOT_MEMBER_NAME_FOLLOWERS:
                    self.next()
            if self.kind == "[" and self.peek()[0] == IDENT:
                # Index signature `[key: string]: T` or a computed name.
                state = self.snapshot()
                self.next()
                self.next()
                if self.kind == ":":
                    self.parse_type_annotation()
                    self.expect("]")
                    if self.kind == ":":
                        self.parse_type_annotation()
                    self.consume_semicolon()
                    continue
                self.restore(state)
            if self.kind == PRIVATE_NAME:
                self.next()
            else:
                self.parse_property_name()
            if self.kind in ("?", "!"):
                self.next()
            if self.kind in ("(", "<"):
                if self.kind == "<":
                    self.parse_type_parameters()
                self.parse_parameters()
                if self.kind == ":":
                    self.parse_return_annotation()
                if self.kind == "{":
                    children.append(self.parse_function_body())
                else:
                    self.consume_semicolon()
                continue
            if self.kind == ":":
                self.parse_type_annotation()
            if self.kind == "=":
                self.next()
                children.append(self.parse_assign())
            self.consume_semicolon()
        self.next()
        return A.Invalid(self.file, start, self.prev_end, "class", children)

    # ------------------------------------------------- import / export

    def parse_import(self, start: int) -> A.Statement:
        if self.block_depth > 0 or self.function_depth > 0:
            self.reject(R.IMPORT_NOT_TOP_LEVEL, start, self.end)
        self.next()  # 'import'
        rejected = False
        type_only = False
        if self.kind == IDENT and self.value == "type":
            follower, follower_value, _, _, _ = self.peek()
            if follower in ("{", "*") or (follower == IDENT and follower_value != "from"):
                type_only = True
                self.type_syntax(self.start, self.end)
                self.next()
        if self.kind == STRING:
            self.reject(R.SIDE_EFFECT_IMPORT, start, self.end)
            self.next()
            self.consume_semicolon()
            return A.InvalidStatement(self.file, start, self.prev_end, "side-effect-import", [])
        names: list[A.ImportSpecifier] = []
        if self.kind == IDENT:
            self.reject(R.DEFAULT_IMPORT, start, self.end)
            rejected = True
            self.next()
            if self.kind == ",":
                self.next()
        if self.kind == "*":
            self.reject(R.NAMESPACE_IMPORT, start, self.end)
            rejected = True
            self.next()
            self.expect_word("as")
            if self.kind != IDENT:
                raise self.fail(codes.EXPECTED_IDENTIFIER, f"expected an identifier but found {self.token_text()}")
            self.next()
        elif self.kind == "{":
            self.next()
            while self.kind != "}":
                specifier_start = self.start
                specifier_type_only = type_only
                if self.kind == IDENT and self.value == "type":
                    follower = self.peek()[0]
                    if follower in (IDENT, STRING) or follower in KEYWORDS:
                        specifier_type_only = True
                        self.type_syntax(self.start, self.end)
                        self.next()
                if not (self.is_word() or self.kind == STRING):
                    raise self.fail(codes.EXPECTED_IDENTIFIER, f"expected an import name but found {self.token_text()}")
                imported = str(self.value)
                local_start, local_end, local_kind = self.start, self.end, self.kind
                self.next()
                if self.kind == IDENT and self.value == "as":
                    self.next()
                    if self.kind != IDENT:
                        raise self.fail(
                            codes.EXPECTED_IDENTIFIER, f"expected an identifier but found {self.token_text()}"
                        )
                    local_name = str(self.value)
                    local_start, local_end = self.start, self.end
                    self.next()
                else:
                    if local_kind != IDENT:
                        raise self.fail(
                            codes.EXPECTED_TOKEN, f"expected 'as' after {imported!r}", local_start, local_end
                        )
                    local_name = imported
                if local_name in self.import_bindings:
                    self.reject(R.DUPLICATE_IMPORT, local_start, local_end)
                self.import_bindings.add(local_name)
                local = A.Identifier(self.file, local_start, local_end, local_name)
                names.append(
                    A.ImportSpecifier(self.file, specifier_start, self.prev_end, imported, local, specifier_type_only)
                )
                if self.kind != "}":
                    self.expect(",")
            self.next()
        elif not rejected:
            raise self.unexpected()
        self.expect_word("from")
        if self.kind != STRING:
            raise self.fail(codes.EXPECTED_TOKEN, f"expected a module specifier string but found {self.token_text()}")
        specifier = str(self.value)
        specifier_start, specifier_end = self.start, self.end
        self.next()
        self.consume_semicolon()
        if rejected:
            return A.InvalidStatement(self.file, start, self.prev_end, "import", [])
        node = A.Import(self.file, start, self.prev_end, specifier, specifier_start, specifier_end, names, type_only)
        self.imports.append(node)
        return node

    def parse_export(self, start: int) -> A.Statement:
        if self.block_depth > 0 or self.function_depth > 0:
            self.reject(R.EXPORT_NOT_TOP_LEVEL, start, self.end)
        self.next()  # 'export'
        kind = self.kind
        value = self.value
        if kind == "default":
            self.next()
            if self.kind == IDENT and self.value == "async" and self.peek()[0] == "function":
                self.reject(R.ASYNC, self.start, self.end)
                self.next()
            if self.kind == "function":
                declaration = self.parse_function_declaration(self.start, allow_anonymous=True)
                if type(declaration) is A.FunctionDeclaration:
                    return A.Export(self.file, start, self.prev_end, declaration, True)
                self.reject(R.EXPORT_DEFAULT_NAMED, start, declaration.start + 8)
                return declaration
            self.reject(R.EXPORT_DEFAULT_NAMED, start, self.end)
            expression = self.parse_assign()
            self.consume_semicolon()
            return A.InvalidStatement(self.file, start, self.prev_end, "export-default", [expression])
        if kind == "function":
            return self.wrap_export(start, self.parse_function_declaration(self.start))
        if kind == "const":
            return self.wrap_export(start, self.parse_variable_statement("const", self.start))
        if kind == IDENT and value == "let":
            return self.wrap_export(start, self.parse_variable_statement("let", self.start))
        if kind == "var":
            self.reject(R.VAR, self.start, self.end)
            return self.wrap_export(start, self.parse_variable_statement("let", self.start))
        if kind == IDENT and value in _STATEMENT_CONTEXTUAL and value != "assert":
            statement = self.parse_contextual_statement(self.start)
            if statement is not None:
                return self.wrap_export(start, statement)
        if kind == "enum":
            return self.parse_enum(self.start, False)
        if kind == "class":
            return self.parse_class(start, self.start)
        if kind == "{":
            self.reject(R.RE_EXPORT, start, self.end)
            self.skip_balanced_braces()
            if self.kind == IDENT and self.value == "from":
                self.next()
                if self.kind == STRING:
                    self.next()
            self.consume_semicolon()
            return A.InvalidStatement(self.file, start, self.prev_end, "re-export", [])
        if kind == "*":
            self.reject(R.EXPORT_STAR, start, self.end)
            self.next()
            if self.kind == IDENT and self.value == "as":
                self.next()
                self.next()
            self.expect_word("from")
            if self.kind == STRING:
                self.next()
            self.consume_semicolon()
            return A.InvalidStatement(self.file, start, self.prev_end, "export-star", [])
        self.reject(R.EXPORT_OTHER, start, self.end)
        statement = self.parse_statement()
        return A.InvalidStatement(self.file, start, self.prev_end, "export", [s for s in [statement] if s])

    def wrap_export(self, start: int, declaration: A.Statement) -> A.Statement:
        if isinstance(declaration, (A.InvalidStatement, A.Invalid)):
            return declaration
        return A.Export(self.file, start, declaration.end, declaration, False)

    # ------------------------------------------------------ expressions

    def parse_expression(self) -> A.Expression:
        start = self.start
        expression = self.parse_assign()
        if self.kind != ",":
            return expression
        expressions = [expression]
        while self.kind == ",":
            self.next()
            expressions.append(self.parse_assign())
        return A.Sequence(self.file, start, self.prev_end, expressions)

    def parse_assign(self) -> A.Expression:
        self.enter(R.EXPRESSION_NESTING)
        if self.kind == "yield":
            result = self.parse_yield()
            self.depth -= 1
            return result
        self.arrow_start = self.start
        left = self.parse_conditional()
        operator = self.kind
        if operator in _ASSIGNMENT_OPERATORS:
            operator_start = self.start
            if operator in R.LOGICAL_ASSIGNMENT:
                self.reject(R.LOGICAL_ASSIGNMENT[operator], operator_start, self.end)
            self.check_assignment_target(left, operator)
            self.next()
            value = self.parse_assign()
            left = A.Assign(self.file, left.start, self.prev_end, operator, left, value)
        self.depth -= 1
        return left

    def check_assignment_target(self, target: A.Expression, operator: str) -> None:
        node: A.Node = target
        while type(node) is A.Paren:
            node = node.expression  # type: ignore[attr-defined]
        kind = type(node)
        if kind in (A.Identifier, A.Member, A.Index, A.Invalid):
            return
        if operator == "=" and kind is A.ArrayLiteral:
            for element in node.elements:  # type: ignore[attr-defined]
                if type(element) is A.Spread:
                    self.reject(R.ARRAY_REST, element.start, element.end)
            return
        if operator == "=" and kind is A.ObjectLiteral:
            for prop in node.properties:  # type: ignore[attr-defined]
                if type(prop) is A.Spread:
                    self.reject(R.OBJECT_REST, prop.start, prop.end)
            return
        self.reject(R.INVALID_ASSIGNMENT, target.start, target.end)

    def parse_yield(self) -> A.Expression:
        start = self.start
        self.reject(R.YIELD, start, self.end)
        self.next()
        children: list[A.Node] = []
        if self.kind == "*":
            self.next()
        if self.kind not in (")", "]", "}", ",", ";", ":", EOF) and not self.nl:
            children.append(self.parse_assign())
        return A.Invalid(self.file, start, self.prev_end, "yield", children)

    def parse_conditional(self) -> A.Expression:
        test = self.parse_binary(1)
        if self.kind != "?" or type(test) is A.ArrowFunction:
            return test
        self.next()
        consequent = self.parse_assign()
        self.expect(":")
        alternate = self.parse_assign()
        return A.Conditional(self.file, test.start, self.prev_end, test, consequent, alternate)

    def parse_binary(self, min_precedence: int) -> A.Expression:
        left = self.parse_unary()
        if type(left) is A.ArrowFunction:
            return left
        chain = 0
        pipes = False
        while True:
            kind = self.kind
            if kind == ">":
                self.set_token(self.scanner.rescan_greater(self.start, self.nl))
                kind = self.kind
            precedence = _PRECEDENCE.get(kind)
            if precedence is None:
                if (
                    kind == IDENT
                    and not self.nl
                    and self.value in ("as", "satisfies")
                    and min_precedence <= _RELATIONAL
                ):
                    rule = R.AS if self.value == "as" else R.SATISFIES
                    self.reject(rule, self.start, self.end)
                    self.next()
                    if self.kind == "const":
                        self.next()
                    else:
                        self.parse_type()
                    continue
                break
            if precedence < min_precedence:
                break
            operator_start = self.start
            operator_end = self.end
            self.next()
            chain += 1
            self.enter(R.EXPRESSION_NESTING)
            if kind == "**":
                if type(left) is A.Unary or (type(left) is A.Invalid and left.what in ("delete", "await")):
                    self.reject(R.UNARY_BEFORE_EXPONENT, left.start, operator_end)
                right = self.parse_binary(precedence)
            elif kind == "|>":
                pipes = True
                right = self.parse_pipe_operand(precedence)
            else:
                right = self.parse_binary(precedence + 1)
            if kind == "==":
                self.reject(R.LOOSE_EQUALS, operator_start, operator_end)
            elif kind == "!=":
                self.reject(R.LOOSE_NOT_EQUALS, operator_start, operator_end)
            elif kind == "instanceof":
                self.reject(R.INSTANCEOF, operator_start, operator_end)
            if kind == "|>":
                left = A.Pipe(self.file, left.start, self.prev_end, left, right)
            else:
                left = A.Binary(self.file, left.start, self.prev_end, kind, left, right)
        self.depth -= chain
        if pipes:
            return self.finish_pipe(left)
        return left

    def parse_pipe_operand(self, precedence: int) -> A.Expression:
        # An arrow on the right of `|>` takes the rest of the expression as its body.
        if self.kind == IDENT and self.peek()[0] == "=>":
            return self.parse_assign()
        if self.kind == "(":
            arrow = self.try_arrow(self.start)
            if arrow is not None:
                return arrow
        return self.parse_binary(precedence + 1)

    def finish_pipe(self, node: A.Expression) -> A.Expression:
        """Turn a `|>` chain that contains `guard(...)` into a GuardChain."""
        elements: list[A.Expression] = []
        cursor = node
        while type(cursor) is A.Pipe:
            elements.append(cursor.right)  # type: ignore[attr-defined]
            cursor = cursor.left  # type: ignore[attr-defined]
        elements.append(cursor)
        elements.reverse()
        if not any(type(e) is A.GuardCall for e in elements):
            return node
        handlers = [i for i, e in enumerate(elements) if type(e) is not A.GuardCall]
        if not handlers:
            self.reject(R.GUARD_NO_HANDLER, node.start, node.end)
            return A.Invalid(self.file, node.start, node.end, "guard-chain", list(elements))
        if len(handlers) > 1:
            second = elements[handlers[1]]
            self.reject(R.GUARD_TWO_HANDLERS, second.start, second.end)
            return A.Invalid(self.file, node.start, node.end, "guard-chain", list(elements))
        position = handlers[0]
        pre = [e.function for e in elements[:position]]  # type: ignore[attr-defined]
        post = [e.function for e in elements[position + 1 :]]  # type: ignore[attr-defined]
        return A.GuardChain(self.file, node.start, node.end, pre, elements[position], post)

    def parse_unary(self) -> A.Expression:
        kind = self.kind
        start = self.start
        if kind in _UNARY_OPERATORS:
            self.enter(R.EXPRESSION_NESTING)
            end = self.end
            self.next()
            argument = self.parse_unary()
            self.depth -= 1
            if kind == "delete":
                self.reject(R.DELETE, start, end)
                return A.Invalid(self.file, start, self.prev_end, "delete", [argument])
            return A.Unary(self.file, start, self.prev_end, kind, argument)
        if kind == "++" or kind == "--":
            self.reject(R.PRE_INCREMENT if kind == "++" else R.PRE_DECREMENT, start, self.end)
            self.enter(R.EXPRESSION_NESTING)
            self.next()
            argument = self.parse_unary()
            self.depth -= 1
            return A.Invalid(self.file, start, self.prev_end, "update", [argument])
        if kind == IDENT and self.value == "await":
            follower, _, _, _, follower_nl = self.peek()
            if not follower_nl and follower not in (")", "]", "}", ",", ";", ":", "=", ".", "?.", "=>", EOF):
                self.reject(R.AWAIT, start, self.end)
                self.enter(R.EXPRESSION_NESTING)
                self.next()
                argument = self.parse_unary()
                self.depth -= 1
                return A.Invalid(self.file, start, self.prev_end, "await", [argument])
        if kind == "<" and self.ts and not self.jsx and start == self.arrow_start:
            arrow = self.try_generic_arrow(start)
            if arrow is not None:
                return arrow
            self.next()
            self.parse_type()
            if self.kind != ">":
                raise self.fail(codes.EXPECTED_TOKEN, f"expected '>' but found {self.token_text()}")
            end = self.end
            self.next()
            self.reject(R.ANGLE_ASSERTION, start, end)
            self.enter(R.EXPRESSION_NESTING)
            argument = self.parse_unary()
            self.depth -= 1
            return argument
        expression = self.parse_lhs()
        kind = self.kind
        if (kind == "++" or kind == "--") and not self.nl:
            self.reject(R.POST_INCREMENT if kind == "++" else R.POST_DECREMENT, start, self.end)
            self.next()
            return A.Invalid(self.file, start, self.prev_end, "update", [expression])
        return expression

    def parse_lhs(self) -> A.Expression:
        expression = self.parse_primary()
        if type(expression) is A.ArrowFunction:
            return expression
        chain = 0
        file = self.file
        while True:
            kind = self.kind
            if kind == ".":
                self.next()
                if not self.is_word():
                    if self.kind == PRIVATE_NAME:
                        self.reject(R.CLASS, self.start, self.end)
                    else:
                        raise self.fail(
                            codes.EXPECTED_IDENTIFIER,
                            f"expected a property name but found {self.token_text()}",
                        )
                name = str(self.value)
                name_start = self.start
                self.next()
                if type(expression) is A.Identifier and expression.name == "Object" and name in R.OBJECT_MEMBERS:
                    self.reject(R.OBJECT_MEMBERS[name], expression.start, self.prev_end)
                expression = A.Member(file, expression.start, self.prev_end, expression, name, name_start, False)
            elif kind == "(":
                expression = self.parse_call(expression, False, [])
            elif kind == "[":
                self.next()
                index = self.parse_expression()
                self.expect("]")
                expression = A.Index(file, expression.start, self.prev_end, expression, index, False)
            elif kind == "?.":
                self.next()
                if self.kind == "(":
                    expression = self.parse_call(expression, True, [])
                elif self.kind == "[":
                    self.next()
                    index = self.parse_expression()
                    self.expect("]")
                    expression = A.Index(file, expression.start, self.prev_end, expression, index, True)
                elif self.kind == "<" and self.ts:
                    type_arguments = self.parse_type_arguments()
                    expression = self.parse_call(expression, True, type_arguments)
                elif self.is_word():
                    name = str(self.value)
                    name_start = self.start
                    self.next()
                    expression = A.Member(file, expression.start, self.prev_end, expression, name, name_start, True)
                else:
                    raise self.fail(
                        codes.EXPECTED_IDENTIFIER, f"expected a property name but found {self.token_text()}"
                    )
            elif kind in (TEMPLATE, TEMPLATE_HEAD):
                quasi = self.parse_template()
                expression = A.TaggedTemplate(file, expression.start, self.prev_end, expression, quasi)
            elif kind == "!" and not self.nl and self.ts:
                # TypeScript non-null assertion `x!`: erased.
                self.next()
            elif kind == "<" and self.ts:
                type_arguments = self.try_parse(self.parse_call_type_arguments)
                if type_arguments is None:
                    break
                if self.kind == "(":
                    expression = self.parse_call(expression, False, type_arguments)
                else:
                    quasi = self.parse_template()
                    expression = A.TaggedTemplate(file, expression.start, self.prev_end, expression, quasi)
            else:
                break
            chain += 1
            if chain > NESTING_LIMIT:
                raise self.fail(*R.EXPRESSION_NESTING)
        return expression

    def parse_call_type_arguments(self) -> list[A.TypeNode]:
        arguments = self.parse_type_arguments()
        if self.kind not in ("(", TEMPLATE, TEMPLATE_HEAD):
            raise ParseAbort()
        return arguments

    def parse_call(self, callee: A.Expression, optional: bool, type_arguments: list[A.TypeNode]) -> A.Expression:
        dialect = type(callee) is A.Identifier and callee.name in _DIALECT_CALLS and not optional
        if dialect and callee.name == "comptime":  # type: ignore[attr-defined]
            self.comptime_depth += 1
            arguments = self.parse_arguments()
            self.comptime_depth -= 1
            return self.make_comptime(callee, arguments)
        arguments = self.parse_arguments()
        end = self.prev_end
        if dialect:
            name = callee.name  # type: ignore[attr-defined]
            if name == "pipe":
                if not arguments:
                    self.reject(R.PIPE_NO_ARGUMENTS, callee.start, end)
                    return A.Invalid(self.file, callee.start, end, "pipe", [])
                return A.PipeCall(self.file, callee.start, end, arguments)
            if len(arguments) != 1 or type(arguments[0]) is A.Spread:
                self.reject(R.GUARD_ARITY, callee.start, end)
                return A.Invalid(self.file, callee.start, end, "guard", list(arguments))
            return A.GuardCall(self.file, callee.start, end, arguments[0])
        return A.Call(self.file, callee.start, end, callee, arguments, optional, type_arguments)

    def make_comptime(self, callee: A.Expression, arguments: list[A.Expression]) -> A.Expression:
        end = self.prev_end
        if len(arguments) != 1 or type(arguments[0]) is A.Spread:
            self.reject(R.COMPTIME_ARITY, callee.start, end)
            return A.Invalid(self.file, callee.start, end, "comptime", list(arguments))
        expression = arguments[0]
        result = comptime.fold(expression)
        if isinstance(result, comptime.ComptimeError):
            self.reject((codes.COMPTIME_ERROR, result.message), result.node.start, result.node.end)
            return A.Invalid(self.file, callee.start, end, "comptime", [expression])
        value, literal = result
        return A.Comptime(self.file, callee.start, end, expression, value, literal)

    def parse_arguments(self) -> list[A.Expression]:
        self.next()  # '('
        arguments: list[A.Expression] = []
        while self.kind != ")":
            if self.kind == "...":
                start = self.start
                self.next()
                argument = self.parse_assign()
                arguments.append(A.Spread(self.file, start, self.prev_end, argument))
            else:
                arguments.append(self.parse_assign())
            if self.kind != ")":
                self.expect(",")
        self.next()
        return arguments

    def parse_primary(self) -> A.Expression:
        kind = self.kind
        start = self.start
        file = self.file
        arrow_ok = start == self.arrow_start
        if kind == IDENT:
            name = self.value
            if name == "async":
                arrow = self.try_async_arrow(start) if arrow_ok else None
                if arrow is not None:
                    return arrow
                if self.peek()[0] == "function":
                    self.reject(R.ASYNC, start, self.end)
                    self.next()
                    return self.parse_function_expression(self.start)
            elif name == "match":
                match = self.try_match(start)
                if match is not None:
                    return match
            self.next()
            if self.kind == "=>" and not self.nl and arrow_ok:
                parameter = A.Parameter(
                    file,
                    start,
                    self.prev_end,
                    A.Identifier(file, start, self.prev_end, name),
                    None,
                    None,
                    False,
                    False,
                )  # type: ignore[arg-type]
                return self.parse_arrow_body(start, [], [parameter], None)
            if name in R.FORBIDDEN_IDENTIFIERS:
                self.reject(R.FORBIDDEN_IDENTIFIERS[name], start, self.prev_end)  # type: ignore[index]
            elif name in _STRICT_RESERVED:
                self.reject(_reserved(str(name)), start, self.prev_end)
            self.value_references.add(name)  # type: ignore[arg-type]
            return A.Identifier(file, start, self.prev_end, name)  # type: ignore[arg-type]
        if kind == NUMBER:
            value = self.value
            self.next()
            return A.NumberLiteral(file, start, self.prev_end, value, self.text[start : self.prev_end])  # type: ignore[arg-type]
        if kind == STRING:
            value = self.value
            self.next()
            return A.StringLiteral(file, start, self.prev_end, value, self.text[start : self.prev_end])  # type: ignore[arg-type]
        if kind == "(":
            arrow = self.try_arrow(start) if arrow_ok else None
            if arrow is not None:
                return arrow
            self.enter(R.EXPRESSION_NESTING)
            self.next()
            expression = self.parse_expression()
            self.expect(")")
            self.depth -= 1
            return A.Paren(file, start, self.prev_end, expression)
        if kind in (TEMPLATE, TEMPLATE_HEAD):
            return self.parse_template()
        if kind == "{":
            return self.parse_object_literal()
        if kind == "[":
            return self.parse_array_literal()
        if kind == "true" or kind == "false":
            self.next()
            return A.BooleanLiteral(file, start, self.prev_end, kind == "true")
        if kind == "null":
            if self.comptime_depth == 0:
                self.reject(R.NULL, start, self.end)
            self.next()
            return A.NullLiteral(file, start, self.prev_end)
        if kind == "<":
            return self.parse_angle_primary(start, arrow_ok)
        if kind == "this":
            self.reject(R.THIS, start, self.end)
            self.next()
            return A.Invalid(file, start, self.prev_end, "this", [])
        if kind == "super":
            self.reject(R.SUPER, start, self.end)
            self.next()
            return A.Invalid(file, start, self.prev_end, "super", [])
        if kind == "function":
            return self.parse_function_expression(start)
        if kind == "class":
            return self.parse_class(start, start, expression=True)
        if kind == "new":
            return self.parse_new(start)
        if kind == "/" or kind == "/=":
            self.set_token(self.scanner.rescan_slash(start, self.nl))
            self.reject(R.REGEX, start, self.end)
            self.next()
            return A.Invalid(file, start, self.prev_end, "regex", [])
        if kind == "import":
            self.reject(R.DYNAMIC_IMPORT, start, self.end)
            self.next()
            if self.kind == ".":
                self.next()
                self.next()
            return A.Invalid(file, start, self.prev_end, "import", [])
        if kind == BIGINT:
            self.reject(R.BIGINT, start, self.end)
            self.next()
            return A.Invalid(file, start, self.prev_end, "bigint", [])
        if kind == "@":
            self.parse_decorators()
            return self.parse_primary()
        if kind == ERROR_TOKEN:
            # Already reported by the scanner; skip the character and keep going.
            self.next()
            return A.Invalid(file, start, self.prev_end, "error", [])
        if kind == EOF:
            raise self.fail(codes.UNEXPECTED_EOF, "expected an expression but reached the end of the file")
        raise self.fail(codes.EXPECTED_EXPRESSION, f"expected an expression but found {self.token_text()}")

    def parse_function_expression(self, start: int) -> A.Expression:
        self.reject(R.FUNCTION_EXPRESSION, start, self.end)
        self.next()  # 'function'
        if self.kind == "*":
            self.reject(R.GENERATOR, self.start, self.end)
            self.next()
        if self.kind == IDENT:
            self.next()
        if self.kind == "<":
            self.parse_type_parameters()
        parameters = self.parse_parameters()
        if self.kind == ":":
            self.parse_return_annotation()
        body = self.parse_function_body()
        return A.Invalid(self.file, start, self.prev_end, "function", [*parameters, body])

    def parse_new(self, start: int) -> A.Expression:
        self.reject(R.NEW, start, self.end)
        self.enter(R.EXPRESSION_NESTING)
        self.next()
        children: list[A.Node] = []
        if self.kind == ".":
            self.next()
            self.next()
        else:
            callee = self.parse_primary() if self.kind != "new" else self.parse_new(self.start)
            while self.kind in (".", "["):
                if self.kind == ".":
                    self.next()
                    self.next()
                else:
                    self.next()
                    self.parse_expression()
                    self.expect("]")
            children.append(callee)
            if self.kind == "<" and self.ts:
                self.try_parse(self.parse_call_type_arguments)
            if self.kind == "(":
                children.extend(self.parse_arguments())
        self.depth -= 1
        return A.Invalid(self.file, start, self.prev_end, "new", children)

    def parse_template(self) -> A.TemplateLiteral:
        start = self.start
        file = self.file
        if self.kind == TEMPLATE:
            raw = str(self.value)
            self.next()
            return A.TemplateLiteral(file, start, self.prev_end, [raw], [cook(raw)], [])
        quasis = [str(self.value)]
        expressions: list[A.Expression] = []
        self.next()
        self.enter(R.EXPRESSION_NESTING)
        while True:
            expressions.append(self.parse_expression())
            if self.kind != "}":
                raise self.fail(
                    codes.EXPECTED_TOKEN,
                    f"expected '}}' to close the template substitution but found {self.token_text()}",
                )
            self.set_token(self.scanner.rescan_template_continuation(self.start, self.nl))
            quasis.append(str(self.value))
            if self.kind == TEMPLATE_TAIL:
                self.next()
                break
            self.next()
        self.depth -= 1
        return A.TemplateLiteral(file, start, self.prev_end, quasis, [cook(q) for q in quasis], expressions)

    def parse_array_literal(self) -> A.Expression:
        start = self.start
        self.enter(R.EXPRESSION_NESTING)
        self.next()
        elements: list[A.Expression] = []
        while self.kind != "]":
            if self.kind == ",":
                self.reject(R.ARRAY_ELISION, self.start, self.end)
                elements.append(A.Invalid(self.file, self.start, self.start, "elision", []))
                self.next()
                continue
            if self.kind == "...":
                spread_start = self.start
                self.next()
                argument = self.parse_assign()
                elements.append(A.Spread(self.file, spread_start, self.prev_end, argument))
            else:
                elements.append(self.parse_assign())
            if self.kind != "]":
                self.expect(",")
        self.next()
        self.depth -= 1
        return A.ArrayLiteral(self.file, start, self.prev_end, elements)

    def parse_property_name(self) -> tuple[A.Expression, bool]:
        kind = self.kind
        start = self.start
        if kind == IDENT or kind in KEYWORDS:
            name = str(self.value)
            self.next()
            return A.Identifier(self.file, start, self.prev_end, name), False
        if kind == STRING:
            value = str(self.value)
            self.next()
            return A.StringLiteral(self.file, start, self.prev_end, value, self.text[start : self.prev_end]), False
        if kind == NUMBER:
            value_number = self.value
            self.next()
            return (
                A.NumberLiteral(
                    self.file,
                    start,
                    self.prev_end,
                    value_number,  # type: ignore[arg-type]
                    self.text[start : self.prev_end],
                ),
                False,
            )
        if kind == "[":
            self.next()
            key = self.parse_assign()
            self.expect("]")
            return key, True
        raise self.fail(codes.EXPECTED_PROPERTY_NAME, f"expected a property name but found {self.token_text()}")

    def parse_object_literal(self) -> A.Expression:
        start = self.start
        file = self.file
        self.enter(R.EXPRESSION_NESTING)
        self.next()
        properties: list[A.Node] = []
        while self.kind != "}":
            property_start = self.start
            if self.kind == "...":
                self.next()
                argument = self.parse_assign()
                properties.append(A.Spread(file, property_start, self.prev_end, argument))
            else:
                kind = "init"
                if self.kind == IDENT and self.value in ("get", "set", "async"):
                    follower, _, _, _, follower_nl = self.peek()
                    if follower not in _NOT_MEMBER_NAME_FOLLOWERS and not (self.value == "async" and follower_nl):
                        if self.value == "async":
                            self.reject(R.ASYNC, self.start, self.end)
                            kind = "method"
                        else:
                            kind = str(self.value)
                        self.next()
                if self.kind == "*":
                    self.reject(R.GENERATOR, self.start, self.end)
                    self.next()
                    kind = "method"
                key_kind = self.kind
                key, computed = self.parse_property_name()
                if self.kind in ("(", "<"):
                    function = self.parse_method(property_start, key)
                    properties.append(
                        A.Property(
                            file,
                            property_start,
                            self.prev_end,
                            key,
                            function,
                            computed,
                            False,
                            "method" if kind == "init" else kind,
                        )
                    )
                elif kind in ("get", "set"):
                    raise self.fail(codes.EXPECTED_TOKEN, f"expected '(' but found {self.token_text()}")
                elif self.kind == ":":
                    self.next()
                    value = self.parse_assign()
                    properties.append(
                        A.Property(file, property_start, self.prev_end, key, value, computed, False, "init")
                    )
                elif key_kind == IDENT and not computed:
                    name = key.name  # type: ignore[attr-defined]
                    self.value_references.add(name)
                    value_node: A.Expression = A.Identifier(file, key.start, key.end, name)
                    if self.kind == "=":
                        # `{ a = 1 } = obj` destructuring-assignment default.
                        self.next()
                        default = self.parse_assign()
                        value_node = A.Assign(file, key.start, self.prev_end, "=", value_node, default)
                    properties.append(
                        A.Property(file, property_start, self.prev_end, key, value_node, False, True, "init")
                    )
                else:
                    raise self.fail(codes.EXPECTED_TOKEN, f"expected ':' but found {self.token_text()}")
            if self.kind != "}":
                self.expect(",")
        self.next()
        self.depth -= 1
        return A.ObjectLiteral(file, start, self.prev_end, properties)

    def parse_method(self, start: int, key: A.Expression) -> A.FunctionExpression:
        type_parameters = self.parse_type_parameters() if self.kind == "<" else []
        parameters = self.parse_parameters()
        return_type = self.parse_return_annotation() if self.kind == ":" else None
        body = self.parse_function_body()
        self.check_duplicate_declarations(body.body, parameters)
        name = key.name if type(key) is A.Identifier else None  # type: ignore[attr-defined]
        return A.FunctionExpression(
            self.file, start, self.prev_end, name, type_parameters, parameters, return_type, body
        )

    # ---------------------------------------------------------- arrows

    def try_arrow(self, start: int) -> A.Expression | None:
        head = self.try_parse(self.parse_arrow_head)
        if head is None:
            return None
        parameters, return_type = head
        return self.parse_arrow_body(start, [], parameters, return_type)

    def parse_arrow_head(self) -> tuple[list[A.Parameter], A.TypeNode | None]:
        parameters = self.parse_parameters()
        return_type = self.parse_return_annotation() if self.kind == ":" else None
        if self.kind != "=>" or self.nl:
            raise ParseAbort()
        return parameters, return_type

    def try_generic_arrow(self, start: int) -> A.Expression | None:
        def head() -> tuple[list[A.TypeParameter], list[A.Parameter], A.TypeNode | None]:
            type_parameters = self.parse_type_parameters()
            parameters, return_type = self.parse_arrow_head()
            return type_parameters, parameters, return_type

        result = self.try_parse(head)
        if result is None:
            return None
        type_parameters, parameters, return_type = result
        return self.parse_arrow_body(start, type_parameters, parameters, return_type)

    def try_async_arrow(self, start: int) -> A.Expression | None:
        follower, _, _, _, follower_nl = self.peek()
        if follower_nl or follower not in ("(", IDENT, "<"):
            return None
        state = self.snapshot()
        self.next()  # 'async'
        if self.kind == IDENT:
            name = str(self.value)
            name_start = self.start
            self.next()
            if self.kind != "=>" or self.nl:
                self.restore(state)
                return None
            self.reject(R.ASYNC, start, start + 5)
            identifier = A.Identifier(self.file, name_start, self.prev_end, name)
            parameter = A.Parameter(self.file, name_start, self.prev_end, identifier, None, None, False, False)
            return self.parse_arrow_body(start, [], [parameter], None)
        arrow = self.try_generic_arrow(start) if self.kind == "<" else self.try_arrow(start)
        if arrow is None:
            self.restore(state)
            return None
        self.reject(R.ASYNC, start, start + 5)
        return arrow

    def parse_arrow_body(
        self,
        start: int,
        type_parameters: list[A.TypeParameter],
        parameters: list[A.Parameter],
        return_type: A.TypeNode | None,
    ) -> A.Expression:
        self.next()  # '=>'
        if self.kind == "{":
            body: A.Node = self.parse_function_body()
            self.check_duplicate_declarations(body.body, parameters)  # type: ignore[attr-defined]
        else:
            saved = (self.loop_depth, self.switch_depth, self.label_depth)
            self.loop_depth = self.switch_depth = self.label_depth = 0
            self.function_depth += 1
            body = self.parse_assign()
            self.function_depth -= 1
            self.loop_depth, self.switch_depth, self.label_depth = saved
        return A.ArrowFunction(self.file, start, self.prev_end, type_parameters, parameters, return_type, body)

    # ----------------------------------------------------------- match

    def try_match(self, start: int) -> A.Expression | None:
        """`match (subject) { when ...: ... default: ... }`, else `match` is a plain name."""
        state = self.snapshot()
        self.speculating += 1
        try:
            self.next()  # 'match'
            if self.kind != "(":
                raise ParseAbort()
            self.next()
            subject = self.parse_expression()
            if self.kind != ")":
                raise ParseAbort()
            self.next()
            if self.kind != "{":
                raise ParseAbort()
        except ParseAbort:
            self.restore(state)
            return None
        finally:
            self.speculating -= 1
        return self.parse_match_arms(start, subject)

    def parse_match_arms(self, start: int, subject: A.Expression) -> A.Expression:
        self.enter(R.EXPRESSION_NESTING)
        brace = self.start
        self.next()  # '{'
        arms: list[A.MatchArm] = []
        default: A.Expression | None = None
        while self.kind != "}":
            arm_start = self.start
            if self.kind == IDENT and self.value == "when":
                self.next()
                pattern = self.parse_pattern()
                self.expect(":")
                body = self.parse_assign()
                arms.append(A.MatchArm(self.file, arm_start, self.prev_end, pattern, body))
                if len(arms) == MAX_MATCH_ARMS + 1:
                    self.reject(R.MATCH_TOO_MANY_ARMS, arm_start, self.prev_end)
            elif self.kind == "default":
                self.next()
                self.expect(":")
                default = self.parse_assign()
            else:
                code, message = R.MATCH_EXPECTED_ARM
                raise self.fail(code, message)
            if self.kind == ",":
                self.next()
        self.next()
        self.depth -= 1
        if not arms and default is None:
            self.reject(R.MATCH_NO_ARMS, brace, self.prev_end)
        return A.Match(self.file, start, self.prev_end, subject, arms, default)

    def parse_pattern(self) -> A.Pattern:
        kind = self.kind
        start = self.start
        file = self.file
        self.enter(R.EXPRESSION_NESTING)
        pattern: A.Pattern
        if kind in (STRING, NUMBER, TEMPLATE) or kind == "true" or kind == "false":
            literal = self.parse_primary()
            pattern = A.LiteralPattern(file, start, self.prev_end, literal)
        elif kind == "-" and self.peek()[0] == NUMBER:
            self.next()
            number = self.parse_primary()
            pattern = A.LiteralPattern(file, start, self.prev_end, A.Unary(file, start, self.prev_end, "-", number))
        elif kind == "null":
            self.reject(R.NULL, start, self.end)
            self.next()
            pattern = A.LiteralPattern(file, start, self.prev_end, A.NullLiteral(file, start, self.prev_end))
        elif kind == IDENT and self.value == "_":
            self.next()
            pattern = A.WildcardPattern(file, start, self.prev_end)
        elif kind == IDENT and self.value == "undefined":
            self.next()
            pattern = A.LiteralPattern(
                file, start, self.prev_end, A.Identifier(file, start, self.prev_end, "undefined")
            )
        elif kind == "{":
            self.next()
            entries: list[tuple[str, A.Pattern]] = []
            while self.kind != "}":
                if not (self.is_word() or self.kind in (STRING, NUMBER)):
                    raise self.fail(
                        codes.EXPECTED_PROPERTY_NAME,
                        f"expected a property name but found {self.token_text()}",
                    )
                key = str(self.value) if self.kind != NUMBER else self.text[self.start : self.end]
                key_start = self.start
                self.next()
                self.expect(":")
                entries.append((key, self.parse_pattern()))
                if len(entries) == MAX_MATCH_ARMS + 1:
                    self.reject(R.MATCH_TOO_MANY_PROPERTIES, key_start, self.prev_end)
                if self.kind != "}":
                    self.expect(",")
            self.next()
            pattern = A.ObjectPattern(file, start, self.prev_end, entries)
        elif kind == "[":
            self.next()
            elements: list[A.Pattern] = []
            while self.kind != "]":
                elements.append(self.parse_pattern())
                if self.kind != "]":
                    self.expect(",")
            self.next()
            pattern = A.ArrayPattern(file, start, self.prev_end, elements)
        else:
            code, message = R.MATCH_EXPECTED_PATTERN
            raise self.fail(code, message)
        self.depth -= 1
        return pattern

    # ------------------------------------------------------------- JSX

    def parse_angle_primary(self, start: int, arrow_ok: bool) -> A.Expression:
        if self.jsx:
            if self.ts and arrow_ok:
                follower, _follower_value, _, _, _ = self.peek()
                if follower == IDENT:
                    arrow = self.try_generic_arrow(start)
                    if arrow is not None:
                        return arrow
            element = self.parse_jsx_root()
            return element
        if not self.ts:
            self.reject(R.JSX_IN_NON_JSX, start, self.end)
            return self.parse_jsx_root()
        raise self.fail(codes.EXPECTED_EXPRESSION, f"expected an expression but found {self.token_text()}")

    def parse_jsx_root(self) -> A.Expression:
        start = self.start
        self.next()
        element = self.parse_jsx_element(start)
        self.next()
        return element

    def parse_jsx_name(self) -> tuple[str, int]:
        if not self.is_word():
            raise self.fail(codes.INVALID_JSX_ATTRIBUTE, f"expected a JSX tag name but found {self.token_text()}")
        self.set_token(self.scanner.extend_jsx_name(self.start, self.end, self.nl))
        name = str(self.value)
        name_start = self.start
        self.next()
        if self.kind == ":":
            self.next()
            if not self.is_word():
                raise self.fail(codes.INVALID_JSX_ATTRIBUTE, f"expected a JSX name but found {self.token_text()}")
            self.set_token(self.scanner.extend_jsx_name(self.start, self.end, self.nl))
            name = f"{name}:{self.value}"
            self.next()
        else:
            while self.kind == ".":
                self.next()
                if not self.is_word():
                    raise self.fail(codes.INVALID_JSX_ATTRIBUTE, f"expected a JSX name but found {self.token_text()}")
                name = f"{name}.{self.value}"
                self.next()
        return name, name_start

    def jsx_component(self, name: str, start: int) -> A.Expression:
        parts = name.split(".")
        self.value_references.add(parts[0])
        offset = start
        expression: A.Expression = A.Identifier(self.file, offset, offset + len(parts[0]), parts[0])
        offset += len(parts[0])
        for part in parts[1:]:
            offset += 1
            expression = A.Member(self.file, start, offset + len(part), expression, part, offset, False)
            offset += len(part)
        return expression

    def parse_jsx_element(self, start: int) -> A.JSXElement:
        """Current token follows "<"; returns with the closing ">" as current token."""
        self.enter(R.EXPRESSION_NESTING)
        file = self.file
        if self.kind == ">":
            children = self.parse_jsx_children(start, "")
            if self.kind != ">":
                self.reject(R.MISMATCHED_JSX, self.start, self.end)
                raise self.fail(codes.EXPECTED_TOKEN, f"expected '>' but found {self.token_text()}")
            self.depth -= 1
            return A.JSXElement(file, start, self.end, None, None, [], children)
        name, name_start = self.parse_jsx_name()
        intrinsic = _is_intrinsic_tag(name)
        component = None if intrinsic else self.jsx_component(name, name_start)
        if self.kind == "<" and self.ts:
            self.parse_type_arguments()
        attributes: list[A.Node] = []
        while True:
            kind = self.kind
            if kind == "/":
                self.next()
                if self.kind != ">":
                    raise self.fail(codes.EXPECTED_TOKEN, f"expected '>' but found {self.token_text()}")
                self.depth -= 1
                return A.JSXElement(file, start, self.end, name if intrinsic else None, component, attributes, [])
            if kind == ">":
                break
            attribute_start = self.start
            if kind == "{":
                self.next()
                if self.kind != "...":
                    raise self.fail(codes.INVALID_JSX_ATTRIBUTE, "expected '...' in a JSX spread attribute")
                self.next()
                argument = self.parse_assign()
                if self.kind != "}":
                    raise self.fail(codes.EXPECTED_TOKEN, f"expected '}}' but found {self.token_text()}")
                self.next()
                attributes.append(A.JSXSpreadAttribute(file, attribute_start, self.prev_end, argument))
                continue
            if not self.is_word():
                if kind == EOF:
                    raise self.fail(codes.UNCLOSED_JSX_ELEMENT, f"unclosed JSX element '<{name}>'", start, start + 1)
                raise self.fail(codes.INVALID_JSX_ATTRIBUTE, f"invalid JSX attribute {self.token_text()}")
            attribute_name, _ = self.parse_jsx_name()
            value: A.Expression | None = None
            if self.kind == "=":
                self.next()
                if self.kind == STRING:
                    self.set_token(self.scanner.rescan_jsx_string(self.start, self.nl))
                    text = str(self.value)
                    if "&" in text:
                        text = html.unescape(text)
                    value = A.StringLiteral(file, self.start, self.end, text, self.text[self.start : self.end])
                    self.next()
                elif self.kind == "{":
                    self.next()
                    if self.kind == "}":
                        raise self.fail(
                            codes.JSX_EXPRESSION_EXPECTED,
                            "JSX attribute value must not be an empty expression",
                        )
                    value = self.parse_assign()
                    if self.kind != "}":
                        raise self.fail(codes.EXPECTED_TOKEN, f"expected '}}' but found {self.token_text()}")
                    self.next()
                elif self.kind == "<":
                    element_start = self.start
                    self.next()
                    value = self.parse_jsx_element(element_start)
                    self.next()
                else:
                    raise self.fail(codes.INVALID_JSX_ATTRIBUTE, f"invalid JSX attribute value {self.token_text()}")
            attributes.append(A.JSXAttribute(file, attribute_start, self.prev_end, attribute_name, value))
        children = self.parse_jsx_children(start, name)
        closing_start = self.start
        closing_name, _ = self.parse_jsx_name() if self.kind != ">" else ("", 0)
        if closing_name != name:
            self.diagnostics.append(
                make_diagnostic(
                    file,
                    closing_start,
                    self.prev_end,
                    codes.MISMATCHED_JSX_TAG,
                    f"mismatched JSX closing tag; expected '</{name}>'",
                )
            )
        if self.kind != ">":
            raise self.fail(codes.EXPECTED_TOKEN, f"expected '>' but found {self.token_text()}")
        self.depth -= 1
        return A.JSXElement(file, start, self.end, name if intrinsic else None, component, attributes, children)

    def parse_jsx_children(self, start: int, name: str) -> list[A.Expression]:
        """Current token is the ">" of the opening tag; stops after "</"."""
        file = self.file
        scanner = self.scanner
        children: list[A.Expression] = []
        self.set_token(scanner.scan_jsx_child(self.end))
        while True:
            kind = self.kind
            if kind == JSX_TEXT:
                raw = str(self.value)
                text = normalize_jsx_text(raw)
                if text:
                    # Span starts at the first visible character (what runtime errors should point at).
                    first = self.start + len(raw) - len(raw.lstrip())
                    children.append(A.JSXText(file, first, self.end, text))
                self.set_token(scanner.scan_jsx_child(self.end))
            elif kind == "{":
                container_start = self.start
                self.next()
                if self.kind == "}":
                    children.append(A.JSXExpressionContainer(file, container_start, self.end, None))
                else:
                    if self.kind == "...":
                        spread_start = self.start
                        self.next()
                        inner = self.parse_expression()
                        expression: A.Expression = A.Spread(file, spread_start, self.prev_end, inner)
                    else:
                        expression = self.parse_expression()
                    if self.kind != "}":
                        raise self.fail(codes.EXPECTED_TOKEN, f"expected '}}' but found {self.token_text()}")
                    children.append(A.JSXExpressionContainer(file, container_start, self.end, expression))
                self.set_token(scanner.scan_jsx_child(self.end))
            elif kind == "<":
                child_start = self.start
                self.next()
                if self.kind == "/":
                    self.next()
                    return children
                children.append(self.parse_jsx_element(child_start))
                self.set_token(scanner.scan_jsx_child(self.end))
            else:
                label = f"<{name}>" if name else "<>"
                raise self.fail(codes.UNCLOSED_JSX_ELEMENT, f"unclosed JSX element '{label}'", start, start + 1)

    # ------------------------------------------------------------ types

    def parse_type_annotation(self) -> A.TypeNode:
        self.type_syntax(self.start, self.end)
        self.next()  # ':'
        return self.parse_type()

    def parse_return_annotation(self) -> A.TypeNode:
        self.type_syntax(self.start, self.end)
        self.next()  # ':'
        start = self.start
        if self.kind == IDENT and self.value == "asserts":
            follower, _, _, _, follower_nl = self.peek()
            if (follower == IDENT or follower == "this") and not follower_nl:
                self.next()
                parameter = str(self.value)
                self.next()
                asserted = None
                if self.kind == IDENT and self.value == "is":
                    self.next()
                    asserted = self.parse_type()
                return A.TypePredicate(self.file, start, self.prev_end, parameter, asserted, True)
        if self.kind == IDENT or self.kind == "this":
            follower, follower_value, _, _, follower_nl = self.peek()
            if follower == IDENT and follower_value == "is" and not follower_nl:
                parameter = str(self.value)
                self.next()
                self.next()
                asserted = self.parse_type()
                return A.TypePredicate(self.file, start, self.prev_end, parameter, asserted, False)
        return self.parse_type()

    def parse_type_parameters(self) -> list[A.TypeParameter]:
        self.type_syntax(self.start, self.end)
        self.next()  # '<'
        parameters: list[A.TypeParameter] = []
        while self.kind != ">":
            start = self.start
            while (
                (self.kind == IDENT and self.value in ("const", "out")) or self.kind in ("in", "const")
            ) and self.peek()[0] == IDENT:
                self.next()
            if self.kind != IDENT:
                raise self.fail(
                    codes.EXPECTED_IDENTIFIER, f"expected a type parameter name but found {self.token_text()}"
                )
            name = str(self.value)
            self.next()
            constraint = None
            default = None
            if self.kind == "extends":
                self.next()
                constraint = self.parse_type()
            if self.kind == "=":
                self.next()
                default = self.parse_type()
            parameters.append(A.TypeParameter(self.file, start, self.prev_end, name, constraint, default))
            if self.kind != ">":
                self.expect(",")
        self.next()
        return parameters

    def parse_type_arguments(self) -> list[A.TypeNode]:
        self.type_syntax(self.start, self.end)
        self.next()  # '<'
        arguments: list[A.TypeNode] = []
        while self.kind != ">":
            arguments.append(self.parse_type())
            if self.kind != ">":
                self.expect(",")
        self.next()
        return arguments

    def parse_type(self) -> A.TypeNode:
        self.enter(R.EXPRESSION_NESTING)
        start = self.start
        kind = self.kind
        if kind == "<":
            result: A.TypeNode = self.parse_function_type(start, self.parse_type_parameters(), False)
        elif kind == "(" and (function_type := self.try_parse(self.parse_function_type_after_paren)) is not None:
            result = function_type
        elif kind == "new":
            self.next()
            type_parameters = self.parse_type_parameters() if self.kind == "<" else []
            result = self.parse_function_type(start, type_parameters, True)
        else:
            result = self.parse_union_type()
            if self.kind == "extends" and not self.nl:
                self.next()
                extends = self.parse_union_type()
                self.expect("?")
                true_type = self.parse_type()
                self.expect(":")
                false_type = self.parse_type()
                result = A.ConditionalType(self.file, start, self.prev_end, result, extends, true_type, false_type)
        self.depth -= 1
        return result

    def parse_function_type_after_paren(self) -> A.TypeNode:
        start = self.start
        parameters = self.parse_parameters(in_type=True)
        if self.kind != "=>":
            raise ParseAbort()
        self.next()
        return_type = self.parse_type_predicate_or_type()
        return A.FunctionType(self.file, start, self.prev_end, [], parameters, return_type, False)

    def parse_function_type(self, start: int, type_parameters: list[A.TypeParameter], construct: bool) -> A.TypeNode:
        parameters = self.parse_parameters(in_type=True)
        self.expect("=>")
        return_type = self.parse_type_predicate_or_type()
        return A.FunctionType(self.file, start, self.prev_end, type_parameters, parameters, return_type, construct)

    def parse_type_predicate_or_type(self) -> A.TypeNode:
        start = self.start
        if self.kind == IDENT and self.value == "asserts":
            follower, _, _, _, follower_nl = self.peek()
            if follower == IDENT and not follower_nl:
                self.next()
                parameter = str(self.value)
                self.next()
                asserted = None
                if self.kind == IDENT and self.value == "is":
                    self.next()
                    asserted = self.parse_type()
                return A.TypePredicate(self.file, start, self.prev_end, parameter, asserted, True)
        if self.kind == IDENT:
            follower, follower_value, _, _, follower_nl = self.peek()
            if follower == IDENT and follower_value == "is" and not follower_nl:
                parameter = str(self.value)
                self.next()
                self.next()
                return A.TypePredicate(self.file, start, self.prev_end, parameter, self.parse_type(), False)
        return self.parse_type()

    def parse_union_type(self) -> A.TypeNode:
        return self._parse_type_series("|", self.parse_intersection_type, A.UnionType)

    def parse_intersection_type(self) -> A.TypeNode:
        return self._parse_type_series("&", self.parse_type_operator, A.IntersectionType)

    def _parse_type_series(self, operator: str, operand: Callable[[], A.TypeNode],
                           node: Callable[..., A.TypeNode]) -> A.TypeNode:
        """`A | B | C` or `A & B & C`, with an optional leading operator; one operand stays itself."""
        start = self.start
        if self.kind == operator:
            self.next()
        first = operand()
        if self.kind != operator:
            return first
        types = [first]
        while self.kind == operator:
            self.next()
            types.append(operand())
        return node(self.file, start, self.prev_end, types)

    def parse_type_operator(self) -> A.TypeNode:
        start = self.start
        if self.kind == IDENT and self.value in ("keyof", "unique", "readonly", "infer"):
            operator = str(self.value)
            follower, _, _, _, _ = self.peek()
            if follower not in ("|", "&", ")", "]", ",", ";", ">", "=", "}", "?", ":", EOF, "["):
                self.next()
                self.enter(R.EXPRESSION_NESTING)
                if operator == "infer":
                    name = str(self.value)
                    self.next()
                    constraint = None
                    if self.kind == "extends" and self.peek()[0] != "?":
                        state = self.snapshot()
                        self.next()
                        constraint = self.parse_type_operator()
                        if self.kind == "?":
                            self.restore(state)
                            constraint = None
                    self.depth -= 1
                    return A.InferType(self.file, start, self.prev_end, name, constraint)
                operand = self.parse_type_operator()
                self.depth -= 1
                return A.TypeOperator(self.file, start, self.prev_end, operator, operand)
        return self.parse_postfix_type()

    def parse_postfix_type(self) -> A.TypeNode:
        start = self.start
        result = self.parse_primary_type()
        while self.kind == "[" and not self.nl:
            self.next()
            if self.kind == "]":
                self.next()
                result = A.ArrayType(self.file, start, self.prev_end, result)
            else:
                index = self.parse_type()
                self.expect("]")
                result = A.IndexedAccessType(self.file, start, self.prev_end, result, index)
        return result

    def parse_primary_type(self) -> A.TypeNode:
        kind = self.kind
        start = self.start
        file = self.file
        if kind == IDENT:
            name = str(self.value)
            if name in _TYPE_KEYWORDS:
                if name == "any":
                    self.reject(R.ANY, start, self.end)
                self.next()
                if self.kind != ".":
                    return A.KeywordType(file, start, self.prev_end, name)
                self.restore_identifier(start, name)
            self.next()
            while self.kind == ".":
                self.next()
                if not self.is_word():
                    raise self.fail(codes.EXPECTED_IDENTIFIER, f"expected a type name but found {self.token_text()}")
                name = f"{name}.{self.value}"
                self.next()
            arguments = self.parse_type_arguments() if self.kind == "<" and not self.nl else []
            return A.TypeReference(file, start, self.prev_end, name, arguments)
        if kind in ("void", "null", "this"):
            self.next()
            return A.KeywordType(file, start, self.prev_end, kind)
        if kind == "true" or kind == "false":
            self.next()
            return A.LiteralType(file, start, self.prev_end, kind == "true")
        if kind in (STRING, NUMBER):
            value = self.value
            self.next()
            return A.LiteralType(file, start, self.prev_end, value)
        if kind == "-" and self.peek()[0] == NUMBER:
            self.next()
            value = -float(self.value)  # type: ignore[arg-type]
            self.next()
            return A.LiteralType(file, start, self.prev_end, value)
        if kind in (TEMPLATE, TEMPLATE_HEAD):
            return self.parse_template_literal_type()
        if kind == "typeof":
            self.next()
            if not (self.is_word()):
                raise self.fail(codes.EXPECTED_IDENTIFIER, f"expected a name but found {self.token_text()}")
            name = str(self.value)
            self.next()
            while self.kind == ".":
                self.next()
                name = f"{name}.{self.value}"
                self.next()
            arguments = self.parse_type_arguments() if self.kind == "<" and not self.nl else []
            return A.TypeQuery(file, start, self.prev_end, name, arguments)
        if kind == "{":
            return self.parse_object_or_mapped_type()
        if kind == "[":
            return self.parse_tuple_type()
        if kind == "(":
            self.next()
            inner = self.parse_type()
            self.expect(")")
            return inner
        if kind == EOF:
            raise self.fail(codes.UNEXPECTED_EOF, "expected a type but reached the end of the file")
        raise self.fail(codes.UNEXPECTED_TOKEN, f"expected a type but found {self.token_text()}")

    def restore_identifier(self, start: int, name: str) -> None:
        """Back up to a keyword-like identifier used as a qualified name (`string.x`)."""
        self.scanner.pos = start
        self.next()

    def parse_template_literal_type(self) -> A.TypeNode:
        start = self.start
        if self.kind == TEMPLATE:
            raw = str(self.value)
            self.next()
            return A.TemplateLiteralType(self.file, start, self.prev_end, [cook(raw)], [])
        quasis = [cook(str(self.value))]
        types: list[A.TypeNode] = []
        self.next()
        while True:
            types.append(self.parse_type())
            if self.kind != "}":
                raise self.fail(codes.EXPECTED_TOKEN, f"expected '}}' but found {self.token_text()}")
            self.set_token(self.scanner.rescan_template_continuation(self.start, self.nl))
            quasis.append(cook(str(self.value)))
            if self.kind == TEMPLATE_TAIL:
                self.next()
                break
            self.next()
        return A.TemplateLiteralType(self.file, start, self.prev_end, quasis, types)

    def parse_tuple_type(self) -> A.TypeNode:
        start = self.start
        self.next()
        elements: list[A.TupleMember] = []
        while self.kind != "]":
            element_start = self.start
            rest = False
            if self.kind == "...":
                rest = True
                self.next()
            name = None
            optional = False
            if self.kind == IDENT:
                follower = self.peek()[0]
                if follower == ":" or follower == "?":
                    state = self.snapshot()
                    candidate = str(self.value)
                    self.next()
                    if self.kind == "?":
                        self.next()
                        optional = True
                    if self.kind == ":":
                        self.next()
                        name = candidate
                    else:
                        self.restore(state)
                        optional = False
            element_type = self.parse_type()
            if self.kind == "?":
                optional = True
                self.next()
            elements.append(A.TupleMember(self.file, element_start, self.prev_end, name, element_type, optional, rest))
            if self.kind != "]":
                self.expect(",")
        self.next()
        return A.TupleType(self.file, start, self.prev_end, elements)

    def parse_object_or_mapped_type(self) -> A.TypeNode:
        start = self.start
        state = self.snapshot()
        self.next()
        readonly: str | None = None
        if self.kind in ("+", "-"):
            readonly = str(self.kind)
            self.next()
        if self.kind == IDENT and self.value == "readonly":
            readonly = readonly or ""
            self.next()
        is_mapped = False
        if self.kind == "[":
            self.next()
            if self.kind == IDENT:
                self.next()
                is_mapped = self.kind == "in"
        self.restore(state)
        if not is_mapped:
            members = self.parse_object_type_members()
            return A.ObjectType(self.file, start, self.prev_end, members)
        self.next()  # '{'
        if self.kind in ("+", "-"):
            self.next()
        if self.kind == IDENT and self.value == "readonly":
            self.next()
        self.next()  # '['
        parameter = str(self.value)
        self.next()
        self.next()  # 'in'
        constraint = self.parse_type()
        name_type = None
        if self.kind == IDENT and self.value == "as":
            self.next()
            name_type = self.parse_type()
        self.expect("]")
        optional: str | None = None
        if self.kind in ("+", "-"):
            optional = str(self.kind)
            self.next()
        if self.kind == "?":
            optional = optional or ""
            self.next()
        mapped = None
        if self.kind == ":":
            self.next()
            mapped = self.parse_type()
        if self.kind in (";", ","):
            self.next()
        self.expect("}")
        return A.MappedType(
            self.file, start, self.prev_end, parameter, constraint, name_type, mapped, readonly, optional
        )

    def parse_object_type_members(self) -> list[A.Node]:
        self.expect("{")
        self.enter(R.EXPRESSION_NESTING)
        members: list[A.Node] = []
        file = self.file
        while self.kind != "}":
            start = self.start
            if self.kind == EOF:
                raise self.fail(codes.UNEXPECTED_EOF, "expected '}' but reached the end of the file")
            if self.kind in ("(", "<"):
                type_parameters = self.parse_type_parameters() if self.kind == "<" else []
                parameters = self.parse_parameters(in_type=True)
                return_type = self.parse_return_annotation() if self.kind == ":" else None
                members.append(
                    A.CallSignature(file, start, self.prev_end, type_parameters, parameters, return_type, False)
                )
            elif self.kind == "new" and self.peek()[0] in ("(", "<"):
                self.next()
                type_parameters = self.parse_type_parameters() if self.kind == "<" else []
                parameters = self.parse_parameters(in_type=True)
                return_type = self.parse_return_annotation() if self.kind == ":" else None
                members.append(
                    A.CallSignature(file, start, self.prev_end, type_parameters, parameters, return_type, True)
                )
            else:
                readonly = False
                if self.kind == IDENT and self.value in ("readonly", "get", "set"):
                    follower, _, _, _, _ = self.peek()
                    if follower not in _NOT_MEMBER_NAME_FOLLOWERS:
                        readonly = self.value == "readonly"
                        self.next()
                for modifier in _ACCESS_MODIFIERS:
                    if (
                        self.kind == IDENT
                        and self.value == modifier
                        and self.peek()[0] not in _NOT_MEMBER_NAME_FOLLOWERS
                    ):
                        self.reject(R.ACCESS_MODIFIER, self.start, self.end)
                        self.next()
                if self.kind == "[":
                    state = self.snapshot()
                    self.next()
                    if self.kind == IDENT and self.peek()[0] == ":":
                        key_name = str(self.value)
                        self.next()
                        self.next()
                        key_type = self.parse_type()
                        self.expect("]")
                        value_type = self.parse_type_annotation_required()
                        members.append(
                            A.IndexSignature(file, start, self.prev_end, key_name, key_type, value_type, readonly)
                        )
                        self.finish_type_member()
                        continue
                    self.restore(state)
                    self.next()
                    self.parse_assign()
                    self.expect("]")
                    name = "[computed]"
                elif self.is_word() or self.kind in (STRING, NUMBER):
                    name = str(self.value) if self.kind != NUMBER else self.text[self.start : self.end]
                    self.next()
                else:
                    raise self.fail(
                        codes.EXPECTED_PROPERTY_NAME,
                        f"expected a property name but found {self.token_text()}",
                    )
                optional = False
                if self.kind == "?":
                    optional = True
                    self.next()
                if self.kind in ("(", "<"):
                    type_parameters = self.parse_type_parameters() if self.kind == "<" else []
                    parameters = self.parse_parameters(in_type=True)
                    return_type = self.parse_return_annotation() if self.kind == ":" else None
                    members.append(
                        A.MethodSignature(
                            file,
                            start,
                            self.prev_end,
                            name,
                            type_parameters,
                            parameters,
                            return_type,
                            optional,
                        )
                    )
                else:
                    member_type = self.parse_type_annotation() if self.kind == ":" else None
                    members.append(
                        A.PropertySignature(file, start, self.prev_end, name, member_type, optional, readonly)
                    )
            self.finish_type_member()
        self.next()
        self.depth -= 1
        return members

    def parse_type_annotation_required(self) -> A.TypeNode:
        if self.kind != ":":
            raise self.fail(codes.EXPECTED_TOKEN, f"expected ':' but found {self.token_text()}")
        return self.parse_type_annotation()

    def finish_type_member(self) -> None:
        if self.kind in (";", ","):
            self.next()
        elif self.kind != "}" and not self.nl:
            raise self.fail(codes.EXPECTED_TOKEN, f"expected ';' but found {self.token_text()}")

    def parse_type_reference_or_fail(self) -> A.TypeNode:
        if self.kind != IDENT:
            raise self.fail(codes.EXPECTED_IDENTIFIER, f"expected a type name but found {self.token_text()}")
        return self.parse_postfix_type()


def parse_source(source: SourceFile, path: str | None = None) -> tuple[A.Module, list[Diagnostic]]:
    """Parse one file; returns the module and every diagnostic found in it."""
    parser = Parser(source, path)
    module = parser.parse_module()
    return module, parser.diagnostics
