"""The durable scheduler on one thread: who leads, what it resumes, retries with backoff, dead runs, replay."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from zigttp_host import HttpRequest, HttpResponse
from zigttp_host.durable import scheduler as S
from zigttp_host.durable.scheduler import Scheduler
from zigttp_host.durable.store import FileStore

from .test_runs import APPROVAL_JS, _get, _handler


class Counting:
    """A scheduler's serve: counts the resumes, answers with the handler or a fixed failure."""

    def __init__(self, handler=None, status: int = 500) -> None:
        self.handler = handler
        self.status = status
        self.body = b'{"error":"handler_error","message":"boom"}'
        self.calls = 0

    def __call__(self, request: HttpRequest) -> HttpResponse:
        self.calls += 1
        if self.handler is not None:
            return self.handler.handle(request)
        return HttpResponse(self.status, [], self.body)


@pytest.fixture
def fast(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(S, "FIRST_BACKOFF_S", 0.01)
    monkeypatch.setattr(S, "MAX_BACKOFF_S", 0.02)
    monkeypatch.setattr(S, "MAX_ATTEMPTS", 3)


def _ticks(scheduler: Scheduler, n: int, pause: float = 0.03) -> None:
    for _ in range(n):
        scheduler.tick()
        time.sleep(pause)


def test_one_scheduler_leads_per_folder_and_another_takes_over(tmp_path: Path) -> None:
    store = FileStore(tmp_path / "d")
    first, second = Scheduler(store, Counting()), Scheduler(store, Counting())
    assert first._leader() is True and second._leader() is False
    first.stop()
    assert second._leader() is True
    second.stop()


def test_a_failing_run_is_retried_with_backoff_then_parked(tmp_path: Path, fast: None) -> None:
    assert _get(_handler(tmp_path, APPROVAL_JS))[0] == 202
    store = FileStore(tmp_path / "d")
    serve = Counting(status=500)
    scheduler = Scheduler(store, serve)
    scheduler.recover()
    assert serve.calls == 1 and not store.is_dead("order:42")
    _ticks(scheduler, 20)
    assert serve.calls == 3 and store.is_dead("order:42")  # MAX_ATTEMPTS, then parked, then left alone
    assert store.dead_runs()[0]["reason"].startswith('{"error":"handler_error"')


def test_replaying_a_dead_run_resumes_it_without_a_restart(tmp_path: Path, fast: None) -> None:
    assert _get(_handler(tmp_path, APPROVAL_JS))[0] == 202
    store = FileStore(tmp_path / "d")
    store.park("order:42", "boom", 10)
    serve = Counting(_handler(tmp_path, APPROVAL_JS))
    scheduler = Scheduler(store, serve)
    _ticks(scheduler, 2)
    assert serve.calls == 0
    assert store.revive("order:42") is True
    _ticks(scheduler, 2)
    assert serve.calls == 1


def test_a_run_is_not_replayed_over_and_over_for_a_signal_it_does_not_wait_for(tmp_path: Path) -> None:
    source = """import { run, waitSignal } from "zigttp:durable";
export function handler(req) {
  return run("k", () => Response.json({ a: waitSignal("a"), b: waitSignal("b") }));
}"""
    h = _handler(tmp_path, source)
    assert _get(h)[0] == 202
    store = FileStore(tmp_path / "d")
    assert store.put_signal("k", "b", "early")
    serve = Counting(h)
    scheduler = Scheduler(store, serve)
    _ticks(scheduler, 5, pause=0)
    assert serve.calls == 0  # it waits for "a": nothing to deliver yet
    assert store.put_signal("k", "a", "now")
    _ticks(scheduler, 2, pause=0)
    assert serve.calls == 1 and _get(h) == (200, {"a": "now", "b": "early"})


def test_a_run_left_behind_by_a_failed_request_is_recovered_by_the_sweep(tmp_path: Path, fast: None) -> None:
    flaky = """import { run, step } from "zigttp:durable";
import { env } from "zigttp:env";
export function handler(req) {
  return run("flaky", () => {
    const a = step("a", () => 1);
    if (env("SECRET") === "down") throw new Error("upstream down");
    return Response.json({ a });
  });
}"""
    down = _handler(tmp_path, flaky, env={"SECRET": "down"})
    assert _get(down)[0] == 500
    up = Counting(_handler(tmp_path, flaky, env={"SECRET": "up"}))
    scheduler = Scheduler(FileStore(tmp_path / "d"), up)
    scheduler.tick()  # the first tick sweeps
    assert up.calls == 1 and _get(up.handler) == (200, {"a": 1})


def test_a_malformed_schedule_file_does_not_stop_the_other_timers(tmp_path: Path) -> None:
    store = FileStore(tmp_path / "d")
    store.schedule(1000, "k", "s", 1)
    (tmp_path / "d" / "scheduled" / "500-x-y.json").write_bytes(b"[]")
    (tmp_path / "d" / "scheduled" / "600-x-z.json").write_bytes(b'{"name": "z"}')
    assert [(s.key, s.name) for s in store.due(2000)] == [("k", "s")]


def test_a_dead_run_is_listed_with_its_reason(tmp_path: Path, fast: None) -> None:
    from zigttp.durable import status

    assert _get(_handler(tmp_path, APPROVAL_JS))[0] == 202
    store = FileStore(tmp_path / "d")
    scheduler = Scheduler(store, Counting(status=500))
    scheduler.recover()
    _ticks(scheduler, 10)
    [run] = status.runs(store)
    assert run["status"] == "dead" and run["deadReason"].startswith('{"error":"handler_error"')
    assert store.discard("order:42") and status.runs(store)[0]["status"] == "discarded"
    assert store.revive("order:42") and status.runs(store)[0]["status"] == "waiting"


def test_a_store_out_of_reach_is_retried_but_never_parks_the_run(tmp_path: Path, fast: None) -> None:
    """503 durable_unavailable says the database is down, not that the run is broken: backoff, no dead run."""
    assert _get(_handler(tmp_path, APPROVAL_JS))[0] == 202
    store = FileStore(tmp_path / "d")
    serve = Counting(status=503)
    serve.body = b'{"error":"durable_unavailable","message":"the durable store (PostgreSQL) failed: gone"}'
    scheduler = Scheduler(store, serve)
    scheduler.recover()
    _ticks(scheduler, 20)
    assert serve.calls > 3 and not store.is_dead("order:42")  # past MAX_ATTEMPTS, still retried
