"""Compiled object literals: made on a kept layout (emitter `__zt_new`, guest qjs_unity.c `zigttp_object_like`).

The compiler turns `{ a: x, b: y }` into `__zt_new(__zt_shapeN, x, y)`; the guest makes the object on the
shape of the module-scope keeper `{ a: 0, b: 0 }` at its final size. Every object must be exactly what
QuickJS's own literal makes: each case runs the same source twice in the real guest, once compiled (the
fast path) and once as plain JavaScript (QuickJS's literal), and compares what the handler observed.
"""

from __future__ import annotations

import json
import re

import orjson
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from zigttp.compiler import compile_source
from zigttp_host import Bundle, Host, HttpRequest

DESCRIBE = r"""
function describe(o) {
  const own = Reflect.ownKeys(o).map((k) => {
    const d = Object.getOwnPropertyDescriptor(o, k);
    return [String(k), JSON.stringify(d.value) ?? "undefined", d.writable, d.enumerable, d.configurable];
  });
  return { own, keys: Object.keys(o), json: JSON.stringify(o), plain: Object.getPrototypeOf(o) === Object.prototype,
           extensible: Object.isExtensible(o), frozen: Object.isFrozen(o) };
}
"""

# The literals, in the language the compiler takes (which refuses delete, freeze and reflection) ...
MAKERS = r"""
function make(i) { return { id: i, name: "n" + i, score: i * 2, active: i % 2 === 0 }; }
function short(i) { return { id: i }; }
function ordered(order) {
  return { first: order.push("first"), second: order.push("second"), third: order.push("third") };
}
function nested() { return { outer: { inner: { deep: [1, { x: 2 }] } }, f: (v) => v + 1 }; }
export function handler(req) { return probe(make, short, ordered, nested); }
"""

# ... and, appended after compiling, plain JavaScript that changes the objects made every way it can.
PROBE = DESCRIBE + r"""
function probe(make, short, ordered, nested) {
  const a = make(1), b = make(2), c = make(3), d = make(4), e = make(5);
  a.extra = "added";
  delete b.name;
  Object.freeze(c);
  Object.defineProperty(d, "score", { get() { return 99; }, enumerable: false });
  e.id = "changed";
  Object.setPrototypeOf(make(9), null);
  const s = short(7);
  s.more = 1;
  const order = [];
  const t = ordered(order);
  const n = nested();
  return Response.json({
    mutated: [a, b, c, d, e, s].map(describe),
    fresh: [make(6), short(8)].map(describe),
    t: describe(t), order, nested: describe(n), callsF: n.f(1),
  });
}
"""


def _both(host: Host, source: str, appended: str = "", name: str = "h.ts") -> tuple[list[object], list[object]]:
    """What the compiled handler and the plain-JavaScript one answer, three requests each."""
    compiled = compile_source(source, name)
    assert compiled.ok, compiled.render_text()
    assert "__zt_new(" in compiled.js  # the fast path is what this checks
    fast = host.load(Bundle(compiled.js + appended, name, compiled.line_map.lookup))
    plain = host.load(Bundle(source + appended, name.replace(".ts", ".js")))
    request = HttpRequest("GET", "/", [("host", "h")])
    return ([orjson.loads(fast.handle(request).body) for _ in range(3)],
            [orjson.loads(plain.handle(request).body) for _ in range(3)])


def test_objects_changed_after_they_were_made_change_alone(host: Host) -> None:
    fast, plain = _both(host, MAKERS, PROBE)
    assert fast == plain
    first = fast[0]
    assert isinstance(first, dict)
    assert first["order"] == ["first", "second", "third"] and first["t"]["json"] == '{"first":1,"second":2,"third":3}'
    assert first["fresh"][0]["own"] == [["id", "6", True, True, True], ["name", '"n6"', True, True, True],
                                        ["score", "12", True, True, True], ["active", "true", True, True, True]]
    assert first["fresh"][1]["own"] == [["id", "8", True, True, True]]
    assert first["mutated"][2]["frozen"] and not first["fresh"][0]["frozen"] and first["callsF"] == 2


def test_values_are_evaluated_in_order_and_a_throw_names_its_place(host: Host) -> None:
    source = ('export function handler(req) { const o = { a: 1, b: req.query.missing.x }; '
              'return Response.json(o); }\n')
    compiled = compile_source(source, "h.ts")
    assert compiled.ok and compiled.js.startswith("const __zt_new = __zt_obj, ")
    handler = host.load(Bundle(compiled.js, "h.ts", compiled.line_map.lookup))
    response = handler.handle(HttpRequest("GET", "/"))
    assert response.status == 500
    assert response.failure is not None
    # the prologue on line 1 shifts the emitted columns; the place reported is still the source's
    assert response.failure.at == f"h.ts:1:{source.index('req.query') + 1}"  # as for any expression


def test_keys_that_are_not_plain_keep_the_literal(host: Host) -> None:
    source = ('export function handler(req) {\n'
              '  const k = "dyn";\n'
              '  const base = { z: 1 };\n'
              '  const objs = [{ [k]: 1 }, { ...base, t: 2 }, { m() { return 1; } }, { get g() { return 2; } },\n'
              '    { "0": "zero", a: 1 }, { "1x": 1 }, { a: 1, a: 2 }, { __proto__: base, p: 1 }, {}];\n'
              '  return probe(objs, base);\n'
              '}\n')
    appended = ("function probe(objs, base) { return Response.json(objs.map((o) => "
                "[Reflect.ownKeys(o), Object.getPrototypeOf(o) === base])); }\n")
    compiled = compile_source(source, "h.ts")
    assert compiled.ok, compiled.render_text()
    assert compiled.js.count("__zt_new(") == 1  # `base` only
    handler = host.load(Bundle(compiled.js + appended, "h.ts", compiled.line_map.lookup))
    got = orjson.loads(handler.handle(HttpRequest("GET", "/")).body)
    assert got == [[["dyn"], False], [["z", "t"], False], [["m"], False], [["g"], False],
                   [["0", "a"], False], [["1x"], False], [["a"], False], [["p"], True], [[], False]]


