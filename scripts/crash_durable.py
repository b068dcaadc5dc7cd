#!/usr/bin/env python3
"""Durable runs under SIGKILL: kill the server at random points, restart it, and check the invariants.

    .venv/bin/python scripts/crash_durable.py                    # 1000 kills (about half an hour)
    .venv/bin/python scripts/crash_durable.py --kills 50 --seed 7 # a bounded slice (CI runs one)

A workflow (WORKFLOW below) runs three steps whose bodies insert a row into
a SQLite file keyed by (run, step), sleeps, waits for a signal, and runs a
last step. Client threads start runs and re-request them; the harness sends
each waiting run its signal (recording what it accepted) and SIGKILLs the
whole server at seeded random moments, then restarts it on the same folder.
After the last kill it lets every run finish and checks, over all runs:

* every run completed, and every oplog parses;
* double runs = 0: no step has two recorded results (a body that ran after
  its result was recorded would have written a second one);
* re-runs (a body run again because a kill came before its result was
  recorded: rows beyond one per (run, step)) are counted, as the guarantee
  allows;
* lost signals = 0: every accepted signal was delivered to its run, once;
* every timer fired exactly once (one resume_timer per wait_timer).

Prints one summary line (kills, runs, steps, double runs, re-runs, lost
signals) and exits 0 when every invariant holds. The same --seed replays the
same schedule of kills.
"""

from __future__ import annotations

import argparse
import os
import random
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(REPO), str(REPO / "host")]

from zigttp_host.durable.oplog import parse  # noqa: E402
from zigttp_host.durable.store import FileStore  # noqa: E402

ZIGTTP = str(REPO / ".venv" / "bin" / "zigttp")
WORKFLOW = """import { run, step, sleep, waitSignal } from "zigttp:durable";
import { sql, sqlExec } from "zigttp:sql";

sql("mark", "INSERT INTO marks (run, step) VALUES (:run, :step)");

function mark(id: string, name: string): number {
  sqlExec("mark", { run: id, step: name });
  return 1;
}

export function handler(req: Request): Response {
  const id = req.path.slice("/wf/".length);
  return run(`wf:${id}`, () => {
    const a = step("a", () => mark(id, "a"));
    const b = step("b", () => mark(id, "b"));
    sleep(20);
    const approval = waitSignal("go");
    const c = step("c", () => mark(id, "c"));
    return Response.json({ id, total: a + b + c, approval });
  });
}
"""
SCHEMA = "CREATE TABLE marks (id INTEGER PRIMARY KEY, run TEXT NOT NULL, step TEXT NOT NULL)"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.port = free_port()
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        self.port = free_port()  # the killed server's workers may hold the old one for a moment
        cmd = [ZIGTTP, "serve", str(self.folder / "wf.ts"), "--port", str(self.port), "--workers", "1", "-q",
               "--durable", str(self.folder / "durable"), "--sqlite", str(self.folder / "marks.db")]
        log = (self.folder / "serve.log").open("ab")
        self.proc = subprocess.Popen(cmd, stdout=log, stderr=log, start_new_session=True)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.get("/_health", timeout=0.5) == 200:
                return
            time.sleep(0.05)
        raise SystemExit("the server did not start: see " + str(self.folder / "serve.log"))

    def kill(self) -> None:
        if self.proc is not None:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait()
            self.proc = None

    def get(self, path: str, timeout: float = 5.0) -> int | None:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{self.port}{path}", timeout=timeout) as r:
                return r.status
        except urllib.error.HTTPError as e:
            return e.code
        except OSError:
            return None


def drive(server: Server, store: FileStore, runs: int, stop: threading.Event, accepted: dict[str, str],
          rng: random.Random) -> None:
    """Requests runs (re-requesting the unfinished ones) and sends each waiting run its signal once."""
    while not stop.is_set():
        i = rng.randrange(runs)
        status = server.get(f"/wf/{i}", timeout=2)
        key = f"wf:{i}"
        if status == 202 and key not in accepted:
            payload = f"go-{i}"
            if store.put_signal(key, "go", payload):
                accepted[key] = payload


