"""Putting a SQLite file in WAL mode when several processes may open it at the same moment.

Switching a new file to WAL takes an exclusive lock, and SQLite answers
"database is locked" there at once, without waiting for its busy timeout,
when another connection is opening the file too: the workers of one server
at their first cache or SQL call. The switch is retried here until the busy
timeout, as any other statement would wait.
"""

from __future__ import annotations

import sqlite3
import time

_BUSY = (sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED)


def enable_wal(conn: sqlite3.Connection, busy_timeout_ms: int) -> None:
    deadline = time.monotonic() + busy_timeout_ms / 1000
    delay = 0.001
    while True:
        try:
            conn.execute("PRAGMA journal_mode = WAL")
            return
        except sqlite3.OperationalError as e:
            if getattr(e, "sqlite_errorcode", None) not in _BUSY or time.monotonic() >= deadline:
                raise
        time.sleep(delay)
        delay = min(delay * 2, 0.05)
