"""Every zigts desugaring (pipes, pipe(), guards, match, assert, comptime, distinct types, JSX),
compiled, verified and executed in the real guest behind a real server."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from .conftest import HANDLERS
from .support.server import Server, serve


@pytest.fixture(scope="module")
def srv() -> Iterator[Server]:
    with serve(HANDLERS / "dialect.tsx") as server:
        yield server


def test_pipes(srv: Server) -> None:
    assert srv.get("/pipe").json() == {"piped": 7, "composed": 11}


def test_match_literal_object_array_and_wildcard_patterns(srv: Server) -> None:
    assert srv.get("/match?kind=circle").json() == {"area": 12, "empty": "empty", "pair": "starts with one, two items",
                                                   "other": "other", "method": "read"}
    assert srv.post("/match").json()["area"] == 9
    assert srv.post("/match").json()["method"] == "write"


def test_assert_with_a_response_returns_it(srv: Server) -> None:
    r = srv.get("/assert-return")
    assert (r.status_code, r.text) == (422, "name required")
    assert srv.get("/assert-return?name=ann").text == "hello ann"


def test_assert_without_a_response_halts_with_its_position(srv: Server) -> None:
    assert srv.get("/assert-halt?n=1").text == "one"
    r = srv.get("/assert-halt?n=2")
    assert r.status_code == 500
    body = r.json()
    assert body["error"] == "handler_error"
    assert "assertion failed: n === 1" in body["message"]
    assert "dialect.tsx:64:5" in body["message"]
    assert "dialect.tsx:64:" in body["at"], body


def test_comptime_is_folded(srv: Server) -> None:
    assert srv.get("/comptime").json() == {"limit": 42, "label": "v111"}


def test_distinct_type_constructor_is_identity(srv: Server) -> None:
    assert srv.get("/distinct").json() == {"id": "u-42"}


def test_jsx_components_fragments_escaping_and_void_elements(srv: Server) -> None:
    r = srv.get("/jsx")
    assert r.headers["content-type"] == "text/html; charset=utf-8"
    assert r.text == ('<span class="badge" title="a&amp;b">&lt;new&gt;</span>'
                      '<input disabled value="x" />')


def test_guard_chain_pre_and_post(srv: Server) -> None:
    r = srv.client.request("DELETE", "/pipe")
    assert (r.status_code, r.json()) == (405, {"error": "no deletes"})
    ok = srv.get("/pipe")
    assert ok.headers["x-guarded"] == "yes"
