"""What zigttp:sql accepts as a statement: one statement, named `:parameters` only, nothing that reaches outside."""

from __future__ import annotations

import re
from typing import NamedTuple

MAX_STATEMENT = 64 << 10
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
# Statements that would reach past the one database file or hold state across calls.
_FORBIDDEN = ("ATTACH", "DETACH", "PRAGMA", "VACUUM", "BEGIN", "COMMIT", "END", "ROLLBACK", "SAVEPOINT", "RELEASE")


class StatementError(ValueError):
    pass


class Statement(NamedTuple):
    text: str
    params: tuple[str, ...]  # without the colon, in order of first use
    verb: str  # first keyword, upper case


def scan(text: str) -> Statement:
    """Finds the parameters and checks there is exactly one statement (quotes and comments skipped)."""
    if len(text) > MAX_STATEMENT:
        raise StatementError(f"the statement is longer than {MAX_STATEMENT} characters")
    params: list[str] = []
    i, n = 0, len(text)
    ended = False  # a `;` was seen: only blanks and comments may follow
    meaningful = False
    while i < n:
        ch = text[i]
        if ch in " \t\r\n":
            i += 1
            continue
        if text.startswith("--", i):
            j = text.find("\n", i)
            i = n if j < 0 else j + 1
            continue
        if text.startswith("/*", i):
            j = text.find("*/", i + 2)
            if j < 0:
                raise StatementError("unterminated /* comment")
            i = j + 2
            continue
        if ended:
            raise StatementError("only one statement is allowed (text follows ';')")
        if ch == ";":
            ended = True
            i += 1
            continue
        meaningful = True
        if ch in "'\"`[":
            close = "]" if ch == "[" else ch
            j = i + 1
            while True:
                j = text.find(close, j)
                if j < 0:
                    raise StatementError(f"unterminated {ch} quote")
                if close != "]" and text.startswith(close * 2, j):
                    j += 2
                    continue
                break
            i = j + 1
            continue
        if ch == "?":
            raise StatementError("positional parameters ('?') are not supported; use named ones (:name)")
        if ch in "@$":
            m = _NAME.match(text, i + 1)
            if m:
                raise StatementError(f"parameters are written :{m.group(0)}, not {ch}{m.group(0)}")
        if ch == ":":
            m = _NAME.match(text, i + 1)
            if not m:
                raise StatementError(f"':' must start a parameter name (at offset {i})")
            if m.group(0) not in params:
                params.append(m.group(0))
            i = m.end()
            continue
        i += 1
    if not meaningful:
        raise StatementError("the statement is empty")
    verb_m = re.match(r"\s*(?:(?:--[^\n]*\n|/\*.*?\*/)\s*)*([A-Za-z]+)", text, re.S)
    verb = verb_m.group(1).upper() if verb_m else ""
    if verb in _FORBIDDEN:
        raise StatementError(f"{verb} statements are not allowed")
    return Statement(text, tuple(params), verb)
