"""RedisStore: the zigttp:cache store in Redis, shared by every process and host that uses one URL and prefix.

Keys, all under the deployment's prefix P (an embedding host's tenant adds its id):

    P v:<byte length of ns>:<ns>:<key>   a value; a TTL is the key's own PX expiry
    P counts                             a hash of hit and miss counters, fields h:<ns> and m:<ns>

The length before the namespace keeps every (namespace, key) pair apart
whatever characters they hold. Expiry runs on Redis's clock, so every host
agrees on it; the store ignores the `now` its callers pass. There is no LRU
list and no entry budget of ours: Redis evicts by its own `maxmemory-policy`
(docs/modules.md says how to set it). The byte budget still refuses an
entry that could never fit, as the other stores do.

Atomicity: a get and its hit/miss count are one Lua script; an increment
reads the value, computes the sum with the built-in stores' number rules
(parse_counter, format_counter) and writes it with a compare-and-set script,
again, after a random pause, when another writer came first (without the
pause, contenders in step could lose every round). An increment whose reply
times out may or may not have landed, as with any remote write.

Every Redis error becomes the HostCallError `<fn>(): cache store error: ...`,
which the handler sees as a JS Error. Connect and reply timeouts and a single
immediate retry bound how long a call can wait for a Redis that went away.
The `redis` package is imported on first use (pip install zigttp[scale]).
"""

from __future__ import annotations

import math
import random
import threading
import time
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any, TypeVar

from ..registry import HostCallError
from .cachestore import entry_size, format_counter, parse_counter
from .config import redacted

if TYPE_CHECKING:
    import redis

T = TypeVar("T")

MISSING_PACKAGE = "the redis package is not installed (pip install 'zigttp[scale]')"
CAS_ATTEMPTS = 64
CAS_PAUSE_S = 0.0002  # a lost compare-and-set waits up to this times the attempts lost so far, at random
SCAN_BATCH = 1000

# KEYS: value, counts. ARGV: hit field, miss field. A counter that cannot be written
# (maxmemory reached under noeviction) leaves the read as it is.
_GET = """
local v = redis.call('GET', KEYS[1])
if v then redis.pcall('HINCRBY', KEYS[2], ARGV[1], 1) else redis.pcall('HINCRBY', KEYS[2], ARGV[2], 1) end
return v
"""

# KEYS: value. ARGV: '1' when a value was read (else '0'), the value read, the new value,
# and the expiry: -1 keeps the key's own, 0 removes the key, n > 0 expires it in n ms.
_CAS = """
local cur = redis.call('GET', KEYS[1])
if ARGV[1] == '1' then
  if cur ~= ARGV[2] then return 0 end
elseif cur then return 0 end
local px = tonumber(ARGV[4])
if px == 0 then redis.call('DEL', KEYS[1])
elseif px > 0 then redis.call('SET', KEYS[1], ARGV[3], 'PX', px)
else redis.call('SET', KEYS[1], ARGV[3], 'KEEPTTL') end
return 1
"""

# KEYS: values. The length of each one that still exists, -1 for one that expired since the scan.
_SIZES = """
local out = {}
for i, k in ipairs(KEYS) do
  if redis.call('EXISTS', k) == 1 then out[i] = redis.call('STRLEN', k) else out[i] = -1 end
end
return out
"""


class RedisFull(HostCallError):
    """Redis refused a write because it reached maxmemory and evicts nothing (maxmemory-policy noeviction)."""


class RedisUnavailable(RuntimeError):
    """The Redis server cannot be used (not installed package, unreachable, refused): one line saying why."""


def _redis_module() -> Any:
    try:
        import redis
    except ImportError:
        raise RedisUnavailable(MISSING_PACKAGE) from None
    return redis


# One client (connection pool) per URL and timeout in this process: an embedding host's
# tenants on one Redis share its connections. Counted, so the last store to close disconnects.
_CLIENTS: dict[tuple[str, float], list[Any]] = {}
_CLIENTS_LOCK = threading.Lock()


