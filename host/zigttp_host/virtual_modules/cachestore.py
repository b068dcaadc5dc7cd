"""The stores behind zigttp:cache: one LRU list with an entry and byte budget, TTLs, hit/miss counters.

MemoryStore lives in one process. SqliteStore keeps the same model in a
SQLite file (WAL, busy timeout), so every process that opens the file —
zigttp serve's workers — shares entries, LRU order and counters. Its reads
take no write lock: a hit's LRU touch and the hit/miss counters are kept in
the process and written with its next cache write, or by its first cache
call after FLUSH_S (cacheStats writes this process's own first).
"""

from __future__ import annotations

import contextlib
import re
import sqlite3
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any, Protocol

from ..registry import HostCallError, HostTypeError
from ..sqlitewal import enable_wal

_INT = re.compile(r"^-?[0-9]{1,16}$")
_NUM = re.compile(r"^-?[0-9]+(\.[0-9]+)?([eE][+-]?[0-9]+)?$")


def entry_size(ns: str, key: str, value: str) -> int:
    return len(ns.encode()) + len(key.encode()) + len(value.encode())


def parse_counter(fn: str, key: str, value: str | None) -> float:
    if value is None:
        return 0
    if _INT.match(value):
        return int(value)
    if _NUM.match(value):
        return float(value)
    raise HostTypeError(f"{fn}(): the value stored under {key!r} is not a number")


def format_counter(n: float) -> str:
    if isinstance(n, float) and n.is_integer() and abs(n) < 2**53:
        n = int(n)
    return str(n) if isinstance(n, int) else repr(n)


class CacheStore(Protocol):
    def get(self, ns: str, key: str, now: float) -> str | None: ...
    def set(self, ns: str, key: str, value: str, ttl: float | None, now: float) -> bool: ...
    def delete(self, ns: str, key: str, now: float) -> bool: ...
    def incr(self, ns: str, key: str, delta: float, ttl: float | None, now: float) -> float: ...
    def stats(self, ns: str | None, now: float) -> dict[str, int]: ...


@dataclass
class _Entry:
    value: str
    size: int
    expires: float | None

    def live(self, now: float) -> bool:
        return self.expires is None or self.expires > now


class MemoryStore:
    def __init__(self, max_entries: int, max_bytes: int) -> None:
        self.max_entries = max_entries
        self.max_bytes = max_bytes
        self._entries: OrderedDict[tuple[str, str], _Entry] = OrderedDict()
        self._bytes = 0
        self._counts: dict[str, list[int]] = {}
        self._lock = threading.Lock()

    def _drop(self, k: tuple[str, str]) -> None:
        e = self._entries.pop(k, None)
        if e is not None:
            self._bytes -= e.size

    def _count(self, ns: str, hit: bool) -> None:
        c = self._counts.get(ns)
        if c is None:
            c = self._counts[ns] = [0, 0]
        c[0 if hit else 1] += 1

    def get(self, ns: str, key: str, now: float) -> str | None:
        k = (ns, key)
        with self._lock:
            e = self._entries.get(k)
            if e is not None and not e.live(now):
                self._drop(k)
                e = None
            self._count(ns, e is not None)
            if e is None:
                return None
            self._entries.move_to_end(k)
            return e.value

    def _put(self, k: tuple[str, str], value: str, expires: float | None) -> bool:
        size = entry_size(k[0], k[1], value)
        if size > self.max_bytes:
            return False
        self._drop(k)
        self._entries[k] = _Entry(value, size, expires)
        self._bytes += size
        while len(self._entries) > self.max_entries or self._bytes > self.max_bytes:
            oldest = next(iter(self._entries))
            self._drop(oldest)
        return True

    def set(self, ns: str, key: str, value: str, ttl: float | None, now: float) -> bool:
        with self._lock:
            if ttl is not None and ttl <= 0:
                self._drop((ns, key))
                return True
            return self._put((ns, key), value, None if ttl is None else now + ttl)

    def delete(self, ns: str, key: str, now: float) -> bool:
        with self._lock:
            e = self._entries.get((ns, key))
            self._drop((ns, key))
            return e is not None and e.live(now)

    def incr(self, ns: str, key: str, delta: float, ttl: float | None, now: float) -> float:
        k = (ns, key)
        with self._lock:
            e = self._entries.get(k)
            if e is not None and not e.live(now):
                self._drop(k)
                e = None
            n = parse_counter("cacheIncr", key, None if e is None else e.value) + delta
            expires = (now + ttl) if ttl is not None else (None if e is None else e.expires)
            if ttl is not None and ttl <= 0:
                self._drop(k)
            elif not self._put(k, format_counter(n), expires):
                raise HostCallError("cacheIncr(): the entry does not fit the cache budget")
            return n

    def stats(self, ns: str | None, now: float) -> dict[str, int]:
        with self._lock:
            live = [(k, e) for k, e in self._entries.items() if e.live(now) and (ns is None or k[0] == ns)]
            if ns is None:
                hits = sum(c[0] for c in self._counts.values())
                misses = sum(c[1] for c in self._counts.values())
            else:
                hits, misses = self._counts.get(ns, [0, 0])
            return {"hits": hits, "misses": misses, "entries": len(live), "bytes": sum(e.size for _, e in live)}


