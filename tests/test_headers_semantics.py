"""Headers and Response objects against the prelude's original implementations, kept here as the reference.

The prelude's Headers methods loop instead of calling filter/map/some, and
Response objects are object literals instead of Object.create plus
assignments (both cheaper in QuickJS's interpreter); what a handler can
observe must not change: values, joins, order, own keys, property attributes.
"""

from __future__ import annotations

import orjson
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from zigttp_host import Bundle, Handler, Host, HttpRequest

REFERENCE = r"""
// the prelude's original Headers methods over a plain list of [name, value] pairs
const ref = {
  get(list, name) {
    const key = String(name).toLowerCase();
    const vals = list.filter((e) => e[0] === key).map((e) => e[1]);
    if (vals.length === 0) return undefined;
    return vals.join(key === "cookie" ? "; " : ", ");
  },
  has(list, name) { const key = String(name).toLowerCase(); return list.some((e) => e[0] === key); },
  set(list, name, value) {
    const key = String(name).toLowerCase();
    const kept = list.filter((e) => e[0] !== key);
    kept.push([key, String(value)]);
    return kept;
  },
  append(list, name, value) { list.push([String(name).toLowerCase(), String(value)]); return list; },
  delete(list, name) { const key = String(name).toLowerCase(); return list.filter((e) => e[0] !== key); },
};
const METHODS = ["get", "getSetCookie", "has", "set", "append", "delete", "forEach", "entries", "keys", "values",
                 "toJSON"];
function expectedEntries(list) {
  const seen = [];
  for (const [k] of list) if (!seen.includes(k)) seen.push(k);
  return seen.map((k) => [k, ref.get(list, k)]);
}
// own properties mirror every name but the methods'
const expectedOwn = (list) => expectedEntries(list).filter(([k]) => !METHODS.includes(k));
const NAMES = ["a", "B", "b", "cookie", "set-cookie", "get", "x-a", "Content-Type"];
export function handler(req) {
  const ops = req.json();
  const h = new Headers();
  let list = [];
  const steps = [];
  for (const [op, name, value] of ops) {
    if (op === "set") { h.set(name, value); list = ref.set(list, name, value); }
    else if (op === "append") { h.append(name, value); list = ref.append(list, name, value); }
    else { h.delete(name); list = ref.delete(list, name); }
    steps.push({
      got: NAMES.map((n) => [h.get(n) ?? null, h.has(n)]),
      want: NAMES.map((n) => [ref.get(list, n) ?? null, ref.has(list, n)]),
      own: Object.keys(h).map((k) => [k, h[k]]),
      wantOwn: expectedOwn(list),
      entries: Array.from(h.entries()),
      wantEntries: expectedEntries(list),
      cookies: h.getSetCookie(),
      wantCookies: list.filter((e) => e[0] === "set-cookie").map((e) => e[1]),
    });
  }
  return Response.json(steps);
}
"""

RESPONSES = r"""
const describe = (o) => Object.getOwnPropertyNames(o).map((k) => {
  const d = Object.getOwnPropertyDescriptor(o, k);
  return [k, typeof d.value === "object" ? "object" : d.value, d.writable, d.enumerable, d.configurable];
});
const shape = (r) => ({
  own: describe(r), proto: Object.getPrototypeOf(r) === Response.prototype,
  headers: describe(r.headers), headersProto: Object.getPrototypeOf(r.headers) === Object.getPrototypeOf(new Headers()),
  entries: Array.from(r.headers.entries()), text: r.text(),
  symbols: Object.getOwnPropertySymbols(r.headers).map((k) => {
    const d = Object.getOwnPropertyDescriptor(r.headers, k);
    return [Array.isArray(d.value), d.writable, d.enumerable, d.configurable];
  }),
});
// a response changed by its handler: the next one made the same way is unaffected (they share shapes)
function changed() {
  const r = new Response("c");
  r.headers.set("x-b", "2");
  r.extra = 1;
  delete r.ok;
  r.status = 404;
  return r;
}
export function handler(req) {
  changed();
  return Response.json([
    shape(new Response("x")), shape(new Response()), shape(Response.text("t")), shape(Response.json({ a: 1 })),
    shape(Response.html("<p>")), shape(Response.json({ a: 1 }, { status: 201 })),
    shape(Response.json(1, { headers: { "X-A": "1", "content-type": "text/x" } })),
    shape(new Response(new Uint8Array([1]))), shape(changed()),
  ]);
}
"""

NAME = st.sampled_from(["a", "A", "b", "B", "cookie", "set-cookie", "get", "x-a"])
OP = st.tuples(st.sampled_from(["set", "append", "delete"]), NAME, st.sampled_from(["1", "two", "", "a, b"]))


@pytest.fixture(scope="module")
def headers_handler(host: Host) -> Handler:
    return host.load(Bundle(REFERENCE, "headers_reference.js"))


@given(st.lists(OP, min_size=1, max_size=12))
@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_headers_methods_match_the_reference(headers_handler: Handler, ops: list[tuple[str, str, str]]) -> None:
    r = headers_handler.handle(HttpRequest("POST", "/", [("content-type", "application/json")], orjson.dumps(ops)))
    assert r.status == 200, r.body
    for i, step in enumerate(orjson.loads(r.body)):
        assert step["got"] == step["want"], (ops, i)
        # a name set again keeps its first place among own properties: compare them as a mapping
        assert dict(map(tuple, step["own"])) == dict(map(tuple, step["wantOwn"])), (ops, i)
        assert step["entries"] == step["wantEntries"], (ops, i)
        assert step["cookies"] == step["wantCookies"], (ops, i)


