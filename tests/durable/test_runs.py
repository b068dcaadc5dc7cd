"""zigttp:durable semantics through the embedding API: the real guest, a real durable folder."""

from __future__ import annotations

import time
from pathlib import Path

import orjson
import pytest

from zigttp_host import Bundle, Grants, Host, HttpRequest, Limits, ModuleConfig
from zigttp_host.durable.store import FileStore


def _handler(tmp_path: Path, source: str, *, grants: Grants | None = None, env: dict | None = None,
             isolation: str = "fresh"):
    host = Host(modules=ModuleConfig(durable_dir=str(tmp_path / "d"), env=env or {}))
    return host.load(Bundle(source, "d.js"), Limits(timeout_ms=5000), isolation=isolation,
                     grants=grants or Grants(cache=frozenset({"c"}), env=frozenset({"SECRET"})))


def _get(h, path: str = "/"):
    r = h.handle(HttpRequest("GET", path))
    return r.status, orjson.loads(r.body) if r.body else None


APPROVAL_JS = """import { run, step, waitSignal } from "zigttp:durable";
export function handler(req) {
  return run("order:42", () => {
    const draft = step("createDraft", () => ({ id: 42, at: Date.now() }));
    const approval = waitSignal("approved");
    const confirmed = step("confirmOrder", () => ({ id: draft.id, at: draft.at, approval }));
    return Response.json(confirmed);
  });
}"""


@pytest.mark.parametrize("isolation", ["fresh", "pooled"])
def test_suspend_signal_resume_and_a_completed_run_answers_its_record(tmp_path: Path, isolation: str) -> None:
    h = _handler(tmp_path, APPROVAL_JS, isolation=isolation)
    assert _get(h) == (202, {"pending": True, "durableKey": "order:42", "wait": {"type": "signal", "name": "approved"}})
    assert _get(h)[0] == 202  # still waiting: replays to the same place
    store = FileStore(tmp_path / "d")
    assert store.put_signal("order:42", "approved", {"by": "ops"}) is True
    assert store.put_signal("no-such-run", "approved", {}) is False
    status, body = _get(h)
    assert status == 200 and body["approval"] == {"by": "ops"}
    assert _get(h) == (200, body)  # recorded, not run again (draft.at would differ)
    oplog = next((tmp_path / "d" / "runs").glob("*/oplog.jsonl")).read_text().splitlines()
    # Date.now inside the first step is journaled (io) and answered from the oplog on every replay
    assert [orjson.loads(x)["type"] for x in oplog] == [
        "durable_run", "request", "step_start", "io", "step_result", "wait_signal", "resume_signal", "step_start",
        "step_result", "response", "complete"]
    assert orjson.loads(oplog[0])["version"] == 1


def test_a_signal_sent_before_wait_is_kept_and_several_arrive_in_order(tmp_path: Path) -> None:
    source = """import { run, step, waitSignal } from "zigttp:durable";
export function handler(req) {
  return run("k", () => {
    step("first", () => 1);
    const a = waitSignal("s");
    const b = waitSignal("s");
    return Response.json({ a, b });
  });
}"""
    h = _handler(tmp_path, source)
    store = FileStore(tmp_path / "d")
    assert store.put_signal("k", "s", "early") is False  # unknown run: not accepted
    assert _get(h)[0] == 202
    assert store.put_signal("k", "s", "one") and store.put_signal("k", "s", "two")
    assert _get(h) == (200, {"a": "one", "b": "two"})


def test_io_inside_a_run_is_recorded_once_and_env_is_read_again(tmp_path: Path) -> None:
    source = """import { run, step, waitSignal } from "zigttp:durable";
import { cacheIncr } from "zigttp:cache";
import { env } from "zigttp:env";
export function handler(req) {
  return run("io", () => {
    const n = cacheIncr("c", "hits");
    const s = env("SECRET") ?? "";
    waitSignal("go");
    return Response.json({ n, len: s.length, t: Date.now() });
  });
}"""
    h = _handler(tmp_path, source, env={"SECRET": "hunter2-secret"})
    assert _get(h)[0] == 202
    assert _get(h)[0] == 202
    FileStore(tmp_path / "d").put_signal("io", "go", None)
    status, body = _get(h)
    assert status == 200 and body["n"] == 1 and body["len"] == len("hunter2-secret")  # incremented once
    text = next((tmp_path / "d" / "runs").glob("*/oplog.jsonl")).read_text()
    assert "hunter2" not in text and '"fn":"cacheIncr"' in text


def test_a_changed_run_is_a_divergence_and_the_oplog_is_left_alone(tmp_path: Path) -> None:
    h = _handler(tmp_path, APPROVAL_JS)
    assert _get(h)[0] == 202
    path = next((tmp_path / "d" / "runs").glob("*/oplog.jsonl"))
    before = path.read_bytes()
    renamed = _handler(tmp_path, APPROVAL_JS.replace('"createDraft"', '"makeDraft"'))
    status, body = _get(renamed)
    assert status == 500 and body["error"] == "durable_diverged"
    assert body["message"].startswith('step #0: recorded step_start("createDraft"), attempted step_start("makeDraft")')
    assert "running" in body["message"] and "written by bundle" in body["message"]
    assert path.read_bytes() == before


