"""The token cursor every part of the parser builds on: tokens, errors, nesting and speculation."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import TypeVar

from zigttp.compiler import ast as A
from zigttp.compiler import codes as table
from zigttp.compiler import diagnostics as codes
from zigttp.compiler.binder import Scope
from zigttp.compiler.codes import Rejected as R
from zigttp.compiler.codes import Rule
from zigttp.compiler.diagnostics import Diagnostic, make_diagnostic
from zigttp.compiler.scanner import (
    EOF,
    IDENT,
    KEYWORDS,
    NUMBER,
    STRING,
    TEMPLATE,
    TEMPLATE_HEAD,
    Scanner,
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


def _report_into(diagnostics: list[Diagnostic], file: SourceFile, code: str, message: str, start: int,
                 end: int) -> None:
    diagnostics.append(make_diagnostic(file, start, end, code, message))


class ParserCore:
    def __init__(self, source: SourceFile, path: str | None = None) -> None:
        self.file = source
        self.text = source.text
        self.path = path or source.name
        self.ts = source.allows_types
        self.jsx = source.allows_jsx
        self.diagnostics: list[Diagnostic] = []
        # The scanner reports into the list, not through a method of the parser: no parser-scanner cycle.
        self.scanner = Scanner(source.text, partial(_report_into, self.diagnostics, source))
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
        # Every name an import binds, in order, for the binder's duplicate check.
        self.import_locals: list[A.Identifier] = []
        # Every scope closed so far, for the binder pass (rolled back with the diagnostics).
        self.scopes: list[Scope] = []

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

    def reject(self, rule: Rule, start: int, end: int, **values: object) -> None:
        """Report a rejected construct; parsing continues."""
        self.diagnostics.append(make_diagnostic(self.file, start, end, rule.code, rule.text(**values)))

    def reject_reserved(self, name: str, start: int, end: int) -> None:
        """A reserved word, or a name the compiler keeps for its own, used as a name."""
        if name.startswith(GENERATED_PREFIX):
            self.reject(R.GENERATED_NAME, start, end, name=name, prefix=GENERATED_PREFIX)
        else:
            self.reject(R.RESERVED_WORD, start, end, name=name)

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

    def fail_with(self, rule: Rule, start: int | None = None, end: int | None = None, **values: object) -> ParseAbort:
        """`fail` with the message of `rule`, its template filled with `values`."""
        return self.fail(rule.code, rule.text(**values), start, end)

    def expected(self, rule: Rule, what: str) -> ParseAbort:
        """"expected <what> but found <the current token>"."""
        return self.fail_with(rule, what=what, found=self.token_text())

    def unexpected(self) -> ParseAbort:
        if self.kind == EOF:
            return self.fail_with(table.UNEXPECTED_EOF)
        return self.fail_with(table.UNEXPECTED_TOKEN, found=self.token_text())

    def expect(self, kind: str) -> None:
        if self.kind != kind:
            if self.kind == EOF:
                raise self.fail_with(table.EXPECTED_BEFORE_EOF, what=f"'{kind}'")
            raise self.expected(table.EXPECTED_TOKEN, f"'{kind}'")
        self.next()

    def expect_word(self, word: str) -> None:
        if self.kind != IDENT or self.value != word:
            raise self.expected(table.EXPECTED_TOKEN, f"'{word}'")
        self.next()

    def consume_semicolon(self) -> None:
        kind = self.kind
        if kind == ";":
            self.next()
        elif kind == "}" or kind == EOF or self.nl:
            return
        else:
            raise self.expected(table.EXPECTED_TOKEN, "';'")

    def type_syntax(self, start: int, end: int) -> None:
        if not self.ts:
            self.reject(R.TYPES_IN_JS, start, end)

    def enter(self, rule: Rule) -> None:
        self.depth += 1
        if self.depth > NESTING_LIMIT:
            raise self.fail(rule.code, rule.text())

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
            len(self.scopes),
        )

    def restore(self, state: tuple[object, ...]) -> None:
        (self.kind, self.value, self.start, self.end, self.nl, self.prev_end, pos, count, self.depth, scopes) = state  # type: ignore[misc]
        self.scanner.pos = pos  # type: ignore[assignment]
        del self.diagnostics[count:]  # type: ignore[misc]
        del self.scopes[scopes:]  # type: ignore[misc]

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