def test_responses_keep_their_properties_and_order(host: Host) -> None:
    r = host.load(Bundle(RESPONSES, "responses.js")).handle(HttpRequest("GET", "/"))
    assert r.status == 200, r.body
    shapes = orjson.loads(r.body)
    for s in shapes[:-1]:
        assert [p[0] for p in s["own"]] == ["body", "status", "statusText", "ok", "headers"]
        assert all(p[2:] == [True, True, True] for p in s["own"] + s["headers"])
        assert s["proto"] is True and s["headersProto"] is True
        assert s["symbols"] == [[True, True, True, True]]  # the entries: one own enumerable symbol
    assert [p[:2] for p in shapes[-1]["own"]] == [["body", "c"], ["status", 404], ["statusText", "OK"],
                                                  ["headers", "object"], ["extra", 1]]
    assert shapes[-1]["entries"] == [["content-type", "text/plain; charset=utf-8"], ["x-b", "2"]]
    assert shapes[0]["own"][1:4] == [["status", 200, True, True, True], ["statusText", "OK", True, True, True],
                                     ["ok", True, True, True, True]]
    assert shapes[0]["headers"] == [["content-type", "text/plain; charset=utf-8", True, True, True]]
    assert shapes[1]["text"] == "" and shapes[2]["text"] == "t"
    assert shapes[3]["entries"] == [["content-type", "application/json"]]
    assert shapes[4]["entries"] == [["content-type", "text/html; charset=utf-8"]]
    assert shapes[5]["own"][1:4] == [["status", 201, True, True, True], ["statusText", "Created", True, True, True],
                                     ["ok", True, True, True, True]]
    assert shapes[6]["entries"] == [["x-a", "1"], ["content-type", "text/x"]]
    assert shapes[6]["headers"] == [["x-a", "1", True, True, True], ["content-type", "text/x", True, True, True]]
    assert shapes[7]["entries"] == [["content-type", "application/octet-stream"]]


WIRE = r"""
// the prelude's wirePairs, kept here as the reference for what a response's headers put on the wire
const METHOD_NAMES = ["get", "getSetCookie", "has", "set", "append", "delete", "forEach", "entries", "keys",
                      "values", "toJSON"];
function wirePairsRef(h) {
  const entries = h[Object.getOwnPropertySymbols(h)[0]];
  const keys = Object.keys(h);
  if (keys.length === entries.length) {
    let clean = true;
    for (let i = 0; i < entries.length; i++) {
      const e = entries[i];
      if (h[e[0]] !== e[1]) { clean = false; break; }
    }
    if (clean) return entries;
  }
  const out = [];
  for (const e of entries) if (METHOD_NAMES.includes(e[0])) out.push(e);
  for (const k of keys) {
    const v = h[k];
    const name = k.toLowerCase();
    if (v === undefined || v === null) continue;
    if (v === h.get(name)) { for (const e of entries) if (e[0] === name) out.push(e); }
    else if (Array.isArray(v)) { for (const one of v) out.push([name, String(one)]); }
    else out.push([name, String(v)]);
  }
  return out;
}
export function handler(req) {
  const { start, ops } = req.json();
  const res = start === "text" ? Response.text("x") : start === "none" ? new Response("x")
    : Response.json(1, { headers: { "x-a": "0", "x-b": "0" } });
  const h = res.headers;
  for (const [op, name, value] of ops) {
    if (op === "set") h.set(name, value);
    else if (op === "append") h.append(name, value);
    else if (op === "delete") h.delete(name);
    else if (op === "assign") try { h[name] = value; } catch { /* "get" is inherited and frozen */ }
    else if (op === "assign-list") try { h[name] = [value, value + "2"]; } catch { /* as above */ }
    else if (op === "remove") delete h[name];
    // an own "get" would hide the method both wirePairs and this reference call
    else if (name !== "get") {
      Object.defineProperty(h, name, { get() { return value; }, enumerable: true, configurable: true });
    }
  }
  res.body = JSON.stringify(wirePairsRef(h).map((e) => [e[0], String(e[1])]));
  return res;
}
"""

WIRE_NAME = st.sampled_from(["x-a", "X-A", "x-b", "set-cookie", "content-type", "get", "x-c"])
WIRE_OP = st.tuples(st.sampled_from(["set", "append", "delete", "assign", "assign-list", "remove", "getter"]),
                    WIRE_NAME, st.sampled_from(["1", "two", ""]))


@pytest.fixture(scope="module")
def wire_handler(host: Host) -> Handler:
    return host.load(Bundle(WIRE, "wire_reference.js"))


@given(st.sampled_from(["text", "none", "init"]), st.lists(WIRE_OP, max_size=8))
@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_response_headers_on_the_wire_match_the_reference(wire_handler: Handler, start: str,
                                                         ops: list[tuple[str, str, str]]) -> None:
    # the guest decides the common case (every own name mirrors one entry) in C, the rest in the prelude:
    # either way the wire carries what the prelude's own rules give
    r = wire_handler.handle(HttpRequest("POST", "/", [], orjson.dumps({"start": start, "ops": ops})))
    assert r.status == 200, r.body
    assert [list(p) for p in r.headers] == orjson.loads(r.body), (start, ops)
