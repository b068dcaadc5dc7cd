"""The test servers themselves: a real PostgreSQL and a real Redis answer on 127.0.0.1."""

from __future__ import annotations

import psycopg
import redis as redis_client

from ..support import services


def test_postgres_answers_and_survives_a_restart(postgres_server: services.Postgres) -> None:
    with psycopg.connect(postgres_server.url) as conn:
        assert conn.execute("SELECT 1 + 1").fetchone() == (2,)
        conn.execute("CREATE TABLE IF NOT EXISTS kept (n int)")
        conn.execute("INSERT INTO kept VALUES (7)")
    postgres_server.restart()
    with psycopg.connect(postgres_server.url) as conn:
        assert conn.execute("SELECT n FROM kept").fetchall() == [(7,)]
        conn.execute("DROP TABLE kept")


def test_redis_answers(redis_server: services.Service) -> None:
    client = redis_client.Redis.from_url(redis_server.url)
    client.set("k", "v")
    assert client.get("k") == b"v"
    client.close()
