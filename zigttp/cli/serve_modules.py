"""The `zigttp:*` module settings `zigttp serve` asks for with its flags (declared in serve.add_module_arguments):

    --outbound-host HOST   (repeatable) origins fetch/fetchSync/parallel may reach (HOST or HOST:PORT): an
                           egress grant, like --allow-egress (serve_grants.py)
    --cache sqlite|memory|redis://HOST:PORT/DB
                           zigttp:cache store shared by the workers, or per worker, or by every worker and
                           host that uses the Redis (rediss:// for TLS)
    --cache-prefix PREFIX  with redis: the start of this deployment's keys (default zigttp:<handler file name>:)
    --sqlite FILE          the database zigttp:sql runs on
    --sql-schema FILE      check every registered sql() statement against this schema at start
    --durable DIR|URL      where zigttp:durable keeps its runs, signals and timers (a folder or PostgreSQL)
    --durable-lease T      with PostgreSQL: how long a claim on a run lasts without renewal
    --durable-schema NAME  with PostgreSQL: the schema of this deployment's tables
    --durable-retention D  how long completed runs are kept (7d, 12h, 30m, 45s)
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from zigttp.loader import LoadedSource


def module_settings(args: argparse.Namespace) -> dict[str, Any]:
    """The ModuleConfig settings (its JSON form) the serve flags ask for; the workers add their own paths.

    No egress allowlist and no env allowlist: what the handler may reach travels once, in its grants
    (`--outbound-host` is an egress grant, serve_grants.serve_grants), and the egress policy reads its
    allowlist from them.
    """
    return {
        "env_from_process": True,
        **cache_settings(args),
        "sqlite_path": str(args.sqlite.resolve()) if args.sqlite else None,
        "durable_dir": args.durable if args.durable and "://" not in args.durable else None,
        "durable_url": args.durable if args.durable and "://" in args.durable else None,
        "durable_lease_s": float(args.durable_lease),
        "durable_schema": args.durable_schema,
        "durable_retention_s": args.durable_retention,
    }


def durable_schema_error(where: str | None, schema: str | None) -> str | None:
    """The usage error of a --durable-schema without a database store (serve and admin); None: none.

    A folder store has no schema: ignoring the flag would let a deployment believe its runs are kept apart.
    """
    if schema is not None and (where is None or "://" not in where):
        store = "no --durable given" if where is None else f"--durable {where} is a folder"
        return f"error: --durable-schema applies to postgresql:// stores only ({store})"
    return None


def check_durable_store(where: str | None, lease_s: float, schema: str | None) -> bool:
    """A database store is reached (and its schema created or migrated) before the server starts."""
    if where is None or "://" not in where:
        return True
    from zigttp_host.durable.store import open_store

    try:
        open_store(where, lease_s=lease_s, schema=schema).close()
    except (OSError, RuntimeError, ValueError) as e:  # StoreUnavailable, SchemaTooNew, a bad schema name
        print(f"error: --durable {safe_url(where)}: {e}", file=sys.stderr)
        return False
    return True


def safe_url(url: str) -> str:
    """The URL without its password, for messages."""
    scheme, _, rest = url.partition("://")
    userinfo, at, host = rest.rpartition("@")
    return f"{scheme}://{userinfo.split(':')[0]}{at}{host}" if at else url


def is_redis(cache: str) -> bool:
    return "://" in cache


def default_cache_prefix(handler: Path) -> str:
    """A deployment's Redis key prefix unless --cache-prefix gives one: stable across restarts, hosts and
    --watch swaps of one handler file."""
    return f"zigttp:{handler.name}:"


def cache_settings(args: argparse.Namespace) -> dict[str, Any]:
    if not is_redis(args.cache):
        return {"cache_backend": args.cache}
    return {"cache_backend": "redis", "cache_url": args.cache,
            "cache_prefix": args.cache_prefix if args.cache_prefix is not None else default_cache_prefix(args.handler)}


def check_cache(args: argparse.Namespace) -> int | None:
    """Before anything starts: the exit code and one line when the cache flags cannot work, else None."""
    if not is_redis(args.cache):
        if args.cache_prefix is not None:
            print("error: --cache-prefix applies to --cache redis://HOST:PORT/DB", file=sys.stderr)
            return 2
        return None
    from zigttp_host.virtual_modules.cache_redis import RedisUnavailable, check_reachable

    try:
        check_reachable(args.cache)
    except RedisUnavailable as e:
        print(f"error: --cache: {e}", file=sys.stderr)
        return 1
    return None


def check_sql_schema(loaded: LoadedSource, schema: Path) -> bool:
    """Prints every registered statement that does not prepare against `schema`; True when all do."""
    from zigttp_host.virtual_modules.sqlcheck import SqlCheckError, check_in_subprocess

    try:
        problems = check_in_subprocess(loaded.bundle.source, loaded.bundle.name, schema)
    except SqlCheckError as e:
        print(f"error: --sql-schema {schema}: {e}", file=sys.stderr)
        return False
    for p in problems:
        print(f"error: {loaded.locate(p.at)}: sql statement '{p.name}' does not prepare against {schema}: "
              f"{p.message}", file=sys.stderr)
    return not problems
