"""Processes that open one new SQLite file at the same moment (a server's workers at their first requests).

Switching a new file to WAL takes an exclusive lock, and SQLite answers "database is locked" there without
waiting for its busy timeout, so one of the racing processes failed its first cache or SQL call with a 500
(seen in CI: cacheIncr() between two `serve` workers). Each process here opens the file through the real
store, all released at once by a barrier, on a fresh file every round.
"""

from __future__ import annotations

import multiprocessing
from collections.abc import Callable
from pathlib import Path

from zigttp_host.virtual_modules.cachestore import SqliteStore
from zigttp_host.virtual_modules.sql import Database

PROCESSES = 6
ROUNDS = 60  # before the fix about 3 % of the processes failed: all 360 passing was well under 1 % likely


def _cache_first_use(path: str) -> None:
    SqliteStore(path, 1000, 1 << 20).incr("ns", "k", 1, None, 0.0)


def _sql_first_use(path: str) -> None:
    Database(path, 5000).conn(False).execute("CREATE TABLE IF NOT EXISTS t (a)")


def _race(path: str, first_use: Callable[[str], None], barrier: object, answers: object) -> None:
    barrier.wait()  # type: ignore[attr-defined]
    try:
        first_use(path)
        answers.put("ok")  # type: ignore[attr-defined]
    except Exception as e:
        answers.put(f"{type(e).__name__}: {e}")  # type: ignore[attr-defined]


def _errors(tmp_path: Path, first_use: Callable[[str], None]) -> list[str]:
    ctx = multiprocessing.get_context("fork")
    errors: list[str] = []
    for round_ in range(ROUNDS):
        path = str(tmp_path / f"store{round_}.db")
        barrier, answers = ctx.Barrier(PROCESSES), ctx.Queue()
        procs = [ctx.Process(target=_race, args=(path, first_use, barrier, answers)) for _ in range(PROCESSES)]
        for p in procs:
            p.start()
        errors += [a for a in (answers.get(timeout=60) for _ in procs) if a != "ok"]
        for p in procs:
            p.join()
    return errors


def test_workers_opening_a_new_cache_file_together_all_succeed(tmp_path: Path) -> None:
    assert _errors(tmp_path, _cache_first_use) == []


def test_workers_opening_a_new_sql_file_together_all_succeed(tmp_path: Path) -> None:
    assert _errors(tmp_path, _sql_first_use) == []
