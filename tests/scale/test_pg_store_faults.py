"""zigttp:durable on PostgreSQL when the database fails mid-run: the run is not left for the sweep."""

from __future__ import annotations

import time

import pytest

from zigttp_host.durable.scheduler import Scheduler
from zigttp_host.durable.store import StoreUnavailable

from .test_durable_pg import _get, _handler, _host, _store, db  # noqa: F401 (db is a fixture)

SLEEPY_JS = """import { run, step, sleep } from "zigttp:durable";
export function handler(req) {
  return run("nap", () => {
    const a = step("a", () => 1);
    sleep(200);
    const b = step("b", () => a + 1);
    return Response.json({ b });
  });
}"""


def test_a_run_stopped_by_a_store_failure_is_resumed_by_the_scheduler_at_once(db: str,  # noqa: F811
                                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    """Its wait_timer line was written, its timer was not (a dropped connection): it must not wait for the sweep."""
    host = _host(db, lease_s=5)
    h = _handler(host, SLEEPY_JS)
    store = _store(host)
    scheduler = Scheduler(store, h.handle)
    scheduler.start()
    try:
        deadline = time.monotonic() + 10
        while scheduler._lead is None:  # leading, and its first tick (the sweep) done
            assert time.monotonic() < deadline, "the scheduler did not take the lead"
            time.sleep(0.05)
        time.sleep(0.5)
        schedule = store.schedule
        failures = [StoreUnavailable("the durable store (PostgreSQL) failed: server closed the connection")]

        def dropped(*args: object) -> None:
            if failures:
                raise failures.pop()
            schedule(*args)  # type: ignore[arg-type]

        monkeypatch.setattr(store, "schedule", dropped)
        status, body, _ = _get(h, "/")
        assert status == 503 and body["error"] == "durable_unavailable"
        deadline = time.monotonic() + 8  # the lease (5 s) at most, never the sweep's minute
        while not (store.read("nap") and store.read("nap").complete):
            assert time.monotonic() < deadline, f"the run waits for the sweep: {store.read('nap').waiting()}"
            time.sleep(0.05)
    finally:
        scheduler.stop()
    assert _get(h, "/")[:2] == (200, {"b": 2})


def test_an_abandoned_run_is_an_orphan_at_once_and_one_never_created_is_not(db: str) -> None:  # noqa: F811
    from zigttp_host.durable.store_pg import PostgresStore

    first, second = PostgresStore(db, lease_s=30), PostgresStore(db, lease_s=30)
    empty = first.claim("never-created")
    assert empty is not None
    first.abandon(empty)  # its request failed before the run's first lines: nothing to resume
    started = first.claim("started")
    assert started is not None
    first.create(started, b'{"type":"durable_run","format":"zigttp-oplog","version":1,"key":"started"}\n'
                          b'{"type":"request","method":"GET","url":"/"}\n')
    first.abandon(started)
    assert second.orphaned_keys() == ["started"]
    taken = second.claim("started")  # not after the 30 s lease: now
    assert taken is not None and taken.token == started.token + 1
    second.release(taken)
    first.close()
    second.close()
