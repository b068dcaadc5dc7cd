#!/usr/bin/env python3
"""Durable runs on PostgreSQL under faults: two servers, one database, and the system-wide invariants.

    .venv/bin/python scripts/chaos_postgres.py                    # 1000 faults (about an hour)
    .venv/bin/python scripts/chaos_postgres.py --faults 25 --seed 7  # a bounded slice (CI runs one)

One PostgreSQL (tests/support/services.py, fsync on) and two `zigttp serve`
processes (A and B, one worker each, a short --durable-lease) share one
database. The workflow (WORKFLOW below) runs four steps whose bodies insert
a row into a shared SQLite file (one row per attempt, stamped with its
arrival time; the step's recorded result is the row's id), sleeps twice and
waits for a signal. Client threads keep --runs runs in flight on both
servers: a run that completes is replaced by a fresh key. On a run's 202 the
harness sends its signal straight into the database (PostgresStore.put_signal,
with a fixed id per run) and records it once the store acknowledged it.

Faults come from a schedule drawn from --seed (the same seed, the same
faults at the same gaps): SIGKILL of either server, then its restart; SIGSTOP
of either server for longer than the lease, then SIGCONT (a zombie owner
whose runs were taken over); a restart of PostgreSQL; every connection of
either server terminated (pg_terminate_backend). After the last fault every
run is driven to a terminal state and, over all runs:

* stuck = 0: every run completed, or was parked dead with a reason (counted);
* double runs = 0: no step body started after its result was written, and
  no step has two recorded results. A side effect (a row) arriving after the
  step_result row's written_at is a double run when an owner holding the
  lease recorded it (its sqlExec line is in the oplog: that body ran live
  past the recorded result). One the oplog does not record came from an
  owner paused between its last lease check and the insert, whose lease
  expired and whose writes were then refused: its body started before the
  takeover, so it is counted apart as a late effect (fencing guards the
  oplog; a side effect's own store would need the token to refuse it). Any
  other extra row is a re-run (a crash or a takeover mid-step), as the
  at-least-once guarantee allows;
* fence errors = 0: every oplog's lines are numbered without a gap and its
  fencing tokens never go down (no line from a stale owner after a newer one);
* lost signals = 0: every acknowledged signal was delivered to its run, once;
* timer errors = 0: in every completed run each wait_timer has one resume_timer.

Prints one summary line; exits 0 when every invariant holds.
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import itertools
import json
import logging
import os
import random
import signal
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

REPO = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(REPO), str(REPO / "host")]

from tests.support import services  # noqa: E402
from zigttp_host.durable.oplog import parse  # noqa: E402
from zigttp_host.durable.store import StoreUnavailable  # noqa: E402
from zigttp_host.durable.store_pg import PostgresStore  # noqa: E402

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
    sleep(150);
    const b = step("b", () => mark(id, "b"));
    const approval = waitSignal("go");
    const c = step("c", () => mark(id, "c"));
    sleep(100);
    const d = step("d", () => mark(id, "d"));
    return Response.json({ id, rows: [a, b, c, d], approval });
  });
}
"""
TIMERS_PER_RUN = 2
# The arrival time of each attempt, in Unix seconds (SQLite's clock, ms resolution, truncated: never late).
SCHEMA = ("CREATE TABLE marks (id INTEGER PRIMARY KEY AUTOINCREMENT, run TEXT NOT NULL, step TEXT NOT NULL, "
          "at REAL NOT NULL DEFAULT ((julianday('now') - 2440587.5) * 86400.0))")
FAULTS = ("kill", "stop", "pg_restart", "drop")
T = TypeVar("T")
Effects = dict[tuple[str, str], list[tuple[int, float]]]  # (run, step) -> (row id, arrival time) of each attempt
OplogRows = list[tuple[int, bytes, int, float]]  # (n, line, fencing token, written_at) of one run
SERVE = "import sys; from zigttp.cli import main; sys.exit(main())"


@dataclass(frozen=True)
class Fault:
    gap_s: float  # how long the workload runs before this fault
    kind: str
    target: str  # "A" or "B"; "db" for a PostgreSQL restart
    pause_s: float  # a SIGSTOP's length


