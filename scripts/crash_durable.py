#!/usr/bin/env python3
"""Durable runs under SIGKILL: kill the server at random points, restart it, and check the invariants.

    .venv/bin/python scripts/crash_durable.py                    # 1000 kills (about 15-30 minutes)
    .venv/bin/python scripts/crash_durable.py --kills 50 --seed 7 # a bounded slice (CI runs one)

A workflow (WORKFLOW below) runs two steps whose bodies insert a row into a
SQLite file (one row per attempt; the step's recorded result is the row's
id), sleeps, waits for a signal, and runs a last step. Client threads keep
--runs workflow runs in flight all the time: a run that completes is
replaced by a fresh key, so every kill lands among runs at every stage. On
the first 202 of a run the harness sends its signal (usually while the run
still sleeps, so before it reaches waitSignal) and records what was
accepted. The whole server is SIGKILLed at seeded random moments and
restarted on the same folder. After the last kill every run is driven to
completion and, over all runs:

* every run completed, and every oplog parses;
* double runs = 0: no step body started after its result was recorded (a
  row of that (run, step) with an id above the recorded one), and no step
  has two recorded results;
* re-runs (a body run again because a kill came before its result was
  recorded: rows of that (run, step) with ids below the recorded one) are
  counted, as the guarantee allows;
* lost signals = 0: every accepted signal was delivered to its run, once;
* every timer fired exactly once (one resume_timer per wait_timer).

Prints one summary line and exits 0 when every invariant holds. The same
--seed replays the same schedule of kills.
"""

from __future__ import annotations

import argparse
import json
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
  const r = sqlExec("mark", { run: id, step: name });
  return r.lastInsertRowId ?? 0;
}

export function handler(req: Request): Response {
  const id = req.path.slice("/wf/".length);
  return run(`wf:${id}`, () => {
    const a = step("a", () => mark(id, "a"));
    const b = step("b", () => mark(id, "b"));
    sleep(20);
    const approval = waitSignal("go");
    const c = step("c", () => mark(id, "c"));
    return Response.json({ id, rows: [a, b, c], approval });
  });
}
"""
SCHEMA = "CREATE TABLE marks (id INTEGER PRIMARY KEY AUTOINCREMENT, run TEXT NOT NULL, step TEXT NOT NULL)"


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


class Workload:
    """The runs in flight: a completed run is replaced by a fresh key, across kills and restarts."""

    def __init__(self, in_flight: int) -> None:
        self.lock = threading.Lock()
        self.active = list(range(in_flight))
        self.next_id = in_flight
        self.done: set[int] = set()
        self.accepted: dict[str, str] = {}

    def pick(self, rng: random.Random) -> int:
        with self.lock:
            return rng.choice(self.active)

    def completed(self, run_id: int) -> None:
        with self.lock:
            if run_id in self.active:
                self.active[self.active.index(run_id)] = self.next_id
                self.next_id += 1
                self.done.add(run_id)


def send_signal(store: FileStore, work: Workload, run_id: int) -> None:
    """Sends run `run_id` its one signal; records it only when the store accepted it."""
    key, payload = f"wf:{run_id}", f"go-{run_id}"
    with work.lock:
        if key in work.accepted:
            return
        if store.put_signal(key, "go", payload):
            work.accepted[key] = payload


def drive(server: Server, store: FileStore, work: Workload, stop: threading.Event, rng: random.Random) -> None:
    """Requests runs in flight; on a run's first 202 sends its signal."""
    while not stop.is_set():
        run_id = work.pick(rng)
        status = server.get(f"/wf/{run_id}", timeout=2)
        if status == 200:
            work.completed(run_id)
        elif status == 202:
            send_signal(store, work, run_id)


def finish(server: Server, store: FileStore, work: Workload, timeout: float) -> None:
    """Drives every run in flight to completion (the scheduler fires their timers)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        pending = [i for i in list(work.active) if server.get(f"/wf/{i}") != 200]
        for i in pending:
            send_signal(store, work, i)
        if not pending:
            work.done.update(work.active)
            return
        time.sleep(0.3)


def step_rows(folder: Path) -> dict[tuple[str, str], list[int]]:
    db = sqlite3.connect(folder / "marks.db")
    rows: dict[tuple[str, str], list[int]] = {}
    for row_id, run_id, name in db.execute("SELECT id, run, step FROM marks ORDER BY id"):
        rows.setdefault((run_id, name), []).append(row_id)
    db.close()
    return rows


def check(folder: Path, work: Workload) -> dict[str, int]:
    store = FileStore(folder / "durable")
    result = {"runs": 0, "steps": 0, "double_runs": 0, "reruns": 0, "lost_signals": 0, "timer_errors": 0,
              "incomplete": 0}
    rows = step_rows(folder)
    for i in sorted(work.done | set(work.active)):
        key = f"wf:{i}"
        oplog_path = store._run_dir(key) / "oplog.jsonl"
        if not oplog_path.exists():
            result["incomplete"] += 1
            continue
        oplog = parse(oplog_path.read_bytes(), key)  # raises on an unreadable oplog
        result["runs"] += 1
        result["incomplete"] += 0 if oplog.complete else 1
        events = [(e.fn, json.loads(e.result)) for e in oplog.entries if e.module == "durable"]
        recorded = [(r.get("name"), r.get("result")) for f, r in events if f == "step_result"]
        result["steps"] += len(recorded)
        result["double_runs"] += len(recorded) - len({name for name, _ in recorded})
        for name, value in recorded:
            attempts = rows.get((str(i), str(name)), [])
            result["double_runs"] += sum(1 for row_id in attempts if row_id > value)
            result["reruns"] += sum(1 for row_id in attempts if row_id < value)
        delivered = [r.get("payload") for f, r in events if f == "resume_signal"]
        if key in work.accepted and delivered != [work.accepted[key]]:
            result["lost_signals"] += 1
        waits = sum(1 for f, _ in events if f == "wait_timer")
        fired = sum(1 for f, _ in events if f == "resume_timer")
        if oplog.complete and (waits, fired) != (1, 1):
            result["timer_errors"] += 1
    return result


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--kills", type=int, default=1000)
    p.add_argument("--runs", type=int, default=16, help="workflow runs kept in flight")
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
    work = Workload(args.runs)
    started = time.monotonic()
    for kill in range(args.kills):
        server.start()
        stop = threading.Event()
        clients = [threading.Thread(target=drive, args=(server, store, work, stop, random.Random(rng.random())))
                   for _ in range(4)]
        for c in clients:
            c.start()
        time.sleep(rng.uniform(0.0, args.max_gap))
        server.kill()
        stop.set()
        for c in clients:
            c.join()
        if (kill + 1) % 50 == 0:
            print(f"... {kill + 1} kills, {len(work.done)} runs completed, {time.monotonic() - started:.0f} s",
                  flush=True)
    server.start()
    finish(server, store, work, timeout=120)
    server.kill()
    result = check(folder, work)
    ok = (result["incomplete"] == 0 and result["double_runs"] == 0 and result["lost_signals"] == 0
          and result["timer_errors"] == 0)
    print(f"crash_durable seed={args.seed}: kills {args.kills}, runs {result['runs']}, steps {result['steps']}, "
          f"double runs {result['double_runs']}, re-runs {result['reruns']}, lost signals {result['lost_signals']}, "
          f"signals accepted {len(work.accepted)}, timer errors {result['timer_errors']}, "
          f"incomplete {result['incomplete']} ({time.monotonic() - started:.0f} s) {'PASS' if ok else 'FAIL'}")
    if args.keep or not ok:
        print(f"folder: {folder}")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
