"""Function declarations and parameters, and the type-level declarations
(`type`, `distinct type`, `interface`, `declare`)."""

from __future__ import annotations

from zigttp.compiler import ast as A
from zigttp.compiler import codes as table
from zigttp.compiler.codes import Rejected as R
from zigttp.compiler.parser.core import (
    _ACCESS_MODIFIERS,
    _CLASS_MODIFIERS,
    _UNBINDABLE,
    GENERATED_PREFIX,
    MAX_PARAMETERS,
    ParserCore,
)
from zigttp.compiler.scanner import (
    IDENT,
    STRING,
)


class DeclarationParser(ParserCore):
    def parse_function_declaration(self, start: int, allow_anonymous: bool = False) -> A.Statement:
        self.next()  # 'function'
        if self.kind == "*":
            self.reject(R.GENERATOR, self.start, self.end)
            self.next()
        name: A.Identifier | None = None
        if self.kind == IDENT:
            name = A.Identifier(self.file, self.start, self.end, str(self.value))
            if name.name in _UNBINDABLE or name.name.startswith(GENERATED_PREFIX):
                self.reject_reserved(name.name, name.start, name.end)
            self.next()
        elif not allow_anonymous:
            raise self.expected(table.EXPECTED_IDENTIFIER, "a function name")
        type_parameters = self.parse_type_parameters() if self.kind == "<" else []
        parameters = self.parse_parameters()
        return_type = self.parse_return_annotation() if self.kind == ":" else None
        body = None
        if self.kind == "{":
            body = self.parse_function_body()
            self.scopes.append((body.body, parameters))
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
            raise self.expected(table.EXPECTED_IDENTIFIER, "a type name")
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
