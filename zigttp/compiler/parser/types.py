"""TypeScript type syntax, kept in the tree for the checkers."""

from __future__ import annotations

from collections.abc import Callable

from zigttp.compiler import ast as A
from zigttp.compiler import codes as table
from zigttp.compiler.codes import Rejected as R
from zigttp.compiler.parser.core import (
    _ACCESS_MODIFIERS,
    _NOT_MEMBER_NAME_FOLLOWERS,
    _TYPE_KEYWORDS,
    ParseAbort,
    ParserCore,
)
from zigttp.compiler.scanner import (
    EOF,
    IDENT,
    NUMBER,
    STRING,
    TEMPLATE,
    TEMPLATE_HEAD,
    TEMPLATE_TAIL,
    cook,
)


class TypeParser(ParserCore):
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
                raise self.expected(table.EXPECTED_IDENTIFIER, "a type parameter name")
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
                    raise self.expected(table.EXPECTED_IDENTIFIER, "a type name")
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
                raise self.expected(table.EXPECTED_IDENTIFIER, "a name")
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
            raise self.fail_with(table.EXPECTED_BEFORE_EOF, what="a type")
        raise self.expected(table.EXPECTED_TYPE, "a type")

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
                raise self.expected(table.EXPECTED_TOKEN, "'}'")
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
                raise self.fail_with(table.EXPECTED_BEFORE_EOF, what="'}'")
            if self.kind in ("(", "<"):
                members.append(self.parse_call_signature(start, False))
            elif self.kind == "new" and self.peek()[0] in ("(", "<"):
                self.next()
                members.append(self.parse_call_signature(start, True))
            else:
                readonly = self.parse_type_member_modifiers()
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
                    raise self.expected(table.EXPECTED_PROPERTY_NAME, "a property name")
                optional = False
                if self.kind == "?":
                    optional = True
                    self.next()
                if self.kind in ("(", "<"):
                    type_parameters = self.parse_type_parameters() if self.kind == "<" else []
                    parameters = self.parse_parameters(in_type=True)
                    return_type = self.parse_return_annotation() if self.kind == ":" else None
                    members.append(A.MethodSignature(file, start, self.prev_end, name, type_parameters, parameters,
                                                     return_type, optional))
                else:
                    member_type = self.parse_type_annotation() if self.kind == ":" else None
                    members.append(
                        A.PropertySignature(file, start, self.prev_end, name, member_type, optional, readonly)
                    )
            self.finish_type_member()
        self.next()
        self.depth -= 1
        return members

    def parse_call_signature(self, start: int, construct: bool) -> A.CallSignature:
        """`(...): T` or `new (...): T` in an object type (after `new`)."""
        type_parameters = self.parse_type_parameters() if self.kind == "<" else []
        parameters = self.parse_parameters(in_type=True)
        return_type = self.parse_return_annotation() if self.kind == ":" else None
        return A.CallSignature(self.file, start, self.prev_end, type_parameters, parameters, return_type, construct)

    def parse_type_member_modifiers(self) -> bool:
        """Skip `readonly`/`get`/`set` and (rejected) access modifiers; True after `readonly`."""
        readonly = False
        if self.kind == IDENT and self.value in ("readonly", "get", "set"):
            follower, _, _, _, _ = self.peek()
            if follower not in _NOT_MEMBER_NAME_FOLLOWERS:
                readonly = self.value == "readonly"
                self.next()
        for modifier in _ACCESS_MODIFIERS:
            if self.kind == IDENT and self.value == modifier and self.peek()[0] not in _NOT_MEMBER_NAME_FOLLOWERS:
                self.reject(R.ACCESS_MODIFIER, self.start, self.end)
                self.next()
        return readonly

    def parse_type_annotation_required(self) -> A.TypeNode:
        if self.kind != ":":
            raise self.expected(table.EXPECTED_TOKEN, "':'")
        return self.parse_type_annotation()

    def finish_type_member(self) -> None:
        if self.kind in (";", ","):
            self.next()
        elif self.kind != "}" and not self.nl:
            raise self.expected(table.EXPECTED_TOKEN, "';'")

    def parse_type_reference_or_fail(self) -> A.TypeNode:
        if self.kind != IDENT:
            raise self.expected(table.EXPECTED_IDENTIFIER, "a type name")
        return self.parse_postfix_type()
