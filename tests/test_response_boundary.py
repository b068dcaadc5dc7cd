"""The response boundary: framing, header caps, well-formed text and request header values.

Each hostile response comes from a *verified* handler (tests/handlers/boundary.ts)
served by a real `zigttp serve`; the framing and encoding rules are also
checked in process, since the embedding host must hold them as well.
"""

from __future__ import annotations

import hashlib
import socket
from collections.abc import Iterator

import pytest

from zigttp_host import Bundle, Host, HttpRequest, Limits

from .conftest import HANDLERS
from .support.server import Server, serve

FRAMING = ("content-length", "transfer-encoding", "connection", "keep-alive", "upgrade", "te", "trailer",
           "proxy-authenticate")


@pytest.fixture(scope="module")
def srv() -> Iterator[Server]:
    with serve(HANDLERS / "boundary.ts", "--max-response-headers", "120") as server:
        yield server


def _raw_exchange(port: int, requests: bytes, *, responses: int) -> bytes:
    """Sends raw bytes on one connection and reads until `responses` complete responses arrived."""
    with socket.create_connection(("127.0.0.1", port), timeout=10) as s:
        s.sendall(requests)
        data = b""
        while data.count(b"HTTP/1.1 ") < responses or not _complete(data, responses):
            chunk = s.recv(65536)
            if not chunk:
                break
            data += chunk
        return data


def _complete(data: bytes, responses: int) -> bool:
    """True when `data` holds `responses` whole content-length-framed responses."""
    pos = 0
    for _ in range(responses):
        head_end = data.find(b"\r\n\r\n", pos)
        if head_end < 0:
            return False
        head = data[pos:head_end].decode("latin-1").lower()
        length = int(head.split("content-length: ")[1].split("\r\n")[0]) if "content-length: " in head else 0
        pos = head_end + 4 + length
        if pos > len(data):
            return False
    return True


def _split(data: bytes) -> list[tuple[str, bytes]]:
    """The responses in `data`, each as (lower-cased head, body), framed by content-length."""
    out = []
    pos = 0
    while pos < len(data):
        head_end = data.index(b"\r\n\r\n", pos)
        head = data[pos:head_end].decode("latin-1").lower()
        length = int(head.split("content-length: ")[1].split("\r\n")[0])
        out.append((head, data[head_end + 4 : head_end + 4 + length]))
        pos = head_end + 4 + length
    return out


def test_handler_content_length_cannot_smuggle_a_response(srv: Server) -> None:
    request = b"GET /smuggle HTTP/1.1\r\nhost: x\r\n\r\nGET /plain HTTP/1.1\r\nhost: x\r\n\r\n"
    responses = _split(_raw_exchange(srv.port, request, responses=2))
    assert len(responses) == 2
    (head, body), (second_head, second_body) = responses
    assert body.startswith(b"xHTTP/1.1 200 OK") and body.endswith(b"smuggled")
    assert head.count("content-length:") == 1 and f"content-length: {len(body)}" in head
    assert "keep-alive: timeout" not in head and "x-kept: yes" in head
    # the connection's next answer is the one the client asked for, not the smuggled text
    assert second_body == b"ok" and "200 ok" in second_head


def test_handler_transfer_encoding_and_hop_headers_are_dropped(srv: Server) -> None:
    r = srv.get("/chunked")
    assert r.status_code == 200
    assert r.text.endswith("smuggled")
    for name in ("transfer-encoding", "trailer", "upgrade", "te", "proxy-authenticate"):
        assert name not in r.headers
    # verify warned at start (ZTS311), the host said what it dropped
    assert "ZTS311 response header 'transfer-encoding' is owned by the server" in srv.log()
    assert "response header 'transfer-encoding' dropped: the server owns message framing" in srv.log()


def test_the_embedding_host_drops_framing_headers_too(host: Host) -> None:
    headers = ", ".join(f"{name!r}: 'v'" for name in (*FRAMING, "Proxy-Connection", "X-Kept"))
    source = f"export function handler(req) {{ return Response.text('body', {{ headers: {{ {headers} }} }}) }}"
    r = host.load(Bundle(source, "framing.js")).handle(HttpRequest("GET", "/"))
    assert r.status == 200
    assert dict(r.headers) == {"x-kept": "v", "content-type": "text/plain; charset=utf-8"}


