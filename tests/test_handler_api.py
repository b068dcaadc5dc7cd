"""The handler API of upstream-spec §2, through a real server and the real guest."""

from __future__ import annotations

import time
from collections.abc import Iterator

import orjson
import pytest

from .conftest import HANDLERS
from .support.server import Server, serve


@pytest.fixture(scope="module")
def api() -> Iterator[Server]:
    with serve(HANDLERS / "api.js", "--no-verify") as server:
        yield server


def test_request_fields(api: Server) -> None:
    r = api.post("/echo-request?id=42&neg=-7&name=a%20b&plus=x+y&big=12345678901234567890&id=43&flag",
                 headers={"X-Custom": "v", "Cookie": "a=1"}, content=b"payload")
    assert r.status_code == 200
    data = r.json()
    assert data["method"] == "POST"
    assert data["path"] == "/echo-request"
    assert data["url"].startswith("/echo-request?id=42")
    # integer-looking values become numbers; duplicates: last wins
    assert data["query"] == {"id": 43, "neg": -7, "name": "a b", "plus": "x y", "big": "12345678901234567890",
                             "flag": ""}
    assert data["headers"]["x-custom"] == "v"
    assert data["headers"]["cookie"] == "a=1"
    assert data["getCase"] == "v"
    assert data["has"] is True
    assert "missing" not in data  # undefined is dropped by JSON
    assert data["body"] == "payload"


def test_get_has_no_body(api: Server) -> None:
    assert "body" not in api.get("/echo-request").json()


def test_text_and_json_readers(api: Server) -> None:
    assert api.post("/text", content=b"hello").text == "hello"
    assert api.post("/json", content=b'{"a":[1,2]}').json() == {"data": {"a": [1, 2]}, "isUndefined": False}
    assert api.post("/json", content=b"not json").json() == {"isUndefined": True}
    assert api.get("/json").json() == {"isUndefined": True}


def test_body_readers_are_single_use(api: Server) -> None:
    r = api.post("/twice", content=b"x")
    assert r.status_code == 500
    body = r.json()
    assert body["error"] == "handler_error"
    assert "already read" in body["message"]


def test_raw_body_bytes_reach_the_handler_exactly(api: Server) -> None:
    raw = bytes(range(256))  # not valid UTF-8
    r = api.post("/bytes", content=raw)
    assert r.json() == {"length": 256, "sum": sum(raw)}


def test_response_json_helper(api: Server) -> None:
    r = api.get("/json-helper")
    assert r.status_code == 201
    assert r.headers["content-type"] == "application/json"
    assert r.headers["x-extra"] == "yes"
    # §2.3: undefined fields dropped, undefined in arrays and non-finite numbers become null
    assert r.content == b'{"a":1,"arr":[1,null],"inf":null}'
    assert api.get("/json-undefined").content == b"null"


@pytest.mark.parametrize(("path", "status", "ctype", "body", "extra"), [
    ("/text-helper", 202, "text/plain; charset=utf-8", b"plain", ("x-t", "1")),
    ("/html-helper", 200, "text/html; charset=utf-8", b"<b>hi</b>", ("x-h", "1")),
    ("/raw-json", 200, "application/json", b'{"pre":"serialized"}', ("x-r", "1")),
    ("/factory", 418, "text/x-custom", b"made", None),
    ("/factory-new", 200, "text/plain; charset=utf-8", b"with new", None),
])
def test_response_helpers_honour_init(api: Server, path: str, status: int, ctype: str, body: bytes,
                                      extra: tuple[str, str] | None) -> None:
    r = api.get(path)
    assert r.status_code == status
    assert r.headers["content-type"] == ctype
    assert r.content == body
    if extra:
        assert r.headers[extra[0]] == extra[1]


def test_redirects(api: Server) -> None:
    r = api.get("/redirect", follow_redirects=False)
    assert r.status_code == 302
    assert r.headers["location"] == "/elsewhere"
    assert r.content == b""
    r = api.get("/redirect-301", follow_redirects=False)
    assert (r.status_code, r.headers["location"]) == (301, "https://example.com/")


def test_multi_valued_response_headers(api: Server) -> None:
    r = api.get("/set-cookie")
    assert r.headers.get_list("set-cookie") == ["a=1; Path=/", "b=2"]
    assert r.headers["x-one"] == "1"


def test_headers_assigned_as_properties_reach_the_wire(api: Server) -> None:
    r = api.get("/assign-header")
    assert r.headers["x-added"] == "3"
    assert r.headers["x-keep"] == "changed"
    assert "x-drop" not in r.headers
    assert r.headers.get_list("set-cookie") == ["a=1", "b=2"]


def test_response_object_fields(api: Server) -> None:
    assert api.get("/response-fields").json() == {
        "status": 404, "ok": False, "statusText": "Not Found", "ct": "application/json", "parsed": {"x": 1}}


def test_json_null_becomes_undefined(api: Server) -> None:
    assert api.get("/json-null").json() == {"parsed": {"b": [None, 1]}, "top": True}


def test_result_and_try_parse(api: Server) -> None:
    assert api.get("/try-parse").json() == {"good": True, "value": {"n": 1}, "bad": True, "fallback": 7,
                                            "mapped": 2}
    assert api.get("/result").json() == {"ok": False, "err": "e2", "matched": "e2"}


def test_range(api: Server) -> None:
    assert api.get("/range").json() == [0, 1, 2, 10, 7, 1, 2]


def test_request_and_headers_factories(api: Server) -> None:
    assert api.get("/request-factory").json() == {"method": "POST", "path": "/a/b", "query": {"x": 5, "y": "z"},
                                                  "a": "1", "body": "hi"}
    assert api.get("/headers-factory").json() == {"a": "1, 2", "b": "3", "has": True,
                                                  "obj": {"x-a": "1, 2", "x-b": "3"}}


def test_jsx_rendering(api: Server) -> None:
    r = api.get("/jsx")
    assert r.headers["content-type"] == "text/html; charset=utf-8"
    assert r.text == ('<ul id="x" hidden title="a &quot;q&quot; &amp; &#x27;b&#x27;">'
                      '<li class="item">&lt;one&gt;</li><li class="item">2</li><br /></ul>')


def test_date_and_random(api: Server) -> None:
    d = api.get("/date").json()
    assert d["type"] == "number" and d["now"] > 1.7e12
    assert api.get("/random").json()["r"] != api.get("/random").json()["r"]


def _log_eventually(api: Server, *needles: str) -> str:
    # the server writes its log after the response is on its way
    deadline = time.monotonic() + 5
    while True:
        log = api.log()
        if all(n in log for n in needles) or time.monotonic() > deadline:
            return log
        time.sleep(0.02)


def test_console_goes_to_the_server_log(api: Server) -> None:
    assert api.get("/console").text == "logged"
    log = _log_eventually(api, 'log line {"a":1}', "error line")
    assert 'log line {"a":1}' in log
    assert "error line" in log


def test_not_found_route_and_access_log(api: Server) -> None:
    r = api.get("/nope", headers={"x-request-id": "req-123"})
    assert r.status_code == 404
    log = _log_eventually(api, "path=/nope", "request_id=req-123")
    assert "access method=GET path=/nope status=404" in log
    assert "request_id=req-123" in log


def test_health_is_served_outside_the_handler(api: Server) -> None:
    r = api.get("/_health")
    assert (r.status_code, r.text) == (200, "ok")


def test_response_is_plain_http(api: Server) -> None:
    r = api.get("/json-helper")
    assert orjson.loads(r.content)["a"] == 1
