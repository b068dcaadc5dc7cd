"""Helpers for the zigttp:* module tests: the probe handler and request shortcuts."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import orjson

from zigttp_host import Grants, Handler, HttpRequest, Limits

HERE = Path(__file__).resolve().parent
HANDLERS = HERE / "handlers"
PROBE = (HANDLERS / "probe.js").read_text()
LIMITS = Limits(fuel=10**10, timeout_ms=10_000)
# These tests exercise the modules themselves on a Host configured for each test, so the handlers
# are granted everything that Host has (egress stays the Host's allowlist, through the egress
# policy). What a handler is granted, and the least-privilege default, is tested in tests/contract.
OPEN = Grants.unrestricted_unsafe()


class Probe:
    """The probe handler on one host: `probe.call("zigttp:crypto", "sha256", "abc")`."""

    def __init__(self, handler: Handler) -> None:
        self.handler = handler

    def raw(self, module: str, fn: str, *args: Any, body: bytes = b"") -> dict[str, Any]:
        call = orjson.dumps({"m": module, "f": fn, "args": list(args)}).decode()
        r = self.handler.handle(HttpRequest("POST", "/", [("x-call", call)], body))
        assert r.status == 200, (r.status, r.body)
        return orjson.loads(r.body)

    def call(self, module: str, fn: str, *args: Any, body: bytes = b"") -> Any:
        out = self.raw(module, fn, *args, body=body)
        assert "threw" not in out, out
        return out.get("value")

    def throws(self, module: str, fn: str, *args: Any, body: bytes = b"") -> tuple[str, str]:
        out = self.raw(module, fn, *args, body=body)
        assert "threw" in out, out
        return out["threw"], out["message"]


def handle(handler: Handler, method: str = "GET", url: str = "/", body: bytes = b"",
           headers: list[tuple[str, str]] | None = None) -> Any:
    r = handler.handle(HttpRequest(method, url, headers or [], body))
    return r.status, (orjson.loads(r.body) if r.body[:1] in (b"{", b"[") else r.body)
