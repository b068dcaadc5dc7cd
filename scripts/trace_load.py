#!/usr/bin/env python3
"""Record under load, then replay everything: every group identical, none torn or interleaved.

    .venv/bin/python scripts/trace_load.py                  # wrk 10 s, 2 workers, rotation at 1 MiB
    .venv/bin/python scripts/trace_load.py --duration 30 --max-bytes 4m

Serves a handler that reads the environment, hashes, reads both clocks and
draws random numbers (HANDLER below, written to a temporary folder) with
`zigttp serve --trace DIR/trace.jsonl --workers 2 --trace-max-bytes SIZE`,
drives it with wrk, stops the server, then runs
`zigttp replay` over the whole folder and checks: as many groups as wrk
completed requests (give or take the ones in flight when the server
stopped), no warnings (no torn group), every group identical. Prints the
figures; exit 0 when all hold. A bounded slice of this runs in CI
(tests/test_replay_cli.py).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
ZIGTTP = str(REPO / ".venv" / "bin" / "zigttp")
HANDLER = """import { env } from "zigttp:env";
import { sha256 } from "zigttp:crypto";

export function handler(req: Request): Response {
  const salt = env("TRACE_SALT") ?? "none";
  return Response.json({ path: req.path, digest: sha256(salt + req.path), at: Date.now(),
                         elapsed: performance.now(), lucky: Math.random() });
}
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_healthy(port: int, proc: subprocess.Popen[bytes], timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"zigttp serve exited with {proc.returncode}")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/_health", timeout=1) as r:
                if r.status == 200:
                    return
        except OSError:
            time.sleep(0.1)
    raise SystemExit("zigttp serve did not become healthy")


def record(folder: Path, args: argparse.Namespace) -> int:
    handler = folder / "app.ts"
    handler.write_text(HANDLER)
    port = free_port()
    env = {**os.environ, "TRACE_SALT": "load-secret-salt-value"}
    cmd = [ZIGTTP, "serve", str(handler), "--port", str(port), "--workers", "2", "-q", "--trace",
           str(folder / "traces" / "trace.jsonl"), "--trace-max-bytes", args.max_bytes]
    proc = subprocess.Popen(cmd, env=env, start_new_session=True)
    try:
        wait_healthy(port, proc)
        out = subprocess.run(["wrk", "-t1", f"-c{args.connections}", f"-d{args.duration}s",
                              f"http://127.0.0.1:{port}/item"], capture_output=True, text=True, check=True).stdout
        print(out.strip())
        m = re.search(r"(\d+) requests in", out)
        return int(m.group(1)) if m else 0
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=30)


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--duration", type=int, default=10, help="seconds of wrk load (default 10)")
    p.add_argument("--connections", type=int, default=32)
    p.add_argument("--max-bytes", default="1m", help="--trace-max-bytes for the recording (default 1m)")
    p.add_argument("--keep", action="store_true", help="keep the trace folder and print where it is")
    args = p.parse_args()
    if shutil.which("wrk") is None:
        print("wrk not found: apt-get install -y wrk", file=sys.stderr)
        return 2
    folder = Path(tempfile.mkdtemp(prefix="zigttp-trace-load-"))
    completed = record(folder, args)
    files = sorted((folder / "traces").iterdir())
    size = sum(f.stat().st_size for f in files)
    started = time.perf_counter()
    r = subprocess.run([ZIGTTP, "replay", str(folder / "app.ts"), str(folder / "traces"), "--json"],
                       capture_output=True, text=True)
    elapsed = time.perf_counter() - started
    report = json.loads(r.stdout) if r.stdout.strip().startswith("{") else {}
    total, identical = report.get("total", 0), report.get("identical", 0)
    leaked = any("load-secret-salt-value" in f.read_text() for f in files)
    print(f"recorded: {completed} requests by wrk, {total} groups in {len(files)} files ({size / 1e6:.1f} MB)")
    print(f"replayed: {identical}/{total} identical in {elapsed:.1f} s ({total / elapsed:.0f} traces/s incl. "
          f"start-up); warnings: {len(report.get('warnings', []))}; secret in trace: {leaked}")
    ok = (r.returncode == 0 and total == identical and total >= completed and not report.get("warnings")
          and not leaked and len(files) > 1)
    if r.returncode != 0:
        print(r.stderr[-2000:], file=sys.stderr)
    if args.keep:
        print(f"kept: {folder}")
    else:
        shutil.rmtree(folder, ignore_errors=True)
    print("PASS" if ok else "FAIL")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
