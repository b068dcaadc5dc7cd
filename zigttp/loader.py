"""Turns a handler file into the Bundle the sandbox runs.

`.ts/.tsx/.js/.jsx` go through the zigts compiler front end (zigttp.compiler);
`--no-verify` loads plain JavaScript exactly as written.
"""

from __future__ import annotations

import contextlib
import re
from dataclasses import dataclass, field
from pathlib import Path

from zigttp_host import Bundle

HANDLER_SUFFIXES = (".ts", ".tsx", ".js", ".jsx", ".mjs")
# A handler that is declared but not exported still has to reach the guest,
# which picks the module's `handler` (or default) export.
_EXPORTED_HANDLER = re.compile(
    r"\bexport\s+(?:default\b|(?:async\s+)?function\s+handler\b|(?:const|let)\s+handler\b|\{[^}]*\bhandler\b)"
)


class LoadError(Exception):
    """The handler could not be turned into a bundle; `report` is ready to print."""

    def __init__(self, report: str) -> None:
        super().__init__(report)
        self.report = report


@dataclass
class LoadedSource:
    bundle: Bundle
    path: Path
    verified: bool
    warnings: list[str] = field(default_factory=list)


def load_raw(path: Path) -> LoadedSource:
    """Plain JavaScript, unverified: the sandbox still holds, nothing else is promised."""
    try:
        source = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as e:
        raise LoadError(f"error: cannot read {path}: {e}") from None
    if not _EXPORTED_HANDLER.search(source):
        source += "\nexport { handler };\n"
    return LoadedSource(Bundle(source, path.name), path, verified=False)


def load_handler(path: Path, *, verify: bool = True) -> LoadedSource:
    if not path.exists():
        raise LoadError(f"error: {path}: no such file")
    if path.suffix not in HANDLER_SUFFIXES:
        raise LoadError(f"error: {path}: a handler is a {', '.join(HANDLER_SUFFIXES)} file")
    if not verify:
        if path.suffix not in (".js", ".mjs"):
            raise LoadError(f"error: --no-verify loads plain JavaScript only; {path.name} needs the compiler")
        return load_raw(path)
    try:
        from zigttp.compiler import compile_file, render_text
    except ImportError:
        # The compiler front end is not available yet: plain JavaScript only.
        if path.suffix in (".js", ".mjs"):
            return load_raw(path)
        raise LoadError(f"error: {path}: TypeScript needs the zigts compiler, which is not installed") from None
    result = compile_file(path)
    if not result.ok:
        sources = {}
        for f in {d.file for d in result.diagnostics}:
            with contextlib.suppress(OSError, UnicodeDecodeError):
                sources[f] = Path(f).read_text(encoding="utf-8")
        raise LoadError(render_text(result.diagnostics, sources))
    line_map = result.line_map.lookup if result.line_map is not None else None
    return LoadedSource(Bundle(result.js, path.name, line_map), path, verified=True)
