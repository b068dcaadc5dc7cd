"""In-process cost per request of the sandbox, without HTTP: `pooled` vs `fresh` isolation.

    .venv/bin/python scripts/bench_inprocess.py [--requests N]

Loads examples/bench/hello.js, compiled and verified as `zigttp serve` loads it,
into a zigttp_host Host per isolation mode, on the engine `zigttp serve` uses
for it (`fresh`: wasmtime's pooling allocator),
and times Handler.handle() in a loop: CPU time of this thread, median of
several rounds. Prints both and the difference, which the
target bounds (fresh ≤ pooled + 0.3 ms).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
HANDLER = REPO / "examples" / "bench" / "hello.js"
FRESH_OVER_POOLED_TARGET_MS = 0.3


def measure(requests: int = 2000, rounds: int = 5) -> dict[str, float]:
    """Median CPU milliseconds per request for each isolation mode."""
    from zigttp.loader import load_handler
    from zigttp.server.config import ServeConfig
    from zigttp_host import Host, HttpRequest

    bundle = load_handler(HANDLER).bundle  # what `zigttp serve` runs
    request = HttpRequest("GET", "/", [("host", "127.0.0.1"), ("accept", "*/*")], b"")
    result: dict[str, float] = {}
    for isolation in ("pooled", "fresh"):
        host = Host(engine_config=ServeConfig(str(HANDLER), "", "", isolation=isolation).engine_config())
        handler = host.load(bundle, isolation=isolation)
        for _ in range(200):  # warm up: instances, caches, page tables
            assert handler.handle(request).status == 200
        samples = []
        for _ in range(rounds):
            started = time.thread_time()
            for _ in range(requests):
                handler.handle(request)
            samples.append((time.thread_time() - started) / requests * 1000)
        result[f"{isolation}_ms"] = statistics.median(samples)
        host.engine.close()
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=2000, help="requests per round (default 2000)")
    args = parser.parse_args(argv)
    costs = measure(args.requests)
    extra = costs["fresh_ms"] - costs["pooled_ms"]
    verdict = "PASS" if extra <= FRESH_OVER_POOLED_TARGET_MS else "MISS"
    print(f"in-process cost per request (CPU, median): pooled {costs['pooled_ms'] * 1000:.1f} µs, "
          f"fresh {costs['fresh_ms'] * 1000:.1f} µs; fresh costs {extra * 1000:.1f} µs more "
          f"(target ≤ {FRESH_OVER_POOLED_TARGET_MS * 1000:.0f} µs: {verdict})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
