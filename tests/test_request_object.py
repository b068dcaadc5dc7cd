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
