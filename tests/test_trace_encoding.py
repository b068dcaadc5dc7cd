"""A trace group written by the short path for plain requests reads exactly as the general path writes it."""

from __future__ import annotations

import pytest

from zigttp_host import tracefile
from zigttp_host.http import HttpRequest, HttpResponse
from zigttp_host.journal import Journal

CASES = [
    (HttpRequest("GET", "/a?b=1", [("host", "x"), ("accept", "*/*")], b""),
     HttpResponse(200, [("content-type", "application/json")], b'{"ok":true}')),
    (HttpRequest("POST", "/echo", [("Host", "x"), ("Content-Type", "text/plain")], "héllo ✓".encode()),
     HttpResponse(201, [("content-type", "text/plain; charset=utf-8"), ("x-a", "1")], "ünïcode".encode())),
    (HttpRequest("GET", "/", [], b""), HttpResponse(204, [], b"")),
]
FALLBACK = [
    HttpRequest("GET", "/", [("Authorization", "Bearer abcdef")], b""),  # a credential, any case
    HttpRequest("GET", "/", [("x-a", "1"), ("x-a", "2")], b""),  # a name twice
    HttpRequest("POST", "/", [], b"\xff\xfe"),  # not UTF-8
]


def general(request: HttpRequest, journal: Journal, response: HttpResponse, keep: bool) -> bytes:
    original = tracefile._plain_lines
    tracefile._plain_lines = lambda *a: None  # type: ignore[assignment]
    try:
        return tracefile.encode_lines(request, journal, response, frozenset(), keep)
    finally:
        tracefile._plain_lines = original


@pytest.mark.parametrize("keep", [False, True])
@pytest.mark.parametrize("request_, response", CASES)
def test_the_short_path_writes_what_the_general_path_writes(request_: HttpRequest, response: HttpResponse,
                                                            keep: bool) -> None:
    journal = Journal.record()
    assert tracefile._plain_lines(request_, journal, response) is not None
    assert tracefile.encode_lines(request_, journal, response, frozenset(), keep) == \
        general(request_, journal, response, keep)


@pytest.mark.parametrize("request_", FALLBACK)
def test_what_needs_redaction_or_repair_takes_the_general_path(request_: HttpRequest) -> None:
    response = HttpResponse(200, [("set-cookie", "sid=secret")], b"ok")
    assert tracefile._plain_lines(request_, Journal.record(), response) is None
    assert tracefile._plain_lines(HttpRequest("GET", "/"), Journal.record(), response) is None  # set-cookie
    assert b"sid=secret" not in tracefile.encode_lines(request_, Journal.record(), response, frozenset(), False)
