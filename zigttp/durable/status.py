"""What a durable run is doing, derived from its oplog: for `zigttp admin` and its JSON."""

from __future__ import annotations

from typing import Any

import orjson

from zigttp_host.durable.oplog import DURABLE, Oplog
from zigttp_host.durable.store import DurableStore


def events(oplog: Oplog) -> list[dict[str, Any]]:
    """The run's history: steps, waits and module calls, in order."""
    out = []
    for e in oplog.entries:
        if e.module == DURABLE:
            out.append({"seq": e.seq, "type": e.fn, **(orjson.loads(e.result) if e.result else {})})
        else:
            out.append({"seq": e.seq, "type": "io", "module": e.module, "fn": e.fn})
    return out


def state(oplog: Oplog) -> dict[str, Any]:
    """status: completed | waiting (wait: timer until / signal name) | incomplete."""
    if oplog.complete:
        return {"status": "completed", "responseStatus": (oplog.response or {}).get("status")}
    wait = oplog.waiting()
    return {"status": "incomplete"} if wait is None else {"status": "waiting", "wait": wait}


def summary(store: DurableStore, key: str) -> dict[str, Any]:
    return read(store, key)[1]


def read(store: DurableStore, key: str) -> tuple[Oplog | None, dict[str, Any]]:
    """The run's oplog (None when there is none or it cannot be read) and its summary."""
    try:
        oplog = store.read(key)
    except ValueError as e:
        return None, {"key": key, "status": "unreadable", "reason": str(e)}
    if oplog is None:
        return None, {"key": key, "status": "unknown"}
    out = {"key": key, **state(oplog), "steps": sum(1 for e in events(oplog) if e["type"] == "step_result"),
           "bundle": oplog.header.get("bundle"), "createdMs": oplog.header.get("created_ms")}
    if oplog.torn:
        out["tornTail"] = True
    return oplog, out


def runs(store: DurableStore) -> list[dict[str, Any]]:
    dead = {d.get("key"): d for d in store.dead_runs()}
    out = []
    for key in store.run_keys():
        s = summary(store, key)
        record = dead.get(key)
        if record is not None and s.get("status") != "completed":
            s["status"] = "dead" if record.get("state") == "dead" else "discarded"
            s["deadReason"] = record.get("reason")
        out.append(s)
    return out
