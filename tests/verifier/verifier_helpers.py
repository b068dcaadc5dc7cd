"""Shared helpers for the verifier tests."""

from __future__ import annotations

from pathlib import Path

import pytest

from zigttp.verifier import VerifyResult, verify_file


def verify_text(tmp_path: Path, source: str, name: str = "handler.ts", *, strict: bool = False,
                files: dict[str, str] | None = None, sql_schema: str | None = None) -> VerifyResult:
    """Write `source` (and any extra local modules) under tmp_path and verify it."""
    for extra, text in (files or {}).items():
        target = tmp_path / extra
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
    entry = tmp_path / name
    entry.write_text(source, encoding="utf-8")
    return verify_file(entry, strict=strict, sql_schema=sql_schema)


def positions(result: VerifyResult, code: str) -> list[tuple[int, int]]:
    return [(d.line, d.column) for d in result.diagnostics if d.code == code]


def codes(result: VerifyResult) -> set[str]:
    return {d.code for d in result.diagnostics}


def locate(source: str, marker: str, occurrence: int = 1) -> tuple[int, int]:
    """1-based (line, column) where the `occurrence`-th `marker` starts in `source`."""
    index = -1
    for _ in range(occurrence):
        index = source.index(marker, index + 1)
    line = source.count("\n", 0, index) + 1
    column = index - (source.rfind("\n", 0, index) + 1) + 1
    return line, column


def require_export(module: str, name: str) -> None:
    """Skip unless the module registry already has `module.name` (it grows while other work lands)."""
    try:
        from zigttp_host.modules import exports_of
    except ImportError:
        pytest.skip("zigttp_host is not importable")
    if name not in exports_of(module):
        pytest.skip(f"{module} export {name!r} is not registered in zigttp_host.modules.REGISTRY yet")
