"""The handler's files as a contract records them (standard library only: `serve` uses it before any analysis)."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path


def sha256_file(path: str | os.PathLike[str]) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def display_path(path: str | os.PathLike[str]) -> str:
    """The handler path as the contract records it: relative to the working directory when below it."""
    p = Path(path)
    try:
        rel = Path(os.path.relpath(p.resolve(), Path.cwd().resolve()))
    except ValueError:
        return p.resolve().as_posix()
    return p.resolve().as_posix() if rel.parts and rel.parts[0] == ".." else rel.as_posix()


def handler_files(entry: str | os.PathLike[str], files: list[str]) -> dict[str, str]:
    """sha256 of every source file of the bundle, keyed by its path relative to the entry's folder."""
    base = Path(entry).resolve().parent
    out: dict[str, str] = {}
    for f in files:
        p = Path(f).resolve()
        try:
            key = p.relative_to(base).as_posix()
        except ValueError:
            key = Path(os.path.relpath(p, base)).as_posix()
        out[key] = sha256_file(p)
    return dict(sorted(out.items()))