def check(folder: Path, runs: int, accepted: dict[str, str]) -> dict[str, int]:
    store = FileStore(folder / "durable")
    result = {"runs": 0, "steps": 0, "double_runs": 0, "reruns": 0, "lost_signals": 0, "timer_errors": 0,
              "incomplete": 0}
    db = sqlite3.connect(folder / "marks.db")
    rows = {(r, s): n for r, s, n in db.execute("SELECT run, step, COUNT(*) FROM marks GROUP BY run, step")}
    for i in range(runs):
        key = f"wf:{i}"
        raw = (store._run_dir(key) / "oplog.jsonl").read_bytes()
        oplog = parse(raw, key)  # raises on an unreadable oplog
        result["runs"] += 1
        if not oplog.complete:
            result["incomplete"] += 1
        events = [(e.fn, e.result) for e in oplog.entries if e.module == "durable"]
        names = [__import__("json").loads(r).get("name") for f, r in events if f == "step_result"]
        result["steps"] += len(names)
        result["double_runs"] += len(names) - len(set(names))
        for name in set(names):
            result["reruns"] += max(0, rows.get((str(i), name), 0) - 1)
        delivered = [__import__("json").loads(r).get("payload") for f, r in events if f == "resume_signal"]
        if key in accepted and delivered != [accepted[key]]:
            result["lost_signals"] += 1
        waits = sum(1 for f, _ in events if f == "wait_timer")
        fired = sum(1 for f, _ in events if f == "resume_timer")
        if oplog.complete and (waits, fired) != (1, 1):
            result["timer_errors"] += 1
    return result


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--kills", type=int, default=1000)
    p.add_argument("--runs", type=int, default=40, help="workflow runs (keys) in play")
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--max-gap", type=float, default=0.6, help="longest wait between kills, seconds")
    p.add_argument("--keep", action="store_true")
    args = p.parse_args()
    rng = random.Random(args.seed)
    folder = Path(tempfile.mkdtemp(prefix="zigttp-crash-"))
    (folder / "wf.ts").write_text(WORKFLOW)
    sqlite3.connect(folder / "marks.db").execute(SCHEMA).connection.commit()
    server = Server(folder)
    store = FileStore(folder / "durable")
    accepted: dict[str, str] = {}
    started = time.monotonic()
    for kill in range(args.kills):
        server.start()
        stop = threading.Event()
        clients = [threading.Thread(target=drive, args=(server, store, args.runs, stop, accepted,
                                                        random.Random(rng.random()))) for _ in range(4)]
        for c in clients:
            c.start()
        time.sleep(rng.uniform(0.0, args.max_gap))
        server.kill()
        stop.set()
        for c in clients:
            c.join()
        if (kill + 1) % 50 == 0:
            print(f"... {kill + 1} kills, {time.monotonic() - started:.0f} s", flush=True)
    server.start()
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        pending = [i for i in range(args.runs) if server.get(f"/wf/{i}") != 200]
        for i in pending:
            key = f"wf:{i}"
            if key not in accepted and store.put_signal(key, "go", f"go-{i}"):
                accepted[key] = f"go-{i}"
        if not pending:
            break
        time.sleep(0.3)
    server.kill()
    result = check(folder, args.runs, accepted)
    ok = (result["incomplete"] == 0 and result["double_runs"] == 0 and result["lost_signals"] == 0
          and result["timer_errors"] == 0)
    print(f"crash_durable seed={args.seed}: kills {args.kills}, runs {result['runs']}, steps {result['steps']}, "
          f"double runs {result['double_runs']}, re-runs {result['reruns']}, lost signals {result['lost_signals']}, "
          f"timer errors {result['timer_errors']}, incomplete {result['incomplete']} "
          f"({time.monotonic() - started:.0f} s) {'PASS' if ok else 'FAIL'}")
    if args.keep or not ok:
        print(f"folder: {folder}")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
