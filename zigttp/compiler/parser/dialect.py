"""Arrow functions (including the speculative forms) and the `match` expression with its patterns."""

from __future__ import annotations

from zigttp.compiler import ast as A
from zigttp.compiler import codes as table
from zigttp.compiler.codes import Rejected as R
from zigttp.compiler.parser.core import (
    MAX_MATCH_ARMS,
    ParseAbort,
    ParserCore,
)
from zigttp.compiler.scanner import (
    IDENT,
    NUMBER,
    STRING,
    TEMPLATE,
)


class DialectParser(ParserCore):
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
            self.scopes.append((body.body, parameters))  # type: ignore[attr-defined]
        else:
            saved = (self.loop_depth, self.switch_depth, self.label_depth)
            self.loop_depth = self.switch_depth = self.label_depth = 0
            self.function_depth += 1
            body = self.parse_assign()
            self.function_depth -= 1
            self.loop_depth, self.switch_depth, self.label_depth = saved
        return A.ArrowFunction(self.file, start, self.prev_end, type_parameters, parameters, return_type, body)

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
                raise self.fail(R.MATCH_EXPECTED_ARM.code, R.MATCH_EXPECTED_ARM.text())
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
                    raise self.expected(table.EXPECTED_PROPERTY_NAME, "a property name")
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
            raise self.fail(R.MATCH_EXPECTED_PATTERN.code, R.MATCH_EXPECTED_PATTERN.text())
        self.depth -= 1
        return pattern
