"""Statement lists (with error recovery), blocks, variable declarations, binding patterns
and the supported statements."""

from __future__ import annotations

from zigttp.compiler import ast as A
from zigttp.compiler import codes as table
from zigttp.compiler.codes import Rejected as R
from zigttp.compiler.parser.core import (
    _ASSERT_FOLLOWERS,
    _RECOVERY_KEYWORDS,
    _STATEMENT_CONTEXTUAL,
    _UNBINDABLE,
    GENERATED_PREFIX,
    ParseAbort,
    ParserCore,
)
from zigttp.compiler.scanner import (
    EOF,
    IDENT,
    KEYWORDS,
    NUMBER,
    STRING,
    TEMPLATE_HEAD,
    Scanner,
)


class StatementParser(ParserCore):
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
        self.scopes.append((body, None))
        return body

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
                self.reject_reserved(str(name), start, self.end)
            self.next()
            return A.Identifier(self.file, start, self.prev_end, name)  # type: ignore[arg-type]
        if kind == "[":
            return self.parse_array_binding()
        if kind == "{":
            return self.parse_object_binding()
        raise self.expected(table.EXPECTED_IDENTIFIER, "a binding name")

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
                    raise self.expected(table.EXPECTED_PROPERTY_NAME, "a property name")
                key_start, key_end = self.start, self.end
                self.next()
                if self.kind == ":":
                    self.next()
                    target = self.parse_binding_target()
                    shorthand = False
                else:
                    if key_kind != IDENT:
                        raise self.expected(table.EXPECTED_TOKEN, "':'")
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
