"""zigts compiler front end: scanner -> parser -> AST -> bundler -> emitter.

See docs/compiler.md for the pipeline, the desugarings and the line map.
"""

from zigttp.compiler.api import (
    CompileResult,
    Diagnostic,
    compile_file,
    compile_source,
    render_json,
    render_text,
)
from zigttp.compiler.linemap import LineMap

__all__ = [
    "CompileResult",
    "Diagnostic",
    "LineMap",
    "compile_file",
    "compile_source",
    "render_json",
    "render_text",
]
