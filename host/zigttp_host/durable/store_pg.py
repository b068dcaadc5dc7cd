"""The durable store on PostgreSQL (`--durable postgresql://…`): several hosts share runs safely.

A run is claimed with a lease and a fencing token: claiming bumps the run's
token, and every write names the token it was claimed with. A write is one
statement that checks the token and appends in the same transaction (the
check's row lock holds until commit), so an owner that was paused or cut
off past its lease, while another host took the run over, has its writes
refused (`ClaimLost`) — it cannot add to an oplog it no longer owns.

The owner keeps its leases alive: a heartbeat thread renews every held
claim well before it expires, and before a live call or a step body starts
the run checks its lease is still fresh (`check`), renewing it on the spot
when it is not. A claim that cannot be renewed is lost: the request stops.

Oplog lines are the same bytes the file store writes, one row each, so the
oplog parser, the semantics (run.py) and the admin views are shared. Every
database error surfaces as `StoreUnavailable` (an OSError): the request
answers 503 and the scheduler retries the run later.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import logging
import os
import re
import secrets
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from .. import wellformed
from .oplog import COMPLETE_LINE, Oplog, parse
from .pg_schema import migrate
from .store import SLEEP_NAME, Claim, ClaimLost, Scheduled, StoreUnavailable

log = logging.getLogger("zigttp.durable")

DEFAULT_LEASE_S = 15.0
POOL_MAX = 16
CONNECT_TIMEOUT_S = 5
LEAD = "scheduler"
SCHEMA_NAME = re.compile(r"[a-z_][a-z0-9_]{0,62}")

_CLAIM = """
INSERT INTO zigttp_runs AS r (key, token, owner, lease_until)
VALUES (%(key)s, 1, %(owner)s, clock_timestamp() + %(lease)s * interval '1 second')
ON CONFLICT (key) DO UPDATE SET token = r.token + 1, owner = EXCLUDED.owner, lease_until = EXCLUDED.lease_until
WHERE r.owner IS NULL OR r.lease_until < clock_timestamp()
RETURNING token"""

# One statement: the fence (the run's row, locked until commit) and the lines, or nothing at all.
_APPEND = """
WITH fence AS (
  UPDATE zigttp_runs SET lines = lines + %(count)s, complete = complete OR %(done)s,
         lease_until = clock_timestamp() + %(lease)s * interval '1 second', updated_at = clock_timestamp()
  WHERE key = %(key)s AND token = %(token)s AND owner = %(owner)s
  RETURNING lines)
INSERT INTO zigttp_oplog (key, n, line, token)
SELECT %(key)s, fence.lines - %(count)s + t.i - 1, t.line, %(token)s
FROM fence, unnest(%(lines)s::bytea[]) WITH ORDINALITY AS t(line, i)
RETURNING n"""

_RENEW = """
UPDATE zigttp_runs SET lease_until = clock_timestamp() + %(lease)s * interval '1 second'
WHERE key = %(key)s AND token = %(token)s AND owner = %(owner)s RETURNING 1"""

_TAKE_LEAD = """
INSERT INTO zigttp_leases AS l (name, owner, token, lease_until)
VALUES (%(name)s, %(owner)s, 1, clock_timestamp() + %(lease)s * interval '1 second')
ON CONFLICT (name) DO UPDATE SET token = l.token + 1, owner = EXCLUDED.owner, lease_until = EXCLUDED.lease_until
WHERE l.owner IS NULL OR l.lease_until < clock_timestamp() OR l.owner = EXCLUDED.owner
RETURNING token"""


@dataclass
class Held:
    """A claim's lease as its owner sees it: valid until `deadline` (monotonic), unless lost."""

    deadline: float
    lost: bool = False


@dataclass
class Lead:
    token: int
    deadline: float


