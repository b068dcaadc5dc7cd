#!/usr/bin/env python3
"""Durable execution costs, in process: what a persisted step and a run cost, on files and on PostgreSQL.

    .venv/bin/python scripts/bench_durable.py                      # the file store, 300 runs per measurement
    .venv/bin/python scripts/bench_durable.py --runs 1000
    .venv/bin/python scripts/bench_durable.py --store postgres     # and a PostgreSQL it starts (fsync on)
    .venv/bin/python scripts/bench_durable.py --store postgresql://user@host/db   # and that database

Prints: the disk's own fsync latency (p50/p99, for scale); then per store
(the file store in a fresh folder and, with --store, PostgreSQL beside it,
from the same run): the cost of one persisted step, p50/p99 (each sample: a
twenty-step run minus the median run with no step, divided by twenty);
completed three-step runs per second with 1 and with 32 concurrent runs
(threads, each with its own sandbox instance) and their latency p50/p99; the
resume latency of a run waiting on a signal in one process (signal sent,
then the request that resumes and completes it); and the signal-to-resume
latency across two processes: this process starts the run and sends its
signal, a second process's scheduler (polling every 0.2 s, as `zigttp serve`
does) resumes and completes it, and this process sees it completed. Every
run is a new key. Target (the durable issue): a three-step run <= 5 ms at
p50 on files; Restate reports about 50 ms for a three-step workflow with an
fsync per step.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import random
import secrets
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(REPO), str(REPO / "host")]

from zigttp_host import Bundle, Host, HttpRequest, Limits, ModuleConfig  # noqa: E402
from zigttp_host.durable.store import DurableStore, is_database_url, open_store  # noqa: E402

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
POLL_S = 0.002  # how often this process looks whether the other process completed the run
PHASE_S = 0.25  # a random wait before each signal, longer than the scheduler's poll


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


def modules(where: str, lease_s: float = 15.0) -> ModuleConfig:
    if is_database_url(where):
        return ModuleConfig(durable_url=where, durable_lease_s=lease_s)
    return ModuleConfig(durable_dir=where)


@dataclass
class Bench:
    """One store under measurement: where it is, and a fresh key prefix so runs never meet earlier ones."""

    label: str
    where: str  # a folder or a postgresql:// URL
    tag: str

    def where_of(self, name: str) -> str:
        """The file store gets a folder per measurement; a database keeps them apart by key."""
        return self.where if is_database_url(self.where) else str(Path(self.where) / name)

    def load(self, name: str, source: str) -> Any:
        host = Host(modules=modules(self.where_of(name)))
        return host.load(Bundle(source, "bench.js"), Limits(timeout_ms=30_000))

    def path(self, name: str, phase: str, i: int) -> str:
        return f"/{self.tag}/{name}/{phase}/{i}"


def latencies(handler: Any, path: Callable[[int], str], runs: int, threads: int) -> tuple[list[float], float]:
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
            r = handler.handle(HttpRequest("GET", path(i)))
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


def resume_latency(bench: Bench, runs: int) -> list[float]:
    """Signal sent, then the request that resumes and completes the run, in this process."""
    handler = bench.load("wait", WAIT)
    store = open_store(bench.where_of("wait"))
    out = []
    for i in range(runs):
        path = bench.path("wait", "here", i)
        assert handler.handle(HttpRequest("GET", path)).status == 202
        t = time.perf_counter()
        store.put_signal(path, "go", i)
        r = handler.handle(HttpRequest("GET", path))
        out.append((time.perf_counter() - t) * 1000)
        assert r.status == 200
    store.close()
    return out


@contextlib.contextmanager
def other_process(where: str) -> Iterator[None]:
    """A second process with its own Host and the durable scheduler on `where` (as a second server has)."""
    proc = subprocess.Popen([sys.executable, __file__, "--scheduler-for", where], stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, text=True)
    try:
        assert proc.stdout is not None and proc.stdout.readline().strip() == "ready", "the scheduler did not start"
        yield
    finally:
        assert proc.stdin is not None
        proc.stdin.close()
        proc.wait(timeout=30)


def serve_scheduler(where: str) -> int:
    """--scheduler-for: resumes the runs of `where` until stdin closes."""
    from zigttp_host.durable.scheduler import Scheduler

    handler = Host(modules=modules(where)).load(Bundle(WAIT, "bench.js"), Limits(timeout_ms=30_000))
    handler.warm()
    store = open_store(where)
    scheduler = Scheduler(store, handler.handle)
    scheduler.start()
    deadline = time.monotonic() + 60
    while scheduler._lead is None and time.monotonic() < deadline:  # leading: it resumes every run of the store
        time.sleep(0.05)
    print("ready", flush=True)
    sys.stdin.read()
    scheduler.stop()
    store.close()
    return 0


def cross_process_latency(bench: Bench, runs: int) -> list[float]:
    """Signal sent here; the other process's scheduler resumes and completes the run; seen completed here."""
    where = bench.where_of("cross")
    handler = Host(modules=modules(where)).load(Bundle(WAIT, "bench.js"), Limits(timeout_ms=30_000))
    store: DurableStore = open_store(where)
    out = []
    with other_process(where):
        for i in range(runs):
            path = bench.path("cross", "there", i)
            assert handler.handle(HttpRequest("GET", path)).status == 202
            time.sleep(random.uniform(0, PHASE_S))  # not in step with the scheduler's polls
            t = time.perf_counter()
            assert store.put_signal(path, "go", i)
            while not _completed(store, path):
                time.sleep(POLL_S)
            out.append((time.perf_counter() - t) * 1000)
    store.close()
    return out


