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
});
export function handler(req) {
  return Response.json([
    shape(new Response("x")), shape(new Response()), shape(Response.text("t")), shape(Response.json({ a: 1 })),
    shape(Response.html("<p>")), shape(Response.json({ a: 1 }, { status: 201 })),
    shape(Response.json(1, { headers: { "X-A": "1", "content-type": "text/x" } })),
    shape(new Response(new Uint8Array([1]))),
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
    for s in shapes:
        assert [p[0] for p in s["own"]] == ["body", "status", "statusText", "ok", "headers"]
        assert all(p[2:] == [True, True, True] for p in s["own"] + s["headers"])
        assert s["proto"] is True and s["headersProto"] is True
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
