"""Request and response objects carry any key a client sends, Object.prototype's names included.

Keys such as `constructor` or `toString` are inherited, read-only properties
of every object once the built-ins are frozen, so assigning them fails; and
`__proto__` assigned is a prototype change, not a key. Every place that
turns client data into an object defines own properties instead.
"""

from __future__ import annotations

from urllib.parse import quote

import orjson

from zigttp_host import Bundle, Handler, Host, HttpRequest

from .support.server import serve

KEYS = ("constructor", "toString", "hasOwnProperty", "valueOf", "__proto__", "__defineGetter__", "isPrototypeOf")

ECHO = """
import { schemaCompile } from "zigttp:validate";
import { decodeForm } from "zigttp:decode";
schemaCompile("form", { type: "object" });
const KEYS = __KEYS__;
let served = 0;
// pairs, never an object: the echo itself must not assign these names
const own = (o, k) => (o !== undefined && Object.hasOwn(o, k) ? o[k] : "<missing>");
export function handler(req) {
  served = served + 1;
  if (req.path === "/plain") {
    return Response.json({ served, ctor: ({}).constructor === Object, query: Object.keys(req.query).length });
  }
  const body = req.body === undefined ? "" : req.body;
  const json = req.path === "/json" ? req.json() : undefined;
  const form = req.path === "/form" ? decodeForm("form", body).value : undefined;
  return Response.json({
    served,
    query: KEYS.map((k) => [k, own(req.query, k)]),
    headers: KEYS.map((k) => [k, own(req.headers, k), req.headers.get(k)]),
    json: KEYS.map((k) => [k, own(json, k)]),
    form: KEYS.map((k) => [k, own(form, k)]),
  });
}
""".replace("__KEYS__", orjson.dumps(list(KEYS)).decode())


def _load(host: Host) -> Handler:
    return host.load(Bundle(ECHO, "echo_keys.js"))


def _get(handler: Handler, request: HttpRequest) -> dict:
    r = handler.handle(request)
    assert r.status == 200, r.body
    return orjson.loads(r.body)


def _next_request_is_unaffected(handler: Handler, served: int) -> None:
    assert _get(handler, HttpRequest("GET", "/plain")) == {"served": served + 1, "ctor": True, "query": 0}


def test_query_keys_named_like_object_prototype_members_reach_the_handler(host: Host) -> None:
    h = _load(host)
    qs = "&".join(f"{quote(k)}=v{i}" for i, k in enumerate(KEYS)) + "&constructor=again&__proto__=7"
    got = _get(h, HttpRequest("GET", "/q?" + qs))
    expected = {k: f"v{i}" for i, k in enumerate(KEYS)} | {"constructor": "again", "__proto__": 7}
    assert dict(got["query"]) == expected
    _next_request_is_unaffected(h, got["served"])


def test_headers_named_like_object_prototype_members_reach_the_handler(host: Host) -> None:
    h = _load(host)
    pairs = [(k.lower(), f"h{i}") for i, k in enumerate(KEYS)] + [("constructor", "again"), ("__proto__", "x")]
    got = _get(h, HttpRequest("GET", "/h", pairs))
    # header names are lower-case on the wire: only the all-lower-case names can match
    lower = {k: f"h{i}" for i, k in enumerate(KEYS) if k == k.lower()}
    lower |= {"constructor": "h0, again", "__proto__": "h4, x"}
    for key, own_value, via_get in got["headers"]:
        if key in lower:
            assert (own_value, via_get) == (lower[key], lower[key]), key
    assert {k for k, *_ in got["headers"] if k in lower} == set(lower)
    _next_request_is_unaffected(h, got["served"])


def test_json_bodies_keep_object_prototype_names_as_own_keys(host: Host) -> None:
    h = _load(host)
    doc = {k: i for i, k in enumerate(KEYS)} | {"toString": None}
    fast = orjson.dumps(doc)
    # U+D7FF is encoded ED 9F BF, which sends the text to QuickJS's own parser instead of the fast path
    slow = orjson.dumps(doc | {"pad": "\ud7ff"})
    for body in (fast, slow):
        got = _get(h, HttpRequest("POST", "/json", [("content-type", "application/json")], body))
        # a JSON null becomes undefined, which the response's JSON leaves out
        assert dict(got["json"]) == {k: i for i, k in enumerate(KEYS) if k != "toString"} | {"toString": None}
        _next_request_is_unaffected(h, got["served"])


def test_form_bodies_keep_object_prototype_names_as_own_keys(host: Host) -> None:
    h = _load(host)
    body = "&".join(f"{k}=f{i}" for i, k in enumerate(KEYS)).encode()
    got = _get(h, HttpRequest("POST", "/form", [("content-type", "application/x-www-form-urlencoded")], body))
    assert dict(got["form"]) == {k: f"f{i}" for i, k in enumerate(KEYS)}


