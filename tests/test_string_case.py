"""String.prototype.toLowerCase / toUpperCase: the guest's 8-bit fast path gives QuickJS's answers.

Strings of 8-bit (Latin-1) characters are held to Python's str.lower()/upper(), the same full Unicode
mappings (ß, ÿ and µ widen in upper case: QuickJS's own function answers for them); strings the fast path
passes on (16-bit characters, ropes, String objects, other `this` values) to the answers JavaScript defines.
"""

from __future__ import annotations

import orjson
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from zigttp_host import Bundle, Handler, Host, HttpRequest

CASES = r"""
export function handler(req) {
  const texts = req.json();
  return Response.json(texts.map((t) => [t.toLowerCase(), t.toUpperCase()]));
}
"""

EDGES = r"""
function attempt(f) {
  try { return f(); } catch (e) { return e.name; }
}
export function handler(req) {
  const rope = "ab".repeat(40) + "CD".repeat(40);
  const sliced = ("xyz" + "Q".repeat(300)).slice(2, 40);
  return Response.json({
    fns: [String.prototype.toLowerCase.name, String.prototype.toLowerCase.length,
          String.prototype.toUpperCase.name, String.prototype.toUpperCase.length,
          Object.getOwnPropertyDescriptor(String.prototype, "toLowerCase").enumerable],
    rope: [rope.toLowerCase() === "ab".repeat(40) + "cd".repeat(40), rope.toUpperCase().length],
    sliced: [sliced.toLowerCase(), sliced.toUpperCase()],
    object: new String("MiXeD").toLowerCase(),
    number: String.prototype.toUpperCase.call(12.5),
    coerced: String.prototype.toLowerCase.call({ toString() { return "OBJ"; } }),
    nullThis: attempt(() => String.prototype.toLowerCase.call(null)),
    undefinedThis: attempt(() => String.prototype.toUpperCase.call(undefined)),
    unicode: ["ÀÉÎ".toLowerCase(), "straße".toUpperCase(), "ΑΣ".toLowerCase(), "ǅ".toLowerCase(),
              "İ".toLowerCase().length, "ﬀ".toUpperCase(), "\u{1F600}a".toUpperCase()],
    same: (() => { const s = "already lower 123"; return s.toLowerCase() === s; })(),
  });
}
"""


@pytest.fixture(scope="module")
def cases(host: Host) -> Handler:
    return host.load(Bundle(CASES, "cases.js"))


def _both(handler: Handler, texts: list[str]) -> list[list[str]]:
    r = handler.handle(HttpRequest("POST", "/", [("content-type", "application/json")], orjson.dumps(texts)))
    assert r.status == 200, r.body
    answer: list[list[str]] = orjson.loads(r.body)
    return answer


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.text(alphabet=st.characters(max_codepoint=255), max_size=40), min_size=1, max_size=30))
def test_8_bit_strings_change_case_as_javascript_defines(cases: Handler, texts: list[str]) -> None:
    assert _both(cases, texts) == [[t.lower(), t.upper()] for t in texts]


def test_every_8_bit_character_and_the_three_that_widen(cases: Handler) -> None:
    every = [chr(c) for c in range(1, 256)] + ["".join(chr(c) for c in range(1, 256)), "Maße", "ÿes", "µs ABC"]
    assert _both(cases, every) == [[t.lower(), t.upper()] for t in every]


def test_the_other_strings_and_this_values_keep_quickjss_answers(host: Host) -> None:
    r = host.load(Bundle(EDGES, "edges.js")).handle(HttpRequest("GET", "/"))
    assert r.status == 200, r.body
    got = orjson.loads(r.body)
    assert got["fns"] == ["toLowerCase", 0, "toUpperCase", 0, False]
    assert got["rope"] == [True, 160]
    assert got["sliced"] == ["z" + "q" * 37, "Z" + "Q" * 37]
    assert got["object"] == "mixed" and got["number"] == "12.5" and got["coerced"] == "obj"
    assert got["nullThis"] == got["undefinedThis"] == "TypeError"
    assert got["unicode"] == ["àéî", "STRASSE", "ας", "ǆ", 2, "FF", "\U0001F600A"]
    assert got["same"] is True
