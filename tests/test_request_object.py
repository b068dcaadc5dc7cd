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


SHARED_SRC = """export function handler(req) {
  const describe = (o) => Object.getOwnPropertyNames(o).map(k => {
    const d = Object.getOwnPropertyDescriptor(o, k);
    return [k, typeof d.value, d.writable, d.enumerable, d.configurable];
  });
  const before = { req: describe(req), res: describe(Response("x")), json: describe(Response.json(1)),
                   frozen: Object.isFrozen(req) };
  // every way a handler can change the objects it got: none may reach the next request's objects
  const a = Response("a"), b = Response("b"), c = Response.json(2), d = Response("d");
  a.extra = 1;
  delete b.statusText;
  Object.freeze(c);
  Object.defineProperty(d, "status", { value: 201, writable: false });
  req.added = true;
  delete req.query;
  Object.freeze(req);
  return Response.json({ before, after: [describe(a), describe(b), Object.isFrozen(c), describe(d)] });
}"""


def test_objects_made_on_a_shared_layout_change_alone(host: Host) -> None:
    """Requests and plain responses are made on one kept shape each; a handler changing one of them
    (adding, deleting, freezing, redefining) must change that object only."""
    handler = host.load(Bundle(SHARED_SRC, "shared.js"))
    first = orjson.loads(handler.handle(HttpRequest("GET", "/", [("host", "h")])).body)
    res_props = [["body", "string", True, True, True], ["status", "number", True, True, True],
                 ["statusText", "string", True, True, True], ["ok", "boolean", True, True, True],
                 ["headers", "object", True, True, True]]
    assert first["before"]["res"] == res_props and first["before"]["frozen"] is False
    a, b, c_frozen, d = first["after"]
    assert a == [*res_props, ["extra", "number", True, True, True]]
    assert b == [p for p in res_props if p[0] != "statusText"]
    assert c_frozen is True
    assert d[1] == ["status", "number", False, True, True]
    for _ in range(3):
        again = orjson.loads(handler.handle(HttpRequest("GET", "/", [("host", "h")])).body)
        assert again == first


KEPT_HEADERS_SRC = """export function handler(req) {
  const h = req.headers;
  const describe = () => ({
    own: Object.getOwnPropertyNames(h).map(k => {
      const d = Object.getOwnPropertyDescriptor(h, k);
      return [k, d.value, d.writable, d.enumerable, d.configurable];
    }),
    entries: [...h.entries()], frozen: Object.isFrozen(h), proto: Object.getPrototypeOf(h) === Headers.prototype,
  });
  const before = describe();
  // every way a handler can change its headers object: none may reach the next request's
  const way = req.query.way;
  if (way === 0) h["x-new"] = "1";
  if (way === 1) delete h["x-a"];
  if (way === 2) h.set("x-b", "z");
  if (way === 3) Object.freeze(h);
  if (way === 4) Object.defineProperty(h, "x-a", { get() { return "g"; } });
  if (way === 5) h.append("x-c", "3");
  return Response.json({ before, after: describe() });
}"""


def test_headers_objects_on_a_kept_layout_change_alone(host: Host) -> None:
    """A client's headers in the same order every time: each request's headers object is made on the
    shape kept from the first (glue.c kept_headers); whatever one request does to its own must leave
    the next request's alone, for that order and for others (repeated names, a method's name)."""
    handler = host.load(Bundle(KEPT_HEADERS_SRC, "kept.js"))
    same = [("x-a", "a"), ("x-b", "b")]
    other = [("x-b", "b"), ("x-a", "a")]
    odd = [("x-a", "1"), ("get", "m"), ("x-a", "2")]

    def own(pairs: list[tuple[str, str]]) -> list[list[object]]:
        merged: dict[str, str] = {}
        for name, value in pairs:
            if name != "get":
                merged[name] = f"{merged[name]}, {value}" if name in merged else value
        return [[k, v, True, True, True] for k, v in merged.items()]

    for way in range(6):
        for headers in (same, other, odd, same):
            got = orjson.loads(handler.handle(HttpRequest("GET", f"/?way={way}", headers)).body)
            assert got["before"]["own"] == own(headers), (way, headers)
            assert got["before"]["frozen"] is False and got["before"]["proto"] is True
            joined: dict[str, str] = {}
            for name, value in headers:
                joined[name] = f"{joined[name]}, {value}" if name in joined else value
            assert got["before"]["entries"] == [[k, v] for k, v in joined.items()]
