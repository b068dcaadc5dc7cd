"""Turns a handler file into the Bundle the sandbox runs.

`.ts/.tsx/.js/.jsx` go through one analysis (zigttp.analysis: the zigts
front end, the verifier and the contract's facts): a handler with
verification errors is refused, and the bundle and the contract serve grants
from come from that same analysis, cached as one entry. `--no-verify` loads
plain JavaScript exactly as written, and compiles TypeScript without
verifying it.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from zigttp_host.bundle import Bundle
from zigttp_host.paths import cache_dir

from . import compile_cache

if TYPE_CHECKING:
    from zigttp.analysis import Analysis
    from zigttp.compiler.api import CompileResult
    from zigttp.compiler.diagnostics import Diagnostic

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
    line_map_data: dict | None = None  # JSON form of the line map, for worker processes
    warnings: list[str] = field(default_factory=list)
    contract: dict[str, Any] | None = None  # derived from the same analysis as the bundle (verified loads)
    contract_error: str | None = None  # why there is no contract although the handler verified

    def locate(self, at: str | None) -> str:
        """Turns a guest position (bundle:line:col) into a source position for messages."""
        if not at:
            return str(self.path)
        name, _, rest = at.rpartition(":")
        bundle_name, _, line = name.rpartition(":")
        if bundle_name == self.bundle.name and line.isdigit() and rest.isdigit():
            if self.bundle.line_map is not None:
                mapped = self.bundle.line_map(int(line), int(rest))
                if mapped is not None:
                    return f"{mapped[0]}:{mapped[1]}:{mapped[2]}"
            return f"{self.path}:{line}:{rest}"
        return at


class StoredLineMap:
    """A line map read back from its JSON form (LineMap.to_dict) in a worker process."""

    def __init__(self, data: dict) -> None:
        self.files: list[str] = list(data["files"])
        segments = sorted(data["segments"])
        self.keys = [(s[0], s[1]) for s in segments]
        self.targets = [(s[2], s[3], s[4]) for s in segments]

    def lookup(self, line: int, column: int) -> tuple[str, int, int] | None:
        i = bisect.bisect_right(self.keys, (line, column)) - 1
        if i < 0:
            return None
        file_index, src_line, src_col = self.targets[i]
        return self.files[file_index], src_line, src_col


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
    if not verify and path.suffix in (".js", ".mjs"):
        return load_raw(path)
    # Only what verified (or, with --no-verify, what compiled) is cached, each under its own mode; a verified
    # entry holds the bundle and the contract of one analysis.
    mode = "serve" if verify else "compile"
    root = cache_dir() / "compiled"
    cached = compile_cache.lookup(root, path, mode)
    if cached is not None:
        return _from_cache(cached, path, verify)
    if not verify:
        from zigttp.compiler import compile_file, render_text

        result = compile_file(path)
        if not result.ok:
            raise LoadError(render_text(result.diagnostics, result.sources).rstrip())
        return _loaded(root, path, mode, result, list(result.diagnostics), None, None, verified=False)
    analysis, contract, error = _analyse(path)
    return _loaded(root, path, mode, analysis.compiled, _verified_diagnostics(analysis, path), contract, error,
                   verified=True)


def _from_cache(cached: dict[str, Any], path: Path, verify: bool) -> LoadedSource:
    from zigttp.contract.files import display_path

    line_map = StoredLineMap(cached["line_map"])
    contract = cached.get("contract")
    if isinstance(contract, dict):
        contract["handler"]["path"] = display_path(path)  # relative to where serve runs now
    return LoadedSource(Bundle(cached["js"], path.name, line_map.lookup), path, verified=verify,
                        line_map_data=cached["line_map"], warnings=list(cached["warnings"]),
                        contract=contract if isinstance(contract, dict) else None)


def _analyse(path: Path) -> tuple[Analysis, dict[str, Any] | None, str | None]:
    """The one analysis serve runs, with the contract rendered from it (or why it could not be)."""
    from zigttp.analysis import analyze
    from zigttp.contract.derive import render_contract

    try:
        analysis = analyze(path)
        return analysis, (render_contract(analysis) if analysis.contract is not None else None), None
    except Exception as error:  # a bug in the contract's analysis: serve fails closed, never a traceback
        message = f"internal error: cannot derive the contract of {path}: {type(error).__name__}: {error}"
        return analyze(path, contract=False), None, message


def _verified_diagnostics(analysis: Analysis, path: Path) -> list[Diagnostic]:
    """What `zigttp verify` reports; a handler with any error is refused."""
    from zigttp.compiler import render_text
    from zigttp.compiler.diagnostics import summary_line

    compiled = analysis.compiled
    if not analysis.ok:
        raise LoadError(render_text(compiled.diagnostics, compiled.sources).rstrip())
    diagnostics = analysis.verifier_diagnostics
    if not analysis.verification_passed:
        raise LoadError(
            render_text(diagnostics, compiled.sources).rstrip()
            + f"\n\nerror: {path} does not verify ({summary_line(diagnostics)}); refusing to serve it. "
            "Fix the errors above (`zigttp verify` prints the proof card), or pass --no-verify to serve "
            "it unproven."
        )
    return diagnostics


def _loaded(root: Path, path: Path, mode: str, result: CompileResult, diagnostics: list[Diagnostic],
            contract: dict[str, Any] | None, error: str | None, *, verified: bool) -> LoadedSource:
    from zigttp.compiler import render_text

    warnings = [render_text([d], result.sources).rstrip() for d in diagnostics]
    line_map_data = result.line_map.to_dict()
    if error is None:  # a contract that failed is derived again on the next start, not remembered
        payload: dict[str, Any] = {"js": result.js, "line_map": line_map_data, "warnings": warnings}
        if contract is not None:
            payload["contract"] = contract
        compile_cache.store(root, path, mode, result.files, payload)
    return LoadedSource(Bundle(result.js, path.name, result.line_map.lookup), path, verified=verified,
                        line_map_data=line_map_data, warnings=warnings, contract=contract, contract_error=error)
