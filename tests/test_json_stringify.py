"""JSON.stringify's fast path for plain data (guest/qjs_unity.c) against QuickJS's general one.

`JSON.stringify(v)` takes the fast path; `JSON.stringify(v, null)` — the
same value with a no-op replacer — always takes QuickJS's own. Both must
give the same string, or throw the same error, for every value.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

import orjson
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from zigttp_host import Bundle, Host, HttpRequest

COMPARE = """
function both(v) {
  let fast, general;
  try { fast = JSON.stringify(v); } catch (e) { fast = "throws " + e.name + ": " + e.message; }
  try { general = JSON.stringify(v, null); } catch (e) { general = "throws " + e.name + ": " + e.message; }
  return { fast: fast === undefined ? "(undefined)" : fast, general: general === undefined ? "(undefined)" : general };
}
"""

CASES = r"""
const cyclic = { a: 1 }; cyclic.self = cyclic;
const cyclicArray = [1]; cyclicArray.push(cyclicArray);
let deep = 1; for (const i of range(100)) { deep = { d: deep, i }; }
let deepArray = []; for (const i of range(100)) { deepArray = [deepArray]; }
const withGetter = { a: 1, get b() { return 2; }, c: 3 };
const withToJSON = { a: 1, toJSON() { return { replaced: true }; } };
const inheritsToJSON = Object.create({ toJSON() { return "from proto"; } }); inheritsToJSON.x = 1;
const nullProto = Object.create(null); nullProto.z = 1; nullProto.y = [1, 2];
const deleted = { a: 1, b: 2, c: 3 }; delete deleted.b;
const nonEnumerable = { shown: 1 }; Object.defineProperty(nonEnumerable, "hidden", { value: 2, enumerable: false });
const arrayWithProps = [1, 2]; arrayWithProps.extra = "x";
const sparse = [1, , 3];
const longArray = new Array(3); longArray[0] = 1;
const frozen = Object.freeze({ f: [1, { g: "h" }] });
class Point { constructor() { this.x = 1; this.y = 2; } }
const sym = Symbol("s");
const withSymbolKey = { a: 1, [sym]: 2 };
const rope = "ab".repeat(200) + "cd".repeat(200);
return [
  0, -0, 1, -1, 2147483647, -2147483648, 2147483648, 0.1, 1e21, 1e-7, 123456789.125, 5e-324, 1.7976931348623157e308,
  NaN, Infinity, -Infinity, true, false, null, undefined, "", "plain", 'quote " backslash \\ slash /',
  "\u0000\u0001\u001f\b\f\n\r\t", "caf\u00e9 \u00ff", "\u20ac \u2028 \u2029", "\ud83d\ude00 emoji", "\ud800 lone high",
  "lone low \udc00", rope, [], {}, [undefined, () => 1, sym, null], { u: undefined, f() {}, s: sym, n: null, k: 1 },
  { "1": "one", b: 2, "0": "zero" }, { "4294967294": 1, a: 2 }, { "4294967295": 1, a: 2 }, { "-1": 1, "01": 2 },
  { nested: { deeper: [1, [2, [3, { x: "y" }]]] } }, cyclic, cyclicArray, deep, deepArray, withGetter, withToJSON,
  inheritsToJSON, nullProto, deleted, nonEnumerable, arrayWithProps, sparse, longArray, frozen, new Point(),
  withSymbolKey, new Date(0), new Map([[1, 2]]), new Set([1]), /re/g, new Error("e"), new Number(3), new String("s"),
  new Boolean(false), Object(1n), 1n, [1n], { big: 2n }, new Uint8Array([1, 2]), () => 1, sym, Math, JSON,
  { "": "empty key", " ": "space" }, { ["key\u0000\n\""]: "escaped key" }, [[[]], {}, [{}]],
  Response.json({ a: 1 }).headers, Result.ok(1), Result.err("e"), range(3),
];
"""


@pytest.fixture(scope="module")
def compare(host: Host) -> Iterator[Callable[[bytes], list[dict[str, str]]]]:
    source = COMPARE + """
    export function handler(req) {
      const values = req.path === "/cases" ? cases() : req.json();
      return Response.json(values.map(both));
    }
    function cases() {""" + CASES + "}\n"
    handler = host.load(Bundle(source, "stringify.js"))

    def run(body: bytes, path: str = "/") -> list[dict[str, str]]:
        r = handler.handle(HttpRequest("POST", path, [], body))
        assert r.status == 200, r.body
        return orjson.loads(r.body)

    yield run


def test_edge_cases_match_the_general_algorithm(compare) -> None:
    results = compare(b"", "/cases")
    assert len(results) > 70
    for i, r in enumerate(results):
        assert r["fast"] == r["general"], f"case {i}: {r}"
    as_list = [r["fast"] for r in results]
    assert '"\\ud800 lone high"' in as_list and "null" in as_list and '[null,null,null,null]' in as_list
    assert any(s.startswith("throws TypeError: circular") for s in as_list)


def test_known_answers(host: Host) -> None:
    # spot checks that do not rest on QuickJS agreeing with itself
    source = r"""
    export function handler(req) {
      return Response.text([
        JSON.stringify(-0), JSON.stringify(1e21), JSON.stringify(0.1), JSON.stringify(NaN),
        JSON.stringify({ u: undefined, f() {}, n: null, k: 1 }), JSON.stringify({ "1": "one", b: 2, "0": "zero" }),
        JSON.stringify([undefined, () => 1]), JSON.stringify("\u2028\ud800\n\"é"), String(JSON.stringify(undefined)),
      ].join("|"));
    }
    """
    r = host.load(Bundle(source, "stringify-known.js")).handle(HttpRequest("GET", "/"))
    assert r.body.decode().split("|") == [
        "0", "1e+21", "0.1", "null", '{"n":null,"k":1}', '{"0":"zero","1":"one","b":2}', "[null,null]",
        '"\u2028\\ud800\\n\\"é"', "undefined",
    ]


json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**53), 2**53) | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(),
    lambda children: st.lists(children, max_size=6) | st.dictionaries(st.text(max_size=8), children, max_size=6),
    max_leaves=40,
)


@settings(max_examples=80, deadline=None)
@given(st.lists(json_values, min_size=1, max_size=8))
def test_arbitrary_json_matches_the_general_algorithm(compare, values: list[object]) -> None:
    for r in compare(orjson.dumps(values)):
        assert r["fast"] == r["general"], r
