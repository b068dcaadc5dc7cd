"""Promise jobs count against the request that queued them, and never run in a later one."""

from __future__ import annotations

import time

import orjson
import pytest

from zigttp_host import Bundle, Handler, Host, HttpRequest, Limits

from .conftest import HANDLERS
from .support.server import serve

TIMEOUT_MS = 300


def _load(host: Host, limits: Limits) -> Handler:
    return host.load(Bundle((HANDLERS / "microtasks.js").read_text(), "microtasks.js"), limits)


def _ok(handler: Handler) -> dict:
    started = time.monotonic()
    r = handler.handle(HttpRequest("GET", "/ok"))
    assert r.status == 200, r.body
    # no job left over from the previous request runs in this one
    assert time.monotonic() - started < TIMEOUT_MS / 1000
    return orjson.loads(r.body)


@pytest.mark.parametrize("path", ["/spin-async", "/spin-sync", "/spin-then-throw"])
def test_endless_promise_jobs_end_in_the_timeout_response(host: Host, path: str) -> None:
    h = _load(host, Limits(timeout_ms=TIMEOUT_MS))
    r = h.handle(HttpRequest("GET", path))
    assert (r.status, orjson.loads(r.body)) == (504, {"error": "timeout", "limitMs": TIMEOUT_MS})
    assert h.instances_discarded == 0  # the soft deadline stopped them, not a trap
    _ok(h)
    _ok(h)


def test_endless_promise_jobs_count_against_fuel(host: Host) -> None:
    h = _load(host, Limits(timeout_ms=10_000, fuel=50_000_000))
    r = h.handle(HttpRequest("GET", "/spin-sync"))
    assert (r.status, orjson.loads(r.body)) == (500, {"error": "cpu_limit", "fuel": 50_000_000})
    _ok(h)


def test_jobs_of_a_synchronous_handler_run_within_its_request(host: Host) -> None:
    h = _load(host, Limits(timeout_ms=2000))
    r = h.handle(HttpRequest("GET", "/bump"))
    assert orjson.loads(r.body) == {"bumped": 0}  # the job runs after the handler returned...
    assert _ok(h)["bumped"] == 1  # ...but before its request ended


def test_served_endless_promise_jobs_answer_504_and_the_server_keeps_serving() -> None:
    with serve(HANDLERS / "microtasks.js", "--no-verify", "--timeout-ms", str(TIMEOUT_MS), "--threads", "1") as srv:
        for path in ("/spin-async", "/spin-sync"):
            r = srv.get(path)
            assert (r.status_code, r.json()) == (504, {"error": "timeout", "limitMs": TIMEOUT_MS})
            ok = srv.get("/ok")
            assert ok.status_code == 200 and ok.json()["ok"] is True