def _completed(store: DurableStore, key: str) -> bool:
    oplog = store.read(key)
    return oplog is not None and oplog.complete


@dataclass
class Figures:
    step: list[float]
    one: list[float]
    rate1: float
    many: list[float]
    rate32: float
    here: list[float]
    there: list[float]


def measure(bench: Bench, runs: int) -> Figures:
    three, none = bench.load("three", THREE), bench.load("none", NONE)
    latencies(three, lambda i: bench.path("three", "warm", i), 20, 1)
    latencies(none, lambda i: bench.path("none", "warm", i), 20, 1)
    t1, rate1 = latencies(three, lambda i: bench.path("three", "one", i), runs, 1)
    n1, _ = latencies(none, lambda i: bench.path("none", "one", i), runs, 1)
    twenty = bench.load("twenty", TWENTY)
    latencies(twenty, lambda i: bench.path("twenty", "warm", i), 5, 1)
    t20, _ = latencies(twenty, lambda i: bench.path("twenty", "one", i), max(runs // 3, 10), 1)
    steps = [(t - statistics.median(n1)) / STEPS_PER_SAMPLE for t in t20]
    t32, rate32 = latencies(three, lambda i: bench.path("three", "many", i), runs, 32)
    here = resume_latency(bench, max(runs // 3, 10))
    there = cross_process_latency(bench, max(runs // 6, 10))
    return Figures(steps, t1, rate1, t32, rate32, here, there)


def rows(f: Figures) -> list[tuple[str, str]]:
    target = f"target p50 <= {TARGET_MS:.0f} ms: {'PASS' if pct(f.one, .5) <= TARGET_MS else 'FAIL'}"
    return [
        ("one persisted step", f"p50 {pct(f.step, .5):7.2f} ms   p99 {pct(f.step, .99):7.2f} ms"),
        ("three-step run, 1 at once", f"p50 {pct(f.one, .5):7.2f} ms   p99 {pct(f.one, .99):7.2f} ms"
                                      f"   {f.rate1:7.0f} runs/s   {target}"),
        ("three-step run, 32 at once", f"p50 {pct(f.many, .5):7.2f} ms   p99 {pct(f.many, .99):7.2f} ms"
                                       f"   {f.rate32:7.0f} runs/s"),
        ("resume after a signal", f"p50 {pct(f.here, .5):7.2f} ms   p99 {pct(f.here, .99):7.2f} ms"),
        ("signal to resume, 2 procs", f"p50 {pct(f.there, .5):7.2f} ms   p99 {pct(f.there, .99):7.2f} ms"),
    ]


@contextlib.contextmanager
def database(store: str | None) -> Iterator[tuple[str, str] | None]:
    """(url, description) of the PostgreSQL under --store, started here for `--store postgres`."""
    if store is None:
        yield None
    elif store == "postgres":
        from tests.support import services

        with services.postgres(fsync=True) as pg:
            yield pg.url, f"PostgreSQL started here ({pg.bin.parent.name}, fsync on, 127.0.0.1)"
    else:
        yield store, "PostgreSQL at " + store.split("@")[-1]


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--runs", type=int, default=300)
    p.add_argument("--dir", type=Path, default=None, help="where the durable folders go (default: a temp folder)")
    p.add_argument("--store", default=None, metavar="postgres|URL",
                   help="PostgreSQL beside the file store: `postgres` starts one here; a postgresql:// URL names one")
    p.add_argument("--scheduler-for", default=None, help=argparse.SUPPRESS)
    args = p.parse_args()
    if args.scheduler_for:
        return serve_scheduler(args.scheduler_for)
    if args.store not in (None, "postgres") and not is_database_url(args.store):
        p.error("--store takes `postgres` or a postgresql:// URL")
    base = Path(tempfile.mkdtemp(prefix="zigttp-bench-durable-", dir=args.dir))
    disk = fsync_latency(base)
    tag = secrets.token_hex(4)
    print(f"bench_durable: {args.runs} runs per measurement, folder on {base}")
    print(f"  disk fsync                 p50 {pct(disk, .5):7.2f} ms   p99 {pct(disk, .99):7.2f} ms")
    with database(args.store) as db:
        benches = [Bench("file store", str(base), tag)]
        if db is not None:
            benches.append(Bench(db[1], db[0], tag))
        for bench in benches:
            print(f"  {bench.label}:")
            for name, text in rows(measure(bench, args.runs)):
                print(f"  {name:<27}{text}", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
