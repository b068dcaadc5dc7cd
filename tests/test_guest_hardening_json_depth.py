"""JSON nested beyond JSON_MAX_DEPTH fails as an ordinary error: no trap, the instance and its state survive.

QuickJS parses and serialises JSON by recursion in C, whose frames the JS
stack limit does not see: without a limit, a request body of `[` repeated
overflows wasmtime's stack, a trap that discards the pooled instance.
"""

from __future__ import annotations

import orjson
import pytest

from zigttp_host import Bundle, Handler, Host, HttpRequest, Limits

from .conftest import HANDLERS
from .support.server import serve

MAX_DEPTH = 1024
TOO_DEEP = b"[" * 100_000


def _nested(depth: int) -> bytes:
    return b"[" * depth + b"]" * depth


@pytest.fixture(scope="module")
def handler(host: Host) -> Handler:
    return host.load(Bundle((HANDLERS / "json_depth.js").read_text(), "json_depth.js"), Limits(timeout_ms=5000))


def _post(handler: Handler, path: str, body: bytes) -> tuple[int, dict]:
    r = handler.handle(HttpRequest("POST", path, [("content-type", "application/json")], body))
    return r.status, orjson.loads(r.body)


def _count(handler: Handler) -> int:
    return _post(handler, "/count", b"")[1]["count"]


def test_try_parse_answers_an_error_result(handler: Handler) -> None:
    before, discarded = _count(handler), handler.instances_discarded
    assert _post(handler, "/try", TOO_DEEP) == (400, {"error": f"JSON nested deeper than {MAX_DEPTH} levels"})
    assert _post(handler, "/try", _nested(MAX_DEPTH)) == (200, {"ok": True})
    assert _post(handler, "/try", _nested(MAX_DEPTH + 1))[0] == 400
    assert _count(handler) == before + 4  # the same instance, its module state intact
    assert handler.instances_discarded == discarded


@pytest.mark.parametrize("path", ["/parse", "/json"])
def test_parse_and_req_json_throw_an_ordinary_exception(handler: Handler, path: str) -> None:
    before, discarded = _count(handler), handler.instances_discarded
    r = handler.handle(HttpRequest("POST", path, [], TOO_DEEP))
    assert r.status == 500
    assert orjson.loads(r.body) == {"error": "handler_error",
                                    "message": f"RangeError: JSON nested deeper than {MAX_DEPTH} levels",
                                    "at": orjson.loads(r.body).get("at")}
    assert r.failure is not None and not r.failure.instance_discarded
    assert handler.instances_discarded == discarded
    assert _count(handler) == before + 2


def test_req_json_still_answers_undefined_for_a_syntax_error(handler: Handler) -> None:
    assert _post(handler, "/json", b"{nope") == (200, {"parsed": False})
    assert _post(handler, "/json", _nested(MAX_DEPTH)) == (200, {"parsed": True})


def test_decode_json_answers_an_error_result(handler: Handler) -> None:
    discarded = handler.instances_discarded
    assert _post(handler, "/decode", TOO_DEEP) == (400, {"error": "invalid"})
    assert _post(handler, "/decode", _nested(MAX_DEPTH)) == (200, {"ok": True})
    assert handler.instances_discarded == discarded


@pytest.mark.parametrize("path", ["/stringify", "/respond"])
def test_stringify_of_a_deep_value_throws_an_ordinary_exception(handler: Handler, path: str) -> None:
    before, discarded = _count(handler), handler.instances_discarded
    r = handler.handle(HttpRequest("GET", f"{path}?depth=100000"))
    assert r.status == 500, r.body
    assert orjson.loads(r.body)["message"] == f"RangeError: JSON.stringify: value nested deeper than {MAX_DEPTH} levels"
    assert r.failure is not None and not r.failure.instance_discarded
    ok = handler.handle(HttpRequest("GET", f"{path}?depth={MAX_DEPTH - 1}"))
    assert ok.status == 200, ok.body
    assert handler.instances_discarded == discarded
    assert _count(handler) == before + 3


def test_a_cycle_is_still_reported_as_a_cycle(handler: Handler) -> None:
    r = handler.handle(HttpRequest("GET", "/cycle"))
    assert r.status == 500
    assert "circular" in orjson.loads(r.body)["message"]


def test_served_deep_bodies_keep_the_instance() -> None:
    with serve(HANDLERS / "json_depth.js", "--no-verify", "--threads", "1", "--no-inline") as srv:
        first = srv.get("/count").json()["count"]
        r = srv.post("/try", content=TOO_DEEP)
        assert r.status_code == 400 and r.json() == {"error": f"JSON nested deeper than {MAX_DEPTH} levels"}
        for path in ("/parse", "/json"):
            r = srv.post(path, content=TOO_DEEP)
            assert r.status_code == 500
            assert r.json()["message"] == f"RangeError: JSON nested deeper than {MAX_DEPTH} levels"
        assert srv.get("/count").json()["count"] == first + 4
