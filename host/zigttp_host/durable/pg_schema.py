"""The PostgreSQL store's schema, created and migrated by zigttp itself.

Each migration is one entry: its version and its statements. `migrate`
applies the ones a database lacks, each in its own transaction, under an
advisory lock (per schema) so several hosts starting at once migrate once. A database
whose version is newer than this zigttp knows is refused, never written.

    zigttp_schema      one row per applied version
    zigttp_runs        a run: its claim (owner, fencing token, lease), line count, completion
    zigttp_oplog       its oplog lines, in order: the same bytes the file store writes
    zigttp_signals     signals not yet delivered
    zigttp_timers      timers and signalAt deliveries
    zigttp_dead        dead runs (their record, as the file store writes it)
    zigttp_fetch       fetch(url, { durable }) responses, by hash
    zigttp_leases      named leases: the scheduler's lead
"""

from __future__ import annotations

from typing import Any

MIGRATIONS: tuple[tuple[int, tuple[str, ...]], ...] = (
    (1, (
        """CREATE TABLE zigttp_runs (
            key text PRIMARY KEY,
            token bigint NOT NULL DEFAULT 0,
            owner text,
            lease_until timestamptz,
            lines integer NOT NULL DEFAULT 0,
            complete boolean NOT NULL DEFAULT false,
            updated_at timestamptz NOT NULL DEFAULT clock_timestamp())""",
        "CREATE INDEX zigttp_runs_incomplete ON zigttp_runs (key) WHERE NOT complete",
        """CREATE TABLE zigttp_oplog (
            key text NOT NULL REFERENCES zigttp_runs (key) ON DELETE CASCADE,
            n integer NOT NULL,
            line bytea NOT NULL,
            token bigint NOT NULL,
            written_at timestamptz NOT NULL DEFAULT clock_timestamp(),
            PRIMARY KEY (key, n))""",
        """CREATE TABLE zigttp_signals (
            key text NOT NULL,
            name text NOT NULL,
            id text NOT NULL,
            payload bytea NOT NULL,
            PRIMARY KEY (key, name, id))""",
        """CREATE TABLE zigttp_timers (
            at_ms bigint NOT NULL,
            key text NOT NULL,
            name text NOT NULL,
            payload bytea NOT NULL,
            PRIMARY KEY (at_ms, key, name))""",
        "CREATE TABLE zigttp_dead (key text PRIMARY KEY, record bytea NOT NULL)",
        "CREATE TABLE zigttp_fetch (digest text PRIMARY KEY, entry bytea NOT NULL)",
        """CREATE TABLE zigttp_leases (
            name text PRIMARY KEY,
            owner text,
            token bigint NOT NULL DEFAULT 0,
            lease_until timestamptz)""",
    )),
)

LATEST = MIGRATIONS[-1][0]
_LOCK_ID = 0x7A_69_67_74  # pg_advisory_xact_lock key of the migration ("zigt")


class SchemaTooNew(RuntimeError):
    """The database was migrated by a newer zigttp: this one must not write to it."""


def migrate(conn: Any) -> int:
    """Brings the database to LATEST; returns the version it was at. `conn` is an autocommit psycopg connection."""
    with conn.transaction():
        conn.execute("SELECT pg_advisory_xact_lock(%s, hashtext(current_schema()))", (_LOCK_ID,))
        conn.execute("CREATE TABLE IF NOT EXISTS zigttp_schema (version integer PRIMARY KEY, "
                     "applied_at timestamptz NOT NULL DEFAULT clock_timestamp())")
        row = conn.execute("SELECT coalesce(max(version), 0) FROM zigttp_schema").fetchone()
        found = int(row[0])
        if found > LATEST:
            raise SchemaTooNew(f"the database's zigttp schema is version {found}; this zigttp knows up to "
                               f"{LATEST}: upgrade zigttp")
        for version, statements in MIGRATIONS:
            if version <= found:
                continue
            for statement in statements:
                conn.execute(statement)
            conn.execute("INSERT INTO zigttp_schema (version) VALUES (%s)", (version,))
    return found


__all__ = ["LATEST", "MIGRATIONS", "SchemaTooNew", "migrate"]
