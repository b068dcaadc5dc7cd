"""Bodies cross the guest boundary as well-formed UTF-8: lone surrogates out and invalid bytes in become U+FFFD."""

from __future__ import annotations

import orjson
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from zigttp_host import Bundle, Handler, Host, HttpRequest

from .conftest import HANDLERS
from .support.server import serve

FFFD = "\ufffd".encode()


@pytest.fixture(scope="module")
def handler(host: Host) -> Handler:
    return host.load(Bundle((HANDLERS / "surrogates.js").read_text(), "surrogates.js"))


def _body(handler: Handler, path: str, body: bytes = b"") -> bytes:
    r = handler.handle(HttpRequest("POST" if body else "GET", path, [], body))
    assert r.status == 200, r.body
    return r.body


def test_lone_surrogates_in_a_response_body_become_replacement_characters(handler: Handler) -> None:
    assert _body(handler, "/lone") == b"a" + FFFD + b"b" + FFFD + b"c"


def test_surrogate_pairs_and_other_text_stay_as_they_are(handler: Handler) -> None:
    assert _body(handler, "/pair") == "x\U0001f600y\u00e9\u4e2d".encode()
    assert _body(handler, "/mixed") == b"<p>" + FFFD + "\U0001f600".encode() + FFFD + b"</p>"


@pytest.mark.parametrize("raw", [
    b"\xed\xa0\x80",  # a UTF-16 surrogate encoded as if it were a code point
    b"a\x80b",  # a lone continuation byte
    b"\xff\xfe",  # bytes that never occur in UTF-8
    b"x\xf0\x9f\x98",  # a truncated four-byte sequence
    b"\xc0\xaf",  # an overlong encoding
    "ok \u00e9 \U0001f600 \ufffd".encode(),  # well-formed, U+FFFD itself included, for contrast
])
def test_request_bodies_decode_as_text_decoder_does(handler: Handler, raw: bytes) -> None:
    expected = raw.decode("utf-8", errors="replace").encode("utf-16-le")
    units = [int.from_bytes(expected[i:i + 2], "little") for i in range(0, len(expected), 2)]
    assert orjson.loads(_body(handler, "/echo", raw)) == {"units": units}
    assert orjson.loads(_body(handler, "/bytes", raw)) == {"bytes": list(raw)}


# ASCII runs of every length around the guest's eight-bytes-at-a-time scan, with other bytes between
PIECES = st.one_of(st.integers(min_value=0, max_value=19).map(lambda n: bytes(range(97, 97 + n))),
                   st.sampled_from([b"\xc3\xa9", b"\xf0\x9f\x98\x80", b"\x80", b"\xed\xa0\x80", b"\xff", b"\xe4\xb8"]))


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(PIECES, max_size=6))
def test_request_bodies_decode_alike_wherever_the_other_bytes_fall(handler: Handler, pieces: list[bytes]) -> None:
    raw = b"".join(pieces) or b"-"
    expected = raw.decode("utf-8", errors="replace").encode("utf-16-le")
    units = [int.from_bytes(expected[i:i + 2], "little") for i in range(0, len(expected), 2)]
    assert orjson.loads(_body(handler, "/echo", raw)) == {"units": units}


def test_served_lone_surrogate_arrives_as_a_replacement_character() -> None:
    with serve(HANDLERS / "surrogates.js", "--no-verify") as srv:
        r = srv.get("/lone")
        assert r.status_code == 200
        assert r.content == b"a" + FFFD + b"b" + FFFD + b"c"
