"""zigttp:env, router, http, url, id, log, text, time and compose through the real guest."""

from __future__ import annotations

import json
import re
import time
from collections.abc import Callable
from email.utils import parsedate_to_datetime

import pytest

from .support import Probe


def test_env(probe: Probe) -> None:
    assert probe.call("zigttp:env", "env", "GREETING") == "hello"
    assert probe.raw("zigttp:env", "env", "MISSING") == {"type": "undefined"}
    assert probe.throws("zigttp:env", "env", "A-B")[0] == "TypeError"


def test_env_allowlist_denial_is_uncatchable(probe_for: Callable[..., Probe]) -> None:
    p = probe_for(env={"A": "1", "B": "2"}, env_allow=("A",))
    assert p.call("zigttp:env", "env", "A") == "1"
    from zigttp_host import HttpRequest

    r = p.handler.handle(HttpRequest("POST", "/", [("x-call", '{"m":"zigttp:env","f":"env","args":["B"]}')]))
    assert (r.status, json.loads(r.body)) == (500, {"error": "capability_denied", "capability": "env", "name": "B"})


def test_router(probe: Probe) -> None:
    routes = {"GET /users/:id": {"$fn": "user"}, "POST /users": {"$fn": "create"},
              "GET /files/*": {"$fn": "files"}, "GET /users/:id/posts/:post": {"$fn": "post"}}

    def match(method: str, url: str) -> object:
        return probe.call("zigttp:router", "routerMatch", routes, {"method": method, "url": url})

    assert match("get", "/users/42?x=1") == {"handler": "user", "params": {"id": "42"}}
    assert match("POST", "/users") == {"handler": "create", "params": {}}
    assert match("GET", "/files/a/b%20c.txt") == {"handler": "files", "params": {"*": "a/b%20c.txt"}}
    assert match("GET", "/users/7/posts/9") == {"handler": "post", "params": {"id": "7", "post": "9"}}
    assert match("DELETE", "/users/42") is None and match("GET", "/users/") is None
    assert match("GET", "/users/42/extra") is None


def test_cookies_and_set_cookie(probe: Probe) -> None:
    h = "zigttp:http"
    assert probe.call(h, "parseCookies", 'a=1; b="two"; a=3; junk; c=') == {"a": "1", "b": "two", "c": ""}
    assert probe.call(h, "parseCookies", {"$undef": 1}) == {}
    cookie = probe.call(h, "setCookie", "sid", "abc", {"path": "/", "maxAge": 60, "httpOnly": True, "secure": True,
                                                      "sameSite": "lax", "expires": 784111777000})
    assert cookie == ("sid=abc; Path=/; Max-Age=60; Expires=Sun, 06 Nov 1994 08:49:37 GMT; HttpOnly; Secure; "
                      "SameSite=Lax")
    assert probe.raw(h, "setCookie", "bad name", "x") == {"type": "undefined"}
    assert probe.raw(h, "setCookie", "a", "x;y") == {"type": "undefined"}
    assert probe.throws(h, "setCookie", "a", "b", {"sameSite": "sometimes"})[0] == "TypeError"


def test_negotiate_content_type_and_cors(probe: Probe) -> None:
    h = "zigttp:http"
    accept = "text/html;q=0.8, application/json, */*;q=0.1"
    assert probe.call(h, "negotiate", accept, "text/html, application/json") == "application/json"
    assert probe.call(h, "negotiate", "text/*", ["application/json", "text/plain"]) == "text/plain"
    assert probe.call(h, "negotiate", {"$undef": 1}, "a/b, c/d") == "a/b"
    assert probe.raw(h, "negotiate", "image/png", "text/html") == {"type": "undefined"}
    assert probe.call(h, "parseContentType", "Text/HTML; Charset=\"UTF-8\"") == {
        "type": "text", "subtype": "html", "mediaType": "text/html", "charset": "utf-8"}
    assert probe.call(h, "cors", "https://app.example", {"credentials": True, "maxAge": 600,
                                                         "methods": ["GET", "POST"]}) == {
        "Access-Control-Allow-Origin": "https://app.example", "Access-Control-Allow-Methods": "GET, POST",
        "Access-Control-Allow-Headers": "Content-Type, Authorization", "Access-Control-Max-Age": "600",
        "Access-Control-Allow-Credentials": "true", "Vary": "Origin"}
    assert "Access-Control-Allow-Credentials" not in probe.call(h, "cors", "*", {"credentials": True})


def test_url(probe: Probe) -> None:
    u = "zigttp:url"
    assert probe.call(u, "urlParse", "https://Example.com:8443/a/b?x=1&y=a%20b&x=2#frag") == {
        "protocol": "https", "host": "example.com", "port": 8443, "path": "/a/b", "query": "x=1&y=a%20b&x=2",
        "hash": "frag", "searchParams": {"x": ["1", "2"], "y": "a b"}}
    assert probe.call(u, "urlParse", "/only/path") == {"path": "/only/path", "searchParams": {}}
    assert probe.call(u, "urlSearchParams", "?a=1&b=&c=%E2%9C%93") == {"a": "1", "b": "", "c": "✓"}
    assert probe.call(u, "urlEncode", "a b/c?d=é~") == "a%20b%2Fc%3Fd%3D%C3%A9~"
    assert probe.call(u, "urlDecode", "a%20b%2Fc%C3%A9+") == "a b/cé+"


