"""ModuleConfig: what the virtual modules may reach, per Host.

Host(modules=ModuleConfig(...)) hands it to every implementation through
`ctx.functions.runtime.config`. `zigttp serve` builds one from its flags and
ships it to the workers inside ServeConfig (to_dict/from_dict). Free of
wasmtime and of the libraries the modules use.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, fields
from typing import Any
from urllib.parse import urlsplit

CACHE_BACKENDS = ("memory", "sqlite", "redis")
REDIS_SCHEMES = ("redis", "rediss")
DEFAULT_CACHE_PREFIX = "zigttp:"

# Resolves a host name to IP address strings (the egress check connects to
# one of exactly these addresses). Default: socket.getaddrinfo.
Resolver = Callable[[str, int], list[str]]


@dataclass(frozen=True)
class ModuleConfig:
    """Configuration of the `zigttp:*` modules for one Host.

    The defaults suit an embedder running other people's code: no environment
    variables, no egress, no SQL database, an in-memory cache per Host.
    """

    # zigttp:env. `env` is the variables env() sees; `env_from_process`
    # reads the process environment at call time instead (zigttp serve).
    # `env_allow`, when set, is the only names env() may read; any other is a
    # capability denial (the request fails with 500 capability_denied).
    env: Mapping[str, str] | None = field(default=None, compare=False)
    env_from_process: bool = False
    env_allow: tuple[str, ...] | None = None

    # zigttp:fetch, fetchSync, zigttp:io. The Host's egress allowlist: `host` (https on 443,
    # http on 80) or `host:port` (virtual_modules/egress.py). Host.load puts it into unrestricted
    # grants; any other handler reaches exactly the origins its own Grants.egress names.
    outbound_hosts: tuple[str, ...] = ()
    fetch_timeout_ms: int = 10_000
    fetch_max_response_bytes: int = 1 << 20
    fetch_max_redirects: int = 5
    resolver: Resolver | None = field(default=None, compare=False)

    # zigttp:sql. The database file (None: sqlOne/sqlMany/sqlExec fail).
    sqlite_path: str | None = None
    sqlite_busy_timeout_ms: int = 5000

    # zigttp:cache. "sqlite" shares one store between every process that
    # opens `cache_path` (zigttp serve's workers); "memory" is per Host;
    # "redis" shares one store between every process and host that uses
    # `cache_url` (redis:// or rediss://) and `cache_prefix`, the start of
    # every key (one per deployment; an embedding host adds the tenant's id).
    # Redis evicts by its own maxmemory policy: the entry budget applies to
    # the other stores only, the byte budget to every store as the largest entry.
    cache_backend: str = "memory"
    cache_path: str | None = None
    cache_max_entries: int = 10_000
    cache_max_bytes: int = 16 << 20
    cache_url: str | None = None
    cache_prefix: str = DEFAULT_CACHE_PREFIX
    # Connect and reply timeout of each Redis call (a Redis that stopped answering fails the call).
    cache_timeout_ms: int = 1000

    # zigttp:durable: the folder of the file store (None: every export throws
    # "... requires --durable <DIR>"). Created on first use, owner-only.
    durable_dir: str | None = None
    # Or a PostgreSQL database (postgresql://…, durable/store_pg.py) that several hosts share: runs are
    # claimed with a lease of `durable_lease_s` seconds and a fencing token. At most one of the two.
    durable_url: str | None = None
    durable_lease_s: float = 15.0
    # The PostgreSQL schema the store's tables live in (None: the database's search_path): one per
    # deployment or tenant sharing a database, so their runs never meet.
    durable_schema: str | None = None
    # Completed runs older than this are removed by the scheduler (zigttp serve --durable-retention).
    durable_retention_s: int = 7 * 24 * 3600
    # Runs replay their oplog and stop where it ends, writing nothing (zigttp prove --durable checks
    # in-flight runs against a new version this way, on a copy of the folder).
    durable_replay_only: bool = False

    # zigttp:log: where its NDJSON lines go (default: standard error).
    log_sink: Callable[[str], None] | None = field(default=None, compare=False)

    def __post_init__(self) -> None:
        if self.cache_backend not in CACHE_BACKENDS:
            raise ValueError(f"cache_backend must be one of {', '.join(CACHE_BACKENDS)}, got {self.cache_backend!r}")
        if self.cache_backend == "sqlite" and not self.cache_path:
            raise ValueError("cache_backend 'sqlite' needs cache_path")
        if self.cache_backend == "redis":
            check_redis_url(self.cache_url or "")
        if self.cache_max_entries <= 0 or self.cache_max_bytes <= 0:
            raise ValueError("the cache budget (entries and bytes) must be positive")
        if self.durable_dir is not None and self.durable_url is not None:
            raise ValueError("durable_dir and durable_url name two stores: give one")
        if self.durable_url is not None and not self.durable_url.startswith(("postgresql://", "postgres://")):
            raise ValueError(f"durable_url must be a postgresql:// URL, got {self.durable_url.split('://')[0]}://…")
        if self.durable_lease_s <= 0:
            raise ValueError("durable_lease_s must be positive")
        if self.cache_timeout_ms <= 0:
            raise ValueError("cache_timeout_ms must be positive")
        if self.fetch_timeout_ms <= 0 or self.fetch_max_response_bytes <= 0 or self.fetch_max_redirects < 0:
            raise ValueError("fetch limits must be positive")
        object.__setattr__(self, "outbound_hosts", tuple(self.outbound_hosts))
        if self.env_allow is not None:
            object.__setattr__(self, "env_allow", tuple(self.env_allow))

    # The JSON form carries no callables and no environment values: workers
    # read their own process environment.
    _UNSERIALISED = ("env", "resolver", "log_sink")

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for f in fields(self):
            if f.name in self._UNSERIALISED:
                continue
            value = getattr(self, f.name)
            out[f.name] = list(value) if isinstance(value, tuple) else value
        return out

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> ModuleConfig:
        known = {f.name for f in fields(cls)} - set(cls._UNSERIALISED)
        unknown = set(data) - known
        if unknown:
            raise ValueError(f"unknown module settings: {', '.join(sorted(unknown))}")
        return cls(**data)


def check_redis_url(url: str) -> str:
    """`url` when it names a Redis server (redis:// or rediss://, a host, a valid port and database number);
    otherwise ValueError saying what is wrong (the password, if any, never appears in it)."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as e:
        raise ValueError(f"not a Redis URL: {e}") from None
    if parts.scheme not in REDIS_SCHEMES:
        raise ValueError("a Redis URL starts with redis:// or rediss:// (redis://HOST:PORT/DB)")
    if not parts.hostname:
        raise ValueError("a Redis URL names a host (redis://HOST:PORT/DB)")
    if port == 0:
        raise ValueError("port 0 is not a Redis port")
    db = parts.path.lstrip("/")
    if db and not (db.isascii() and db.isdigit()):
        raise ValueError(f"the database of a Redis URL is a number (redis://HOST:PORT/DB), got {db!r}")
    return url


def redacted(url: str) -> str:
    """`url` with its password, if any, replaced by ***: for messages and logs."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    user = parts.username or ""
    host = parts.netloc.rsplit("@", 1)[1]
    return parts._replace(netloc=f"{user}:***@{host}").geturl()
