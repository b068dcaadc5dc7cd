"""Source files and offset -> line/column conversion.

Nodes and tokens store character offsets only; line and column are computed on
demand from the line-start table, which keeps scanning and parsing cheap.
"""

from __future__ import annotations

import os
import re
from bisect import bisect_right
from itertools import accumulate
from pathlib import Path

_NEWLINE = re.compile(r"\r\n|\n|\r")

TS_EXTENSIONS = frozenset({".ts", ".tsx", ".mts", ".cts"})
JSX_EXTENSIONS = frozenset({".tsx", ".jsx"})
JS_EXTENSIONS = frozenset({".js", ".jsx", ".mjs", ".cjs"})


class SourceFile:
    """One source text plus the facts the front end derives from its name."""

    __slots__ = ("_line_starts", "allows_jsx", "allows_types", "name", "text")

    def __init__(self, name: str, text: str) -> None:
        self.name = name
        self.text = text
        ext = os.path.splitext(name)[1].lower()
        # Unknown extensions are treated as TypeScript: the superset accepts both.
        self.allows_types = ext not in JS_EXTENSIONS
        self.allows_jsx = ext in JSX_EXTENSIONS
        self._line_starts: list[int] | None = None

    @property
    def line_starts(self) -> list[int]:
        if self._line_starts is None:
            self._line_starts = _line_starts(self.text)
        return self._line_starts

    def line_col(self, offset: int) -> tuple[int, int]:
        """1-based (line, column) of a character offset."""
        starts = self.line_starts
        index = bisect_right(starts, offset) - 1
        if index < 0:
            index = 0
        return index + 1, offset - starts[index] + 1

    def line_of(self, offset: int) -> int:
        return bisect_right(self.line_starts, offset)

    def line_text(self, line: int) -> str:
        """Text of a 1-based line without its terminator ("" when out of range)."""
        starts = self.line_starts
        if line < 1 or line > len(starts):
            return ""
        begin = starts[line - 1]
        end = starts[line] if line < len(starts) else len(self.text)
        return self.text[begin:end].rstrip("\r\n")

    def __repr__(self) -> str:
        return f"SourceFile({self.name!r})"


def not_a_file(path: Path) -> str | None:
    """Why `path` cannot be read as a source file ("no such file", "not a file": a folder, say), or None."""
    if path.is_file():
        return None
    return "not a file" if path.exists() else "no such file"


def _line_starts(text: str) -> list[int]:
    """The offset of every line. With "\n" alone as terminator (the usual text), each line starts one past
    the sum of the lengths before it, summed in C: a regex match per line costs several times more."""
    if "\r" in text:
        return [0, *map(re.Match.end, _NEWLINE.finditer(text))]
    return [0, *accumulate(map((1).__add__, map(len, text.split("\n")[:-1])))]
