"""Expressions by precedence: assignment, conditional, binary and `|>` (Pratt), unary,
member access and calls (including `comptime`, `pipe` and `guard`)."""

from __future__ import annotations

from zigttp.compiler import ast as A
from zigttp.compiler import codes as table
from zigttp.compiler import comptime
from zigttp.compiler.ast import unparen
from zigttp.compiler.codes import Rejected as R
from zigttp.compiler.parser.core import (
    _ASSIGNMENT_OPERATORS,
    _DIALECT_CALLS,
    _PRECEDENCE,
    _RELATIONAL,
    _UNARY_OPERATORS,
    NESTING_LIMIT,
    ParseAbort,
    ParserCore,
)
from zigttp.compiler.scanner import (
    EOF,
    IDENT,
    PRIVATE_NAME,
    TEMPLATE,
    TEMPLATE_HEAD,
)

# Tokens that may start a prefix form (`<` a generic arrow or an angle-bracket assertion), and a postfix one.
_PREFIXES = _UNARY_OPERATORS | frozenset({"++", "--", "<"})
_POSTFIX_STARTS = frozenset({".", "(", "[", "?.", TEMPLATE, TEMPLATE_HEAD, "!", "<"})
_CONDITIONAL_OR_ASSIGNMENT = _ASSIGNMENT_OPERATORS | {"?"}
# Tokens that may continue an operand as a binary operator (a name: `as` or `satisfies`).
_OPERATOR_STARTS = frozenset(_PRECEDENCE) | {IDENT}


class ExpressionParser(ParserCore):
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
        self.depth += 1  # `enter`, without its frame: every expression starts here
        if self.depth > NESTING_LIMIT:
            raise self.fail(R.EXPRESSION_NESTING.code, R.EXPRESSION_NESTING.text())
        if self.kind == "yield":
            result = self.parse_yield()
            self.depth -= 1
            return result
        self.arrow_start = self.start
        left = self.parse_binary(1)
        if self.kind not in _CONDITIONAL_OR_ASSIGNMENT:  # the commonest case: neither follows
            self.depth -= 1
            return left
        if self.kind == "?" and type(left) is not A.ArrowFunction:
            left = self.finish_conditional(left)
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
        node = unparen(node)
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

    def finish_conditional(self, test: A.Expression) -> A.Expression:
        """`test ? a : b` from its "?" on (the conditional level of `parse_assign`)."""
        self.next()
        consequent = self.parse_assign()
        self.expect(":")
        alternate = self.parse_assign()
        return A.Conditional(self.file, test.start, self.prev_end, test, consequent, alternate)

    def parse_binary(self, min_precedence: int) -> A.Expression:
        left = self.parse_unary()
        if type(left) is A.ArrowFunction or self.kind not in _OPERATOR_STARTS:
            return left  # the commonest case: an operand with no operator after it
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
        if kind in _PREFIXES or (kind == IDENT and self.value == "await"):
            prefixed = self.parse_prefixed(kind, start)
            if prefixed is not None:
                return prefixed
        expression = self.parse_lhs()
        kind = self.kind
        if (kind == "++" or kind == "--") and not self.nl:
            self.reject(R.POST_INCREMENT if kind == "++" else R.POST_DECREMENT, start, self.end)
            self.next()
            return A.Invalid(self.file, start, self.prev_end, "update", [expression])
        return expression

    def parse_prefixed(self, kind: str, start: int) -> A.Expression | None:
        """An expression after a prefix operator, `await` or a `<T>` assertion; None if `kind` starts none here."""
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
                raise self.expected(table.EXPECTED_TOKEN, "'>'")
            end = self.end
            self.next()
            self.reject(R.ANGLE_ASSERTION, start, end)
            self.enter(R.EXPRESSION_NESTING)
            argument = self.parse_unary()
            self.depth -= 1
            return argument
        return None

    def parse_lhs(self) -> A.Expression:
        expression = self.parse_primary()
        if type(expression) is A.ArrowFunction:
            return expression
        chain = 0
        file = self.file
        while True:
            kind = self.kind
            if kind not in _POSTFIX_STARTS:  # the commonest case, one test instead of the chain below
                break
            if kind == ".":
                self.next()
                if not self.is_word():
                    if self.kind == PRIVATE_NAME:
                        self.reject(R.CLASS, self.start, self.end)
                    else:
                        raise self.expected(table.EXPECTED_IDENTIFIER, "a property name")
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
                    raise self.expected(table.EXPECTED_IDENTIFIER, "a property name")
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
                raise self.fail(R.EXPRESSION_NESTING.code, R.EXPRESSION_NESTING.text())
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
            self.reject(result.rule, result.node.start, result.node.end, **result.values)
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