class PostgresStore:
    """Runs, oplogs, signals, timers and dead runs in PostgreSQL (psycopg 3, a connection pool)."""

    replay_only = False

    def __init__(self, url: str, *, lease_s: float = DEFAULT_LEASE_S, schema: str | None = None) -> None:
        try:
            import psycopg
        except ImportError:
            raise StoreUnavailable("--durable postgresql://… needs psycopg 3: pip install 'zigttp[scale]'") from None
        if lease_s <= 0:
            raise ValueError("the durable lease must be positive")
        if schema is not None and not SCHEMA_NAME.fullmatch(schema):
            raise ValueError(f"the durable schema must be a lowercase SQL name ([a-z_][a-z0-9_]*, up to 63), "
                             f"got {schema!r}")
        self.url = url
        self.schema = schema
        self.lease_s = float(lease_s)
        self.owner = f"{socket.gethostname()}:{os.getpid()}:{secrets.token_hex(4)}"
        self._errors: tuple[type[BaseException], ...] = (psycopg.Error, OSError)
        # a schema of its own per deployment or tenant: the same tables, never the same rows
        self._channel = "zigttp_work_" + hashlib.sha256((schema or "").encode()).hexdigest()[:16]
        self._work = threading.Event()
        self._listener: threading.Thread | None = None
        self._held: dict[tuple[str, int], tuple[Claim, Held]] = {}
        self._held_lock = threading.Lock()
        self._heartbeat: threading.Thread | None = None
        self._closed = threading.Event()
        try:  # one direct connection first: a server out of reach fails at once, with its reason
            with self._direct() as conn:
                if schema is not None:
                    conn.execute(f'CREATE SCHEMA IF NOT EXISTS "{schema}"')
                migrate(conn)
        except psycopg.Error as e:
            raise StoreUnavailable(f"the durable store (PostgreSQL) cannot be opened: {_first_line(e)}") from None
        self._pool = _pools.take(url)

    def _direct(self) -> Any:
        """A connection of its own, its search_path the store's schema (migrations, LISTEN)."""
        import psycopg

        options = {} if self.schema is None else {"options": f"-c search_path={self.schema}"}
        return psycopg.connect(self.url, autocommit=True, connect_timeout=CONNECT_TIMEOUT_S, **options)

    # ---------- connections ----------

    @contextlib.contextmanager
    def _conn(self) -> Iterator[Any]:
        """A pooled connection (shared by every store on this URL); any database error becomes StoreUnavailable."""
        try:
            with self._pool.connection() as conn:
                yield conn if self.schema is None else _InSchema(conn, self.schema)
        except (ClaimLost, StoreUnavailable):
            raise
        except self._errors as e:
            raise StoreUnavailable(f"the durable store (PostgreSQL) failed: {_first_line(e)}") from None

    def close(self) -> None:
        if not self._closed.is_set():
            self._closed.set()
            self._work.set()
            _pools.give_back(self.url)

    # ---------- notifications: a signal or timer added on any host wakes the leading scheduler ----------

    def wait_for_work(self, timeout_s: float) -> None:
        if self._listener is None or not self._listener.is_alive():
            self._listener = threading.Thread(target=self._listen, name="zigttp-durable-listen", daemon=True)
            self._listener.start()
        if self._work.wait(timeout_s):
            self._work.clear()

    def _listen(self) -> None:
        """LISTEN on a connection of its own (reconnecting while the database is away)."""
        import psycopg

        while not self._closed.is_set():
            try:
                with self._direct() as conn:
                    conn.execute(f"LISTEN {self._channel}")
                    self._work.set()  # anything added while not listening is looked at now
                    for _ in conn.notifies(timeout=self.lease_s):
                        self._work.set()
                        if self._closed.is_set():
                            return
            except psycopg.Error:
                self._closed.wait(1.0)

    # ---------- runs ----------

    def read(self, key: str) -> Oplog | None:
        with self._conn() as conn:
            rows = conn.execute("SELECT line FROM zigttp_oplog WHERE key = %s ORDER BY n", (key,)).fetchall()
        if len(rows) < 2:
            return None  # created but its first lines never committed: the run has not started
        return parse(b"".join(bytes(r[0]) for r in rows), f"run {key!r}")

    def claim(self, key: str) -> Claim | None:
        started = time.monotonic()
        with self._conn() as conn:
            row = conn.execute(_CLAIM, {"key": key, "owner": self.owner, "lease": self.lease_s}).fetchone()
        if row is None:
            return None
        claim = Claim(key, int(row[0]), Held(started + self.lease_s))
        with self._held_lock:
            self._held[(key, claim.token)] = (claim, claim.handle)
        self._start_heartbeat()
        return claim

    def release(self, claim: Claim) -> None:
        with self._held_lock:
            self._held.pop((claim.key, claim.token), None)
        try:
            with self._conn() as conn:
                conn.execute("UPDATE zigttp_runs SET owner = NULL, lease_until = NULL "
                             "WHERE key = %s AND token = %s AND owner = %s", (claim.key, claim.token, self.owner))
        except StoreUnavailable as e:  # the lease runs out by itself
            log.warning("durable run %r: release failed (%s); its lease expires in %.0f s", claim.key, e,
                        self.lease_s)

    def abandon(self, claim: Claim) -> None:
        """Gives up a run whose request failed on the database: its lease ends now, so it is an orphan the
        leading scheduler resumes at its next tick (and a client's retry may claim it at once), not a run
        left released with nothing to wake it (a wait_timer line whose timer was never written)."""
        with self._held_lock:
            self._held.pop((claim.key, claim.token), None)
        try:
            with self._conn() as conn:
                conn.execute("UPDATE zigttp_runs SET lease_until = clock_timestamp() "
                             "WHERE key = %s AND token = %s AND owner = %s", (claim.key, claim.token, self.owner))
        except StoreUnavailable as e:  # the lease runs out by itself, then the run is an orphan just the same
            log.warning("durable run %r: abandon failed (%s); its lease expires in %.0f s", claim.key, e,
                        self.lease_s)

    def create(self, claim: Claim, first_lines: bytes) -> None:
        with self._conn() as conn, conn.transaction():
            fenced = conn.execute("UPDATE zigttp_runs SET lines = 0, complete = false WHERE key = %s AND token = %s "
                                  "AND owner = %s RETURNING 1", (claim.key, claim.token, self.owner)).fetchone()
            if fenced is None:
                raise self._lost(claim)
            conn.execute("DELETE FROM zigttp_oplog WHERE key = %s", (claim.key,))
        self.append(claim, first_lines)

    def append(self, claim: Claim, line: bytes) -> None:
        lines = [part + b"\n" for part in line.split(b"\n") if part]
        started = time.monotonic()
        with self._conn() as conn:
            written = conn.execute(_APPEND, {"key": claim.key, "token": claim.token, "owner": self.owner,
                                             "count": len(lines), "done": COMPLETE_LINE in lines,
                                             "lines": lines, "lease": self.lease_s}).fetchall()
        if not written:
            raise self._lost(claim)
        claim.handle.deadline = started + self.lease_s

    def drop_torn_tail(self, claim: Claim) -> None:
        """Nothing to cut: every append is one transaction, whole or absent."""

    def check(self, claim: Claim) -> None:
        """Before a live call or a step body: the lease must still be ours (renewed when half used)."""
        held: Held = claim.handle
        if held.lost:
            raise self._lost(claim)
        if time.monotonic() > held.deadline - self.lease_s / 2:
            self._renew(claim)

    def _renew(self, claim: Claim) -> None:
        started = time.monotonic()
        with self._conn() as conn:
            row = conn.execute(_RENEW, {"key": claim.key, "token": claim.token, "owner": self.owner,
                                        "lease": self.lease_s}).fetchone()
        if row is None:
            raise self._lost(claim)
        claim.handle.deadline = started + self.lease_s

    def _lost(self, claim: Claim) -> ClaimLost:
        claim.handle.lost = True
        return ClaimLost(f"run {claim.key!r}: its lease expired and another host took it over (fencing token "
                         f"{claim.token} is stale); this request stops, the run goes on there")

    def _start_heartbeat(self) -> None:
        if self._heartbeat is None or not self._heartbeat.is_alive():
            with self._held_lock:
                if self._heartbeat is None or not self._heartbeat.is_alive():
                    self._heartbeat = threading.Thread(target=self._beat, name="zigttp-durable-leases", daemon=True)
                    self._heartbeat.start()

    def _beat(self) -> None:
        """Renews every held claim at a third of the lease, so a long step keeps its run."""
        while not self._closed.wait(self.lease_s / 3):
            with self._held_lock:
                held = list(self._held.values())
            for claim, lease in held:
                if lease.lost or time.monotonic() < lease.deadline - self.lease_s * 2 / 3:
                    continue
                with contextlib.suppress(ClaimLost, StoreUnavailable):
                    self._renew(claim)

    def run_keys(self) -> list[str]:
        with self._conn() as conn:
            return [r[0] for r in conn.execute("SELECT key FROM zigttp_runs WHERE lines >= 2 ORDER BY key")]

    def incomplete_keys(self) -> list[str]:
        with self._conn() as conn:
            return [r[0] for r in conn.execute(
                "SELECT key FROM zigttp_runs WHERE NOT complete AND lines >= 2 ORDER BY key")]

    def orphaned_keys(self) -> list[str]:
        """Incomplete runs whose owner's lease expired while it held them (it died or was cut off)."""
        with self._conn() as conn:
            return [r[0] for r in conn.execute(
                "SELECT key FROM zigttp_runs WHERE NOT complete AND lines >= 2 AND owner IS NOT NULL "
                "AND lease_until < clock_timestamp() ORDER BY key")]

    def remove_completed(self, older_than_s: float) -> int:
        with self._conn() as conn, conn.transaction():
            gone = conn.execute(
                "DELETE FROM zigttp_runs WHERE complete AND updated_at < clock_timestamp() - %s * interval '1 second' "
                "AND (owner IS NULL OR lease_until < clock_timestamp()) RETURNING key", (older_than_s,)).fetchall()
            if gone:
                conn.execute("DELETE FROM zigttp_signals WHERE key = ANY(%s)", ([r[0] for r in gone],))
        return len(gone)

    # ---------- the scheduler's lead ----------

    def take_lead(self) -> Lead | None:
        started = time.monotonic()
        with self._conn() as conn:
            row = conn.execute(_TAKE_LEAD, {"name": LEAD, "owner": self.owner, "lease": self.lease_s}).fetchone()
        return None if row is None else Lead(int(row[0]), started + self.lease_s)

    def keep_lead(self, lead: Lead) -> bool:
        """Renews the lead when a third of its lease is used; False when another scheduler took it."""
        if time.monotonic() < lead.deadline - self.lease_s * 2 / 3:
            return True
        started = time.monotonic()
        with self._conn() as conn:
            row = conn.execute("UPDATE zigttp_leases SET lease_until = clock_timestamp() + %s * interval '1 second' "
                               "WHERE name = %s AND owner = %s AND token = %s RETURNING 1",
                               (self.lease_s, LEAD, self.owner, lead.token)).fetchone()
        if row is None:
            return False
        lead.deadline = started + self.lease_s
        return True

    def release_lead(self, lead: Lead) -> None:
        with contextlib.suppress(StoreUnavailable), self._conn() as conn:
            conn.execute("UPDATE zigttp_leases SET owner = NULL, lease_until = NULL "
                         "WHERE name = %s AND owner = %s AND token = %s", (LEAD, self.owner, lead.token))

    # ---------- signals ----------

    def put_signal(self, key: str, name: str, payload: Any, signal_id: str | None = None) -> bool:
        signal_id = signal_id or f"{time.time_ns():020d}-{secrets.token_hex(6)}"
        with self._conn() as conn:
            row = conn.execute(
                "WITH kept AS (INSERT INTO zigttp_signals (key, name, id, payload) SELECT %s, %s, %s, %s "
                "WHERE EXISTS (SELECT 1 FROM zigttp_runs WHERE key = %s AND lines >= 2 AND NOT complete) "
                "ON CONFLICT DO NOTHING RETURNING 1) SELECT pg_notify(%s, '') FROM kept",
                (key, name, signal_id, wellformed.dumps(payload), key, self._channel)).fetchone()
            if row is not None:
                return True
            # kept already (the same id again: a timer fired twice) or not kept at all
            return conn.execute("SELECT 1 FROM zigttp_signals WHERE key = %s AND name = %s AND id = %s",
                                (key, name, signal_id)).fetchone() is not None

    def signals(self, key: str, name: str) -> list[tuple[str, Any]]:
        with self._conn() as conn:
            rows = conn.execute("SELECT id, payload FROM zigttp_signals WHERE key = %s AND name = %s ORDER BY id",
                                (key, name)).fetchall()
        return [(r[0], wellformed.loads(bytes(r[1]))) for r in rows]

    def drop_signal(self, key: str, name: str, signal_id: str) -> None:
        with self._conn() as conn:
            conn.execute("DELETE FROM zigttp_signals WHERE key = %s AND name = %s AND id = %s", (key, name, signal_id))

    def waiting_signal_keys(self) -> list[str]:
        with self._conn() as conn:
            return [r[0] for r in conn.execute("SELECT DISTINCT key FROM zigttp_signals ORDER BY key")]

    def fetch_entry(self, digest: str) -> bytes | None:
        with self._conn() as conn:
            row = conn.execute("SELECT entry FROM zigttp_fetch WHERE digest = %s", (digest,)).fetchone()
        return None if row is None else bytes(row[0])

    def put_fetch_entry(self, digest: str, data: bytes) -> None:
        with self._conn() as conn:
            conn.execute("INSERT INTO zigttp_fetch (digest, entry) VALUES (%s, %s) "
                         "ON CONFLICT (digest) DO UPDATE SET entry = EXCLUDED.entry", (digest, data))

    # ---------- timers ----------

    def schedule(self, at_ms: int, key: str, name: str, payload: Any) -> None:
        with self._conn() as conn:
            conn.execute("WITH kept AS (INSERT INTO zigttp_timers (at_ms, key, name, payload) VALUES (%s, %s, %s, %s) "
                         "ON CONFLICT DO NOTHING RETURNING 1) SELECT pg_notify(%s, '') FROM kept",
                         (at_ms, key, name, wellformed.dumps(payload), self._channel))

    def due(self, now_ms: int) -> list[Scheduled]:
        with self._conn() as conn:
            rows = conn.execute("SELECT at_ms, key, name, payload FROM zigttp_timers WHERE at_ms <= %s "
                                "ORDER BY at_ms, key, name", (now_ms,)).fetchall()
        return [Scheduled(int(r[0]), r[1], r[2], wellformed.loads(bytes(r[3])), f"{r[0]}") for r in rows]

    def unschedule(self, item: Scheduled) -> None:
        with self._conn() as conn:
            conn.execute("DELETE FROM zigttp_timers WHERE at_ms = %s AND key = %s AND name = %s",
                         (item.at_ms, item.key, item.name))

    # ---------- dead runs ----------

    def park(self, key: str, reason: str, attempts: int) -> None:
        from .scheduler import dead_record

        with self._conn() as conn:
            conn.execute("INSERT INTO zigttp_dead (key, record) VALUES (%s, %s) "
                         "ON CONFLICT (key) DO UPDATE SET record = EXCLUDED.record",
                         (key, dead_record(key, reason, attempts)))

    def _dead(self, key: str) -> dict[str, Any] | None:
        with self._conn() as conn:
            row = conn.execute("SELECT record FROM zigttp_dead WHERE key = %s", (key,)).fetchone()
        if row is None:
            return None
        doc = wellformed.loads(bytes(row[0]))
        return doc if isinstance(doc, dict) else {}

    def is_dead(self, key: str) -> bool:
        doc = self._dead(key)
        return doc is not None and doc.get("state") == "dead"

    def dead_runs(self) -> list[dict[str, Any]]:
        with self._conn() as conn:
            rows = conn.execute("SELECT record FROM zigttp_dead ORDER BY key").fetchall()
        return [doc for doc in (wellformed.loads(bytes(r[0])) for r in rows) if isinstance(doc, dict)]

    def revive(self, key: str) -> bool:
        with self._conn() as conn:
            gone = conn.execute("DELETE FROM zigttp_dead WHERE key = %s RETURNING 1", (key,)).fetchone()
        if gone is None:
            return False
        self.schedule(int(time.time() * 1000), key, SLEEP_NAME, None)
        return True

    def discard(self, key: str) -> bool:
        doc = self._dead(key)
        if doc is None:
            return False
        doc["state"] = "discarded"
        doc["discarded_at_ms"] = int(time.time() * 1000)
        with self._conn() as conn:
            conn.execute("UPDATE zigttp_dead SET record = %s WHERE key = %s", (wellformed.dumps(doc), key))
        return True


