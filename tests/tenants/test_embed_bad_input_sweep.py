"""Bad input from a tenant's bundle or a platform's request: a clear error or a 4xx/5xx JSON answer, never
a wasm backtrace, an unlogged failure or a request that burns the tenant's CPU before its code runs."""

from __future__ import annotations

import logging
import re

import orjson
import pytest

from zigttp_host import Bundle, HandlerLoadError, HttpRequest, Limits
from zigttp_host.tenants import TenantError, TenantHost, TenantLimits

OK = "export function handler(req) { return Response.text('ok') }"


@pytest.mark.parametrize(("source", "kind"), [
    ("while (true) {} export function handler(req) {}", "cpu_limit|timeout"),
    ("export function handler() { return " + "(" * 100_000 + "1" + ")" * 100_000 + " }", "stack_overflow"),
])
def test_a_module_scope_that_traps_is_a_one_line_load_error(tenants: TenantHost, source: str, kind: str) -> None:
    with pytest.raises(HandlerLoadError) as caught:
        tenants.load("t", Bundle(source, "t.js"), limits=TenantLimits(request=Limits(timeout_ms=300)))
    message = str(caught.value)  # the fuel or, on a loaded machine, the clock stops the loop first
    assert re.search(kind, message) and "\n" not in message and "wasm" not in message
    assert tenants.tenants() == []


def test_a_bundle_that_is_not_text_is_a_tenant_error(tenants: TenantHost) -> None:
    with pytest.raises(TenantError, match="surrogate"):
        tenants.load("t", Bundle("export function handler(req) {} // \udcff", "t.js"))
    with pytest.raises(TenantError, match="Bundle"):
        tenants.load("t", OK)  # type: ignore[arg-type]
    assert tenants.tenants() == []


def test_an_unchecked_bundle_that_does_not_load_is_logged(tenants: TenantHost,
                                                          caplog: pytest.LogCaptureFixture) -> None:
    tenants.load("late", Bundle("export function handler(req) { return (", "broken.js"), check=False)
    with caplog.at_level(logging.ERROR, logger="zigttp.handler"):
        r = tenants.invoke("late", HttpRequest("GET", "/"))
    assert r.status == 500 and orjson.loads(r.body) == {"error": "internal_error"}
    lines = [rec.getMessage() for rec in caplog.records if "broken.js" in rec.getMessage()]
    assert len(lines) == 1 and "SyntaxError" in lines[0] and "\n" not in lines[0]


def test_a_request_the_server_would_refuse_never_reaches_the_tenant(tenants: TenantHost) -> None:
    tenants.load("t", Bundle(OK, "t.js"))
    assert tenants.invoke("t", HttpRequest("GET", "/")).status == 200
    many = tenants.invoke_metered("t", HttpRequest("GET", "/", [("x", "a")] * 5000))
    assert many.response.status == 431 and many.fuel == 0  # was a 504 after the whole 5 s timeout
    assert orjson.loads(many.response.body) == {"error": "too_many_headers", "limit": 100}
    long = tenants.invoke_metered("t", HttpRequest("GET", "/" + "a" * (64 << 20)))
    assert long.response.status == 414 and long.fuel == 0  # was the tenant's memory_limit, its instance lost
    assert orjson.loads(long.response.body) == {"error": "url_too_long", "limitBytes": 8192}
    assert tenants.invoke("t", HttpRequest("GET", "/", [("x", "a")] * 100)).status == 200
    metrics = tenants.metrics("t")
    assert metrics is not None and metrics.instances_created == 1 and not metrics.limit_hits.get("memory_limit")
