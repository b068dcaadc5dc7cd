"""A cold `zigttp serve` analyses its handler once: one compilation, one verification, one cache entry.

Counted in the real server process through ZIGTTP_TRACE (zigttp.compiler.trace), which the front end and the
verifier append to on every run.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.support.server import REPO, serve

HANDLER = REPO / "scripts/bench_fixtures/small/handler.tsx"


def _runs(trace: Path) -> list[str]:
    if not trace.exists():
        return []
    return [line.split()[0] for line in trace.read_text().splitlines()]


def test_cold_serve_compiles_and_verifies_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    cache = tmp_path / "cache"
    trace = tmp_path / "trace"
    monkeypatch.setenv("ZIGTTP_CACHE_DIR", str(cache))
    monkeypatch.setenv("ZIGTTP_TRACE", str(trace))
    with serve(HANDLER, "--no-env-check") as server:
        assert server.get("/").status_code == 200
    assert sorted(_runs(trace)) == ["compile", "verify"]
    assert len(list((cache / "compiled").glob("*.json"))) == 1  # the bundle and the contract: one entry

    trace.unlink()
    with serve(HANDLER, "--no-env-check", "--expose-contract") as server:  # warm: neither runs again
        assert server.get("/").status_code == 200
        exposed = server.get("/_zigttp/contract").json()
    assert _runs(trace) == []
    assert exposed["contract"]["env"] == ["BOOKMARKS_KEY"]
    assert exposed["contract"]["proof"] == "complete"


def test_in_process_load_and_grants_share_one_analysis(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import argparse

    from zigttp.cli.serve import add_grant_arguments
    from zigttp.cli.serve_grants import serve_grants
    from zigttp.loader import load_handler

    trace = tmp_path / "trace"
    monkeypatch.setenv("ZIGTTP_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setenv("ZIGTTP_TRACE", str(trace))
    parser = argparse.ArgumentParser()
    add_grant_arguments(parser)
    args = parser.parse_args(["--no-env-check"])
    loaded = load_handler(HANDLER)
    granted = serve_grants(args, HANDLER, loaded.verified, loaded.bundle.name, loaded)
    assert granted.source == "derived" and granted.grants["env"] == ["BOOKMARKS_KEY"]
    assert sorted(_runs(trace)) == ["compile", "verify"]