_TABLES = re.compile(r"\bzigttp_(runs|oplog|signals|timers|dead|fetch|leases)\b")


class _InSchema:
    """A pooled connection whose statements name the store's schema (pooled connections share no search_path)."""

    __slots__ = ("_conn", "_schema")

    def __init__(self, conn: Any, schema: str) -> None:
        self._conn = conn
        self._schema = schema

    def execute(self, statement: str, params: Any = None) -> Any:
        return self._conn.execute(_in_schema(statement, self._schema), params)

    def transaction(self) -> Any:
        return self._conn.transaction()


@functools.lru_cache(maxsize=1024)
def _in_schema(statement: str, schema: str) -> str:
    return _TABLES.sub(lambda m: f'"{schema}".{m.group(0)}', statement)


class _SharedPools:
    """One connection pool per database URL for every store on it (a platform's many tenants, their schemas)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._pools: dict[str, tuple[Any, int]] = {}

    def take(self, url: str) -> Any:
        from psycopg_pool import ConnectionPool

        with self._lock:
            pool, users = self._pools.get(url, (None, 0))
            if pool is None:
                pool = ConnectionPool(url, min_size=1, max_size=POOL_MAX, open=False,
                                      check=ConnectionPool.check_connection,
                                      kwargs={"autocommit": True, "connect_timeout": CONNECT_TIMEOUT_S},
                                      timeout=CONNECT_TIMEOUT_S, name="zigttp-durable")
                pool.open(wait=False)
            self._pools[url] = (pool, users + 1)
            return pool

    def give_back(self, url: str) -> None:
        with self._lock:
            pool, users = self._pools.get(url, (None, 0))
            if pool is None:
                return
            if users > 1:
                self._pools[url] = (pool, users - 1)
                return
            del self._pools[url]
        pool.close()


_pools = _SharedPools()


def _first_line(e: BaseException) -> str:
    text = str(e).strip() or type(e).__name__
    return text.splitlines()[0]


__all__ = ["DEFAULT_LEASE_S", "Held", "Lead", "PostgresStore"]
