#!/usr/bin/env python3
"""Benchmark the verifier: warm, in-process median time of `verify_file`.

Verifies a committed, realistic handler of about 2,000 lines across 16 modules
(scripts/bench_fixtures/large: a storefront with routing by `match`, guard
chains, discriminated unions, generics, JSX, zigttp:auth/env/cache/crypto, and
its mutable state in zigttp:cache) and reports the median after warm-up runs.
The timing covers everything `zigttp verify` does in process: reading and
parsing every file, bundling, and all checks (types, sound mode, handler
verifier, flow, paths, properties). `--strict` adds the strict profile.

Target (issue 5): <= 300 ms. `--check` exits 1 when the median misses it.

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

from zigttp.verifier import verify_file  # noqa: E402

FIXTURES = [
    ("small", ROOT / "scripts/bench_fixtures/small/handler.tsx", 60.0),
    ("large", ROOT / "scripts/bench_fixtures/large/handler.tsx", 300.0),
]


def measure(entry: Path, runs: int, warmup: int, strict: bool) -> dict[str, object]:
    result = verify_file(entry, strict=strict)
    if not strict and not result.ok:
        raise SystemExit(f"fixture {entry} does not verify:\n{result.render_text()}")
    lines = sum(text.count("\n") for text in result.sources.values())
    return {
        "files": len(result.files),
        "lines": lines,
        "paths": result.paths.count if result.paths else None,
        **time_runs(lambda: verify_file(entry, strict=strict), runs, warmup),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    add_timing_args(parser)
    parser.add_argument("--strict", action="store_true", help="also run the strict profile")
    args = parser.parse_args(argv)

    rows = []
    for name, entry, target in FIXTURES:
        stats = measure(entry, args.runs, args.warmup, args.strict)
        rows.append(judged(stats, name, entry, ROOT, target))

    if not args.json:
        _print_table(rows, args)
    pipeline_ok = pipeline_section(args, FIXTURES, ROOT, rows)
    if args.json:
        print(json.dumps(rows, indent=2))
    return 0 if not args.check or (pipeline_ok and all(row.get("ok", True) for row in rows)) else 1


def _print_table(rows: list[dict[str, object]], args: argparse.Namespace) -> None:
    print(
        f"{'fixture':<8} {'files':>5} {'lines':>6} {'paths':>6} {'median':>10} {'min':>10} {'max':>10} "
        f"{'target':>9}  status"
    )
    for row in rows:
        print(
            f"{row['fixture']:<8} {row['files']:>5} {row['lines']:>6} {row['paths']!s:>6} "
            f"{row['median_ms']:>7.2f} ms {row['min_ms']:>7.2f} ms {row['max_ms']:>7.2f} ms "
            f"{row['target_ms']:>6.0f} ms  {'ok' if row['ok'] else 'SLOW'}"
        )
    print(
        f"python {sys.version.split()[0]}, {args.runs} timed runs after {args.warmup} warm-up runs"
        f"{', strict' if args.strict else ''}"
    )


if __name__ == "__main__":
    sys.exit(main())
