#!/usr/bin/env python3
"""Benchmark the zigts front end: warm, in-process median compile time.

Compiles two committed, realistic handlers (scripts/bench_fixtures/small, about
200 lines, and scripts/bench_fixtures/large, about 2,000 lines across 16
modules: routing with `match`, guards, types, JSX, local imports) repeatedly
and reports the median of the timed runs after warm-up runs.

Targets (issue 3): small <= 20 ms, large <= 200 ms. `--check` exits 1 when a
median misses its target.

Both scripts then print the same pipeline table (bench_timing.pipeline): the
compile, verify and analysis+contract medians of both fixtures with every
cache off (median of 10 after one warm-up; target for the large fixture's
analysis+contract: <= 100 ms), and the cold `zigttp serve` time from spawn to
the first 200, once with every cache empty and once with only the analysis
cache empty (`--no-serve` leaves it out, `--no-pipeline` the whole table).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench_timing import add_timing_args, judged, pipeline_section, time_runs  # noqa: E402

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
    return {
        "files": len(result.files),
        "lines": lines,
        **time_runs(lambda: compile_file(entry), runs, warmup),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    add_timing_args(parser)
    args = parser.parse_args(argv)

    rows = []
    for name, entry, target in FIXTURES:
        stats = measure(entry, args.runs, args.warmup)
        rows.append(judged(stats, name, entry, ROOT, target))

    if not args.json:
        _print_table(rows, args)
    pipeline_ok = pipeline_section(args, FIXTURES, ROOT, rows)
    if args.json:
        print(json.dumps(rows, indent=2))
    return 0 if not args.check or (pipeline_ok and all(row.get("ok", True) for row in rows)) else 1


def _print_table(rows: list[dict[str, object]], args: argparse.Namespace) -> None:
    print(f"{'fixture':<8} {'files':>5} {'lines':>6} {'median':>10} {'min':>10} {'max':>10} {'target':>9}  status")
    for row in rows:
        print(
            f"{row['fixture']:<8} {row['files']:>5} {row['lines']:>6} {row['median_ms']:>7.2f} ms "
            f"{row['min_ms']:>7.2f} ms {row['max_ms']:>7.2f} ms {row['target_ms']:>6.0f} ms  "
            f"{'ok' if row['ok'] else 'SLOW'}"
        )
    print(f"python {sys.version.split()[0]}, {args.runs} timed runs after {args.warmup} warm-up runs")


if __name__ == "__main__":
    raise SystemExit(main())
