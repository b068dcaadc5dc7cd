"""The modules through a real `zigttp serve` with two workers: shared cache, SQLite, flags."""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.server import Server, run_cli, serve, spread

from .support import HANDLERS
from .upstream import Upstream, upstream

SHARED = HANDLERS / "shared.js"


@pytest.fixture(scope="module")
def up() -> Iterator[Upstream]:
    with upstream() as u:
        yield u


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory, up: Upstream) -> Iterator[tuple[Server, Path]]:
    db = tmp_path_factory.mktemp("sql") / "hits.sqlite3"
    import os

    os.environ["ZT_GREETING"] = "from the process environment"
    try:
        # plain JavaScript has no contract: what it may reach is granted by name
        grants = ["--allow-cache", "test", "--allow-env", "ZT_GREETING"]
        for name in ("init", "hit", "count"):
            grants += ["--allow-sql", name]
        with serve(SHARED, "--no-verify", "--threads", "1", "--sqlite", str(db),
                   "--outbound-host", f"127.0.0.1:{up.port}", *grants, "-q", workers=2) as s:
            yield s, db
    finally:
        os.environ.pop("ZT_GREETING", None)


def test_cache_is_shared_by_the_workers(server: tuple[Server, Path]) -> None:
    s, _ = server
    results = spread(s, "/cache")
    assert len({r["me"] for r in results}) == 2, "both workers should have served requests"
    # one counter for the whole server: every value from 1 to n exactly once
    assert sorted(r["n"] for r in results) == list(range(1, len(results) + 1))


def test_cache_ttl_across_workers(server: tuple[Server, Path]) -> None:
    s, _ = server
    started = time.monotonic()
    assert s.get("/cache-set?v=hello&ttl=2").json()["ok"] is True
    seen = spread(s, "/cache-get", 16)
    if time.monotonic() - started < 2:
        assert {r.get("v") for r in seen} == {"hello"}
    time.sleep(max(0.0, 2.1 - (time.monotonic() - started)))
    assert all("v" not in r for r in spread(s, "/cache-get", 16))


def test_sql_from_two_workers_on_one_file(server: tuple[Server, Path]) -> None:
    s, db = server
    results = spread(s, "/sql")
    assert max(r["n"] for r in results) == len(results)
    with sqlite3.connect(db) as conn:
        rows = conn.execute("SELECT count(*), count(DISTINCT worker) FROM hits").fetchone()
    assert rows == (len(results), 2)


def test_env_comes_from_the_process(server: tuple[Server, Path]) -> None:
    s, _ = server
    assert s.get("/env").json() == {"greeting": "from the process environment"}


def test_parallel_through_the_server(server: tuple[Server, Path], up: Upstream) -> None:
    s, _ = server
    up.reset()
    r = s.get(f"/parallel?base={up.url}")
    assert r.json() == [{"slept": 300, "tag": str(i)} for i in range(3)]
    assert up.max_active == 3


def test_sql_schema_refuses_a_statement_at_start(tmp_path: Path) -> None:
    schema = tmp_path / "schema.sql"
    schema.write_text("CREATE TABLE other (x INTEGER);\n")
    proc = run_cli("serve", str(SHARED), "--no-verify", "--sql-schema", str(schema), "--port", "0")
    assert proc.returncode == 1
    assert f"{SHARED}:9:1: sql statement 'hit' does not prepare against {schema}: no such table: hits" in proc.stderr
    assert "'count'" in proc.stderr and "'init'" not in proc.stderr  # CREATE TABLE prepares


def test_outbound_host_is_checked_at_the_command_line() -> None:
    proc = run_cli("serve", str(SHARED), "--no-verify", "--outbound-host", "bad..host")
    assert proc.returncode == 2 and "invalid host" in proc.stderr


def test_a_typescript_example_is_compiled_verified_granted_and_served(tmp_path: Path) -> None:
    # compiler front end + verifier + contract-derived grants (the sql statement names) + --sql-schema
    example = Path(__file__).resolve().parents[2] / "examples" / "modules"
    with serve(example / "sql.ts", "--sqlite", str(tmp_path / "todos.sqlite3"), "--sql-schema",
               str(example / "schema.sql")) as s:
        assert s.post("/todos?title=ship%20it").json() == {"id": 1, "title": "ship it"}
        assert s.get("/todos/1").json() == {"id": 1, "title": "ship it", "done": 0}
        assert s.get("/todos").json() == [{"id": 1, "title": "ship it", "done": 0}]
        assert s.get("/todos/2").status_code == 404
