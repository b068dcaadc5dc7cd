"""Bad input against durable execution: hand-edited folders and odd admin requests answer clearly, and one bad
run never holds up the others."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from zigttp_host.durable.store import FileStore

from ..support.server import admin, admin_in_thread, raw_http, serve, wait_until
from .test_runs import _get, _handler

KEYED_TS = """import { run, step, waitSignal } from "zigttp:durable";

export function handler(req: Request): Response {
  return run(decodeURIComponent(req.path.slice(1)), () => {
    const a = step("a", () => ({ n: 1 }));
    return Response.json({ a, s: waitSignal("go") });
  });
}
"""


def _edit(durable: Path, key: str, old: bytes, new: bytes) -> None:
    path = durable / "runs" / key / "oplog.jsonl"
    raw = path.read_bytes()
    assert old in raw
    path.write_bytes(re.sub(re.escape(old), new, raw, count=1))


@pytest.mark.parametrize(("old", "new", "reason"), [
    (b'{"type":"wait_signal","name":"go"}', b'{"type":"wait_signal","name":5}', "name"),
    (b'{"type":"wait_signal","name":"go"}', b'{"type":"wait_timer","until_ms":"soon"}', "until_ms"),
    (b'"headers":{', b'"headers":[1],"x":{', "headers"),
])
def test_a_run_with_wrong_typed_oplog_fields_does_not_hold_up_the_others(tmp_path: Path, old: bytes, new: bytes,
                                                                       reason: str) -> None:
    durable = tmp_path / "d"
    handler = tmp_path / "keyed.ts"
    handler.write_text(KEYED_TS)
    with serve(handler, "--durable", str(durable), "-q") as s:
        assert s.get("/a_bad").status_code == 202 and s.get("/z_good").status_code == 202
        _edit(durable, "a_bad", old, new)
        with admin(durable) as url:
            runs = f"{url}/_zigttp/durable/runs"
            for key in ("a_bad", "z_good"):  # the bad run's signal comes first: the scheduler looks at it first
                assert httpx.post(f"{runs}/{key}/signals/go", content=b'{"v":1}', timeout=10).status_code == 202
            wait_until(lambda: httpx.get(f"{runs}/z_good", timeout=10).json()["status"] == "completed")
            bad = httpx.get(f"{runs}/a_bad", timeout=10).json()
            assert bad["status"] == "unreadable" and reason in bad["reason"], bad
        answer = s.get("/a_bad")
        assert answer.status_code == 500 and answer.json()["error"] == "durable_error", answer.text
    log = s.log()
    assert "Traceback" not in log and "scheduler: TypeError" not in log, log[-2000:]
    assert log.count("unreadable oplog") <= 3, log[-2000:]  # said once, not five times a second


@pytest.fixture
def admin_url(tmp_path: Path) -> Iterator[tuple[str, FileStore]]:
    store = FileStore(tmp_path / "d")
    (store.root / "runs" / "r").mkdir(parents=True)
    (store.root / "runs" / "r" / "oplog.jsonl").write_bytes(
        b'{"type":"durable_run","format":"zigttp-oplog","version":1,"key":"r","bundle":"b","seed":1}\n'
        b'{"type":"request","method":"GET","url":"/r","headers":{},"body":null}\n'
        b'{"type":"wait_signal","name":"go"}\n')
    with admin_in_thread(store) as url:
        yield url, store


def test_a_chunked_signal_is_refused_not_taken_as_null(admin_url: tuple[str, FileStore]) -> None:
    url, store = admin_url
    answer = raw_http(url, b"POST /_zigttp/durable/runs/r/signals/go HTTP/1.1\r\nHost: x\r\n"
                       b"Transfer-Encoding: chunked\r\n\r\n7\r\n{\"x\":1}\r\n0\r\n\r\n")
    assert answer.split(b"\r\n")[0].split(b" ")[1] == b"411", answer[:300]
    assert b"application/json" in answer and b"Content-Length" in answer
    assert store.signals("r", "go") == []


@pytest.mark.parametrize("request_line", [b"OPTIONS /_zigttp/durable/runs HTTP/1.1", b"BREW /x HTTP/1.1",
                                          b"GET /" + b"y" * 70000 + b" HTTP/1.1"])
def test_every_admin_answer_is_json(admin_url: tuple[str, FileStore], request_line: bytes) -> None:
    answer = raw_http(admin_url[0], request_line + b"\r\nHost: x\r\n\r\n")
    head, _, body = answer.partition(b"\r\n\r\n")
    assert b"content-type: application/json" in head.lower(), answer[:300]
    assert body.startswith(b'{"error":'), answer[:300]


def test_hand_edited_dead_run_files_answer_json(admin_url: tuple[str, FileStore]) -> None:
    url, store = admin_url
    (store.root / "dead-runs").mkdir()
    (store.root / "dead-runs" / "r.json").write_bytes(b"[1, 2]")
    (store.root / "dead-runs" / "s.json").write_bytes(b'{"key": ["r"], "state": "dead"}')
    runs = httpx.get(f"{url}/_zigttp/durable/runs", timeout=10)
    assert runs.status_code == 200 and runs.json()["runs"][0]["key"] == "r"
    discard = httpx.post(f"{url}/_zigttp/durable/dead-runs/r/discard", timeout=10)
    assert discard.status_code == 404 and discard.json() == {"key": "r", "done": False}


@pytest.mark.parametrize("call", ["sleep(1e30)", "sleepUntil(-1e30)", "signalAt('k', 's', 1e300, null)"])
def test_a_time_no_oplog_can_hold_is_a_clear_durable_error(tmp_path: Path, call: str) -> None:
    source = ('import { run, sleep, sleepUntil, signalAt } from "zigttp:durable";\n'
              f'export function handler(req) {{ return run("k", () => {{ {call}; return Response.json(1); }}); }}')
    status, body = _get(_handler(tmp_path, source))
    assert status == 500 and body["error"] == "durable_error" and "2^53" in body["message"], body
