"""Fuel per request of the bench's handlers: the guest's work, in counts that do not move with load.

    .venv/bin/python scripts/bench_fuel.py [--raw] [--json]

Loads examples/bench/{hello,echo,compute}.js as `zigttp serve` does (compiled and
verified) on a TenantHost and sends each the request scripts/bench.py sends (wrk's
one `host` header; echo with its 1,034-byte JSON body). Prints the fuel of the
fifth request on the same instance (instances, caches and kept atoms warm), and
checks the answer against bench.py's. Fuel is deterministic: the same guest and
handler give the same count on any machine, so a change inside the guest is
judged by it, beside the wall-clock runs of scripts/bench.py. `--raw` adds the
handlers loaded as plain JavaScript, without the compiler.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
HANDLERS_DIR = REPO / "examples" / "bench"
WARM_REQUESTS = 5


def measure(raw: bool = False) -> dict[str, dict[str, int]]:
    """{"compiled": {handler: fuel}, "raw": {...}} (raw only when asked)."""
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from bench import make_handlers

    from zigttp.loader import load_handler, load_raw
    from zigttp_host import Host, HttpRequest
    from zigttp_host.tenants import TenantHost

    loaders = {"compiled": load_handler} | ({"raw": load_raw} if raw else {})
    result: dict[str, dict[str, int]] = {}
    with TenantHost(Host()) as tenants:
        for mode, load in loaders.items():
            result[mode] = {}
            for name, handler in make_handlers().items():
                tenant = f"{mode}-{name}"
                tenants.load(tenant, load(HANDLERS_DIR / f"{name}.js").bundle)
                headers = [("host", "127.0.0.1")]
                if handler.body is not None:
                    headers.append(("content-type", "application/json"))
                request = HttpRequest(handler.method, handler.path, headers, handler.body or b"")
                for _ in range(WARM_REQUESTS):
                    response, fuel, _ = tenants.invoke_metered(tenant, request)
                if response.status != 200 or json.loads(response.body) != handler.expected:
                    raise SystemExit(f"{tenant}: unexpected answer {response.status} {response.body[:200]!r}")
                result[mode][name] = fuel
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--raw", action="store_true", help="also load the handlers as plain JavaScript")
    parser.add_argument("--json", action="store_true", help="print JSON")
    args = parser.parse_args(argv)
    result = measure(args.raw)
    if args.json:
        print(json.dumps(result))
        return 0
    for mode, fuels in result.items():
        print(f"fuel per request ({mode}): " + ", ".join(f"{name} {fuel:,}" for name, fuel in fuels.items()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