def test_sixteen_keys_take_the_fast_path_and_seventeen_do_not(host: Host) -> None:
    def literal(n: int) -> str:
        return "{ " + ", ".join(f"k{i}: {i}" for i in range(n)) + " }"
    for n, fast_path in ((16, True), (17, False)):
        source = f"export function handler(req) {{ const o = {literal(n)}; return Response.json(o); }}\n"
        compiled = compile_source(source, "h.ts")
        assert ("__zt_new(" in compiled.js) is fast_path
        handler = host.load(Bundle(compiled.js, "h.ts", compiled.line_map.lookup))
        assert orjson.loads(handler.handle(HttpRequest("GET", "/")).body) == {f"k{i}": i for i in range(n)}


MISUSE = r"""
export function handler(req) {
  const make = globalThis.__zt_obj;
  const out = [];
  const tryIt = (f) => { try { return JSON.stringify(f()); } catch (e) { return "throws " + e.name; } };
  const frozen = Object.freeze({ a: 0, b: 0 });
  const accessor = { a: 0, get b() { return 0; } };
  const nullProto = Object.create(null); nullProto.a = 0;
  const deleted = { a: 0, b: 0, c: 0 }; delete deleted.b;
  out.push(tryIt(() => make(1, 2)));
  out.push(tryIt(() => make(undefined)));
  out.push(tryIt(() => make({ a: 0, b: 0 }, 1)));
  out.push(tryIt(() => make({ a: 0 }, 1, 2, 3)));
  out.push(tryIt(() => make(frozen, 1, 2)));
  out.push(tryIt(() => { const o = make(frozen, 1, 2); o.a = 5; return [o, Object.isFrozen(o)]; }));
  out.push(tryIt(() => make(accessor, 1, 2)));
  out.push(tryIt(() => make(nullProto, 1)));
  out.push(tryIt(() => Object.getPrototypeOf(make(nullProto, 1)) === Object.prototype));
  out.push(tryIt(() => make(deleted, 1, 2)));
  out.push(tryIt(() => make([7, 8], 1, 2)));
  out.push(tryIt(() => make(function f(x) {}, 1, 2)));
  return Response.json(out);
}
"""


def test_the_global_maker_is_harmless_when_called_by_hand(host: Host) -> None:
    handler = host.load(Bundle(MISUSE, "m.js"))
    for _ in range(2):
        got = orjson.loads(handler.handle(HttpRequest("GET", "/")).body)
        assert got == [
            "throws TypeError", "throws TypeError",
            '{"a":1}',  # a missing value is undefined, which JSON leaves out
            '{"a":1}',  # values beyond the keeper's keys are ignored
            '{"a":1,"b":2}', '[{"a":5,"b":2},false]',
            '{"a":1,"b":2}',  # an accessor's key becomes a data property, as in a literal
            '{"a":1}', "true",
            '{"a":1,"c":2}',
            "throws TypeError", "throws TypeError",  # only a plain object is a keeper
        ], got


_IDENT = st.from_regex(r"[A-Za-z_$][A-Za-z0-9_$]{0,6}", fullmatch=True)
_KEYS = st.one_of(
    _IDENT,
    st.sampled_from(["constructor", "toString", "hasOwnProperty", "valueOf", "length", "prototype", "",
                     "é", "a b", "-1", "1.5", "x-y", "__proto", "✓"]),
)
_VALUES = st.one_of(st.integers(-5, 5), st.sampled_from(["true", '"s"', "[1]", "{ z: 1 }", "undefined",
                                                         "req.method", "0.5"]))
# many literals per example: each example is a new handler, and loading one (its snapshot) costs about a second
_LITERALS = st.lists(st.lists(st.tuples(_KEYS, _VALUES), min_size=1, max_size=6), min_size=10, max_size=40)


def _literal(entries: list[tuple[str, object]]) -> str:
    parts = []
    for key, value in entries:
        name = key if re.fullmatch(r"[A-Za-z_$][\w$]*", key) else json.dumps(key)
        parts.append(f"{name}: {value}")
    return "{ " + ", ".join(parts) + " }"


@settings(max_examples=4, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(_LITERALS)
def test_generated_literals_match_quickjs(host: Host, literals: list[list[tuple[str, object]]]) -> None:
    objects = ", ".join(_literal(entries) for entries in literals)
    source = f"export function handler(req) {{ return probe([{objects}]); }}\n"
    appended = DESCRIBE + ("function probe(objs) {\n"
                           "  const first = objs.map(describe);\n"
                           "  objs.forEach((o, i) => { o['added' + i] = i; delete o.constructor; });\n"
                           "  return Response.json({ first, after: objs.map(describe) });\n}\n")
    compiled = compile_source(source, "g.ts")
    assert compiled.ok, compiled.render_text()
    fast = host.load(Bundle(compiled.js + appended, "g.ts", compiled.line_map.lookup))
    plain = host.load(Bundle(source + appended, "g.js"))
    request = HttpRequest("GET", "/")
    for _ in range(2):
        assert orjson.loads(fast.handle(request).body) == orjson.loads(plain.handle(request).body)
