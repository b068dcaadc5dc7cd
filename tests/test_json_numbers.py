"""JSON.parse reads numbers with the guest's own strtod (guest/qjs_unity.c).

Every number must come out as the correctly rounded double that Python's
float() gives for the same text: the fast path (≤ 15 significant digits,
small exponents) and the js_atod fallback alike. The handler answers each
value as its shortest round-trip string, which Python reads back exactly.
"""

from __future__ import annotations

import math
import struct
from collections.abc import Iterator

import orjson
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from zigttp_host import Bundle, Host, HttpRequest

SOURCE = """
export function handler(req) {
  const values = req.json();
  return Response.json(values.map((v) => (Object.is(v, -0) ? "-0" : String(v))));
}
"""

EDGE_CASES = [
    "0", "-0", "0.0", "-0.0", "0e5", "1", "-1", "7", "10", "100", "0.1", "0.2", "0.3", "2.25", "-17.125",
    "123456789012345", "1234567890123456", "9007199254740991", "9007199254740992", "9007199254740993",
    "123456789012345678901234567890", "0.000001", "1e-7", "1E22", "1e22", "1e23", "1.5e22", "12e21",
    "123456789012345e8", "1e-22", "1e-23", "3.14159265358979", "3.141592653589793", "2.718281828459045",
    "1.7976931348623157e308", "1.7976931348623159e308", "1e308", "1e309", "-1e400", "2.2250738585072014e-308",
    "2.2250738585072011e-308", "4.9e-324", "5e-324", "2.4703282292062327e-324", "1e-400", "0.1e1", "100e-2",
    "1e+2", "1E-2", "0.30000000000000004", "00", "0.000000000000000000000000000001", "1e0000000000000000000010",
    "44.99999999999999", "8.589973e9", "9.999999999999999e22", "1.000000000000001", "3e23", "7e-23", "3e37",
    "123456789e30", "1234567890123456e30",
]


def _shortest(value: float) -> str:
    if value == 0 and math.copysign(1.0, value) < 0:
        return "-0"
    return repr(value)


def _bits(text: str) -> bytes:
    return struct.pack("<d", float(text))


@pytest.fixture(scope="module")
def parse(host: Host) -> Iterator:
    handler = host.load(Bundle(SOURCE, "numbers.js"))

    def run(texts: list[str]) -> list[str]:
        body = ("[" + ",".join(texts) + "]").encode()
        response = handler.handle(HttpRequest("POST", "/", [("content-type", "application/json")], body))
        assert response.status == 200, response.body
        return orjson.loads(response.body)

    yield run


def _check(parse, texts: list[str]) -> None:
    got = parse(texts)
    for text, answer in zip(texts, got, strict=True):
        expected = float(text)
        value = float(answer)
        assert struct.pack("<d", value) == _bits(text) or (math.isnan(expected) and math.isnan(value)), (
            f"JSON.parse({text}) gave {answer}, expected {_shortest(expected)}")


def test_edge_cases_round_correctly(parse) -> None:
    # "00" is not JSON: checked on its own below
    _check(parse, [t for t in EDGE_CASES if t != "00"])


def test_invalid_numbers_are_still_rejected(host: Host) -> None:
    handler = host.load(Bundle("export function handler(req) { return Response.json({ v: req.json() }); }",
                               "invalid.js"))
    for text in ("00", "01", "1.", ".5", "1e", "1e+", "+1", "-", "0x10", "Infinity", "NaN"):
        r = handler.handle(HttpRequest("POST", "/", [], f"[{text}]".encode()))
        assert orjson.loads(r.body) == {}, text  # req.json() is undefined for invalid JSON


digits = st.text("0123456789", min_size=1, max_size=25)


@st.composite
def decimal_texts(draw) -> str:
    sign = draw(st.sampled_from(["", "-"]))
    whole = draw(digits).lstrip("0") or "0"
    frac = draw(st.one_of(st.just(""), digits.map(lambda d: "." + d)))
    exp = draw(st.one_of(st.just(""), st.integers(-340, 330).map(lambda e: f"e{e:+d}" if e % 2 else f"E{e}")))
    return sign + whole + frac + exp


@settings(max_examples=60, deadline=None)
@given(st.lists(decimal_texts(), min_size=1, max_size=40))
def test_decimal_texts_round_correctly(parse, texts: list[str]) -> None:
    _check(parse, texts)


@settings(max_examples=40, deadline=None)
@given(st.lists(st.floats(allow_nan=False, allow_infinity=False), min_size=1, max_size=40))
def test_every_double_round_trips(parse, values: list[float]) -> None:
    _check(parse, [repr(v) for v in values] + [f"{v:.17e}" for v in values] + [f"{v:.15g}" for v in values])
