"""The verifier's view of the diagnostics table (`zigttp.compiler.codes`): every rule, plus `diagnostic`.

The table moved to the compiler package so the compiler can name its own codes
without importing the verifier; the checkers keep importing it as `codes`.
"""

from __future__ import annotations

from zigttp.compiler.ast import Node
from zigttp.compiler.codes import *  # noqa: F403 - the rules, re-exported for the checkers
from zigttp.compiler.codes import Rule
from zigttp.compiler.diagnostics import Diagnostic


def diagnostic(
    rule: Rule, node: Node, *, start: int | None = None, end: int | None = None, **values: object
) -> Diagnostic:
    """A diagnostic at `node` (or the given offsets inside its file)."""
    source = node.file
    s = node.start if start is None else start
    e = node.end if end is None else end
    line, column = source.line_col(s)
    end_line, end_column = source.line_col(max(e, s))
    message = rule.message.format_map(_Values(values))
    suggestion = rule.help.format_map(_Values(values)) if rule.help else None
    return Diagnostic(rule.code, rule.severity, message, source.name, line, column, suggestion, end_line, end_column)


class _Values(dict):
    """Template values; a field the caller did not pass reads as a neutral word."""

    def __missing__(self, key: str) -> str:
        return {"missing": "", "tag": "kind"}.get(key, "value")
