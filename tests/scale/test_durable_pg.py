"""zigttp:durable on PostgreSQL: the same semantics as the file store, claims fenced by token, a real server."""

from __future__ import annotations

import threading
import time

import orjson
import psycopg
import pytest

from zigttp_host import Bundle, Grants, Host, HttpRequest, Limits, ModuleConfig
from zigttp_host.durable.pg_schema import LATEST, SchemaTooNew, migrate
from zigttp_host.durable.scheduler import Scheduler
from zigttp_host.durable.store import ClaimLost, StoreUnavailable
from zigttp_host.durable.store_pg import PostgresStore

from ..support import services

APPROVAL_JS = """import { run, step, waitSignal, sleep } from "zigttp:durable";
import { cacheIncr } from "zigttp:cache";
export function handler(req) {
  const key = req.path.slice(1);
  return run(key, () => {
    const draft = step("createDraft", () => ({ n: cacheIncr("c", key, 1), at: Date.now() }));
    sleep(300);
    const approval = waitSignal("approved");
    const confirmed = step("confirmOrder", () => ({ draft, approval }));
    return Response.json(confirmed);
  });
}"""


@pytest.fixture
def db(postgres_server: services.Postgres) -> str:
    """An empty zigttp schema for each test."""
    services.empty_zigttp_tables(postgres_server.url)
    return postgres_server.url


def _host(url: str, lease_s: float = 15.0) -> Host:
    return Host(modules=ModuleConfig(durable_url=url, durable_lease_s=lease_s))


def _handler(host: Host, source: str = APPROVAL_JS):
    return host.load(Bundle(source, "d.js"), Limits(timeout_ms=5000), isolation="fresh",
                     grants=Grants(cache=frozenset({"c"})))


def _get(h, path: str):
    r = h.handle(HttpRequest("GET", path))
    return r.status, orjson.loads(r.body) if r.body else None, dict(r.headers)


def _store(host: Host) -> PostgresStore:
    store = host.functions.runtime.durable_store()
    assert isinstance(store, PostgresStore)
    return store


def test_a_run_suspends_sleeps_takes_a_signal_and_completes_once(db: str) -> None:
    host = _host(db)
    h = _handler(host)
    status, body, _ = _get(h, "/order:1")
    assert status == 202 and body["wait"]["type"] == "timer"
    store = _store(host)
    assert [item.key for item in store.due(int(time.time() * 1000) + 5000)] == ["order:1"]
    time.sleep(0.35)
    assert _get(h, "/order:1")[1]["wait"] == {"type": "signal", "name": "approved"}
    assert store.put_signal("order:1", "approved", {"by": "ops"}) is True
    assert store.put_signal("no-such-run", "approved", {}) is False
    status, body, _ = _get(h, "/order:1")
    assert status == 200 and body["approval"] == {"by": "ops"} and body["draft"]["n"] == 1
    assert _get(h, "/order:1")[1] == body  # recorded: not run again (n and at would differ)
    oplog = store.read("order:1")
    assert oplog is not None and oplog.complete
    assert [e.fn for e in oplog.entries if e.module == "durable"] == [
        "step_start", "step_result", "wait_timer", "resume_timer", "wait_signal", "resume_signal", "step_start",
        "step_result"]
    assert store.incomplete_keys() == [] and store.run_keys() == ["order:1"]
    assert store.put_signal("order:1", "approved", {}) is False  # completed: no waitSignal will take it


def test_a_second_host_gets_409_while_the_run_is_claimed(db: str) -> None:
    one, two = _host(db), _host(db)
    claim = _store(one).claim("busy")
    assert claim is not None
    status, body, headers = _get(_handler(two), "/busy")
    assert status == 409 and body["error"] == "durable_busy" and headers["retry-after"] == "1"
    _store(one).release(claim)
    assert _get(_handler(two), "/busy")[0] == 202


