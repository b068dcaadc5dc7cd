"""Where the host keeps its files."""

from __future__ import annotations

import os
from pathlib import Path

import platformdirs

GUEST_WASM = Path(__file__).resolve().parent / "_guest" / "guest.wasm"
PRELUDE_JS = Path(__file__).resolve().parent / "prelude.js"


def cache_dir() -> Path:
    """The user cache folder; ZIGTTP_CACHE_DIR overrides it (same rule as guest/build.py)."""
    if env := os.environ.get("ZIGTTP_CACHE_DIR"):
        return Path(env)
    return Path(platformdirs.user_cache_dir("zigttp", appauthor=False))
