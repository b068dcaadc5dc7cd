"""Map positions in the emitted JavaScript back to the original sources.

The emitter records one segment per emitted node: (js_line, js_col) -> (file,
source offset). Offsets are converted to line/column only on lookup, which
happens when the sandbox reports an error.
"""

from __future__ import annotations

from bisect import bisect_right

from zigttp.compiler.source import SourceFile


class LineMap:
    __slots__ = ("_columns", "_files", "_lines", "_offsets", "_sources")

    def __init__(self, sources: list[SourceFile]) -> None:
        self._sources = sources
        # Parallel per-segment arrays, appended in emission order (so sorted by
        # line, and by column within a line).
        self._lines: list[int] = []
        self._columns: list[int] = []
        self._files: list[int] = []
        self._offsets: list[int] = []

    def add(self, js_line: int, js_col: int, file_index: int, offset: int) -> None:
        self._lines.append(js_line)
        self._columns.append(js_col)
        self._files.append(file_index)
        self._offsets.append(offset)

    def __len__(self) -> int:
        return len(self._lines)

    def lookup(self, js_line: int, js_col: int) -> tuple[str, int, int] | None:
        """Original (file, line, column), 1-based, of an emitted 1-based position.

        Uses the last segment that starts at or before the position; a position
        before the first segment of its line maps to that line's first segment.
        """
        lines = self._lines
        if not lines:
            return None
        # Segments on lines < js_line, plus those on js_line with col <= js_col.
        low = bisect_right(lines, js_line - 1)
        high = bisect_right(lines, js_line)
        if low < high:
            columns = self._columns
            index = low
            probe = low
            while probe < high and columns[probe] <= js_col:
                index = probe
                probe += 1
        elif low > 0:
            index = low - 1
        else:
            return None
        source = self._sources[self._files[index]]
        line, column = source.line_col(self._offsets[index])
        return source.name, line, column

    def to_dict(self) -> dict[str, object]:
        """A JSON-friendly form (sources by name), e.g. for caching compiled output."""
        segments = []
        for line, column, file_index, offset in zip(
            self._lines, self._columns, self._files, self._offsets, strict=True
        ):
            src_line, src_col = self._sources[file_index].line_col(offset)
            segments.append([line, column, file_index, src_line, src_col])
        return {"files": [s.name for s in self._sources], "segments": segments}
