#!/usr/bin/env python3
"""Durable execution costs, in process, on this machine's disk: what a persisted step and a run cost.

    .venv/bin/python scripts/bench_durable.py            # 300 runs per measurement
    .venv/bin/python scripts/bench_durable.py --runs 1000

Prints: the disk's own fsync latency (p50/p99, for scale); the cost of one
persisted step, p50/p99 (each sample: a twenty-step run minus the median
run with no step, divided by twenty); completed three-step runs per second with 1 and with 32 concurrent
runs (threads, each with its own sandbox instance) and their latency
p50/p99; and the resume latency of a run waiting on a signal (signal sent,
then the request that resumes and completes it). Each run is a new key in a
fresh durable folder. Target (the durable issue): a three-step run <= 5 ms
at p50; Restate reports about 50 ms for a three-step workflow with an fsync
per step.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(REPO), str(REPO / "host")]

from zigttp_host import Bundle, Host, HttpRequest, Limits, ModuleConfig  # noqa: E402
from zigttp_host.durable.store import FileStore  # noqa: E402

THREE = """import { run, step } from "zigttp:durable";
export function handler(req) {
  return run(req.path, () => {
    const a = step("a", () => 1);
    const b = step("b", () => a + 1);
    const c = step("c", () => b + 1);
    return Response.json({ c });
  });
}"""
TWENTY = """import { run, step } from "zigttp:durable";
export function handler(req) {
  return run(req.path, () => {
    let total = 0;
    for (let i = 0; i < 20; i++) total += step("s" + i, () => i);
    return Response.json({ total });
  });
}"""
STEPS_PER_SAMPLE = 20
NONE = """import { run } from "zigttp:durable";
export function handler(req) { return run(req.path, () => Response.json({ c: 0 })); }"""
WAIT = """import { run, step, waitSignal } from "zigttp:durable";
export function handler(req) {
  return run(req.path, () => { const v = waitSignal("go"); return Response.json(step("s", () => v)); });
}"""
TARGET_MS = 5.0


def pct(values: list[float], p: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(len(values) * p))]


def fsync_latency(folder: Path, n: int = 200) -> list[float]:
    fd = os.open(folder / "fsync.probe", os.O_WRONLY | os.O_CREAT | os.O_APPEND)
    out = []
    for _ in range(n):
        os.write(fd, b"x" * 120 + b"\n")
        t = time.perf_counter()
        os.fsync(fd)
        out.append((time.perf_counter() - t) * 1000)
    os.close(fd)
    return out


def load(folder: Path, source: str):
    host = Host(modules=ModuleConfig(durable_dir=str(folder)))
    return host.load(Bundle(source, "bench.js"), Limits(timeout_ms=30_000))


def latencies(handler, prefix: str, runs: int, threads: int) -> tuple[list[float], float]:
    out: list[float] = []
    lock = threading.Lock()
    counter = iter(range(runs))

    def worker() -> None:
        handler.warm()
        while True:
            with lock:
                i = next(counter, None)
            if i is None:
                return
            t = time.perf_counter()
            r = handler.handle(HttpRequest("GET", f"/{prefix}/{i}"))
            elapsed = (time.perf_counter() - t) * 1000
            assert r.status == 200, r.body
            with lock:
                out.append(elapsed)

    started = time.perf_counter()
    pool = [threading.Thread(target=worker) for _ in range(threads)]
    for t in pool:
        t.start()
    for t in pool:
        t.join()
    return out, runs / (time.perf_counter() - started)


def resume_latency(folder: Path, runs: int) -> list[float]:
    handler = load(folder, WAIT)
    store = FileStore(folder)
    out = []
    for i in range(runs):
        assert handler.handle(HttpRequest("GET", f"/w/{i}")).status == 202
        t = time.perf_counter()
        store.put_signal(f"/w/{i}", "go", i)
        r = handler.handle(HttpRequest("GET", f"/w/{i}"))
        out.append((time.perf_counter() - t) * 1000)
        assert r.status == 200
    return out


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--runs", type=int, default=300)
    p.add_argument("--dir", type=Path, default=None, help="where the durable folders go (default: a temp folder)")
    args = p.parse_args()
    base = Path(tempfile.mkdtemp(prefix="zigttp-bench-durable-", dir=args.dir))
    disk = fsync_latency(base)
    print(f"bench_durable: {args.runs} runs per measurement, folder on {base}")
    print(f"  disk fsync                 p50 {pct(disk, .5):7.2f} ms   p99 {pct(disk, .99):7.2f} ms")
    three = load(base / "three", THREE)
    none = load(base / "none", NONE)
    latencies(three, "warm", 20, 1)
    latencies(none, "warm", 20, 1)
    t1, rate1 = latencies(three, "one", args.runs, 1)
    n1, _ = latencies(none, "one", args.runs, 1)
    twenty = load(base / "twenty", TWENTY)
    latencies(twenty, "warm", 5, 1)
    t20, _ = latencies(twenty, "one", max(args.runs // 3, 10), 1)
    steps = [(t - statistics.median(n1)) / STEPS_PER_SAMPLE for t in t20]
    print(f"  one persisted step         p50 {pct(steps, .5):7.2f} ms   p99 {pct(steps, .99):7.2f} ms"
          f"   (a {STEPS_PER_SAMPLE}-step run minus a run with no step, / {STEPS_PER_SAMPLE})")
    print(f"  three-step run, 1 at once  p50 {pct(t1, .5):7.2f} ms   p99 {pct(t1, .99):7.2f} ms   {rate1:7.0f} runs/s"
          f"   target p50 <= {TARGET_MS:.0f} ms: {'PASS' if pct(t1, .5) <= TARGET_MS else 'FAIL'}")
    t32, rate32 = latencies(three, "many", args.runs, 32)
    print(f"  three-step run, 32 at once p50 {pct(t32, .5):7.2f} ms   p99 {pct(t32, .99):7.2f} ms"
          f"   {rate32:7.0f} runs/s")
    resumed = resume_latency(base / "wait", max(args.runs // 3, 10))
    print(f"  resume after a signal      p50 {pct(resumed, .5):7.2f} ms   p99 {pct(resumed, .99):7.2f} ms")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
