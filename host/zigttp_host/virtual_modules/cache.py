"""zigttp:cache — namespaced string values with TTLs under an LRU budget."""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any

from ..registry import Export, HostRangeError, Param
from . import args as a
from .config import ModuleConfig
from .runtime import runtime_of

if TYPE_CHECKING:
    from ..imports import CallContext
    from .cachestore import CacheStore

MAX_NS = 128
MAX_KEY = 1024
MAX_VALUE = 1 << 20
MAX_TTL = 10 * 365 * 86400


def make_store(config: ModuleConfig) -> CacheStore:
    from .cachestore import MemoryStore, SqliteStore

    if config.cache_backend == "redis":
        from .cache_redis import RedisStore

        assert config.cache_url is not None
        return RedisStore(config.cache_url, config.cache_prefix, config.cache_max_bytes,
                          config.cache_timeout_ms / 1000)
    if config.cache_backend == "sqlite":
        assert config.cache_path is not None
        return SqliteStore(config.cache_path, config.cache_max_entries, config.cache_max_bytes)
    return MemoryStore(config.cache_max_entries, config.cache_max_bytes)


def _store(ctx: CallContext) -> CacheStore:
    return runtime_of(ctx).resource("cache", make_store)


def _ns_key(fn: str, args: list[Any]) -> tuple[str, str]:
    if len(args) >= 2:  # the common, well-formed call, checked in one step
        ns, key = args[0], args[1]
        if type(ns) is str and type(key) is str and len(ns) <= MAX_NS and len(key) <= MAX_KEY:
            return ns, key
    return a.string(fn, args, 0, "namespace", max_len=MAX_NS), a.string(fn, args, 1, "key", max_len=MAX_KEY)


def _ttl(fn: str, args: list[Any], i: int) -> float | None:
    return a.opt_number(fn, args, i, "ttlSeconds", high=MAX_TTL)


def cache_get(ctx: CallContext, args: list[Any]) -> str | None:
    if len(args) > 2:
        a.arity("cacheGet", args, 2)
    ns, key = _ns_key("cacheGet", args)
    return _store(ctx).get(ns, key, time.time())


def cache_set(ctx: CallContext, args: list[Any]) -> bool:
    a.arity("cacheSet", args, 4)
    ns, key = _ns_key("cacheSet", args)
    value = a.string("cacheSet", args, 2, "value")
    if len(value) > MAX_VALUE:
        raise HostRangeError(f"cacheSet(): parameter 'value' is longer than {MAX_VALUE} characters")
    return _store(ctx).set(ns, key, value, _ttl("cacheSet", args, 3), time.time())


def cache_delete(ctx: CallContext, args: list[Any]) -> bool:
    a.arity("cacheDelete", args, 2)
    ns, key = _ns_key("cacheDelete", args)
    return _store(ctx).delete(ns, key, time.time())


def cache_incr(ctx: CallContext, args: list[Any]) -> float:
    a.arity("cacheIncr", args, 4)
    ns, key = _ns_key("cacheIncr", args)
    delta = a.opt_number("cacheIncr", args, 2, "delta")
    return _store(ctx).incr(ns, key, 1 if delta is None else delta, _ttl("cacheIncr", args, 3), time.time())


def cache_stats(ctx: CallContext, args: list[Any]) -> dict[str, int]:
    a.arity("cacheStats", args, 1)
    ns = a.opt_string("cacheStats", args, 0, "namespace", max_len=MAX_NS)
    return _store(ctx).stats(ns, time.time())


TYPES = "interface CacheStats { hits: number; misses: number; entries: number; bytes: number }\n"

M = "zigttp:cache"
NS, KEY = Param("namespace", "string"), Param("key", "string")
TTL = Param("ttlSeconds", "number", optional=True)
EXPORTS = (
    Export(M, "cacheGet", (NS, KEY), "string | undefined", return_kind="optional", effect="read",
           capability="cache", capability_arg=0, failure="soft", labels=("internal",), impl=cache_get,
           doc="The value stored under namespace/key, or undefined (missing or expired)."),
    Export(M, "cacheSet", (NS, KEY, Param("value", "string"), TTL), "boolean", effect="write", capability="cache",
           capability_arg=0, impl=cache_set,
           doc="Stores a string (TTL in seconds; none: no expiry; ≤ 0: already expired); false if it can never fit."),
    Export(M, "cacheDelete", (NS, KEY), "boolean", effect="write", capability="cache", capability_arg=0,
           impl=cache_delete, doc="Removes an entry; true if a live one existed."),
    Export(M, "cacheIncr", (NS, KEY, Param("delta", "number", optional=True), TTL), "number", effect="write",
           capability="cache", capability_arg=0, impl=cache_incr,
           doc="Adds delta (default 1) to a numeric entry (missing: 0) and returns the new value."),
    Export(M, "cacheStats", (Param("namespace", "string", optional=True),), "CacheStats", effect="read",
           capability="cache", capability_arg=0, impl=cache_stats,
           doc="Hits, misses, live entries and bytes of one namespace, or of all."),
)