def test_an_owner_whose_lease_expired_is_fenced_out_after_a_takeover(db: str) -> None:
    first, second = PostgresStore(db, lease_s=1), PostgresStore(db, lease_s=1)
    old = first.claim("k")
    assert old is not None
    first.create(old, b'{"type":"durable_run","format":"zigttp-oplog","version":1,"key":"k"}\n'
                      b'{"type":"request","method":"GET","url":"/"}\n')
    assert second.claim("k") is None  # the lease holds
    with psycopg.connect(db, autocommit=True) as conn:  # the owner paused past its lease, unrenewed
        conn.execute("UPDATE zigttp_runs SET lease_until = clock_timestamp() - interval '1 second'")
    new = second.claim("k")
    assert new is not None and new.token == old.token + 1
    with pytest.raises(ClaimLost, match="fencing token 1 is stale"):
        first.append(old, b'{"type":"step_start","name":"a"}\n')
    with pytest.raises(ClaimLost):
        first.check(old)
    first.release(old)  # releases nothing of the new owner's
    assert first.claim("k") is None
    second.append(new, b'{"type":"step_start","name":"a"}\n')
    oplog = second.read("k")
    assert oplog is not None and [e.fn for e in oplog.entries] == ["step_start"]
    first.close()
    second.close()


def test_the_heartbeat_keeps_a_long_claim(db: str) -> None:
    owner, other = PostgresStore(db, lease_s=1), PostgresStore(db, lease_s=1)
    claim = owner.claim("long")
    assert claim is not None
    time.sleep(2.5)  # more than two leases: renewed in the background
    assert other.claim("long") is None
    owner.check(claim)
    owner.close()
    other.close()


def test_the_scheduler_lead_is_one_and_passes_on_when_its_lease_lapses(db: str) -> None:
    a, b = PostgresStore(db, lease_s=1), PostgresStore(db, lease_s=1)
    lead = a.take_lead()
    assert lead is not None and b.take_lead() is None
    with psycopg.connect(db, autocommit=True) as conn:
        conn.execute("UPDATE zigttp_leases SET lease_until = clock_timestamp() - interval '1 second'")
    taken = b.take_lead()
    assert taken is not None
    lead.deadline = 0  # due for renewal: the renewal finds the lead gone
    assert a.keep_lead(lead) is False and b.keep_lead(taken) is True
    a.close()
    b.close()


def test_a_scheduler_on_another_host_fires_the_timer_and_delivers_the_signal(db: str) -> None:
    client, runner = _host(db), _host(db)
    h_client, h_runner = _handler(client), _handler(runner)
    assert _get(h_client, "/wf")[0] == 202
    scheduler = Scheduler(_store(runner), h_runner.handle)
    scheduler.start()
    try:
        deadline = time.monotonic() + 20
        while _store(client).read("wf").waiting() != {"type": "signal", "name": "approved"}:
            assert time.monotonic() < deadline, "the timer did not fire"
            time.sleep(0.05)
        assert _store(client).put_signal("wf", "approved", "yes")
        while not _store(client).read("wf").complete:
            assert time.monotonic() < deadline, "the signal was not delivered"
            time.sleep(0.05)
    finally:
        scheduler.stop()
    assert _get(h_client, "/wf")[1]["approval"] == "yes"


def test_a_timer_fired_twice_delivers_its_signal_once(db: str) -> None:
    host = _host(db)
    store = _store(host)
    source = """import { run, waitSignal } from "zigttp:durable";
export function handler(req) {
  return run("t", () => Response.json({ a: waitSignal("s"), more: waitSignal("s") }));
}"""
    h = _handler(host, source)
    assert _get(h, "/")[0] == 202
    store.schedule(1, "t", "s", "once")
    item = store.due(10)[0]
    scheduler = Scheduler(store, h.handle)
    scheduler._fire(item)
    store.schedule(1, "t", "s", "once")  # the same timer again (a crash before it was removed)
    scheduler._fire(store.due(10)[0])
    assert _get(h, "/")[1]["wait"] == {"type": "signal", "name": "s"}  # "once" taken by the first wait only
    oplog = store.read("t")
    assert [orjson.loads(e.result)["payload"] for e in oplog.entries if e.fn == "resume_signal"] == ["once"]


