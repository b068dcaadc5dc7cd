"""The tenant API: load, invoke, unload, replace; grants from the contract; metrics; bad input."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import orjson
import pytest

from tests.support.server import ZIGTTP
from zigttp_host import Bundle, HandlerLoadError, Host, HttpRequest, ModuleConfig
from zigttp_host.tenants import Providers, TenantError, TenantHost

COUNTER = "let n = 0; export function handler(req) { n++; return Response.json({ n, who: %s }) }"
ENV = """import { env } from "zigttp:env";
export function handler(req) { return Response.json({ v: env("SECRET") ?? null }) }"""


def _get(tenants: TenantHost, tenant: str, url: str = "/") -> tuple[int, dict]:
    r = tenants.invoke(tenant, HttpRequest("GET", url))
    return r.status, orjson.loads(r.body)


def test_load_invoke_unload(tenants: TenantHost) -> None:
    tenants.load("a", Bundle(COUNTER % '"a"'))
    assert _get(tenants, "a") == (200, {"n": 1, "who": "a"})
    assert _get(tenants, "a") == (200, {"n": 2, "who": "a"})  # a warm instance keeps its module state
    assert tenants.tenants() == ["a"]
    assert tenants.unload("a") is True and tenants.unload("a") is False
    assert _get(tenants, "a") == (404, {"error": "tenant_not_found", "tenant": "a"})


def test_replacing_a_tenant_starts_from_the_new_code(tenants: TenantHost) -> None:
    tenants.load("a", Bundle(COUNTER % '"old"'))
    assert _get(tenants, "a")[1] == {"n": 1, "who": "old"}
    tenants.load("a", Bundle(COUNTER % '"new"'))
    assert _get(tenants, "a")[1] == {"n": 1, "who": "new"}


def test_a_tenant_without_a_contract_reaches_nothing(tenants: TenantHost) -> None:
    tenants.load("a", Bundle(ENV), providers=Providers(ModuleConfig(env={"SECRET": "s3"})))
    status, body = _get(tenants, "a")
    assert status == 500 and body == {"error": "capability_denied", "capability": "env", "name": "SECRET"}
    assert tenants.metrics("a").denials == 1  # type: ignore[union-attr]


def test_the_contract_grants_and_the_providers_answer(tenants: TenantHost) -> None:
    contract = {"version": 2, "env": ["SECRET"], "egress": [], "cache": [], "sql": []}
    tenants.load("a", Bundle(ENV), contract=contract, providers=Providers(ModuleConfig(env={"SECRET": "s3"})))
    assert _get(tenants, "a") == (200, {"v": "s3"})


def test_a_built_bundle_loads_with_its_contract(tenants: TenantHost, tmp_path: Path) -> None:
    source = tmp_path / "app.ts"
    source.write_text('import { env } from "zigttp:env";\n'
                      'export function handler(req: Request): Response {\n'
                      '  return Response.json({ region: env("REGION") ?? "none" });\n}\n')
    r = subprocess.run([*ZIGTTP, "build", str(source), "-o", str(tmp_path / "built")], capture_output=True,
                       text=True, timeout=180)
    assert r.returncode == 0, r.stderr
    assert json.loads((tmp_path / "built" / "contract.json").read_text())["env"] == ["REGION"]
    tenants.load_built("eu", tmp_path / "built", providers=Providers(ModuleConfig(env={"REGION": "eu-1"})))
    assert _get(tenants, "eu") == (200, {"region": "eu-1"})


def test_bad_input_is_a_clear_error(tenants: TenantHost, tmp_path: Path) -> None:
    with pytest.raises(TenantError, match="tenant id"):
        tenants.load("", Bundle(COUNTER % "1"))
    with pytest.raises(TenantError, match="contract"):
        tenants.load("a", Bundle(COUNTER % "1"), contract={"version": 9})
    with pytest.raises(TenantError, match=r"handler\.js"):
        tenants.load_built("a", tmp_path)
    with pytest.raises(HandlerLoadError, match=r"SyntaxError|expecting"):
        tenants.load("a", Bundle("export function handler(req) { return (", "broken.js"))
    with pytest.raises(HandlerLoadError, match="module scope"):
        tenants.load("a", Bundle('throw new Error("module scope"); export function handler(req) {}', "t.js"))
    assert tenants.tenants() == []


def test_metrics_count_requests_fuel_and_limit_hits(tenants: TenantHost) -> None:
    tenants.load("a", Bundle(COUNTER % '"a"'))
    tenants.load("spin", Bundle("export function handler(req) { for (;;) {} }"),
                 limits=_limits(fuel=2_000_000))
    for _ in range(3):
        _get(tenants, "a")
    assert _get(tenants, "spin") == (500, {"error": "cpu_limit", "fuel": 2_000_000})
    a, spin = tenants.metrics("a"), tenants.metrics("spin")
    assert a is not None and spin is not None
    assert a.requests == 3 and a.fuel_used > 0 and a.last_fuel and a.limit_hits == {}
    assert a.guest_sha256 == tenants.host.guest_sha256
    assert spin.limit_hits == {"cpu_limit": 1} and spin.last_fuel == 2_000_000
    assert tenants.metrics("nobody") is None


def test_a_request_costs_the_same_fuel_from_every_fresh_instance(tenants: TenantHost) -> None:
    source = 'export function handler(req) { return Response.json({ p: req.path, x: [1, 2, 3].map(i => i * 2) }) }'
    tenants.load("f", Bundle(source), isolation="fresh")
    counts = set()
    for _ in range(4):
        metered = tenants.invoke_metered("f", HttpRequest("GET", "/same?q=1"))
        assert metered.response.status == 200 and metered.fuel == tenants.metrics("f").last_fuel  # type: ignore[union-attr]
        counts.add(metered.fuel)
    assert len(counts) == 1 and counts.pop() > 0
    assert tenants.metrics("f").instances_created >= 4  # type: ignore[union-attr]


def test_two_hosts_count_fuel_identically(shared_host: Host) -> None:
    source = 'export function handler(req) { return Response.text("x".repeat(50)) }'
    counts = []
    for host in (shared_host, Host()):
        t = TenantHost(host)
        t.load("f", Bundle(source), isolation="fresh")
        t.invoke("f", HttpRequest("GET", "/"))
        counts.append(t.metrics("f").last_fuel)  # type: ignore[union-attr]
    assert counts[0] == counts[1]


def _limits(**request: int):  # type: ignore[no-untyped-def]
    from zigttp_host import Limits
    from zigttp_host.tenants import TenantLimits

    return TenantLimits(request=Limits(**request))


def test_the_example_in_the_docstring(shared_host: Host) -> None:
    tenants = TenantHost(shared_host)
    tenants.load("acme", Bundle("export function handler(req) { return Response.text('hi') }"))
    assert tenants.invoke("acme", HttpRequest("GET", "/")).body == b"hi"


def test_the_pooling_allocator_serves_tenants_too() -> None:
    from zigttp_host import EngineConfig

    host = Host(engine_config=EngineConfig(allocator="pooling"))
    assert host.engine.allocator in ("pooling", "on-demand")  # on-demand where the address space is refused
    tenants = TenantHost(host)
    tenants.load("a", Bundle(COUNTER % '"a"'))
    assert _get(tenants, "a") == (200, {"n": 1, "who": "a"})
    with pytest.raises(ValueError, match="allocator"):
        EngineConfig(allocator="magic")


def test_on_a_full_pool_idle_instances_of_other_tenants_give_up_their_slots() -> None:
    from zigttp_host import EngineConfig

    host = Host(engine_config=EngineConfig(allocator="pooling", pool_instances=3))
    assert host.engine.allocator == "pooling"
    tenants = TenantHost(host)
    names = [f"t{i}" for i in range(6)]
    for name in names:  # each load checks its code in an instance that then waits in the warm pool
        tenants.load(name, Bundle(COUNTER % f'"{name}"'))
    for name in names * 2:
        assert _get(tenants, name)[0] == 200
    evicted = [tenants.metrics(name).instances_evicted for name in names]  # type: ignore[union-attr]
    assert sum(evicted) >= 6
    # every slot held by instances in use (none idle to evict): 503
    tenants.pool.threads.state.clear()  # this thread's kept instance gives its slot back too
    while tenants.pool.evict_oldest():
        pass
    holders = [tenants._tenants["t0"]._new_instance() for _ in range(3)]
    r = tenants.invoke("t1", HttpRequest("GET", "/"))
    assert r.status == 503 and orjson.loads(r.body) == {"error": "instances_exhausted"}
    del holders
    assert _get(tenants, "t1")[0] == 200


def test_close_gives_every_slot_back_at_once() -> None:
    """A TenantHost that is dropped holds its instances (and their pool slots) until the garbage collector
    breaks its reference cycles; close() gives them back now, so the next TenantHost on the Host gets slots."""
    import gc

    from zigttp_host import EngineConfig

    host = Host(engine_config=EngineConfig(allocator="pooling", pool_instances=4))
    assert host.engine.allocator == "pooling"
    gc.disable()  # what the collector would have freed must not count
    try:
        for round_ in range(3):
            tenants = TenantHost(host)
            for i in range(3):
                tenants.load(f"t{i}", Bundle(COUNTER % f'"{i}"'))
                assert _get(tenants, f"t{i}")[0] == 200, f"round {round_}"
            tenants.close()
            assert tenants.tenants() == [] and tenants.pool.idle() == 0
            assert tenants.invoke("t0", HttpRequest("GET", "/")).status == 404
            del tenants
        with TenantHost(host) as tenants:  # the same as a context manager
            for i in range(3):
                tenants.load(f"t{i}", Bundle(COUNTER % f'"{i}"'))
        assert tenants.tenants() == [] and tenants.pool.idle() == 0
    finally:
        gc.enable()


def test_a_bundle_loaded_unchecked_that_does_not_load_answers_500(tenants: TenantHost) -> None:
    tenants.load("late", Bundle("export function handler(req) { return (", "broken.js"), check=False)
    status, body = _get(tenants, "late")
    assert status == 500 and body["error"] == "internal_error"
    tenants.load("late", Bundle(COUNTER % '"fixed"'), check=False)
    assert _get(tenants, "late") == (200, {"n": 1, "who": "fixed"})


def test_a_request_refused_before_the_guest_runs_is_billed_no_fuel(tenants: TenantHost) -> None:
    tenants.load("b", Bundle(COUNTER % '"b"'), limits=_limits(max_body_bytes=16))
    assert tenants.invoke_metered("b", HttpRequest("GET", "/")).fuel > 0
    too_large = tenants.invoke_metered("b", HttpRequest("POST", "/", body=b"x" * 17))
    assert too_large.response.status == 413 and too_large.fuel == 0
    assert tenants.metrics("b").last_fuel == 0  # type: ignore[union-attr]
