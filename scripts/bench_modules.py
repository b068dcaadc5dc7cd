#!/usr/bin/env python3
"""Benchmarks of the zigttp:* module boundary.

1. Host-call overhead per call: a handler makes N cacheGet calls in one request (in-memory,
   SQLite and Redis cache); the same loop without the host call is subtracted.
2. parallel(): three fetchSync calls to a local server answering after 50 ms each, run with
   parallel() and one after another (wall time per request, median).
3. req/s of a handler doing cacheGet + cacheSet + jwtVerify per request, through
   `zigttp serve --workers 2` with wrk -t1 -c32 (or a threaded Python client without wrk),
   for each cache store: --cache sqlite, memory and redis://.

The Redis cases run on a Redis the script starts itself (tests/support/services.py: no
persistence, a free port on 127.0.0.1); without redis-server they are skipped, saying why.
Everything talks to 127.0.0.1 only.

    .venv/bin/python scripts/bench_modules.py            # all three
    .venv/bin/python scripts/bench_modules.py --quick    # shorter runs
"""

from __future__ import annotations

import argparse
import base64
import contextlib
import hashlib
import hmac
import json
import os
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
HERE = REPO / "scripts" / "bench_modules"
sys.path.insert(0, str(REPO / "host"))
sys.path.insert(0, str(REPO))

from tests.support import services  # noqa: E402
from zigttp_host import Bundle, Grants, Host, HttpRequest, Limits, ModuleConfig  # noqa: E402


def per_call_us(host: Host, n: int, rounds: int) -> float:
    h = host.load(Bundle((HERE / "overhead.js").read_text(), "overhead.js"), Limits(timeout_ms=60_000),
                  grants=Grants(cache={"bench"}))

    def run(path: str) -> float:
        started = time.perf_counter()
        r = h.handle(HttpRequest("GET", f"{path}?n={n}"))
        assert r.status == 200, r.body
        return time.perf_counter() - started

    run("/call")  # warm up (cache store, instance)
    calls = [run("/call") for _ in range(rounds)]
    bases = [run("/base") for _ in range(rounds)]
    return (statistics.median(calls) - statistics.median(bases)) / n * 1e6


class _Slow(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # one segment per write: no 40 ms delayed-ACK stalls

    def do_GET(self) -> None:
        time.sleep(0.05)
        self.send_response(200)
        self.send_header("content-length", "2")
        self.end_headers()
        self.wfile.write(b"ok")

    def log_message(self, *args: object) -> None:
        pass


@contextmanager
def slow_server() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Slow)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()


def parallel_ms(rounds: int) -> tuple[float, float]:
    with slow_server() as base:
        host = Host(modules=ModuleConfig())
        h = host.load(Bundle((HERE / "overhead.js").read_text(), "overhead.js"), Limits(timeout_ms=10_000),
                      grants=Grants(egress={base.removeprefix("http://")}))

        def run(path: str) -> float:
            started = time.perf_counter()
            r = h.handle(HttpRequest("GET", f"{path}?base={base}"))
            assert r.body == b"[200,200,200]", r.body
            return (time.perf_counter() - started) * 1000

        run("/parallel")
        par = statistics.median(run("/parallel") for _ in range(rounds))
        seq = statistics.median(run("/sequential") for _ in range(rounds))
        host.engine.close()
        return par, seq


def token() -> str:
    def b64(b: bytes) -> str:
        return base64.urlsafe_b64encode(b).rstrip(b"=").decode()

    h, p = b64(b'{"alg":"HS256","typ":"JWT"}'), b64(b'{"sub":"bench"}')
    return f"{h}.{p}.{b64(hmac.new(b'bench-secret', f'{h}.{p}'.encode(), hashlib.sha256).digest())}"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def served(cache: str) -> Iterator[int]:
    port = free_port()
    log = Path(tempfile.mkstemp(prefix="zigttp-bench-modules-", suffix=".log")[1])
    with log.open("w") as out:
        proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "zigttp.cli",
                "serve",
                str(HERE / "session.js"),
                "--no-verify",
                "--allow-cache",
                "sessions",
                "--port",
                str(port),
                "--workers",
                "2",
                "--cache",
                cache,
                "-q",
            ],
            cwd=REPO,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        deadline = time.monotonic() + 120
        import http.client

        while True:
            try:
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=1)
                conn.request("GET", "/_health")
                if conn.getresponse().status == 200:
                    break
            except OSError:
                pass
            if proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"server did not start:\n{log.read_text()}")
            time.sleep(0.1)
        yield port
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
        log.unlink(missing_ok=True)


