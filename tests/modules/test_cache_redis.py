"""zigttp:cache on Redis: the same cases over the built-in stores and RedisStore, on the real clock.

Each case runs over memory, sqlite and redis, so the Redis store is checked
against what the built-in stores do. The LRU cases of test_cache.py are not
repeated: Redis evicts by its own maxmemory policy (docs/modules.md).
"""

from __future__ import annotations

import itertools
import os
import signal
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.support import services
from zigttp_host import ModuleConfig
from zigttp_host.registry import HostCallError, HostTypeError
from zigttp_host.virtual_modules.cache_redis import RedisStore, RedisUnavailable, check_reachable
from zigttp_host.virtual_modules.cachestore import CacheStore, MemoryStore, SqliteStore

from .support import Probe

C = "zigttp:cache"
_PREFIXES = itertools.count()


def fresh_prefix() -> str:
    """A prefix no other test on this Redis uses."""
    return f"test:{os.getpid()}:{next(_PREFIXES)}:"


@pytest.fixture(params=["memory", "sqlite", "redis"])
def make_store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Callable[..., CacheStore]]:
    made: list[CacheStore] = []

    def make(max_bytes: int = 1 << 20) -> CacheStore:
        if request.param == "memory":
            store: CacheStore = MemoryStore(100, max_bytes)
        elif request.param == "sqlite":
            store = SqliteStore(str(tmp_path / "cache.sqlite3"), 100, max_bytes)
        else:
            server = request.getfixturevalue("redis_server")
            store = RedisStore(server.url, fresh_prefix(), max_bytes)
        made.append(store)
        return store

    yield make
    for s in made:
        close = getattr(s, "close", None)
        if close is not None:
            close()


def test_get_set_delete_and_counters(make_store: Callable[..., CacheStore]) -> None:
    s = make_store()
    now = time.time()
    assert s.get("ns", "k", now) is None
    assert s.set("ns", "k", "v", None, now) is True
    assert s.get("ns", "k", now) == "v"
    assert s.get("other", "k", now) is None
    assert s.stats("ns", now) == {"hits": 1, "misses": 1, "entries": 1, "bytes": len("nskv")}
    assert s.stats(None, now) == {"hits": 1, "misses": 2, "entries": 1, "bytes": 4}
    assert s.delete("ns", "k", now) is True
    assert s.delete("ns", "k", now) is False
    assert s.stats("ns", now)["entries"] == 0


def test_namespaces_keep_apart_whatever_they_hold(make_store: Callable[..., CacheStore]) -> None:
    s = make_store()
    now = time.time()
    s.set("a", "b:c", "1", None, now)
    s.set("a:b", "c", "2", None, now)
    s.set("a*", "k", "3", None, now)
    s.set("ab", "k", "four", None, now)
    s.set("é", "ключ", "значение", None, now)
    assert [s.get(ns, k, now) for ns, k in (("a", "b:c"), ("a:b", "c"), ("a*", "k"), ("ab", "k"))] == [
        "1", "2", "3", "four"]
    assert s.stats("a*", now) == {"hits": 1, "misses": 0, "entries": 1, "bytes": 4}
    assert s.stats("a", now)["entries"] == 1
    assert s.stats("é", now) == {"hits": 0, "misses": 0, "entries": 1, "bytes": len("éключзначение".encode())}
    assert s.stats(None, now)["entries"] == 5
    assert s.stats(None, now)["bytes"] == sum(
        len(f"{ns}{k}{v}".encode()) for ns, k, v in (("a", "b:c", "1"), ("a:b", "c", "2"), ("a*", "k", "3"),
                                                     ("ab", "k", "four"), ("é", "ключ", "значение")))


def test_empty_values_and_overwrites(make_store: Callable[..., CacheStore]) -> None:
    s = make_store()
    now = time.time()
    s.set("ns", "k", "", None, now)
    assert s.get("ns", "k", now) == ""
    assert s.stats("ns", now) == {"hits": 1, "misses": 0, "entries": 1, "bytes": 3}
    s.set("ns", "k", "longer", None, now)
    assert s.stats("ns", now)["bytes"] == len("nsklonger")


def test_ttl_expiry(make_store: Callable[..., CacheStore]) -> None:
    s = make_store()
    now = time.time()
    s.set("ns", "short", "1", 0.3, now)
    s.set("ns", "long", "2", 60, now)
    s.set("ns", "gone", "3", 0, now)  # ≤ 0: already expired
    s.set("ns", "long", "2", 60, now)
    assert s.get("ns", "short", time.time()) == "1"
    assert s.get("ns", "gone", time.time()) is None
    time.sleep(0.4)
    later = time.time()
    assert s.get("ns", "short", later) is None
    assert s.get("ns", "long", later) == "2"
    assert s.stats("ns", later)["entries"] == 1
    assert s.delete("ns", "short", later) is False


def test_set_without_ttl_clears_an_earlier_one(make_store: Callable[..., CacheStore]) -> None:
    s = make_store()
    s.set("ns", "k", "1", 0.2, time.time())
    s.set("ns", "k", "2", None, time.time())
    time.sleep(0.3)
    assert s.get("ns", "k", time.time()) == "2"


