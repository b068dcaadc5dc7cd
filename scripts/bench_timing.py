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
    parser.add_argument("--no-pipeline", action="store_true",
                        help="leave out the compile / verify / analysis+contract / cold serve table")
    parser.add_argument("--no-serve", action="store_true", help="leave out the cold serve measurement (slow)")


def pipeline_section(args: argparse.Namespace, fixtures: list[tuple[str, Path, float]], root: Path,
                     rows: list[dict[str, object]]) -> bool:
    """Prints (or adds to the JSON rows) the shared pipeline table; False when its target is missed."""
    if args.no_pipeline:
        return True
    found = pipeline([(name, entry) for name, entry, _ in fixtures], root, serve=not args.no_serve)
    if args.json:
        rows.append({"pipeline": found})
    else:
        print_pipeline(found)
    return all(row.get("ok", True) for row in found)


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



def cold_serve_ms(entry: Path, cache: Path, path: str = "/", timeout: float = 300.0) -> float:
    """Wall milliseconds from spawning `zigttp serve ENTRY` to its first 200 on `path`, caching in `cache`."""
    import contextlib
    import http.client
    import os
    import signal
    import socket
    import subprocess
    import sys

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = {**os.environ, "ZIGTTP_CACHE_DIR": str(cache)}
    cmd = [sys.executable, "-m", "zigttp.cli", "serve", str(entry), "--port", str(port), "--workers", "1",
           "--quiet", "--no-env-check"]
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True)
    try:
        while time.perf_counter() - start < timeout:
            if proc.poll() is not None:
                err = proc.stderr.read().decode(errors="replace") if proc.stderr else ""
                raise RuntimeError(f"exited with {proc.returncode}: {err.strip().splitlines()[-1] if err else ''}")
            with contextlib.suppress(OSError):
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
                conn.request("GET", path)
                status = conn.getresponse().status
                conn.close()
                if status == 200:
                    return (time.perf_counter() - start) * 1000
            time.sleep(0.01)
        raise RuntimeError(f"no 200 within {timeout:.0f} s")
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=30)


def cold_serve(entry: Path) -> dict[str, object]:
    """The cold start twice: with every cache empty (the guest is compiled too), then with only the analysis
    cache (`compiled/`) empty, which isolates the handler's compile and verification."""
    import shutil
    import tempfile

    with tempfile.TemporaryDirectory(prefix="zigttp-bench-cache-") as tmp:
        cache = Path(tmp)
        try:
            empty = cold_serve_ms(entry, cache)
            shutil.rmtree(cache / "compiled", ignore_errors=True)
            analysis_only = cold_serve_ms(entry, cache)
        except RuntimeError as error:
            return {"error": str(error)}
    return {"empty_caches_ms": empty, "empty_analysis_cache_ms": analysis_only}


PIPELINE_TARGET_MS = 100.0  # analysis + contract of the 2,000-line fixture, every cache off


def analysis_and_contract(entry: Path) -> object:
    """What `zigttp build` does in process before writing: one analysis and the contract rendered from it."""
    from zigttp.contract.derive import derive

    return derive(entry, emit=False)


def pipeline(fixtures: list[tuple[str, Path]], root: Path, serve: bool, runs: int = 10,
             warmup: int = 1) -> list[dict[str, object]]:
    """Compile, verify and analysis+contract medians per fixture (no cache involved), and the cold serve."""
    from zigttp.compiler import compile_file
    from zigttp.verifier import verify_file

    rows: list[dict[str, object]] = []
    for name, entry in fixtures:
        row: dict[str, object] = {"fixture": name, "entry": str(entry.relative_to(root))}
        row["compile_ms"] = time_runs(lambda e=entry: compile_file(e, emit=False), runs, warmup)["median_ms"]
        row["verify_ms"] = time_runs(lambda e=entry: verify_file(e), runs, warmup)["median_ms"]
        row["analysis_contract_ms"] = time_runs(lambda e=entry: analysis_and_contract(e), runs, warmup)["median_ms"]
        if name == "large":
            row["target_ms"] = PIPELINE_TARGET_MS
            row["ok"] = row["analysis_contract_ms"] <= PIPELINE_TARGET_MS  # type: ignore[operator]
        if serve:
            row["cold_serve"] = cold_serve(entry)
        rows.append(row)
    return rows


def print_pipeline(rows: list[dict[str, object]], runs: int = 10, warmup: int = 1) -> None:
    print(f"\n{'fixture':<8} {'compile':>10} {'verify':>10} {'analysis+contract':>18}  "
          f"{'cold serve (empty caches / empty analysis cache)'}")
    for row in rows:
        serve = row.get("cold_serve")
        if not isinstance(serve, dict):
            cold = "skipped"
        elif "error" in serve:
            cold = f"not servable ({serve['error']})"
        else:
            cold = f"{serve['empty_caches_ms']:.0f} ms / {serve['empty_analysis_cache_ms']:.0f} ms"
        target = ""
        if "target_ms" in row:
            target = f" (target <= {row['target_ms']:.0f} ms: {'ok' if row['ok'] else 'SLOW'})"
        print(f"{row['fixture']:<8} {row['compile_ms']:>7.2f} ms {row['verify_ms']:>7.2f} ms "
              f"{row['analysis_contract_ms']:>15.2f} ms  {cold}{target}")
    print(f"in process, every cache off: median of {runs} runs after {warmup} warm-up run")
