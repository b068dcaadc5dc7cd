"""What the guest can reach: nothing but the zigttp imports, and nothing one request can leave behind."""

from __future__ import annotations

import wasmtime

from zigttp_host import Bundle, Host, HttpRequest
from zigttp_host.paths import GUEST_WASM

from .conftest import HANDLERS

ALLOWED_WASI = {"clock_time_get", "fd_write", "fd_close", "fd_seek", "fd_fdstat_get"}


def _get(handler, path: str) -> dict:
    r = handler.handle(HttpRequest("GET", path))
    assert r.status == 200, r.body
    import orjson

    return orjson.loads(r.body)


def _load(host: Host, isolation: str = "pooled"):
    source = (HANDLERS / "sandbox.js").read_text()
    return host.load(Bundle(source, "sandbox.js"), isolation=isolation)


def test_guest_imports_are_only_zigttp_and_stub_wasi() -> None:
    engine = wasmtime.Engine()
    imports = wasmtime.Module(engine, GUEST_WASM.read_bytes()).imports
    by_module: dict[str, set[str]] = {}
    for imp in imports:
        by_module.setdefault(imp.module, set()).add(imp.name or "")
    assert set(by_module) == {"zigttp", "wasi_snapshot_preview1"}
    assert by_module["zigttp"] == {"call", "take"}  # the soft deadline is a flag in guest memory, not a call
    # no filesystem (path_open, fd_read…), environment (environ_get), sockets or randomness (random_get)
    assert by_module["wasi_snapshot_preview1"] <= ALLOWED_WASI


def test_no_host_reaching_globals(host: Host) -> None:
    found = _get(_load(host), "/globals")
    assert found == {name: "undefined" for name in found}


def test_only_virtual_modules_can_be_imported(host: Host) -> None:
    h = _load(host)
    for name in ("fs", "./sandbox.js", "/etc/passwd", "node:child_process", "std", "os"):
        outcome = _get(h, f"/import?name={name}")["outcome"]
        assert outcome.startswith("ReferenceError: module"), outcome
        assert "only zigttp:* virtual modules" in outcome


def test_pollution_is_refused_and_invisible_to_the_next_request(host: Host) -> None:
    h = _load(host)
    attempts = _get(h, "/pollute")
    assert set(attempts.values()) == {"TypeError"}, attempts
    assert all(_get(h, "/check-pollution").values())


def test_function_constructor_cannot_escape(host: Host) -> None:
    h = _load(host)
    results = _get(h, "/eval-escape")
    assert results["fn"] in ("undefined", "TypeError")
    assert results["ctor"] is True  # it reaches only the sandbox's own global object


def test_two_handlers_in_one_host_see_nothing_of_each_other(host: Host) -> None:
    a = host.load(Bundle("let n = 0; export function handler(req) { n = n + 1; return Response.json({ a: n }); }",
                         "a.js"))
    b = host.load(Bundle("export function handler(req) { return Response.json({ b: typeof n, "
                         "leaked: typeof globalThis.n }); }", "b.js"))
    assert _get(a, "/") == {"a": 1}
    assert _get(a, "/") == {"a": 2}
    assert _get(b, "/") == {"b": "undefined", "leaked": "undefined"}
    assert _get(a, "/") == {"a": 3}


def test_pooled_module_state_persists(host: Host) -> None:
    h = _load(host)
    assert [_get(h, "/state")["count"] for _ in range(3)] == [1, 2, 3]


def test_fresh_isolation_starts_every_request_from_the_snapshot(host: Host) -> None:
    h = _load(host, "fresh")
    assert [_get(h, "/state")["count"] for _ in range(3)] == [1, 1, 1]


def test_math_random_is_reseeded_for_every_instance(host: Host) -> None:
    # every fresh instance comes from the same snapshot; without reseeding they
    # would all produce the same first value
    h = _load(host, "fresh")
    values = {_get(h, "/random")["r"] for _ in range(5)}
    assert len(values) == 5