def test_ids(probe: Probe) -> None:
    i = "zigttp:id"
    uuids = {probe.call(i, "uuid") for _ in range(5)}
    v4 = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}")
    assert len(uuids) == 5 and all(v4.fullmatch(u) for u in uuids)
    before = int(time.time() * 1000)
    ulid = probe.call(i, "ulid")
    assert re.fullmatch(r"[0-9A-HJKMNP-TV-Z]{26}", ulid)
    stamp = sum("0123456789ABCDEFGHJKMNPQRSTVWXYZ".index(c) << (5 * (9 - k)) for k, c in enumerate(ulid[:10]))
    assert before - 5 <= stamp <= int(time.time() * 1000) + 5
    assert re.fullmatch(r"[A-Za-z0-9_-]{21}", probe.call(i, "nanoid"))
    assert len(probe.call(i, "nanoid", 64)) == 64
    assert probe.throws(i, "nanoid", 129) == ("RangeError",
                                              "nanoid(): parameter 'size' must be between 1 and 128, got 129")


def test_log_writes_ndjson(probe_for: Callable[..., Probe]) -> None:
    lines: list[str] = []
    p = probe_for(log_sink=lines.append)
    p.call("zigttp:log", "logInfo", "order placed", {"orderId": 7, "level": "ignored", "nested": {"a": [1]}})
    p.call("zigttp:log", "logError", "boom")
    first, second = (json.loads(line) for line in lines)
    assert first["level"] == "info" and first["msg"] == "order placed" and first["orderId"] == 7
    assert first["nested"] == {"a": [1]} and abs(first["ts"] - time.time() * 1000) < 5000
    assert list(first)[:3] == ["level", "ts", "msg"]
    assert (second["level"], second["msg"]) == ("error", "boom")


def test_text(probe: Probe) -> None:
    t = "zigttp:text"
    assert probe.call(t, "escapeHtml", "<a href=\"x\">Tom & Jerry's</a>") == (
        "&lt;a href=&quot;x&quot;&gt;Tom &amp; Jerry&#39;s&lt;/a&gt;")
    assert probe.call(t, "unescapeHtml", "&lt;b&gt; &amp;amp; &#39; &eacute;") == "<b> &amp; ' é"
    assert probe.call(t, "slugify", "  Héllo, World! -- 2024 ") == "hello-world-2024"
    assert probe.call(t, "truncate", "hello world", 8) == "hello..."
    assert probe.call(t, "truncate", "héllo ✓✓", 7, "…") == "héllo ✓"[:6] + "…"
    assert probe.call(t, "truncate", "short", 10) == "short"
    assert probe.call(t, "mask", "4111111111111111") == "************1111"
    assert probe.call(t, "mask", "secret", 0) == "******"


def test_time(probe: Probe) -> None:
    t = "zigttp:time"
    assert probe.call(t, "formatIso", 784111777000) == "1994-11-06T08:49:37.000Z"
    assert probe.call(t, "formatIso", 1) == "1970-01-01T00:00:00.001Z"
    assert probe.call(t, "formatHttp", 784111777000) == "Sun, 06 Nov 1994 08:49:37 GMT"
    assert parsedate_to_datetime(probe.call(t, "formatHttp", 0)).timestamp() == 0
    assert probe.call(t, "parseIso", "1994-11-06T08:49:37Z") == 784111777000
    assert probe.call(t, "parseIso", "1994-11-06T09:49:37.250+01:00") == 784111777250
    assert probe.call(t, "parseIso", "1994-11-06T03:19:37-0530") == 784111777000
    assert probe.call(t, "parseIso", "2024-02-29") == 1709164800000
    for bad in ("2023-02-29", "2024-13-01", "yesterday", "2024-01-01T25:00:00Z"):
        assert probe.raw(t, "parseIso", bad) == {"type": "undefined"}, bad
    assert probe.call(t, "addSeconds", 1000, 1.5) == 2500
    assert probe.call(t, "addSeconds", 8.64e15, 10) == 8.64e15


def test_compose_is_identity_at_run_time(probe: Probe) -> None:
    assert probe.call("zigttp:compose", "guard", "x") == "x"


@pytest.mark.parametrize(("module", "fn", "args", "message"), [
    ("zigttp:router", "routerMatch", [[], {"method": "GET", "url": "/"}],
     "routerMatch(): parameter 'routes' must be an object of \"METHOD /path\" keys"),
    ("zigttp:router", "routerMatch", [{"users": {"$fn": "x"}}, {"method": "GET", "url": "/"}],
     "routerMatch(): route 'users' must look like \"GET /path\""),
    ("zigttp:url", "urlEncode", [None], "urlEncode(): parameter 'text' must be a string, got undefined"),
    ("zigttp:time", "formatIso", ["now"], "formatIso(): parameter 'epochMs' must be a finite number, got a string"),
    ("zigttp:text", "truncate", ["abc", 1.5], "truncate(): parameter 'maxLength' must be an integer, got 1.5"),
    ("zigttp:log", "logInfo", ["m", "fields"], "logInfo(): parameter 'fields' must be an object, got a string"),
    ("zigttp:http", "cors", ["*", {"methods": 5}], "cors(): options.methods must be a string or an array of strings"),
])
def test_wrong_calls_are_type_errors(probe: Probe, module: str, fn: str, args: list, message: str) -> None:
    assert probe.throws(module, fn, *args) == ("TypeError", message)
