"""Every row of the limits table: answered with JSON, contained, and the next request succeeds.

These handlers are plain JavaScript loaded with --no-verify: the sandbox must
hold for code no verifier saw.
"""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest

from .conftest import HANDLERS
from .support.server import Server, serve

TIMEOUT_MS = 1000
MEMORY = 48 << 20


@pytest.fixture(scope="module")
def srv() -> Iterator[Server]:
    with serve(HANDLERS / "limits.js", "--no-verify", "--timeout-ms", str(TIMEOUT_MS), "--memory", "48m",
               "--max-body-size", "1k", "--max-response-size", "64k", "--threads", "2") as server:
        yield server


def _next_ok(srv: Server) -> None:
    r = srv.get("/ok")
    assert r.status_code == 200, r.text
    assert r.json()["ok"] is True


def test_wall_clock_timeout(srv: Server) -> None:
    started = time.monotonic()
    r = srv.get("/spin")
    elapsed = time.monotonic() - started
    assert r.status_code == 504
    assert r.json() == {"error": "timeout", "limitMs": TIMEOUT_MS}
    assert elapsed < TIMEOUT_MS / 1000 + 1.5
    _next_ok(srv)


def test_timeout_cannot_be_caught(srv: Server) -> None:
    r = srv.get("/spin-catch")
    assert r.status_code == 504
    assert r.json()["error"] == "timeout"
    _next_ok(srv)


def test_memory_limit(srv: Server) -> None:
    r = srv.get("/memory")
    assert r.status_code == 500
    assert r.json() == {"error": "memory_limit", "limitBytes": MEMORY}
    _next_ok(srv)


def test_memory_limit_caught_by_the_handler_is_its_business(srv: Server) -> None:
    r = srv.get("/memory-catch")
    assert r.status_code == 200
    assert "out of memory" in r.text
    _next_ok(srv)


def test_js_stack_overflow(srv: Server) -> None:
    r = srv.get("/stack")
    assert r.status_code == 500
    assert r.json() == {"error": "stack_overflow"}
    _next_ok(srv)


def test_native_stack_overflow_traps_and_is_replaced(srv: Server) -> None:
    r = srv.get("/native-stack")
    assert r.status_code == 500
    assert r.json() == {"error": "stack_overflow"}
    _next_ok(srv)


def test_uncaught_exception_points_at_the_source(srv: Server) -> None:
    r = srv.get("/throw")
    assert r.status_code == 500
    body = r.json()
    assert body["error"] == "handler_error"
    assert "cannot read property 'name' of undefined" in body["message"]
    assert body["at"] == "limits.js:39:26"
    _next_ok(srv)


def test_thrown_non_error_value(srv: Server) -> None:
    r = srv.get("/throw-value")
    assert r.status_code == 500
    assert r.json()["error"] == "handler_error"
    assert "just a string" in r.json()["message"]
    _next_ok(srv)


def test_request_body_too_large(srv: Server) -> None:
    r = srv.post("/body-size", content=b"a" * 2048)
    assert r.status_code == 413
    assert r.json() == {"error": "body_too_large", "limitBytes": 1024}
    assert srv.post("/body-size", content=b"a" * 1000).json() == {"length": 1000}


def test_chunked_request_body_too_large(srv: Server) -> None:
    def chunks() -> Iterator[bytes]:
        for _ in range(8):
            yield b"b" * 512

    r = srv.post("/body-size", content=chunks())
    assert r.status_code == 413
    assert r.json() == {"error": "body_too_large", "limitBytes": 1024}
    _next_ok(srv)


def test_response_body_too_large(srv: Server) -> None:
    r = srv.get("/big-response")
    assert r.status_code == 500
    assert r.json() == {"error": "response_too_large", "limitBytes": 64 * 1024}
    _next_ok(srv)


@pytest.mark.parametrize("path", ["/not-a-response", "/bad-status"])
def test_invalid_responses(srv: Server, path: str) -> None:
    r = srv.get(path)
    assert r.status_code == 500
    assert r.json()["error"] == "handler_error"
    _next_ok(srv)


def test_header_injection_is_refused(srv: Server) -> None:
    r = srv.get("/bad-header")
    assert r.status_code == 500
    assert r.json()["error"] == "bad_response"
    assert "set-cookie" not in r.headers
    _next_ok(srv)


def test_health_answers_while_handlers_spin(srv: Server) -> None:
    import threading

    results: list[int] = []
    threads = [threading.Thread(target=lambda: results.append(srv.get("/spin").status_code)) for _ in range(2)]
    for t in threads:
        t.start()
    time.sleep(0.1)
    assert srv.get("/_health").text == "ok"
    # /_health did not wait for the handlers: they are still spinning
    assert any(t.is_alive() for t in threads), "health was answered only after the handlers finished"
    for t in threads:
        t.join()
    assert results == [504, 504]


def test_a_long_handler_does_not_stall_other_requests_of_its_worker(srv: Server) -> None:
    import threading

    # one worker process: the quick request must be served by another thread
    spinning = threading.Thread(target=lambda: srv.get("/spin"))
    spinning.start()
    time.sleep(0.05)
    _next_ok(srv)
    # the quick request was served while the slow one still ran, not after it
    assert spinning.is_alive(), "a quick request waited behind a spinning one"
    spinning.join()


def test_pooled_module_state_persists_and_survives_failures() -> None:
    # one handler thread and no inline trials, so one warm instance serves every request
    with serve(HANDLERS / "limits.js", "--no-verify", "--threads", "1", "--no-inline", "--timeout-ms", "1000") as srv:
        counts = [srv.get("/ok").json()["requests"] for _ in range(3)]
        assert counts == [counts[0], counts[0] + 1, counts[0] + 2]
        assert srv.get("/spin").status_code == 504  # soft deadline: the instance survives
        assert srv.get("/ok").json()["requests"] == counts[0] + 4
        assert srv.get("/native-stack").status_code == 500  # a trap: the instance is replaced
        assert srv.get("/ok").json()["requests"] == 1


def test_fuel_limit() -> None:
    with serve(HANDLERS / "limits.js", "--no-verify", "--fuel", "20000000", "--timeout-ms", "5000") as srv:
        r = srv.get("/spin")
        assert r.status_code == 500
        assert r.json() == {"error": "cpu_limit", "fuel": 20000000}
        _next_ok(srv)


def test_fresh_isolation_shares_nothing_between_requests() -> None:
    with serve(HANDLERS / "limits.js", "--no-verify", "--isolation", "fresh") as srv:
        assert srv.get("/ok").json()["requests"] == 1
        assert srv.get("/ok").json()["requests"] == 1
        assert srv.get("/spin-catch", timeout=30).status_code == 504
        assert srv.get("/ok").json()["requests"] == 1


def test_deep_recursion_at_the_largest_js_stack_is_an_exception_not_a_trap() -> None:
    from zigttp_host import Bundle, Host, HttpRequest, Limits

    source = ("export function handler(req) { function f(n) { return n === 0 ? 0 : 1 + f(n - 1) }\n"
              "  return Response.text(String(f(1e6))) }")
    handler = Host().load(Bundle(source, "recursion.js"), Limits(js_stack_bytes=512 << 10))
    r = handler.handle(HttpRequest("GET", "/"))
    assert r.status == 500 and r.failure is not None and r.failure.kind == "stack_overflow"
    assert not r.failure.instance_discarded
    with pytest.raises(ValueError, match="at most 512k"):
        Limits(js_stack_bytes=768 << 10)
