#!/usr/bin/env python3
"""`zigttp prove` measured: soundness on the corpus, and the time to prove one pair with recorded traffic.

    .venv/bin/python scripts/bench_prove.py                # the corpus, then one pair with 1,000 traces
    .venv/bin/python scripts/bench_prove.py --traces 5000

Soundness: every pair of tests/prove/corpus.py (mutants of the examples and
refactors that change nothing observable) through the contract diff; prints
the share classified exactly as expected (target >= 95 %) and the mutants
classified as less severe than they are (target 0), naming each miss and
the known gap behind it. Speed: records --traces requests to
examples/modules/router.ts through the sandbox into a trace file, then times
`zigttp prove` of that handler against a refactor of it (a helper extracted) with those
traces (the static diff, and every trace replayed twice against NEW).
"""

from __future__ import annotations

import argparse
import itertools
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(REPO), str(REPO / "host")]

from tests.prove.corpus import CORPUS, Outcome, classify  # noqa: E402

EXACT_TARGET = 0.95
PAIR = "router-helper-extracted"
REQUESTS = (("GET", "/users/7"), ("GET", "/users/7/posts/9"), ("POST", "/users"), ("GET", "/static/a/b.css"),
            ("GET", "/nowhere"))


def soundness(folder: Path) -> list[Outcome]:
    return [classify(pair, folder / pair.name) for pair in CORPUS]


def record_traces(handler: Path, path: Path, count: int) -> None:
    from zigttp.loader import load_handler
    from zigttp_host import Grants, Host, HttpRequest, Limits
    from zigttp_host.tracefile import TraceWriter

    loaded = load_handler(handler)
    host = Host()
    writer = TraceWriter(path, host.functions, meta={"handler": handler.name, "isolation": "pooled",
                                                     "state_isolated": True})
    served = host.load(loaded.bundle, Limits(), grants=Grants.from_contract(loaded.contract or {}), trace=writer)
    for (method, url), _ in zip(itertools.cycle(REQUESTS), range(count), strict=False):
        served.handle(HttpRequest(method, url, [("host", "bench")], b""))
    writer.close()
    host.engine.close()


def prove_with_traces(folder: Path, traces: int) -> tuple[float, str, int]:
    from zigttp.prove.inputs import load_side
    from zigttp.prove.run import prove

    pair = next(p for p in CORPUS if p.name == PAIR)
    old, new = pair.materialize(folder / "pair")
    trace = folder / "traces" / "trace.jsonl"
    record_traces(old, trace, traces)
    started = time.perf_counter()
    proof = prove(load_side(str(old)), load_side(str(new)), trace.parent)
    elapsed = time.perf_counter() - started
    replayed = proof.evidence.replayed if proof.evidence is not None else 0
    return elapsed, proof.verdict.verdict, replayed


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--traces", type=int, default=1000, help="recorded requests replayed in the timed proof")
    args = p.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="zigttp-bench-prove-"))
    started = time.perf_counter()
    outcomes = soundness(folder)
    took = time.perf_counter() - started
    exact = sum(o.exact for o in outcomes)
    mutants = [o for o in outcomes if o.pair.kind == "mutant"]
    less = [o for o in mutants if o.less_severe]
    share = exact / len(outcomes)
    print(f"bench_prove: {len(outcomes)} pairs ({len(mutants)} mutants, {len(outcomes) - len(mutants)} refactors), "
          f"{took:.1f} s")
    print(f"  classified exactly as expected   {exact}/{len(outcomes)} = {share:.1%}   target >= {EXACT_TARGET:.0%}: "
          f"{'PASS' if share >= EXACT_TARGET else 'MISS'}")
    print(f"  mutants less severe than they are {len(less)}   target 0: {'PASS' if not less else 'MISS'}")
    for o in outcomes:
        if not o.exact:
            print(f"    {o.pair.name}: expected {o.pair.expected}, got {o.got}"
                  + (f" ({o.pair.gap})" if o.pair.gap else ""))
    elapsed, verdict, replayed = prove_with_traces(folder, args.traces)
    print(f"  one pair with {args.traces} traces   {elapsed:.2f} s ({replayed} replayed twice; verdict {verdict})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
