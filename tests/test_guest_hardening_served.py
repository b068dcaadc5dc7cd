"""Lockdown and module-scope randomness through a real `zigttp serve`, where the defects were served."""

from __future__ import annotations

from pathlib import Path

from .conftest import HANDLERS
from .support.server import run_cli, serve


def test_error_settings_set_by_one_request_never_reach_the_next() -> None:
    # one thread, no inline trials: every request meets the same pooled instance
    with serve(HANDLERS / "stack_limit.js", "--no-verify", "--threads", "1", "--no-inline") as srv:
        before = srv.get("/").json()
        attempt = srv.get("/set").json()
        after = srv.get("/").json()
    assert attempt["assigned"] == "TypeError"
    assert after == before
    assert after["stack"] is True and after["prepare"] == "undefined"


def test_serve_refuses_math_random_at_module_scope(tmp_path: Path) -> None:
    handler = tmp_path / "seeded.ts"
    handler.write_text("const seed: number = Math.random();\n"
                       "export function handler(req: Request): Response {\n"
                       "  return Response.json({ seed });\n}\n")
    result = run_cli("serve", str(handler), "--port", "0", "--workers", "1", timeout=120)
    assert result.returncode == 1, result.stderr
    assert f"{handler}:1:" in result.stderr
    assert "Math.random() cannot run at module scope" in result.stderr