def _acquire_client(url: str, timeout_s: float) -> redis.Redis:
    r = _redis_module()
    from redis.backoff import NoBackoff
    from redis.retry import Retry

    with _CLIENTS_LOCK:
        entry = _CLIENTS.get((url, timeout_s))
        if entry is None:
            client = r.Redis.from_url(url, socket_timeout=timeout_s, socket_connect_timeout=timeout_s,
                                      retry=Retry(NoBackoff(), 1), health_check_interval=0)
            entry = _CLIENTS[(url, timeout_s)] = [client, 0]
        entry[1] += 1
        return entry[0]


def _release_client(url: str, timeout_s: float) -> None:
    with _CLIENTS_LOCK:
        entry = _CLIENTS.get((url, timeout_s))
        if entry is None:
            return
        entry[1] -= 1
        if entry[1] > 0:
            return
        del _CLIENTS[(url, timeout_s)]
    entry[0].close()


def check_reachable(url: str, timeout_s: float = 2.0) -> None:
    """Connects and sends PING; RedisUnavailable with one line saying why when that fails."""
    r = _redis_module()
    client = r.Redis.from_url(url, socket_timeout=timeout_s, socket_connect_timeout=timeout_s)
    try:
        client.ping()
    except r.RedisError as e:
        raise RedisUnavailable(f"cannot use Redis at {redacted(url)}: {_one_line(e)}") from None
    finally:
        client.close()


def _one_line(e: BaseException) -> str:
    return " ".join(str(e).split()) or type(e).__name__


def _glob_escape(raw: bytes) -> bytes:
    out = bytearray()
    for b in raw:
        if b in b"*?[]\\":
            out += b"\\"
        out.append(b)
    return bytes(out)


def _px(ttl: float) -> int:
    return max(1, math.ceil(ttl * 1000))