def test_the_schema_is_created_once_by_hosts_starting_together_and_a_newer_one_is_refused(db: str) -> None:
    errors: list[BaseException] = []

    def start() -> None:
        try:
            PostgresStore(db).close()
        except BaseException as e:
            errors.append(e)

    threads = [threading.Thread(target=start) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    with psycopg.connect(db, autocommit=True) as conn:
        assert conn.execute("SELECT array_agg(version) FROM zigttp_schema").fetchone()[0] == [LATEST]
        conn.execute("INSERT INTO zigttp_schema (version) VALUES (%s)", (LATEST + 1,))
        with pytest.raises(SchemaTooNew, match="upgrade zigttp"):
            migrate(conn)


def test_a_database_out_of_reach_answers_503_and_the_run_goes_on_after(postgres_server: services.Postgres,
                                                                      db: str) -> None:
    host = _host(db)
    h = _handler(host)
    assert _get(h, "/down")[0] == 202
    postgres_server.stop()
    try:
        status, body, headers = _get(h, "/down")
        assert status == 503 and body["error"] == "durable_unavailable" and headers["retry-after"] == "1"
        assert "PostgreSQL" in body["message"]
        with pytest.raises(StoreUnavailable):
            PostgresStore(db)
    finally:
        postgres_server.start()
    time.sleep(0.4)
    assert _get(h, "/down")[1]["wait"] == {"type": "signal", "name": "approved"}


def test_two_schemas_on_one_database_never_share_runs(db: str) -> None:
    acme = Host(modules=ModuleConfig(durable_url=db, durable_schema="tenant_acme"))
    globex = Host(modules=ModuleConfig(durable_url=db, durable_schema="tenant_globex"))
    assert _get(_handler(acme), "/shared")[0] == 202
    assert _store(acme).run_keys() == ["shared"] and _store(globex).run_keys() == []
    assert _store(globex).put_signal("shared", "approved", 1) is False  # not a run of globex's
    assert _store(acme)._pool is _store(globex)._pool  # one pool for the database, however many tenants
    with pytest.raises(ValueError, match="lowercase SQL name"):
        PostgresStore(db, schema='x"; DROP TABLE zigttp_runs; --')


def test_a_signal_from_another_host_wakes_the_waiting_scheduler(db: str) -> None:
    host = _host(db)
    assert _get(_handler(host), "/woken")[0] == 202
    waiter, sender = PostgresStore(db), PostgresStore(db)
    waiter.wait_for_work(0.5)  # starts listening; anything pending wakes it once
    waiter.wait_for_work(0.5)
    threading.Timer(0.3, lambda: sender.put_signal("woken", "approved", 1)).start()
    started = time.monotonic()
    waiter.wait_for_work(30)
    assert time.monotonic() - started < 20  # woken by the notification, not by the 30 s timeout
    waiter.close()
    sender.close()


def test_dead_runs_are_parked_listed_revived_and_discarded_as_in_a_folder(db: str) -> None:
    store = PostgresStore(db)
    store.park("bad", "500: boom", 10)
    assert store.is_dead("bad") and [d["key"] for d in store.dead_runs()] == ["bad"]
    assert store.revive("bad") is True and not store.is_dead("bad")
    assert [(item.key, item.name) for item in store.due(int(time.time() * 1000) + 1000)] == [("bad", "~sleep")]
    store.park("worse", "500", 10)
    assert store.discard("worse") is True and not store.is_dead("worse")
    assert [d["state"] for d in store.dead_runs()] == ["discarded"]
    assert store.revive("never") is False and store.discard("never") is False
    store.close()