def test_a_step_interrupted_before_its_result_runs_again(tmp_path: Path) -> None:
    h = _handler(tmp_path, APPROVAL_JS)
    assert _get(h)[0] == 202
    path = next((tmp_path / "d" / "runs").glob("*/oplog.jsonl"))
    lines = path.read_text().splitlines()
    # as if the process died after step_start was written, and with half a line after it
    path.write_text("\n".join(lines[:3]) + '\n{"type":"step_res')
    assert _get(h)[0] == 202
    events = [orjson.loads(x)["type"] for x in path.read_text().splitlines()]
    assert events[2:] == ["step_start", "io", "step_result", "wait_signal"]


def test_sleep_suspends_until_its_time(tmp_path: Path) -> None:
    source = """import { run, sleep } from "zigttp:durable";
export function handler(req) {
  return run("nap", () => { sleep(300); return Response.text("awake"); });
}"""
    h = _handler(tmp_path, source)
    status, body = _get(h)
    assert status == 202 and body["wait"]["type"] == "timer" and body["wait"]["until"] > time.time() * 1000
    assert list((tmp_path / "d" / "scheduled").glob("*.json"))
    time.sleep(0.4)
    r = h.handle(HttpRequest("GET", "/"))
    assert (r.status, r.body) == (200, b"awake")


def test_step_with_timeout_and_step_values_are_json(tmp_path: Path) -> None:
    source = """import { run, step, stepWithTimeout } from "zigttp:durable";
export function handler(req) {
  return run("t", () => {
    const quick = stepWithTimeout("quick", 1000, () => 7);
    const slow = stepWithTimeout("slow", 0, () => { let x = 0; for (let i = 0; i < 200000; i++) x += i; return x; });
    const nothing = step("nothing", () => undefined);
    return Response.json({ quick, slow, nothing });
  });
}"""
    h = _handler(tmp_path, source)
    status, body = _get(h)
    assert status == 200
    assert body == {"quick": {"ok": True, "value": 7}, "slow": {"ok": False, "error": "timeout"}, "nothing": None}


@pytest.mark.parametrize(("call", "message"), [
    ('run(42, () => Response.text("x"))', "run() key must be a string"),
    ('run("k", 5)', "run() fn must be a function"),
    ('step(1, () => 1)', "step() name must be a string"),
    ('step("a", () => 1)', "step() must be called inside run()"),
    ('run("k", () => run("j", () => Response.text("x")))', "run() cannot be nested"),
])
def test_misuse_is_an_uncatchable_500(tmp_path: Path, call: str, message: str) -> None:
    source = f"""import {{ run, step }} from "zigttp:durable";
export function handler(req) {{ try {{ return {call}; }} catch (e) {{ return Response.text("caught"); }} }}"""
    status, body = _get(_handler(tmp_path, source))
    assert status == 500 and body["error"] == "durable_error" and message in body["message"]


def test_without_durable_every_export_throws(tmp_path: Path) -> None:
    source = """import { run } from "zigttp:durable";
export function handler(req) { return run("k", () => Response.text("x")); }"""
    h = Host().load(Bundle(source, "n.js"), Limits())
    r = h.handle(HttpRequest("GET", "/"))
    assert r.status == 500 and orjson.loads(r.body)["message"] == "run() requires --durable <DIR>"


def test_a_run_executing_elsewhere_is_409(tmp_path: Path) -> None:
    h = _handler(tmp_path, APPROVAL_JS)
    assert _get(h)[0] == 202
    claim = FileStore(tmp_path / "d").claim("order:42")
    assert claim is not None
    try:
        r = h.handle(HttpRequest("GET", "/"))
        assert r.status == 409 and ("retry-after", "1") in r.headers
        assert orjson.loads(r.body)["error"] == "durable_busy"
    finally:
        FileStore(tmp_path / "d").release(claim)
    assert _get(h)[0] == 202


def test_the_folder_is_owner_only(tmp_path: Path) -> None:
    _get(_handler(tmp_path, APPROVAL_JS))
    for folder in [tmp_path / "d", *(tmp_path / "d").rglob("*")]:
        if folder.is_dir():
            assert folder.stat().st_mode & 0o077 == 0, folder


def test_completed_runs_past_retention_are_removed_and_others_kept(tmp_path: Path) -> None:
    done = _handler(tmp_path, APPROVAL_JS.replace('const approval = waitSignal("approved");', "const approval = 1;"))
    assert _get(done)[0] == 200
    waiting = _handler(tmp_path, APPROVAL_JS.replace('"order:42"', '"order:43"'))
    assert _get(waiting)[0] == 202
    store = FileStore(tmp_path / "d")
    assert store.remove_completed(3600) == 0  # too young
    time.sleep(0.05)
    assert store.remove_completed(0.01) == 1
    assert store.run_keys() == ["order:43"]