_SCHEMA = """
CREATE TABLE IF NOT EXISTS entries (
  ns TEXT NOT NULL, key TEXT NOT NULL, value TEXT NOT NULL, size INTEGER NOT NULL,
  expires REAL, used REAL NOT NULL, PRIMARY KEY (ns, key)) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS entries_by_use ON entries (used);
CREATE TABLE IF NOT EXISTS counts (ns TEXT PRIMARY KEY, hits INTEGER NOT NULL, misses INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS totals (id INTEGER PRIMARY KEY CHECK (id = 0), entries INTEGER NOT NULL,
  bytes INTEGER NOT NULL);
INSERT OR IGNORE INTO totals VALUES (0, 0, 0);
CREATE TRIGGER IF NOT EXISTS entries_ins AFTER INSERT ON entries BEGIN
  UPDATE totals SET entries = entries + 1, bytes = bytes + new.size WHERE id = 0; END;
CREATE TRIGGER IF NOT EXISTS entries_del AFTER DELETE ON entries BEGIN
  UPDATE totals SET entries = entries - 1, bytes = bytes - old.size WHERE id = 0; END;
CREATE TRIGGER IF NOT EXISTS entries_upd AFTER UPDATE OF size ON entries BEGIN
  UPDATE totals SET bytes = bytes - old.size + new.size WHERE id = 0; END;
"""
_LIVE = "(expires IS NULL OR expires > :now)"
_COUNT = ("INSERT INTO counts (ns, hits, misses) VALUES (:ns, :hit, :miss) ON CONFLICT (ns) DO UPDATE "
          "SET hits = hits + excluded.hits, misses = misses + excluded.misses")
_UPSERT = ("INSERT INTO entries (ns, key, value, size, expires, used) VALUES (:ns, :key, :value, :size, :expires, "
           ":now) ON CONFLICT (ns, key) DO UPDATE SET value = excluded.value, size = excluded.size, "
           "expires = excluded.expires, used = excluded.used")


FLUSH_S = 0.5
FLUSH_PENDING = 256


