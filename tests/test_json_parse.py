"""JSON.parse's fast reader (guest/qjs_unity.c) against Python's json module.

The guest parses the text and answers JSON.stringify of the result (null
becomes undefined in the subset: dropped from objects, null in arrays).
Python parses the same text and applies the same rule; both must agree
exactly, numbers bit for bit. Invalid text must still be refused with
QuickJS's own message.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from zigttp_host import Bundle, Host, HttpRequest

SOURCE = """
export function handler(req) {
  const r = JSON.tryParse(req.text());
  if (!r.ok) return Response.json({ error: r.error });
  // JSON.stringify writes -0 as 0 and infinities as null: mark them so they are compared too
  const mark = (v) => Object.is(v, -0) ? "(-0)" : v === Infinity ? "(inf)" : v === -Infinity ? "(-inf)"
    : Array.isArray(v) ? v.map(mark)
    : typeof v === "object" ? Object.fromEntries(Object.entries(v).map(([k, x]) => [k, mark(x)])) : v;
  return Response.text(JSON.stringify([mark(r.value)]));
}
"""


def _subset(value: Any) -> Any:
    """What the guest's JSON.parse gives for this value: null is undefined."""
    if isinstance(value, dict):
        # JS lists array-index keys first, in numeric order, then the rest in text order
        def is_index(k: str) -> bool:
            return k.isdigit() and k.isascii() and str(int(k)) == k and int(k) < 2**32 - 1

        keys = sorted((k for k in value if is_index(k)), key=int) + [k for k in value if not is_index(k)]
        return {k: _subset(value[k]) for k in keys if value[k] is not None}
    if isinstance(value, list):
        return [_subset(v) for v in value]
    if isinstance(value, float) and value == 0 and math.copysign(1, value) < 0:
        return "(-0)"
    if isinstance(value, float) and math.isinf(value):
        return "(inf)" if value > 0 else "(-inf)"
    return value


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, float) and isinstance(b, float):
        return a == b and math.copysign(1, a) == math.copysign(1, b)
    if isinstance(a, dict) and isinstance(b, dict):
        return list(a) == list(b) and all(_same(a[k], b[k]) for k in a)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b, strict=True))
    return type(a) is type(b) and a == b


@pytest.fixture(scope="module")
def parse(host: Host) -> Iterator[Callable[[str], Any]]:
    handler = host.load(Bundle(SOURCE, "parse.js"))

    def run(text: str) -> Any:
        r = handler.handle(HttpRequest("POST", "/", [], text.encode("utf-8", "surrogatepass")))
        assert r.status == 200, r.body
        answer = json.loads(r.body.decode("utf-8", "surrogatepass"), parse_int=float)
        return answer if isinstance(answer, dict) else _subset(answer[0]) if answer else None

    yield run


def _check(parse: Callable[[str], Any], text: str) -> None:
    expected = _subset(json.loads(text, parse_int=float))  # JS numbers: "-0" is -0, big integers round
    got = parse(text)
    assert _same(got, expected), f"{text!r}: got {got!r}, expected {expected!r}"


EDGE_CASES = [
    "0", "-0", "-0.0", "1", "-1", "123456789", "-123456789", "1234567890", "2147483648", "-2147483649",
    "9007199254740993", "1e400", "-1e-400", "0.1", "1E2", "1e+2", "1e-2", '""', '"plain"', '"caf\u00e9 \u20ac"',
    '"\\u00e9\\u20ac\\ud83d\\ude00"', '"\\ud800 lone"', '"\\"\\\\\\/\\b\\f\\n\\r\\t"', '"\\u0000"', "true", "false",
    "[]", "{}", " [ 1 , 2 ] ", '{"a":1,"a":2}', '{"__proto__":{"x":1}}', '{"0":1,"b":2,"1":3}', '{"":1}',
    '{"caf\u00e9":1,"\\u00e9":2}', '{"k\\"ey":1}', "[null,1,null]", '{"n":null,"m":[null]}',
    "[" * 70 + "1" + "]" * 70, '{"d":' * 70 + "1" + "}" * 70, '[1,{"a":[true,false,"x"]},[[[]]]]',
    "\t\n\r [1]\n",
    # nulls where the fast reader gives up (deeper than it reads) or from text that is not ASCII, and a text
    # that mentions null only inside a string
    "[" * 70 + "null" + "]" * 70, '{"d":' * 70 + '{"n":null,"k":1}' + "}" * 70, '{"caf\u00e9":null,"x":1}',
    '{"\U0001f600":[null,{"n":null}]}', '{"a":"null","b":["null"]}',
]


def test_edge_cases(parse) -> None:
    for text in EDGE_CASES:
        _check(parse, text)


@pytest.mark.parametrize("text", [
    "", " ", "[1,]", "{\"a\":1,}", "01", "1.", ".5", "+1", "-", "1e", "[1 2]", "{a:1}", "{'a':1}", "nul", "tru",
    "[1]x", '"\\x"', '"\\u12"', '"unterminated', '"tab\there"', "NaN", "Infinity", "[", "{\"a\"", "{\"a\":",
])
def test_invalid_text_is_refused_with_quickjs_messages(parse, text: str) -> None:
    got = parse(text)
    assert isinstance(got, dict) and got.get("error"), (text, got)


def test_the_fast_reader_and_quickjs_give_the_same_messages(host: Host) -> None:
    # the reader gives up on errors, so the message is always QuickJS's own
    h = host.load(Bundle("export function handler(req) { const r = JSON.tryParse(req.text());"
                         " return Response.json({ e: r.error }); }", "parse-errors.js"))
    answer = json.loads(h.handle(HttpRequest("POST", "/", [], b"[1,]")).body)
    assert "Unexpected" in answer["e"] or "expected" in answer["e"].lower(), answer


json_text = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**63), 2**63) | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(),
    lambda children: st.lists(children, max_size=6) | st.dictionaries(st.text(max_size=8), children, max_size=6),
    max_leaves=40,
)


@settings(max_examples=120, deadline=None)
@given(json_text, st.booleans(), st.sampled_from([None, 0, 2]))
def test_arbitrary_documents(parse, value: Any, ascii_only: bool, indent: int | None) -> None:
    _check(parse, json.dumps(value, ensure_ascii=ascii_only, indent=indent))
