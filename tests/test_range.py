"""range(): the guest's C iterator against the prelude's original JS iterator, kept here as the reference.

The sequences must not differ in length, values, number types or the sign of zero, for integer and
fractional bounds and steps (negative, zero, NaN and infinite ones included); a loop's own iterator is
independent of every other; the iterator's prototype is locked like every other shared object.
"""

from __future__ import annotations

import orjson
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from zigttp_host import Bundle, Handler, Host, HttpRequest

MAX_STEPS = 40  # both sides stop after this many values: some cases never end

REFERENCE = r"""
function reference(a, b, step) {
  let start = 0, end = a;
  if (b !== undefined) { start = a; end = b; }
  let s = step === undefined || step === 0 ? 1 : step;
  if (typeof start !== "number" || typeof end !== "number" || typeof s !== "number") {
    throw new TypeError("range() takes numbers: range(end) or range(start, end[, step])");
  }
  return {
    [Symbol.iterator]() {
      let i = start;
      return {
        next() {
          if (s > 0 ? i < end : i > end) {
            const value = i;
            i += s;
            return { value, done: false };
          }
          return { value: undefined, done: true };
        },
      };
    },
  };
}
const SPECIAL = { NaN: NaN, Infinity: Infinity, "-Infinity": -Infinity, "-0": -0 };
const arg = (v) => (typeof v === "string" && v in SPECIAL ? SPECIAL[v] : v === null ? undefined : v);
const describe = (v) => [typeof v, Object.is(v, -0) ? "-0" : Number.isNaN(v) ? "NaN" : String(v)];
function take(iterable, limit) {
  const out = [];
  try {
    for (const v of iterable) {
      if (out.length === limit) break;
      out.push(describe(v));
    }
  } catch (e) {
    return [e.name, e.message];
  }
  return out;
}
function call(f, args) {
  try {
    return f(...args);
  } catch (e) {
    return [[e.name, e.message]];
  }
}
export function handler(req) {
  const cases = req.json();
  return Response.json(cases.map((c) => {
    const args = c.map(arg);
    while (args.length && args[args.length - 1] === undefined && args.length > 1) args.pop();
    const got = call(range, args), expected = call(reference, args);
    return {
      got: Array.isArray(got) ? got : take(got, MAX),
      expected: Array.isArray(expected) ? expected : take(expected, MAX),
    };
  }));
}
""".replace("MAX)", f"{MAX_STEPS})")

BEHAVIOUR = r"""
export function handler(req) {
  const r = range(1, 4);
  const twice = [Array.from(r), [...r]];
  const a = r[Symbol.iterator](), b = r[Symbol.iterator]();
  const interleaved = [a.next().value, a.next().value, b.next().value, a.next().value, b.next().value];
  const manual = [a.next(), a.next(), a.next()];
  const loop = [];
  for (const i of range(10)) {
    if (i % 2 === 0) continue;
    if (i > 7) break;
    for (const j of range(i, 0, -3)) loop.push([i, j]);
  }
  let foreign;
  try {
    a.next.call({});
  } catch (e) {
    foreign = [e.name, e.message];
  }
  const proto = Object.getPrototypeOf(a);
  let patched;
  try {
    proto.next = () => ({ value: 42, done: false });
    patched = "assigned";
  } catch (e) {
    patched = e.name;
  }
  return Response.json({ twice, interleaved, manual, loop, foreign, patched,
                         frozen: Object.isFrozen(proto), after: Array.from(range(2)) });
}
"""


@pytest.fixture(scope="module")
def reference(host: Host) -> Handler:
    return host.load(Bundle(REFERENCE, "range_reference.js"))


def _compare(handler: Handler, cases: list[list[object]]) -> None:
    r = handler.handle(HttpRequest("POST", "/", [("content-type", "application/json")], orjson.dumps(cases)))
    assert r.status == 200, r.body
    for case, answer in zip(cases, orjson.loads(r.body), strict=True):
        assert answer["got"] == answer["expected"], case


CASES: list[list[object]] = [
    [5], [0], [-3], [2.5], [0, 5], [5, 0], [5, 0, -1], [0, 10, 3], [10, 0, -3], [0, 1, 0.1], [1, 0, -0.25],
    [0, 5, 0], [0, 5, None], [3, None, None], ["-0", 2], ["-0", -2, -1], [0, "-0"], [-1, "-0", 0.5],
    [0, "Infinity"], ["-Infinity", 0], [0, "NaN"], ["NaN", 5], [0, 5, "NaN"], [0, 5, "Infinity"],
    [0, 5, "-Infinity"], [0, -5, "-Infinity"], [2147483645, 2147483650], [-2147483650, -2147483645],
    [9007199254740990, 9007199254740994], [1e300, 1e301, 1e299], [0.1, 0.7, 0.2], [-0.5, 0.5, 0.25],
    ["a"], [0, "5"], [0, 5, "1"], [True], [[]], [{}],
]


def test_range_matches_the_js_iterator_on_fixed_cases(reference: Handler) -> None:
    _compare(reference, CASES)


NUMBERS = st.one_of(
    st.integers(min_value=-60, max_value=60),
    st.floats(min_value=-60, max_value=60, allow_nan=False),
    st.sampled_from(["NaN", "Infinity", "-Infinity", "-0"]),
)
STEPS = st.one_of(st.none(), st.integers(min_value=-7, max_value=7),
                  st.floats(min_value=-7, max_value=7, allow_nan=False), st.sampled_from(["NaN", "-0"]))


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.tuples(NUMBERS, st.one_of(st.none(), NUMBERS), STEPS), min_size=1, max_size=20))
def test_range_matches_the_js_iterator_on_generated_bounds(reference: Handler,
                                                           cases: list[tuple[object, object, object]]) -> None:
    _compare(reference, [list(c) for c in cases])


def test_each_loop_has_its_own_iterator_and_the_prototype_is_locked(host: Host) -> None:
    handler = host.load(Bundle(BEHAVIOUR, "range_behaviour.js"))
    for _ in range(2):  # the second request sees what the first left behind
        r = handler.handle(HttpRequest("GET", "/"))
        assert r.status == 200, r.body
        got = orjson.loads(r.body)
        assert got["twice"] == [[1, 2, 3], [1, 2, 3]]
        assert got["interleaved"] == [1, 2, 1, 3, 2]
        assert got["manual"] == [{"done": True}, {"done": True}, {"done": True}]  # value undefined: dropped
        assert got["loop"] == [[1, 1], [3, 3], [5, 5], [5, 2], [7, 7], [7, 4], [7, 1]]
        assert got["foreign"][0] == "TypeError"
        assert got["patched"] == "TypeError" and got["frozen"] is True
        assert got["after"] == [0, 1]
