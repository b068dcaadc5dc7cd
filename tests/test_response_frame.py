"""The response frame's header JSON, written by the glue straight from the header strings when they are ASCII
(glue.c put_headers_json), must be byte for byte what JSON.stringify gives for the same pairs, which the glue
falls back to for any other strings and for more than 32 pairs."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from zigttp_host import Bundle, Host, HttpRequest
from zigttp_host.abi import request_meta
from zigttp_host.instance import GuestInstance

ECHO_HEADERS = """export function handler(req) {
  const headers = {};
  for (const [name, value] of JSON.parse(req.text())) headers[name] = value;
  return Response.text("x", { headers: headers });
}"""
TEXT_TYPE = ["content-type", "text/plain; charset=utf-8"]
META = request_meta("POST", "/", [("content-type", "application/json")])


@pytest.fixture(scope="module")
def instance() -> Iterator[GuestInstance]:
    host = Host()
    yield host.load(Bundle(ECHO_HEADERS, "headers.js"))._acquire()
    host.engine.close()


def _frame_meta(inst: GuestInstance, values: list[str]) -> bytes:
    pairs = [[f"x-h{i}", value] for i, value in enumerate(values)]
    meta, body = inst.handle(META, json.dumps(pairs).encode(), timeout_ms=5_000, fuel=10**9)
    assert body == b"x"
    return meta


def _stringified(values: list[str]) -> bytes:
    # JSON.stringify of strings without lone surrogates, as Python writes them with these options
    pairs = [[f"x-h{i}", value] for i, value in enumerate(values)] + [TEXT_TYPE]
    return b'{"s":200,"h":' + json.dumps(pairs, ensure_ascii=False, separators=(",", ":")).encode() + b"}"


EDGES = [
    "", "plain", 'q"uote', "back\\slash", "\t\r\n\b\f", "\x00\x01\x1f\x7f", "a" * 20 + "\n" + "b" * 9,
    "01234567\"", "0123456\\7", "café", "\U0001f600 x", "x" * 1000, "x" * 20_000 + "\n",  # the last: stringified
]


@pytest.mark.parametrize("value", EDGES)
def test_edge_values(instance: GuestInstance, value: str) -> None:
    assert _frame_meta(instance, [value]) == _stringified([value])


def test_more_pairs_than_the_direct_path_takes(instance: GuestInstance) -> None:
    values = [f"v{i}\n" for i in range(40)]
    assert _frame_meta(instance, values) == _stringified(values)


def test_no_headers_but_the_content_type(instance: GuestInstance) -> None:
    assert _frame_meta(instance, []) == _stringified([])


VALUE = st.text(st.characters(min_codepoint=0, max_codepoint=0x7F), max_size=40) | st.text(
    st.characters(exclude_categories=("Cs",)), max_size=40)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(VALUE, max_size=4))
def test_any_values(instance: GuestInstance, values: list[str]) -> None:
    assert _frame_meta(instance, values) == _stringified(values)


CORRUPTED_ENTRIES = """export function handler(req) {
  const r = Response.text("x");
  const entries = r.headers[Object.getOwnPropertySymbols(r.headers)[0]];  // the hidden list, reached anyway
  if (req.path === "/hole") entries.length = 2;
  if (req.path === "/triple") entries[0].length = 3;
  return r;
}"""


@pytest.mark.parametrize("path", ["/hole", "/triple"])
def test_a_header_list_that_is_not_name_value_pairs_is_a_bad_response(path: str) -> None:
    """The frame carries what JSON.stringify makes of the list (a hole is null, a longer pair keeps its extra
    element); the host refuses anything but [name, value] pairs of strings as the handler's error, never as an
    internal one."""
    host = Host()
    try:
        r = host.load(Bundle(CORRUPTED_ENTRIES, "corrupted.js")).handle(HttpRequest("GET", path))
    finally:
        host.engine.close()
    assert r.status == 500
    assert r.failure is not None and r.failure.kind == "bad_response", r.failure
    assert json.loads(r.body)["error"] == "bad_response"
