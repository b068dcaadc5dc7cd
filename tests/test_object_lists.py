"""Object.keys / values / entries: the guest's fast path for plain objects (guest/qjs_unity.c).

Each result is checked against the spec's definition spelled out in JS:
the enumerable own string keys in [[OwnPropertyKeys]] order (Reflect.ownKeys
gives that order), their values read with [[Get]].
"""

from __future__ import annotations

import orjson
from hypothesis import given, settings
from hypothesis import strategies as st

from zigttp_host import Bundle, Host, HttpRequest

SOURCE = r"""
function expected(o) {
  const obj = Object(o);
  const keys = Reflect.ownKeys(obj).filter(
    (k) => typeof k === "string" && Object.prototype.propertyIsEnumerable.call(obj, k));
  return { keys, values: keys.map((k) => obj[k]), entries: keys.map((k) => [k, obj[k]]) };
}
function check(o) {
  let got, want;
  try {
    got = JSON.stringify({ keys: Object.keys(o), values: Object.values(o), entries: Object.entries(o) }, null);
  } catch (e) { got = "throws " + e.name; }
  try { want = JSON.stringify(expected(o), null); } catch (e) { want = "throws " + e.name; }
  return { got, want };
}
function cases() {
  const deleted = { a: 1, b: 2, c: 3 }; delete deleted.b; deleted.d = 4;
  const hidden = { shown: 1 }; Object.defineProperty(hidden, "hidden", { value: 2, enumerable: false });
  const calls = [];
  const getter = { a: 1, get b() { calls.push("b"); return 2; } };
  const sym = Symbol("s");
  const nullProto = Object.create(null); nullProto.x = [1]; nullProto.y = undefined;
  const inherited = Object.create({ fromProto: 1 }); inherited.own = 2;
  class Point { constructor() { this.x = 1; this.y = 2; } }
  const frozen = Object.freeze({ f: 1, g: { h: 2 } });
  const arr = [1, 2, 3]; arr.extra = "x";
  const out = [
    {}, { a: 1 }, { b: 1, a: 2 }, { "0": 0 }, { "7": 1 },
    { "2": "two", z: 1, "1": "one", "01": "not an index", "-1": "neg" },
    { "4294967294": 1, "4294967295": 2, q: 3 }, deleted, hidden, getter, { [sym]: 1, s: 2 }, nullProto, inherited,
    new Point(), frozen, arr, [], "str", 42, true, new Map([[1, 2]]), { u: undefined, f() {}, n: 1.5 },
  ].map(check);
  // values and entries read the getter once each, in check() and in expected()
  out.push({ got: String(calls.length), want: "4" });
  for (const bad of [undefined, null]) {
    let message = "no error";
    try { Object.keys(bad); } catch (e) { message = e.name; }
    out.push({ got: message, want: "TypeError" });
  }
  return out;
}
export function handler(req) {
  const results = req.path === "/cases" ? cases() : req.json().map(check);
  return Response.json(results);
}
"""


def _run(host: Host, path: str, body: bytes = b"") -> list[dict[str, str]]:
    handler = host.load(Bundle(SOURCE, "object-lists.js"))
    r = handler.handle(HttpRequest("POST", path, [], body))
    assert r.status == 200, r.body
    return orjson.loads(r.body)


def test_edge_cases_follow_the_spec(host: Host) -> None:
    results = _run(host, "/cases")
    assert len(results) == 25
    for i, r in enumerate(results):
        assert r["got"] == r["want"], f"case {i}: {r}"


scalars = st.integers(-(2**53), 2**53) | st.text(max_size=4) | st.booleans()
objects = st.dictionaries(st.text(max_size=6), scalars, max_size=10)


@settings(max_examples=40, deadline=None)
@given(st.lists(objects, min_size=1, max_size=5))
def test_arbitrary_objects_follow_the_spec(host: Host, values: list[dict]) -> None:
    for r in _run(host, "/", orjson.dumps(values)):
        assert r["got"] == r["want"], r
