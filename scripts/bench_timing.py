"""Shared by the in-process micro-benchmarks (bench_compile.py, bench_verify.py):
warm-up, timed runs and their summary, the common flags, and the target verdict."""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable
from pathlib import Path


def add_timing_args(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--runs", type=int, default=30, help="timed runs per fixture (default 30)")
    parser.add_argument("--warmup", type=int, default=5, help="untimed warm-up runs (default 5)")
    parser.add_argument("--json", action="store_true", help="print JSON instead of a table")
    parser.add_argument("--check", action="store_true", help="exit 1 if a median misses its target")


def time_runs(fn: Callable[[], object], runs: int, warmup: int) -> dict[str, object]:
    """Median, min and max wall milliseconds of `runs` calls after `warmup` untimed ones."""
    for _ in range(warmup):
        fn()
    timings = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        timings.append((time.perf_counter() - start) * 1000)
    return {"median_ms": statistics.median(timings), "min_ms": min(timings), "max_ms": max(timings), "runs": runs}


def judged(stats: dict[str, object], name: str, entry: Path, root: Path, target_ms: float) -> dict[str, object]:
    """The row for one fixture: its stats plus its target and whether the median meets it."""
    row = {**stats, "fixture": name, "entry": str(entry.relative_to(root)), "target_ms": target_ms}
    row["ok"] = row["median_ms"] <= target_ms  # type: ignore[operator]
    return row
