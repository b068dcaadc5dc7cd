#!/usr/bin/env python3
"""GET /_health latency while hostile requests run, and the cost of bounding host work.

1. Starts `zigttp serve tests/modules/handlers/hostile.js` on 127.0.0.1, samples
   GET /_health on an idle server, then again while --clients threads keep
   sending hostile requests for --seconds: a string against `^(a|aa)+$`
   (exponential for a backtracking engine), object keys against the same
   pattern through patternProperties/additionalProperties, and a 1 MB array
   validated item by item (host work bounded only by the request's deadline).
   Prints p50/p99/max next to the target (p99 <= --target-ms) with PASS or MISS.
2. The cost of the deadline checks on ordinary validation: validating a
   typical request body against a typical schema, in process, with the
   bounded validator zigttp uses and with plain jsonschema (same schema,
   same linear patterns), per call.

Only 127.0.0.1 is contacted; the run takes about --seconds plus start-up.

    .venv/bin/python scripts/bench_hostile.py                 # both parts
    .venv/bin/python scripts/bench_hostile.py --seconds 5 --clients 3
    .venv/bin/python scripts/bench_hostile.py --no-serve      # only part 2
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
HANDLER = REPO / "tests" / "modules" / "handlers" / "hostile.js"
sys.path.insert(0, str(REPO / "host"))
sys.path.insert(0, str(REPO))

HOSTILE = {
    "pattern": ("/pattern", json.dumps("a" * 40 + "!").encode()),
    "keys": ("/keys", json.dumps({"a" * 36 + "!": 1, "aaaa": 2}).encode()),
    "large": ("/numbers", ("[" + ",".join(str(i % 5) for i in range(500_000)) + "]").encode()),
}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def served(args: argparse.Namespace) -> Iterator[str]:
    import httpx

    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    cmd = [sys.executable, "-m", "zigttp.cli", "serve", str(HANDLER), "--no-verify", "-q", "--host", "127.0.0.1",
           "--port", str(port), "--workers", "1", "--threads", str(args.threads), "--timeout-ms",
           str(args.timeout_ms)]
    with tempfile.TemporaryFile() as log:
        proc = subprocess.Popen(cmd, cwd=REPO, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        try:
            deadline = time.monotonic() + 120
            while True:
                if proc.poll() is not None:
                    log.seek(0)
                    raise SystemExit(f"zigttp serve exited with {proc.returncode}:\n{log.read().decode()}")
                try:
                    if httpx.get(f"{url}/_health", timeout=1).status_code == 200:
                        break
                except httpx.HTTPError:
                    pass
                if time.monotonic() > deadline:
                    raise SystemExit("zigttp serve did not become healthy within 120 s")
                time.sleep(0.05)
            yield url
        finally:
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGTERM)
                try:
                    proc.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    os.killpg(proc.pid, signal.SIGKILL)
                    proc.wait()


def sample_health(url: str, seconds: float, interval: float) -> list[float]:
    """GET /_health every `interval` for `seconds` on one keep-alive connection: latencies in ms."""
    import httpx

    out = []
    with httpx.Client(base_url=url, timeout=30) as client:
        client.get("/_health")
        end = time.monotonic() + seconds
        while time.monotonic() < end:
            started = time.perf_counter()
            r = client.get("/_health")
            out.append((time.perf_counter() - started) * 1000)
            if r.status_code != 200:
                raise SystemExit(f"/_health answered {r.status_code}")
            time.sleep(interval)
    return out


def flood(url: str, kinds: list[str], stop: threading.Event, outcomes: Counter[str], lock: threading.Lock) -> None:
    import httpx

    with httpx.Client(base_url=url, timeout=60) as client:
        i = 0
        while not stop.is_set():
            kind = kinds[i % len(kinds)]
            path, body = HOSTILE[kind]
            try:
                status = str(client.post(path, content=body).status_code)
            except httpx.HTTPError as e:
                status = type(e).__name__
            with lock:
                outcomes[f"{kind} {status}"] += 1
            i += 1


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def report(label: str, ms: list[float]) -> str:
    return (f"  {label:<22} n={len(ms):<5} p50 {statistics.median(ms):7.2f} ms   p99 {percentile(ms, 99):7.2f} ms   "
            f"max {max(ms):7.2f} ms")


def health_under_load(args: argparse.Namespace) -> bool:
    kinds = [k.strip() for k in args.mix.split(",") if k.strip()]
    unknown = [k for k in kinds if k not in HOSTILE]
    if unknown or not kinds:
        raise SystemExit(f"--mix: choose from {', '.join(HOSTILE)} (got {args.mix!r})")
    print(f"GET /_health under hostile load: 1 worker, {args.threads} threads, --timeout-ms {args.timeout_ms}, "
          f"{args.clients} hostile clients ({', '.join(kinds)}) for {args.seconds:g} s")
    with served(args) as url:
        idle = sample_health(url, min(2.0, args.seconds), args.interval)
        stop, lock, outcomes = threading.Event(), threading.Lock(), Counter[str]()
        clients = [threading.Thread(target=flood, args=(url, kinds[i % len(kinds):] + kinds[:i % len(kinds)], stop,
                                                        outcomes, lock), daemon=True) for i in range(args.clients)]
        for t in clients:
            t.start()
        time.sleep(0.5)  # every client has a request in flight
        loaded = sample_health(url, args.seconds, args.interval)
        stop.set()
        for t in clients:
            t.join(timeout=args.timeout_ms / 1000 + 30)
    print(report("idle", idle))
    print(report("under hostile load", loaded))
    print("  hostile requests answered: " + ", ".join(f"{k}: {v}" for k, v in sorted(outcomes.items())))
    ok = percentile(loaded, 99) <= args.target_ms
    print(f"  target p99 <= {args.target_ms:g} ms under load: {'PASS' if ok else 'MISS'} "
          f"({percentile(loaded, 99):.2f} ms)")
    return ok


def validation_overhead(rounds: int) -> None:
    from jsonschema import Draft202012Validator
    from referencing import Registry

    from zigttp_host.virtual_modules import validate
    from zigttp_host.virtual_modules.runtime import Budget

    schema = {"type": "object", "required": ["name", "email", "items"], "additionalProperties": False,
              "properties": {"name": {"type": "string", "minLength": 1, "maxLength": 100},
                             "email": {"type": "string", "pattern": "^[^@\\s]+@[^@\\s]+\\.[a-z]{2,}$"},
                             "age": {"type": "integer", "minimum": 0, "maximum": 150},
                             "items": {"type": "array", "maxItems": 50, "items": {
                                 "type": "object", "required": ["sku", "qty"],
                                 "properties": {"sku": {"type": "string", "pattern": "^[A-Z]{3}-[0-9]{4}$"},
                                                "qty": {"type": "integer", "minimum": 1}}}}}}
    doc = {"name": "Ann Lee", "email": "ann@example.com", "age": 31,
           "items": [{"sku": f"ABC-{i:04d}", "qty": i + 1} for i in range(10)]}
    bounded = validate.compile_schema("bench", json.dumps(schema))
    plain = Draft202012Validator(schema, registry=Registry())
    budget = Budget(None, "bench")
    budget.deadline = time.monotonic() + 3600

    def once(run: Callable[[], object]) -> float:
        started = time.perf_counter()
        for _ in range(rounds):
            run()
        return (time.perf_counter() - started) / rounds * 1e6

    # interleaved, best of 7 each: other load on the machine hits both alike
    checked, plain_us = [], []
    for _ in range(7):
        checked.append(once(lambda: validate.errors_of(bounded, doc, budget)))
        plain_us.append(once(lambda: list(plain.iter_errors(doc))))
    with_checks, without = min(checked), min(plain_us)
    print(f"Validation of a typical body (in process, best of 7 x {rounds}, interleaved):")
    print(f"  plain jsonschema       {without:8.1f} us per call")
    print(f"  zigttp (bounded, RE2)  {with_checks:8.1f} us per call   ({(with_checks / without - 1) * 100:+.1f} %)")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter, epilog=__doc__)
    parser.add_argument("--seconds", type=float, default=10.0, help="how long the hostile load runs (default 10)")
    parser.add_argument("--clients", type=int, default=4, help="concurrent hostile clients (default 4)")
    parser.add_argument("--threads", type=int, default=4, help="server handler threads (default 4)")
    parser.add_argument("--timeout-ms", type=int, default=2000, help="the server's --timeout-ms (default 2000)")
    parser.add_argument("--mix", default="pattern,keys,large",
                        help=f"hostile request kinds, comma-separated, from {', '.join(HOSTILE)} (default: all)")
    parser.add_argument("--interval", type=float, default=0.02, help="seconds between /_health samples (0.02)")
    parser.add_argument("--target-ms", type=float, default=20.0, help="p99 target under load (default 20)")
    parser.add_argument("--rounds", type=int, default=300, help="validation rounds for part 2 (default 300)")
    parser.add_argument("--no-serve", action="store_true", help="skip part 1 (the served measurement)")
    parser.add_argument("--no-overhead", action="store_true", help="skip part 2 (validation overhead)")
    args = parser.parse_args(argv)
    if args.seconds <= 0 or args.seconds > 600 or args.clients < 1 or args.clients > 64:
        parser.error("--seconds must be in (0, 600] and --clients in [1, 64]")
    ok = True
    if not args.no_serve:
        ok = health_under_load(args)
    if not args.no_overhead:
        validation_overhead(args.rounds)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
