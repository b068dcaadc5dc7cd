"""Two `zigttp serve` processes on one PostgreSQL: a run moves between them, `zigttp admin` reads the database,
and an owner paused past its lease (SIGSTOP) is fenced out when it wakes."""

from __future__ import annotations

import os
import signal
import threading
import time
from pathlib import Path

import httpx
import psycopg
import pytest

from ..support import services
from ..support.server import REPO, admin, run_cli, serve, wait_until

APPROVAL = REPO / "examples" / "durable" / "approval.ts"

# A step body that computes for about a second: long enough to pause its process inside it.
SLOW_JS = """import { run, step } from "zigttp:durable";
export function handler(req) {
  return run("slow", () => {
    const spun = step("spin", () => {
      let x = 0;
      for (let i = 0; i < 12000000; i++) x = (x + i) % 1000003;
      return x;
    });
    return Response.json({ spun });
  });
}"""


@pytest.fixture
def db(postgres_server: services.Postgres) -> str:
    services.empty_zigttp_tables(postgres_server.url)
    return postgres_server.url


def test_a_run_started_on_one_server_is_resumed_by_the_other_after_a_signal_through_admin(db: str) -> None:
    with serve(APPROVAL, "--durable", db, "-q") as one, serve(APPROVAL, "--durable", db, "-q") as two:
        r = one.get("/orders/42")
        assert r.status_code == 202 and r.json()["wait"] == {"type": "signal", "name": "approved"}
        with admin(db) as url:
            runs = httpx.get(f"{url}/_zigttp/durable/runs").json()["runs"]
            assert [(run["key"], run["status"]) for run in runs] == [("order:42", "waiting")]
            sent = httpx.post(f"{url}/_zigttp/durable/runs/order%3A42/signals/approved", json={"by": "ops"})
            assert sent.status_code == 202
            # whichever server leads the scheduler resumes the run; the other answers its record
            done = wait_until(lambda: (r := two.get("/orders/42")).status_code == 200 and r.json(), timeout=30)
            assert done["approval"] == {"by": "ops"} and done["status"] == "confirmed"
            assert one.get("/orders/42").json() == done
            one_run = httpx.get(f"{url}/_zigttp/durable/runs/order%3A42").json()
            assert one_run["status"] == "completed" and one_run["steps"] == 2


def test_an_owner_paused_past_its_lease_is_fenced_out_when_it_wakes(db: str, tmp_path: Path) -> None:
    handler = tmp_path / "slow.js"
    handler.write_text(SLOW_JS)
    flags = ("--durable", db, "--durable-lease", "1s", "--no-verify", "--timeout-ms", "60000", "-q")
    with serve(handler, *flags) as owner, serve(handler, *flags) as other:
        answer: list[httpx.Response] = []
        client = threading.Thread(target=lambda: answer.append(owner.get("/", timeout=90)))
        client.start()
        wait_until(lambda: _step_started(db), timeout=30)
        os.killpg(owner.proc.pid, signal.SIGSTOP)  # the owner and its workers stop inside the step body
        try:
            time.sleep(2.5)  # past its lease: the heartbeat is stopped with it
            # the other server's scheduler finds the orphaned run, claims it (a new token), runs the body
            # again and completes it; meanwhile a client is told it is busy (409)
            taken = wait_until(lambda: (r := other.get("/", timeout=90)).status_code == 200 and r, timeout=90)
        finally:
            os.killpg(owner.proc.pid, signal.SIGCONT)
        client.join(90)
        woke = answer[0]
        assert woke.status_code == 409 and woke.json()["error"] == "durable_taken_over", woke.text
        assert "fencing token" in woke.json()["message"] and woke.headers["retry-after"] == "1"
        with psycopg.connect(db) as conn:
            lines = [bytes(r[0]) for r in conn.execute("SELECT line FROM zigttp_oplog WHERE key = 'slow' ORDER BY n")]
        kinds = [line.split(b'"type":"', 1)[1].split(b'"', 1)[0].decode() for line in lines]
        # the paused owner's result never landed: one step_result, written by the new owner
        assert kinds.count("step_result") == 1 and kinds[-1] == "complete"
        assert other.get("/").json() == taken.json() == owner.get("/").json()


def _step_started(db: str) -> bool:
    with psycopg.connect(db) as conn:
        try:
            return conn.execute("SELECT 1 FROM zigttp_oplog WHERE key = 'slow' AND line LIKE %s",
                                (b'%step_start%',)).fetchone() is not None
        except psycopg.errors.UndefinedTable:
            return False


def test_serve_refuses_a_database_it_cannot_reach_and_a_url_it_does_not_know(tmp_path: Path) -> None:
    port = services.free_port()
    down = run_cli("serve", str(APPROVAL), "--durable", f"postgresql://zigttp:secret@127.0.0.1:{port}/x")
    assert down.returncode == 1 and "PostgreSQL" in down.stderr and "Traceback" not in down.stderr
    assert "secret" not in down.stderr  # the password is never printed
    other = run_cli("serve", str(APPROVAL), "--durable", "mysql://h/db")
    assert other.returncode == 2 and "postgresql://" in other.stderr
    admin_down = run_cli("admin", "--durable", f"postgresql://127.0.0.1:{port}/x")
    assert admin_down.returncode == 1 and "Traceback" not in admin_down.stderr