class SqliteStore:
    def __init__(self, path: str, max_entries: int, max_bytes: int, busy_timeout_ms: int = 5000) -> None:
        self.path = path
        self.max_entries = max_entries
        self.max_bytes = max_bytes
        self.busy_timeout_ms = busy_timeout_ms
        self._local = threading.local()
        self._all: list[sqlite3.Connection] = []
        self._lock = threading.Lock()
        self._ready = False
        # What reads learned, written later in one transaction.
        self._pending_lock = threading.Lock()
        self._touched: dict[tuple[str, str], float] = {}
        self._counts: dict[str, list[int]] = {}
        self._flushed = time.monotonic()

    def _conn(self) -> sqlite3.Connection:
        conn = getattr(self._local, "conn", None)
        if conn is not None:
            return conn
        conn = sqlite3.connect(self.path, timeout=self.busy_timeout_ms / 1000, isolation_level=None,
                               check_same_thread=False)
        conn.execute(f"PRAGMA busy_timeout = {int(self.busy_timeout_ms)}")
        enable_wal(conn, self.busy_timeout_ms)
        conn.execute("PRAGMA synchronous = NORMAL")
        with self._lock:
            if not self._ready:
                self._tx(conn, _create)
                self._ready = True
            self._all.append(conn)
        self._local.conn = conn
        return conn

    @staticmethod
    def _tx(conn: sqlite3.Connection, work: Any) -> Any:
        conn.execute("BEGIN IMMEDIATE")
        try:
            result = work(conn)
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        conn.execute("COMMIT")
        return result

    def _run(self, fn: str, work: Any) -> Any:
        def with_pending(c: sqlite3.Connection) -> Any:
            self._write_pending(c)
            return work(c)

        try:
            return self._tx(self._conn(), with_pending)
        except sqlite3.Error as e:
            raise HostCallError(f"{fn}(): cache store error: {e}") from None

    def _write_pending(self, c: sqlite3.Connection) -> None:
        with self._pending_lock:
            touched, self._touched = self._touched, {}
            counts, self._counts = self._counts, {}
            self._flushed = time.monotonic()
        if touched:
            c.executemany("UPDATE entries SET used = max(used, ?) WHERE ns = ? AND key = ?",
                          [(used, ns, key) for (ns, key), used in touched.items()])
        if counts:
            c.executemany(_COUNT, [{"ns": ns, "hit": h, "miss": m} for ns, (h, m) in counts.items()])

    def flush(self) -> None:
        """Writes the LRU touches and counters reads have gathered."""
        self._run("cacheFlush", lambda c: None)

    def get(self, ns: str, key: str, now: float) -> str | None:
        try:
            row = self._conn().execute("SELECT value, expires FROM entries WHERE ns = ? AND key = ?",
                                       (ns, key)).fetchone()
        except sqlite3.Error as e:
            raise HostCallError(f"cacheGet(): cache store error: {e}") from None
        hit = row is not None and (row[1] is None or row[1] > now)
        with self._pending_lock:
            if hit:
                self._touched[(ns, key)] = now
            counts = self._counts.get(ns)
            if counts is None:
                counts = self._counts[ns] = [0, 0]
            counts[0 if hit else 1] += 1
            due = (time.monotonic() - self._flushed > FLUSH_S
                   or len(self._touched) + len(self._counts) > FLUSH_PENDING)
        if due:
            self.flush()
        return row[0] if hit else None

    def _evict(self, c: sqlite3.Connection, now: float) -> None:
        entries, size = c.execute("SELECT entries, bytes FROM totals WHERE id = 0").fetchone()
        if entries <= self.max_entries and size <= self.max_bytes:
            return
        c.execute("DELETE FROM entries WHERE expires IS NOT NULL AND expires <= ?", (now,))
        while True:
            entries, size = c.execute("SELECT entries, bytes FROM totals WHERE id = 0").fetchone()
            if entries <= self.max_entries and size <= self.max_bytes:
                return
            if entries > self.max_entries:
                n = entries - self.max_entries
            else:  # over the byte budget: about as many average entries as the excess
                n = max(1, -(-(size - self.max_bytes) * entries // max(size, 1)))
            c.execute("DELETE FROM entries WHERE (ns, key) IN (SELECT ns, key FROM entries ORDER BY used LIMIT ?)",
                      (n,))

    def set(self, ns: str, key: str, value: str, ttl: float | None, now: float) -> bool:
        size = entry_size(ns, key, value)
        if size > self.max_bytes:
            return False

        def work(c: sqlite3.Connection) -> bool:
            if ttl is not None and ttl <= 0:
                c.execute("DELETE FROM entries WHERE ns = ? AND key = ?", (ns, key))
                return True
            c.execute(_UPSERT, {"ns": ns, "key": key, "value": value, "size": size,
                                "expires": None if ttl is None else now + ttl, "now": now})
            self._evict(c, now)
            return True

        return self._run("cacheSet", work)

    def delete(self, ns: str, key: str, now: float) -> bool:
        def work(c: sqlite3.Connection) -> bool:
            p = {"ns": ns, "key": key, "now": now}
            live = c.execute(f"SELECT 1 FROM entries WHERE ns = :ns AND key = :key AND {_LIVE}", p).fetchone()
            c.execute("DELETE FROM entries WHERE ns = :ns AND key = :key", p)
            return live is not None

        return self._run("cacheDelete", work)

    def incr(self, ns: str, key: str, delta: float, ttl: float | None, now: float) -> float:
        def work(c: sqlite3.Connection) -> float:
            row = c.execute(f"SELECT value, expires FROM entries WHERE ns = :ns AND key = :key AND {_LIVE}",
                            {"ns": ns, "key": key, "now": now}).fetchone()
            n = parse_counter("cacheIncr", key, None if row is None else row[0]) + delta
            if ttl is not None and ttl <= 0:
                c.execute("DELETE FROM entries WHERE ns = ? AND key = ?", (ns, key))
                return n
            expires = (now + ttl) if ttl is not None else (None if row is None else row[1])
            value = format_counter(n)
            size = entry_size(ns, key, value)
            if size > self.max_bytes:
                raise HostCallError("cacheIncr(): the entry does not fit the cache budget")
            c.execute(_UPSERT, {"ns": ns, "key": key, "value": value, "size": size, "expires": expires,
                                "now": now})
            self._evict(c, now)
            return n

        return self._run("cacheIncr", work)

    def stats(self, ns: str | None, now: float) -> dict[str, int]:
        # this process's pending counters are written first (other processes' within FLUSH_S)
        def work(c: sqlite3.Connection) -> dict[str, int]:
            if ns is None:
                hits, misses = c.execute("SELECT coalesce(sum(hits), 0), coalesce(sum(misses), 0) "
                                         "FROM counts").fetchone()
                entries, size = c.execute(f"SELECT count(*), coalesce(sum(size), 0) FROM entries WHERE {_LIVE}",
                                          {"now": now}).fetchone()
            else:
                row = c.execute("SELECT hits, misses FROM counts WHERE ns = ?", (ns,)).fetchone()
                hits, misses = row if row else (0, 0)
                entries, size = c.execute(f"SELECT count(*), coalesce(sum(size), 0) FROM entries WHERE ns = :ns "
                                          f"AND {_LIVE}", {"ns": ns, "now": now}).fetchone()
            return {"hits": hits, "misses": misses, "entries": entries, "bytes": size}

        return self._run("cacheStats", work)

    def close(self) -> None:
        with contextlib.suppress(HostCallError):
            self.flush()
        with self._lock:
            conns, self._all = self._all, []
        for c in conns:
            with contextlib.suppress(sqlite3.Error):
                c.close()


def _create(c: sqlite3.Connection) -> None:
    for statement in _SCHEMA.split(";\n"):
        if statement.strip():
            c.execute(statement)
