"""zigttp:durable at its edges: signals sent from a run, unreadable oplogs, removed steps, lost timer files."""

from __future__ import annotations

import time
from pathlib import Path

import orjson

from zigttp_host import HttpRequest
from zigttp_host.durable.store import FileStore

from .test_runs import APPROVAL_JS, _get, _handler

RECEIVER_JS = """import { run, waitSignal } from "zigttp:durable";
export function handler(req) {
  return run("recv", () => {
    const a = waitSignal("s");
    const b = waitSignal("s");
    return Response.json({ a, b });
  });
}"""


def _oplog(tmp_path: Path, key_dir: str) -> Path:
    return tmp_path / "d" / "runs" / key_dir / "oplog.jsonl"


def test_a_signal_sent_from_a_run_is_recorded_and_not_sent_again_on_replay(tmp_path: Path) -> None:
    assert _get(_handler(tmp_path, RECEIVER_JS))[0] == 202
    sender = _handler(tmp_path, """import { run, step, signal, signalAt, waitSignal } from "zigttp:durable";
export function handler(req) {
  return run("send", () => {
    const now = signal("recv", "s", "hello");
    const inStep = step("notify", () => signal("recv", "s", "from a step"));
    const later = signalAt("recv", "late", 4102444800000, "x");
    const unknown = signal("nobody", "s", 1);
    waitSignal("go");
    return Response.json({ now, inStep, later, unknown });
  });
}""")
    for _ in range(3):  # the run is replayed each time: what it sent is answered from its oplog
        assert _get(sender)[0] == 202
    store = FileStore(tmp_path / "d")
    assert [payload for _, payload in store.signals("recv", "s")] == ["hello", "from a step"]
    assert len(list((tmp_path / "d" / "scheduled").glob("*.json"))) == 1
    assert store.put_signal("send", "go", None)
    assert _get(sender) == (200, {"now": True, "inStep": True, "later": True, "unknown": False})


def test_a_signal_sent_before_the_run_waits_for_it_is_kept(tmp_path: Path) -> None:
    h = _handler(tmp_path, """import { run, waitSignal } from "zigttp:durable";
export function handler(req) {
  return run("k", () => {
    const first = waitSignal("first");
    const later = waitSignal("later");
    return Response.json({ first, later });
  });
}""")
    assert _get(h)[0] == 202
    store = FileStore(tmp_path / "d")
    assert store.put_signal("k", "later", "early") is True  # the run waits for "first" still
    assert _get(h)[1]["wait"] == {"type": "signal", "name": "first"}
    assert store.put_signal("k", "first", 1)
    assert _get(h) == (200, {"first": 1, "later": "early"})


def test_an_unreadable_oplog_is_a_clear_500_not_an_internal_error(tmp_path: Path) -> None:
    h = _handler(tmp_path, APPROVAL_JS)
    assert _get(h)[0] == 202
    path = next((tmp_path / "d" / "runs").glob("*/oplog.jsonl"))
    path.write_bytes(path.read_bytes().replace(b'"version":1', b'"version":9'))
    status, body = _get(h)
    assert status == 500 and body["error"] == "durable_error"
    assert "unknown oplog format 'zigttp-oplog' version 9" in body["message"]
    assert str(tmp_path) not in body["message"]  # the server's folders are not the client's business
    path.write_bytes(b'{"type":"durable_run","version":1}\n{"type":"request"}\nnot json\n')
    status, body = _get(h)
    assert status == 500 and body["error"] == "durable_error" and "oplog.jsonl:3: invalid JSON" in body["message"]


def test_a_removed_last_step_is_a_divergence(tmp_path: Path) -> None:
    source = """import { run, step, waitSignal } from "zigttp:durable";
export function handler(req) {
  return run("k", () => {
    const a = step("a", () => 1);
    const b = step("b", () => 2);
    waitSignal("go");
    return Response.json({ a, b });
  });
}"""
    assert _get(_handler(tmp_path, source))[0] == 202
    path = next((tmp_path / "d" / "runs").glob("*/oplog.jsonl"))
    before = path.read_bytes()
    shorter = _handler(tmp_path, source.replace('const b = step("b", () => 2);\n    waitSignal("go");\n',
                                                "const b = 2;\n"))
    status, body = _get(shorter)
    assert status == 500 and body["error"] == "durable_diverged"
    assert body["message"].startswith('step #2: recorded step_start("b"), attempted the run\'s end')
    assert path.read_bytes() == before


def test_waiting_inside_a_step_is_misuse(tmp_path: Path) -> None:
    for call in ('waitSignal("s")', "sleep(10)"):
        source = f"""import {{ run, step, sleep, waitSignal }} from "zigttp:durable";
export function handler(req) {{
  return run("in-step", () => Response.json(step("a", () => {call})));
}}"""
        status, body = _get(_handler(tmp_path, source))
        assert status == 500 and body["error"] == "durable_error", body
        assert "cannot be called inside step" in body["message"]