def load(port: int, seconds: int) -> dict[str, float]:
    auth = f"Authorization: Bearer {token()}"
    import http.client

    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
    conn.request("GET", "/", headers={"authorization": f"Bearer {token()}"})
    answer = conn.getresponse()
    body = json.loads(answer.read())
    assert answer.status == 200 and body["user"] == "bench", body
    if shutil.which("wrk"):
        subprocess.run(["wrk", "-t1", "-c32", "-d2s", "-H", auth, f"http://127.0.0.1:{port}/"], capture_output=True)
        out = subprocess.run(
            ["wrk", "-t1", "-c32", f"-d{seconds}s", "--latency", "-H", auth, f"http://127.0.0.1:{port}/"],
            capture_output=True,
            text=True,
        ).stdout
        rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
        lat = dict(re.findall(r"\s+(50|99)%\s+([\d.]+\w+)", out))
        errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
        return {
            "req_s": rps,
            "p50": lat.get("50", "?"),
            "p99": lat.get("99", "?"),
            "non_2xx": int(errors.group(1)) if errors else 0,
            "client": "wrk -t1 -c32",
        }
    return _python_load(port, seconds)


def _python_load(port: int, seconds: int) -> dict[str, float]:
    import http.client

    count = [0]
    stop = time.monotonic() + seconds

    def worker() -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
        while time.monotonic() < stop:
            conn.request("GET", "/", headers={"authorization": f"Bearer {token()}"})
            conn.getresponse().read()
            count[0] += 1

    threads = [threading.Thread(target=worker) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return {"req_s": count[0] / seconds, "client": "python, 8 threads (no wrk)"}


def embedded(n: int, rounds: int, redis_url: str | None) -> None:
    memory = Host(modules=ModuleConfig())
    print(f"1. host-call overhead (cacheGet, in-memory store): {per_call_us(memory, n, rounds):.2f} µs/call")
    memory.engine.close()
    with tempfile.TemporaryDirectory() as tmp:
        sqlite = Host(modules=ModuleConfig(cache_backend="sqlite", cache_path=f"{tmp}/cache.sqlite3"))
        print(f"   host-call + SQLite store (cacheGet, shared): {per_call_us(sqlite, n // 4, rounds):.2f} µs/call")
        sqlite.functions.runtime.close()
        sqlite.engine.close()
    if redis_url is not None:
        redis = Host(modules=ModuleConfig(cache_backend="redis", cache_url=redis_url, cache_prefix="bench:embedded:"))
        print(f"   host-call + Redis store (cacheGet, 127.0.0.1): {per_call_us(redis, n // 20, rounds):.2f} µs/call")
        redis.functions.runtime.close()
        redis.engine.close()


def served_runs(stores: list[str], seconds: int) -> None:
    for cache in stores:
        with served(cache) as port:
            r = load(port, seconds)
        extra = f", p50 {r['p50']}, p99 {r['p99']}, non-2xx {r['non_2xx']}" if "p50" in r else ""
        label = "redis://127.0.0.1" if "://" in cache else cache
        print(
            f"3. cacheGet + cacheSet + jwtVerify per request, --workers 2 --cache {label}: "
            f"{r['req_s']:.0f} req/s ({r['client']}{extra})"
        )


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="fewer rounds, 3 s load runs")
    ap.add_argument("--skip-server", action="store_true", help="only the embedded measurements")
    ap.add_argument("--skip-redis", action="store_true", help="only the built-in cache stores")
    args = ap.parse_args()
    rounds, n, seconds = (3, 2000, 3) if args.quick else (7, 20000, 10)

    print(f"zigttp module boundary benchmark ({os.cpu_count()} CPUs, Python {sys.version.split()[0]}, "
          f"load average {os.getloadavg()[0]:.2f})")
    with contextlib.ExitStack() as stack:
        redis_url = None
        if not args.skip_redis:
            try:
                redis_url = stack.enter_context(services.redis()).url
            except services.Unavailable as e:
                print(f"(the Redis cases are skipped: {e})")
        embedded(n, rounds, redis_url)
        par, seq = parallel_ms(rounds)
        print(f"2. 3 × 50 ms upstream calls: parallel() {par:.1f} ms, one after another {seq:.1f} ms")
        if not args.skip_server:
            served_runs(["sqlite", "memory"] + ([redis_url] if redis_url else []), seconds)
    print(f"(load average at the end: {os.getloadavg()[0]:.2f})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
