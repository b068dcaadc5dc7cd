"""The guest build is reproducible: from empty caches, the output matches guest/guest.sha256."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]


@pytest.mark.slow
def test_clean_build_reproduces_the_committed_hash(tmp_path: Path) -> None:
    env = dict(os.environ)
    env["ZIGTTP_CACHE_DIR"] = str(tmp_path / "cache")  # no sources, no zig cache, no cached guest
    out = tmp_path / "guest.wasm"
    proc = subprocess.run([sys.executable, str(REPO / "guest" / "build.py"), "--out", str(out), "--check"],
                          capture_output=True, text=True, env=env, timeout=900)
    assert proc.returncode == 0, proc.stderr
    expected = (REPO / "guest" / "guest.sha256").read_text().split()[0]
    assert proc.stdout.split()[0] == expected
    # a second build with the same inputs is a cache hit and identical
    again = subprocess.run([sys.executable, str(REPO / "guest" / "build.py"), "--out", str(tmp_path / "again.wasm")],
                           capture_output=True, text=True, env=env, timeout=120)
    assert again.returncode == 0, again.stderr
    assert "building" not in again.stderr
    assert (tmp_path / "again.wasm").read_bytes() == out.read_bytes()
