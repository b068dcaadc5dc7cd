"""`zigttp serve` verifies before it serves; `--no-verify` overrides with a loud warning."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from zigttp.loader import LoadError, load_handler

REPO = Path(__file__).resolve().parents[2]
BROKEN = (
    "export function handler(req: Request): Response {\n"
    "  if (req.method === \"GET\") {\n    return Response.text(\"ok\");\n  }\n}\n"
)


@pytest.fixture(autouse=True)
def _private_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ZIGTTP_CACHE_DIR", str(tmp_path / "cache"))


def test_a_verified_handler_loads(tmp_path: Path) -> None:
    loaded = load_handler(REPO / "examples/hello.ts")
    assert loaded.verified and "export" in loaded.bundle.source


def test_a_handler_with_errors_is_refused(tmp_path: Path) -> None:
    handler = tmp_path / "broken.ts"
    handler.write_text(BROKEN)
    with pytest.raises(LoadError) as error:
        load_handler(handler)
    assert "ZTS302 not all code paths return a Response" in error.value.report
    assert "refusing to serve it" in error.value.report and "--no-verify" in error.value.report


def test_warnings_do_not_block_and_are_reported(tmp_path: Path) -> None:
    handler = tmp_path / "warn.ts"
    handler.write_text("export function handler(req: Request): Response {\n  const unused = 1;\n"
                       "  return Response.text(\"ok\");\n}\n")
    loaded = load_handler(handler)
    assert loaded.verified
    assert any("ZTS305" in w for w in loaded.warnings)
    again = load_handler(handler)  # served from the compile cache, warnings included
    assert again.verified and any("ZTS305" in w for w in again.warnings)


def test_no_verify_compiles_typescript_without_verifying(tmp_path: Path) -> None:
    handler = tmp_path / "broken.ts"
    handler.write_text(BROKEN)
    loaded = load_handler(handler, verify=False)
    assert not loaded.verified and "handler" in loaded.bundle.source


def test_serve_refuses_and_prints_the_errors(tmp_path: Path) -> None:
    handler = tmp_path / "broken.ts"
    handler.write_text(BROKEN)
    env = {"ZIGTTP_CACHE_DIR": str(tmp_path / "cache"), "PATH": "/usr/bin:/bin"}
    proc = subprocess.run([sys.executable, "-m", "zigttp.cli", "serve", str(handler), "--port", "0"],
                          capture_output=True, text=True, timeout=120, cwd=REPO, env=env)
    assert proc.returncode == 1
    assert "ZTS302" in proc.stderr and f"{handler}:1:17" in proc.stderr
    assert "Traceback" not in proc.stderr