def schedule(seed: int, count: int, lease_s: float, max_gap_s: float) -> list[Fault]:
    """The faults of a seed: the same seed draws the same list."""
    rng = random.Random(seed)
    out = []
    for _ in range(count):
        kind = rng.choice(FAULTS)
        target = "db" if kind == "pg_restart" else rng.choice("AB")
        out.append(Fault(round(rng.uniform(0.05, max_gap_s), 3), kind, target,
                         round(lease_s * rng.uniform(1.3, 2.0), 3) if kind == "stop" else 0.0))
    return out


def schedule_digest(faults: list[Fault]) -> str:
    return hashlib.sha256(repr(faults).encode()).hexdigest()[:12]


class Serve:
    """One `zigttp serve` process on the shared database, named in its connections (application_name)."""

    def __init__(self, name: str, folder: Path, db_url: str, lease_s: int) -> None:
        self.name = name
        self.folder = folder
        self.url = f"{db_url}?application_name=zigttp-serve-{name}"
        self.lease_s = lease_s
        self.port = services.free_port()
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        self.port = services.free_port()  # a killed server's worker may hold the old one for a moment
        cmd = [sys.executable, "-c", SERVE, "serve", str(self.folder / "wf.ts"), "--port", str(self.port),
               "--workers", "1", "-q", "--durable", self.url, "--durable-lease", f"{self.lease_s}s",
               "--sqlite", str(self.folder / "marks.db")]
        env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(REPO), str(REPO / "host")])}
        log = (self.folder / f"serve-{self.name}.log").open("ab")
        self.proc = subprocess.Popen(cmd, stdout=log, stderr=log, env=env, start_new_session=True)
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            if self.get("/_health", timeout=0.5) == 200:
                return
            if self.proc.poll() is not None:
                break
            time.sleep(0.05)
        raise SystemExit(f"server {self.name} did not start: see {self.folder / f'serve-{self.name}.log'}")

    def signal(self, sig: int) -> None:
        if self.proc is not None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.proc.pid, sig)

    def kill(self) -> None:
        if self.proc is not None:
            self.signal(signal.SIGCONT)
            self.signal(signal.SIGKILL)
            self.proc.wait()
            self.proc = None

    def get(self, path: str, timeout: float = 3.0) -> int | None:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{self.port}{path}", timeout=timeout) as r:
                return r.status
        except urllib.error.HTTPError as e:
            return e.code
        except OSError:
            return None


@dataclass
class Workload:
    """The runs in flight (a completed run is replaced by a fresh key) and the signals acknowledged."""

    in_flight: int
    lock: threading.Lock = field(default_factory=threading.Lock)
    active: list[int] = field(default_factory=list)
    next_id: int = 0
    done: set[int] = field(default_factory=set)
    acknowledged: dict[str, str] = field(default_factory=dict)
    statuses: dict[str, int] = field(default_factory=dict)
    replacing: bool = True  # off once the faults are over: then the runs in flight are finished, not replaced

    def __post_init__(self) -> None:
        self.active = list(range(self.in_flight))
        self.next_id = self.in_flight

    def pick(self, rng: random.Random) -> int:
        with self.lock:
            return rng.choice(self.active)

    def answered(self, run_id: int, status: int | None) -> None:
        with self.lock:
            label = str(status) if status is not None else "no answer"
            self.statuses[label] = self.statuses.get(label, 0) + 1
            if status != 200:
                return
            self.done.add(run_id)
            if self.replacing and run_id in self.active:
                self.active[self.active.index(run_id)] = self.next_id
                self.next_id += 1

    def all_runs(self) -> list[int]:
        with self.lock:
            return sorted(self.done | set(self.active))


def retrying(op: Callable[[], T], attempts: int = 10) -> T:
    """The harness's own reads after the faults: a connection the last fault broke is retried, not fatal."""
    for _ in range(attempts - 1):
        try:
            return op()
        except StoreUnavailable:
            time.sleep(0.5)
    return op()


def send_signal(store: PostgresStore, work: Workload, run_id: int) -> None:
    """Sends run `run_id` its one signal (a fixed id: sent again, it is the same signal); kept once acknowledged."""
    key, payload = f"wf:{run_id}", f"go-{run_id}"
    if key in work.acknowledged:
        return
    try:
        accepted = store.put_signal(key, "go", payload, signal_id=f"harness-{run_id}")
    except StoreUnavailable:
        return  # PostgreSQL is restarting: not acknowledged, sent again on the run's next 202
    if accepted:
        with work.lock:
            work.acknowledged[key] = payload


