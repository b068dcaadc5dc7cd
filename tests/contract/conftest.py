from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from zigttp.contract.derive import Derived, derive


@pytest.fixture
def derive_files(tmp_path: Path) -> Callable[..., Derived]:
    """Writes {name: source} under tmp_path and derives the contract of the first file."""

    def run(files: dict[str, str] | str, entry: str = "handler.ts") -> Derived:
        if isinstance(files, str):
            files = {entry: files}
        for name, text in files.items():
            path = tmp_path / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text)
        first = next(iter(files))
        return derive(tmp_path / first)

    return run