def test_repeated_responses_are_checked_alike(host: Host) -> None:
    # the host remembers header frames it has checked (response.py): every rule still holds on a repeat
    source = ("export function handler(req) { const h = { 'x-id': String(req.query.id) };"
              " if (req.query.te) h['Transfer-Encoding'] = 'chunked';"
              " return Response.text('y'.repeat(req.query.n), { headers: h }) }")
    h = host.load(Bundle(source, "repeats.js"), Limits(max_response_bytes=100))
    first, second = (h.handle(HttpRequest("GET", "/?id=1&n=3")) for _ in range(2))
    assert first.headers == second.headers == [("x-id", "1"), ("content-type", "text/plain; charset=utf-8")]
    first.headers.append(("x-changed", "by the caller"))  # each response has its own list
    assert h.handle(HttpRequest("GET", "/?id=1&n=3")).headers == second.headers
    too_big = h.handle(HttpRequest("GET", "/?id=1&n=101"))  # the same headers, a body over the limit
    assert too_big.status == 500 and too_big.failure is not None and too_big.failure.kind == "response_too_large"
    for _ in range(3):  # a dropped framing header is dropped every time, not only the first
        r = h.handle(HttpRequest("GET", "/?id=2&n=1&te=1"))
        assert r.status == 200 and dict(r.headers) == {"x-id": "2", "content-type": "text/plain; charset=utf-8"}
    for i in range(60):  # more distinct frames than are remembered
        assert h.handle(HttpRequest("GET", f"/?id={i % 40}&n=2")).headers[0] == ("x-id", str(i % 40))


def test_a_huge_response_header_is_refused(srv: Server) -> None:
    r = srv.get("/big-header")
    assert r.status_code == 500
    assert r.json() == {"error": "response_headers_too_large", "limitHeaders": 120, "limitBytes": 64 << 10}
    assert srv.get("/plain").text == "ok"


def test_too_many_response_headers_are_refused(srv: Server) -> None:
    r = srv.get("/many-headers")
    assert r.status_code == 500
    assert r.json()["error"] == "response_headers_too_large"


def test_header_caps_follow_the_limits(host: Host) -> None:
    source = "export function handler(req) { return Response.text('x', { headers: { a: '1', b: '2', c: '3' } }) }"
    few = host.load(Bundle(source, "caps.js"), Limits(max_response_headers=3))
    assert few.handle(HttpRequest("GET", "/")).status == 500  # three plus content-type
    assert host.load(Bundle(source, "caps.js"), Limits(max_response_headers=4)).handle(
        HttpRequest("GET", "/")).status == 200


def test_lone_surrogates_become_replacement_characters_at_every_host_call(srv: Server) -> None:
    r = srv.get("/lone")
    assert r.status_code == 200, r.text
    data = r.json()
    assert data["sha"] == data["replacement"] == hashlib.sha256("\ufffda\ufffd".encode()).hexdigest()
    assert data["url"] == "%EF%BF%BDa%EF%BF%BD"
    assert r.headers["x-lone"] == "\ufffda\ufffd"
    log = srv.log()
    assert "Traceback" not in log and "JSONDecodeError" not in log and "failed" not in log


def test_lone_surrogate_in_a_header_value_is_answered_in_process(host: Host) -> None:
    source = "export function handler(req) { return Response.text('x', { headers: { 'x-a': '\\ud800' } }) }"
    r = host.load(Bundle(source, "lone.js")).handle(HttpRequest("GET", "/"))
    assert r.status == 200
    assert ("x-a", "\ufffd") in r.headers


def test_embedder_header_values_with_lone_surrogates_do_not_raise(host: Host) -> None:
    source = "export function handler(req) { return Response.text(req.headers['x-a']) }"
    r = host.load(Bundle(source, "lone-in.js")).handle(HttpRequest("GET", "/", [("x-a", "a\ud800")]))
    assert r.status == 200
    assert r.body.decode() == "a\ufffd"


def test_non_ascii_request_header_values_are_refused_with_400(srv: Server) -> None:
    for value in (b"caf\xe9", b"caf\xc3\xa9"):
        raw = b"GET /headers HTTP/1.1\r\nhost: x\r\nx-name: " + value + b"\r\nconnection: close\r\n\r\n"
        head, body = _split(_raw_exchange(srv.port, raw, responses=1))[0]
        assert head.startswith("http/1.1 400"), head
        assert b'"error":"bad_request"' in body and b"x-name" in body
    assert srv.get("/headers", headers={"x-name": "plain"}).json()["headers"]["x-name"] == "plain"


@pytest.mark.parametrize("name", ["a\\u0000content-length", "", "x y", "content-length\\r\\nx-smuggled"])
def test_invalid_header_names_are_refused(host: Host, name: str) -> None:
    source = f"export function handler(req) {{ return Response.text('x', {{ headers: {{ '{name}': 'v' }} }}) }}"
    r = host.load(Bundle(source, "names.js")).handle(HttpRequest("GET", "/"))
    assert r.status == 500 and r.failure is not None and r.failure.kind == "bad_response", r.body


def test_every_status_from_200_to_599_reaches_the_host_as_written() -> None:
    """The guest writes the status into the response frame itself (three digits, no printf): every valid one
    arrives unchanged, and the first invalid ones on either side are refused as before."""
    host = Host()
    src = "export function handler(req) { return new Response('', { status: Number(req.query.s) }) }"
    handler = host.load(Bundle(src, "status.js"))
    for status in range(200, 600):
        assert handler.handle(HttpRequest("GET", f"/?s={status}")).status == status
    for bad in (199, 600, 1000):
        response = handler.handle(HttpRequest("GET", f"/?s={bad}"))
        assert response.status == 500 and b"Response status must be an integer from 200 to 599" in response.body
