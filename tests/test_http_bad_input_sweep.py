"""Malformed and hostile HTTP requests against a real `zigttp serve`: each gets a JSON 4xx, never a traceback.

Raw sockets, because a well-behaved client library cannot send these requests.
"""

from __future__ import annotations

import socket
import time
from collections.abc import Iterator
from pathlib import Path

import orjson
import pytest

from .support.server import Server, serve

PROBE = """export function handler(req) {
  return Response.json({ method: req.method, url: req.url, path: req.path, query: req.query,
                         length: req.text().length });
}
"""


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    handler = tmp_path_factory.mktemp("sweep") / "probe.js"
    handler.write_text(PROBE)
    with serve(handler, "--threads", "1") as srv:
        yield srv


def _exchange(server: Server, data: bytes, *, close_write: bool = False, timeout: float = 10) -> bytes:
    """Sends `data` (optionally closing our sending side: a client gone mid-request) and reads until EOF."""
    with socket.create_connection(("127.0.0.1", server.port), timeout=timeout) as s:
        s.sendall(data)
        if close_write:
            s.shutdown(socket.SHUT_WR)
        out = b""
        while chunk := s.recv(65536):
            out += chunk
        return out


def _status_and_json(raw: bytes) -> tuple[int, dict]:
    head, _, body = raw.partition(b"\r\n\r\n")
    assert b"content-type: application/json" in head.lower(), raw
    return int(head.split(b" ", 2)[1]), orjson.loads(body)


def _log_after(server: Server, wait_for: str) -> str:
    """The server log once `wait_for` shows in it (the access line of the request under test)."""
    deadline = time.monotonic() + 10
    while wait_for not in server.log() and time.monotonic() < deadline:
        time.sleep(0.05)
    return server.log()


def test_an_encoded_question_mark_stays_in_the_path(server: Server) -> None:
    # granian hands over the path percent-decoded: "%3F" must not become the start of a forged query
    raw = _exchange(server, b"GET /files/report%3Fadmin=1.pdf?real=1 HTTP/1.1\r\nHost: x\r\n"
                            b"Connection: close\r\n\r\n")
    status, body = _status_and_json(raw)
    assert status == 200
    assert body["path"] == "/files/report%3Fadmin=1.pdf"
    assert body["query"] == {"real": 1}


@pytest.mark.parametrize("chunks", [
    b"3\r\nabc\r\nzz\r\nde\r\n0\r\n\r\n",  # a chunk size that is not hex
    b"3\r\nabcdef\r\n0\r\n\r\n",  # more data than the chunk size says
], ids=["bad-size", "overlong-chunk"])
def test_a_malformed_chunked_body_never_reaches_the_handler(server: Server, chunks: bytes) -> None:
    raw = _exchange(server, b"POST /chunked HTTP/1.1\r\nHost: x\r\nConnection: close\r\n"
                            b"Transfer-Encoding: chunked\r\n\r\n" + chunks)
    status, body = _status_and_json(raw)
    assert status == 400 and body["error"] == "bad_request", body


def test_a_chunked_body_the_client_abandons_never_reaches_the_handler(server: Server) -> None:
    raw = _exchange(server, b"POST /abandoned-chunked HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
                            b"3\r\nabc\r\n", close_write=True)
    status, body = _status_and_json(raw)
    assert status == 400 and body["error"] == "bad_request", body


def test_a_client_gone_mid_body_leaves_no_traceback(server: Server) -> None:
    _exchange(server, b"POST /abandoned-length HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n{\"a\":",
              close_write=True)
    log = _log_after(server, "path=/abandoned-length")
    assert "path=/abandoned-length status=400" in log
    assert "Traceback" not in log and "RSGIProtocolClosed" not in log


def test_well_formed_chunked_and_pipelined_requests_still_work(server: Server) -> None:
    raw = _exchange(server, b"POST /a HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
                            b"3\r\nabc\r\n2\r\nde\r\n0\r\n\r\n"
                            b"GET /b?q=1 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
    assert raw.count(b"HTTP/1.1 200 OK") == 2, raw
    assert b'"path":"/a","query":{},"length":5' in raw
    assert b'"path":"/b","query":{"q":1},"length":0' in raw
    assert "Traceback" not in Path(server.log_path).read_text(errors="replace")


def test_a_websocket_upgrade_is_answered_by_the_handler_as_plain_http(server: Server) -> None:
    raw = _exchange(server, b"GET /ws HTTP/1.1\r\nHost: x\r\nConnection: Upgrade, close\r\nUpgrade: websocket\r\n"
                            b"Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n")
    status, body = _status_and_json(raw)
    assert status == 200 and body["path"] == "/ws", body


@pytest.mark.parametrize("request_line", [
    # a 2xx answer to CONNECT means "tunnel established" and loses its body: the handler never sees CONNECT
    b"CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443",
    # hyper takes "abc" as authority-form and would hand the handler an empty path
    b"GET abc HTTP/1.1\r\nHost: x",
], ids=["connect", "not-a-path"])
def test_a_request_no_handler_can_answer_is_refused_with_json(server: Server, request_line: bytes) -> None:
    raw = _exchange(server, request_line + b"\r\nConnection: close\r\n\r\n")
    status, body = _status_and_json(raw)
    assert status == 400 and body["error"] == "bad_request", body


@pytest.fixture(scope="module")
def impatient(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    handler = tmp_path_factory.mktemp("sweep-slow") / "probe.js"
    handler.write_text(PROBE)
    with serve(handler, "--threads", "1", "--body-timeout", "1s") as srv:
        yield srv


@pytest.mark.parametrize("request_head, sent", [
    (b"POST /stalled HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n", b'{"a":'),
    (b"POST /stalled HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n", b"3\r\nabc\r\n"),
], ids=["content-length", "chunked"])
def test_a_body_that_stops_arriving_is_answered_408_in_time(impatient: Server, request_head: bytes,
                                                           sent: bytes) -> None:
    # a client that sends part of a body and then nothing would hold its request (and the server's
    # in-flight slot) for as long as it kept the connection open
    started = time.monotonic()
    with socket.create_connection(("127.0.0.1", impatient.port), timeout=10) as s:
        s.sendall(request_head + sent)
        head = s.recv(65536)
        while b"\r\n\r\n" not in head or not head.endswith(b"}"):
            more = s.recv(65536)
            if not more:
                break
            head += more
    elapsed = time.monotonic() - started
    status, body = _status_and_json(head)
    assert status == 408 and body == {"error": "body_timeout", "limitSeconds": 1}, body
    assert 0.9 <= elapsed < 5, elapsed
    # the worker goes on serving
    assert _status_and_json(_exchange(impatient, b"GET /after HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"))[0] \
        == 200


def test_a_slow_but_steady_body_within_the_deadline_is_served(impatient: Server) -> None:
    with socket.create_connection(("127.0.0.1", impatient.port), timeout=10) as s:
        s.sendall(b"POST /steady HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Length: 6\r\n\r\nabc")
        time.sleep(0.4)
        s.sendall(b"def")
        out = b""
        while chunk := s.recv(65536):
            out += chunk
    status, body = _status_and_json(out)
    assert status == 200 and body["length"] == 6, body
