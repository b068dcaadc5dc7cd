"""zigttp:cache: the LRU/TTL model of both stores, and the module through the real guest."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

import pytest

from zigttp_host.virtual_modules.cachestore import CacheStore, MemoryStore, SqliteStore

from .support import Probe

C = "zigttp:cache"


@pytest.fixture(params=["memory", "sqlite"])
def make_store(request: pytest.FixtureRequest, tmp_path: Path) -> Callable[..., CacheStore]:
    def make(max_entries: int = 100, max_bytes: int = 1 << 20) -> CacheStore:
        if request.param == "memory":
            return MemoryStore(max_entries, max_bytes)
        return SqliteStore(str(tmp_path / "cache.sqlite3"), max_entries, max_bytes)

    return make






def test_lru_entry_budget(make_store: Callable[..., CacheStore]) -> None:
    s = make_store(max_entries=3)
    t = time.time()
    for i, k in enumerate("abc"):
        s.set("ns", k, k, None, t + i / 100)
    assert s.get("ns", "a", t + 0.05) == "a"  # a is now the most recently used
    s.set("ns", "d", "d", None, t + 0.06)
    assert s.get("ns", "b", t + 0.07) is None  # b was least recently used
    assert [s.get("ns", k, t + 0.08) for k in "acd"] == ["a", "c", "d"]
    assert s.stats(None, t + 0.09)["entries"] == 3


def test_lru_byte_budget(make_store: Callable[..., CacheStore]) -> None:
    s = make_store(max_bytes=100)
    t = time.time()
    for i in range(4):
        s.set("n", f"k{i}", "x" * 27, None, t + i / 100)  # 30 bytes each
    stats = s.stats(None, t + 1)
    assert stats["bytes"] <= 100 and stats["entries"] == 3
    assert s.get("n", "k0", t + 1) is None and s.get("n", "k3", t + 1) == "x" * 27
    assert s.set("n", "huge", "y" * 200, None, t + 2) is False  # can never fit




def test_the_sqlite_store_is_shared_between_processes_views(tmp_path: Path) -> None:
    path = str(tmp_path / "shared.sqlite3")
    a, b = SqliteStore(path, 100, 1 << 20), SqliteStore(path, 100, 1 << 20)
    now = time.time()
    a.set("ns", "k", "from a", None, now)
    assert b.get("ns", "k", now) == "from a"
    assert [a.incr("ns", "n", 1, None, now), b.incr("ns", "n", 1, None, now)] == [1, 2]
    assert a.stats("ns", now)["hits"] == 1
    a.close()
    b.close()


@pytest.mark.parametrize("backend", ["memory", "sqlite"])
def test_through_the_guest(probe_for: Callable[..., Probe], tmp_path: Path, backend: str) -> None:
    settings = {"cache_backend": backend}
    if backend == "sqlite":
        settings["cache_path"] = str(tmp_path / f"{backend}.sqlite3")
    p = probe_for(**settings)
    assert p.raw(C, "cacheGet", "s", "k") == {"type": "undefined"}
    assert p.call(C, "cacheSet", "s", "k", '{"a":1}', 30) is True
    assert p.call(C, "cacheGet", "s", "k") == '{"a":1}'
    assert p.call(C, "cacheIncr", "s", "n") == 1
    assert p.call(C, "cacheIncr", "s", "n", 9) == 10
    assert p.call(C, "cacheDelete", "s", "k") is True
    assert p.call(C, "cacheStats", "s") == {"hits": 1, "misses": 1, "entries": 1, "bytes": 4}
    assert p.throws(C, "cacheSet", "s", "k", 5) == (
        "TypeError", "cacheSet(): parameter 'value' must be a string, got a number")
    assert p.throws(C, "cacheSet", "s", "k", "v", "soon") == (
        "TypeError", "cacheSet(): parameter 'ttlSeconds' must be a finite number, got a string")
    assert p.throws(C, "cacheGet", "s")[1] == "cacheGet(): parameter 'key' must be a string, got undefined"


def test_two_hosts_share_one_sqlite_cache(probe_for: Callable[..., Probe], tmp_path: Path) -> None:
    path = str(tmp_path / "workers.sqlite3")
    first, second = probe_for(cache_backend="sqlite", cache_path=path), probe_for(cache_backend="sqlite",
                                                                                  cache_path=path)
    assert [first.call(C, "cacheIncr", "hits", "x"), second.call(C, "cacheIncr", "hits", "x"),
            first.call(C, "cacheIncr", "hits", "x")] == [1, 2, 3]
    second.call(C, "cacheSet", "s", "session", "abc", 0.3)
    assert first.call(C, "cacheGet", "s", "session") == "abc"
    time.sleep(0.35)
    assert first.raw(C, "cacheGet", "s", "session") == {"type": "undefined"}
