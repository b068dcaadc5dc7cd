"""Constructs zigts rejects, parsed completely so parsing continues.

Loops other than for-of, exceptions, `switch`, classes, enums, namespaces,
decorators, `yield`, function expressions and `new` are reported with their
upstream message and kept as `Invalid` nodes.
"""

from __future__ import annotations

from zigttp.compiler import ast as A
from zigttp.compiler import codes as table
from zigttp.compiler.codes import Rejected as R
from zigttp.compiler.parser.core import (
    _ACCESS_MODIFIERS,
    _CLASS_MODIFIERS,
    _NOT_MEMBER_NAME_FOLLOWERS,
    ParseAbort,
    ParserCore,
)
from zigttp.compiler.scanner import (
    BIGINT,
    EOF,
    IDENT,
    NUMBER,
    PRIVATE_NAME,
    STRING,
)


class RejectedParser(ParserCore):
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
            raise self.expected(table.EXPECTED_TOKEN, "'while'")
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
                raise self.expected(table.EXPECTED_TOKEN, "'case' or 'default'")
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

    def parse_decorators(self) -> None:
        while self.kind == "@":
            start = self.start
            self.next()
            expression = self.parse_lhs()
            self.reject(R.DECORATOR, start, expression.end)

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
                raise self.expected(table.EXPECTED_PROPERTY_NAME, "an enum member")
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
            self.parse_class_member(children)
        self.next()
        return A.Invalid(self.file, start, self.prev_end, "class", children)

    def parse_class_member(self, children: list[A.Node]) -> None:
        """One member of a class body; method bodies and initialisers are added to `children`."""
        if self.kind == EOF:
            raise self.fail_with(table.EXPECTED_BEFORE_EOF, what="'}'")
        if self.kind == ";":
            self.next()
            return
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
            return
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
                return
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
            return
        if self.kind == ":":
            self.parse_type_annotation()
        if self.kind == "=":
            self.next()
            children.append(self.parse_assign())
        self.consume_semicolon()

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

    def parse_rejected_primary(self, kind: str, start: int) -> A.Expression:
        """`this`, `super`, a regular expression, `import(...)`/`import.meta`, a BigInt."""
        file = self.file
        if kind == "/" or kind == "/=":
            self.set_token(self.scanner.rescan_slash(start, self.nl))
            self.reject(R.REGEX, start, self.end)
            self.next()
            return A.Invalid(file, start, self.prev_end, "regex", [])
        rule, what = {"this": (R.THIS, "this"), "super": (R.SUPER, "super"), "import": (R.DYNAMIC_IMPORT, "import"),
                      BIGINT: (R.BIGINT, "bigint")}[kind]
        self.reject(rule, start, self.end)
        self.next()
        if kind == "import" and self.kind == ".":
            self.next()
            self.next()
        return A.Invalid(file, start, self.prev_end, what, [])
