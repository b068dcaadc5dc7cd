"""Tenants share a process, never state: env, cache, SQL, traces, durable runs, memory and module state.

A trapping, memory-exhausting or CPU-hungry tenant is recycled or throttled
without effect on the others.
"""

from __future__ import annotations

import threading
import time
from pathlib import Path

import orjson

from zigttp_host import Bundle, Host, HttpRequest, Limits, ModuleConfig
from zigttp_host.tenants import Providers, TenantHost, TenantLimits
from zigttp_host.tracefile import read_traces

ALL = {"version": 2, "env": ["SECRET"], "egress": [], "cache": ["c"], "sql": ["init", "add", "list"]}
SHARED = """import { env } from "zigttp:env";
import { cacheGet, cacheSet } from "zigttp:cache";
import { sql, sqlExec, sqlMany } from "zigttp:sql";
sql("init", "CREATE TABLE IF NOT EXISTS t (v TEXT)");
sql("add", "INSERT INTO t (v) VALUES (:v)");
sql("list", "SELECT v FROM t");
let seen = [];
export function handler(req) {
  const me = env("SECRET") ?? "none";
  if (req.path === "/write") {
    cacheSet("c", "k", me);
    sqlExec("init");
    sqlExec("add", { v: me });
    seen.push(me);
  }
  sqlExec("init");
  return Response.json({ me, cache: cacheGet("c", "k") ?? null, rows: sqlMany("list").map(r => r.v), seen,
                         global: typeof globalThis.leak });
}
"""


def _json(tenants: TenantHost, tenant: str, path: str = "/") -> dict:
    r = tenants.invoke(tenant, HttpRequest("GET", path))
    assert r.status == 200, r.body
    return orjson.loads(r.body)


def _provided(tmp_path: Path, name: str) -> Providers:
    folder = tmp_path / name
    folder.mkdir()
    return Providers(ModuleConfig(env={"SECRET": name}, sqlite_path=str(folder / "db.sqlite"),
                                  durable_dir=str(folder / "runs")), trace_path=str(folder / "trace.jsonl"))


def test_env_cache_sql_module_state_and_traces_are_each_tenants_own(tenants: TenantHost, tmp_path: Path) -> None:
    for name in ("a", "b"):
        tenants.load(name, Bundle(SHARED, f"{name}.js"), contract=ALL, providers=_provided(tmp_path, name))
    assert _json(tenants, "a", "/write") == {"me": "a", "cache": "a", "rows": ["a"], "seen": ["a"],
                                             "global": "undefined"}
    assert _json(tenants, "b") == {"me": "b", "cache": None, "rows": [], "seen": [], "global": "undefined"}
    assert _json(tenants, "b", "/write")["rows"] == ["b"]
    assert _json(tenants, "a") == {"me": "a", "cache": "a", "rows": ["a"], "seen": ["a"], "global": "undefined"}
    for name, urls in (("a", ["/write", "/"]), ("b", ["/", "/write"])):
        groups = read_traces(tmp_path / name / "trace.jsonl").groups
        assert [g.request.url for g in groups] == urls
        assert all(orjson.loads(g.body)["me"] == name for g in groups)


def test_module_state_never_crosses_tenants_also_after_eviction(shared_host: Host) -> None:
    tenants = TenantHost(shared_host, warm_budget_bytes=0)  # every instance is evicted after its request
    source = 'let mine = []; export function handler(req) { mine.push(req.path); return Response.json(mine) }'
    tenants.load("a", Bundle(source))
    tenants.load("b", Bundle(source))
    for path in ("/a1", "/a2"):
        assert _json_list(tenants, "a", path) == [path]  # evicted between requests: state starts over
    assert _json_list(tenants, "b", "/b1") == ["/b1"]
    assert tenants.metrics("a").instances_evicted >= 2  # type: ignore[union-attr]
    assert tenants.pool.idle() == 0


def _json_list(tenants: TenantHost, tenant: str, path: str) -> list:
    r = tenants.invoke(tenant, HttpRequest("GET", path))
    return orjson.loads(r.body)  # type: ignore[no-any-return]


def test_durable_runs_are_each_tenants_own(tenants: TenantHost, tmp_path: Path) -> None:
    source = """import { run, step } from "zigttp:durable";
export function handler(req) { return run("k1", () => Response.json(step("s", () => 1))) }"""
    for name in ("a", "b"):
        tenants.load(name, Bundle(source), providers=_provided(tmp_path, name))
    assert tenants.invoke("a", HttpRequest("GET", "/")).status == 200
    assert list((tmp_path / "a" / "runs").rglob("oplog.jsonl"))
    assert not (tmp_path / "b" / "runs").exists()


def test_a_trapping_tenant_is_recycled_and_the_others_do_not_notice(tenants: TenantHost) -> None:
    tenants.load("ok", Bundle('let n = 0; export function handler(req) { n++; return Response.json(n) }'))
    tenants.load("bad", Bundle('export function handler(req) { if (req.path === "/spin") { for (;;) {} } '
                               'return Response.text("fine") }'), limits=TenantLimits(request=Limits(fuel=3_000_000)))
    assert _json_list(tenants, "ok", "/") == 1
    assert tenants.invoke("bad", HttpRequest("GET", "/spin")).status == 500
    assert tenants.invoke("bad", HttpRequest("GET", "/")).body == b"fine"  # a new instance
    assert _json_list(tenants, "ok", "/") == 2  # its warm instance was never touched
    assert tenants.metrics("bad").instances_created == 2  # type: ignore[union-attr]