def drive(servers: list[Serve], store: PostgresStore, work: Workload, stop: threading.Event,
          rng: random.Random) -> None:
    """Requests runs in flight on either server; on a 202 sends the run its signal."""
    while not stop.is_set():
        run_id = work.pick(rng)
        status = rng.choice(servers).get(f"/wf/{run_id}")
        work.answered(run_id, status)
        if status == 202:
            send_signal(store, work, run_id)
        elif status is None or status >= 500:
            stop.wait(0.05)


class Chaos:
    """The database, the two servers, the workload's clients and the faults."""

    def __init__(self, folder: Path, pg: services.Postgres, lease_s: int, runs: int) -> None:
        self.folder = folder
        self.pg = pg
        self.servers = {name: Serve(name, folder, pg.url, lease_s) for name in "AB"}
        self.store = PostgresStore(pg.url, lease_s=lease_s)
        self.work = Workload(runs)
        self.done = {kind: 0 for kind in FAULTS}

    def start(self) -> None:
        for s in self.servers.values():
            s.start()

    def clients(self, rng: random.Random, count: int = 4) -> tuple[threading.Event, list[threading.Thread]]:
        stop = threading.Event()
        pool = [threading.Thread(target=drive, args=(list(self.servers.values()), self.store, self.work, stop,
                                                     random.Random(rng.random())), daemon=True)
                for _ in range(count)]
        for t in pool:
            t.start()
        return stop, pool

    def inject(self, fault: Fault) -> None:
        if fault.kind == "kill":
            server = self.servers[fault.target]
            server.kill()
            server.start()
        elif fault.kind == "stop":
            server = self.servers[fault.target]
            server.signal(signal.SIGSTOP)
            time.sleep(fault.pause_s)  # past the lease: the other server takes its runs over
            server.signal(signal.SIGCONT)
        elif fault.kind == "pg_restart":
            self.pg.restart()
        else:
            self.drop_connections(fault.target)
        self.done[fault.kind] += 1

    def drop_connections(self, target: str) -> None:
        import psycopg

        with psycopg.connect(self.pg.url, autocommit=True, connect_timeout=5) as conn:
            conn.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = %s",
                         (f"zigttp-serve-{target}",))

    def finish(self, timeout: float) -> None:
        """Drives every run in flight to a terminal state (the schedulers fire their timers)."""
        self.work.replacing = False
        deadline = time.monotonic() + timeout
        servers = list(self.servers.values())
        turn = 0
        while time.monotonic() < deadline:
            pending = []
            for i in self.work.all_runs():
                if i in self.work.done or retrying(lambda i=i: self.store.is_dead(f"wf:{i}")):
                    continue
                turn += 1
                status = servers[turn % 2].get(f"/wf/{i}")
                self.work.answered(i, status)
                if status == 202:
                    send_signal(self.store, self.work, i)
                if status != 200:
                    pending.append(i)
            if not pending:
                return
            time.sleep(0.3)

    def stop(self) -> None:
        for s in self.servers.values():
            s.kill()
        self.store.close()

    def taken_over(self) -> int:
        """Requests a server stopped because its lease had expired and the other took the run over (409)."""
        return sum((self.folder / f"serve-{name}.log").read_text(errors="replace").count("durable_taken_over")
                   for name in self.servers)


# ---------- the invariants ----------

@dataclass
class Tally:
    runs: int = 0
    completed: int = 0
    dead: int = 0
    stuck: int = 0
    steps: int = 0
    double_runs: int = 0
    reruns: int = 0
    late_effects: int = 0
    fence_errors: int = 0
    lost_signals: int = 0
    timer_errors: int = 0
    problems: list[str] = field(default_factory=list)

    def problem(self, text: str) -> None:
        if len(self.problems) < 20:
            self.problems.append(text)

    @property
    def ok(self) -> bool:
        return (self.stuck == self.double_runs == self.fence_errors == self.lost_signals == self.timer_errors == 0
                and self.runs > 0)


def oplog_rows(url: str) -> dict[str, OplogRows]:
    """Every run's oplog rows: (n, line, fencing token, written_at in Unix seconds), in order."""
    import psycopg

    out: dict[str, OplogRows] = {}
    with psycopg.connect(url, autocommit=True) as conn:
        for key, n, line, token, at in conn.execute(
                "SELECT key, n, line, token, extract(epoch FROM written_at)::float8 FROM zigttp_oplog "
                "ORDER BY key, n"):
            out.setdefault(key, []).append((int(n), bytes(line), int(token), float(at)))
    return out


