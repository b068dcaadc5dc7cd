"""Tenants over one Redis: each its own keys and counters, shared only when the platform gives them one scope."""

from __future__ import annotations

import itertools
import os

import orjson
import pytest

from tests.support import services
from zigttp_host import Bundle, HttpRequest, ModuleConfig
from zigttp_host.tenants import Providers, TenantHost

CONTRACT = {"version": 2, "env": ["ME"], "egress": [], "cache": ["c"], "sql": []}
HANDLER = """import { env } from "zigttp:env";
import { cacheGet, cacheIncr, cacheSet, cacheStats } from "zigttp:cache";
export function handler(req) {
  if (req.path === "/write") cacheSet("c", "k", env("ME") ?? "none");
  return Response.json({ k: cacheGet("c", "k") ?? null, n: cacheIncr("c", "n"), stats: cacheStats("c") });
}
"""
_PREFIXES = itertools.count()


def _providers(url: str, prefix: str, me: str, scope: str | None = None) -> Providers:
    return Providers(ModuleConfig(env={"ME": me}, cache_backend="redis", cache_url=url, cache_prefix=prefix),
                     cache_scope=scope)


def _json(tenants: TenantHost, tenant: str, path: str = "/") -> dict:
    r = tenants.invoke(tenant, HttpRequest("GET", path))
    assert r.status == 200, r.body
    return orjson.loads(r.body)


@pytest.fixture
def prefix() -> str:
    return f"platform:{os.getpid()}:{next(_PREFIXES)}:"


def test_tenants_on_one_redis_never_share_keys(tenants: TenantHost, redis_server: services.Service,
                                               prefix: str) -> None:
    # "a" and "a:b" would meet under a plain "prefix + id + :" scheme
    for tenant in ("a", "a:b", "c"):
        tenants.load(tenant, Bundle(HANDLER, "h.js"), contract=CONTRACT,
                     providers=_providers(redis_server.url, prefix, tenant))
    assert _json(tenants, "a", "/write")["k"] == "a"
    assert _json(tenants, "a:b") == {"k": None, "n": 1,
                                     "stats": {"hits": 0, "misses": 1, "entries": 1, "bytes": len("cn1")}}
    assert _json(tenants, "a:b", "/write")["k"] == "a:b"
    assert _json(tenants, "a")["k"] == "a"
    third = _json(tenants, "a")
    assert third["n"] == 3
    assert third["stats"] == {"hits": 3, "misses": 0, "entries": 2, "bytes": len("cka") + len("cn3")}
    assert _json(tenants, "c")["n"] == 1

    import redis

    client = redis.Redis.from_url(redis_server.url)
    names = sorted(k.decode() for k in client.scan_iter(match=f"{prefix}*"))
    client.close()
    assert names == sorted([f"{prefix}tenant:1:a:counts", f"{prefix}tenant:1:a:v:1:c:k", f"{prefix}tenant:1:a:v:1:c:n",
                            f"{prefix}tenant:3:a:b:counts", f"{prefix}tenant:3:a:b:v:1:c:k",
                            f"{prefix}tenant:3:a:b:v:1:c:n", f"{prefix}tenant:1:c:counts",
                            f"{prefix}tenant:1:c:v:1:c:n"])


def test_tenants_given_one_scope_share_entries(tenants: TenantHost, redis_server: services.Service,
                                               prefix: str) -> None:
    for tenant in ("blue", "green"):
        tenants.load(tenant, Bundle(HANDLER, "h.js"), contract=CONTRACT,
                     providers=_providers(redis_server.url, prefix, tenant, scope="shop"))
    tenants.load("other", Bundle(HANDLER, "h.js"), contract=CONTRACT,
                 providers=_providers(redis_server.url, prefix, "other"))
    assert _json(tenants, "blue", "/write")["k"] == "blue"
    assert _json(tenants, "green")["k"] == "blue"
    assert _json(tenants, "green")["n"] == 3
    assert _json(tenants, "other")["n"] == 1


def test_grants_still_apply_above_the_redis_store(tenants: TenantHost, redis_server: services.Service,
                                                  prefix: str) -> None:
    denied = {**CONTRACT, "cache": ["other"]}
    tenants.load("d", Bundle(HANDLER, "h.js"), contract=denied, providers=_providers(redis_server.url, prefix, "d"))
    r = tenants.invoke("d", HttpRequest("GET", "/"))
    assert r.status == 500 and orjson.loads(r.body)["error"] == "capability_denied"