def test_a_memory_exhausting_tenant_fails_alone(tenants: TenantHost) -> None:
    hog = 'export function handler(req) { const a = []; for (;;) a.push("x".repeat(1 << 16) + a.length) }'
    tenants.load("hog", Bundle(hog),
                 limits=TenantLimits(request=Limits(memory_bytes=8 << 20, fuel=10**12)))
    tenants.load("ok", Bundle('export function handler(req) { return Response.text("ok") }'))
    r = tenants.invoke("hog", HttpRequest("GET", "/"))
    assert r.status == 500 and orjson.loads(r.body)["error"] == "memory_limit"
    assert tenants.invoke("ok", HttpRequest("GET", "/")).body == b"ok"
    assert tenants.metrics("hog").limit_hits == {"memory_limit": 1}  # type: ignore[union-attr]


def test_a_tenant_over_its_cpu_share_is_throttled_and_the_others_are_not(tenants: TenantHost) -> None:
    spin = ('export function handler(req) { let s = 0; for (let i = 0; i < 200000; i++) s += i; '
            'return Response.json(s) }')
    tenants.load("greedy", Bundle(spin), limits=TenantLimits(fuel_per_second=5_000_000, burst_seconds=1.0))
    tenants.load("calm", Bundle(spin))
    statuses = [tenants.invoke("greedy", HttpRequest("GET", "/")) for _ in range(20)]
    refused = [r for r in statuses if r.status == 429]
    assert refused, "the share of 5M fuel a second must stop 20 requests of this size"
    assert orjson.loads(refused[0].body) == {"error": "cpu_share_exceeded", "fuelPerSecond": 5_000_000}
    assert int(dict(refused[0].headers)["retry-after"]) >= 1
    assert all(tenants.invoke("calm", HttpRequest("GET", "/")).status == 200 for _ in range(20))
    assert tenants.metrics("greedy").limit_hits["cpu_share_exceeded"] == len(refused)  # type: ignore[union-attr]


def test_requests_per_second_are_limited(tenants: TenantHost) -> None:
    tenants.load("r", Bundle('export function handler(req) { return Response.text("x") }'),
                 limits=TenantLimits(requests_per_second=2, burst_seconds=1.0))
    statuses = [tenants.invoke("r", HttpRequest("GET", "/")).status for _ in range(3)]
    assert statuses[:2] == [200, 200] and statuses[2] == 429


def test_requests_in_flight_are_limited(tenants: TenantHost) -> None:
    slow = ('export function handler(req) { if (req.path === "/slow") { let s = 0; '
            'for (let i = 0; i < 3e7; i++) s += i; return Response.json(s) } return Response.text("quick") }')
    tenants.load("one", Bundle(slow), limits=TenantLimits(max_concurrent=1, request=Limits(fuel=10**12,
                                                                                           timeout_ms=30_000)))
    worker = threading.Thread(target=tenants.invoke, args=("one", HttpRequest("GET", "/slow")))
    worker.start()
    seen = set()
    while worker.is_alive() and 429 not in seen:
        seen.add(tenants.invoke("one", HttpRequest("GET", "/")).status)
        time.sleep(0.005)
    worker.join()
    assert 429 in seen
    assert tenants.invoke("one", HttpRequest("GET", "/")).status == 200


def test_many_threads_over_many_tenants(tenants: TenantHost) -> None:
    source = 'let n = 0; export function handler(req) { n++; return Response.json({ t: %s, n }) }'
    names = [f"t{i}" for i in range(12)]
    for name in names:
        tenants.load(name, Bundle(source % f'"{name}"'), limits=TenantLimits(max_concurrent=16))
    errors: list[str] = []

    def client(offset: int) -> None:
        for i in range(60):
            name = names[(i + offset) % len(names)]
            r = tenants.invoke(name, HttpRequest("GET", "/"))
            if r.status != 200 or orjson.loads(r.body)["t"] != name:
                errors.append(f"{name}: {r.status} {r.body[:80]!r}")

    threads = [threading.Thread(target=client, args=(k,)) for k in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert sum(tenants.metrics(n).requests for n in names) == 6 * 60  # type: ignore[union-attr]


def test_alternating_tenants_on_one_thread_keep_their_own_state(tenants: TenantHost) -> None:
    counter = 'let n = 0; export function handler(req) { n++; return Response.json(n) }'
    tenants.load("a", Bundle(counter))
    tenants.load("b", Bundle(counter))
    # the thread keeps the last tenant's instance; serving the other puts it in the pool, whole
    assert [_json_list(tenants, name, "/") for name in ("a", "b", "a", "b", "a", "a")] == [1, 1, 2, 2, 3, 4]
    assert tenants.metrics("a").instances_created == 1  # type: ignore[union-attr]


def test_a_replaced_tenant_never_gets_the_instance_its_thread_kept(tenants: TenantHost) -> None:
    counter = 'let n = 0; export function handler(req) { n++; return Response.json(n) }'
    tenants.load("a", Bundle(counter), check=False)
    assert [_json_list(tenants, "a", "/") for _ in range(2)] == [1, 2]
    tenants.load("a", Bundle(counter.replace("n++", "n += 10")), check=False)
    assert _json_list(tenants, "a", "/") == 10
    tenants.unload("a")
    tenants.load("a", Bundle(counter), check=False)
    assert _json_list(tenants, "a", "/") == 1