def attempts(folder: Path) -> Effects:
    """Every step body's side effects: (row id, arrival time) per (run, step)."""
    db = sqlite3.connect(folder / "marks.db")
    rows: Effects = {}
    for row_id, run_id, name, at in db.execute("SELECT id, run, step, at FROM marks ORDER BY id"):
        rows.setdefault((run_id, name), []).append((int(row_id), float(at)))
    db.close()
    return rows


def check_fence(key: str, rows: OplogRows, tally: Tally) -> None:
    numbers = [n for n, _, _, _ in rows]
    tokens = [t for _, _, t, _ in rows]
    if numbers != list(range(len(rows))):
        tally.fence_errors += 1
        tally.problem(f"{key}: oplog lines numbered {numbers[:10]}…, not 0..{len(rows) - 1}")
    if any(b < a for a, b in itertools.pairwise(tokens)):
        tally.fence_errors += 1
        tally.problem(f"{key}: fencing tokens go down along the oplog: {tokens}")


def recorded_inserts(lines: list[dict[str, Any]]) -> set[int]:
    """The row ids of the inserts the oplog recorded (each sqlExec's io line, kept only by a valid owner)."""
    out = set()
    for obj in lines:
        result = obj.get("result")
        if obj.get("type") == "io" and isinstance(result, dict) and isinstance(result.get("lastInsertRowId"), int):
            out.add(result["lastInsertRowId"])
    return out


def check_steps(run_id: str, rows: OplogRows, effects: Effects, tally: Tally) -> None:
    """Each step: one recorded result, and no body started after that result was written."""
    recorded: dict[str, tuple[int, float]] = {}
    lines = [json.loads(line) for _, line, _, _ in rows]
    inserts = recorded_inserts(lines)
    for obj, (_, _, _, at) in zip(lines, rows, strict=True):
        if obj.get("type") != "step_result":
            continue
        name = str(obj.get("name"))
        tally.steps += 1
        if name in recorded:
            tally.double_runs += 1
            tally.problem(f"wf:{run_id}: step {name!r} has two recorded results")
        recorded[name] = (int(obj.get("result") or 0), at)
    for name, (value, written_at) in recorded.items():
        if value not in inserts:  # the result is the row id its body's recorded insert returned
            tally.fence_errors += 1
            tally.problem(f"wf:{run_id}: step {name!r} records row {value}, which no io line of the oplog returned")
        for row_id, arrived in effects.get((run_id, name), []):
            if arrived > written_at and row_id in inserts:
                tally.double_runs += 1
                tally.problem(f"wf:{run_id}: step {name!r} body ran (row {row_id}) {arrived - written_at:.3f} s "
                              f"after its result (row {value}) was written")
            elif arrived > written_at:
                tally.late_effects += 1
                tally.problem(f"wf:{run_id}: step {name!r}: a fenced owner's insert (row {row_id}) arrived "
                              f"{arrived - written_at:.3f} s after the result (row {value}) was written")
            elif row_id != value:
                tally.reruns += 1


def check_run(run_id: int, rows: OplogRows | None, dead: set[str], effects: Effects, work: Workload,
              tally: Tally) -> None:
    key = f"wf:{run_id}"
    if not rows:
        tally.stuck += 1
        tally.problem(f"{key}: never started")
        return
    tally.runs += 1
    oplog = parse(b"".join(line for _, line, _, _ in rows), key)  # raises on an unreadable oplog
    check_fence(key, rows, tally)
    check_steps(str(run_id), rows, effects, tally)
    events = [(e.fn, json.loads(e.result)) for e in oplog.entries if e.module == "durable"]
    delivered = [r.get("payload") for f, r in events if f == "resume_signal"]
    if key in work.acknowledged and delivered not in ([], [work.acknowledged[key]]):
        tally.lost_signals += 1
        tally.problem(f"{key}: acknowledged {work.acknowledged[key]!r}, delivered {delivered}")
    if oplog.complete:
        tally.completed += 1
        if key in work.acknowledged and delivered != [work.acknowledged[key]]:
            tally.lost_signals += 1
            tally.problem(f"{key}: completed without its acknowledged signal: delivered {delivered}")
        waits = sum(1 for f, _ in events if f == "wait_timer")
        fired = sum(1 for f, _ in events if f == "resume_timer")
        if (waits, fired) != (TIMERS_PER_RUN, TIMERS_PER_RUN):
            tally.timer_errors += 1
            tally.problem(f"{key}: {waits} timers waited, {fired} fired")
    elif key in dead:
        tally.dead += 1
    else:
        tally.stuck += 1
        tally.problem(f"{key}: not completed, not dead: waits for {oplog.waiting()}")


