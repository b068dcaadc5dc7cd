"""A small multi-tenant platform on zigttp_host: one process, many tenants, chosen by the Host header.

    python examples/embed/serve_tenants.py BUNDLES [--port 8080] [--host 127.0.0.1]

BUNDLES holds one folder per tenant, named as clients reach it (its Host
header without the port, e.g. `acme.localhost`), each written by
`zigttp build HANDLER -o BUNDLES/<name>`: handler.js and contract.json. An
optional `env.json` beside them gives the tenant's environment values: the
contract still decides which of them it may read. Every tenant gets its own
in-memory cache; nothing is shared unless wired here.

`GET /_platform/metrics` answers every tenant's counters as JSON. The
platform imports zigttp_host only, as an embedder would: not the zigttp
toolchain.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from zigttp_host import EngineConfig, Host, HttpRequest, ModuleConfig
from zigttp_host.tenants import Providers, TenantError, TenantHost, TenantLimits

METRICS_PATH = "/_platform/metrics"
_JSON = [("content-type", "application/json")]
MAX_BODY = 1 << 20
POOL_INSTANCES = 256  # the warm pool (256 MiB over ~2 MiB instances) and the requests in flight
THREAD_SLICE_US = 100


def load_tenants(tenants: TenantHost, root: Path) -> list[str]:
    """Loads every tenant folder under `root`; a folder that cannot be loaded is reported and skipped."""
    loaded = []
    for folder in sorted(p for p in root.iterdir() if p.is_dir()):
        env_file = folder / "env.json"
        try:
            env = json.loads(env_file.read_text()) if env_file.exists() else {}
            tenants.load_built(folder.name, folder, providers=Providers(ModuleConfig(env=env)),
                               limits=TenantLimits(max_concurrent=32))
        except (TenantError, ValueError, OSError) as e:
            print(f"platform: tenant {folder.name!r} not loaded: {e}", file=sys.stderr)
            continue
        except Exception as e:  # a handler that does not load (HandlerLoadError): the others still serve
            print(f"platform: tenant {folder.name!r} not loaded: {type(e).__name__}: {e}", file=sys.stderr)
            continue
        loaded.append(folder.name)
    return loaded


class Platform:
    """The RSGI application: routes each request to the tenant its Host header names."""

    def __init__(self, tenants: TenantHost, threads: int = 8) -> None:
        self.tenants = tenants
        self.pool = ThreadPoolExecutor(threads, thread_name_prefix="tenant")

    async def __rsgi__(self, scope: Any, proto: Any) -> None:
        if scope.proto != "http":
            return
        if scope.path == METRICS_PATH and scope.method == "GET":
            proto.response_bytes(200, _JSON, json.dumps(self.metrics()).encode())
            return
        tenant = (scope.headers.get("host") or "").rsplit(":", 1)[0].lower()
        body = await proto() if scope.method not in ("GET", "HEAD") else b""
        if len(body) > MAX_BODY:
            proto.response_bytes(413, _JSON, b'{"error":"body_too_large"}')
            return
        url = f"{scope.path}?{scope.query_string}" if scope.query_string else scope.path
        request = HttpRequest(scope.method, url, list(scope.headers.items()), body)
        loop = asyncio.get_running_loop()
        response = await loop.run_in_executor(self.pool, self.tenants.invoke, tenant, request)
        proto.response_bytes(response.status, response.headers, response.body)

    def metrics(self) -> dict[str, Any]:
        out = {}
        for name in self.tenants.tenants():
            m = self.tenants.metrics(name)
            if m is not None:
                out[name] = m.to_dict()
        return {"tenants": out, "warmInstances": self.tenants.pool.idle(), "warmBytes": self.tenants.pool.bytes}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("bundles", type=Path, help="one folder per tenant, named by its host")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8080)
    args = parser.parse_args(argv)
    if not args.bundles.is_dir():
        print(f"platform: {args.bundles} is not a folder", file=sys.stderr)
        return 2
    from granian.constants import Interfaces
    from granian.server.embed import Server

    # configured for tenants that may spin to their limits (docs/embedding.md, "Noisy neighbours"): the pooling
    # allocator, whose freed slots stay resident, and request threads asking for a short scheduler slice
    host = Host(engine_config=EngineConfig(allocator="pooling", pool_instances=POOL_INSTANCES))
    tenants = TenantHost(host, thread_slice_us=THREAD_SLICE_US)
    names = load_tenants(tenants, args.bundles)
    print(f"platform: {len(names)} tenants on http://{args.host}:{args.port}: {', '.join(names)}",
          file=sys.stderr, flush=True)
    server = Server(Platform(tenants), address=args.host, port=args.port, interface=Interfaces.RSGI)
    asyncio.run(server.serve())
    return 0


if __name__ == "__main__":
    sys.exit(main())
