"""`zigttp serve --cache redis://…`: two workers sharing one Redis, the flags' errors, a Redis that goes away."""

from __future__ import annotations

import os
import signal
import time

import pytest

from tests.support import services
from tests.support.server import run_cli, serve, spread

from .support import HANDLERS

SHARED = HANDLERS / "shared.js"
GRANTS = ("--no-verify", "--allow-cache", "test", "--threads", "1", "-q")


def test_two_workers_share_entries_and_counters(redis_server: services.Service) -> None:
    import redis

    with serve(SHARED, "--cache", redis_server.url, *GRANTS, workers=2) as s:
        results = spread(s, "/cache")
        assert len({r["me"] for r in results}) == 2, "both workers should have served requests"
        assert sorted(r["n"] for r in results) == list(range(1, len(results) + 1))
        assert s.get("/cache-set?v=hello&ttl=60").json()["ok"] is True
        assert {r.get("v") for r in spread(s, "/cache-get", 16)} == {"hello"}
    client = redis.Redis.from_url(redis_server.url)
    # the default prefix: zigttp:<handler file name>:
    assert client.get(b"zigttp:shared.js:v:4:test:counter") == str(len(results)).encode()
    assert 0 < client.pttl(b"zigttp:shared.js:v:4:test:k") <= 60_000
    client.close()


def test_deployments_with_their_own_prefix_keep_apart(redis_server: services.Service) -> None:
    with serve(SHARED, "--cache", redis_server.url, "--cache-prefix", "one:", *GRANTS) as one, \
            serve(SHARED, "--cache", redis_server.url, "--cache-prefix", "two:", *GRANTS) as two:
        assert [one.get("/cache").json()["n"] for _ in range(3)] == [1, 2, 3]
        assert two.get("/cache").json()["n"] == 1
        assert one.get("/cache-set?v=only-one&ttl=60").json()["ok"] is True
        assert "v" not in two.get("/cache-get").json()


def test_a_redis_that_goes_away_fails_the_request_not_the_server(private_redis: services.Service) -> None:
    server = private_redis
    with serve(SHARED, "--cache", server.url, *GRANTS) as s:
        assert s.get("/cache").json()["n"] == 1
        os.kill(server.proc.pid, signal.SIGSTOP)
        try:
            started = time.monotonic()
            r = s.get("/cache")
            assert time.monotonic() - started < 4.5  # within the request's 5 s limit: no hang
            assert r.status_code == 500
            body = r.json()
            assert body["error"] == "handler_error"
            assert body["message"].startswith("InternalError: cacheIncr(): cache store error: ")
        finally:
            os.kill(server.proc.pid, signal.SIGCONT)
        assert s.get("/cache").json()["n"] == 2  # back: the next call reconnects
        server.proc.kill()
        server.proc.wait()
        r = s.get("/cache")
        assert r.status_code == 500 and "cache store error" in r.json()["message"]
        assert s.get("/_health").status_code == 200


def test_an_unreachable_redis_at_start_is_one_line_and_exit_1() -> None:
    port = services.free_port()
    proc = run_cli("serve", str(SHARED), "--no-verify", "--port", "0", "--cache", f"redis://:pw@127.0.0.1:{port}/0")
    assert proc.returncode == 1
    assert proc.stderr.startswith(f"error: --cache: cannot use Redis at redis://:***@127.0.0.1:{port}/0: ")
    assert proc.stderr.count("\n") == 1 and "Traceback" not in proc.stderr and "pw@" not in proc.stderr


@pytest.mark.parametrize(("value", "message"), [
    ("redis://127.0.0.1:notaport/0", "argument --cache: not a Redis URL: Port could not be cast"),
    ("redis://127.0.0.1:6379/zero", "the database of a Redis URL is a number"),
    ("memcached://127.0.0.1", "expected sqlite, memory or redis://HOST:PORT/DB (or rediss://), got"),
])
def test_a_bad_cache_value_is_a_usage_error(value: str, message: str) -> None:
    proc = run_cli("serve", str(SHARED), "--cache", value)
    assert proc.returncode == 2
    assert message in proc.stderr.splitlines()[-1]


def test_cache_prefix_needs_redis() -> None:
    proc = run_cli("serve", str(SHARED), "--no-verify", "--cache-prefix", "p:")
    assert (proc.returncode, proc.stderr) == (2, "error: --cache-prefix applies to --cache redis://HOST:PORT/DB\n")


def test_help_explains_the_redis_cache() -> None:
    out = " ".join(run_cli("serve", "--help").stdout.split())
    assert "redis://HOST:PORT/DB (or rediss:// for TLS" in out
    assert "--cache-prefix PREFIX" in out and "zigttp:<handler file name>:" in out
