"""The request object a handler receives: its own properties, their order and attributes.

The guest defines them from one table (glue.c REQUEST_PROP_ATOMS) and keeps their shapes alive between
requests; what a handler sees must stay exactly this, request after request.
"""

from __future__ import annotations

import orjson

from zigttp_host import Bundle, Host, HttpRequest

SRC = """export function handler(req) {
  const own = (k) => Object.getOwnPropertyDescriptor(req, k);
  const d = Object.getOwnPropertyNames(req).map(k => [k, own(k).writable, own(k).enumerable, own(k).configurable]);
  const s = Object.getOwnPropertySymbols(req).map(k => [String(k), own(k).writable, own(k).enumerable,
                                                        own(k).configurable, typeof own(k).value]);
  return Response.json({ d, s, keys: Object.keys(req), body: req.body ?? null, q: req.query });
}"""
STRING_PROPS = [[name, True, True, True] for name in ("method", "url", "path", "query", "headers", "body")]


def test_the_request_objects_own_properties_are_the_same_on_every_request(host: Host) -> None:
    handler = host.load(Bundle(SRC, "req.js"))
    for _ in range(3):  # the first request on an instance and later ones alike
        got = orjson.loads(handler.handle(HttpRequest("GET", "/a?x=1", [("host", "h")])).body)
        assert got["d"] == STRING_PROPS and got["keys"] == ["method", "url", "path", "query", "headers", "body"]
        assert got["s"] == [["Symbol(bodyUsed)", True, False, False, "boolean"]]
        assert got["body"] is None and got["q"] == {"x": 1}  # the query parser reads numbers as numbers
        with_body = orjson.loads(handler.handle(HttpRequest("POST", "/a", [("host", "h")], b"hi")).body)
        assert with_body["d"] == STRING_PROPS and with_body["body"] == "hi"
        assert with_body["s"] == [["Symbol(bodyUsed)", True, False, False, "boolean"],
                                  ["Symbol(rawBody)", False, False, False, "function"]]


HEADERS_SRC = """export function handler(req) {
  const h = req.headers;
  const own = (k) => Object.getOwnPropertyDescriptor(h, k);
  const d = Object.getOwnPropertyNames(h).map(k => [k, own(k).value, own(k).writable, own(k).enumerable,
                                                    own(k).configurable]);
  const s = Object.getOwnPropertySymbols(h).map(k => [own(k).writable, own(k).enumerable, own(k).configurable]);
  return Response.json({ d, s, keys: Object.keys(h), get: h.get("x-b"), ctor: h.constructor === "c",
                         proto: Object.getPrototypeOf(h) === Headers.prototype });
}"""


def test_the_headers_objects_own_properties(host: Host) -> None:
    """Names that are inherited (`constructor`), integer-like, repeated or a method's: each own property
    exactly as defined before the glue wrote them straight into the object's shape."""
    handler = host.load(Bundle(HEADERS_SRC, "hdr.js"))
    headers = [("x-b", "1"), ("constructor", "c"), ("123", "n"), ("get", "m"), ("x-b", "2"), ("x-a", "a")]
    for _ in range(3):
        got = orjson.loads(handler.handle(HttpRequest("GET", "/", headers)).body)
        assert got["d"] == [["123", "n", True, True, True], ["x-b", "1, 2", True, True, True],
                            ["constructor", "c", True, True, True], ["x-a", "a", True, True, True]]
        assert got["keys"] == ["123", "x-b", "constructor", "x-a"]
        assert got["s"] == [[True, False, False]]
        assert got["get"] == "1, 2" and got["ctor"] is True and got["proto"] is True
