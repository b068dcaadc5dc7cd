"""The grants carry a handler's egress allowlist: the Host's module state stays the Host's whatever each grants."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest

from zigttp_host import Bundle, Grants, Host, HttpRequest, ModuleConfig

from ..modules.upstream import Upstream, upstream

SOURCE = """import { cacheGet, cacheSet } from "zigttp:cache";
export function handler(req) {
  switch (req.path) {
    case "/set": cacheSet("shared", "k", "v"); return Response.json({ v: "set" });
    case "/get": return Response.json({ v: cacheGet("shared", "k") ?? "missing" });
    case "/fetch": { const r = fetchSync(String(req.query.url)); return Response.json({ s: r.status, e: r.error }); }
  }
  return Response.json({ error: "no route" }, { status: 404 });
}
"""


@pytest.fixture(scope="module")
def up() -> Iterator[Upstream]:
    with upstream() as u:
        yield u


@pytest.fixture()
def host() -> Iterator[Host]:
    h = Host(modules=ModuleConfig())  # no Host-level egress: only the grants name origins
    yield h
    h.functions.runtime.close()
    h.engine.close()


def call(handler: Any, path: str) -> tuple[int, dict[str, Any]]:
    r = handler.handle(HttpRequest("GET", path))
    return r.status, json.loads(r.body)


def test_handlers_with_different_egress_grants_share_the_hosts_cache(host: Host, up: Upstream) -> None:
    writer = host.load(Bundle(SOURCE, "writer.js"), grants=Grants(cache={"shared"}))
    reader = host.load(Bundle(SOURCE, "reader.js"), grants=Grants(cache={"shared"}, egress={f"127.0.0.1:{up.port}"}))
    assert call(writer, "/set") == (200, {"v": "set"})
    assert call(reader, "/get") == (200, {"v": "v"})


def test_each_handler_reaches_exactly_its_granted_origins(host: Host, up: Upstream) -> None:
    granted = host.load(Bundle(SOURCE, "granted.js"), grants=Grants(egress={f"127.0.0.1:{up.port}"}))
    other = host.load(Bundle(SOURCE, "other.js"), grants=Grants())
    up.reset()
    assert call(granted, f"/fetch?url={up.url}/json") == (200, {"s": 200})
    assert call(other, f"/fetch?url={up.url}/json") == (200, {"s": 599, "e": "EgressDenied"})
    assert len(up.requests) == 1