def test_negative_ttl_removes_an_entry(make_store: Callable[..., CacheStore]) -> None:
    s = make_store()
    s.set("ns", "k", "1", None, time.time())
    assert s.set("ns", "k", "2", -1, time.time()) is True
    assert s.get("ns", "k", time.time()) is None


def test_incr(make_store: Callable[..., CacheStore]) -> None:
    s = make_store()
    now = time.time()
    assert s.incr("ns", "c", 1, None, now) == 1
    assert s.incr("ns", "c", 41, None, now) == 42
    assert s.incr("ns", "c", -2.5, None, now) == 39.5
    assert s.get("ns", "c", now) == "39.5"
    assert s.incr("ns", "c", 0.5, None, now) == 40
    assert s.get("ns", "c", now) == "40"
    assert s.incr("ns", "big", 2**53, None, now) == 2**53
    assert s.incr("ns", "big", 2**53, None, now) == 2**54
    assert s.get("ns", "big", now) == str(2**54)
    s.set("ns", "word", "abc", None, now)
    with pytest.raises(HostTypeError, match="the value stored under 'word' is not a number"):
        s.incr("ns", "word", 1, None, now)
    assert s.get("ns", "word", now) == "abc"
    s.set("ns", "e", "1e3", None, now)
    assert s.incr("ns", "e", 1, None, now) == 1001


def test_incr_and_ttls(make_store: Callable[..., CacheStore]) -> None:
    s = make_store()
    assert s.incr("ns", "t", 1, 0.2, time.time()) == 1
    assert s.incr("ns", "t", 1, None, time.time()) == 2  # no TTL given: the entry keeps its expiry
    time.sleep(0.3)
    assert s.get("ns", "t", time.time()) is None
    assert s.incr("ns", "t", 5, None, time.time()) == 5  # expired: counts from 0
    assert s.incr("ns", "t", 1, 0, time.time()) == 6  # ≤ 0: the sum is returned, the entry removed
    assert s.get("ns", "t", time.time()) is None


def test_an_entry_over_the_byte_budget_never_fits(make_store: Callable[..., CacheStore]) -> None:
    s = make_store(max_bytes=18)
    now = time.time()
    assert s.set("n", "huge", "y" * 200, None, now) is False
    assert s.get("n", "huge", now) is None
    assert s.set("n", "c", "9" * 16, None, now) is True  # 18 bytes
    with pytest.raises(HostCallError, match=r"^cacheIncr\(\): the entry does not fit the cache budget"):
        s.incr("n", "c", 1, None, now)  # 10**16: 19 bytes


# ---------- Redis only ----------


def test_two_prefixes_on_one_redis_do_not_see_each_other(redis_server: services.Service) -> None:
    a, b = RedisStore(redis_server.url, fresh_prefix(), 1 << 20), RedisStore(redis_server.url, fresh_prefix(), 1 << 20)
    now = time.time()
    a.set("ns", "k", "from a", None, now)
    assert a.incr("ns", "n", 1, None, now) == 1
    assert b.get("ns", "k", now) is None
    assert b.incr("ns", "n", 1, None, now) == 1
    assert a.get("ns", "k", now) == "from a"
    assert a.stats(None, now) == {"hits": 1, "misses": 0, "entries": 2, "bytes": len("nskfrom a") + len("nsn1")}
    assert b.stats(None, now) == {"hits": 0, "misses": 1, "entries": 1, "bytes": len("nsn1")}
    a.close()
    b.close()


def test_increments_under_contention_all_land(redis_server: services.Service) -> None:
    """Eight clients bumping one counter: an optimistic retry without backoff let some lose every round (a
    rate limiter's counter under load answered errors)."""
    prefix = fresh_prefix()
    stores = [RedisStore(redis_server.url, prefix, 1 << 20) for _ in range(8)]
    failures: list[BaseException] = []

    def bump(store: RedisStore) -> None:
        try:
            for _ in range(100):
                store.incr("ns", "n", 1, None, time.time())
        except Exception as e:  # reported below, not lost in a thread
            failures.append(e)

    threads = [threading.Thread(target=bump, args=(s,)) for s in stores]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert failures == []
    assert stores[0].get("ns", "n", time.time()) == "800"
    for s in stores:
        s.close()


def test_one_prefix_is_one_store_for_every_process(redis_server: services.Service) -> None:
    prefix = fresh_prefix()
    stores = [RedisStore(redis_server.url, prefix, 1 << 20) for _ in range(4)]

    def bump(store: RedisStore) -> None:
        for _ in range(50):
            store.incr("ns", "n", 1, None, time.time())

    threads = [threading.Thread(target=bump, args=(s,)) for s in stores]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert stores[0].get("ns", "n", time.time()) == "200"  # no increment lost to a concurrent one
    assert stores[3].stats("ns", time.time())["hits"] == 1
    for s in stores:
        s.close()


