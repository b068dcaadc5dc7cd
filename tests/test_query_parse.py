"""req.query and new Request(url).query (both the guest's C parser) against the prelude's original
JS parseQuery, kept here as the reference.

The answers must not differ in keys, their order, values, types or property
attributes, for the URL the request arrived with and for one a handler builds.
"""

from __future__ import annotations

from collections.abc import Iterator
from urllib.parse import quote

import orjson
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from zigttp_host import Bundle, Handler, Host, HttpRequest

REFERENCE = r"""
const defineOwn = (obj, key, value) =>
  Object.defineProperty(obj, key, { value, writable: true, enumerable: true, configurable: true });
const decode = (s) => {
  const plus = s.indexOf("+") >= 0 ? s.split("+").join(" ") : s;
  try {
    return decodeURIComponent(plus);
  } catch (e) {
    return plus;
  }
};
const INTEGER = /^-?(0|[1-9][0-9]{0,15})$/;
function reference(qs) {
  const query = {};
  if (!qs) return query;
  for (const part of qs.split("&")) {
    if (part === "") continue;
    const eq = part.indexOf("=");
    const key = decode(eq < 0 ? part : part.slice(0, eq));
    const raw = eq < 0 ? "" : decode(part.slice(eq + 1));
    const n = INTEGER.test(raw) ? Number(raw) : NaN;
    defineOwn(query, key, Number.isSafeInteger(n) ? n : raw);
  }
  return query;
}
const describe = (o) => Object.getOwnPropertyNames(o).map((k) => {
  const d = Object.getOwnPropertyDescriptor(o, k);
  return [k, typeof d.value, d.value, Object.is(d.value, -0), d.writable, d.enumerable, d.configurable];
});
export function handler(req) {
  const q = req.url.indexOf("?");
  const expected = reference(q < 0 ? "" : req.url.slice(q + 1));
  return Response.json({ got: describe(req.query), expected: describe(expected),
                         constructed: describe(new Request(req.url).query),
                         proto: Object.getPrototypeOf(req.query) === Object.prototype });
}
"""


@pytest.fixture(scope="module")
def handler() -> Iterator[Handler]:
    host = Host()
    yield host.load(Bundle(REFERENCE, "query_reference.js"))
    host.engine.close()


def _check(handler: Handler, query: str) -> None:
    r = handler.handle(HttpRequest("GET", "/q?" + query))
    assert r.status == 200, r.body
    answer = orjson.loads(r.body)
    assert answer["got"] == answer["expected"], query  # the guest's C parser (req.query)
    assert answer["constructed"] == answer["expected"], query  # through native.parseQuery (new Request)
    assert answer["proto"] is True


CASES = ["a=1&b=2", "a=1&a=2", "flag&empty=", "=v", "&&a=1&&", "q=hello%20world", "q=a+b%2Bc", "bad=%E0%A4%A",
         "x=-12", "x=-0", "x=007", "x=9007199254740991", "x=9007199254740993", "x=12345678901234567", "x=1e3",
         "x=+1", "x= 1", "x=0x10", "__proto__=1", "constructor=a&constructor=b", "toString=x", "hasOwnProperty=1",
         "0=a&1=b&10=c", "%5F%5Fproto%5F%5F=p", "k%3Dv=1", "a=%F0%9F%98%80", "a=%ED%A0%80", "é=ü", "a=1=2",
         "-=-", "a==", "="]


@pytest.mark.parametrize("query", CASES)
def test_query_matches_the_reference(handler: Handler, query: str) -> None:
    _check(handler, query)


PIECE = st.sampled_from(["a", "b", "0", "1", "-", "+", "=", "%", "%2", "%20", "%41", "%zz", "%E0%A4", "__proto__",
                         "constructor", "9007199254740993", "12", "007", " ", "é", "x"])


@given(st.lists(st.lists(PIECE, max_size=6).map("".join), max_size=8).map("&".join))
@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_generated_queries_match_the_reference(handler: Handler, query: str) -> None:
    _check(handler, quote(query, safe="=&%+-_") if any(ord(c) > 127 for c in query) else query)


BUILT = r"""
export function handler(req) {
  const q = new Request("/x?" + "a=\ud800&\udc00=b&c=%F0%9F%98%80").query;
  const keys = Object.keys(q);
  return Response.json({ keys: keys.length, a: q.a === "\ud800", lone: keys[1] === "\udc00", c: q.c });
}
"""


def test_a_url_a_handler_builds_keeps_its_lone_surrogates(host: Host) -> None:
    # such a URL never arrives from a client (the host repairs lone surrogates at the boundary)
    # but a handler can build one: as in the JS parser, each lone surrogate stays what it was
    r = host.load(Bundle(BUILT, "built_query.js")).handle(HttpRequest("GET", "/"))
    assert r.status == 200, r.body
    assert orjson.loads(r.body) == {"keys": 3, "a": True, "lone": True, "c": "\U0001f600"}
