"""Caches what the front end made of a handler, by content.

Importing and running the compiler (and the verifier) costs a large part of
a server's cold start; a handler whose files have not changed since the last
start is loaded from here without touching them. An entry records every
source file's sha256 and is used only while all of them still match, and only
by the same toolchain (its own source files are part of the key).
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import json
import os
import tempfile
from pathlib import Path
from typing import Any

import zigttp
import zigttp_host

CACHE_VERSION = 1


@functools.cache
def toolchain_fingerprint() -> str:
    """Changes whenever any zigttp or zigttp_host source file changes (size or mtime)."""
    h = hashlib.sha256(f"{CACHE_VERSION};{zigttp.__version__}".encode())
    for package in (Path(zigttp.__file__).parent, Path(zigttp_host.__file__).parent):
        for f in sorted(package.rglob("*")):
            if f.suffix in (".py", ".js") and "__pycache__" not in f.parts:
                st = f.stat()
                h.update(f"{f};{st.st_size};{st.st_mtime_ns}\n".encode())
    return h.hexdigest()


def _sha256(path: str) -> str | None:
    try:
        return hashlib.sha256(Path(path).read_bytes()).hexdigest()
    except OSError:
        return None


def _entry_path(root: Path, handler: Path, mode: str) -> Path:
    key = hashlib.sha256(f"{handler.resolve()};{mode};{toolchain_fingerprint()}".encode()).hexdigest()
    return root / f"{key}.json"


def lookup(root: Path, handler: Path, mode: str) -> dict[str, Any] | None:
    """The cached result for `handler`, if every file it was built from is unchanged."""
    path = _entry_path(root, handler, mode)
    try:
        entry = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    files = entry.get("files")
    if not isinstance(files, dict) or not files:
        return None
    for name, digest in files.items():
        if _sha256(name) != digest:
            return None
    return entry


def store(root: Path, handler: Path, mode: str, files: list[str], payload: dict[str, Any]) -> None:
    digests = {}
    for name in files:
        digest = _sha256(name)
        if digest is None:
            return  # a file vanished meanwhile: not cacheable
        digests[name] = digest
    entry = dict(payload, files=digests)
    path = _entry_path(root, handler, mode)
    with contextlib.suppress(OSError):  # a read-only cache only costs speed
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-", suffix=".json")
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            json.dump(entry, f)
        os.replace(tmp, path)
