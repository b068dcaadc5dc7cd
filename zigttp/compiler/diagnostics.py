"""Diagnostics: the record every phase reports, and its text/JSON renderers.

Messages follow the upstream convention "<what>; <suggested alternative>": the
part after the first "; " is stored as `suggestion`, the part before as
`message` (so JSON output matches upstream `{message, suggestion}` exactly).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from zigttp.compiler import codes as _table

# The severities are the table's; re-exported because every phase imports them from here.
from zigttp.compiler.codes import ERROR
from zigttp.compiler.codes import WARNING as WARNING
from zigttp.compiler.source import SourceFile

# The compiler's codes as plain strings, for the call sites that build a Diagnostic;
# each is spelled once, in the table (`zigttp.compiler.codes`).
UNSUPPORTED_FEATURE = _table.UNSUPPORTED_FEATURE.code
UNEXPECTED_TOKEN = _table.UNEXPECTED_TOKEN.code
EXPECTED_TOKEN = _table.EXPECTED_TOKEN.code
EXPECTED_EXPRESSION = _table.EXPECTED_EXPRESSION.code
EXPECTED_STATEMENT = _table.EXPECTED_STATEMENT.code
EXPECTED_IDENTIFIER = _table.EXPECTED_IDENTIFIER.code
UNEXPECTED_EOF = _table.UNEXPECTED_EOF.code
UNTERMINATED_STRING = _table.UNTERMINATED_STRING.code
UNTERMINATED_TEMPLATE = _table.UNTERMINATED_TEMPLATE.code
UNTERMINATED_REGEX = _table.UNTERMINATED_REGEX.code
UNTERMINATED_COMMENT = _table.UNTERMINATED_COMMENT.code
INVALID_NUMBER = _table.INVALID_NUMBER.code
INVALID_ESCAPE = _table.INVALID_ESCAPE.code
INVALID_UNICODE_ESCAPE = _table.INVALID_UNICODE_ESCAPE.code
EXPECTED_PROPERTY_NAME = _table.EXPECTED_PROPERTY_NAME.code
INVALID_ASSIGNMENT_TARGET = _table.INVALID_ASSIGNMENT_TARGET.code
INVALID_DESTRUCTURING = _table.INVALID_DESTRUCTURING.code
DUPLICATE_PARAMETER = _table.DUPLICATE_PARAMETER.code
DUPLICATE_BINDING = _table.DUPLICATE_BINDING.code
CONST_WITHOUT_INITIALIZER = _table.CONST_WITHOUT_INITIALIZER.code
INVALID_BREAK = _table.INVALID_BREAK.code
INVALID_CONTINUE = _table.INVALID_CONTINUE.code
INVALID_RETURN = _table.INVALID_RETURN.code
INVALID_AWAIT = _table.INVALID_AWAIT.code
TOO_MANY_PARAMETERS = _table.TOO_MANY_PARAMETERS.code
MISMATCHED_JSX_TAG = _table.MISMATCHED_JSX_TAG.code
INVALID_JSX_ATTRIBUTE = _table.INVALID_JSX_ATTRIBUTE.code
UNCLOSED_JSX_ELEMENT = _table.UNCLOSED_JSX_ELEMENT.code
JSX_EXPRESSION_EXPECTED = _table.JSX_EXPRESSION_EXPECTED.code
INVALID_IMPORT = _table.INVALID_IMPORT.code
INVALID_EXPORT = _table.INVALID_EXPORT.code
UNEXPECTED_CHARACTER = _table.UNEXPECTED_CHARACTER.code
ANY_TYPE = _table.ANY_TYPE.code
NESTING_TOO_DEEP = _table.NESTING_TOO_DEEP.code
AS_ASSERTION = _table.AS_ASSERTION.code
SATISFIES_ASSERTION = _table.SATISFIES_ASSERTION.code
COMPTIME_ERROR = _table.COMPTIME_ERROR.code
CANNOT_READ_FILE = _table.CANNOT_READ_FILE.code
INTERNAL_ERROR = _table.INTERNAL.code


@dataclass(frozen=True, slots=True)
class Diagnostic:
    code: str
    severity: str
    message: str
    file: str
    line: int
    column: int
    suggestion: str | None = None
    end_line: int | None = None
    end_column: int | None = None

    @property
    def full_message(self) -> str:
        """The upstream one-line message ("<what>; <alternative>")."""
        if self.suggestion is None:
            return self.message
        return f"{self.message}; {self.suggestion}"

    def to_dict(self) -> dict[str, object]:
        return {
            "code": self.code,
            "severity": self.severity,
            "message": self.message,
            "file": self.file,
            "line": self.line,
            "column": self.column,
            "suggestion": self.suggestion,
        }


def split_message(text: str) -> tuple[str, str | None]:
    head, sep, tail = text.partition("; ")
    if not sep:
        return text, None
    return head, tail


def make_diagnostic(
    source: SourceFile,
    start: int,
    end: int,
    code: str,
    text: str,
    severity: str = ERROR,
) -> Diagnostic:
    """Build a diagnostic from offsets; `text` is the full upstream-style message."""
    line, column = source.line_col(start)
    end_line, end_column = source.line_col(max(end, start))
    message, suggestion = split_message(text)
    return Diagnostic(code, severity, message, source.name, line, column, suggestion, end_line, end_column)


def file_diagnostic(file: str, code: str, text: str, severity: str = ERROR) -> Diagnostic:
    """A diagnostic without a position inside the file (reported at 1:1)."""
    message, suggestion = split_message(text)
    return Diagnostic(code, severity, message, file, 1, 1, suggestion, 1, 1)


def nearest(name: str, candidates: Iterable[str], max_distance: int = 2) -> str | None:
    """The candidate closest to `name` by edit distance (at most `max_distance`), for "did you mean" help."""
    best, distance = None, max_distance + 1
    for candidate in candidates:
        if abs(len(candidate) - len(name)) >= distance:
            continue
        d = edit_distance(name, candidate)
        if d < distance:
            best, distance = candidate, d
    return best


def edit_distance(a: str, b: str) -> int:
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i]
        for j, cb in enumerate(b, 1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ca != cb)))
        previous = current
    return previous[-1]


def has_errors(diagnostics: Iterable[Diagnostic]) -> bool:
    return any(d.severity == ERROR for d in diagnostics)


def sort_key(diagnostic: Diagnostic) -> tuple[str, int, int, str]:
    return (diagnostic.file, diagnostic.line, diagnostic.column, diagnostic.code)


def render_json(diagnostics: Iterable[Diagnostic]) -> str:
    """JSON array of `{code, severity, message, file, line, column, suggestion}`."""
    return json.dumps([d.to_dict() for d in diagnostics], indent=2, ensure_ascii=False)


def _caret_line(source_line: str, column: int, width: int) -> str:
    # Keep tabs so the caret lines up with the source line as a terminal shows it.
    prefix = "".join("\t" if ch == "\t" else " " for ch in source_line[: column - 1])
    return prefix + "^" * max(1, width)


def render_one(diagnostic: Diagnostic, source_text: str | None) -> str:
    """Ruff/rustc-style block for one diagnostic, color-free."""
    lines = [f"{diagnostic.code} {diagnostic.message}"]
    gutter = " " * len(str(diagnostic.line))
    lines.append(f"{gutter}--> {diagnostic.file}:{diagnostic.line}:{diagnostic.column}")
    if source_text is not None:
        text = SourceFile(diagnostic.file, source_text).line_text(diagnostic.line)
        if text or diagnostic.line >= 1:
            if diagnostic.end_line == diagnostic.line and diagnostic.end_column is not None:
                width = diagnostic.end_column - diagnostic.column
            else:
                width = len(text) - diagnostic.column + 1
            lines.append(f"{gutter} |")
            lines.append(f"{diagnostic.line} | {text}")
            lines.append(f"{gutter} | {_caret_line(text, diagnostic.column, width)}")
            lines.append(f"{gutter} |")
    if diagnostic.suggestion:
        lines.append(f"{gutter} = help: {diagnostic.suggestion}")
    return "\n".join(lines)


def render_text(diagnostics: Iterable[Diagnostic], sources: Mapping[str, str]) -> str:
    """Render every diagnostic, each followed by a blank line."""
    blocks = [render_one(d, sources.get(d.file)) for d in diagnostics]
    return "".join(block + "\n\n" for block in blocks)


def summary_line(diagnostics: Iterable[Diagnostic]) -> str:
    items = list(diagnostics)
    errors = sum(1 for d in items if d.severity == ERROR)
    warnings = len(items) - errors
    return f"{errors} error{'s' if errors != 1 else ''}, {warnings} warning{'s' if warnings != 1 else ''}"
