"""Primary expressions: names, literals, templates, array and object literals, methods."""

from __future__ import annotations

from zigttp.compiler import ast as A
from zigttp.compiler import codes as table
from zigttp.compiler.codes import Rejected as R
from zigttp.compiler.parser.core import (
    _NOT_MEMBER_NAME_FOLLOWERS,
    _STRICT_RESERVED,
    ParserCore,
)
from zigttp.compiler.scanner import (
    BIGINT,
    EOF,
    ERROR_TOKEN,
    IDENT,
    KEYWORDS,
    NUMBER,
    STRING,
    TEMPLATE,
    TEMPLATE_HEAD,
    TEMPLATE_TAIL,
    cook,
)

# Primaries zigts rejects (see `RejectedParser.parse_rejected_primary`).
_REJECTED_PRIMARIES = frozenset({"this", "super", "/", "/=", "import", BIGINT})
# Names rejected where they are read (one test for the usual name that is neither).
_REJECTED_NAMES = frozenset(R.FORBIDDEN_IDENTIFIERS) | _STRICT_RESERVED

class PrimaryParser(ParserCore):
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
            if name in _REJECTED_NAMES:
                if name in R.FORBIDDEN_IDENTIFIERS:
                    self.reject(R.FORBIDDEN_IDENTIFIERS[name], start, self.prev_end)  # type: ignore[index]
                else:
                    self.reject_reserved(str(name), start, self.prev_end)
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
        # Nestable primaries stay one Python frame per level (deep nesting is bounded by the recursion limit).
        if kind == "{":
            return self.parse_object_literal()
        if kind == "[":
            return self.parse_array_literal()
        if kind in (TEMPLATE, TEMPLATE_HEAD):
            return self.parse_template()
        if kind == "<":
            return self.parse_angle_primary(start, arrow_ok)
        return self.parse_other_primary(kind, start, arrow_ok)

    def parse_other_primary(self, kind: str, start: int, arrow_ok: bool) -> A.Expression:
        """Every primary but names, numbers, strings, parentheses, object, array and template literals and JSX."""
        file = self.file
        if kind == "true" or kind == "false":
            self.next()
            return A.BooleanLiteral(file, start, self.prev_end, kind == "true")
        if kind == "null":
            if self.comptime_depth == 0:
                self.reject(R.NULL, start, self.end)
            self.next()
            return A.NullLiteral(file, start, self.prev_end)
        if kind == "function":
            return self.parse_function_expression(start)
        if kind == "class":
            return self.parse_class(start, start, expression=True)
        if kind == "new":
            return self.parse_new(start)
        if kind == "@":
            self.parse_decorators()
            return self.parse_primary()
        if kind == ERROR_TOKEN:
            # Already reported by the scanner; skip the character and keep going.
            self.next()
            return A.Invalid(file, start, self.prev_end, "error", [])
        if kind in _REJECTED_PRIMARIES:
            return self.parse_rejected_primary(kind, start)
        if kind == EOF:
            raise self.fail_with(table.EXPECTED_BEFORE_EOF, what="an expression")
        raise self.expected(table.EXPECTED_EXPRESSION, "an expression")

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
                raise self.expected(table.EXPECTED_TOKEN, "'}' to close the template substitution")
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
        raise self.expected(table.EXPECTED_PROPERTY_NAME, "a property name")

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
                    raise self.expected(table.EXPECTED_TOKEN, "'('")
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
                    raise self.expected(table.EXPECTED_TOKEN, "':'")
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
        self.scopes.append((body.body, parameters))
        name = key.name if type(key) is A.Identifier else None  # type: ignore[attr-defined]
        return A.FunctionExpression(
            self.file, start, self.prev_end, name, type_parameters, parameters, return_type, body
        )