RESPONDER = """
export function handler(req) {
  const init = { constructor: "a", toString: "b", ["__proto__"]: "c", hasOwnProperty: "d" };
  const res = Response.text("x", { headers: init });
  res.headers.set("valueOf", "e");
  res.headers.append("isPrototypeOf", "f");
  const h = Headers([["__defineGetter__", "g"]]);
  return Response.json({ own: Object.keys(h) }, { headers: res.headers });
}
"""


def test_response_headers_named_like_object_prototype_members_are_sent(host: Host) -> None:
    h = host.load(Bundle(RESPONDER, "responder.js"))
    r = h.handle(HttpRequest("GET", "/"))
    assert r.status == 200, r.body
    expected = {("constructor", "a"), ("tostring", "b"), ("__proto__", "c"), ("hasownproperty", "d"),
                ("valueof", "e"), ("isprototypeof", "f")}
    assert expected <= set(r.headers), r.headers
    assert orjson.loads(r.body) == {"own": ["__definegetter__"]}


def test_served_trivial_handler_answers_requests_with_such_keys() -> None:
    with serve("examples/hello.ts") as srv:
        r = srv.get("/?constructor=1&toString=2&__proto__=3", headers={"constructor": "x", "__proto__": "y"})
        assert r.status_code == 200, r.text
        assert r.json() == {"message": "Hello", "path": "/"}
        assert srv.get("/").status_code == 200


HEADER_NAMES = """
export function handler(req) {
  const own = Object.keys(req.headers).sort();
  return Response.json({ own, values: own.map((k) => req.headers[k]), get: req.headers.get("x-probe") });
}
"""


def test_headers_stay_exact_across_many_requests_with_changing_names(host: Host) -> None:
    # the guest keeps recent header-name atoms alive between requests (a bounded,
    # direct-mapped table); names come and go past its size and collide in it
    h = host.load(Bundle(HEADER_NAMES, "header_names.js"))
    for i in range(300):
        names = [f"x-h{i}", f"x-h{(i * 7) % 97}", "x-probe", f"n{i % 5}", "get", "constructor"]
        pairs = [(name, f"v{i}-{j}") for j, name in enumerate(names)] + [("x-probe", "again")]
        got = _get(h, HttpRequest("GET", "/", pairs))
        expected: dict[str, str] = {}
        for name, value in pairs:  # a repeated name's values joined in order; "get" stays a method
            if name != "get":
                expected[name] = f"{expected[name]}, {value}" if name in expected else value
        assert got["own"] == sorted(expected), i
        assert dict(zip(got["own"], got["values"], strict=True)) == expected, i
        assert got["get"] == f"v{i}-2, again"


ALL_HEADERS = """
export function handler(req) {
  return Response.json({ m: req.method, u: req.url, path: req.path, entries: [...req.headers.entries()],
                         own: Object.keys(req.headers), raw: req.headers.toJSON() });
}
"""


def test_request_metadata_reaches_the_handler_exactly(host: Host) -> None:
    # method, target and fields cross as NUL-ended UTF-8 parts (guest ABI 4): non-ASCII names and values,
    # a lone surrogate (U+FFFD, as everywhere at the boundary), numeric and empty names, and more headers
    # than the guest builds on its stack
    h = host.load(Bundle(ALL_HEADERS, "all_headers.js"))
    many = [(f"x-{i}", f"v{i}") for i in range(70)]
    pairs = [("été", "ça"), ("x-s", "a\ud800b"), ("123", "n"), ("", "empty"), ("x-0", "again"), *many]
    got = _get(h, HttpRequest("PATCH", "/p/é?q=1", pairs))
    assert (got["m"], got["u"], got["path"]) == ("PATCH", "/p/é?q=1", "/p/é")
    expected: dict[str, str] = {}
    for name, value in pairs:
        value = value.replace("\ud800", "\ufffd")
        expected[name] = f"{expected[name]}, {value}" if name in expected else value
    assert got["raw"] == expected
    assert sorted(got["own"]) == sorted(expected)
    assert dict(got["entries"]) == expected


def test_a_nul_in_the_request_metadata_is_refused_before_the_handler_runs(host: Host) -> None:
    h = host.load(Bundle("let n = 0; export function handler(req) { n = n + 1; return Response.json({ n }) }",
                         "nul.js"))
    for request in (HttpRequest("GET", "/", [("x-a", "1\x002")]), HttpRequest("GET", "/", [("x\x00a", "1")]),
                    HttpRequest("GET", "/a\x00b"), HttpRequest("G\x00T", "/")):
        r = h.handle(request)
        assert r.status == 400, request
        assert orjson.loads(r.body) == {
            "error": "bad_request",
            "message": "a request's method, target and header fields cannot hold a NUL character"}
    assert orjson.loads(h.handle(HttpRequest("GET", "/")).body) == {"n": 1}