class RedisStore:
    """A CacheStore over one Redis database; every key starts with `prefix`."""

    def __init__(self, url: str, prefix: str, max_bytes: int, timeout_s: float = 1.0) -> None:
        self.url = url
        self.prefix = prefix.encode()
        self.max_bytes = max_bytes
        self.timeout_s = timeout_s
        self._client: redis.Redis | None = None
        self._lock = threading.Lock()
        self._scripts: dict[str, Any] = {}
        self._counts = self.prefix + b"counts"

    def _redis(self, fn: str) -> redis.Redis:
        client = self._client
        if client is not None:
            return client
        with self._lock:
            if self._client is None:
                try:
                    client = _acquire_client(self.url, self.timeout_s)
                except RedisUnavailable as e:
                    raise HostCallError(f"{fn}(): cache store error: {e}") from None
                # the scripts first: a thread that sees the client uses them without the lock
                self._scripts = {name: client.register_script(text)
                                 for name, text in (("get", _GET), ("cas", _CAS), ("sizes", _SIZES))}
                self._client = client
            return self._client

    def _run(self, fn: str, work: Callable[[redis.Redis], T]) -> T:
        client = self._redis(fn)
        try:
            return work(client)
        except HostCallError:
            raise
        except Exception as e:
            r = _redis_module()
            if not isinstance(e, r.RedisError):
                raise
            message = f"{fn}(): cache store error: {_one_line(e)}"
            full = isinstance(e, getattr(r.exceptions, "OutOfMemoryError", ())) or str(e).startswith("OOM")
            raise (RedisFull if full else HostCallError)(message) from None

    def _key(self, ns: str, key: str) -> bytes:
        raw = ns.encode()
        return b"%sv:%d:%s:%s" % (self.prefix, len(raw), raw, key.encode())

    def get(self, ns: str, key: str, now: float) -> str | None:
        def work(c: redis.Redis) -> str | None:
            value = self._scripts["get"](keys=[self._key(ns, key), self._counts],
                                         args=[f"h:{ns}".encode(), f"m:{ns}".encode()], client=c)
            return None if value is None else value.decode()

        return self._run("cacheGet", work)

    def set(self, ns: str, key: str, value: str, ttl: float | None, now: float) -> bool:
        if entry_size(ns, key, value) > self.max_bytes:
            return False

        def work(c: redis.Redis) -> bool:
            if ttl is not None and ttl <= 0:
                c.delete(self._key(ns, key))
            else:
                c.set(self._key(ns, key), value.encode(), px=None if ttl is None else _px(ttl))
            return True

        try:
            return self._run("cacheSet", work)
        except RedisFull:
            return False  # Redis is full and evicts nothing: this entry does not fit

    def delete(self, ns: str, key: str, now: float) -> bool:
        return self._run("cacheDelete", lambda c: c.delete(self._key(ns, key)) > 0)

    def incr(self, ns: str, key: str, delta: float, ttl: float | None, now: float) -> float:
        k = self._key(ns, key)
        px = -1 if ttl is None else (0 if ttl <= 0 else _px(ttl))
        try:
            return self._run("cacheIncr", lambda c: self._incr_cas(c, ns, key, k, delta, px))
        except RedisFull:
            raise HostCallError("cacheIncr(): the entry does not fit the cache budget "
                                "(Redis reached maxmemory)") from None

    def _incr_cas(self, c: redis.Redis, ns: str, key: str, k: bytes, delta: float, px: int) -> float:
        """The increment with the built-in stores' number rules: read, add, compare-and-set."""
        for attempt in range(CAS_ATTEMPTS):
            if attempt:  # another writer came first: a random pause keeps the contenders out of step
                time.sleep(random.uniform(0, CAS_PAUSE_S * attempt))
            raw = c.get(k)
            old = None if raw is None else raw.decode()
            n = parse_counter("cacheIncr", key, old) + delta
            value = format_counter(n)
            if px != 0 and entry_size(ns, key, value) > self.max_bytes:
                raise HostCallError("cacheIncr(): the entry does not fit the cache budget")
            if self._scripts["cas"](keys=[k], args=[b"0" if raw is None else b"1", raw or b"",
                                                    value.encode(), px], client=c):
                return n
        raise HostCallError(f"cacheIncr(): {key!r} kept changing under {CAS_ATTEMPTS} attempts")

    def stats(self, ns: str | None, now: float) -> dict[str, int]:
        def work(c: redis.Redis) -> dict[str, int]:
            if ns is None:
                counts = c.hgetall(self._counts)
                hits = sum(int(v) for f, v in counts.items() if f.startswith(b"h:"))
                misses = sum(int(v) for f, v in counts.items() if f.startswith(b"m:"))
                pattern = _glob_escape(self.prefix + b"v:") + b"*"
            else:
                h, m = c.hmget(self._counts, [f"h:{ns}".encode(), f"m:{ns}".encode()])
                hits, misses = int(h or 0), int(m or 0)
                pattern = _glob_escape(self._key(ns, "")) + b"*"
            entries, size = self._sizes(c, pattern)
            return {"hits": hits, "misses": misses, "entries": entries, "bytes": size}

        return self._run("cacheStats", work)

    def _sizes(self, c: redis.Redis, pattern: bytes) -> tuple[int, int]:
        """Live entries and their bytes (entry_size) under `pattern`: a SCAN, so O(keys in the database)."""
        entries = size = 0
        for batch in self._scan(c, pattern):
            lengths = self._scripts["sizes"](keys=batch, client=c)
            for name, length in zip(batch, lengths, strict=True):
                if length >= 0:
                    entries += 1
                    size += self._name_bytes(name) + length
        return entries, size

    def _scan(self, c: redis.Redis, pattern: bytes) -> Iterator[list[bytes]]:
        seen: set[bytes] = set()  # SCAN may return a key more than once
        cursor = 0
        while True:
            cursor, names = c.scan(cursor, match=pattern, count=SCAN_BATCH)
            fresh = [n for n in names if n not in seen]
            seen.update(fresh)
            if fresh:
                yield fresh
            if cursor == 0:
                return

    def _name_bytes(self, name: bytes) -> int:
        """Bytes of namespace plus key in a value's Redis key (P v:<n>:<ns>:<key>)."""
        rest = name[len(self.prefix) + 2:]  # <n>:<ns>:<key>
        colon = rest.index(b":")
        return len(rest) - colon - 2  # all but "<n>:" and the colon after ns

    def close(self) -> None:
        with self._lock:
            client, self._client = self._client, None
        if client is not None:
            _release_client(self.url, self.timeout_s)
