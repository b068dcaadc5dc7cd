#!/usr/bin/env python3
"""Record and replay costs, in process: what a journal adds per request, and replay speed in traces per second.

    .venv/bin/python scripts/bench_replay.py                 # 5000 traces, 3 rounds
    .venv/bin/python scripts/bench_replay.py --traces 20000

For each handler (hello: no module calls; io: five module calls and a clock
reading) it measures, on one pooled instance, the CPU time per request of
Handler.handle() without a journal and with one recording into a trace
file, and prints the ratio. Then it replays the recorded file with the same
code `zigttp replay` runs (a fresh instance per trace) and prints traces per
second (handler loading excluded, reading the file included). Targets:
replay >= 2000 traces/s for hello; the untraced path is the baseline the
issue asks to leave unchanged (compare the "no journal" column across
commits). Medians of --rounds rounds.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(REPO), str(REPO / "host")]

from zigttp_host import Bundle, Grants, Host, HttpRequest, Limits, ModuleConfig  # noqa: E402
from zigttp_host.tracefile import TraceWriter, known_exports, read_traces  # noqa: E402

HANDLERS = {
    "hello": ('export function handler(req) { return Response.text("Hello, World!"); }', Grants()),
    "io": ("""import { env } from "zigttp:env";
import { sha256, base64Encode } from "zigttp:crypto";
import { slugify } from "zigttp:text";
export function handler(req) {
  const k = env("KEY") ?? "";
  return Response.json({ a: sha256(k), b: base64Encode(req.path), c: slugify("Hello World"), d: sha256(req.path),
                         t: Date.now() });
}""", Grants(env=frozenset({"KEY"}))),
}
REPLAY_TARGET = 2000.0


def per_request_us(handle, request: HttpRequest, n: int) -> float:
    for _ in range(200):
        handle(request)
    start = time.process_time()
    for _ in range(n):
        handle(request)
    return (time.process_time() - start) / n * 1e6


def measure_journal_cost(host: Host, name: str, rounds: int, n: int, folder: Path) -> tuple[float, float]:
    source, grants = HANDLERS[name]
    plain = host.load(Bundle(source, f"{name}.js"), Limits(), grants=grants)
    writer = TraceWriter(folder / f"cost-{name}.jsonl", host.functions, meta={"handler": name})
    traced = host.load(Bundle(source, f"{name}.js"), Limits(), grants=grants, trace=writer)
    request = HttpRequest("GET", "/bench")
    a, b = [], []
    for _ in range(rounds):
        a.append(per_request_us(plain.handle, request, n))
        b.append(per_request_us(traced.handle, request, n))
    writer.close()
    return statistics.median(a), statistics.median(b)


def measure_replay(host: Host, name: str, traces: int, rounds: int, folder: Path) -> float:
    from zigttp.replay.replay import replay_all
    from zigttp.replay.target import ReplayTarget

    source, grants = HANDLERS[name]
    path = folder / f"replay-{name}.jsonl"
    writer = TraceWriter(path, host.functions, meta={"handler": name, "isolation": "fresh", "state_isolated": True})
    recorder = host.load(Bundle(source, f"{name}.js"), Limits(), grants=grants, trace=writer)
    for i in range(traces):
        recorder.handle(HttpRequest("GET", f"/r/{i}"))
    writer.close()
    fresh = host.load(Bundle(source, f"{name}.js"), Limits(), isolation="fresh", grants=grants)
    target = ReplayTarget(None, host, fresh, known_exports(host.functions))  # type: ignore[arg-type]
    rates = []
    for _ in range(rounds):
        start = time.perf_counter()
        groups = read_traces(path, target.known).groups
        outcomes = replay_all(target, groups)
        elapsed = time.perf_counter() - start
        assert all(o.bucket == "identical" for o in outcomes), "a replay differed"
        rates.append(len(groups) / elapsed)
    return statistics.median(rates)


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--traces", type=int, default=5000, help="recorded requests replayed per round")
    p.add_argument("--requests", type=int, default=5000, help="requests per round for the journal cost")
    p.add_argument("--rounds", type=int, default=3)
    args = p.parse_args()
    host = Host(modules=ModuleConfig(env={"KEY": "bench-key-value"}))
    print(f"bench_replay: {args.rounds} rounds, medians; CPU time per request on one pooled instance")
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        print(f"{'handler':<8} {'no journal µs':>14} {'recorded µs':>12} {'ratio':>7}   replay traces/s")
        for name in HANDLERS:
            plain, traced = measure_journal_cost(host, name, args.rounds, args.requests, folder)
            rate = measure_replay(host, name, args.traces, args.rounds, folder)
            verdict = "PASS" if rate >= REPLAY_TARGET else "FAIL"
            mark = "" if name != "hello" else f"  (target >= {REPLAY_TARGET:.0f}: {verdict})"
            print(f"{name:<8} {plain:>14.1f} {traced:>12.1f} {plain / traced:>7.2f}   {rate:>10.0f}{mark}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
