"""`import` and `export`."""

from __future__ import annotations

from zigttp.compiler import ast as A
from zigttp.compiler import codes as table
from zigttp.compiler.codes import Rejected as R
from zigttp.compiler.parser.core import (
    _STATEMENT_CONTEXTUAL,
    ParserCore,
)
from zigttp.compiler.scanner import (
    IDENT,
    KEYWORDS,
    STRING,
)


class ModuleParser(ParserCore):
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
                raise self.expected(table.EXPECTED_IDENTIFIER, "an identifier")
            self.next()
        elif self.kind == "{":
            names = self.parse_import_specifiers(type_only)
        elif not rejected:
            raise self.unexpected()
        self.expect_word("from")
        if self.kind != STRING:
            raise self.expected(table.EXPECTED_TOKEN, "a module specifier string")
        specifier = str(self.value)
        specifier_start, specifier_end = self.start, self.end
        self.next()
        self.consume_semicolon()
        if rejected:
            return A.InvalidStatement(self.file, start, self.prev_end, "import", [])
        node = A.Import(self.file, start, self.prev_end, specifier, specifier_start, specifier_end, names, type_only)
        self.imports.append(node)
        return node

    def parse_import_specifiers(self, type_only: bool) -> list[A.ImportSpecifier]:
        """`{ a, b as c, type T }`: every specifier, type-only ones marked."""
        names: list[A.ImportSpecifier] = []
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
                raise self.expected(table.EXPECTED_IDENTIFIER, "an import name")
            imported = str(self.value)
            local_start, local_end, local_kind = self.start, self.end, self.kind
            self.next()
            if self.kind == IDENT and self.value == "as":
                self.next()
                if self.kind != IDENT:
                    raise self.expected(table.EXPECTED_IDENTIFIER, "an identifier")
                local_name = str(self.value)
                local_start, local_end = self.start, self.end
                self.next()
            else:
                if local_kind != IDENT:
                    raise self.fail_with(table.EXPECTED_AS, local_start, local_end, name=imported)
                local_name = imported
            local = A.Identifier(self.file, local_start, local_end, local_name)
            self.import_locals.append(local)
            names.append(
                A.ImportSpecifier(self.file, specifier_start, self.prev_end, imported, local, specifier_type_only)
            )
            if self.kind != "}":
                self.expect(",")
        self.next()
        return names

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