def test_a_timer_whose_schedule_file_was_lost_is_scheduled_again(tmp_path: Path) -> None:
    h = _handler(tmp_path, """import { run, sleep } from "zigttp:durable";
export function handler(req) { return run("nap", () => { sleep(60000); return Response.text("awake"); }); }""")
    status, body = _get(h)
    assert status == 202
    scheduled = list((tmp_path / "d" / "scheduled").glob("*.json"))
    assert len(scheduled) == 1
    scheduled[0].unlink()  # as if the process died between the wait_timer line and the schedule file
    assert _get(h) == (202, body)
    due = FileStore(tmp_path / "d").due(body["wait"]["until"])
    assert [(s.key, s.at_ms) for s in due] == [("nap", body["wait"]["until"])]
    r = h.handle(HttpRequest("GET", "/"))
    assert r.status == 202 and len(list((tmp_path / "d" / "scheduled").glob("*.json"))) == 1
    assert time.time() * 1000 < body["wait"]["until"]
    events = [orjson.loads(x)["type"] for x in _oplog(tmp_path, "nap").read_text().splitlines()]
    assert events.count("wait_timer") == 1


def test_a_different_module_call_at_a_recorded_position_is_a_divergence(tmp_path: Path) -> None:
    source = """import { run, step, waitSignal } from "zigttp:durable";
import { cacheGet, cacheSet } from "zigttp:cache";
export function handler(req) {
  return run("k", () => {
    const hit = cacheGet("c", "a") ?? "";
    const a = step("a", () => 1);
    waitSignal("go");
    return Response.json({ a, hit });
  });
}"""
    assert _get(_handler(tmp_path, source))[0] == 202
    other = _handler(tmp_path, source.replace('cacheGet("c", "a") ?? ""', 'cacheSet("c", "a", "x")'))
    status, body = _get(other)
    assert status == 500 and body["error"] == "durable_diverged"
    assert body["message"].startswith('io #0: expected cache.cacheGet("c","a"), got cache.cacheSet("c","a","x")')
    skipped = _handler(tmp_path, source.replace('const hit = cacheGet("c", "a") ?? "";', 'const hit = "";'))
    status, body = _get(skipped)
    assert status == 500 and body["message"].startswith('step #0: recorded cache.cacheGet, attempted step_start("a")')


def test_a_new_bundle_that_replays_the_same_calls_goes_on(tmp_path: Path) -> None:
    assert _get(_handler(tmp_path, APPROVAL_JS))[0] == 202
    FileStore(tmp_path / "d").put_signal("order:42", "approved", "ok")
    changed = _handler(tmp_path, APPROVAL_JS.replace("return Response.json(confirmed);",
                                                     "return Response.json({ ...confirmed, v: 2 });"))
    status, body = _get(changed)
    assert status == 200 and body["v"] == 2 and body["approval"] == "ok"
    header = orjson.loads(next((tmp_path / "d" / "runs").glob("*/oplog.jsonl")).read_text().splitlines()[0])
    assert header["bundle"]  # the oplog keeps the bundle that started it


def test_every_export_without_durable_names_the_flag(tmp_path: Path) -> None:
    from zigttp_host import Bundle, Host, Limits

    calls = {"run": 'run("k", 5)', "step": 'step("a", () => 1)', "stepWithTimeout": 'stepWithTimeout("a", 5, () => 1)',
             "sleep": "sleep(1)", "sleepUntil": "sleepUntil(1)", "waitSignal": 'waitSignal("s")',
             "signal": 'signal("k", "s", 1)', "signalAt": 'signalAt("k", "s", 1, 1)'}
    for fn, call in calls.items():
        source = f"""import {{ {fn} }} from "zigttp:durable";
export function handler(req) {{ {call}; return Response.text("x"); }}"""
        r = Host().load(Bundle(source, "n.js"), Limits()).handle(HttpRequest("GET", "/"))
        assert r.status == 500 and orjson.loads(r.body)["message"] == f"{fn}() requires --durable <DIR>", (fn, r.body)


def test_a_step_with_timeout_replays_its_recorded_result(tmp_path: Path) -> None:
    source = """import { run, stepWithTimeout, waitSignal } from "zigttp:durable";
export function handler(req) {
  return run("t", () => {
    const quick = stepWithTimeout("quick", 1000, () => Date.now());
    const slow = stepWithTimeout("slow", 0, () => { let x = 0; for (let i = 0; i < 200000; i++) x += i; return x; });
    waitSignal("go");
    return Response.json({ quick: quick.ok ? quick.value : quick.error, slow: slow.ok ? slow.value : slow.error });
  });
}"""
    h = _handler(tmp_path, source)
    assert _get(h)[0] == 202
    text = next((tmp_path / "d" / "runs").glob("*/oplog.jsonl")).read_text()
    recorded = [orjson.loads(x) for x in text.splitlines() if '"step_result"' in x]
    assert recorded[0]["result"]["ok"] is True and recorded[1]["result"] == {"ok": False, "error": "timeout"}
    FileStore(tmp_path / "d").put_signal("t", "go", None)
    assert _get(h) == (200, {"quick": recorded[0]["result"]["value"], "slow": "timeout"})
