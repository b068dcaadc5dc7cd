#!/usr/bin/env python3
"""Benchmark the zigts front end: warm, in-process median compile time.

Compiles two committed, realistic handlers (scripts/bench_fixtures/small, about
200 lines, and scripts/bench_fixtures/large, about 2,000 lines across 16
modules: routing with `match`, guards, types, JSX, local imports) repeatedly
and reports the median of the timed runs after warm-up runs.

Targets (issue 3): small <= 20 ms, large <= 200 ms. `--check` exits 1 when a
median misses its target.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from zigttp.compiler import compile_file  # noqa: E402

FIXTURES = [
    ("small", ROOT / "scripts/bench_fixtures/small/handler.tsx", 20.0),
    ("large", ROOT / "scripts/bench_fixtures/large/handler.tsx", 200.0),
]


def measure(entry: Path, runs: int, warmup: int) -> dict[str, object]:
    result = compile_file(entry)
    if not result.ok:
        raise SystemExit(f"fixture {entry} does not compile:\n{result.render_text()}")
    lines = sum(Path(name).read_text().count("\n") for name in result.files)
    for _ in range(warmup):
        compile_file(entry)
    timings = []
    for _ in range(runs):
        start = time.perf_counter()
        compile_file(entry)
        timings.append((time.perf_counter() - start) * 1000)
    return {
        "files": len(result.files),
        "lines": lines,
        "median_ms": statistics.median(timings),
        "min_ms": min(timings),
        "max_ms": max(timings),
        "runs": runs,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=30, help="timed runs per fixture (default 30)")
    parser.add_argument("--warmup", type=int, default=5, help="untimed warm-up runs (default 5)")
    parser.add_argument("--json", action="store_true", help="print JSON instead of a table")
    parser.add_argument("--check", action="store_true", help="exit 1 if a median misses its target")
    args = parser.parse_args(argv)

    rows = []
    for name, entry, target in FIXTURES:
        stats = measure(entry, args.runs, args.warmup)
        stats.update({"fixture": name, "entry": str(entry.relative_to(ROOT)), "target_ms": target})
        stats["ok"] = stats["median_ms"] <= target  # type: ignore[operator]
        rows.append(stats)

    if args.json:
        print(json.dumps(rows, indent=2))
    else:
        print(f"{'fixture':<8} {'files':>5} {'lines':>6} {'median':>10} {'min':>10} {'max':>10} {'target':>9}  status")
        for row in rows:
            print(
                f"{row['fixture']:<8} {row['files']:>5} {row['lines']:>6} {row['median_ms']:>7.2f} ms "
                f"{row['min_ms']:>7.2f} ms {row['max_ms']:>7.2f} ms {row['target_ms']:>6.0f} ms  "
                f"{'ok' if row['ok'] else 'SLOW'}"
            )
        print(f"python {sys.version.split()[0]}, {args.runs} timed runs after {args.warmup} warm-up runs")
    return 0 if (not args.check or all(row["ok"] for row in rows)) else 1


if __name__ == "__main__":
    raise SystemExit(main())