def test_a_full_redis_refuses_entries_like_a_full_budget(private_redis: services.Service) -> None:
    server = private_redis
    import redis

    admin = redis.Redis.from_url(server.url)
    admin.config_set("maxmemory", "2mb")
    admin.config_set("maxmemory-policy", "noeviction")
    store = RedisStore(server.url, fresh_prefix(), 1 << 20)
    now = time.time()
    stored = [store.set("ns", f"k{i}", "x" * 100_000, None, now) for i in range(40)]
    assert stored[0] is True and stored[-1] is False  # maxmemory reached: false, as for an entry that cannot fit
    assert store.get("ns", "k0", now) == "x" * 100_000  # reads still work
    with pytest.raises(HostCallError, match="does not fit the cache budget"):
        store.incr("ns", "n", 1, None, now)
    store.close()
    admin.close()


def test_a_redis_that_goes_away_fails_the_call_quickly(private_redis: services.Service) -> None:
    server = private_redis
    store = RedisStore(server.url, fresh_prefix(), 1 << 20, timeout_s=0.5)
    assert store.set("ns", "k", "v", None, time.time()) is True
    os.kill(server.proc.pid, signal.SIGSTOP)  # answers nothing: the reply timeout ends the call
    try:
        started = time.monotonic()
        with pytest.raises(HostCallError, match=r"^cacheGet\(\): cache store error: .*[Tt]imeout"):
            store.get("ns", "k", time.time())
        assert time.monotonic() - started < 3
    finally:
        os.kill(server.proc.pid, signal.SIGCONT)
    assert store.get("ns", "k", time.time()) == "v"  # back: the next call reconnects
    server.proc.kill()
    server.proc.wait()
    started = time.monotonic()
    with pytest.raises(HostCallError, match=r"^cacheIncr\(\): cache store error: .*refused"):
        store.incr("ns", "n", 1, None, time.time())
    assert time.monotonic() - started < 3
    store.close()


def test_without_the_redis_package(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "redis", None)  # import redis now raises ImportError
    with pytest.raises(RedisUnavailable, match=r"install 'zigttp\[scale\]'"):
        check_reachable("redis://127.0.0.1:1/0")
    store = RedisStore("redis://127.0.0.1:1/0", "p:", 1 << 20)
    with pytest.raises(HostCallError, match=r"^cacheGet\(\): cache store error: .*zigttp\[scale\]"):
        store.get("ns", "k", time.time())


def test_unreachable_redis_is_one_line_without_the_password() -> None:
    port = services.free_port()
    with pytest.raises(RedisUnavailable) as e:
        check_reachable(f"redis://:s3cret@127.0.0.1:{port}/0", timeout_s=0.5)
    assert "s3cret" not in str(e.value) and "\n" not in str(e.value)
    assert str(e.value).startswith(f"cannot use Redis at redis://:***@127.0.0.1:{port}/0: ")


@pytest.mark.parametrize(("url", "problem"), [
    ("", "starts with redis:// or rediss://"),
    ("http://127.0.0.1:6379", "starts with redis:// or rediss://"),
    ("redis://", "names a host"),
    ("redis://h:notaport/0", "Port could not be cast"),
    ("redis://h:70000/0", "Port out of range"),
    ("redis://h:6379/zero", "the database of a Redis URL is a number"),
])
def test_module_config_checks_the_redis_url(url: str, problem: str) -> None:
    with pytest.raises(ValueError, match=problem):
        ModuleConfig(cache_backend="redis", cache_url=url)


def test_module_config_carries_the_redis_settings() -> None:
    config = ModuleConfig(cache_backend="redis", cache_url="rediss://cache.internal:6380/2", cache_prefix="app:",
                          cache_timeout_ms=250)
    assert ModuleConfig.from_dict(config.to_dict()) == config


def test_through_the_guest(probe_for: Callable[..., Probe], redis_server: services.Service) -> None:
    p = probe_for(cache_backend="redis", cache_url=redis_server.url, cache_prefix=fresh_prefix())
    assert p.raw(C, "cacheGet", "s", "k") == {"type": "undefined"}
    assert p.call(C, "cacheSet", "s", "k", '{"a":1}', 30) is True
    assert p.call(C, "cacheGet", "s", "k") == '{"a":1}'
    assert p.call(C, "cacheIncr", "s", "n") == 1
    assert p.call(C, "cacheIncr", "s", "n", 9) == 10
    assert p.call(C, "cacheDelete", "s", "k") is True
    assert p.call(C, "cacheStats", "s") == {"hits": 1, "misses": 1, "entries": 1, "bytes": 4}
    assert p.throws(C, "cacheIncr", "s", "n", "x") == (
        "TypeError", "cacheIncr(): parameter 'delta' must be a finite number, got a string")
    p.call(C, "cacheSet", "s", "word", "abc")
    assert p.throws(C, "cacheIncr", "s", "word") == (
        "TypeError", "cacheIncr(): the value stored under 'word' is not a number")


def test_through_the_guest_when_redis_is_down(probe_for: Callable[..., Probe]) -> None:
    port = services.free_port()
    p = probe_for(cache_backend="redis", cache_url=f"redis://127.0.0.1:{port}/0", cache_prefix=fresh_prefix())
    kind, message = p.throws(C, "cacheGet", "s", "k")
    assert kind == "InternalError" and message.startswith("cacheGet(): cache store error: ")
