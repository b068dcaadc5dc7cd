"""zigttp:sql through the real guest on a real SQLite file."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from zigttp_host import Bundle, HandlerLoadError, Host
from zigttp_host.virtual_modules.sqlcheck import check_statements, registrations_of
from zigttp_host.virtual_modules.sqltext import StatementError, scan

from .support import HANDLERS, LIMITS, OPEN, handle

TODOS = (HANDLERS / "todos.js").read_text()


@pytest.fixture()
def db(tmp_path: Path) -> Path:
    return tmp_path / "todos.sqlite3"


@pytest.fixture()
def todos(hosts: Callable[..., Host], db: Path) -> Any:
    h = hosts(sqlite_path=str(db)).load(Bundle(TODOS, "todos.js"), LIMITS, grants=OPEN)
    assert handle(h, url="/create")[0] == 200
    return h


def test_named_statements_on_a_real_file(todos: Any, db: Path) -> None:
    assert handle(todos, url="/add?title=milk&note=2%20litres") == (200, {"rowsAffected": 1, "lastInsertRowId": 1})
    assert handle(todos, url="/add?title=bread") == (200, {"rowsAffected": 1, "lastInsertRowId": 2})
    # NULL columns are left out (the subset has no null)
    assert handle(todos, url="/get?id=2") == (200, {"id": 2, "title": "bread", "done": 0})
    assert handle(todos, url="/get?id=9") == (200, {"missing": True})
    assert handle(todos, url="/done?id=1") == (200, {"rowsAffected": 1})
    assert handle(todos, url="/list") == (200, [{"id": 1, "title": "milk"}, {"id": 2, "title": "bread"}])
    assert handle(todos, url="/count") == (200, {"n": 2})
    with sqlite3.connect(db) as conn:  # it is really in the file, in WAL mode
        assert conn.execute("SELECT title, done, note FROM todos ORDER BY id").fetchall() == [
            ("milk", 1, "2 litres"), ("bread", 0, None)]
        assert conn.execute("PRAGMA journal_mode").fetchone() == ("wal",)


@pytest.mark.parametrize(("path", "message"), [
    ("/sneaky", "sqlOne('sneaky'): the statement writes; run it with sqlExec"),
    ("/missing-param", "sqlOne('get'): missing parameter ':id'"),
    ("/extra-param", "sqlOne('get'): unknown parameter ':idd' (the statement uses :id)"),
    ("/unknown", "sqlOne(): no statement named 'nope'; register it at module scope with sql(name, statement)"),
    ("/late", "sql('late'): register statements at module scope, where --sql-schema can check them at start"),
])
def test_wrong_uses_are_type_errors(todos: Any, path: str, message: str) -> None:
    assert handle(todos, url=path) == (400, {"threw": "TypeError", "message": message})
    assert handle(todos, url="/count") == (200, {"n": 0})  # nothing was written


def test_without_a_database(hosts: Callable[..., Host]) -> None:
    h = hosts().load(Bundle(TODOS, "todos.js"), LIMITS, grants=OPEN)
    _, out = handle(h, url="/count")
    assert out["threw"] == "InternalError" and "start the server with --sqlite FILE" in out["message"]


def test_registrations_survive_the_snapshot_into_another_host(hosts: Callable[..., Host], todos: Any,
                                                              db: Path) -> None:
    other = hosts(sqlite_path=str(db))
    h = other.load(Bundle(TODOS, "todos.js"), LIMITS, isolation="fresh", grants=OPEN)
    assert other.engine.cache.compiles == 0, "expected the snapshot from the cache: no module scope ran here"
    assert handle(h, url="/add?title=from-another-worker")[0] == 200
    assert handle(todos, url="/list") == (200, [{"id": 1, "title": "from-another-worker"}])


@pytest.mark.parametrize(("statement", "message"), [
    ("ATTACH DATABASE '/etc/passwd' AS p", "ATTACH statements are not allowed"),
    ("PRAGMA writable_schema = 1", "PRAGMA statements are not allowed"),
    ("SELECT 1; SELECT 2", "only one statement is allowed (text follows ';')"),
    ("SELECT * FROM t WHERE id = ?", "positional parameters ('?') are not supported; use named ones (:name)"),
    ("SELECT * FROM t WHERE id = @id", "parameters are written :id, not @id"),
    ("SELECT 'unterminated", "unterminated ' quote"),
    ("  -- only a comment\n", "the statement is empty"),
])
def test_unsafe_statements_are_refused_at_load(hosts: Callable[..., Host], statement: str, message: str) -> None:
    src = f"import {{ sql }} from 'zigttp:sql';\nsql('bad', {statement!r});\nexport function handler() {{}}\n"
    with pytest.raises(HandlerLoadError) as info:
        hosts().load(Bundle(src, "bad.js"), LIMITS)
    assert info.value.message == f"TypeError: sql('bad'): {message}"
    assert info.value.at == "bad.js:2:1"


def test_a_different_statement_under_the_same_name_is_refused(hosts: Callable[..., Host]) -> None:
    src = ("import { sql } from 'zigttp:sql';\nsql('a', 'SELECT 1');\nsql('a', 'SELECT 2');\n"
           "export function handler() {}\n")
    with pytest.raises(HandlerLoadError, match="'a' is already registered with a different statement"):
        hosts().load(Bundle(src, "dup.js"), LIMITS)


def test_scanner_finds_parameters_outside_quotes_and_comments() -> None:
    st = scan("SELECT ':x', \"a:b\", [c:d] FROM t /* :y */ WHERE a = :a AND b = :b_2 -- :z\n AND c = :a")
    assert st.params == ("a", "b_2") and st.verb == "SELECT"
    with pytest.raises(StatementError):
        scan("SELECT 1; -- fine\n DROP TABLE t")


def test_schema_check_names_the_failing_statements() -> None:
    regs = registrations_of(TODOS, "todos.js")
    assert [r["name"] for r in regs] == ["create", "add", "get", "list", "count", "done", "sneaky", "add"]
    schema = "CREATE TABLE todos (id INTEGER PRIMARY KEY, title TEXT NOT NULL, done INTEGER NOT NULL DEFAULT 0);"
    problems = check_statements(schema, regs, "todos.js")
    assert [(p.name, p.message, p.at) for p in problems] == [
        ("add", "table todos has no column named note", "todos.js:5:1"),
        ("get", "no such column: note", "todos.js:6:1"),
        ("add", "table todos has no column named note", "todos.js:12:1"),
    ]
