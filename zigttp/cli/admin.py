"""`zigttp admin --durable DIR|URL [--contract FILE] [--host 127.0.0.1] [--port 8787] [--token T]`.

The admin service for durable runs (zigttp/durable/admin.py), against the
same store `zigttp serve --durable` uses (its folder or its PostgreSQL
database), while it runs. The runtime itself
exposes no admin routes. Binds to 127.0.0.1; on any other address a token is
required (`--token` or ZIGTTP_ADMIN_TOKEN). Exit 2 on a usage error.
"""

from __future__ import annotations

import argparse
import ipaddress
import os
import sys
from pathlib import Path

from .argtypes import durable_store, port

TOKEN_ENV = "ZIGTTP_ADMIN_TOKEN"
DESCRIPTION = (
    "Inspect durable runs and deliver signals over HTTP, against the store of `zigttp serve --durable DIR|URL` "
    "(its folder or its PostgreSQL database): "
    "GET /_zigttp/durable/runs, GET /_zigttp/durable/runs/:key, POST /_zigttp/durable/runs/:key/signals/:name "
    "(JSON payload), GET /_zigttp/durable/contract, POST /_zigttp/durable/dead-runs/:key/replay|discard. "
    f"Listens on 127.0.0.1 by default; on another address every request needs 'Authorization: Bearer TOKEN' "
    f"(--token or the {TOKEN_ENV} environment variable)."
)


def add_command(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("admin", help="inspect durable runs and deliver signals", description=DESCRIPTION)
    p.add_argument("--durable", "--durable-dir", dest="durable", type=durable_store, required=True,
                   metavar="DIR|URL", help="the folder or postgresql:// database serve --durable uses")
    p.add_argument("--durable-schema", default=None, metavar="NAME",
                   help="with a postgresql:// store: the schema serve --durable-schema names")
    p.add_argument("--contract", type=Path, default=None, metavar="FILE",
                   help="contract.json (zigttp build) whose durable section GET /_zigttp/durable/contract answers")
    p.add_argument("--host", default="127.0.0.1", help="address to bind (not loopback: a token is required)")
    p.add_argument("--port", type=port, default=8787, help="port to bind")
    p.add_argument("--token", default=None, help=f"bearer token required of every request (or ${TOKEN_ENV})")
    p.set_defaults(run=run_admin)


def _loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def run_admin(args: argparse.Namespace) -> int:
    from zigttp.durable.admin import AdminServer
    from zigttp_host.durable.store import open_store

    from .serve_modules import durable_schema_error, safe_url

    token = args.token or os.environ.get(TOKEN_ENV) or None
    if token is None and not _loopback(args.host):
        print(f"error: --host {args.host} is not a loopback address: set --token or {TOKEN_ENV}", file=sys.stderr)
        return 2
    where = args.durable
    schema_error = durable_schema_error(where, args.durable_schema)
    if schema_error is not None:
        print(schema_error, file=sys.stderr)
        return 2
    if "://" not in where and not Path(where).is_dir():
        print(f"error: --durable {where}: no such folder", file=sys.stderr)
        return 2
    contract = None
    if args.contract is not None:
        from zigttp.contract.schema import ContractError, load_contract

        try:  # validated as serve --contract is: a list or a stray JSON file would fail each request instead
            contract = load_contract(args.contract)
        except ContractError as e:
            print(f"error: --contract {e}", file=sys.stderr)
            return 2
    try:
        store = open_store(where, schema=args.durable_schema)
    except (OSError, RuntimeError, ValueError) as e:  # a database out of reach, or a schema newer than this zigttp
        print(f"error: --durable {safe_url(where)}: {e}", file=sys.stderr)
        return 1
    try:
        server = AdminServer((args.host, args.port), store, contract, token)
    except OSError as e:
        store.close()
        print(f"error: cannot listen on {args.host}:{args.port}: {e.strerror or e}", file=sys.stderr)
        return 1
    print(f"zigttp admin: http://{args.host}:{server.server_address[1]}/_zigttp/durable/runs "
          f"(durable store {safe_url(where)})", file=sys.stderr, flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
        store.close()
    return 0