def check(chaos: Chaos) -> Tally:
    tally = Tally()
    oplogs = oplog_rows(chaos.pg.url)
    effects = attempts(chaos.folder)
    dead_records = retrying(chaos.store.dead_runs)
    dead = {str(d.get("key")) for d in dead_records if d.get("state") == "dead"}
    for d in dead_records:
        tally.problem(f"{d.get('key')}: parked dead after {d.get('attempts')} attempts: {d.get('reason')}")
    for run_id in chaos.work.all_runs():
        check_run(run_id, oplogs.get(f"wf:{run_id}"), dead, effects, chaos.work, tally)
    return tally


# ---------- the run ----------

def run_faults(chaos: Chaos, faults: list[Fault], seed: int) -> None:
    rng = random.Random(seed + 1)
    stop, pool = chaos.clients(rng)
    started = time.monotonic()
    try:
        for number, fault in enumerate(faults, start=1):
            time.sleep(fault.gap_s)
            chaos.inject(fault)
            if number % 50 == 0:
                print(f"... {number} faults, {len(chaos.work.done)} runs completed, "
                      f"{time.monotonic() - started:.0f} s", flush=True)
    finally:
        stop.set()
        for t in pool:
            t.join()


def summary(args: argparse.Namespace, chaos: Chaos, tally: Tally, digest: str, elapsed: float) -> str:
    faults = ", ".join(f"{kind} {n}" for kind, n in chaos.done.items())
    return (f"chaos_postgres seed={args.seed} schedule={digest}: faults {sum(chaos.done.values())} ({faults}), "
            f"runs {tally.runs}, completed {tally.completed}, dead {tally.dead}, stuck {tally.stuck}, "
            f"steps {tally.steps}, double runs {tally.double_runs}, re-runs {tally.reruns}, "
            f"late effects {tally.late_effects}, "
            f"taken over {chaos.taken_over()}, fence errors {tally.fence_errors}, lost signals {tally.lost_signals}, "
            f"signals acknowledged {len(chaos.work.acknowledged)}, timer errors {tally.timer_errors} "
            f"({elapsed:.0f} s) {'PASS' if tally.ok else 'FAIL'}")


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--faults", type=int, default=1000)
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--runs", type=int, default=16, help="workflow runs kept in flight")
    p.add_argument("--lease", type=int, default=2, help="the servers' --durable-lease, whole seconds")
    p.add_argument("--max-gap", type=float, default=0.8, help="longest wait between faults, seconds")
    p.add_argument("--fsync", choices=("on", "off"), default="on", help="PostgreSQL's fsync")
    p.add_argument("--keep", action="store_true", help="keep the folder (serve logs, marks.db)")
    args = p.parse_args()
    logging.getLogger("psycopg.pool").setLevel(logging.CRITICAL)  # the harness's own reconnects while PG restarts
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # stopped from outside: the servers and PG go too
    faults = schedule(args.seed, args.faults, args.lease, args.max_gap)
    folder = Path(tempfile.mkdtemp(prefix="zigttp-chaos-"))
    (folder / "wf.ts").write_text(WORKFLOW)
    sqlite3.connect(folder / "marks.db").execute(SCHEMA).connection.commit()
    started = time.monotonic()
    try:
        with services.postgres(fsync=args.fsync == "on") as pg:
            chaos = Chaos(folder, pg, args.lease, args.runs)
            try:
                chaos.start()
                run_faults(chaos, faults, args.seed)
                chaos.finish(timeout=120 + 10 * args.lease)
                tally = check(chaos)
            finally:
                chaos.stop()
    except services.Unavailable as e:
        print(f"chaos_postgres: PostgreSQL could not be started: {e}", file=sys.stderr)
        return 3
    print(f"answers: {dict(sorted(chaos.work.statuses.items()))}")
    for text in tally.problems:
        print(f"  {text}")
    print(summary(args, chaos, tally, schedule_digest(faults), time.monotonic() - started))
    if args.keep or not tally.ok:
        print(f"folder: {folder}")
    return 0 if tally.ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
