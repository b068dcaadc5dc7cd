"""Command-line flags that configure the `zigttp:*` modules, shared by `serve` (and `verify`).

    --outbound-host HOST   (repeatable) origins fetch/fetchSync/parallel may reach (HOST or HOST:PORT)
    --cache sqlite|memory  zigttp:cache store shared by the workers, or per worker
    --sqlite FILE          the database zigttp:sql runs on
    --sql-schema FILE      check every registered sql() statement against this schema at start
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .loader import LoadedSource


def _host(text: str) -> str:
    from zigttp_host.vm.egress import normalise_grant

    try:
        return normalise_grant(text)
    except ValueError as e:
        raise argparse.ArgumentTypeError(str(e)) from None


def add_module_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--outbound-host", action="append", default=[], type=_host, metavar="HOST",
                   help="allow fetch/fetchSync/parallel to reach HOST: https on 443 and http on 80, or HOST:PORT "
                        "for another port (repeatable). Loopback and private addresses need their own entry "
                        "(e.g. 127.0.0.1:8080 or localhost:8080). Default: no egress")
    p.add_argument("--cache", choices=("sqlite", "memory"), default="sqlite",
                   help="zigttp:cache store: sqlite shares entries and counters between all workers (a WAL file in "
                        "the server's state folder); memory is faster but per worker")
    p.add_argument("--sqlite", type=Path, default=None, metavar="FILE",
                   help="the SQLite database zigttp:sql statements run on (WAL mode, safe with several workers)")
    add_sql_schema_argument(p)


def add_sql_schema_argument(p: argparse.ArgumentParser) -> None:
    p.add_argument("--sql-schema", type=Path, default=None, metavar="FILE",
                   help="prepare every statement registered with sql() against this schema (SQL DDL) and refuse "
                        "the handler if one fails")


def module_settings(args: argparse.Namespace) -> dict[str, Any]:
    """The ModuleConfig settings (its JSON form) the serve flags ask for; the workers add their own paths."""
    return {
        "env_from_process": True,
        "outbound_hosts": list(dict.fromkeys(args.outbound_host)),
        "cache_backend": args.cache,
        "sqlite_path": str(args.sqlite.resolve()) if args.sqlite else None,
    }


def check_sql_schema(loaded: LoadedSource, schema: Path) -> bool:
    """Prints every registered statement that does not prepare against `schema`; True when all do."""
    from zigttp_host.vm.sqlcheck import SqlCheckError, check_in_subprocess

    try:
        problems = check_in_subprocess(loaded.bundle.source, loaded.bundle.name, schema)
    except SqlCheckError as e:
        print(f"error: --sql-schema {schema}: {e}", file=sys.stderr)
        return False
    for p in problems:
        print(f"error: {loaded.locate(p.at)}: sql statement '{p.name}' does not prepare against {schema}: "
              f"{p.message}", file=sys.stderr)
    return not problems
