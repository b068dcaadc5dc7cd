"""Public entry points of the zigts front end.

`compile_file` / `compile_source` run scanner -> parser (with rejections) ->
bundler -> emitter and never raise for bad input: every problem is a
Diagnostic. An unexpected exception inside the compiler is a bug; it is turned
into one `ZTS999 internal compiler error` diagnostic naming the exception, so it
is visible (and the property tests fail on it) instead of becoming a traceback.
"""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass, field

from zigttp.compiler import ast as A
from zigttp.compiler import codes as _table
from zigttp.compiler import diagnostics as codes
from zigttp.compiler.bundler import ReadFile, build_program, read_text
from zigttp.compiler.diagnostics import (
    Diagnostic,
    file_diagnostic,
    has_errors,
    make_diagnostic,
    render_json,
    render_text,
    sort_key,
)
from zigttp.compiler.emitter import emit_program, find_handler
from zigttp.compiler.linemap import LineMap
from zigttp.compiler.trace import trace

__all__ = [
    "CompileResult",
    "Diagnostic",
    "LineMap",
    "compile_file",
    "compile_source",
    "render_json",
    "render_text",
]

# Parser recursion is bounded by the 512 nesting limit (a few Python frames per
# level); make sure the interpreter allows that much.
_RECURSION_LIMIT = 20_000
if sys.getrecursionlimit() < _RECURSION_LIMIT:
    sys.setrecursionlimit(_RECURSION_LIMIT)

NO_HANDLER = (
    codes.INVALID_EXPORT,
    "no 'handler' function found; define 'function handler(req: Request): Response' "
    "(or 'export default function handler', or 'const handler = guard(...) |> ...')",
)


@dataclass
class CompileResult:
    ok: bool
    js: str
    diagnostics: list[Diagnostic]
    line_map: LineMap
    files: list[str]
    program: object
    sources: dict[str, str] = field(default_factory=dict)

    def render_text(self) -> str:
        return render_text(self.diagnostics, self.sources)

    def render_json(self) -> str:
        return render_json(self.diagnostics)


def compile_source(
    source: str,
    filename: str = "handler.ts",
    *,
    strict: bool = False,
    read_file: ReadFile | None = None,
    emit: bool = True,
) -> CompileResult:
    """Compile handler source text; local imports resolve relative to `filename`.

    `emit=False` stops after parsing, bundling and the handler check (the
    verifier only needs `program`); `js` is then empty.
    """
    trace("compile")
    diagnostics: list[Diagnostic] = []
    files: list[str] = [filename]
    sources: dict[str, str] = {filename: source}
    program: A.Program | None = None
    try:
        program, diagnostics, files = build_program(filename, source, read_file or read_text)
        program.strict = strict
        sources = {module.file.name: module.file.text for module in program.modules}
        if not has_errors(diagnostics) and find_handler(program.entry) is None:
            diagnostics.append(make_diagnostic(program.entry.file, 0, 0, *NO_HANDLER))
        diagnostics.sort(key=sort_key)
        if has_errors(diagnostics) or not emit:
            return CompileResult(not has_errors(diagnostics), "", diagnostics, LineMap([]), files, program, sources)
        js, line_map = emit_program(program)
        return CompileResult(True, js, diagnostics, line_map, files, program, sources)
    except Exception as error:
        internal = file_diagnostic(
            filename,
            codes.INTERNAL_ERROR,
            _table.INTERNAL.text(detail=f"{type(error).__name__}: {error}"),
        )
        return CompileResult(False, "", [*diagnostics, internal], LineMap([]), files, program, sources)


def compile_file(path: str | os.PathLike[str], *, strict: bool = False, emit: bool = True) -> CompileResult:
    """Compile a handler file and every local module it imports."""
    name = os.fspath(path)
    try:
        text = read_text(name)
    except (OSError, UnicodeDecodeError) as error:
        diagnostic = file_diagnostic(name, codes.CANNOT_READ_FILE, _table.CANNOT_READ_FILE.text(error=error))
        return CompileResult(False, "", [diagnostic], LineMap([]), [name], None, {})
    return compile_source(text, name, strict=strict, emit=emit)
