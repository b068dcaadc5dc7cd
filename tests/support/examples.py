"""The example handlers the suite checks: every file under examples/ that defines a handler."""

from __future__ import annotations

from pathlib import Path

from zigttp.compiler import compile_file
from zigttp.compiler.emitter import find_handler

REPO = Path(__file__).resolve().parents[2]
EXAMPLES = REPO / "examples"


def example_handlers() -> list[Path]:
    """Every example file that defines a handler (local library modules are checked through their importers)."""
    out = []
    for path in sorted(EXAMPLES.rglob("*")):
        if path.suffix not in (".ts", ".tsx", ".js", ".jsx") or "node_modules" in path.parts:
            continue
        compiled = compile_file(path, emit=False)
        if compiled.program is not None and find_handler(compiled.program.entry) is not None:
            out.append(path)
    return out
